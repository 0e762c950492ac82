"""The layer between a test and Playwright: wraps objects, runs actions, records steps."""

from __future__ import annotations

import functools
import hashlib
import os
import re
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import playwright

from .heal import Fingerprint
from .models import Step, TestRun
from .observer import REPORT_BINDING, observer_script
from .policy import Action, Policy, first_line
from .redact import MASK, Secrets

if TYPE_CHECKING:
    from .healer import Healer
    from .lists import Lists

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
_INTERNAL_DIRS = _package_dirs(__file__, playwright.__file__)


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

    def begin(self, action: Action) -> Step:
        step = Step(
            step_number=len(self.run.steps) + 1, action=action.name, selector=action.selector,
            location=caller_location(self.root),
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
        self.run.steps[:] = [self._redacted(step) for step in self.run.steps]

    def steps_json(self, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Steps as the live stream shows them (``Step.to_json()``), redacted with what is known now."""
        shown = []
        for data in steps:
            number = data.get("stepNumber") if isinstance(data, dict) else None
            extra = self._unconfirmed_value(number) if isinstance(number, int) else []
            shown.append(self.secrets.step(data, extra) if isinstance(data, dict) else {})
        return shown

    def _redacted(self, step: Step) -> Step:
        data = step.to_json()
        redacted = self.secrets.step(data)
        if redacted == data:
            return step
        try:
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


class Layer:
    """One per pytest process: the policy, the run being recorded, and object wrapping."""

    def __init__(self, policy: Policy | None = None, on_error: Callable[[str], None] | None = None) -> None:
        self.policy = policy or Policy()
        self.current: RunRecorder | None = None
        # The session's secrets (the database password): each run's secrets are added to these.
        self.secrets = Secrets()
        self._on_error = on_error
        self._script: str | None = None
        # Called with each browser context the layer instruments (the live stream watches them).
        self.context_listeners: list[Callable[[Any], None]] = []
        # Called with a page (raw) just before the test starts that page's own screencast: the live
        # stream's screencast steps aside, since a page has one.
        self.screencast_listeners: list[Callable[[Any], None]] = []
        # The list healer (``wiring.build_layer``, or ``assertions.lists_for`` on first use).
        self.lists: Lists | None = None

    def before_test_screencast(self, page: Any) -> None:
        for listener in self.screencast_listeners:
            try:
                listener(page)
            except Exception:
                pass  # the stream's trouble, never the test's

    @property
    def healer(self) -> Healer | None:
        return self.policy.healer  # type: ignore[return-value]

    def wrap(self, value: Any) -> Any:
        from .proxy import wrap

        return wrap(value, self)

    def run(self, action: Action) -> Any:
        recorder = self.current
        if recorder is None:
            return self.policy.execute(action, None)
        step = self._safely(lambda: recorder.begin(action))
        recorder.in_flight = step
        started = time.perf_counter()
        error: BaseException | None = None
        try:
            return self.policy.execute(action, step)
        except BaseException as exc:
            error = exc
            raise
        finally:
            recorder.in_flight = None
            if step is not None:
                url = self._url_of(action)
                self._safely(lambda: recorder.end(step, started, url, error))
                if error is None:
                    self._safely(lambda: self._learn(recorder, step, action, url))

    def _learn(self, recorder: RunRecorder, step: Step, action: Action, url: str | None) -> None:
        """Teach the healer the element this successful step acted on."""
        healer = self.healer
        if healer is None or action.target is None or step.self_healing is not None:
            return
        reached = recorder.reached.get(step.step_number)
        if reached is not None:
            healer.learn(step.selector, url, reached)
        else:
            # No report (yet): a read, a no-op check(), an element reported under another locator,
            # a document whose observer was cut off. One query, only while nothing is known.
            healer.learn_by_query(action, url)

    def settle_learning(self) -> None:
        """Let the learning questions still on their way be answered (the test body is over, its
        pages still open), briefly: the last steps of a test are learned too."""
        healer = self.healer
        if healer is not None:
            self._safely(healer.questions.settle)

    def _on_element(self, data: Any) -> None:
        recorder, healer = self.current, self.healer
        if recorder is None or healer is None or not isinstance(data, dict):
            return
        fingerprint = Fingerprint.model_validate(data)
        # Whose report it is: the step whose locator matches the element, not merely the one in
        # flight (a late report would otherwise be taken for the next step's and both lost).
        step = next((s for s in recorder.steps_for_report() if healer.agrees(s.selector, fingerprint)), None)
        if step is None:
            return
        recorder.reached[step.step_number] = fingerprint
        if step is not recorder.in_flight and step.self_healing is None:
            # The report came after its step ended: learn now, as the step's end would have.
            healer.learn(step.selector, step.url, fingerprint)

    def instrument_context(self, context: Any) -> None:
        """Install the page observer in ``context`` (a raw BrowserContext), once."""
        if getattr(context, "_irl_instrumented", False):
            return
        context._irl_instrumented = True

        def on_report(_source: Any, payload: Any) -> None:
            recorder = self.current
            if recorder is None or not isinstance(payload, dict):
                return
            if payload.get("kind") == "typed":
                self._safely(lambda: recorder.on_typed(
                    str(payload.get("shape")), bool(payload.get("secret")), payload.get("value"),
                    payload.get("field")))
            elif payload.get("kind") == "element":
                self._safely(lambda: self._on_element(payload.get("fingerprint")))

        if self._script is None:
            self._script = observer_script()
        try:
            context.expose_binding(REPORT_BINDING, on_report)
            context.add_init_script(script=self._script)
        except Exception as exc:  # a closed or remote context: record without the observer
            self._report(f"page observer not installed: {first_line(exc)}")
        for listener in self.context_listeners:
            listener(context)

    def _url_of(self, action: Action) -> str | None:
        if action.owner is not None:
            try:
                return str(action.owner.url)
            except Exception:
                return None
        try:
            return str(action.target.page.url) if action.target is not None else None
        except Exception:
            return None

    def _safely(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except Exception as exc:  # recording must never change a test's outcome
            self._report(f"recording error: {first_line(exc)}")
            return None

    def _report(self, message: str) -> None:
        if self._on_error is not None:
            self._on_error(message)
