"""No run is `running` forever (issue #12, point 3): SIGTERM is handled like Ctrl-C, a later session
or `irl sync` marks what a killed pytest left running as interrupted, and a session shared by CI
shards takes the aggregate of their statuses. Real pytest processes, real signals, real Postgres."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from pytest_irl.plugin import session_id_from
from pytest_irl.store import Database, shards
from test_plugin import rows, run_irl_cli
from test_shards_remote import start_pytest, wait_all

# test_blocks says it is running (a file), then waits for a go-ahead (another file) or a signal.
SUITE = """
import os, time
from pathlib import Path

def test_quick(page):
    page.set_content("<p>hi</p>")

def test_blocks(page):
    page.set_content("<button>Go</button>")
    page.get_by_role("button").click()
    flag = Path(os.environ["FLAG"])
    flag.touch()
    end = time.monotonic() + 120
    while time.monotonic() < end and not flag.with_suffix(".go").exists():
        time.sleep(0.05)
"""

FAILING = """
def test_fails(page):
    page.set_content("<p>hi</p>")
    assert False, "this shard fails"
"""


def wait_for(check, limit: float = 120.0) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + limit
    while not check():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.1)


def run_status(url: str, session: uuid.UUID, name: str) -> str | None:
    found = rows(url, "SELECT status FROM test_runs WHERE session_id = %s AND nodeid LIKE %s",
                 session, f"%{name}%")
    return found[0]["status"] if found else None


def session_row(url: str, session: uuid.UUID) -> dict:
    return rows(url, "SELECT status, exit_status, finished_at FROM test_sessions WHERE id = %s", session)[0]


def start_blocking(pytester: pytest.Pytester, name: str, *args: str, irl: bool = True):  # type: ignore[no-untyped-def]
    flag = pytester.path / f"{name}.flag"
    session = f"session-{name}-{uuid.uuid4()}"
    options = ("--irl", "--irl-session-id", session, *args) if irl else args
    proc, out = start_pytest(pytester.path, name, "test_suite.py", *options, env={"FLAG": str(flag)})
    wait_for(lambda: flag.exists() or proc.poll() is not None)
    assert proc.poll() is None, out.read_text()
    return proc, out, session_id_from(session)


def test_sigterm_is_handled_like_ctrl_c(pytester: pytest.Pytester, db_url: str) -> None:
    pytester.makepyfile(test_suite=SUITE)
    proc, out, session = start_blocking(pytester, "term", "--irl-db", db_url)
    wait_for(lambda: run_status(db_url, session, "test_blocks") == "running")
    proc.send_signal(signal.SIGTERM)
    [(code, output)] = wait_all([(proc, out)])

    assert code == pytest.ExitCode.INTERRUPTED, output  # what Ctrl-C gives
    assert "KeyboardInterrupt" in output and "Traceback" not in output.split("KeyboardInterrupt")[0]
    assert run_status(db_url, session, "test_quick") == "passed"
    assert run_status(db_url, session, "test_blocks") == "interrupted"
    recorded = session_row(db_url, session)
    assert (recorded["status"], recorded["exit_status"]) == ("interrupted", 2)
    assert recorded["finished_at"] is not None


def test_without_irl_sigterm_still_terminates(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=SUITE)
    proc, out, _ = start_blocking(pytester, "plain", irl=False)
    proc.send_signal(signal.SIGTERM)
    [(code, _)] = wait_all([(proc, out)])
    assert code == -signal.SIGTERM
    assert not (pytester.path / ".irl").exists()


def test_killed_sessions_are_marked_by_sync_and_by_the_next_session(
    pytester: pytest.Pytester, db_url: str
) -> None:
    pytester.makepyfile(test_suite=SUITE)
    # A session that stays alive meanwhile: no sweep may touch it. (Started first: a session
    # that starts sweeps the ones that are gone by then, which is the last part of this test.)
    alive, alive_out, alive_session = start_blocking(pytester, "alive", "--irl-db", db_url)
    wait_for(lambda: run_status(db_url, alive_session, "test_blocks") == "running")
    killed, killed_out, killed_session = start_blocking(pytester, "killed", "--irl-db", db_url)
    wait_for(lambda: run_status(db_url, killed_session, "test_blocks") == "running")
    killed.kill()
    wait_all([(killed, killed_out)])
    assert session_row(db_url, killed_session)["status"] == "running"  # what SIGKILL leaves

    synced = run_irl_cli("sync", "--db", db_url, cwd=pytester.path)
    assert synced.returncode == 0, synced.stderr
    assert "marked 1 run(s) of 1 pytest process(es) that are gone as interrupted" in synced.stdout
    assert run_status(db_url, killed_session, "test_blocks") == "interrupted"
    assert run_status(db_url, killed_session, "test_quick") == "passed"
    assert session_row(db_url, killed_session)["status"] == "interrupted"
    assert run_status(db_url, alive_session, "test_blocks") == "running"
    assert session_row(db_url, alive_session)["status"] == "running"

    # Killed too, it is cleaned up by the next session that records into the database.
    alive.kill()
    wait_all([(alive, alive_out)])
    nxt, nxt_out = start_pytest(pytester.path, "next", "test_suite.py", "-k", "quick", "--irl",
                                "--irl-db", db_url, "--irl-session-id", "next", env={"FLAG": "unused"})
    [(code, output)] = wait_all([(nxt, nxt_out)])
    assert code == 0, output
    assert run_status(db_url, alive_session, "test_blocks") == "interrupted"
    assert session_row(db_url, alive_session)["status"] == "interrupted"
    assert session_row(db_url, session_id_from("next"))["status"] == "finished"


def test_a_shared_session_is_the_aggregate_of_its_shards(pytester: pytest.Pytester, db_url: str) -> None:
    pytester.makepyfile(test_suite=SUITE, test_failing=FAILING)
    common = ("--irl", "--irl-db", db_url, "--irl-session-id", "build-7")
    session = session_id_from("build-7")
    flag = pytester.path / "slow.flag"
    slow, slow_out = start_pytest(pytester.path, "slow", "test_suite.py", *common, env={"FLAG": str(flag)})
    wait_for(lambda: flag.exists() or slow.poll() is not None)
    failing, failing_out = start_pytest(pytester.path, "failing", "test_failing.py", *common, env={})
    [(code, output)] = wait_all([(failing, failing_out)])
    assert code == 1, output

    # One shard failed, the other still runs: the session is not over, and it has failed.
    now = session_row(db_url, session)
    assert (now["status"], now["exit_status"], now["finished_at"]) == ("running", 1, None)

    flag.with_suffix(".go").touch()
    [(code, output)] = wait_all([(slow, slow_out)])
    assert code == 0, output
    # The shard that finished last passed; it does not hide the one that failed.
    end = session_row(db_url, session)
    assert (end["status"], end["exit_status"]) == ("finished", 1) and end["finished_at"] is not None
    assert len(rows(db_url, "SELECT 1 FROM test_session_shards WHERE session_id = %s", session)) == 2


def test_process_identity_tells_a_gone_or_reused_pid(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        identity = shards.process_identity(child.pid)
        if identity is None:
            pytest.skip("no /proc here: only heartbeats tell")
        host = socket.gethostname()
        assert not shards.process_gone(host, child.pid, identity)
        # The same pid, started at another time: a reused pid, not the recorded process.
        boot, namespace, start = identity.split("/", 2)
        assert shards.process_gone(host, child.pid, f"{boot}/{namespace}/{int(start) + 1}")
        assert not shards.process_gone("another-host", child.pid, f"{boot}/{namespace}/{int(start) + 1}")
    finally:
        child.kill()
        child.wait()
    assert shards.process_gone(socket.gethostname(), child.pid, identity)


def test_a_shard_elsewhere_is_gone_once_its_heartbeat_is_stale(db_url: str) -> None:
    with Database(db_url) as db:
        stale, fresh = uuid.uuid4(), uuid.uuid4()
        for session in (stale, fresh):
            db.upsert_session({"id": session, "started_at": "2024-01-01T00:00:00Z"})
            shards.register(db, {"controller_id": session, "session_id": session, "host": "ci-runner-9",
                                 "pid": 4242, "process": None, "started_at": "2024-01-01T00:00:00Z"})
            db.create_test_run({"session_id": session, "nodeid": "t.py::t", "controller_id": session})
        db.conn.execute("UPDATE test_session_shards SET heartbeat_at = now() - interval '1 hour'"
                        " WHERE controller_id = %s", (stale,))
        assert shards.sweep(db) == (1, 1)
        shards.heartbeat(db, fresh)
        assert shards.sweep(db) == (0, 0)
    assert session_row(db_url, stale)["status"] == "interrupted"
    assert run_status(db_url, stale, "t.py") == "interrupted"
    assert session_row(db_url, fresh)["status"] == "running"
    assert run_status(db_url, fresh, "t.py") == "running"
