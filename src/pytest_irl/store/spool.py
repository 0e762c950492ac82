"""Writes that could not reach the database wait here, one JSON line each, until a later replay."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

SUFFIX = ".jsonl"


def to_plain(payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` as it will read back from a spool file: live and replayed writes see the same data."""
    return json.loads(json.dumps(payload, default=str))


def append(spool_dir: Path, stem: str, ops: Iterable[tuple[str, dict[str, Any]]]) -> Path:
    spool_dir.mkdir(parents=True, exist_ok=True)
    path = spool_dir / f"{stem}{SUFFIX}"
    with path.open("a", encoding="utf-8") as fh:
        for op, payload in ops:
            fh.write(json.dumps({"op": op, "data": payload}, default=str) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return path


def pending(spool_dir: Path, *, skip_prefix: str | None = None) -> list[Path]:
    if not spool_dir.is_dir():
        return []
    files = [p for p in spool_dir.glob(f"*{SUFFIX}") if not (skip_prefix and p.name.startswith(skip_prefix))]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))


def claim(path: Path) -> Path | None:
    """Rename ``path`` so that only one replaying process takes it; None if another one did."""
    claimed = path.with_name(f"{path.name}.claimed-{os.getpid()}")
    try:
        path.rename(claimed)
    except FileNotFoundError:
        return None
    return claimed


def release(claimed: Path) -> None:
    """Put back a claimed file whose replay failed."""
    original = claimed.with_name(claimed.name.rsplit(".claimed-", 1)[0])
    if original.exists():  # the writer started a new file meanwhile: keep both, in order
        with original.open("a", encoding="utf-8") as fh:
            fh.write(claimed.read_text(encoding="utf-8"))
        claimed.unlink()
    else:
        claimed.rename(original)


def reject(claimed: Path) -> Path:
    """Set aside a claimed file that the database refused: renamed ``*.rejected``, never replayed."""
    original = claimed.with_name(claimed.name.rsplit(".claimed-", 1)[0])
    kept = original.with_name(original.name + ".rejected")
    claimed.rename(kept)
    return kept


def read(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a line cut short by a crash mid-write: the rest of the file still counts
            yield entry["op"], entry["data"]
