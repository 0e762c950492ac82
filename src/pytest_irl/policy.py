"""The retry-and-heal loop every recorded action goes through.

An :class:`Action` says what to do and on which locator; :class:`Policy` runs it, retries what is
transient inside the action's own timeout, asks a :class:`Healer` (when one is set) for a
replacement when the locator is broken, and writes every try into the step's ``attempts``. The
error the test sees is always the original one: the layer never changes a failure's type.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .models import Attempt, SelfHealing, Step

DEFAULT_TIMEOUT_MS = 30_000.0
MAX_RETRIES = 5
BACKOFF_MS = (50, 100, 200, 400, 800)

NOT_HEALED: Any = object()  # an action's own result may be None, so "no heal" needs its own value

# Messages of failures that another try can fix: the element or document went away while the
# action ran (a re-render, a navigation). Playwright itself already waits for actionability.
TRANSIENT_MARKERS = (
    "element is not attached to the dom",
    "element was detached",
    "execution context was destroyed",
    "cannot find context with specified id",
    "frame was detached",
    "most likely because of a navigation",
    "inspected target navigated or closed",
)


def is_transient(exc: BaseException) -> bool:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    if isinstance(exc, PlaywrightTimeout):
        return False
    message = str(exc).lower()
    return any(marker in message for marker in TRANSIENT_MARKERS)


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    head = text.splitlines()[0] if text else type(exc).__name__
    return f"{type(exc).__name__}: {head}"[:500]


@dataclass
class Action:
    """One user-facing call: ``perform(locator, timeout_ms)`` does it on ``locator``.

    ``timeout_ms`` is None for "as the caller asked"; retries pass what is left of the budget.
    """

    name: str
    perform: Callable[[Any, float | None], Any]
    target: Any = None  # the raw playwright Locator the test built, None for page-level calls
    selector: str | None = None
    timeout_ms: float = DEFAULT_TIMEOUT_MS
    healable: bool = True
    value: Any = None
    owner: Any = None  # the raw Page or Frame of a page-level call (its URL goes into the step)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Heal:
    """A healer's answer: act on ``locator`` instead, and record ``info``."""

    locator: Any
    info: SelfHealing


class Healer(Protocol):
    def heal(self, action: Action, error: BaseException, remaining_ms: float) -> Heal | None: ...


class Policy:
    def __init__(self, healer: Healer | None = None) -> None:
        self.healer = healer

    def execute(self, action: Action, step: Step | None) -> Any:
        started = time.perf_counter()
        deadline = started + action.timeout_ms / 1000.0
        attempts: list[Attempt] = [] if step is None else step.attempts
        timeout: float | None = None
        strategy = "original"
        retries = 0
        while True:
            t0 = time.perf_counter()
            try:
                result = action.perform(action.target, timeout)
            except Exception as exc:
                attempts.append(_attempt(strategy, action.selector, t0, exc))
                remaining_ms = (deadline - time.perf_counter()) * 1000.0
                if is_transient(exc) and retries < MAX_RETRIES and remaining_ms > BACKOFF_MS[retries] * 2:
                    time.sleep(BACKOFF_MS[retries] / 1000.0)
                    retries += 1
                    strategy = "retry"
                    timeout = max(1.0, (deadline - time.perf_counter()) * 1000.0)
                    continue
                healed = self._heal(action, exc, remaining_ms, step, attempts)
                if healed is NOT_HEALED:
                    raise
                return healed
            attempts.append(_attempt(strategy, action.selector, t0, None))
            return result

    def _heal(
        self, action: Action, error: BaseException, remaining_ms: float, step: Step | None,
        attempts: list[Attempt],
    ) -> Any:
        if self.healer is None or not action.healable or action.target is None:
            return NOT_HEALED
        heal = self.healer.heal(action, error, remaining_ms)
        if heal is None:
            return NOT_HEALED
        t0 = time.perf_counter()
        try:
            result = action.perform(heal.locator, max(1.0, remaining_ms))
        except Exception as exc:
            attempts.append(_attempt(heal.info.strategy, heal.info.healed_selector, t0, exc))
            return NOT_HEALED
        attempts.append(_attempt(heal.info.strategy, heal.info.healed_selector, t0, None))
        if step is not None:
            step.self_healing = heal.info
        return result


def _attempt(strategy: str, selector: str | None, t0: float, exc: BaseException | None) -> Attempt:
    return Attempt(
        strategy=strategy,
        selector=selector,
        outcome="ok" if exc is None else "error",
        error=None if exc is None else first_line(exc),
        duration_ms=round((time.perf_counter() - t0) * 1000.0, 2),
    )
