"""Reruns of failing tests: ``@pytest.mark.irl(reruns=N, reruns_delay=S, only_rerun=[...])`` and
``--irl-reruns N``.

Each attempt runs the item's whole protocol (setup, call, teardown), so function-scoped fixtures
-- the ``page`` included -- are built afresh while broader ones are kept. An attempt that is
retried is reported with the outcome ``rerun`` (``R`` / ``RERUN``); the last attempt's reports are
the test's result. This works with or without ``--irl``: the recording only reads
``item.stash[ATTEMPT]`` to make each attempt its own row.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from _pytest.runner import call_and_report, show_test_item

RERUN_OUTCOME = "rerun"
# Names under which pytest-rerunfailures may be registered (its entry point, its module).
_RERUNFAILURES = ("rerunfailures", "pytest_rerunfailures")


@dataclass(frozen=True)
class Attempt:
    """Which attempt of a test is running; ``first_run_id`` is the id of the first one's row."""

    number: int
    first_run_id: uuid.UUID


@dataclass(frozen=True)
class RerunSettings:
    reruns: int = 0
    delay: float = 0.0
    only: tuple[re.Pattern[str], ...] = ()

    def matches(self, error: str) -> bool:
        return not self.only or any(pattern.search(error) for pattern in self.only)


ATTEMPT = pytest.StashKey[Attempt]()
_SETTINGS = pytest.StashKey[RerunSettings]()
# The exception line of each failed phase of the current attempt, by phase ("setup", "call").
_ERRORS = pytest.StashKey[dict[str, str]]()


def default_reruns(config: pytest.Config) -> int:
    given = config.getoption("irl_reruns")
    source = "--irl-reruns" if given is not None else "irl_reruns"
    value = given if given is not None else str(config.getini("irl_reruns")).strip() or "0"
    try:
        reruns = int(value)
    except ValueError:
        raise pytest.UsageError(f"{source}: {value!r} is not a whole number") from None
    if reruns < 0:
        raise pytest.UsageError(f"{source}: {reruns} is negative")
    return reruns


def settings_for(item: pytest.Item, default: int) -> RerunSettings:
    """The closest ``irl`` marker's value of each key wins (a test's own over its class's)."""
    found: dict[str, Any] = {}
    for marker in item.iter_markers("irl"):
        for key in ("reruns", "reruns_delay", "only_rerun"):
            if key in marker.kwargs and key not in found:
                found[key] = marker.kwargs[key]
    try:
        return _parse(found, default)
    except (TypeError, ValueError, re.error) as exc:
        raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.irl: {exc}") from None


def _parse(found: dict[str, Any], default: int) -> RerunSettings:
    reruns = found.get("reruns", default)
    if isinstance(reruns, bool) or not isinstance(reruns, int) or reruns < 0:
        raise ValueError(f"reruns={reruns!r} is not a whole number >= 0")
    delay = found.get("reruns_delay", 0)
    if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
        raise ValueError(f"reruns_delay={delay!r} is not a number of seconds >= 0")
    only = found.get("only_rerun") or ()
    patterns: Iterable[Any] = (only,) if isinstance(only, str) else only
    compiled = []
    for pattern in patterns:
        if not isinstance(pattern, str):
            raise TypeError(f"only_rerun: {pattern!r} is not a regular expression string")
        compiled.append(re.compile(pattern))
    return RerunSettings(reruns, float(delay), tuple(compiled))


def rerunfailures_owns(item: pytest.Item) -> bool:
    """pytest-rerunfailures is installed and set to rerun this test: it is left to that plugin."""
    config = item.config
    if not any(config.pluginmanager.hasplugin(name) for name in _RERUNFAILURES):
        return False
    if item.get_closest_marker("flaky") is not None:
        return True
    reads = (lambda: config.getoption("force_reruns", None), lambda: config.getoption("reruns", None),
             lambda: config.getini("reruns"))
    for read in reads:
        try:
            if int(read() or 0) > 0:
                return True
        except (ValueError, TypeError):  # not a setting of the installed version, or empty
            continue
    return False


class Reruns:
    """Registered for every run; acts only on tests that have reruns."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.default = default_reruns(config)
        self.flaky: list[str] = []
        self._rerun_nodeids: set[str] = set()

    # Parsed once, before any test runs, so a bad marker is a usage error rather than a
    # failure in the middle of the session.
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            item.stash[_SETTINGS] = settings_for(item, self.default)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
        settings = item.stash.get(_SETTINGS, None) or settings_for(item, self.default)
        # Under --pdb the failure is being debugged where it happened; a rerun would only repeat it.
        if settings.reruns == 0 or item.config.getoption("usepdb", False) or rerunfailures_owns(item):
            return None
        item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
        first_run_id = uuid.uuid4()
        try:
            for number in range(1, settings.reruns + 2):
                item.stash[ATTEMPT] = Attempt(number, first_run_id)
                item.stash[_ERRORS] = {}
                reports, again = self._attempt(item, nextitem, settings, last=number > settings.reruns)
                for report in reports:
                    if again and report.failed:
                        report.outcome = RERUN_OUTCOME  # type: ignore[assignment]
                    item.ihook.pytest_runtest_logreport(report=report)
                if not again:
                    break
                if settings.delay:
                    time.sleep(settings.delay)
        finally:
            for key in (ATTEMPT, _ERRORS):
                if key in item.stash:
                    del item.stash[key]
        item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
        return True

    def _attempt(self, item: pytest.Item, nextitem: pytest.Item | None, settings: RerunSettings,
                 last: bool) -> tuple[list[pytest.TestReport], bool]:
        """One setup/call/teardown, like pytest's own protocol, except that the teardown is chosen
        after the call: an attempt to be retried tears down only the item (its function-scoped
        fixtures), keeping the module, class and session fixtures for the next attempt."""
        has_request = hasattr(item, "_request")
        if has_request and not item._request:  # type: ignore[attr-defined]
            item._initrequest()  # type: ignore[attr-defined]  # fresh funcargs for this attempt
        try:
            reports = [call_and_report(item, "setup", log=False)]
            if reports[0].passed and not item.config.getoption("setuponly", False):
                if item.config.getoption("setupshow", False):
                    show_test_item(item, add_space=True)
                reports.append(call_and_report(item, "call", log=False))
            stopping = bool(item.session.shouldfail or item.session.shouldstop)
            again = not last and not stopping and self._worth_rerunning(item, reports, settings)
            # pytest's SetupState tears down every node that the "next item" does not descend
            # from: naming the item's parent pops the item alone. A stopping session tears down
            # everything, as pytest's own protocol does.
            target: Any = None if stopping else item.parent if again else nextitem
            reports.append(call_and_report(item, "teardown", log=False, nextitem=target))
            if again:
                _forget_failed_fixtures(item)
        finally:
            if has_request:
                item._request = False  # type: ignore[attr-defined]
                item.funcargs = None  # type: ignore[attr-defined]
        return reports, again

    @staticmethod
    def _worth_rerunning(
        item: pytest.Item, reports: list[pytest.TestReport], settings: RerunSettings,
    ) -> bool:
        failed = [r for r in reports if r.failed and r.when in ("setup", "call")]
        if not failed:
            return False
        error = item.stash.get(_ERRORS, {}).get(failed[0].when) or failed[0].longreprtext
        return settings.matches(error)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        report = yield
        errors = item.stash.get(_ERRORS, None)
        if errors is not None and call.excinfo is not None:
            # "Type: message", matched by only_rerun: not the whole traceback, whose source
            # lines would match almost any pattern.
            errors[call.when] = call.excinfo.exconly()
        return report

    @pytest.hookimpl(tryfirst=True)
    def pytest_report_teststatus(self, report: pytest.TestReport) -> tuple[str, str, tuple[str, dict]] | None:
        if report.outcome == RERUN_OUTCOME:
            return RERUN_OUTCOME, "R", ("RERUN", {"yellow": True})
        return None

    # From the logged reports rather than the protocol, so that under pytest-xdist the
    # controller (which runs no tests) still knows which tests were flaky.
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.outcome == RERUN_OUTCOME:
            self._rerun_nodeids.add(report.nodeid)
        elif report.when == "call" and report.passed and report.nodeid in self._rerun_nodeids:
            if report.nodeid not in self.flaky:
                self.flaky.append(report.nodeid)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.flaky:
            terminalreporter.write_line(
                f"irl: {len(self.flaky)} flaky test(s): {', '.join(self.flaky)}", yellow=True)


def _forget_failed_fixtures(item: pytest.Item) -> None:
    """Make the next attempt run again the broader fixtures (a session's browser launch, say)
    that failed in this one: pytest caches a fixture's exception for its whole scope."""
    request = getattr(item, "_request", None)
    info = getattr(item, "_fixtureinfo", None)
    if not request or info is None:
        return
    for fixturedefs in info.name2fixturedefs.values():
        for fixturedef in fixturedefs:
            cached = getattr(fixturedef, "cached_result", None)
            if cached is not None and cached[2] is not None:
                try:
                    fixturedef.finish(request)
                except Exception:  # its own finalizers failed; the next attempt reports it
                    pass
