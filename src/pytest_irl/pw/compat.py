"""Playwright internals the layer relies on, each behind one function that degrades.

Playwright's sync API runs every call as a task of an event loop that it drives only while a call
is in progress. A task started here, without waiting for it, therefore goes out with the test's
next call and is answered while that call runs: a question whose answer can wait (what the element
a step acted on looks like) then costs the test no round trip of its own.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import inspect
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

import greenlet

from . import call_log

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


class _ExpectingLocatorImpl(LocatorImpl):
    """Playwright's impl Locator whose ``_expect`` (where every ``expect(locator)`` matcher ends)
    runs ``_irl_on_expect`` in a greenlet of its own instead: a recorded, healable step."""

    _api_impl_class = LocatorImpl  # Playwright's API mapping treats it as its own Locator
    _irl_on_expect: Callable[[str, dict[str, Any], str | None, Any], Any] | None = None

    async def _expect(self, expression: str, options: Any, title: str | None = None) -> Any:
        on_expect = self._irl_on_expect
        if on_expect is None:
            return await super()._expect(*expect_args(expression, options, title))
        caller = caller_frame(asyncio.current_task())
        opts = dict(options)
        return await run_in_greenlet(lambda: on_expect(expression, opts, title, caller))


def expecting_impl(locator: Any, on_expect: Callable[[str, dict[str, Any], str | None, Any], Any]) -> Any:
    """A copy of ``locator``'s impl object (same state) whose assertions call
    ``on_expect(expression, options, title, caller_frame)``; give it to ``Locator.__init__``."""
    impl = locator._impl_obj
    obj = _ExpectingLocatorImpl.__new__(_ExpectingLocatorImpl)
    obj.__dict__.update({k: v for k, v in impl.__dict__.items() if not k.startswith("_pw_api_instance")})
    obj._irl_on_expect = on_expect
    return obj


# --- the sync API's objects ------------------------------------------------------------------------


def init_like(wrapper: Any, inner: Any, impl: Any = None) -> None:
    """Initialise ``wrapper`` (an instance of a subclass of ``type(inner)``) as a second sync
    object over ``inner``'s impl object (or ``impl``)."""
    type(inner).__init__(wrapper, impl if impl is not None else inner._impl_obj)


def selector_of(locator: Any) -> str:
    """The selector Playwright built for ``locator`` (a sync Locator)."""
    return str(locator._impl_obj._selector)


def timeout_ms(obj: Any, explicit: float | None, navigation: bool = False) -> float | None:
    """The timeout an action of ``obj`` (a sync Locator, Page or Frame) runs with: ``explicit``,
    else the page's default (``set_default_timeout``), else None (Playwright's own default)."""
    impl = getattr(obj, "_impl_obj", None)
    settings = getattr(impl, "_timeout_settings", None)
    if settings is None:
        page = getattr(impl, "_page", None) or getattr(getattr(impl, "_frame", None), "_page", None)
        settings = getattr(page, "_timeout_settings", None)
    if settings is None:
        return explicit
    try:
        return settings.navigation_timeout(explicit) if navigation else settings.timeout(explicit)  # type: ignore[no-any-return]
    except Exception:
        return explicit


def own_context(page: Any, context: Any) -> bool:
    """Tie ``page`` to ``context`` as ``browser.new_page()`` does (closing the page closes the
    context; ``page.context.new_page()`` is refused). False where this Playwright ties them
    otherwise (then let it make the page)."""
    page_impl, context_impl = page._impl_obj, context._impl_obj
    if not (hasattr(page_impl, "_owned_context") and hasattr(context_impl, "_owner_page")):
        return False
    page_impl._owned_context = context_impl
    context_impl._owner_page = page_impl
    return True


def async_side(obj: Any) -> tuple[Any, asyncio.AbstractEventLoop] | None:
    """``obj``'s impl object and the loop it runs on, to call its async methods from a callback
    of Playwright's loop; None where this Playwright does not have them."""
    impl = getattr(obj, "_impl_obj", None)
    loop = getattr(obj, "_loop", None) or getattr(impl, "_loop", None)
    if impl is None or not isinstance(loop, asyncio.AbstractEventLoop):
        return None
    return impl, loop


# --- acting first: what a timed-out first try had done, and the navigation it may have started --

def first_try_state(exc: BaseException, action: str) -> str:
    """How far a first try of ``action`` that timed out with ``exc`` got (``call_log.classify``)."""
    return call_log.classify(str(exc), action)


class _Navigations:
    """Counts the navigations (committed, same-document or failed) of one main frame, as the
    client hears of them: what an action that started one waits for."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, _event: Any) -> None:
        self.count += 1


def navigation_count(page: Any) -> int | None:
    """How many navigations ``page``'s main frame has had since the layer first asked; None where
    this Playwright does not tell (then no action may be cut short: see ``Policy``)."""
    try:
        impl = page.main_frame._impl_obj
        counter = impl.__dict__.get("_irl_navigations")
        if counter is None:
            counter = _Navigations()
            impl._event_emitter.on("navigated", counter)  # the frame's own, failures included
            impl._irl_navigations = counter
        return int(counter.count)
    except Exception:
        return None


def wait_for_navigation(page: Any, since: int, deadline: float) -> bool:
    """Wait until ``page``'s main frame has navigated past ``since`` (a ``navigation_count``), or
    the page closed, as a pointer action that started a navigation does; False when
    ``deadline`` (``time.perf_counter()``) came first."""
    interval = 0.02
    while True:
        now_count = navigation_count(page)
        if now_count is None or now_count != since or page.is_closed():
            return True
        left = deadline - time.perf_counter()
        if left <= 0:
            return False
        try:
            pause(page, min(interval, left))
        except Exception:
            return True  # closed while waiting: so does the action, successfully
        interval = min(0.1, interval * 2)


def pause(obj: Any, seconds: float) -> None:
    """Let ``seconds`` pass while the client hears its events (through ``obj``'s loop), without
    asking the browser anything: a call to a page (even ``wait_for_timeout``) can be held up by
    the navigation being waited for. Where this Playwright has no loop to run, ``obj``'s
    ``wait_for_timeout``."""
    sync = getattr(obj, "_sync", None)
    if sync is None:
        obj.wait_for_timeout(seconds * 1000.0)
        return
    sync(asyncio.sleep(seconds))


_TIMEOUT_TEXT = re.compile(r"Timeout [\d.]+ms exceeded")


def timed_out(exc: BaseException, timeout_ms: float) -> BaseException:
    """``exc`` (a first try's TimeoutError) as a single call with ``timeout_ms`` reports it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    text = _TIMEOUT_TEXT.sub(f"Timeout {timeout_ms:g}ms exceeded", str(exc), count=1)
    return PlaywrightTimeout(text)


# --- probes: each feature that needs an internal is checked once, and off (said once) without it ---

EXPECT_STEPS = "assertion steps"
PAGE_TIMEOUTS = "page default timeouts"
ACT_FIRST = "acting before looking"


def _probe_expect() -> str | None:
    method = getattr(LocatorImpl, "_expect", None)
    if method is None or not inspect.iscoroutinefunction(method):
        return "expect(...) is neither recorded nor healed (its Locator has no async _expect)"
    return None


def _probe_timeouts() -> str | None:
    for module in ("playwright._impl.timeout_settings", "playwright._impl._helper"):
        try:
            settings = getattr(importlib.import_module(module), "TimeoutSettings", None)
        except ImportError:
            continue
        if settings is not None and hasattr(settings, "timeout") and hasattr(settings, "navigation_timeout"):
            return None
    return ("retry budgets assume Playwright's 30 s default, not set_default_timeout() (no"
            " TimeoutSettings found)")


def _probe_act_first() -> str | None:
    problem = call_log.probe()
    if problem is None:
        return None
    return f"each action looks for its element first, one more browser round trip ({problem})"


_PROBES: dict[str, Callable[[], str | None]] = {
    EXPECT_STEPS: _probe_expect, PAGE_TIMEOUTS: _probe_timeouts, ACT_FIRST: _probe_act_first,
}


@functools.cache
def unavailable() -> dict[str, str]:
    """Features the installed Playwright does not allow, each with what the user loses."""
    found: dict[str, str] = {}
    for feature, probe in _PROBES.items():
        try:
            problem = probe()
        except Exception as exc:  # a probe must never break a run
            problem = f"could not be checked ({type(exc).__name__})"
        if problem is not None:
            found[feature] = problem
    return found


def available(feature: str) -> bool:
    return feature not in unavailable()


def unavailable_lines() -> list[str]:
    """One line per feature that is off, naming the Playwright version."""
    version = _playwright_version()
    return [f"{feature} off with Playwright {version}: {why}" for feature, why in unavailable().items()]


def _playwright_version() -> str:
    try:
        from importlib.metadata import version

        return version("playwright")
    except Exception:
        return "?"
