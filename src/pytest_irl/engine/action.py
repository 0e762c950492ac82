"""What one step is: an :class:`Action` (what to do, on which locator), and the record of each
try of it (an ``Attempt``). Everything the runner, the healers and the wrappers share about a
step lives here, below all of them, so that none of them has to import another to speak of it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ..models import Attempt

DEFAULT_TIMEOUT_MS = 30_000.0

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


def is_strict_violation(exc: BaseException) -> bool:
    """The locator matches several elements (Playwright's strict mode refused to pick one)."""
    return "strict mode violation" in str(exc).lower()


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
    # The test's call site, when the stack the step runs on does not reach the test (an assertion
    # runs in a greenlet of its own); None: found from the stack.
    location: str | None = None
    # Whether a success teaches the healer the one element ``target`` matched (not for a list, an
    # element asserted absent, a query).
    learns_element: bool = True


def left_ms(deadline: float) -> float:
    return max(1.0, (deadline - time.perf_counter()) * 1000.0)


Outcome = Literal["ok", "error", "waiting"]


def attempt_of(
    strategy: str, selector: str | None, t0: float, exc: BaseException | None, outcome: Outcome | None = None,
) -> Attempt:
    return Attempt(
        strategy=strategy,
        selector=selector,
        outcome=outcome or ("ok" if exc is None else "error"),
        error=None if exc is None else first_line(exc),
        duration_ms=round((time.perf_counter() - t0) * 1000.0, 2),
    )
