"""The todo pair: an expect-heavy suite written for version 1 of a small app, run as a user would
(pytest in a subprocess, a real Chromium and Postgres) on version 1, then on version 2, where the
ids became classes and the markup was reordered."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row

SUITE = (Path(__file__).parent / "pages" / "todo_suite.py").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _no_ambient_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IRL_DATABASE_URL", raising=False)


def steps_of(url: str, session_order: str) -> dict[str, list[dict]]:
    """nodeid -> steps of the newest (``DESC``) or oldest (``ASC``) session's runs."""
    with psycopg.connect(url) as conn, conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            "SELECT r.nodeid, r.steps FROM test_runs r JOIN test_sessions s ON s.id = r.session_id"
            f" WHERE s.started_at = (SELECT started_at FROM test_sessions ORDER BY started_at {session_order}"
            " LIMIT 1)").fetchall()
    return {r["nodeid"].split("::")[-1]: r["steps"] for r in rows}


def test_suite_passes_on_v1_then_heals_v2_and_fails_without_irl(
    pytester: pytest.Pytester, db_url: str, pages_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytester.makepyfile(test_todo=SUITE)
    monkeypatch.setenv("TODO_URL", f"{pages_url}/todo_v1.html")
    pytester.runpytest_subprocess("--irl", "--irl-db", db_url).assert_outcomes(passed=5)

    monkeypatch.setenv("TODO_URL", f"{pages_url}/todo_v2.html")
    monkeypatch.setenv("TODO_TIMEOUT_MS", "800")  # plain Playwright only waits out its timeouts
    plain = pytester.runpytest_subprocess()
    plain.assert_outcomes(failed=5)  # plain Playwright: every test breaks on version 2
    monkeypatch.delenv("TODO_TIMEOUT_MS")

    healed = pytester.runpytest_subprocess("--irl", "--irl-db", db_url)
    healed.assert_outcomes(passed=5)
    healed.stdout.fnmatch_lines([
        "*irl: healed locators*",
        '*#todo-list li -> page.locator("ul.todo-list > li.todo")*list*',
    ])
    runs = steps_of(db_url, "DESC")
    steps = [s for run in runs.values() for s in run]
    assertions = [s for s in steps if s["action"].startswith("expect.")]
    negative = [s for s in assertions if s["action"].startswith("expect.not_")
                or s["action"] == "expect.to_be_hidden" or s.get("value") == 0]
    positive = [s for s in assertions if s not in negative]
    # Every positive assertion on a locator version 2 broke (all of them name an id) was healed,
    # directly or by following its healed list, and says so; each one passed.
    assert positive and all("selfHealing" in s and s["success"] for s in positive), [
        (s["location"], s["selector"]) for s in positive if "selfHealing" not in s]
    assert {s["selfHealing"]["strategy"] for s in positive} >= {"list", "fingerprint"}
    followed = [s for s in positive if ">> nth=" in s["selector"]]
    assert followed and all(s["selfHealing"]["healedSelector"].startswith("ul.todo-list > li.todo >> nth=")
                            for s in followed)
    # Negative assertions and empty lists are recorded, never healed.
    assert negative and not any("selfHealing" in s for s in negative)
    counts = [s for s in steps if s["action"] == "count"]
    assert [("selfHealing" in s) for s in counts] == [True, False]  # 2 items: healed; 0 items: not

    # Listed across sessions, and rewritten in the source by `irl fix`.
    def irl(*args: str) -> str:
        return subprocess.run([sys.executable, "-m", "pytest_irl.cli", "--db", db_url, *args],
                              cwd=pytester.path, capture_output=True, text=True, timeout=120).stdout

    assert 'page.locator("ul.todo-list > li.todo")' in irl("healed")
    diff = irl("fix")
    # The list is rewritten where it is defined, once; its call sites keep reading the constant.
    assert '-ITEMS = "#todo-list li"\n+ITEMS = "ul.todo-list > li.todo"\n' in diff, diff
    assert "page.locator(ITEMS)" not in "".join(
        line for line in diff.splitlines(keepends=True) if line.startswith(("-", "+")))
