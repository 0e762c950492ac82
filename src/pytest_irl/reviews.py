"""Heal review, the engine's side: what a person said about a heal, read once at session start.

A heal is identified as ``irl healed`` and ``irl fix`` group heals: the call site (``file:line``),
the original locator as written, and the locator suggested instead (Python where one was made,
else the healed selector). ``heal_id`` hashes the three, so the engine, the CLI and ``irl serve``
name a heal the same way without a row for it until someone reviews it.

- **rejected**: the engine refuses that heal from then on, and the step says why in its
  ``healRefused`` (nothing was healed, so there is no ``selfHealing``), like any other refusal;
- **accepted**: the heal is made as before, its ``selfHealing`` carries ``review`` (it is never
  hidden from the record), and it no longer counts as a test that passed only through an
  unreviewed heal (the ``H`` letter and ``--irl-heal-fails``). The store also made the accepted
  element what is learned for the original locator (``store/reviews.py``).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .models import SelfHealing

Verdict = Literal["accepted", "rejected"]
VERDICTS: tuple[Verdict, ...] = ("accepted", "rejected")
ID_CHARS = 16  # hex digits of the id kept; `irl review` shows fewer, any unique prefix is enough


def heal_id(location: str | None, original: str, suggested: str) -> str:
    text = "\x1f".join((location or "", original, suggested))
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:ID_CHARS]


def suggested_of(info: SelfHealing) -> str:
    """What a heal suggests, as the store's ``healed_locators`` reads it from a step."""
    return info.suggested_locator or info.healed_selector


@dataclass(frozen=True)
class Review:
    heal_id: str
    verdict: Verdict
    reviewed_at: datetime | None = None

    def describe(self) -> str:
        when = f" on {self.reviewed_at:%Y-%m-%d %H:%M} UTC" if self.reviewed_at is not None else ""
        return f"{self.verdict} in review{when} (heal {self.heal_id[:8]})"

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"healId": self.heal_id, "verdict": self.verdict}
        if self.reviewed_at is not None:
            data["reviewedAt"] = self.reviewed_at.isoformat()
        return data


class Reviews:
    """This session's copy of the verdicts: loaded with one query when the store is ready (the
    recording's ``_load_memory``); a heal about to be applied waits for them as it waits for what
    was learned."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_id: dict[str, Review] = {}
        # Set: nothing to wait for (a layer without a store). A recording clears it until the store
        # has answered, so that a heal made meanwhile does not miss a rejection.
        self.loaded = threading.Event()
        self.loaded.set()

    def wait(self, seconds: float) -> None:
        self.loaded.wait(seconds)

    def load(self, reviews: list[Review]) -> None:
        with self._lock:
            self._by_id.update({review.heal_id: review for review in reviews})
        self.loaded.set()

    def of(self, location: str | None, info: SelfHealing) -> Review | None:
        key = heal_id(location, info.original_selector, suggested_of(info))
        with self._lock:
            return self._by_id.get(key)

    def __len__(self) -> int:
        return len(self._by_id)


def refusal(info: SelfHealing, review: Review) -> dict[str, Any]:
    """The step's ``healRefused`` for a heal a person rejected."""
    return {
        "strategy": info.strategy,
        "originalSelector": info.original_selector,
        "healedSelector": info.healed_selector,
        "suggestedLocator": info.suggested_locator,
        "note": f"refused: this heal was {review.describe()}; `irl review accept` undoes it",
        "score": info.score,
        "candidates": info.candidates or [],
        "review": review.as_json(),
    }


def gate(reviews: Reviews, step: Any, info: SelfHealing) -> SelfHealing | None:
    """``info`` as it may be applied: None for a heal a person rejected (the step's
    ``healRefused`` then says so), marked ``review`` for one a person accepted."""
    review = reviews.of(step.location if step is not None else None, info)
    if review is None:
        return info
    if review.verdict == "rejected":
        if step is not None:
            step.heal_refused = refusal(info, review)
        return None
    return info.model_copy(update={"review": review.as_json()})


def unreviewed_heals(steps: list[Any]) -> int:
    """Heals of a run that no one has accepted: what makes a test "passed only through a heal"."""
    count = 0
    for step in steps:
        heal = step.self_healing
        if heal is not None and (getattr(heal, "review", None) or {}).get("verdict") != "accepted":
            count += 1
    return count
