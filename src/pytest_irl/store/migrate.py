"""Plain SQL migrations, applied in order under an advisory lock so parallel starters don't race."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import psycopg

# Any constant will do; it only has to be the same for every process that migrates this database.
MIGRATION_LOCK_KEY = 0x1F1_5EED

_NAME = re.compile(r"^(\d+)_([\w-]+)\.sql$")


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
        for migration in migrations:
            if migration.version in done:
                continue
            conn.execute(migration.sql)  # type: ignore[arg-type]  # no params: simple protocol, many statements
            conn.execute(
                "INSERT INTO irl_schema_migrations (version, name) VALUES (%s, %s)",
                (migration.version, migration.name),
            )
            applied_now.append(migration.name)
    return applied_now
