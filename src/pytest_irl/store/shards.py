"""The processes that record into a session, and what becomes of a session when one is gone.

Each pytest process that owns runs (the only one, or the xdist controller; one per CI shard)
has a row in ``test_session_shards``: its host, pid and process identity, and a heartbeat its
writer renews. From it:

* a session is ``running`` while any of its shards runs, ``interrupted`` once all have ended and
  one of them was interrupted, else ``finished``; its ``exit_status`` is the worst of its shards'
  (a shard that finishes last never hides one that failed);
* a shard is *gone* when its process on this machine no longer exists (the same pid with the
  same start time, so a reused pid does not count), or when its heartbeat is older than
  ``STALE_AFTER`` (a process elsewhere, which cannot be looked at). ``sweep`` marks a gone
  shard and its runs still ``running`` as ``interrupted``.

A shard judged gone only because its heartbeat stopped (a database unreachable for that long)
sets its own rows right when it writes again: a finished run or shard overwrites ``interrupted``.
"""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

    from .db import Database

HEARTBEAT_S = 30.0
STALE_AFTER = "10 minutes"  # twenty missed heartbeats

# Pytest's exit codes from harmless to worst: OK, NO_TESTS_COLLECTED, TESTS_FAILED, INTERRUPTED,
# INTERNAL_ERROR, USAGE_ERROR, then anything a plugin made up.
_SEVERITY = "CASE exit_status WHEN 0 THEN 0 WHEN 5 THEN 1 WHEN 1 THEN 2 WHEN 2 THEN 3 WHEN 3 THEN 4" \
            " WHEN 4 THEN 5 ELSE 6 END"
INTERRUPTED_EXIT = 2

_AGGREGATE = f"""
UPDATE test_sessions s SET status = a.status, exit_status = a.exit_status, finished_at = a.finished_at
FROM (
  SELECT CASE WHEN bool_or(status = 'running') THEN 'running'
              WHEN bool_or(status = 'interrupted') THEN 'interrupted'
              ELSE 'finished' END AS status,
         (array_agg(exit_status ORDER BY {_SEVERITY} DESC) FILTER (WHERE exit_status IS NOT NULL))[1]
           AS exit_status,
         CASE WHEN bool_or(status = 'running') THEN NULL ELSE max(finished_at) END AS finished_at
  FROM test_session_shards WHERE session_id = %s HAVING count(*) > 0
) a
WHERE s.id = %s
"""


def this_process() -> dict[str, Any]:
    """Who the current process is, as a shard row records it."""
    return {"host": socket.gethostname(), "pid": os.getpid(), "process": process_identity(os.getpid())}


def process_identity(pid: int) -> str | None:
    """``<boot id>/<pid namespace>/<start time>`` of ``pid`` (Linux), None where it cannot be told.

    The boot id tells a process of an earlier boot; the pid namespace, a process of another
    container with the same host name (whose pids mean nothing here); the start time, a reused pid.
    """
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as fh:
            boot = fh.read().strip()
        namespace = os.readlink(f"/proc/{pid}/ns/pid")
        with open(f"/proc/{pid}/stat", "rb") as fh:
            start = fh.read().rsplit(b")", 1)[1].split()[19].decode()  # field 22: starttime
    except (OSError, IndexError, ValueError):
        return None
    return f"{boot}/{namespace}/{start}"


def process_gone(host: str, pid: int, identity: str | None) -> bool:
    """Whether the recorded process is certainly gone, as far as this machine can tell."""
    if host != socket.gethostname() or not identity:
        return False
    mine = process_identity(os.getpid())
    if mine is None:
        return False
    boot, namespace, _ = identity.split("/", 2)
    my_boot, my_namespace, _ = mine.split("/", 2)
    if boot != my_boot:
        return True  # the machine was restarted since: every process of that boot is gone
    if namespace != my_namespace:
        return False  # another container: its pids cannot be looked up from here
    return process_identity(pid) != identity


def register(db: Database, data: dict[str, Any]) -> None:
    """Add the shard ``data`` (controller_id, session_id, host, pid, process, started_at)."""
    with db.transaction() as conn:
        _lock_session(conn, data["session_id"])
        conn.execute(
            "INSERT INTO test_session_shards (controller_id, session_id, host, pid, process, started_at)"
            " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (controller_id) DO NOTHING",
            (data["controller_id"], data["session_id"], data["host"], int(data["pid"]), data.get("process"),
             data["started_at"]),
        )
        aggregate(conn, data["session_id"])


def finish(db: Database, session_id: Any, controller_id: Any, finished_at: Any,
           exit_status: int | None) -> None:
    """The shard ended with ``exit_status``; the session takes the aggregate of its shards."""
    status = "interrupted" if exit_status == INTERRUPTED_EXIT else "finished"
    with db.transaction() as conn:
        _lock_session(conn, session_id)
        conn.execute(
            "UPDATE test_session_shards SET status = %s, finished_at = %s, exit_status = %s"
            " WHERE controller_id = %s",
            (status, finished_at, exit_status, controller_id),
        )
        aggregate(conn, session_id)


def heartbeat(db: Database, controller_id: Any) -> None:
    db.conn.execute(
        "UPDATE test_session_shards SET heartbeat_at = now() WHERE controller_id = %s AND status = 'running'",
        (controller_id,),
    )


def aggregate(conn: psycopg.Connection, session_id: Any) -> None:
    """Set the session's status, exit status and end from its shards (with the session row locked)."""
    conn.execute(_AGGREGATE, (session_id, session_id))


def sweep(db: Database) -> tuple[int, int]:
    """Mark the shards that are gone, and their runs still running, as interrupted.

    Returns (shards, runs) marked. Shards are looked at one by one, each in a transaction that
    holds its session's row: a shard that finishes meanwhile is never marked.
    """
    candidates = db.conn.execute(
        "SELECT controller_id, session_id, host, pid, process,"
        " heartbeat_at < now() - %s::interval AS stale"
        " FROM test_session_shards WHERE status = 'running'",
        (STALE_AFTER,),
    ).fetchall()
    shards = runs = 0
    for controller_id, session_id, host, pid, identity, stale in candidates:
        if not (stale or process_gone(host, pid, identity)):
            continue
        with db.transaction() as conn:
            _lock_session(conn, session_id)
            marked = conn.execute(
                "UPDATE test_session_shards SET status = 'interrupted', finished_at = heartbeat_at"
                " WHERE controller_id = %s AND status = 'running'",
                (controller_id,),
            ).rowcount
            if not marked:
                continue  # it finished after all
            runs += conn.execute(
                "UPDATE test_runs SET status = 'interrupted', finished_at = COALESCE(finished_at, now()),"
                " error = COALESCE(error, %s)"
                " WHERE session_id = %s AND controller_id = %s AND status = 'running'",
                ("the pytest process running this test is gone (killed?)", session_id, controller_id),
            ).rowcount
            aggregate(conn, session_id)
            shards += 1
    return shards, runs


def _lock_session(conn: psycopg.Connection, session_id: Any) -> None:
    # Shards ending at the same moment take turns: each aggregates with the others' rows in view.
    conn.execute("SELECT 1 FROM test_sessions WHERE id = %s FOR UPDATE", (session_id,))
