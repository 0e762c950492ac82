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
        location = step.location
        if not any(r.location == location and r.original == info.original_selector for r in self.records):
            self.records.append(HealRecord(location, info.original_selector, shown, info.score, strategy))
