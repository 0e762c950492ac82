"""Playwright internals the layer relies on, each behind one function that degrades.

Playwright's sync API runs every call as a task of an event loop that it drives only while a call
is in progress. A task started here, without waiting for it, therefore goes out with the test's
next call and is answered while that call runs: a question whose answer can wait (what the element
a step acted on looks like) then costs the test no round trip of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

# How long the end of a test waits for questions still in flight (they take milliseconds).
SETTLE_S = 2.0


def start(obj: Any, method: str, *args: Any) -> asyncio.Future[Any] | None:
    """Begin ``obj.<method>(*args)`` (a sync API object, positional arguments as the impl object
    takes them) without waiting; None when this Playwright does not allow it (then ask normally)."""
    impl = getattr(obj, "_impl_obj", None)
    loop = getattr(obj, "_loop", None)
    call = getattr(impl, method, None)
    if call is None or not isinstance(loop, asyncio.AbstractEventLoop) or loop.is_closed():
        return None
    try:
        return loop.create_task(call(*args))
    except Exception:
        return None


def when_done(future: asyncio.Future[Any], callback: Callable[[Any], None]) -> None:
    """``callback(result)`` once ``future`` succeeds; a failure (a closed page) is dropped, read."""

    def done(f: asyncio.Future[Any]) -> None:
        if f.cancelled() or f.exception() is not None:
            return
        try:
            callback(f.result())
        except Exception:
            pass  # learning never changes an outcome

    future.add_done_callback(done)


def settle(obj: Any, futures: Iterable[asyncio.Future[Any]], timeout_s: float = SETTLE_S) -> None:
    """Let ``futures`` finish (from test code, through ``obj``'s loop), for at most ``timeout_s``;
    those still running then are cancelled."""
    pending = {f for f in futures if not f.done()}
    if not pending:
        return
    sync = getattr(obj, "_sync", None)
    try:
        if sync is not None:
            sync(asyncio.wait(pending, timeout=timeout_s))
    except Exception:
        pass
    for future in pending:
        if not future.done():
            future.cancel()
