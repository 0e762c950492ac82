"""The one log of the heals applied in a session, element and list heals alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..models import SelfHealing, Step


@dataclass
class HealRecord:
    """One healed locator, for the end-of-session list."""

    location: str | None
    original: str
    suggested: str
    score: float | None
    strategy: str
    verdict: str | None = None  # "accepted" (applied) or "rejected" (refused) in review

    def mark(self) -> str:
        """What the list adds after a reviewed heal: a person who reviewed it sees it is the same
        one, not a new heal to look at (nothing for one not reviewed)."""
        if self.verdict == "accepted":
            return "  [accepted in review]"
        if self.verdict == "rejected":
            return "  [rejected in review: refused, not applied]"
        return ""


def _verdict(info: SelfHealing) -> str | None:
    verdict = (info.review or {}).get("verdict")  # what reviews.gate put there
    return verdict if isinstance(verdict, str) else None


class HealLog:
    """Every heal applied, once per call site and locator (the end-of-session list); and who is
    told of each as it is applied (the recording takes the heal's screenshot)."""

    def __init__(self) -> None:
        self.records: list[HealRecord] = []
        # Called with the healed element and its step; None: nobody asked (the tests' own layers).
        self.on_heal: Callable[[Any, Step], None] | None = None

    def applied(self, step: Step | None, element: Any, info: SelfHealing, shown: str, strategy: str) -> None:
        # A heal with no step is part of another (a chain's healed list): that one is listed.
        if step is None:
            return
        if self.on_heal is not None:
            self.on_heal(element, step)
        self._list(HealRecord(step.location, info.original_selector, shown, info.score, strategy,
                              _verdict(info)))

    def refused_in_review(self, step: Step, info: SelfHealing, shown: str) -> None:
        """A heal a person rejected, met again and refused: listed too, marked so."""
        self._list(HealRecord(step.location, info.original_selector, shown, info.score, info.strategy,
                              "rejected"))

    def _list(self, record: HealRecord) -> None:
        if not any(r.location == record.location and r.original == record.original for r in self.records):
            self.records.append(record)
