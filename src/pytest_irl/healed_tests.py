"""Heals are never hidden: a test that passed through a heal is shown as such.

What users of self-healing tools fear most is a suite that goes green by healing onto the wrong
thing or over a real regression. So a passed test whose run healed a locator is reported with its
own letter and word (``H`` / ``HEALED``, as pytest-rerunfailures shows ``R``), counted again in
the stats line ("3 passed, 1 healed": it still counts as passed), and carries an ``irl_healed``
property (JUnit XML shows it as a ``<property>``). ``--irl-heal-fails`` (ini ``irl_heal_fails``)
makes a session with any such test exit non-zero, after everything is recorded, for teams that
gate merges on a reviewed suite.

The mark travels as a user property because that is what pytest-xdist sends from a worker to the
controller, where the terminal and the exit status are.
"""

from __future__ import annotations

from typing import Any

import pytest

HEALED = "healed"
PROPERTY = "irl_healed"


def mark(item: pytest.Item, report: pytest.TestReport, heals: int) -> None:
    """Mark ``item``'s call ``report`` (and the reports after it) as passed through ``heals`` heals."""
    value = f"{heals} heal{'s' if heals != 1 else ''}"
    item.user_properties.append((PROPERTY, value))
    report.user_properties.append((PROPERTY, value))


def healed(report: pytest.TestReport) -> bool:
    return any(name == PROPERTY for name, _ in getattr(report, "user_properties", ()))


def heal_fails(config: pytest.Config) -> bool:
    flag = config.getoption("irl_heal_fails")
    return bool(config.getini("irl_heal_fails")) if flag is None else bool(flag)


class HealedTests:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.nodeids: list[str] = []

    @pytest.hookimpl(tryfirst=True)
    def pytest_report_teststatus(self, report: pytest.TestReport) -> tuple[str, str, tuple[str, dict]] | None:
        if report.when == "call" and report.passed and healed(report):
            # Still a pass (outcome counts and tools that read them stay as they are), with its
            # own letter and word; the stats line counts it again under "healed".
            return "passed", "H", ("HEALED", {"yellow": True})
        return None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" and report.passed and healed(report) and report.nodeid not in self.nodeids:
            self.nodeids.append(report.nodeid)
            terminal = self.config.pluginmanager.get_plugin("terminalreporter")
            if terminal is not None:
                terminal.stats.setdefault(HEALED, []).append(report)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        # trylast: the recording has finished (and stored the session's own exit status) by now.
        if hasattr(self.config, "workerinput"):
            return  # a pytest-xdist worker: the controller, which sees every report, decides
        if self.nodeids and heal_fails(self.config) and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.nodeids:
            return
        gate = " (--irl-heal-fails: the session fails)" if heal_fails(self.config) else ""
        terminalreporter.write_line(
            f"irl: {len(self.nodeids)} test(s) passed only through a heal{gate}: {', '.join(self.nodeids)}",
            yellow=True,
        )
