"""Applying recorded writes to a database: one write (``apply_op``), whose fault a failure is
(``classify``), and the replay of a spool into the database it was meant for (``replay_spool``).

Both the writer's thread and ``irl sync`` use these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from . import shards, spool
from .url import same_target

if TYPE_CHECKING:
    from .db import Database

Fault = Literal["data", "schema", "retry"]


def apply_op(db: Database, op: str, data: dict[str, Any]) -> None:
    if op == "session":
        db.upsert_session(data)
    elif op == "shard":
        shards.register(db, data)
    elif op == "session_finish":
        if data.get("controller_id"):
            shards.finish(db, data["id"], data["controller_id"], data.get("finished_at"),
                          data.get("exit_status"))
        else:  # spooled by a version that recorded no shards
            db.finish_session(data["id"], data.get("finished_at"), data.get("exit_status"))
    elif op == "run":
        db.create_test_run(data)
    elif op == "update":
        db.update_test_run(data["id"], **data["fields"])
    elif op == "interrupt":
        db.interrupt_runs(data["session_id"], data["controller_id"], data.get("worker"))
    elif op == "fingerprint":
        from .db import FingerprintStore

        FingerprintStore(db).upsert(data)
    elif op == "list_fingerprint":
        from .sets import ListStore

        ListStore(db).upsert(data)
    elif op == "screenshot":
        from .screenshots import ScreenshotStore

        ScreenshotStore(db).upsert(data)
    else:
        raise ValueError(f"unknown spooled operation {op!r}")


def classify(exc: BaseException) -> Fault:
    """Whose fault a failed write is: decides whether it is set aside or kept for later.

    ``data``: this write can never be stored (a constraint, a value, a malformed entry): it is
    set aside so that it cannot block the others. ``schema``: the database is not as this code
    expects (an undefined column or table, a missing privilege, a refused schema): the writes
    are right and wait until it is repaired. ``retry``: the connection or the server failed.
    """
    import psycopg

    from .migrate import SchemaRefused

    if isinstance(exc, SchemaRefused):
        return "schema"
    if isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)):
        return "retry"
    if isinstance(exc, (psycopg.DataError, psycopg.IntegrityError)):
        return "data"
    if isinstance(exc, psycopg.Error):
        return "schema"  # ProgrammingError (SQLSTATE class 42), NotSupported, Internal...
    if isinstance(exc, (ValueError, KeyError, TypeError)):  # pydantic's ValidationError is a ValueError
        return "data"
    return "retry"


@dataclass
class ReplayReport:
    """What one replay of the spool did, and what it left and why."""

    files: int = 0  # files fully handled (nothing of this database's left in them)
    ops: int = 0  # writes stored
    left: dict[str, int] = field(default_factory=dict)  # writes left for another database, by target
    untargeted: int = 0  # writes spooled by a version that recorded no target, left alone
    bad: list[str] = field(default_factory=list)  # "<file>.bad: N unreadable line(s) (...)"
    rejected: list[str] = field(default_factory=list)  # "<file>.rejected: <error>"
    deferred: list[str] = field(default_factory=list)  # "<file>: <error>": kept for a later replay

    def notices(self) -> list[str]:
        """One sentence per thing a user should know, for the end-of-session summary or ``irl sync``."""
        lines = [f"skipped unreadable spool line(s), kept in {line} (never replayed)" for line in self.bad]
        lines += [f"the database refused spool file {line} (set aside, not retried)"
                  for line in self.rejected]
        lines += [f"kept spool file {line} for a later replay (the schema, not the data, is at fault)"
                  for line in self.deferred]
        for target, count in sorted(self.left.items()):
            lines.append(f"left {count} spooled write(s) for another database, {target}"
                         " -- `irl --db <its URL> sync` stores them there")
        if self.untargeted:
            lines.append(f"left {self.untargeted} spooled write(s) that name no database (spooled by an"
                         " older pytest-irl) -- `irl sync --untargeted` stores them in this one")
        return lines


def replay_spool(
    db: Database, spool_dir: Path, *, target: str, skip_prefix: str | None = None,
    accept_untargeted: bool = False,
) -> ReplayReport:
    """Write every spooled write meant for ``target`` (the identity of ``db``) into ``db``.

    Each file is one transaction, each write in it a savepoint: a write the database refuses as
    data goes to ``<file>.rejected``, an unreadable line to ``<file>.bad``, and the rest is
    stored. Writes for another database stay in the file. A schema problem keeps the whole file
    for a later replay; a connection failure keeps it too and raises.
    """
    report = ReplayReport()
    paths = spool.pending(spool_dir, skip_prefix=skip_prefix)
    if paths:
        # Connect (and check the schema) once, before claiming: a database refused as a whole
        # raises here, in one line, rather than once per file.
        db.conn  # noqa: B018
    for path in paths:
        claimed = spool.claim(path)
        if claimed is None:
            continue
        name = spool.original_of(claimed).name
        lines = spool.read(claimed)
        mine, others = [], []
        for line in lines:
            if line.entry is None:
                continue
            spooled_for = line.entry.target
            if (spooled_for is None and accept_untargeted) or (
                spooled_for is not None and same_target(spooled_for, target)
            ):
                mine.append(line)
            else:
                others.append(line)
        refused: list[tuple[spool.Line, BaseException]] = []
        try:
            if mine:
                with db.transaction():
                    for line in mine:
                        assert line.entry is not None
                        try:
                            with db.transaction():  # a savepoint: one refused write undoes only itself
                                apply_op(db, line.entry.op, line.entry.data)
                        except Exception as exc:
                            if classify(exc) != "data":
                                raise
                            refused.append((line, exc))
        except Exception as exc:
            spool.put_back(claimed, [line.raw for line in lines])
            if classify(exc) == "schema":
                report.deferred.append(f"{name}: {describe_error(exc)}")
                continue
            raise
        # Committed: from here on, only files change. A crash now leaves a claim that the next
        # replay takes over and stores again, which the upserts make harmless.
        bad = [line for line in lines if line.entry is None]
        kept_bad = spool.set_aside(claimed, spool.BAD, [line.raw for line in bad])
        if kept_bad is not None:
            first = bad[0]
            report.bad.append(
                f"{kept_bad.name}: {len(bad)} line(s), first line {first.number}: {first.problem}"
            )
        kept_refused = spool.set_aside(claimed, spool.REJECTED, [line.raw for line, _ in refused])
        if kept_refused is not None:
            report.rejected.append(f"{kept_refused.name}: {describe_error(refused[0][1])}"
                                   + (f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""))
        for line in others:
            assert line.entry is not None
            if line.entry.target is None:
                report.untargeted += 1
            else:
                report.left[line.entry.target] = report.left.get(line.entry.target, 0) + 1
        spool.put_back(claimed, [line.raw for line in others])
        report.ops += len(mine) - len(refused)
        if not others:
            report.files += 1
    return report


def describe_error(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."
