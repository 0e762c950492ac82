"""The one writer that owns the database connection: a background thread, batching, spooling."""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from . import shards, spool
from .url import StoreLocation, same_target

if TYPE_CHECKING:
    from .db import Database

Op = tuple[str, dict[str, Any]]
Fault = Literal["data", "schema", "retry"]

# How long the writer gathers operations before one transaction writes them all.
BATCH_WINDOW_S = 0.05
# How long the end of a session waits for the database before it spools what is left.
CLOSE_TIMEOUT_ENV = "IRL_CLOSE_TIMEOUT"
CLOSE_TIMEOUT_S = 30.0


def close_timeout() -> float:
    try:
        return max(0.0, float(os.environ.get(CLOSE_TIMEOUT_ENV, CLOSE_TIMEOUT_S)))
    except ValueError:
        return CLOSE_TIMEOUT_S


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


def _target_of(location: StoreLocation) -> str:
    try:
        return location.target
    except Exception:  # a URL that parsed once parses again; this is only never to raise
        return location.describe()


def describe_error(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


class Writer:
    """Takes operations from any thread and writes them in order; never raises into the caller.

    When the database cannot be reached, at start or later, everything not yet written goes to
    ``<state>/spool/<stem>.jsonl``, tagged with the database it was for, and ``failure`` says
    why in one line. When the spool cannot be written either, the writes are counted as lost
    (``lost``, ``spool_failure``): ``summary()`` says truthfully what was kept and what was not.
    """

    def __init__(
        self,
        location: StoreLocation,
        *,
        stem: str,
        replay: bool = True,
        on_ready: Callable[[Database | None], None] | None = None,
        heartbeat: Callable[[Database], None] | None = None,
    ) -> None:
        self.location = location
        self.target = _target_of(location)
        self.stem = stem
        self.failure: str | None = None
        self.url: str | None = None
        self.spooled = 0
        self.lost = 0
        self.spool_failure: str | None = None
        self.replayed = (0, 0)
        self.replay_report: ReplayReport | None = None
        self.rejected: list[str] = []
        self.notices: list[str] = []
        self._replay = replay
        self._on_ready = on_ready
        # Renewed every shards.HEARTBEAT_S while connected, busy or idle: how a process elsewhere is
        # told to be alive (shards.py).
        self._heartbeat = heartbeat
        self._next_beat = time.monotonic() + shards.HEARTBEAT_S
        self._queue: queue.Queue[Op | None] = queue.Queue()
        self._db: Database | None = None
        # Guards the hand-over of the batch being written when close() stops waiting for it.
        self._lock = threading.Lock()
        self._spool_lock = threading.Lock()
        self._inflight: list[Op] = []
        self._abandoned = False
        if location.url is None:
            # The embedded server's package warns on import in some environments (platformdirs, an
            # unset XDG_RUNTIME_DIR). Imported here, in the caller's thread, the warning is caught
            # for sure: in the writer's thread, pytest's own per-test warning capture, restoring
            # the filters of a `-W error` suite, can race it into an error and lose the store.
            from . import embedded

            embedded.preload()
        self._thread = threading.Thread(target=self._main, name="irl-writer", daemon=True)
        self._thread.start()

    def submit(self, op: str, data: dict[str, Any]) -> None:
        self._queue.put((op, spool.to_plain(data)))

    def close(self, timeout: float | None = None) -> None:
        """Write what is queued, or spool it, within ``timeout`` seconds (``IRL_CLOSE_TIMEOUT``, 30)."""
        timeout = close_timeout() if timeout is None else timeout
        self._queue.put(None)
        self._thread.join(timeout)
        with self._lock:
            if self._thread.is_alive():
                # The database hangs (a lock, a network black hole): keep on disk what it has not
                # confirmed, the batch in flight included, rather than wait any longer.
                self._abandoned = True
                self.failure = self.failure or f"the database did not answer within {timeout:g} s"
            left = self._inflight + self._drain()
            self._inflight = []
        self._spool(left)
        if self._abandoned:
            self._queue.put(None)  # should the thread wake up, it stops without writing more

    def summary(self) -> str | None:
        """The end-of-session line when not everything reached the database, else None."""
        if self.failure is None and not self.lost:
            return None
        parts = [self.failure or "some writes could not be stored"]
        if self.spooled:
            parts.append(f"{self.spooled} write(s) kept in {self.location.spool_dir}"
                         " -- `irl sync` (or the next run) stores them")
        if self.lost:
            parts.append(f"{self.lost} write(s) LOST: the spool cannot be written ({self.spool_failure})")
        if not self.spooled and not self.lost:
            parts.append("nothing was waiting to be written")
        return "irl: " + "; ".join(parts)

    def outcome(self) -> dict[str, Any]:
        """What this writer kept, lost and has to say, for the process that reports (xdist)."""
        return {"failure": self.failure, "spooled": self.spooled, "lost": self.lost,
                "spool_failure": self.spool_failure, "notices": list(self.notices)}

    def absorb(self, worker: str, outcome: dict[str, Any]) -> None:
        """Count a worker's ``outcome`` in this writer's summary: one line tells the whole session."""
        self.spooled += int(outcome.get("spooled") or 0)
        self.lost += int(outcome.get("lost") or 0)
        if outcome.get("failure") and self.failure is None:
            self.failure = f"worker {worker}: {outcome['failure']}"
        self.spool_failure = self.spool_failure or outcome.get("spool_failure")
        for notice in outcome.get("notices") or ():
            if notice not in self.notices:
                self.notices.append(notice)

    # the thread ----------------------------------------------------------------------------
    def _main(self) -> None:
        try:
            self._connect()
            while True:
                self._beat()
                try:
                    first = self._queue.get(timeout=self._until_beat())
                except queue.Empty:
                    continue
                batch = [] if first is None else [first]
                stop = first is None
                if not stop:
                    stop = self._gather(batch)
                if batch:
                    self._write(batch)
                if stop or self._abandoned:
                    break
        except BaseException as exc:  # never a thread traceback: a run's outcome must not change
            self.failure = self.failure or f"recording stopped: {describe_error(exc)}"
            with self._lock:
                left = [] if self._abandoned else self._inflight + self._drain()
                self._inflight = []
            self._spool(left)
        finally:
            if self._db is not None:
                try:
                    self._db.close()
                except Exception:
                    pass

    def _until_beat(self) -> float | None:
        return None if self._heartbeat is None else max(0.01, self._next_beat - time.monotonic())

    def _beat(self) -> None:
        if self._heartbeat is None or self._db is None or time.monotonic() < self._next_beat:
            return
        self._next_beat = time.monotonic() + shards.HEARTBEAT_S
        try:
            self._heartbeat(self._db)
        except Exception:  # a lost connection shows on the next write, which spools; a beat is no data
            pass

    def _gather(self, batch: list[Op]) -> bool:
        try:
            while True:
                item = self._queue.get(timeout=BATCH_WINDOW_S)
                if item is None:
                    return True
                batch.append(item)
        except queue.Empty:
            return False

    def _connect(self) -> None:
        try:
            if self.location.url is None:
                from . import embedded

                self.url = embedded.start(self.location.state_dir)
            else:
                self.url = self.location.url
            from .db import Database  # here, in the writer's thread: psycopg is slow to import

            db = Database(self.url)
            db.conn  # noqa: B018  (connects, checks the schema and migrates now, not on the first write)
            if self._replay:
                try:
                    report = replay_spool(
                        db, self.location.spool_dir, target=self.target, skip_prefix=self.stem
                    )
                except OSError as exc:  # the spool folder, not the database: record on regardless
                    self.notices.append(f"could not replay the spool: {describe_error(exc)}")
                else:
                    self.replay_report = report
                    self.replayed = (report.files, report.ops)
                    self.rejected.extend(report.rejected)
                    self.notices.extend(report.notices())
            if self._on_ready is not None:
                self._on_ready(db)
            self._db = db
        except Exception as exc:
            self.failure = f"cannot use {self.location.describe()}: {describe_error(exc)}"
            if self._on_ready is not None:
                try:
                    self._on_ready(None)
                except Exception:
                    pass

    def _write(self, batch: list[Op]) -> None:
        if self._db is None:
            self._spool(batch)
            return
        with self._lock:
            if self._abandoned:
                return
            self._inflight = batch
        try:
            try:
                with self._db.transaction():
                    for op, data in batch:
                        apply_op(self._db, op, data)
            except Exception as exc:
                if classify(exc) != "data":
                    raise
                self._write_each(batch)
        except Exception as exc:
            if classify(exc) == "schema":
                self.failure = (f"cannot write into {self.location.describe()}: {describe_error(exc)}"
                                " (the schema is at fault: writes are kept until it is repaired)")
            else:
                self.failure = f"lost {self.location.describe()} mid-run: {describe_error(exc)}"
            try:
                self._db.close()
            except Exception:
                pass
            self._db = None
            with self._lock:
                if self._abandoned:
                    return  # close() has spooled this batch already
                self._inflight = []
            self._spool(batch)
            return
        with self._lock:
            self._inflight = []

    def _write_each(self, batch: list[Op]) -> None:
        """Write ``batch`` one savepoint per write; the writes refused as data are set aside."""
        assert self._db is not None
        refused: list[tuple[Op, BaseException]] = []
        with self._db.transaction():
            for op, data in batch:
                try:
                    with self._db.transaction():
                        apply_op(self._db, op, data)
                except Exception as exc:
                    if classify(exc) != "data":
                        raise
                    refused.append(((op, data), exc))
        if not refused:
            return
        kept = self.location.spool_dir / f"{self.stem}{spool.SUFFIX}{spool.REJECTED}"
        try:
            spool.ensure_dir(self.location.spool_dir)
            lines = b"".join(spool.encode(op, data, self.target) for (op, data), _ in refused)
            spool.append_bytes(kept, lines)
        except Exception as exc:
            self.lost += len(refused)
            self.spool_failure = self.spool_failure or describe_error(exc)
            return
        line = f"{kept.name}: {describe_error(refused[0][1])}"
        self.rejected.append(line)
        self.notices.append(
            f"the database refused {len(refused)} write(s), set aside in {line} (not retried)"
        )

    def _drain(self) -> list[Op]:
        items = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return items
            if item is not None:
                items.append(item)

    def _spool(self, batch: list[Op]) -> None:
        """Keep ``batch`` on disk; a spool that cannot be written counts the writes as lost."""
        if not batch:
            return
        with self._spool_lock:
            try:
                spool.append(self.location.spool_dir, self.stem, batch, target=self.target)
            except Exception as exc:  # read-only, full, a file where the folder should be...
                self.lost += len(batch)
                self.spool_failure = self.spool_failure or describe_error(exc)
                return
            self.spooled += len(batch)
