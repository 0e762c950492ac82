"""The healed locators listed at the end of an ``--irl`` session (``recording.py``), one per call
site and original locator, each marked with what a person said of it in review (``irl review``,
``irl serve``): an accepted heal was applied as before, a rejected one was refused. A person who
reviewed a heal sees it is the same one, rather than a new heal to look at."""

from __future__ import annotations

from dataclasses import dataclass

from .models import SelfHealing


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
        """What the list adds after a reviewed heal (nothing for one not reviewed)."""
        if self.verdict == "accepted":
            return "  [accepted in review]"
        if self.verdict == "rejected":
            return "  [rejected in review: refused, not applied]"
        return ""


def heal_record(location: str | None, info: SelfHealing, shown: str, strategy: str) -> HealRecord:
    """The record of a heal; its verdict is the one ``reviews.gate`` put into ``info.review``."""
    verdict = (info.review or {}).get("verdict")
    return HealRecord(location, info.original_selector, shown, info.score, strategy,
                      verdict if isinstance(verdict, str) else None)


def listed(records: list[HealRecord], location: str | None, record: HealRecord) -> None:
    """Adds ``record`` unless its call site and original locator are listed already."""
    if not any(h.location == location and h.original == record.original for h in records):
        records.append(record)
