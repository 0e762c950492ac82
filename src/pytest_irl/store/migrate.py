"""Plain SQL migrations, applied in order under an advisory lock so parallel starters don't race.

Before and after migrating, the store checks that the database is one it may write into: its
schema is not newer than this code, and the tables it writes (found through the search_path, as
its statements find them) are its own. Otherwise ``SchemaRefused`` says why in one line, and the
transaction, with anything it migrated, is rolled back: a foreign table is never altered or
written into.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import psycopg

# Any constant will do; it only has to be the same for every process that migrates this database.
MIGRATION_LOCK_KEY = 0x1F1_5EED

_NAME = re.compile(r"^(\d+)_([\w-]+)\.sql$")


class SchemaRefused(Exception):
    """The database's schema is one this code must not write into (newer, or not its own)."""


@dataclass(frozen=True)
class Table:
    """What one of the store's tables looks like once every migration is applied.

    ``columns`` maps each column to its type (as ``format_type`` prints it) and the migration
    that adds it; ``key`` is the column (or columns) its upserts conflict on. Kept in step with migrations/
    by test_store's test that compares it with a freshly migrated database.
    """

    created_by: int
    columns: dict[str, tuple[str, int]]
    key: str | tuple[str, ...]


_TS = "timestamp with time zone"
_FINGERPRINT_COLUMNS = {
    "key": ("text", 0), "selector": ("text", 0), "url_path": ("text", 0), "nodeid": ("text", 0),
    "fingerprint": ("jsonb", 0), "seen": ("integer", 0), "first_seen": (_TS, 0), "last_seen": (_TS, 0),
}
TABLES: dict[str, Table] = {
    "test_sessions": Table(1, {
        "id": ("uuid", 1), "started_at": (_TS, 1), "finished_at": (_TS, 1), "status": ("text", 1),
        "exit_status": ("integer", 1), "host": ("text", 1), "rootdir": ("text", 1), "args": ("jsonb", 1),
    }, "id"),
    "test_runs": Table(1, {
        "id": ("uuid", 1), "session_id": ("uuid", 1), "nodeid": ("text", 1), "status": ("text", 1),
        "attempt": ("integer", 1), "started_at": (_TS, 1), "finished_at": (_TS, 1),
        "duration_ms": ("double precision", 1), "error": ("text", 1), "browser": ("text", 1),
        "worker": ("text", 1), "steps": ("jsonb", 1), "stream_url": ("text", 2),
        "first_run_id": ("uuid", 4), "flaky": ("boolean", 4), "controller_id": ("uuid", 6),
        "trace_path": ("text", 10),
    }, "id"),
    "element_fingerprints": Table(3, {k: (t, 3) for k, (t, _) in _FINGERPRINT_COLUMNS.items()}, "key"),
    "list_fingerprints": Table(7, {k: (t, 7) for k, (t, _) in _FINGERPRINT_COLUMNS.items()}, "key"),
    "test_session_shards": Table(8, {
        "controller_id": ("uuid", 8), "session_id": ("uuid", 8), "host": ("text", 8), "pid": ("integer", 8),
        "process": ("text", 8), "started_at": (_TS, 8), "heartbeat_at": (_TS, 8), "finished_at": (_TS, 8),
        "status": ("text", 8), "exit_status": ("integer", 8),
    }, "controller_id"),
    "heal_reviews": Table(11, {
        "heal_id": ("text", 11), "location": ("text", 11), "original": ("text", 11),
        "suggested": ("text", 11), "healed_selector": ("text", 11), "verdict": ("text", 11),
        "reviewed_at": (_TS, 11), "reviewed_via": ("text", 11),
    }, "heal_id"),
    "step_screenshots": Table(9, {
        "run_id": ("uuid", 9), "step_number": ("integer", 9), "kind": ("text", 9), "taken_at": (_TS, 9),
        "mime": ("text", 9), "width": ("integer", 9), "height": ("integer", 9), "box": ("jsonb", 9),
        "image": ("bytea", 9),
    }, ("run_id", "step_number", "kind")),
}


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations_dir() -> Path:
    """The packaged migrations (wheel), else the repo's top-level ``migrations/`` (editable install)."""
    packaged = Path(str(resources.files("pytest_irl"))) / "migrations"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "migrations"


def load(directory: Path | None = None) -> list[Migration]:
    directory = directory or migrations_dir()
    found = []
    for path in directory.iterdir():
        match = _NAME.match(path.name)
        if match:
            found.append(Migration(int(match[1]), path.name, path.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.version)


def apply(conn: psycopg.Connection, migrations: list[Migration] | None = None) -> list[str]:
    """Apply what is not applied yet, in one transaction; returns the names applied."""
    migrations = load() if migrations is None else migrations
    applied_now: list[str] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS irl_schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        done = {row[0] for row in conn.execute("SELECT version FROM irl_schema_migrations")}
        known = max((m.version for m in migrations), default=0)
        if done and max(done) > known:
            raise SchemaRefused(
                f"the database's pytest-irl schema is version {max(done)}, newer than this"
                f" pytest-irl knows (up to {known}): upgrade pytest-irl to record into it"
            )
        # Before migrating, so that no migration alters a foreign table; after, so that nothing
        # is written into a table that lacks what the writes need.
        check_tables(conn, done)
        for migration in migrations:
            if migration.version in done:
                continue
            conn.execute(migration.sql)  # type: ignore[arg-type]  # no params: simple protocol, many statements
            conn.execute(
                "INSERT INTO irl_schema_migrations (version, name) VALUES (%s, %s)",
                (migration.version, migration.name),
            )
            applied_now.append(migration.name)
        check_tables(conn, done | {m.version for m in migrations})
    return applied_now


def check_tables(conn: psycopg.Connection, versions: set[int]) -> None:
    """Raise SchemaRefused unless each of the store's tables is absent or its own.

    ``versions`` are the migrations taken to be in place: a table may lack only the columns of
    later ones. A table is its own when the migration that creates it is recorded (so a table
    of that name that was there first, however alike, is somebody else's) and it has the
    columns, types and key its writes need.
    """
    for name, table in TABLES.items():
        row = conn.execute(
            "SELECT c.oid, c.relkind, n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.oid = to_regclass(%s)",
            (name,),
        ).fetchone()
        if row is None:
            if table.created_by in versions:
                raise SchemaRefused(
                    f"table {name} is missing although migration {table.created_by} created it:"
                    " the schema was changed outside pytest-irl"
                )
            continue
        oid, relkind, schema = row
        qualified = f"{schema}.{name}"
        if relkind not in ("r", "p"):
            raise SchemaRefused(
                f"{qualified} is not pytest-irl's table (not a plain table): refusing to write into it"
            )
        actual = {
            r[0]: (r[1], r[2], r[3])
            for r in conn.execute(
                "SELECT attname, format_type(atttypid, atttypmod), attnotnull, atthasdef FROM pg_attribute"
                " WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped",
                (oid,),
            )
        }
        foreign, missing = [], []
        for column, (type_name, version) in table.columns.items():
            if column in actual:
                if actual[column][0] != type_name:
                    foreign.append(f"{column} is {actual[column][0]}, not {type_name}")
            elif version == table.created_by:
                foreign.append(f"no column {column}")
            elif version in versions:
                missing.append(f"{column} (migration {version})")
        for column, (_, not_null, has_default) in actual.items():
            if column not in table.columns and not_null and not has_default:
                foreign.append(f"{column} is required and pytest-irl never sets it")
        if not foreign and not _unique_on(conn, oid, table.key):
            key = table.key if isinstance(table.key, str) else ", ".join(table.key)
            foreign.append(f"no unique key on {key}")
        if table.created_by not in versions:
            foreign.append(f"it was there before pytest-irl's migration {table.created_by}")
        if foreign:
            raise SchemaRefused(
                f"{qualified} is not pytest-irl's table ({'; '.join(foreign[:3])}): refusing to write"
                " into it -- record into another database or schema"
            )
        if missing:
            raise SchemaRefused(
                f"{qualified} lacks column(s) {', '.join(missing)} although the migration is recorded:"
                " the schema was changed outside pytest-irl; writes wait in the spool until it is repaired"
            )


def _unique_on(conn: psycopg.Connection, oid: int, key: str | tuple[str, ...]) -> bool:
    """Whether exactly ``key``'s columns carry a unique index (what ``ON CONFLICT (key)`` needs)."""
    columns = (key,) if isinstance(key, str) else key
    rows = conn.execute(
        "SELECT i.indexrelid, array_agg(a.attname::text) FROM pg_index i"
        " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
        " WHERE i.indrelid = %s AND i.indisunique AND i.indnkeyatts = %s AND i.indpred IS NULL"
        " GROUP BY i.indexrelid",
        (oid, len(columns)),
    ).fetchall()
    return any(sorted(names) == sorted(columns) for _, names in rows)
