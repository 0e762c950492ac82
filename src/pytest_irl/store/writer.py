"""The one writer that owns the database connection: a background thread, batching, spooling.

What a write does and how a spool is replayed into a database are in ``replay``.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import shards, spool
from .replay import ReplayReport, apply_op, classify, describe_error, replay_spool
from .url import StoreLocation

if TYPE_CHECKING:
    from .db import Database

Op = tuple[str, dict[str, Any]]

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


def _target_of(location: StoreLocation) -> str:
    try:
        return location.target
    except Exception:  # a URL that parsed once parses again; this is only never to raise
        return location.describe()


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
