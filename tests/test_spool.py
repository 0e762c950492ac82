"""The spool under faults (issue #12, point 2): nothing lost, nothing stored in the wrong database.

Real Postgres (the service one: a database created and dropped per test, or one created only
later, as a database that comes back), real processes for the plugin and ``irl sync``, real
signals for a replay killed mid-way, real read-only and full file systems where the test may
mount them.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from conftest import SERVICE_ENV, drop_database
from pytest_irl.models import Step, TestRun
from pytest_irl.store import Database, StoreLocation, Writer, replay_spool, spool
from pytest_irl.store.url import same_target, target_identity
from test_plugin import MIXED_SUITE, rows, run_irl_cli

DEAD_URL = "postgresql://nobody@127.0.0.1:1/none"

PASSING_SUITE = """
def test_one(page):
    page.set_content("<input id=q><button>Go</button>")
    page.locator("#q").fill("hello")
    page.get_by_role("button", name="Go").click()

def test_two(page):
    page.set_content("<button>Go</button>")
    page.get_by_role("button", name="Go").click()
"""


@pytest.fixture(autouse=True)
def _no_ambient_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IRL_DATABASE_URL", raising=False)


class LaterDatabase:
    """A database on the service server that does not exist yet: unreachable until ``create()``."""

    def __init__(self, server: str, password: str | None = None) -> None:
        self.server = server
        self.name = f"irl_test_{uuid.uuid4().hex[:12]}"
        params = conninfo_to_dict(server)
        params["dbname"] = self.name
        if password:
            params["password"] = password  # trust auth ignores it; it must still never be spooled
        self.url = make_conninfo(**params)

    def create(self) -> None:
        with psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')


@pytest.fixture
def later_db() -> Iterator[LaterDatabase]:
    server = os.environ.get(SERVICE_ENV)
    if not server:
        pytest.skip(f"{SERVICE_ENV} is not set")
    later = LaterDatabase(server, password="hunter2-secret")
    yield later
    drop_database(server, later.name)


def spooled_lines(spool_dir: Path) -> list[dict]:
    return [json.loads(line) for path in sorted(spool_dir.glob("*.jsonl")) for line in
            path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_spool(spool_dir: Path, name: str, lines: list[bytes | dict]) -> Path:
    spool_dir.mkdir(parents=True, exist_ok=True)
    path = spool_dir / name
    path.write_bytes(b"".join((line if isinstance(line, bytes) else json.dumps(line).encode()) + b"\n"
                              for line in lines))
    return path


def session_and_runs(target: str, count: int, status: str = "passed") -> tuple[list[dict], list[TestRun]]:
    """Spool lines of one session and ``count`` runs for ``target``."""
    session_id = uuid.uuid4()
    runs = [TestRun(session_id=session_id, nodeid=f"t.py::test_{i}", status=status,
                    steps=[Step(step_number=1, action="click", selector="#go")]) for i in range(count)]
    lines = [{"op": "session", "target": target,
              "data": {"id": str(session_id), "started_at": "2026-11-30T10:00:00Z"}}]
    lines += [{"op": "run", "target": target, "data": run.model_dump(mode="json")} for run in runs]
    return lines, runs


def stored_statuses(url: str, runs: list[TestRun]) -> list[str | None]:
    with Database(url) as db:
        return [(got.status if (got := db.get_test_run(run.id)) else None) for run in runs]


# targets ---------------------------------------------------------------------------------------
def test_spooled_writes_are_replayed_only_into_their_database(
    later_db: LaterDatabase, service_db_url: str, tmp_path: Path,
) -> None:
    state = tmp_path / ".irl"
    for_later = StoreLocation(later_db.url, state)
    writer = Writer(for_later, stem="unreachable")
    lines, runs = session_and_runs(for_later.target, 2)
    for line in lines:
        writer.submit(line["op"], line["data"])
    writer.close()
    assert writer.failure and later_db.name in writer.failure and writer.spooled == 3
    spooled = spooled_lines(state / "spool")
    assert {line["target"] for line in spooled} == {
        f"postgresql://postgres@127.0.0.1:5432/{later_db.name}"}
    assert "hunter2" not in (state / "spool" / "unreachable.jsonl").read_text()

    # The next session records elsewhere: it must not take the other database's runs.
    elsewhere = Writer(StoreLocation(service_db_url, state), stem="elsewhere")
    elsewhere.close()
    assert elsewhere.failure is None and elsewhere.replayed == (0, 0)
    assert elsewhere.replay_report is not None and elsewhere.replay_report.left == {for_later.target: 3}
    assert any(for_later.target in notice and "left 3" in notice for notice in elsewhere.notices)
    assert stored_statuses(service_db_url, runs) == [None, None]
    assert spooled_lines(state / "spool") == spooled

    # Once that database answers, its own writes go there.
    later_db.create()
    back = Writer(for_later, stem="back")
    back.close()
    assert back.failure is None and back.replayed == (1, 3)
    assert stored_statuses(later_db.url, runs) == ["passed", "passed"]
    assert list((state / "spool").iterdir()) == []


def test_target_identity_has_no_password_and_names_the_database(tmp_path: Path) -> None:
    state = tmp_path / ".irl"
    given = "postgresql://ci:s3cret@db.example:6543/results?options=-csearch_path%3Dirl"
    assert target_identity(StoreLocation(given, state)) == "postgresql://ci@db.example:6543/results?search_path=irl"
    assert target_identity(StoreLocation("host=db.example user=ci password=s3cret dbname=results", state)) \
        == "postgresql://ci@db.example:5432/results"
    assert target_identity(StoreLocation(None, state)) == f"embedded:{state.resolve()}"
    # A project folder that moved still finds its embedded store's writes (the spool lives in it);
    # a server's writes never go to the embedded store, nor to another server's database.
    assert same_target("embedded:/old/place/.irl", f"embedded:{state.resolve()}")
    assert not same_target("postgresql://ci@db.example:6543/results", f"embedded:{state.resolve()}")
    assert not same_target("postgresql://ci@db.example:6543/results", "postgresql://ci@db.example:6543/other")


def test_plugin_never_replays_another_databases_runs_into_the_embedded_store(
    pytester: pytest.Pytester, later_db: LaterDatabase,
) -> None:
    pytester.makepyfile(test_passing=PASSING_SUITE)
    unreachable = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--irl", "--irl-db", later_db.url)
    unreachable.assert_outcomes(passed=2)
    assert any("write(s) kept" in line for line in unreachable.outlines)
    kept = spooled_lines(pytester.path / ".irl" / "spool")
    assert kept and "hunter2" not in json.dumps([line["target"] for line in kept])

    state = pytester.path / ".irl"
    from pytest_irl.store import embedded

    try:
        local = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--irl")
        local.assert_outcomes(passed=2)
        target = f"postgresql://postgres@127.0.0.1:5432/{later_db.name}"
        assert any(f"left {len(kept)} spooled write(s) for another database, {target}" in line
                   for line in local.outlines), local.stdout.str()
        embedded_url = embedded.start(state)
        assert len(rows(embedded_url, "SELECT id FROM test_sessions")) == 1  # its own session only
        assert len(rows(embedded_url, "SELECT id FROM test_runs")) == 2

        synced_elsewhere = run_irl_cli("sync", cwd=pytester.path)  # into the embedded store: not theirs
        assert synced_elsewhere.returncode == 0, synced_elsewhere.stderr
        assert "synced 0 write(s)" in synced_elsewhere.stdout and target in synced_elsewhere.stderr
        assert len(rows(embedded_url, "SELECT id FROM test_runs")) == 2

        later_db.create()
        synced = run_irl_cli("--db", later_db.url, "sync", cwd=pytester.path)
        assert synced.returncode == 0, synced.stderr
        assert f"synced {len(kept)} write(s)" in synced.stdout
        assert [r["status"] for r in rows(later_db.url, "SELECT status FROM test_runs")] == ["passed"] * 2
        assert not list((state / "spool").glob("*.jsonl*"))
    finally:
        embedded.stop(state)


def test_writes_spooled_without_a_target_wait_for_an_explicit_sync(
    service_db_url: str, tmp_path: Path,
) -> None:
    state = tmp_path / ".irl"
    lines, runs = session_and_runs("ignored", 2)
    for line in lines:
        del line["target"]  # as an older pytest-irl wrote them
    write_spool(state / "spool", "old.jsonl", lines)
    writer = Writer(StoreLocation(service_db_url, state), stem="now")
    writer.close()
    assert writer.replayed == (0, 0) and writer.replay_report.untargeted == 3
    assert stored_statuses(service_db_url, runs) == [None, None]

    plain = run_irl_cli("--db", service_db_url, "sync", cwd=tmp_path)
    assert plain.returncode == 0 and "--untargeted" in plain.stderr
    explicit = run_irl_cli("--db", service_db_url, "sync", "--untargeted", cwd=tmp_path)
    assert explicit.returncode == 0, explicit.stderr
    assert "synced 3 write(s) from 1 spool file(s)" in explicit.stdout
    assert stored_statuses(service_db_url, runs) == ["passed", "passed"]


# claims ----------------------------------------------------------------------------------------
def test_a_replay_killed_mid_way_is_taken_over(service_db_url: str, tmp_path: Path) -> None:
    state = tmp_path / ".irl"
    location = StoreLocation(service_db_url, state)
    lines, runs = session_and_runs(location.target, 3)
    session_id = lines[0]["data"]["id"]
    with Database(service_db_url) as db:
        db.upsert_session(lines[0]["data"])
    lines.append({"op": "session_finish", "target": location.target,
                  "data": {"id": session_id, "finished_at": "2026-11-30T10:05:00Z", "exit_status": 0}})
    write_spool(state / "spool", "run.jsonl", lines)

    with psycopg.connect(service_db_url) as blocker:
        # Holds the session row: the replay stores the runs, then waits on its last write.
        blocker.execute("SELECT 1 FROM test_sessions WHERE id = %s FOR UPDATE", (session_id,))
        sync = subprocess.Popen([sys.executable, "-m", "pytest_irl.cli", "--db", service_db_url, "sync"],
                                cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                waiting = psycopg.connect(service_db_url, autocommit=True).execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'").fetchone()[0]
                if waiting:
                    break
                time.sleep(0.1)
            assert waiting, "the replay never reached the locked row"
            claimed = list((state / "spool").glob("run.jsonl.claimed-*"))
            assert [p.name for p in claimed] == [f"run.jsonl.claimed-{sync.pid}"]
            sync.send_signal(signal.SIGKILL)
            sync.wait(timeout=30)
        finally:
            if sync.poll() is None:
                sync.kill()
        blocker.rollback()

    assert stored_statuses(service_db_url, runs) == [None, None, None]  # its transaction died with it
    again = run_irl_cli("--db", service_db_url, "sync", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "synced 5 write(s) from 1 spool file(s)" in again.stdout
    assert stored_statuses(service_db_url, runs) == ["passed"] * 3
    assert rows(service_db_url, "SELECT exit_status, status FROM test_sessions") == [
        {"exit_status": 0, "status": "finished"}]
    assert list((state / "spool").iterdir()) == []


def test_parallel_replays_store_each_write_once(service_db_url: str, tmp_path: Path) -> None:
    state = tmp_path / ".irl"
    location = StoreLocation(service_db_url, state)
    all_runs = []
    for i in range(12):
        lines, runs = session_and_runs(location.target, 3)
        write_spool(state / "spool", f"s{i}.jsonl", lines)
        all_runs += runs
    procs = [subprocess.Popen([sys.executable, "-m", "pytest_irl.cli", "--db", service_db_url, "sync"],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0], outputs
    synced = sum(int(out.split("synced ")[1].split(" ")[0]) for out, _ in outputs)
    assert synced == 12 * 4
    assert stored_statuses(service_db_url, all_runs) == ["passed"] * len(all_runs)
    assert list((state / "spool").iterdir()) == []


def test_an_append_racing_a_claim_lands_in_a_new_file(tmp_path: Path) -> None:
    import fcntl

    spool_dir = tmp_path / "spool"
    first = spool.append(spool_dir, "live", [("run", {"n": 1})], target="t")
    fd = os.open(first, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as a replayer reading the file holds it
    appended = threading.Event()

    def append_late() -> None:
        spool.append(spool_dir, "live", [("run", {"n": 2})], target="t")
        appended.set()

    thread = threading.Thread(target=append_late)
    thread.start()
    time.sleep(0.3)
    assert not appended.is_set()  # waits for the lock
    claimed = spool.claim(first)
    assert claimed is not None
    os.close(fd)
    thread.join(10)
    assert appended.is_set()
    assert [line.entry.data for line in spool.read(claimed)] == [{"n": 1}]
    assert [json.loads(line)["data"] for line in first.read_text().splitlines()] == [{"n": 2}]


# bad lines and schema errors -------------------------------------------------------------------
def test_a_bad_line_is_skipped_and_reported_not_the_whole_file(service_db_url: str, tmp_path: Path) -> None:
    state = tmp_path / ".irl"
    location = StoreLocation(service_db_url, state)
    lines, runs = session_and_runs(location.target, 3)
    bad = [b"\xff\xfe not utf-8", b"{not json", b"[1, 2, 3]", b'"a string"', b'{"op": "run"}']
    mixed = [lines[0], bad[0], lines[1], bad[1], bad[2], lines[2], bad[3], bad[4], lines[3]]
    path = write_spool(state / "spool", "mixed.jsonl", mixed)
    with path.open("ab") as fh:
        fh.write(b'{"op": "run", "target": "cut short by a cra')  # no newline: a kill mid-write

    result = run_irl_cli("--db", service_db_url, "sync", cwd=tmp_path)
    assert result.returncode == 1
    assert "synced 4 write(s) from 1 spool file(s)" in result.stdout
    assert stored_statuses(service_db_url, runs) == ["passed"] * 3
    assert "mixed.jsonl.bad: 6 line(s), first line 2: invalid UTF-8" in result.stderr
    assert sorted(p.name for p in (state / "spool").iterdir()) == ["mixed.jsonl.bad"]
    assert (state / "spool" / "mixed.jsonl.bad").read_bytes().splitlines()[:2] == bad[:2]


def test_a_write_the_database_refuses_is_set_aside_alone(service_db_url: str, tmp_path: Path) -> None:
    state = tmp_path / ".irl"
    location = StoreLocation(service_db_url, state)
    lines, runs = session_and_runs(location.target, 2)
    bad_session = {"op": "session", "target": location.target,
                   "data": {"id": str(uuid.uuid4()), "started_at": None}}  # NOT NULL: bad data
    write_spool(state / "spool", "old.jsonl", [lines[0], bad_session, *lines[1:]])
    writer = Writer(location, stem="now")
    writer.close()
    assert writer.failure is None and writer.replayed == (1, 3)
    assert len(writer.rejected) == 1 and writer.rejected[0].startswith("old.jsonl.rejected: ")
    assert stored_statuses(service_db_url, runs) == ["passed", "passed"]
    assert [json.loads(line) for line in (state / "spool" / "old.jsonl.rejected").read_text().splitlines()] \
        == [bad_session]


def test_a_schema_error_keeps_the_spool_until_the_schema_is_repaired(
    service_db_url: str, tmp_path: Path,
) -> None:
    state = tmp_path / ".irl"
    location = StoreLocation(service_db_url, state)
    with Database(service_db_url) as db:
        db.migrate()
        # A partial migration: 002 is recorded, its column is gone.
        db.conn.execute("ALTER TABLE test_runs DROP COLUMN stream_url")
    lines, runs = session_and_runs(location.target, 2)
    write_spool(state / "spool", "s.jsonl", lines)

    # The replay itself meets the error (no check on connect): kept, not set aside.
    with Database(service_db_url, migrate_on_connect=False) as db:
        report = replay_spool(db, state / "spool", target=location.target)
    assert (report.ops, report.rejected) == (0, [])
    assert len(report.deferred) == 1 and "stream_url" in report.deferred[0]
    assert sorted(p.name for p in (state / "spool").iterdir()) == ["s.jsonl"]

    # A session meets it on connect: one clear line, and its own writes are kept too.
    writer = Writer(location, stem="live")
    writer.submit("run", runs[0].model_dump(mode="json") | {"nodeid": "t.py::live"})
    writer.close()
    assert writer.failure and "lacks column(s) stream_url" in writer.failure and writer.spooled == 1

    refused = run_irl_cli("--db", service_db_url, "sync", cwd=tmp_path)
    assert refused.returncode == 1
    assert len(refused.stderr.strip().splitlines()) == 1 and "stream_url" in refused.stderr
    assert sorted(p.name for p in (state / "spool").iterdir()) == ["live.jsonl", "s.jsonl"]

    with psycopg.connect(service_db_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE test_runs ADD COLUMN stream_url TEXT")
    repaired = run_irl_cli("--db", service_db_url, "sync", cwd=tmp_path)
    assert repaired.returncode == 0, repaired.stderr
    assert "synced 4 write(s) from 2 spool file(s)" in repaired.stdout
    assert stored_statuses(service_db_url, runs) == ["passed", "passed"]
    assert list((state / "spool").iterdir()) == []


# an unwritable spool -----------------------------------------------------------------------------
def warning_lines(result: pytest.RunResult) -> list[str]:
    return [line for line in result.outlines if line.startswith("irl: ") and "system browser" not in line]


@pytest.mark.parametrize("strict", [False, True], ids=["default", "thread-warnings-are-errors"])
def test_a_file_where_the_spool_folder_should_be(pytester: pytest.Pytester, strict: bool) -> None:
    pytester.makepyfile(test_mixed=MIXED_SUITE)
    (pytester.path / ".irl").mkdir()
    (pytester.path / ".irl" / "spool").write_text("not a folder")
    extra = ["-W", "error::pytest.PytestUnhandledThreadExceptionWarning"] if strict else []
    plain = pytester.runpytest_subprocess("-p", "no:cacheprovider", *extra)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *extra, "--irl", "--irl-db", DEAD_URL)
    assert result.ret == plain.ret == 1
    result.assert_outcomes(passed=2, failed=1, skipped=1, errors=1)
    output = result.stdout.str() + result.stderr.str()
    assert "Traceback" not in output and "Exception in thread" not in output
    warnings = warning_lines(result)
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith("irl: cannot use") and "write(s) LOST" in warnings[0]
    assert "kept" not in warnings[0] and "irl sync" not in warnings[0]


def _mount_tmpfs(target: Path, options: str) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a file system needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")


@pytest.mark.parametrize("fault", ["read-only", "full"])
def test_a_read_only_or_full_spool(pytester: pytest.Pytester, fault: str) -> None:
    pytester.makepyfile(test_mixed=MIXED_SUITE)
    state = pytester.path / ".irl"
    state.mkdir()
    if fault == "read-only":
        _mount_tmpfs(state, "ro,size=1m")
    else:
        # Room for a few writes, not for all: some are kept, the rest lost, and the line says so.
        _mount_tmpfs(state, "size=64k,mode=0700")
        (state / "filler").write_bytes(b"x" * 60 * 1024)
    try:
        plain = pytester.runpytest_subprocess("-p", "no:cacheprovider")
        result = pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", "-W", "error::pytest.PytestUnhandledThreadExceptionWarning",
            "--irl", "--irl-db", DEAD_URL)
        assert result.ret == plain.ret == 1
        result.assert_outcomes(passed=2, failed=1, skipped=1, errors=1)
        assert "Traceback" not in result.stdout.str() + result.stderr.str()
        warnings = warning_lines(result)
        assert len(warnings) == 1, warnings
        assert "write(s) LOST" in warnings[0]
        kept_lines = spooled_lines(state / "spool") if (state / "spool").is_dir() else []
        if fault == "read-only":
            assert "Read-only file system" in warnings[0] and "kept" not in warnings[0]
        else:
            assert "No space left on device" in warnings[0]
            assert kept_lines and f"; {len(kept_lines)} write(s) kept in" in warnings[0]
    finally:
        subprocess.run(["umount", str(state)], check=True)


def test_spool_files_are_private(tmp_path: Path) -> None:
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir(mode=0o755)
    old = spool_dir / "old.jsonl"
    old.write_text('{"op": "run", "target": "t", "data": {}}\n')
    old.chmod(0o644)
    path = spool.append(spool_dir, "new", [("run", {"n": 1})], target="t")
    assert stat.S_IMODE(spool_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    spool.append(spool_dir, "old", [("run", {"n": 2})], target="t")
    assert stat.S_IMODE(old.stat().st_mode) == 0o600


# a database that stops answering at the end -----------------------------------------------------
def test_close_spools_the_batch_in_flight_within_the_timeout(service_db_url: str, tmp_path: Path) -> None:
    location = StoreLocation(service_db_url, tmp_path / ".irl")
    writer = Writer(location, stem="hang")
    session_id = uuid.uuid4()
    writer.submit("session", {"id": session_id, "started_at": "2026-11-30T10:00:00Z"})
    running = TestRun(session_id=session_id, nodeid="t.py::test_ok", steps=[])
    writer.submit("run", running.model_dump(mode="json"))
    deadline = time.monotonic() + 30
    while stored_statuses(service_db_url, [running]) != ["running"] and time.monotonic() < deadline:
        time.sleep(0.05)
    finished = running.model_copy(update={"status": "passed", "steps": [
        Step(step_number=1, action="click", selector="#go")]})
    with psycopg.connect(service_db_url) as locker:
        locker.execute("LOCK TABLE test_runs IN ACCESS EXCLUSIVE MODE")  # the database stops answering
        writer.submit("run", finished.model_dump(mode="json"))
        time.sleep(0.5)  # the batch is in flight, waiting on the lock
        started = time.monotonic()
        writer.close(timeout=2)
        waited = time.monotonic() - started
        kept = spooled_lines(location.spool_dir)
    assert 1.5 < waited < 5
    assert writer.failure == "the database did not answer within 2 s" and writer.spooled == 1
    assert [line["data"]["status"] for line in kept] == ["passed"]
    with Database(service_db_url) as db:
        replay_spool(db, location.spool_dir, target=location.target)
        got = db.get_test_run(running.id)
    assert got is not None and got.status == "passed" and len(got.steps) == 1


LOCKER = """
import os, sys, time, psycopg
with psycopg.connect(sys.argv[1]) as conn:
    conn.execute("LOCK TABLE test_runs IN ACCESS EXCLUSIVE MODE")
    open(sys.argv[2] + ".tmp", "w").write(str(os.getpid()))
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
    time.sleep(float(sys.argv[3]))
"""


def test_a_database_that_stops_answering_at_the_end_loses_no_run(
    pytester: pytest.Pytester, service_db_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    locked = pytester.path / "locked"
    pytester.makepyfile(test_last=f"""
        import subprocess, sys, time
        from pathlib import Path

        def test_last(page):
            page.set_content("<button>Go</button>")
            page.get_by_role("button", name="Go").click()
            # From now on the database answers nothing (a lock held elsewhere), for 300 s.
            subprocess.Popen([sys.executable, "-c", {LOCKER!r}, {service_db_url!r}, {str(locked)!r}, "300"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            while not Path({str(locked)!r}).exists():
                time.sleep(0.05)
    """)
    monkeypatch.setenv("IRL_CLOSE_TIMEOUT", "3")
    try:
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--irl", "--irl-db", service_db_url)
        result.assert_outcomes(passed=1)
        warnings = warning_lines(result)
        assert len(warnings) == 1 and "did not answer within 3 s" in warnings[0]
        assert "write(s) kept" in warnings[0]
        with psycopg.connect(service_db_url, autocommit=True) as conn:
            # pytest ended while the database still answered nothing.
            held = conn.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                " WHERE c.relname = 'test_runs' AND l.mode = 'AccessExclusiveLock' AND l.granted").fetchone()
            assert held == (1,)
    finally:
        if locked.exists():
            os.kill(int(locked.read_text()), signal.SIGKILL)  # the database answers again
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(service_db_url, options="-c lock_timeout=200") as conn:
                conn.execute("SELECT count(*) FROM test_runs")
            break
        except psycopg.errors.LockNotAvailable:
            time.sleep(0.2)
    synced = run_irl_cli("--db", service_db_url, "sync", cwd=pytester.path)
    assert synced.returncode == 0, synced.stderr
    stored = rows(service_db_url, "SELECT status, steps FROM test_runs")
    actions = [(r["status"], [s["action"] for s in r["steps"]]) for r in stored]
    assert actions == [("passed", ["set_content", "click"])]
    assert rows(service_db_url, "SELECT status, exit_status FROM test_sessions") == [
        {"status": "finished", "exit_status": 0}]


def test_xdist_workers_that_cannot_record_are_counted_in_the_summary(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_passing=PASSING_SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2", "--irl", "--irl-db", DEAD_URL)
    result.assert_outcomes(passed=2)
    kept = spooled_lines(pytester.path / ".irl" / "spool")
    stems = {path.name.split("-")[-2] for path in (pytester.path / ".irl" / "spool").glob("*.jsonl")}
    assert {"main", "gw0", "gw1"} <= stems  # every process spooled
    warnings = warning_lines(result)
    assert len(warnings) == 1 and f"; {len(kept)} write(s) kept in" in warnings[0], warnings
