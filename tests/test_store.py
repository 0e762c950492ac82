"""The store on real Postgres servers (the service one and the embedded one)."""

from __future__ import annotations

import json
import threading
import uuid
from pathlib import Path

import psycopg
import pytest

from pytest_irl.models import SelfHealing, Step, TestRun
from pytest_irl.store import Database, StoreLocation, Writer, replay_spool
from pytest_irl.store import migrate as migrations
from seed_queries import SEED_STEPS_QUERY, SEED_STREAM_QUERY

HOSTILE = [
    "nul\x00byte", "lone \ud800 surrogate", "<script>alert(1)</script>",
    "'; DROP TABLE test_runs; --", "x" * 1_000_000, "emoji 🧪 and \u202e rtl",
]


def new_session(db: Database) -> uuid.UUID:
    session_id = uuid.uuid4()
    db.upsert_session({"id": session_id, "started_at": "2026-11-24T10:00:00Z", "args": ["--irl"]})
    return session_id


def test_migrations_are_idempotent_and_safe_in_parallel(db_url: str) -> None:
    errors: list[BaseException] = []

    def migrate_once() -> None:
        try:
            with psycopg.connect(db_url, autocommit=True) as conn:
                migrations.apply(conn)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=migrate_once) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with psycopg.connect(db_url, autocommit=True) as conn:
        assert migrations.apply(conn) == []
        versions = [r[0] for r in conn.execute("SELECT version FROM irl_schema_migrations ORDER BY 1")]
        columns = {r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'test_runs'")}
    assert versions == [m.version for m in migrations.load()]
    assert {"id", "session_id", "nodeid", "status", "attempt", "started_at", "finished_at", "duration_ms",
            "error", "browser", "stream_url", "steps"} <= columns


def test_seed_stream_url_migration_is_verbatim() -> None:
    text = next(m.sql for m in migrations.load() if "stream_url" in m.name)
    assert "ALTER TABLE test_runs\n  ADD COLUMN IF NOT EXISTS stream_url TEXT;" in text


def test_database_api_and_seed_queries(db_url: str) -> None:
    with Database(db_url) as db:
        session_id = new_session(db)
        healed = TestRun(session_id=session_id, nodeid="t.py::test_login", steps=[
            Step(step_number=1, action="goto"),
            Step(step_number=2, action="click", selector="#button-123", self_healing=SelfHealing(
                strategy="text", original_selector="#button-123",
                healed_selector="button:has-text('Login')", note="Matched by visible text")),
        ])
        plain = TestRun(session_id=session_id, nodeid="t.py::test_plain", status="passed",
                        steps=[Step(step_number=1, action="click")])
        run_id = db.create_test_run(healed)
        db.create_test_run(plain)
        db.update_test_run(run_id, stream_url="http://localhost:8080/stream/run-123")

        got = db.get_test_run(run_id)
        assert got is not None and got.stream_url == "http://localhost:8080/stream/run-123"
        assert got.model_dump(by_alias=True)["streamUrl"] == got.stream_url
        assert got.steps[1].self_healing.healed_selector == "button:has-text('Login')"
        assert db.get_test_run(uuid.uuid4()) is None
        assert db.get_test_run("not-a-uuid") is None

        stream_rows = db.conn.execute(SEED_STREAM_QUERY).fetchall()
        assert [(r[0], r[1], r[3]) for r in stream_rows] == [(run_id, "running", "Streaming active")]
        counts = {r[0]: (r[1], r[2]) for r in db.conn.execute(SEED_STEPS_QUERY)}
        assert counts == {run_id: (2, 1), plain.id: (1, 0)}


def test_update_rejects_unknown_fields(db_url: str) -> None:
    with Database(db_url) as db, pytest.raises(ValueError, match="unknown field"):
        db.update_test_run(uuid.uuid4(), **{"status = 'x'; --": 1})


def test_hostile_strings_are_stored(db_url: str) -> None:
    with Database(db_url) as db:
        session_id = new_session(db)
        for text in HOSTILE:
            run = TestRun(session_id=session_id, nodeid=text, error=text, steps=[
                Step(step_number=1, action="fill", selector=text, value=text, error=text)])
            db.create_test_run(run)
            got = db.get_test_run(run.id)
            assert got is not None
            assert len(got.nodeid) == len(text)
            assert got.steps[0].value == got.nodeid == got.steps[0].selector
            if "\x00" not in text and "\ud800" not in text:
                assert got.nodeid == text
        assert db.conn.execute("SELECT count(*) FROM test_runs").fetchone()[0] == len(HOSTILE)


def test_writer_spools_when_unreachable_and_replay_stores_everything(db_url: str, tmp_path: Path) -> None:
    dead = StoreLocation("postgresql://nobody@127.0.0.1:1/none", tmp_path / ".irl")
    writer = Writer(dead, stem="s1")
    session_id = uuid.uuid4()
    writer.submit("session", {"id": session_id, "started_at": "2026-11-24T10:00:00Z"})
    runs = [TestRun(session_id=session_id, nodeid=f"t::{i}", status="passed") for i in range(3)]
    for run in runs:
        writer.submit("run", run.model_dump(mode="json"))
    writer.close()
    assert writer.failure and "127.0.0.1" in writer.failure
    assert writer.spooled == 4
    with Database(db_url) as db:
        # As if the unreachable database had come back: the writes name it as their target.
        report = replay_spool(db, dead.spool_dir, target=dead.target)
        assert (report.files, report.ops) == (1, 4)
        assert {db.get_test_run(r.id).status for r in runs} == {"passed"}
    assert list(dead.spool_dir.glob("*.jsonl")) == []


def test_a_spool_file_the_database_refuses_is_set_aside(db_url: str, tmp_path: Path) -> None:
    location = StoreLocation(db_url, tmp_path / ".irl")
    spool_dir = location.spool_dir
    spool_dir.mkdir(parents=True)
    bad_session = uuid.uuid4()
    # Written by an older or broken version: the session row lacks its NOT NULL start time.
    entry = {"op": "session", "target": location.target, "data": {"id": str(bad_session), "started_at": None}}
    (spool_dir / "old.jsonl").write_text(json.dumps(entry) + "\n", encoding="utf-8")
    good = TestRun(session_id=uuid.uuid4(), nodeid="t::good", status="passed")
    (spool_dir / "later.jsonl").write_text("".join(
        json.dumps({"op": op, "target": location.target, "data": data}) + "\n"
        for op, data in [("session", {"id": str(good.session_id), "started_at": "2026-11-24T10:00:00Z"}),
                         ("run", good.model_dump(mode="json"))]), encoding="utf-8")

    writer = Writer(location, stem="now")
    run = TestRun(session_id=good.session_id, nodeid="t::now", status="passed")
    writer.submit("run", run.model_dump(mode="json"))
    writer.close()
    assert writer.failure is None
    assert len(writer.rejected) == 1 and writer.rejected[0].startswith("old.jsonl.rejected: ")
    with Database(db_url) as db:
        assert db.get_test_run(good.id) is not None and db.get_test_run(run.id) is not None
    assert sorted(p.name for p in spool_dir.iterdir()) == ["old.jsonl.rejected"]


def test_writer_survives_losing_the_database_mid_run(service_db_url: str, tmp_path: Path) -> None:
    location = StoreLocation(service_db_url, tmp_path / ".irl")
    writer = Writer(location, stem="s2")
    session_id = uuid.uuid4()
    writer.submit("session", {"id": session_id, "started_at": "2026-11-24T10:00:00Z"})
    first = TestRun(session_id=session_id, nodeid="t::first", status="passed")
    writer.submit("run", first.model_dump(mode="json"))
    with Database(service_db_url) as db:
        for _ in range(100):
            if db.get_test_run(first.id) is not None:
                break
            threading.Event().wait(0.05)
        assert db.get_test_run(first.id) is not None
        # The server drops the writer's connection, as a restart or a network cut would.
        db.conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()")
    second = TestRun(session_id=session_id, nodeid="t::second", status="failed")
    writer.submit("run", second.model_dump(mode="json"))
    writer.close()
    assert writer.failure and "mid-run" in writer.failure
    with Database(service_db_url) as db:
        assert db.get_test_run(second.id) is None
        replay_spool(db, location.spool_dir, target=location.target)
        assert db.get_test_run(second.id).status == "failed"


# schema safety (issue #12, point 4) ----------------------------------------------------------
def test_the_expected_tables_match_the_migrations(db_url: str) -> None:
    """migrate.TABLES (what the store checks a database against) is what migrations/ creates."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        migrations.apply(conn)
        for name, table in migrations.TABLES.items():
            actual = dict(conn.execute(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
                " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped", (name,)).fetchall())
            assert actual == {column: type_name for column, (type_name, _) in table.columns.items()}, name


def test_a_newer_schema_is_refused_with_one_line(db_url: str) -> None:
    with Database(db_url) as db:
        db.conn.execute("INSERT INTO irl_schema_migrations (version, name) VALUES (999, '999_future.sql')")
    with pytest.raises(migrations.SchemaRefused) as refused, Database(db_url) as db:
        db.conn  # noqa: B018
    message = str(refused.value)
    assert "\n" not in message and "version 999" in message and "upgrade pytest-irl" in message


def test_a_foreign_table_is_never_written_into(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE test_sessions (id SERIAL PRIMARY KEY, title TEXT NOT NULL)")
        conn.execute("INSERT INTO test_sessions (title) VALUES ('theirs')")
    with pytest.raises(migrations.SchemaRefused) as refused, Database(db_url) as db:
        db.conn  # noqa: B018
    message = str(refused.value)
    assert "\n" not in message and "public.test_sessions is not pytest-irl's table" in message
    assert "id is integer, not uuid" in message
    with psycopg.connect(db_url, autocommit=True) as conn:
        columns = [r[0] for r in conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'test_sessions'::regclass AND attnum > 0"
            " ORDER BY attnum")]
        assert columns == ["id", "title"]  # not altered
        assert conn.execute("SELECT to_regclass('test_runs')").fetchone()[0] is None  # nothing migrated
        assert conn.execute("SELECT title FROM test_sessions").fetchall() == [("theirs",)]


def test_a_look_alike_foreign_table_is_not_adopted(db_url: str) -> None:
    """Somebody else's test_sessions with all of pytest-irl's columns (and one of its own)."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE test_sessions (id UUID PRIMARY KEY, started_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
            " finished_at TIMESTAMPTZ, status TEXT NOT NULL DEFAULT 'running', exit_status INTEGER,"
            " host TEXT, rootdir TEXT, args JSONB NOT NULL DEFAULT '[]', billing_account TEXT)")
        conn.execute("INSERT INTO test_sessions (id, billing_account) VALUES (gen_random_uuid(), 'acme')")
    with pytest.raises(migrations.SchemaRefused, match="it was there before pytest-irl's migration 1"), \
            Database(db_url) as db:
        new_session(db)
    with psycopg.connect(db_url, autocommit=True) as conn:
        assert conn.execute("SELECT billing_account FROM test_sessions").fetchall() == [("acme",)]
        assert conn.execute("SELECT to_regclass('test_runs')").fetchone() == (None,)


def test_a_plugin_run_against_a_foreign_or_newer_schema_keeps_its_outcome(
    pytester: pytest.Pytester, db_url: str,
) -> None:
    pytester.makepyfile(test_one="def test_one(page):\n    page.set_content('<p>hi</p>')\n")
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE test_runs (id TEXT PRIMARY KEY, payload JSONB NOT NULL)")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--irl", "--irl-db", db_url)
    result.assert_outcomes(passed=1)
    assert result.ret == 0
    warnings = [line for line in result.outlines if line.startswith("irl: ") and "browser" not in line]
    assert len(warnings) == 1 and "public.test_runs is not pytest-irl's table" in warnings[0]
    assert "write(s) kept" in warnings[0]
    with psycopg.connect(db_url, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM test_runs").fetchone()[0] == 0


def test_a_schema_of_its_own_next_to_a_foreign_table(service_db_url: str) -> None:
    """What the refusal suggests: the same database, another schema (search_path in the URL)."""
    with psycopg.connect(service_db_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE test_runs (id TEXT PRIMARY KEY, payload JSONB NOT NULL)")
        conn.execute("CREATE SCHEMA irl")
    with Database(service_db_url + " options='-csearch_path=irl'") as db:
        session_id = new_session(db)
        run_id = db.create_test_run(TestRun(session_id=session_id, nodeid="t::ok", status="passed"))
        assert db.get_test_run(run_id).status == "passed"
    with psycopg.connect(service_db_url, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM irl.test_runs").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM public.test_runs").fetchone() == (0,)
