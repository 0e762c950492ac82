"""Playwright traces (#14 point 3): the trace pytest-playwright's --tracing kept is named in the
run's row, and `irl show` finds it. A real Chromium and a real Postgres, through pytester."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row

from pytest_irl.show_cli import show_trace_command

SUITE = """
def test_passes(page):
    page.set_content("<button>ok</button>")
    page.get_by_role("button").click()


def test_fails(page):
    page.set_content("<button>ok</button>")
    page.get_by_role("button").click()
    assert False, "the page is wrong"
"""


def _runs(url: str) -> dict[str, dict]:
    with psycopg.connect(url) as conn, conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute("SELECT id, nodeid, status, trace_path FROM test_runs").fetchall()
    return {row["nodeid"].split("::")[-1].split("[")[0]: row for row in rows}


def _irl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest_irl.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_a_failed_run_with_retain_on_failure_has_its_trace_recorded(
    pytester: pytest.Pytester, service_db_url: str,
) -> None:
    pytester.makepyfile(test_traced=SUITE)
    result = pytester.runpytest_subprocess("--irl", "--irl-db", service_db_url, "-p", "no:cacheprovider",
                                           "--tracing", "retain-on-failure")
    result.assert_outcomes(passed=1, failed=1)
    runs = _runs(service_db_url)
    assert runs["test_passes"]["trace_path"] is None
    trace = Path(runs["test_fails"]["trace_path"])
    assert trace.is_absolute() and trace.name == "trace.zip"
    assert trace.parent.parent == pytester.path / "test-results"  # pytest-playwright's own folder
    assert zipfile.is_zipfile(trace)  # the trace Playwright wrote, not something of ours

    failed_id = str(runs["test_fails"]["id"])
    shown = _irl("--db", service_db_url, "show", failed_id[:8], cwd=pytester.path)
    assert f"trace {trace}" in shown.stdout, shown.stderr
    none = _irl("--db", service_db_url, "show", str(runs["test_passes"]["id"]), "--trace", cwd=pytester.path)
    assert none.returncode == 1 and "has no trace" in none.stderr
    trace.unlink()
    gone = _irl("--db", service_db_url, "show", failed_id, "--trace", cwd=pytester.path)
    assert gone.returncode == 1 and "is gone" in gone.stderr


def test_tracing_on_records_every_run_and_off_records_none(
    pytester: pytest.Pytester, service_db_url: str,
) -> None:
    pytester.makepyfile(test_traced=SUITE.replace("test_fails", "test_also_passes").replace(
        '    assert False, "the page is wrong"\n', ""))
    pytester.runpytest_subprocess("--irl", "--irl-db", service_db_url, "-p", "no:cacheprovider",
                                  "--tracing", "on").assert_outcomes(passed=2)
    traced = _runs(service_db_url)
    assert all(Path(run["trace_path"]).is_file() for run in traced.values())
    assert len({run["trace_path"] for run in traced.values()}) == 2  # each test its own

    with psycopg.connect(service_db_url, autocommit=True) as conn:
        conn.execute("DELETE FROM test_runs")
    pytester.runpytest_subprocess("--irl", "--irl-db", service_db_url,
                                  "-p", "no:cacheprovider").assert_outcomes(passed=2)
    assert all(run["trace_path"] is None for run in _runs(service_db_url).values())


def test_show_trace_uses_playwrights_own_viewer() -> None:
    command = show_trace_command("/tmp/x/trace.zip")
    assert command == [sys.executable, "-m", "playwright", "show-trace", "/tmp/x/trace.zip"]
