"""Is a locator's element there? The one answer the policy, the healer and assertions share.

A locator is looked for only to decide whether it is broken (it matches nothing) and so worth
healing. Anything else is not for the layer to answer: several matches (strict mode), a closed
page, a detached frame all count as "present", so that the action or the assertion itself then
runs and raises exactly what Playwright raises for it. Every poll for a late element (the
healer's, the assertions') runs on :func:`poll_intervals`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

# A poll for a late element starts this often and slows down to this (seconds), by POLL_GROWTH.
POLL_START_S, POLL_MAX_S, POLL_GROWTH = 0.08, 0.4, 1.5


def present(locator: Any, within_ms: float) -> bool:
    """False only when ``locator`` certainly matched nothing for ``within_ms`` (0: now). Returns
    the moment it matches; one browser round trip when it already does (a count, which has no
    timeout to miss on a slow first call in a new document)."""
    try:
        if locator.count() > 0:
            return True
        if within_ms <= 0:
            return False
        locator.wait_for(state="attached", timeout=within_ms)
    except Exception as exc:
        # Several matches, a closed page: not a broken locator. Its action reports it.
        return not is_timeout(exc)
    return True


def poll_intervals(deadline: float) -> Iterator[float]:
    """The one poll loop: each round's interval (seconds), while a round of it still fits before
    ``deadline`` (a ``time.perf_counter()`` value). A round waits that long for the original."""
    interval = POLL_START_S
    while time.perf_counter() < deadline - interval:
        yield interval
        interval = min(POLL_MAX_S, interval * POLL_GROWTH)


def is_timeout(exc: BaseException) -> bool:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    return isinstance(exc, PlaywrightTimeout)
