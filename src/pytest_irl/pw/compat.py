"""Playwright internals the layer relies on, each behind one function that degrades.

Playwright's sync API runs every call as a task of an event loop that it drives only while a call
is in progress. A task started here, without waiting for it, therefore goes out with the test's
next call and is answered while that call runs: a question whose answer can wait (what the element
a step acted on looks like) then costs the test no round trip of its own.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterable
from typing import Any

import greenlet

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


# --- classes ----------------------------------------------------------------------------------------

def _web_error_class() -> type:
    # Exported by sync_api in newer releases; the class exists in older ones too.
    import playwright.sync_api as sync_api

    found = getattr(sync_api, "WebError", None)
    if found is None:
        from playwright.sync_api import _generated

        found = _generated.WebError
    return found  # type: ignore[no-any-return]


WebError = _web_error_class()


# --- assertions: ``expect(locator)`` ends in the impl Locator's ``_expect`` ------------------------

try:  # the impl Locator class that ``expect`` reaches: its module lost its underscore in 1.5x
    from playwright._impl.locator import Locator as LocatorImpl
except ImportError:
    from playwright._impl._locator import Locator as LocatorImpl  # type: ignore[no-redef]

try:  # Playwright >= 1.50: the helper its sync route handlers use
    from playwright._impl._greenlets import run_in_greenlet as _pw_run_in_greenlet
except ImportError:  # older: the same few lines, as its route handlers do them
    _pw_run_in_greenlet = None


class _StepGreenlet(greenlet.greenlet):
    def __str__(self) -> str:
        return "<IrlStepGreenlet>"


def run_in_greenlet(func: Callable[[], Any]) -> asyncio.Future[Any]:
    """From inside Playwright's dispatcher, run ``func`` (sync API calls and all) in a greenlet
    of its own; the future settles with its result or its error."""
    if _pw_run_in_greenlet is not None:
        return _pw_run_in_greenlet(_StepGreenlet, func)  # type: ignore[no-any-return]
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def body() -> None:
        try:
            future.set_result(func())
        except Exception as exc:
            future.set_exception(exc)

    _StepGreenlet(body).switch()
    return future


def caller_frame(task: Any) -> Any:
    """The frame of the test's call that a Playwright task runs for, where this version says."""
    frame = getattr(task, "__pw_caller_frame__", None)  # Playwright >= 1.52
    if frame is not None:
        return frame
    stack = getattr(task, "__pw_stack__", None)  # older: inspect.stack() of the call
    try:
        return stack[0].frame if stack else None
    except Exception:
        return None


def _takes_title() -> bool:
    try:
        return "title" in inspect.signature(LocatorImpl._expect).parameters
    except (TypeError, ValueError):
        return True


# ``_expect(expression, options, title)`` since Playwright 1.50 or so; ``(expression, options)`` before.
EXPECT_TAKES_TITLE = _takes_title()


def expect_args(expression: str, options: Any, title: str | None) -> tuple[Any, ...]:
    return (expression, options, title) if EXPECT_TAKES_TITLE else (expression, options)


def expect_result(locator: Any, expression: str, options: dict[str, Any], title: str | None,
                  ) -> dict[str, Any]:
    """Playwright's own verdict of one matcher on ``locator`` (a sync Locator): a dict with
    ``matches`` and what was received."""
    result = locator._sync(locator._impl_obj._expect(*expect_args(expression, options, title)))
    return result if isinstance(result, dict) else dict(result)
