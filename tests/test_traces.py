"""Playwright traces (#14 point 3): the trace pytest-playwright's --tracing kept is named in the
run's row, `irl show` finds it, and the report and the dashboard link it. A real Chromium and a
real Postgres, through pytester."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from pytest_irl.show_cli import show_trace_command
from test_serve import _dashboard, status_of

XSS = "<script>alert(1)</script>"

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
        rows = cur.execute("SELECT id, session_id, nodeid, status, trace_path FROM test_runs").fetchall()
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


def test_a_rerun_that_passes_does_not_take_the_failed_attempts_trace(
    pytester: pytest.Pytester, service_db_url: str,
) -> None:
    # Fails, then passes on its rerun at once: the first attempt's trace is written less than
    # a second before the second attempt starts, in the same folder.
    pytester.makepyfile(test_traced="""
import pathlib

import pytest


@pytest.mark.irl(reruns=1)
def test_flaky(page):
    page.set_content("<p>sometimes</p>")
    mark = pathlib.Path("flaky.mark")
    first = not mark.exists()
    mark.touch()
    assert not first, "fails the first time"
""")
    pytester.runpytest_subprocess("--irl", "--irl-db", service_db_url, "-p", "no:cacheprovider",
                                  "--tracing", "retain-on-failure").assert_outcomes(passed=1)
    with psycopg.connect(service_db_url) as conn:
        query = "SELECT attempt, status, trace_path FROM test_runs ORDER BY attempt"
        attempts = conn.execute(query).fetchall()
    assert [(a, s) for a, s, _ in attempts] == [(1, "failed"), (2, "passed")]
    assert attempts[0][2] is not None and Path(attempts[0][2]).is_file()
    assert attempts[1][2] is None  # retain-on-failure kept nothing of the passing attempt


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


def test_the_report_and_the_dashboard_link_a_runs_trace_and_escape_its_path(
    pytester: pytest.Pytester, service_db_url: str, page: Any,
) -> None:
    pytester.makepyfile(test_traced=SUITE)
    pytester.runpytest_subprocess("--irl", "--irl-db", service_db_url, "-p", "no:cacheprovider",
                                  "--tracing", "retain-on-failure").assert_outcomes(passed=1, failed=1)
    run = _runs(service_db_url)["test_fails"]
    run_id, trace = str(run["id"]), Path(run["trace_path"])
    # Elsewhere, under a name that is markup: the path must show as text, link and download as is.
    hostile = pytester.path / XSS / "trace.zip"
    hostile.parent.mkdir(parents=True)
    shutil.copyfile(trace, hostile)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    for path in (trace, hostile):
        with psycopg.connect(service_db_url, autocommit=True) as conn:
            conn.execute("UPDATE test_runs SET trace_path = %s WHERE id = %s", (str(path), run_id))
        # The report, opened from disk: a file: link to the trace and the command that opens it.
        out = pytester.path / "report.html"
        made = _irl("--db", service_db_url, "report", "-o", str(out), cwd=pytester.path)
        assert made.returncode == 0, made.stderr
        page.goto(out.as_uri())
        page.locator("details.test", has_text="test_fails").locator("summary").click()
        link = page.get_by_role("link", name=str(path), exact=True)
        assert link.get_attribute("href") == path.as_uri()
        command = page.locator(".trace code").first.text_content()
        quoted = f"'{path}'" if path == hostile else str(path)  # a shell's quoting, where it needs one
        assert command == f"playwright show-trace {quoted}"
        assert page.locator("script").count() == 2  # the page's data and its script, nothing of the path

    gen = _dashboard(service_db_url, pytester)
    url = next(gen)
    try:
        base, token = url.split("/?")[0], url.split("token=")[1]
        page.goto(url)
        page.locator("tbody tr").first.get_by_role("link").click()
        # The session's table: the trace's name, linked to this server's download of it.
        row = page.locator("tr", has_text="test_fails")
        with page.expect_download() as download:
            row.get_by_role("link", name="trace.zip").click()
        assert Path(download.value.path()).read_bytes() == hostile.read_bytes()
        # The run's page: the whole path as text and the commands that open it.
        row.get_by_role("link", name="test_traced.py::test_fails").click()
        assert page.get_by_text(str(hostile), exact=True).count() == 1
        assert page.get_by_text(f"irl show {run_id[:8]} --trace").count() == 1
        assert page.locator("script").count() == 1
        # The report view links the same download (the token added by its script).
        page.goto(f"{base}/session/{run['session_id']}/report?token={token}")
        page.locator("details.test", has_text="test_fails").locator("summary").click()
        link = page.get_by_role("link", name=str(hostile), exact=True)
        assert link.get_attribute("href") == f"/run/{run_id}/trace?token={token}"
        with page.expect_download() as download:
            link.click()
        assert zipfile.is_zipfile(download.value.path())
        assert dialogs == []

        # Only a trace is sent: not without the token, not another file the row might name.
        assert status_of(f"{base}/run/{run_id}/trace") == 403
        secret = pytester.path / "other" / "trace.zip"
        secret.parent.mkdir()
        secret.write_text("not a trace")
        archive = shutil.copyfile(hostile, pytester.path / "other" / "archive.zip")  # a zip, not named as one
        for other in (secret, archive, pytester.path / "test_traced.py"):
            with psycopg.connect(service_db_url, autocommit=True) as conn:
                conn.execute("UPDATE test_runs SET trace_path = %s WHERE id = %s", (str(other), run_id))
            assert status_of(f"{base}/run/{run_id}/trace?token={token}") == 403
        hostile.unlink()
        with psycopg.connect(service_db_url, autocommit=True) as conn:
            conn.execute("UPDATE test_runs SET trace_path = %s WHERE id = %s", (str(hostile), run_id))
        assert status_of(f"{base}/run/{run_id}/trace?token={token}") == 404
    finally:
        gen.close()
