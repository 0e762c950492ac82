"""The one writer that owns the database connection: a background thread, batching, spooling."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import spool
from .url import StoreLocation

if TYPE_CHECKING:
    from .db import Database

Op = tuple[str, dict[str, Any]]

# How long the writer gathers operations before one transaction writes them all.
BATCH_WINDOW_S = 0.05


def apply_op(db: Database, op: str, data: dict[str, Any]) -> None:
    if op == "session":
        db.upsert_session(data)
    elif op == "session_finish":
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


def replay_spool(
    db: Database, spool_dir: Path, *, skip_prefix: str | None = None,
    rejected: list[str] | None = None,
) -> tuple[int, int]:
    """Write every spooled file into ``db``; returns (files, operations) written.

    A file the database refuses (its data, not the connection, is at fault) is renamed to
    ``*.rejected``, kept for inspection and never retried, so that it cannot block the files
    after it; ``rejected`` collects one line per such file. A connection failure raises and
    leaves the file in place.
    """
    files = ops = 0
    for path in spool.pending(spool_dir, skip_prefix=skip_prefix):
        claimed = spool.claim(path)
        if claimed is None:
            continue
        try:
            entries = list(spool.read(claimed))
            with db.transaction():
                for op, data in entries:
                    apply_op(db, op, data)
        except Exception as exc:
            if not _data_at_fault(exc):
                spool.release(claimed)
                raise
            kept = spool.reject(claimed)
            if rejected is not None:
                rejected.append(f"{kept.name}: {describe_error(exc)}")
            continue
        claimed.unlink()
        files += 1
        ops += len(entries)
    return files, ops


def _data_at_fault(exc: BaseException) -> bool:
    import psycopg

    if isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)):
        return False
    return isinstance(exc, (psycopg.DatabaseError, ValueError, KeyError, TypeError))


def describe_error(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


class Writer:
    """Takes operations from any thread and writes them in order; never raises into the caller.

    When the database cannot be reached, at start or later, everything not yet written goes to
    ``<state>/spool/<stem>.jsonl`` and ``failure`` says why, in one line.
    """

    def __init__(
        self,
        location: StoreLocation,
        *,
        stem: str,
        replay: bool = True,
        on_ready: Callable[[Database | None], None] | None = None,
    ) -> None:
        self.location = location
        self.stem = stem
        self.failure: str | None = None
        self.url: str | None = None
        self.spooled = 0
        self.replayed = (0, 0)
        self.rejected: list[str] = []
        self._replay = replay
        self._on_ready = on_ready
        self._queue: queue.Queue[Op | None] = queue.Queue()
        self._db: Database | None = None
        self._thread = threading.Thread(target=self._main, name="irl-writer", daemon=True)
        self._thread.start()

    def submit(self, op: str, data: dict[str, Any]) -> None:
        self._queue.put((op, spool.to_plain(data)))

    def close(self, timeout: float = 30.0) -> None:
        """Write what is queued (or spool it) and stop the thread."""
        self._queue.put(None)
        self._thread.join(timeout)
        if self._thread.is_alive():
            # The database hangs: keep the data, on disk, rather than wait any longer.
            self.failure = self.failure or f"the database did not answer within {timeout:.0f} s"
            self._spool(self._drain())

    # the thread ----------------------------------------------------------------------------
    def _main(self) -> None:
        self._connect()
        while True:
            first = self._queue.get()
            batch = [] if first is None else [first]
            stop = first is None
            if not stop:
                stop = self._gather(batch)
            if batch:
                self._write(batch)
            if stop:
                break
        if self._db is not None:
            self._db.close()

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
            db.conn  # noqa: B018  (connects and migrates now, not on the first write)
            if self._replay:
                self.replayed = replay_spool(
                    db, self.location.spool_dir, skip_prefix=self.stem, rejected=self.rejected
                )
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
        try:
            with self._db.transaction():
                for op, data in batch:
                    apply_op(self._db, op, data)
        except Exception as exc:
            self.failure = f"lost {self.location.describe()} mid-run: {describe_error(exc)}"
            self._db.close()
            self._db = None
            self._spool(batch)

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
        if batch:
            spool.append(self.location.spool_dir, self.stem, batch)
            self.spooled += len(batch)
