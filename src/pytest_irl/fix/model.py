"""What `irl fix` is given (one heal per call site) and what it decides (a plan of file edits)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path


def file_sha256(path: Path) -> str | None:
    """The SHA-256 of a file's bytes, as recorded with a run's steps (``sourceSha256``)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


@dataclass(frozen=True)
class Fix:
    path: str
    line: int
    original_selector: str
    suggested: str
    score: float | None = None
    # The SHA-256 of the file when the heal was recorded; None from runs that did not record it.
    source_sha256: str | None = None
    # When the run that healed it started (seconds since the epoch): a definition in another file
    # modified after that is not rewritten.
    seen_at: float | None = None

    @classmethod
    def from_location(
        cls,
        location: str,
        original_selector: str,
        suggested: str,
        score: float | None = None,
        source_sha256: str | None = None,
        seen_at: float | None = None,
    ) -> Fix:
        """A fix from a recorded ``path:LINE`` location."""
        path, sep, line = location.rpartition(":")
        if not sep or not path or not line.strip().isdigit():
            raise ValueError(f"not a path:LINE location: {location!r}")
        return cls(path, int(line), original_selector, suggested, score, source_sha256, seen_at)

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Disagreement:
    """Heals that would rewrite one definition differently: every suggestion with its call sites."""

    definition: str  # ``path:LINE`` and the code that is written there
    suggestions: tuple[tuple[str, tuple[str, ...]], ...]  # (rewritten code, call sites)


@dataclass(frozen=True)
class Outcome:
    fix: Fix
    applied: bool
    reason: str = ""  # why it was skipped; empty when applied
    before: str | None = None  # the code that was (or would have been) replaced
    after: str | None = None
    definition: str | None = None  # where the rewrite goes, ``path:LINE``
    disagreement: Disagreement | None = None


@dataclass(frozen=True)
class FilePlan:
    path: Path
    display: str  # the path as shown in diffs: relative to the root when inside it
    old_text: str
    new_text: str
    bom: bool = False

    @property
    def changed(self) -> bool:
        return self.old_text != self.new_text


@dataclass(frozen=True)
class Plan:
    files: list[FilePlan]
    outcomes: list[Outcome]  # one per fix given, in the order given
    disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def applied(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.applied]

    @property
    def skipped(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.applied]
