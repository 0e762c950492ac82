"""Real concurrency and a real remote browser: CI shards that share a session, sessions that run at
the same time, and a browser served by ``playwright run-server`` on loopback."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_irl.plugin import session_id_from
from pytest_irl.store.migrate import load as load_migrations
from test_plugin import HEAL_SUITE, rows, run_irl_cli

# Whichever server is at hand, for the tests that need one database and not both kinds.
ONE_BACKEND = pytest.mark.parametrize(
    "db_url", ["service" if os.environ.get("IRL_TEST_DATABASE_URL") else "embedded"], indirect=True,
)

# Holds every process at the start of its session until all of them are there, so that they
# connect to the database (and migrate it) at the same moment rather than a second apart.
GATE_CONFTEST = """
import os
import time
from pathlib import Path

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    gate = Path(os.environ["GATE_DIR"])
    (gate / str(os.getpid())).touch()
    deadline = time.monotonic() + 60
    while len(list(gate.iterdir())) < int(os.environ["GATE_COUNT"]) and time.monotonic() < deadline:
        time.sleep(0.005)


def pytest_collection_modifyitems(items):
    if os.environ.get("REVERSE_ORDER"):
        items.reverse()
"""

SHARD_SUITE = """
import pytest


@pytest.mark.parametrize("n", range({count}))
def test_{name}(page, n):
    page.set_content(f"<label>Query <input id=q></label><button class=go>Go {{n}}</button>")
    page.locator("#q").fill("shard {name}")
    page.get_by_role("button", name=f"Go {{n}}").click()
"""

# The same locators on the same pages in every test, so that sessions running this suite at the same
# time upsert the same learned fingerprints (and, in opposite orders, cross each other's rows).
SHARED_SUITE = """
import pytest


@pytest.mark.parametrize("n", range({count}))
def test_form(page, n):
    page.set_content(
        "<form><input id=user name=user><input id=pass type=password>"
        "<select id=lang><option>en</option><option>de</option></select>"
        "<button id=send type=button>Send</button></form>"
    )
    page.locator("#user").fill(f"user {{n}}")
    page.locator("#pass").fill("secret")
    page.locator("#lang").select_option("de")
    page.locator("#send").click()
"""


def start_pytest(cwd: Path, name: str, *args: str, env: dict[str, str]) -> tuple[subprocess.Popen[str], Path]:
    """A pytest process in ``cwd``, its output in a file (two pipes read one after the other could stall)."""
    out = cwd / f"{name}.out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--basetemp", str(cwd / f"tmp-{name}"),
         "--output", str(cwd / f"results-{name}"), *args],
        cwd=cwd, env={**os.environ, **env}, stdout=out.open("w"), stderr=subprocess.STDOUT, text=True,
    )
    return proc, out


def wait_all(procs: list[tuple[subprocess.Popen[str], Path]], timeout: float = 180) -> list[tuple[int, str]]:
    """Each process's exit code and output; any still running after ``timeout`` is killed."""
    deadline = time.monotonic() + timeout
    results = []
    try:
        for proc, out in procs:
            code = proc.wait(max(deadline - time.monotonic(), 0.1))
            results.append((code, out.read_text()))
    finally:
        for proc, _ in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return results


def passed_count(output: str) -> int:
    found = re.search(r"(\d+) passed", output)
    return int(found.group(1)) if found else 0


def gate_env(pytester: pytest.Pytester, count: int) -> dict[str, str]:
    gate = pytester.path / "gate"
    gate.mkdir()
    return {"GATE_DIR": str(gate), "GATE_COUNT": str(count)}


def no_spooled_writes(cwd: Path, outputs: list[str]) -> None:
    assert not list((cwd / ".irl" / "spool").glob("*")), "runs were spooled instead of written"
    for output in outputs:
        assert "irl: cannot use" not in output and "kept in" not in output, output
        assert "recording error" not in output and "Traceback" not in output, output


def test_two_shards_share_one_session(pytester: pytest.Pytester, db_url: str) -> None:
    pytester.makeconftest(GATE_CONFTEST)
    pytester.makepyfile(test_shard_a=SHARD_SUITE.format(name="a", count=3),
                        test_shard_b=SHARD_SUITE.format(name="b", count=4))
    env = gate_env(pytester, 2)
    common = ("--irl", "--irl-db", db_url, "--irl-session-id", "ci-build-42")
    shards = [start_pytest(pytester.path, f"shard-{name}", f"test_shard_{name}.py", *common, env=env)
              for name in ("a", "b")]
    (code_a, out_a), (code_b, out_b) = wait_all(shards)

    assert (code_a, code_b) == (0, 0), out_a + out_b
    assert (passed_count(out_a), passed_count(out_b)) == (3, 4)
    no_spooled_writes(pytester.path, [out_a, out_b])
    session_id = session_id_from("ci-build-42")
    sessions = rows(db_url, "SELECT id, status, exit_status FROM test_sessions")
    assert sessions == [{"id": session_id, "status": "finished", "exit_status": 0}]
    runs = rows(db_url, "SELECT session_id, nodeid, status, attempt, steps FROM test_runs")
    expected = {f"test_shard_a.py::test_a[chromium-{n}]" for n in range(3)}
    expected |= {f"test_shard_b.py::test_b[chromium-{n}]" for n in range(4)}
    assert sorted(r["nodeid"] for r in runs) == sorted(expected)  # each once: none lost, none twice
    for run in runs:
        assert (run["session_id"], run["status"], run["attempt"]) == (session_id, "passed", 1)
        assert [s["action"] for s in run["steps"]] == ["set_content", "fill", "click"]
    applied = rows(db_url, "SELECT version FROM irl_schema_migrations ORDER BY version")
    assert [r["version"] for r in applied] == [m.version for m in load_migrations()]

    shown = run_irl_cli("--db", db_url, "runs", cwd=pytester.path)
    assert shown.returncode == 0, shown.stderr
    headers = [line for line in shown.stdout.splitlines() if line.startswith("session ")]
    assert len(headers) == 1 and str(session_id) in headers[0], shown.stdout
    assert "7 runs: 7 passed, 0 failed" in headers[0]
    assert all(f"test_{s}[chromium-" in shown.stdout for s in ("a", "b"))
    by_name = run_irl_cli("--db", db_url, "runs", "--session", "ci-build-42", cwd=pytester.path)
    assert str(session_id) in by_name.stdout and "7 runs: 7 passed" in by_name.stdout


@ONE_BACKEND
def test_two_sessions_at_once_lose_nothing(pytester: pytest.Pytester, db_url: str) -> None:
    count = 4
    pytester.makeconftest(GATE_CONFTEST)
    pytester.makepyfile(test_shared=SHARED_SUITE.format(count=count))
    env = gate_env(pytester, 2)
    names = {"nightly-1": {}, "nightly-2": {"REVERSE_ORDER": "1"}}
    procs = [
        start_pytest(pytester.path, name, "--irl", "--irl-db", db_url, "--irl-session-id", name,
                     env={**env, **extra})
        for name, extra in names.items()
    ]
    results = wait_all(procs)

    for code, output in results:
        assert code == 0 and passed_count(output) == count, output
    no_spooled_writes(pytester.path, [output for _, output in results])
    ids = {session_id_from(name) for name in names}
    sessions = rows(db_url, "SELECT id, exit_status FROM test_sessions")
    assert {s["id"] for s in sessions} == ids and {s["exit_status"] for s in sessions} == {0}
    per_session = rows(
        db_url,
        "SELECT session_id, count(*) AS runs, count(DISTINCT nodeid) AS tests,"
        " count(*) FILTER (WHERE status = 'passed' AND jsonb_array_length(steps) = 5) AS complete"
        " FROM test_runs GROUP BY session_id",
    )
    assert {r["session_id"]: (r["runs"], r["tests"], r["complete"]) for r in per_session} == {
        session_id: (count, count, count) for session_id in ids
    }
    learned = {r["nodeid"] for r in rows(db_url, "SELECT nodeid FROM element_fingerprints")}
    assert learned == {f"test_shared.py::test_form[chromium-{n}]" for n in range(count)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def playwright_server() -> Iterator[int]:
    """``playwright run-server`` on loopback; yields its port.

    ``--unsafe`` lets a client choose the executable and the browser's arguments: the server has no
    browser of its own here, only the system Chromium.
    """
    port = free_port()
    # A process group of its own: the CLI is a Python launcher with the Node server as its child, and
    # the Node server outlives a SIGTERM to the launcher alone.
    server = subprocess.Popen(
        [sys.executable, "-m", "playwright", "run-server", "--port", str(port), "--host", "127.0.0.1",
         "--unsafe"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, f"playwright run-server exited with {server.returncode}"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "playwright run-server did not listen within 30 s"
                time.sleep(0.05)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(3)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(server.pid, signal.SIGKILL)  # whatever of the group is still there
        except ProcessLookupError:
            pass
        server.wait()


# The browser is launched by the server, from the options pytest-playwright sends along with the
# connection. They reach the server as they are, so they use its spelling (``executablePath``), and a
# local launch with them would fail: this suite passes only over the connection.
REMOTE_CONFTEST = """
import pytest


@pytest.fixture(scope="session")
def connect_options():
    return {{"endpoint": "ws://127.0.0.1:{port}/"}}  # Playwright 1.65's name (it was ws_endpoint)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {{**browser_type_launch_args, "executablePath": "/usr/bin/chromium",
             "args": ["--no-sandbox", "--disable-background-networking"]}}
"""


@ONE_BACKEND
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs the system Chromium")
def test_heals_and_records_over_a_remote_browser(
    pytester: pytest.Pytester, db_url: str, playwright_server: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytester.makeconftest(REMOTE_CONFTEST.format(port=playwright_server))
    pytester.makepyfile(test_app=HEAL_SUITE)
    monkeypatch.setenv("APP_VERSION", "v1")
    learned = pytester.runpytest_subprocess("--irl", "--irl-db", db_url)
    learned.assert_outcomes(passed=1)
    assert "used the system browser" not in learned.stdout.str()  # not launched here
    monkeypatch.setenv("APP_VERSION", "v2")
    healed = pytester.runpytest_subprocess("--irl", "--irl-db", db_url, "--irl-stream")
    healed.assert_outcomes(passed=1)
    healed.stdout.fnmatch_lines(["*irl: healed locators*", "*#login-7f3a -> *"])
    # The screencast runs over the connection too: a failure would be the one "live stream" line.
    assert [line for line in healed.outlines if "live stream" in line and "live streams of" not in line] == []

    runs = rows(db_url, "SELECT status, steps, stream_url FROM test_runs ORDER BY started_at")
    assert [r["status"] for r in runs] == ["passed", "passed"]
    assert runs[0]["stream_url"] is None and runs[1]["stream_url"].startswith("http://127.0.0.1:")
    first, second = (r["steps"][-1] for r in runs)
    assert first["action"] == second["action"] == "click"
    assert "selfHealing" not in first
    heal = second["selfHealing"]
    assert heal["originalSelector"] == "#login-7f3a" and heal["healedSelector"]
    assert second["success"] is True
    assert len(rows(db_url, "SELECT id FROM test_sessions")) == 2
