"""What the runner, the assertions and the recording ask of a healer: the :class:`Healer`
protocol, its settings, and its answer (:class:`Heal`).

Callers use a healer only through this protocol; ``healer.ElementHealer`` and
``lists.ListFollowingHealer`` implement all of it (a type checker confirms it: ``wiring`` hands
one to code typed with the protocol).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Protocol

from ..heal import Fingerprint
from ..models import SelfHealing, Step
from ..reviews import Reviews
from .action import Action
from .context import TestContext
from .heal_log import HealLog
from .memory import Memory
from .observer import Questions
from .settings import HealSettings


class DriftRefused(Exception):
    """A locator that still matches, but now an element that was another one when it was learned,
    with no certain replacement: acting on it would be a silent wrong action."""


@dataclass
class Heal:
    """A healer's answer: act on ``locator``; ``info`` is None when that is the original locator."""

    locator: Any
    info: SelfHealing | None


class Healer(Protocol):
    """Every member any caller of a healer uses."""

    @property
    def settings(self) -> HealSettings: ...

    @property
    def memory(self) -> Memory: ...  # learned elements, and this session's heals

    @property
    def questions(self) -> Questions: ...  # learning questions on their way

    @property
    def reviews(self) -> Reviews: ...  # what people said about heals, loaded at start

    @property
    def log(self) -> HealLog: ...

    def heals(self, test: TestContext) -> bool: ...

    # learning
    def agrees(self, selector: str | None, fingerprint: Fingerprint) -> bool: ...

    def learn(self, selector: str | None, url: str | None, fingerprint: Fingerprint | dict[str, Any],
              test: TestContext) -> bool: ...

    def learn_by_query(self, action: Action, url: str | None,
                       test: TestContext) -> asyncio.Future[Any] | None: ...

    # healing
    def heal(self, action: Action, deadline: float, step: Step | None, test: TestContext) -> Heal | None: ...

    def resolve_ambiguous(self, action: Action, step: Step | None, deadline: float,
                          test: TestContext) -> Heal | None: ...

    def checks_drift(self, action: Action, test: TestContext) -> bool: ...

    def check_drift(self, action: Action, step: Step | None, deadline: float,
                    test: TestContext) -> Heal | None: ...

    def review_gate(self, step: Step | None, info: SelfHealing) -> SelfHealing | None: ...
