"""`irl fix` end to end on the example suite, as a user runs it: learn on version 1, heal on
version 2, rewrite the sources, then plain pytest (a real Chromium, Postgres, subprocesses)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
# Where version 2 broke the suite: the constants, the class attribute and the page object's
# ``__init__``. `irl fix` must change these lines and no other.
DEFINITIONS = {
    'TASKS = "#task-list li"',
    'TITLES = "#task-list .task-title"',
    'COUNT = "#task-count"',
    'self.new_task = page.locator("#new-task")',
    'self.add_button = page.locator("#add-task")',
    'self.empty_state = page.locator("#empty-state")',
    'self.clear_completed = page.locator("#clear-completed")',
}


@pytest.fixture(autouse=True)
def _no_ambient_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IRL_DATABASE_URL", raising=False)


def irl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest_irl.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.slow
def test_fix_rewrites_definitions_and_keeps_what_the_tests_check(
    pytester: pytest.Pytester, service_db_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    shutil.copytree(EXAMPLES, pytester.path / "examples")
    suite = pytester.path / "examples" / "test_tasks.py"

    def run(*args: str) -> pytest.RunResult:
        return pytester.runpytest_subprocess("examples/test_tasks.py", "-p", "no:cacheprovider", *args)

    monkeypatch.delenv("IRL_EXAMPLES_APP", raising=False)
    run("--irl", "--irl-db", service_db_url).assert_outcomes(passed=5)  # version 1: learns
    monkeypatch.setenv("IRL_EXAMPLES_APP", "v2")
    run("--irl", "--irl-db", service_db_url).assert_outcomes(passed=5)  # version 2: healed

    shown = irl("--db", service_db_url, "fix", cwd=pytester.path)
    print(shown.stdout, shown.stderr, sep="\n")  # the diff and the skipped sites, as a user sees them
    assert shown.returncode == 0, shown.stderr
    removed = {line[1:].strip() for line in shown.stdout.splitlines()
               if line.startswith("-") and not line.startswith("---")}
    assert removed == DEFINITIONS, shown.stdout
    assert "disagreeing" not in shown.stderr, shown.stderr

    written = irl("--db", service_db_url, "fix", "--write", cwd=pytester.path)
    assert written.returncode == 0 and f"rewrote {suite}" in written.stdout, written.stderr
    text = suite.read_text(encoding="utf-8")
    # The loop still checks each title it adds; no call site was touched.
    assert "expect(self.tasks.filter(has_text=title)).to_have_count(1)" in text
    assert "self.tasks = page.locator(TASKS)" in text and "self.page.locator(self.COUNT)" in text
    # What a person writes: a role and name where the page has a unique one, a short CSS for lists.
    assert 'self.add_button = page.get_by_role("button", name="Add")' in text
    assert "TITLES = '[data-testid=\"task-list\"] .task-title'" in text
    assert not re.search(r"#(task-list|task-count|new-task|add-task|empty-state|clear-completed)\b", text)

    run().assert_outcomes(passed=5)  # version 2, without --irl: the fixed suite passes

    # A version 2 whose task toggle does nothing: the fixed test still catches it.
    script = pytester.path / "examples" / "app_v2" / "tasks.js"
    broken = script.read_text(encoding="utf-8").replace("task.done = toggle.checked;", "void toggle.checked;")
    assert broken != script.read_text(encoding="utf-8")
    script.write_text(broken, encoding="utf-8")
    run("-k", "test_completing_a_task").assert_outcomes(failed=1)

    # Run again: the file changed since the run that healed it, so nothing more is written.
    again = irl("--db", service_db_url, "fix", "--write", cwd=pytester.path)
    assert "rewrote" not in again.stdout and "the file changed since the run" in again.stderr
