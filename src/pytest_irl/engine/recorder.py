"""The steps of one test run as it goes (:class:`RunRecorder`), and where in the test each step was
called from: its values masked where they may be secrets, until the run ends and is stored."""

from __future__ import annotations

import functools
import hashlib
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

import playwright

from ..heal import Fingerprint
from ..models import Step, TestRun
from ..redact import MASK, Secrets
from .action import Action, first_line

# Typed values are kept only when the page said the field is not a secret (see observer.js);
# anything unconfirmed, or aimed at a locator that names a secret, is stored as MASK (redact.py),
# and is then a secret of the run: masked wherever else it shows (an error, a call log).
TYPED_ACTIONS = frozenset({"fill", "type", "press_sequentially", "keyboard.type", "keyboard.insert_text"})
# A page report arrives when Playwright next hears from the browser, which may be during the next
# step: it belongs to the step in flight or to one of this many steps before it.
REPORT_LAG_STEPS = 2
# Assertions whose expected value is a field's content: secret when the field is.
VALUE_ASSERTIONS = frozenset({
    "expect.to_have_value", "expect.to_have_values", "expect.not_to_have_value", "expect.not_to_have_values",
})
_ERROR_CHARS = 4000
SECRET_SELECTOR = re.compile(r"pass(word|wd|phrase)?|pwd|secret|token|otp|\bpin\b|cvc|cvv|api.?key", re.I)


def _package_dirs(*module_files: str | None) -> tuple[str, ...]:
    """The directories of packages (each named by a module at its top level), as written and resolved,
    ending in a separator (so that ``.../playwright`` does not also claim ``.../playwright_x``)."""
    found: list[str] = []
    for module_file in module_files:
        if not module_file:
            continue
        directory = os.path.dirname(os.path.abspath(module_file))
        for form in (directory, os.path.realpath(directory)):
            if form + os.sep not in found:
                found.append(form + os.sep)
    return tuple(found)


# Frames of these packages are never a step's location: this plugin's wrappers and Playwright's
# sync API sit between the test's call and the step. They are recognised by where the packages
# live, not by a word in the path: a suite under ``tests/playwright/`` is the test's own code.
# pytest's and pluggy's frames are not skipped: they only come after the test's own frames.
# This package is named by a module at its top (its wrappers are there, the engine one level down).
_INTERNAL_DIRS = _package_dirs(str(Path(__file__).parent.parent / "__init__.py"), playwright.__file__)


def value_shape(value: str) -> str:
    return f"{len(value)}:{value[:16]}:{value[-16:]}"


def caller_location(root: str | None = None) -> str | None:
    """``file:line`` of the test code that made the current call, relative to ``root`` (or cwd)."""
    return location_from(sys._getframe(2), root)


def location_from(frame: Any, root: str | None) -> str | None:
    """``file:line`` of the first frame outside this package and Playwright, from ``frame`` out."""
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_INTERNAL_DIRS):
            return f"{_shown_path(filename, root or os.getcwd())}:{frame.f_lineno}"
        frame = frame.f_back
    return None


@functools.lru_cache(maxsize=1024)
def _shown_path(filename: str, base: str) -> str:
    # Every step asks, for the same few test files: relpath (two abspaths each) is most of the
    # cost of locating a step.
    try:
        return os.path.relpath(filename, base)
    except ValueError:
        return filename


@functools.lru_cache(maxsize=256)
def _file_sha256(path: str, mtime_ns: int, size: int) -> str | None:
    try:
        with open(path, "rb") as source:
            return hashlib.sha256(source.read()).hexdigest()
    except OSError:
        return None


def source_sha256(location: str, root: str | None) -> str | None:
    """SHA-256 of the file of a ``path:LINE`` location (read once per version of the file)."""
    path = os.path.join(root or os.getcwd(), location.rpartition(":")[0])
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _file_sha256(path, stat.st_mtime_ns, stat.st_size)


class RunRecorder:
    """The steps of one test run, in memory until the run ends."""

    def __init__(self, run: TestRun, root: str | None = None, secrets: Secrets | None = None) -> None:
        self.run = run
        self.root = root
        # What is secret in this run (on top of the session's): every record of it is redacted
        # with these before it is stored or streamed.
        self.secrets = secrets if secrets is not None else Secrets()
        self.typed: dict[str, set[bool]] = {}
        self.in_flight: Step | None = None
        self.reached: dict[int, Fingerprint] = {}  # step number -> what the page reported it reached
        self._raw_values: dict[int, Any] = {}
        # Each failed step's whole error: redacted whole at the end of the run, then cut short, so
        # that a cut never leaves a piece of a secret learned later.
        self._full_errors: dict[int, str] = {}
        # The secrets the steps were last redacted with (``finish_values``): the record is written
        # without a second pass unless more are known by then.
        self.redacted_under: frozenset[str] | None = None

    def begin(self, action: Action) -> Step:
        step = Step(
            step_number=len(self.run.steps) + 1, action=action.name, selector=action.selector,
            location=action.location or caller_location(self.root),
        )
        self.run.steps.append(step)
        if action.value is not None:
            self._raw_values[step.step_number] = action.value
            self.secrets.learn(action.value)  # goto("http://user:PASSWORD@...?token=...")
        return step

    def end(self, step: Step, started: float, url: str | None, error: BaseException | None) -> None:
        step.duration_ms = round((time.perf_counter() - started) * 1000.0, 2)
        self.secrets.learn(url)
        step.url = url
        step.success = error is None
        if error is not None:
            if not str(error).strip():
                step.error = first_line(error)
            else:
                self._full_errors[step.step_number] = str(error)
                # Shown live (the stream) until the run ends: masked with what is known now and
                # with the step's own typed value, unless the page said it is no secret.
                step.error = self.secrets.text(str(error), self._unconfirmed(step))[:_ERROR_CHARS]

    def steps_for_report(self) -> list[Step]:
        """The steps a page report may belong to, likeliest first: the one in flight, then the last
        ones done (successfully), each only while it has no report yet."""
        done = [s for s in self.run.steps[::-1] if s is not self.in_flight][:REPORT_LAG_STEPS]
        found = [self.in_flight] if self.in_flight is not None else []
        found += [s for s in done if s.success]
        return [s for s in found if s.selector and s.step_number not in self.reached]

    def on_typed(self, shape: str, secret: bool, value: Any = None, field: Any = None) -> None:
        self.typed.setdefault(shape, set()).add(bool(secret))
        if secret and isinstance(value, str) and value:
            # What was typed into a password, one-time-code or card field: a secret of the run.
            self.secrets.typed(str(field) if field else None, value)

    def awaits_typed_reports(self) -> bool:
        """Whether a value typed in this run is not yet known to be no secret."""
        return any(step.action in TYPED_ACTIONS and self._unconfirmed_value(step.step_number)
                   for step in self.run.steps)

    def finish_values(self) -> None:
        """Put the recorded values into the steps, masked where they may be secrets, then redact
        every step with all that the run has learned to be secret."""
        # Typed values first: what they make secret decides how an assertion on the field is shown.
        for step in sorted(self.run.steps, key=lambda s: s.action not in TYPED_ACTIONS):
            if step.step_number in self._raw_values:
                raw = self._raw_values[step.step_number]
                step.value = self._shown_value(step, raw)
                if step.value == MASK and (step.action in TYPED_ACTIONS or step.action in VALUE_ASSERTIONS):
                    self.secrets.add(raw)  # masked here: masked wherever else it shows too
        self._raw_values.clear()
        for step in self.run.steps:
            full = self._full_errors.get(step.step_number)
            if full is not None:
                step.error = self.secrets.text(full)[:_ERROR_CHARS]
        self._full_errors.clear()
        for step in self.run.steps:
            if step.location and (step.self_healing is not None or step.heal_suggestion is not None):
                step.source_sha256 = source_sha256(step.location, self.root)
        # Every step with all that the run showed (a token in the last step's URL, in the test's
        # error): the record is then written without redacting it again (``redacted_under``).
        self.secrets.learn(self.run.error)
        datas = [step.to_json() for step in self.run.steps]
        redacted = self.secrets.steps(datas)
        self.run.steps[:] = [self._redacted(step, data, out)
                             for step, data, out in zip(self.run.steps, datas, redacted, strict=True)]
        self.redacted_under = self.secrets.known()

    def steps_json(self, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Steps as the live stream shows them (``Step.to_json()``), redacted with what is known now."""
        shown = []
        for data in steps:
            number = data.get("stepNumber") if isinstance(data, dict) else None
            extra = self._unconfirmed_value(number) if isinstance(number, int) else []
            shown.append(self.secrets.step(data, extra) if isinstance(data, dict) else {})
        return shown

    def _redacted(self, step: Step, data: dict[str, Any], redacted: dict[str, Any] | str) -> Step:
        if redacted == data:
            return step
        try:
            if not isinstance(redacted, dict):
                raise TypeError("could not be redacted")
            return Step.model_validate(redacted)
        except Exception:  # never keep what could not be redacted
            return Step(step_number=step.step_number, action=step.action, success=step.success,
                        started_at=step.started_at, duration_ms=step.duration_ms, value=MASK, error=MASK)

    def _unconfirmed(self, step: Step) -> list[str]:
        return self._unconfirmed_value(step.step_number) if step.action in TYPED_ACTIONS else []

    def _unconfirmed_value(self, number: int) -> list[str]:
        """The step's typed value while it is not known to be no secret: its own error and call log
        must not show it before the end of the run decides."""
        raw = self._raw_values.get(number)
        if not isinstance(raw, str) or self.typed.get(value_shape(raw)) == {False}:
            return []
        return [raw]

    def _shown_value(self, step: Step, value: Any) -> Any:
        looks_secret = bool(step.selector and SECRET_SELECTOR.search(step.selector))
        if step.action in TYPED_ACTIONS:
            if looks_secret or not isinstance(value, str):
                return MASK
            return value if self.typed.get(value_shape(value)) == {False} else MASK
        if step.action == "press" and looks_secret:
            return MASK
        if step.action in VALUE_ASSERTIONS and (looks_secret or self._holds_secret(step)):
            return MASK  # the expected content of a secret field is the secret, or a guess at it
        if step.action == "set_input_files":
            return _file_names(value)
        return value if isinstance(value, str | int | float | bool | list) else repr(value)[:200]

    def _holds_secret(self, step: Step) -> bool:
        """Did the field of this assertion show a known secret (its error says what it received)?"""
        return self.secrets.shows(self._full_errors.get(step.step_number) or step.error or "")


def _file_names(value: Any) -> Any:
    items = value if isinstance(value, list | tuple) else [value]
    names = []
    for item in items:
        if isinstance(item, dict):
            names.append(str(item.get("name", "?")))
        else:
            names.append(os.path.basename(str(item)))
    return names


