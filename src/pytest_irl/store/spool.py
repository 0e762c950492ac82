"""Writes that could not reach the database wait here, one JSON line each, until a later replay.

A line is ``{"op": ..., "target": ..., "data": {...}}``; ``target`` names the database the write
was meant for (``url.target_identity``: never a password) so that a replay stores it there and
nowhere else. Files are private to the user (folder 0700, files 0600): they hold test data.

Several processes share a spool folder: a pytest run appends to its own ``<stem>.jsonl`` while
another run or ``irl sync`` replays. The rules that keep every line exactly once:

* a replayer claims a file by renaming it ``<name>.claimed-<pid>`` (atomic: one winner), and a
  claim whose process is gone is taken over by the next replayer;
* appends hold ``flock`` on the file and check, once they have it, that the path still names the
  file they opened; a replayer takes the same lock before reading what it claimed, so an append
  either lands before the read or goes to a new file, never into a file already read.
"""

from __future__ import annotations

import errno
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .url import ensure_state_dir

try:
    import fcntl
except ImportError:  # Windows: no flock; renames alone still keep claims exclusive
    fcntl = None  # type: ignore[assignment]

SUFFIX = ".jsonl"
CLAIMED = ".claimed-"
BAD = ".bad"  # lines that could not be read (invalid bytes or JSON): kept for a human, never replayed
REJECTED = ".rejected"  # writes the database refused as data: kept for a human, never replayed
FILE_MODE = 0o600
DIR_MODE = 0o700

_CLAIMED_NAME = re.compile(r"^(?P<original>.+\.jsonl)\.claimed-(?P<pid>\d+)$")


@dataclass(frozen=True)
class Entry:
    """One spooled write: ``target`` is None for lines spooled before targets were recorded."""

    op: str
    data: dict[str, Any]
    target: str | None


@dataclass(frozen=True)
class Line:
    """One line of a spool file as read: its bytes, and either its entry or why it is unreadable."""

    number: int
    raw: bytes
    entry: Entry | None
    problem: str | None = None


def to_plain(payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` as it will read back from a spool file: live and replayed writes see the same data."""
    return json.loads(json.dumps(payload, default=str))


def encode(op: str, payload: dict[str, Any], target: str) -> bytes:
    return (json.dumps({"op": op, "target": target, "data": payload}, default=str) + "\n").encode(
        "utf-8", "surrogatepass"
    )


def ensure_dir(spool_dir: Path) -> None:
    """Create the spool folder (0700); an existing one is made private too, it is ours."""
    ensure_state_dir(spool_dir.parent)  # .irl/ itself, with its .gitignore, when this makes it
    spool_dir.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if spool_dir.is_symlink():
        return  # somebody pointed it elsewhere on purpose: their folder, their permissions
    if spool_dir.stat().st_mode & 0o077:
        try:
            os.chmod(spool_dir, DIR_MODE)
        except OSError:  # another user's folder we may write into: still better kept than lost
            pass


def append(spool_dir: Path, stem: str, ops: Iterable[tuple[str, dict[str, Any]]], *, target: str) -> Path:
    """Add ``ops`` for the database ``target`` to ``<stem>.jsonl``; raises OSError if it cannot."""
    data = b"".join(encode(op, payload, target) for op, payload in ops)
    ensure_dir(spool_dir)
    path = spool_dir / f"{stem}{SUFFIX}"
    append_bytes(path, data)
    return path


def append_bytes(path: Path, data: bytes) -> None:
    """Append ``data`` (whole lines) to ``path`` under its lock, then fsync: on disk when this returns."""
    if not data:
        return
    fd = _open_locked(path)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            # An earlier append was cut short (a kill): end that line so this one stays readable.
            data = b"\n" + data
        try:
            _write_all(fd, data)
            os.fsync(fd)
        except OSError:
            # A full disk: take back the part written, so that these writes are either all kept
            # or all reported lost, never half of each.
            try:
                os.ftruncate(fd, size)
            except OSError:
                pass
            raise
    finally:
        os.close(fd)  # also releases the lock


def pending(spool_dir: Path, *, skip_prefix: str | None = None) -> list[Path]:
    """Files to replay, oldest first: unclaimed ones, and claims whose process is gone."""
    if not spool_dir.is_dir():
        return []
    files = []
    for path in spool_dir.iterdir():
        if skip_prefix and path.name.startswith(skip_prefix):
            continue
        if path.name.endswith(SUFFIX):
            files.append(path)
            continue
        match = _CLAIMED_NAME.match(path.name)
        if match and not _alive(int(match["pid"])):
            files.append(path)

    def order(p: Path) -> tuple[float, str]:
        try:
            return p.stat().st_mtime, p.name
        except FileNotFoundError:  # claimed by another replayer meanwhile
            return 0.0, p.name

    return sorted(files, key=order)


def original_of(path: Path) -> Path:
    match = _CLAIMED_NAME.match(path.name)
    return path.with_name(match["original"]) if match else path


def claim(path: Path) -> Path | None:
    """Rename ``path`` so that only this process replays it; None if another process took it.

    ``path`` is a spool file or a claim left by a dead process (taken over the same way).
    """
    claimed = original_of(path).with_name(f"{original_of(path).name}{CLAIMED}{os.getpid()}")
    if path == claimed:
        return claimed
    try:
        path.rename(claimed)
    except FileNotFoundError:
        return None
    return claimed


def read(claimed: Path) -> list[Line]:
    """Every line of a claimed file; a line that cannot be read says why, the others still count."""
    fd = os.open(claimed, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        if fcntl is not None:
            # Waits for an append that opened the file before it was claimed (see the module doc).
            fcntl.flock(fd, fcntl.LOCK_EX)
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    finally:
        os.close(fd)
    lines = []
    for number, raw in enumerate(b"".join(chunks).split(b"\n"), start=1):
        if raw.strip():
            lines.append(parse(number, raw))
    return lines


def parse(number: int, raw: bytes) -> Line:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Line(number, raw, None, f"invalid UTF-8 at byte {exc.start}")
    try:
        entry = json.loads(text)
    except ValueError as exc:
        return Line(number, raw, None, f"not JSON ({exc.msg})")
    if not isinstance(entry, dict):
        return Line(number, raw, None, f"a JSON {type(entry).__name__}, not an object")
    op, data, target = entry.get("op"), entry.get("data"), entry.get("target")
    if not isinstance(op, str) or not isinstance(data, dict) or not isinstance(target, (str, type(None))):
        return Line(number, raw, None, "not a spooled write (op, data, target)")
    return Line(number, raw, Entry(op, data, target))


def put_back(claimed: Path, raw_lines: list[bytes]) -> None:
    """End a claim, keeping ``raw_lines`` (in order) in the original file for a later replay.

    A file started meanwhile under the original name (its writer still runs) keeps its lines,
    after these: they are older.
    """
    original = original_of(claimed)
    if not raw_lines:
        claimed.unlink(missing_ok=True)
        return
    data = b"".join(line if line.endswith(b"\n") else line + b"\n" for line in raw_lines)
    tmp = claimed.with_name(claimed.name + ".tmp")
    _write_new(tmp, data)
    try:
        while True:
            try:
                os.link(tmp, original)  # only if no file has that name: never over a live writer's
                break
            except FileExistsError:
                pass
            except OSError:  # no hard links on this file system: a narrow race instead of none
                if not original.exists():
                    os.rename(tmp, original)
                    break
            try:
                fd = _open_locked(original, create=False)
            except FileNotFoundError:
                continue  # claimed by another replayer between the two calls: try again
            try:
                newer = b""
                while chunk := os.read(fd, 1 << 20):
                    newer += chunk
                _write_new(tmp, data + newer)
                os.replace(tmp, original)  # the writer waiting on our lock then sees a new file
                break
            finally:
                os.close(fd)
    finally:
        tmp.unlink(missing_ok=True)
    claimed.unlink(missing_ok=True)


def set_aside(claimed: Path, suffix: str, raw_lines: list[bytes]) -> Path | None:
    """Keep ``raw_lines`` in ``<original><suffix>`` (BAD or REJECTED), never replayed."""
    if not raw_lines:
        return None
    kept = original_of(claimed).with_name(original_of(claimed).name + suffix)
    append_bytes(kept, b"".join(line if line.endswith(b"\n") else line + b"\n" for line in raw_lines))
    return kept


# internals ---------------------------------------------------------------------------------
def _open_locked(path: Path, *, create: bool = True) -> int:
    """An fd for appending to what ``path`` names now, holding its lock (see the module doc)."""
    flags = os.O_RDWR | os.O_APPEND | getattr(os, "O_CLOEXEC", 0) | (os.O_CREAT if create else 0)
    while True:
        fd = os.open(path, flags, FILE_MODE)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            opened = os.fstat(fd)
            try:
                now = os.stat(path)
            except FileNotFoundError:
                now = None
            if now is not None and (now.st_ino, now.st_dev) == (opened.st_ino, opened.st_dev):
                if opened.st_mode & 0o077:
                    try:
                        os.fchmod(fd, FILE_MODE)  # written by an older version, world-readable
                    except OSError:
                        pass  # another user's file: still better kept than lost
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # claimed (renamed) while we waited: append to the new file instead
        if not create:
            raise FileNotFoundError(errno.ENOENT, "spool file claimed meanwhile", str(path))


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    try:
        _write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    except OSError:
        return False
    return _not_zombie(pid)


def _not_zombie(pid: int) -> bool:
    """A killed child its parent has not reaped yet answers ``kill 0``, yet will never act again."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True  # no /proc (macOS): trust kill 0
