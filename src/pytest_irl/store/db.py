"""The database API: sessions and test runs in Postgres (every statement parametrized)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from ..models import TestRun
from ..storable import storable, storable_json
from . import migrate

CONNECT_TIMEOUT_S = 3

# Columns a caller may change with update_test_run, by their Python name.
UPDATABLE = {
    "status", "attempt", "finished_at", "duration_ms", "error", "browser", "stream_url", "steps", "worker",
    "first_run_id", "flaky", "controller_id", "trace_path",
}

_RUN_COLUMNS = (
    "id", "session_id", "nodeid", "status", "attempt", "started_at", "finished_at", "duration_ms",
    "error", "browser", "worker", "stream_url", "steps", "first_run_id", "flaky", "controller_id",
    "trace_path",
)

# A late 'running' write (a replayed spool, say) never rolls a finished run back to running.
_UPSERT_RUN = f"""
INSERT INTO test_runs ({", ".join(_RUN_COLUMNS)})
VALUES ({", ".join(["%s"] * len(_RUN_COLUMNS))})
ON CONFLICT (id) DO UPDATE SET
  status = CASE WHEN excluded.status = 'running' AND test_runs.status <> 'running'
                THEN test_runs.status ELSE excluded.status END,
  attempt = excluded.attempt,
  finished_at = COALESCE(excluded.finished_at, test_runs.finished_at),
  duration_ms = COALESCE(excluded.duration_ms, test_runs.duration_ms),
  error = COALESCE(excluded.error, test_runs.error),
  browser = COALESCE(excluded.browser, test_runs.browser),
  worker = COALESCE(excluded.worker, test_runs.worker),
  stream_url = COALESCE(excluded.stream_url, test_runs.stream_url),
  steps = CASE WHEN jsonb_array_length(excluded.steps) >= jsonb_array_length(test_runs.steps)
               THEN excluded.steps ELSE test_runs.steps END,
  first_run_id = COALESCE(excluded.first_run_id, test_runs.first_run_id),
  flaky = excluded.flaky OR test_runs.flaky,
  controller_id = COALESCE(excluded.controller_id, test_runs.controller_id),
  trace_path = COALESCE(excluded.trace_path, test_runs.trace_path)
"""


# A server that vanishes without closing the connection (a TCP black hole) fails the pending
# statement after about this long instead of leaving the writer waiting forever.
TCP_KEEPALIVE = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3}
TCP_USER_TIMEOUT_MS = 30_000


def connect(url: str, **kwargs: Any) -> psycopg.Connection:
    kwargs.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
    for key, value in TCP_KEEPALIVE.items():
        kwargs.setdefault(key, value)
    if psycopg.pq.version() >= 120000:
        kwargs.setdefault("tcp_user_timeout", TCP_USER_TIMEOUT_MS)
    kwargs.setdefault("application_name", "pytest-irl")
    return psycopg.connect(url, **kwargs)


def run_params(run: Mapping[str, Any]) -> tuple[Any, ...]:
    """Row values for ``run`` given as the JSON of a TestRun (snake or camel keys)."""
    model = TestRun.model_validate(run)
    steps = [step.to_json() for step in model.steps]
    return (
        model.id, model.session_id, storable(model.nodeid), model.status, model.attempt,
        model.started_at, model.finished_at, model.duration_ms,
        storable(model.error) if model.error is not None else None,
        model.browser, model.worker, model.stream_url, Jsonb(steps), model.first_run_id, model.flaky,
        model.controller_id, storable(model.trace_path) if model.trace_path is not None else None,
    )


class Database:
    """Sessions and test runs, over one connection opened on first use.

    ``create_test_run``, ``update_test_run`` and ``get_test_run`` are the seed's API; a run's
    ``stream_url`` is ``streamUrl`` in its JSON.
    """

    def __init__(self, url: str, *, migrate_on_connect: bool = True) -> None:
        self.url = url
        self._migrate_on_connect = migrate_on_connect
        self._conn: psycopg.Connection | None = None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def conn(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            self._conn = connect(self.url, autocommit=True)
            if self._migrate_on_connect:
                migrate.apply(self._conn)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection]:
        conn = self.conn
        with conn.transaction():
            yield conn

    def migrate(self) -> list[str]:
        return migrate.apply(self.conn)

    # sessions -----------------------------------------------------------------------------
    def upsert_session(self, session: Mapping[str, Any]) -> None:
        self.conn.execute(
            "INSERT INTO test_sessions (id, started_at, status, host, rootdir, args)"
            " VALUES (%s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (id) DO NOTHING",
            (
                session["id"], session["started_at"], session.get("status", "running"),
                storable(session.get("host") or ""), storable(session.get("rootdir") or ""),
                Jsonb(storable_json(list(session.get("args") or []))),
            ),
        )

    def finish_session(self, session_id: str | uuid.UUID, finished_at: Any, exit_status: int | None) -> None:
        self.conn.execute(
            "UPDATE test_sessions SET finished_at = %s, exit_status = %s, status = 'finished' WHERE id = %s",
            (finished_at, exit_status, session_id),
        )

    # runs --------------------------------------------------------------------------------
    def create_test_run(self, run: TestRun | Mapping[str, Any]) -> uuid.UUID:
        data = run.model_dump() if isinstance(run, TestRun) else run
        params = run_params(data)
        self.conn.execute(_UPSERT_RUN, params)
        return params[0]

    def update_test_run(self, run_id: str | uuid.UUID, **fields: Any) -> None:
        """Change some columns of a run, e.g. ``update_test_run(run_id, stream_url=url)``."""
        unknown = set(fields) - UPDATABLE
        if unknown:
            raise ValueError(f"update_test_run: unknown field(s) {sorted(unknown)}")
        if not fields:
            return
        values = []
        for name, value in fields.items():
            if name == "steps":
                value = Jsonb(storable_json(list(value)))
            elif isinstance(value, str):
                value = storable(value)
            values.append(value)
        assignments = ", ".join(f"{name} = %s" for name in fields)  # names checked against UPDATABLE
        self.conn.execute(f"UPDATE test_runs SET {assignments} WHERE id = %s", (*values, run_id))

    def interrupt_runs(self, session_id: Any, controller_id: Any, worker: str | None = None) -> int:
        """Mark a controller's runs still 'running' (of one dead worker, or all) as 'interrupted'."""
        cur = self.conn.execute(
            "UPDATE test_runs SET status = 'interrupted', finished_at = COALESCE(finished_at, now()),"
            " error = COALESCE(error, %s)"
            " WHERE session_id = %s AND controller_id = %s AND status = 'running'"
            " AND (%s::text IS NULL OR worker = %s)",
            ("the worker running this test died" if worker else "the session ended before this test did",
             session_id, controller_id, worker, worker),
        )
        return cur.rowcount

    def get_test_run(self, run_id: str | uuid.UUID) -> TestRun | None:
        try:
            key = uuid.UUID(str(run_id))
        except ValueError:
            return None
        with self.conn.cursor(row_factory=dict_row) as cur:
            row = cur.execute("SELECT * FROM test_runs WHERE id = %s", (key,)).fetchone()
        return None if row is None else TestRun.model_validate(row)

    def recent_sessions(self, limit: int | None = 10, id_prefix: str = "") -> list[dict[str, Any]]:
        """Newest first, with counts of their runs (``LIMIT NULL`` is no limit)."""
        with self.conn.cursor(row_factory=dict_row) as cur:
            return cur.execute(
                "SELECT s.*, count(r.id) AS runs,"
                " count(r.id) FILTER (WHERE r.status = 'passed') AS passed,"
                " count(r.id) FILTER (WHERE r.status IN ('failed', 'error')) AS failed"
                " FROM test_sessions s LEFT JOIN test_runs r ON r.session_id = s.id"
                " WHERE s.id::text LIKE %s"
                " GROUP BY s.id ORDER BY s.started_at DESC LIMIT %s",
                (_like_prefix(id_prefix), limit),
            ).fetchall()

    def runs_of_session(self, session_id: str | uuid.UUID) -> list[dict[str, Any]]:
        with self.conn.cursor(row_factory=dict_row) as cur:
            return cur.execute(
                "SELECT id, nodeid, status, attempt, first_run_id, flaky, started_at, duration_ms,"
                " stream_url, error, trace_path,"
                " jsonb_array_length(steps) AS total_steps,"
                " (SELECT count(*) FROM jsonb_array_elements(steps) AS step"
                "   WHERE step->>'selfHealing' IS NOT NULL) AS healed_steps"
                " FROM test_runs WHERE session_id = %s ORDER BY started_at, nodeid",
                (session_id,),
            ).fetchall()

    def runs_with_steps(self, session_ids: list[Any]) -> list[dict[str, Any]]:
        """Every run of these sessions, steps included, in the order they started."""
        if not session_ids:
            return []
        with self.conn.cursor(row_factory=dict_row) as cur:
            return cur.execute(
                "SELECT * FROM test_runs WHERE session_id = ANY(%s) ORDER BY started_at, nodeid",
                ([uuid.UUID(str(s)) for s in session_ids],),
            ).fetchall()

    def healed_locators(self, limit: int = 200) -> list[dict[str, Any]]:
        """Each healed locator once per call site, newest first, across all sessions; with the hash
        of its file in the newest run that healed it (``sourceSha256``), when it was first and last
        seen, how often, and the tests that healed it."""
        with self.conn.cursor(row_factory=dict_row) as cur:
            return cur.execute(
                "SELECT step->>'location' AS location,"
                " step->'selfHealing'->>'originalSelector' AS original,"
                " coalesce(step->'selfHealing'->>'suggestedLocator',"
                "          step->'selfHealing'->>'healedSelector') AS suggested,"
                " step->'selfHealing'->>'strategy' AS strategy,"
                " (array_agg(step->>'sourceSha256' ORDER BY r.started_at DESC))[1] AS source_sha256,"
                " max((step->'selfHealing'->>'score')::float) AS score,"
                " count(*) AS times, max(r.started_at) AS last_seen, min(r.started_at) AS first_seen,"
                " (array_agg(step->'selfHealing'->>'healedSelector' ORDER BY r.started_at DESC))[1]"
                "   AS healed_selector,"
                " array_agg(DISTINCT r.nodeid) AS nodeids"
                " FROM test_runs r, jsonb_array_elements(r.steps) AS step"
                " WHERE jsonb_typeof(step->'selfHealing') = 'object'"
                " GROUP BY 1, 2, 3, 4 ORDER BY last_seen DESC LIMIT %s",
                (limit,),
            ).fetchall()

    def flaky_tests(self, sessions: int = 30) -> list[dict[str, Any]]:
        """The ``irl_flaky_tests`` view over the last ``sessions`` sessions, most flaky first."""
        with self.transaction() as conn, conn.cursor(row_factory=dict_row) as cur:
            # The view reads its window from this setting; local: it ends with the transaction.
            cur.execute("SELECT set_config('irl.flaky_sessions', %s, true)", (str(int(sessions)),))
            return cur.execute(
                "SELECT * FROM irl_flaky_tests"
                " ORDER BY flips + flaky_runs DESC, flips DESC, last_seen DESC, nodeid"
            ).fetchall()

    def find_runs(self, prefix: str) -> list[uuid.UUID]:
        """Ids of the runs whose id starts with ``prefix`` (at most two: enough to see ambiguity)."""
        rows = self.conn.execute(
            "SELECT id FROM test_runs WHERE id::text LIKE %s ORDER BY started_at DESC LIMIT 2",
            (_like_prefix(prefix),),
        ).fetchall()
        return [row[0] for row in rows]

    def find_session(self, prefix: str) -> dict[str, Any] | None:
        sessions = self.recent_sessions(limit=1, id_prefix=prefix)
        return sessions[0] if sessions else None


def _like_prefix(prefix: str) -> str:
    escaped = prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def fingerprint_key(selector: str, url_path: str, nodeid: str) -> str:
    return hashlib.md5("\x1f".join((selector, url_path, nodeid)).encode("utf-8", "replace")).hexdigest()


class FingerprintStore:
    """Learned element fingerprints, read and written through a Database."""

    table = "element_fingerprints"
    limit = 200_000  # the most recently seen are loaded at start

    def __init__(self, db: Database) -> None:
        self.db = db

    def upsert(self, data: Mapping[str, Any]) -> None:
        selector, url_path, nodeid = (storable(str(data[k])) for k in ("selector", "url_path", "nodeid"))
        self.db.conn.execute(
            sql.SQL(
                "INSERT INTO {table} (key, selector, url_path, nodeid, fingerprint)"
                " VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint,"
                " seen = {table}.seen + 1, last_seen = now()"
            ).format(table=sql.Identifier(self.table)),
            (fingerprint_key(selector, url_path, nodeid), selector, url_path, nodeid,
             Jsonb(storable_json(data["fingerprint"]))),
        )

    def all(self, limit: int | None = None) -> list[tuple[str, str, str, dict[str, Any]]]:
        rows = self.db.conn.execute(
            sql.SQL(
                "SELECT selector, url_path, nodeid, fingerprint FROM {table} ORDER BY last_seen DESC LIMIT %s"
            ).format(table=sql.Identifier(self.table)),
            (self.limit if limit is None else limit,),
        ).fetchall()
        return [(r[0], r[1], r[2], r[3]) for r in rows]
