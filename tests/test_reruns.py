"""Reruns of failing tests, and flakiness over history: pytest in a subprocess, a real Chromium,
a real Postgres."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row

# Attempts are counted in a file next to the suite; pages are kept in a module list (the module
# lives for the whole session) so that the next attempt can tell it got another, fresh page.
SUITE = """
import json
import os
import pathlib

import pytest

COUNTER = pathlib.Path(__file__).with_name("attempts.json")
PAGES = []


def attempt(name):
    counts = json.loads(COUNTER.read_text()) if COUNTER.exists() else {}
    counts[name] = counts.get(name, 0) + 1
    COUNTER.write_text(json.dumps(counts))
    return counts[name]


@pytest.mark.irl(reruns=2, only_rerun=[r"AssertionError: first attempt"])
def test_flaky(page):
    number = attempt("flaky")
    assert page.evaluate("window.carried") is None  # nothing set on an earlier page
    assert all(old is not page and old.is_closed() for old in PAGES)
    PAGES.append(page)
    page.evaluate("window.carried = 1")
    page.set_content("<button>Go</button>")
    page.get_by_role("button", name="Go").click()
    assert number > 1, "first attempt"


@pytest.mark.irl(reruns=2, only_rerun=["TimeoutError"])
def test_not_matching(page):
    page.set_content("<p>hi</p>")
    assert page.text_content("p") == "bye"


def test_flips(page):
    page.set_content("<p>ok</p>")
    assert os.environ.get("FLIP") != "fail"
"""

ALWAYS_FAILING = """
import json
import pathlib

import pytest

COUNTER = pathlib.Path(__file__).with_name("attempts.json")


def test_always(page):
    page.set_content("<p>x</p>")
    assert False, "always"


@pytest.fixture
def broken_once(page):
    counts = json.loads(COUNTER.read_text()) if COUNTER.exists() else {}
    counts["setup"] = counts.get("setup", 0) + 1
    COUNTER.write_text(json.dumps(counts))
    if counts["setup"] == 1:
        raise RuntimeError("setup broke")


def test_setup_flaky(broken_once):
    pass
"""

FLAKY_ID = "test_suite.py::test_flaky[chromium]"


@pytest.fixture(autouse=True)
def _no_ambient_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IRL_DATABASE_URL", raising=False)
    monkeypatch.delenv("FLIP", raising=False)


def rows(url: str, query: str, *params: object) -> list[dict]:
    with psycopg.connect(url) as conn, conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, params or None).fetchall()


def runs_by_test(url: str) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for run in rows(url, "SELECT * FROM test_runs ORDER BY started_at, attempt"):
        found.setdefault(run["nodeid"].split("::")[1], []).append(run)
    return found


def outcomes(result: pytest.RunResult) -> dict[str, int]:
    """The stats line's counts, without pytest-playwright's own deprecation warnings."""
    return {key: n for key, n in result.parseoutcomes().items() if key not in ("warning", "warnings")}


def run_irl_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest_irl.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_marker_reruns_records_attempts_and_flaky_history(
    pytester: pytest.Pytester, db_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytester.makepyfile(test_suite=SUITE)
    first = pytester.runpytest_subprocess("--irl", "--irl-db", db_url)
    assert first.ret == 1
    assert outcomes(first) == {"passed": 2, "failed": 1, "rerun": 1}
    first.stdout.fnmatch_lines(["test_suite.py R.F. *", f"irl: 1 flaky test(s): {FLAKY_ID}"])

    runs = runs_by_test(db_url)
    flaky = runs["test_flaky[chromium]"]
    assert [(r["attempt"], r["status"], r["flaky"]) for r in flaky] == [
        (1, "failed", False), (2, "passed", True)]
    assert flaky[0]["first_run_id"] is None and flaky[1]["first_run_id"] == flaky[0]["id"]
    assert "first attempt" in flaky[0]["error"]
    assert [s["action"] for s in flaky[1]["steps"]] == ["set_content", "click"]
    # only_rerun did not match an AssertionError: no rerun
    assert [(r["attempt"], r["status"]) for r in runs["test_not_matching[chromium]"]] == [(1, "failed")]

    monkeypatch.setenv("FLIP", "fail")
    second = pytester.runpytest_subprocess("--irl", "--irl-db", db_url)
    assert outcomes(second) == {"passed": 1, "failed": 2}

    view = {r["nodeid"]: r for r in rows(db_url, "SELECT * FROM irl_flaky_tests")}
    assert set(view) == {"test_suite.py::test_flips[chromium]", FLAKY_ID}
    flips = view["test_suite.py::test_flips[chromium]"]
    counts = (flips["sessions"], flips["passed"], flips["failed"], flips["flips"], flips["flaky_runs"])
    assert counts == (2, 1, 1, 1, 0)
    assert flips["last_status"] == "failed" and flips["flip_rate"] == 1.0
    assert (view[FLAKY_ID]["flips"], view[FLAKY_ID]["flaky_runs"], view[FLAKY_ID]["passed"]) == (0, 1, 2)

    listed = run_irl_cli("--db", db_url, "flaky", cwd=pytester.path)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[1].split() == ["FLIPS", "FLAKY", "PASSED", "FAILED", "SESSIONS", "LAST", "TEST"]
    assert lines[2].split() == ["1", "0", "1", "1", "2", "failed", "test_suite.py::test_flips[chromium]"]
    assert lines[3].split() == ["0", "1", "2", "0", "2", "passed", FLAKY_ID]
    latest = run_irl_cli("--db", db_url, "flaky", "--sessions", "1", cwd=pytester.path)
    assert latest.stdout.strip() == "no flaky tests in the last 1 session(s)"


def test_option_reruns_every_test_setup_errors_included(pytester: pytest.Pytester, db_url: str) -> None:
    pytester.makepyfile(test_always=ALWAYS_FAILING)
    result = pytester.runpytest_subprocess("--irl", "--irl-db", db_url, "--irl-reruns", "2")
    assert result.ret == 1
    assert outcomes(result) == {"passed": 1, "failed": 1, "rerun": 3}
    result.stdout.fnmatch_lines(["test_always.py RRFR. *"])

    runs = runs_by_test(db_url)
    always = runs["test_always[chromium]"]
    assert [(r["attempt"], r["status"], r["flaky"]) for r in always] == [
        (1, "failed", False), (2, "failed", False), (3, "failed", False)]
    assert [r["first_run_id"] for r in always] == [None, always[0]["id"], always[0]["id"]]
    setup = runs["test_setup_flaky[chromium]"]
    assert [(r["attempt"], r["status"], r["flaky"]) for r in setup] == [
        (1, "error", False), (2, "passed", True)]
    assert "setup broke" in setup[0]["error"] and setup[1]["first_run_id"] == setup[0]["id"]


def test_reruns_without_irl(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_subprocess("-v")
    assert outcomes(result) == {"passed": 2, "failed": 1, "rerun": 1}
    flaky = re.escape(FLAKY_ID)
    result.stdout.re_match_lines([
        rf"{flaky} RERUN\b", rf"{flaky} PASSED\b", rf"irl: 1 flaky test\(s\): {flaky}$",
    ])
    assert not (pytester.path / ".irl").exists()


RERUNFAILURES_SUITE = """
import json
import pathlib

import pytest

COUNTER = pathlib.Path(__file__).with_name("attempts.json")


def attempt(name):
    counts = json.loads(COUNTER.read_text()) if COUNTER.exists() else {}
    counts[name] = counts.get(name, 0) + 1
    COUNTER.write_text(json.dumps(counts))
    return counts[name]


@pytest.mark.flaky(reruns=2)
def test_theirs(page):
    page.set_content("<button>Go</button>")
    page.get_by_role("button", name="Go").click()
    assert attempt("theirs") > 1, "first attempt"


@pytest.mark.irl(reruns=1)
def test_ours(page):
    page.set_content("<p>x</p>")
    assert attempt("ours") > 1, "first attempt"
"""


def test_pytest_rerunfailures_keeps_its_marker_and_its_attempts_are_recorded(
    pytester: pytest.Pytester, db_url: str,
) -> None:
    pytest.importorskip("pytest_rerunfailures")
    pytester.makepyfile(test_suite=RERUNFAILURES_SUITE)
    result = pytester.runpytest_subprocess("--irl", "--irl-db", db_url, "-p", "rerunfailures")
    assert result.ret == 0, result.stdout.str()
    assert outcomes(result) == {"passed": 2, "rerun": 2}
    runs = runs_by_test(db_url)
    for name in ("test_theirs[chromium]", "test_ours[chromium]"):
        attempts = runs[name]
        assert [(r["attempt"], r["status"], r["flaky"]) for r in attempts] == [
            (1, "failed", False), (2, "passed", True)], name
        assert attempts[1]["first_run_id"] == attempts[0]["id"]
    assert [s["action"] for s in runs["test_theirs[chromium]"][1]["steps"]] == ["set_content", "click"]
