"""Page, Frame, Locator, FrameLocator, BrowserContext and Browser wrappers.

Each wrapper is a subclass of Playwright's own sync API class built on the same implementation
object, so ``isinstance`` and ``expect(...)`` work and every method keeps its signature. Methods
that return Playwright objects return wrapped ones (so chains stay wrapped); the user-facing
actions go through ``Layer.run`` and so through the retry-and-heal policy. Nothing in Playwright
itself is patched.

Every other way a Playwright object reaches test code hands out the wrapped object too, and the
same one each time: event callbacks (``on``/``once``), ``expect_*`` values and their predicates,
``wait_for_event``, and the objects events carry (a console message's, dialog's or download's
``page``, a request's ``frame``), so that ``p is page`` holds wherever ``p`` came from.

The parts: wrapping.py (the base, ``wrap``/``unwrap``), actions.py (the recorded actions),
events.py (callbacks, ``expect_*``, ``wait_for_event``); this module puts them together into
the wrapper classes and is where importers find them all.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Download,
    FileChooser,
    Frame,
    FrameLocator,
    Keyboard,
    Locator,
    Mouse,
    Page,
    Request,
    Response,
)

from .actions import (
    KEYBOARD_STEPS,
    LIST_QUERIES,
    LOCATOR_ACTIONS,
    MOUSE_STEPS,
    NAVIGATIONS,
    SELECTOR_ACTIONS,
    device_actions,
    locator_actions,
    page_like_actions,
)
from .assertions import run_expect
from .engine.layer import Layer
from .events import IrlEmitter, event_method, listener_for, waiting_method
from .pw import compat
from .pw.compat import WebError
from .wrapping import WRAPPERS, IrlObject, instrument_context_of, unwrap, wrap

__all__ = [
    "LIST_QUERIES", "LOCATOR_ACTIONS", "NAVIGATIONS", "SELECTOR_ACTIONS", "IrlBrowser",
    "IrlBrowserContext", "IrlConsoleMessage", "IrlDialog", "IrlDownload", "IrlFileChooser", "IrlFrame",
    "IrlFrameLocator", "IrlKeyboard", "IrlLocator", "IrlMouse", "IrlObject", "IrlPage", "IrlRequest",
    "IrlResponse", "IrlWebError",
    "unwrap", "wrap",
]
# The names these had when they lived here (tests import the listener one).
_listener_for = listener_for
_IrlObject = IrlObject
_WRAPPERS = WRAPPERS

# Classes with a wrapper, as named in return annotations: whole words, so that ``BrowserType``
# or ``APIRequestContext`` is not taken for ``Browser`` or ``Request``.
_WRAPPABLE_NAMES = (
    "Locator", "FrameLocator", "Frame", "Page", "BrowserContext", "Browser", "ConsoleMessage", "Dialog",
    "Download", "FileChooser", "Request", "Response", "WebError",
)
_WRAPPABLE = re.compile(r"\b(?:" + "|".join(_WRAPPABLE_NAMES) + r")\b")


def _returns_wrappable(annotation: Any) -> bool:
    text = str(annotation)
    return "EventContextManager" not in text and _WRAPPABLE.search(text) is not None


def _returns_event(annotation: Any) -> bool:
    return "EventContextManager" in str(annotation)


def _wrapping_method(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def method(self: IrlObject, *args: Any, **kwargs: Any) -> Any:
        return wrap(fn(self, *args, **kwargs), self._irl_layer)

    return method


def _install(cls: type[IrlObject], base: type, actions: dict[str, Callable[..., Any]]) -> type:
    """Give ``cls`` the recorded ``actions``, a wrapping version of every chaining member, and
    ``expect_*`` / ``wait_for_event`` that hand back wrapped objects."""
    for name, method in actions.items():
        setattr(cls, name, method)
    for name, attr in vars(base).items():
        if name.startswith("_") or name in cls.__dict__:
            continue
        if isinstance(attr, property) and attr.fget is not None:
            if _returns_wrappable(attr.fget.__annotations__.get("return")):
                setattr(cls, name, property(_wrapping_method(attr.fget), attr.fset))
        elif callable(attr):
            annotation = getattr(attr, "__annotations__", {}).get("return")
            if _returns_event(annotation):
                setattr(cls, name, event_method(base, name))
            elif name == "wait_for_event":  # typed Any: its result is whatever the event carried
                setattr(cls, name, waiting_method(base, name))
            elif _returns_wrappable(annotation):
                setattr(cls, name, _wrapping_method(attr))
    WRAPPERS[base] = cls
    return cls


class IrlLocator(IrlObject, Locator):
    _irl_shared = False  # a locator is a value: every call makes a new one

    def _irl_setup(self, inner: Any, layer: Layer) -> None:
        # Built on a copy of the impl whose ``_expect`` is a recorded, healable step, so that an
        # unchanged ``expect(locator)`` goes through the layer (see assertions.py).
        if compat.available(compat.EXPECT_STEPS):
            on_expect = functools.partial(run_expect, layer, inner, compat.selector_of(inner))
            compat.init_like(self, inner, compat.expecting_impl(inner, on_expect))
        else:  # said once at the start (Recording): expect(...) is Playwright's own then
            compat.init_like(self, inner)
        self._irl_inner = inner
        self._irl_layer = layer


class IrlFrameLocator(IrlObject, FrameLocator):
    _irl_shared = False


class IrlFrame(IrlObject, Frame):
    pass


class IrlKeyboard(IrlObject, Keyboard):
    _irl_page: Any = None  # the raw page it types into: its URL goes into each step


class IrlMouse(IrlObject, Mouse):
    _irl_page: Any = None


def _device(page: IrlPage, raw: Any) -> Any:
    device = wrap(raw, page._irl_layer)
    device._irl_page = page._irl_inner
    return device


class IrlPage(IrlEmitter, Page):
    @property
    def screencast(self) -> Any:
        return _TestScreencast(self._irl_inner, self._irl_layer)

    @property
    def keyboard(self) -> Keyboard:
        return _device(self, self._irl_inner.keyboard)  # type: ignore[no-any-return]

    @property
    def mouse(self) -> Mouse:
        return _device(self, self._irl_inner.mouse)  # type: ignore[no-any-return]

    def _irl_wrapped(self) -> None:
        # A page reaches the test from anywhere (a page of browser.contexts, an event's page, a
        # persistent context): its context gets the page observer, wherever it was made.
        instrument_context_of(self._irl_inner, self._irl_layer)


class _TestScreencast:
    """The test's own ``page.screencast``: the live stream's screencast of the page (a page has
    only one) steps aside before the test's starts, and comes back once it has stopped."""

    def __init__(self, page: Any, layer: Layer) -> None:
        self._page = page
        self._inner = page.screencast
        self._layer = layer

    def start(self, *args: Any, **kwargs: Any) -> Any:
        self._layer.before_test_screencast(self._page)
        return self._inner.start(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class IrlBrowserContext(IrlEmitter, BrowserContext):
    def _irl_wrapped(self) -> None:
        self._irl_layer.instrument_context(self._irl_inner)

    def close(self, *args: Any, **kwargs: Any) -> None:
        # pytest-playwright replaces ``close`` on its own context object: keep its bookkeeping.
        self._irl_inner.close(*args, **kwargs)


class IrlBrowser(IrlEmitter, Browser):
    @functools.wraps(Browser.new_page)
    def new_page(self, **kwargs: Any) -> Any:
        # Playwright's own new_page makes a context and a page in it. Made here through the
        # wrapped context, the context has the page observer before its page exists, so the
        # page's first document has it too (set_content writes into that document).
        context = self.new_context(**kwargs)
        page = context.new_page()
        # Tied as Playwright ties them: closing the page closes its context, which refuses a
        # second page.
        if not compat.own_context(page, context):
            # A Playwright that ties a page to its own context differently: let it make the
            # page (its context is instrumented when the page is wrapped, from its next document).
            context.close()
            return wrap(Browser.new_page(self, **kwargs), self._irl_layer)
        return page


class IrlConsoleMessage(IrlObject, ConsoleMessage):
    pass


class IrlDialog(IrlObject, Dialog):
    pass


class IrlDownload(IrlObject, Download):
    pass


class IrlFileChooser(IrlObject, FileChooser):
    pass


class IrlRequest(IrlObject, Request):
    pass


class IrlResponse(IrlObject, Response):
    pass


class IrlWebError(IrlObject, WebError):
    pass


_install(IrlLocator, Locator, locator_actions())
_install(IrlFrameLocator, FrameLocator, {})
_install(IrlFrame, Frame, page_like_actions(Frame))
_install(IrlPage, Page, page_like_actions(Page))
_install(IrlBrowserContext, BrowserContext, {})
_install(IrlBrowser, Browser, {})
_install(IrlKeyboard, Keyboard, device_actions(Keyboard, "keyboard", KEYBOARD_STEPS))
_install(IrlMouse, Mouse, device_actions(Mouse, "mouse", MOUSE_STEPS))
for _wrapper_class, _base_class in (
    (IrlConsoleMessage, ConsoleMessage), (IrlDialog, Dialog), (IrlDownload, Download),
    (IrlFileChooser, FileChooser), (IrlRequest, Request), (IrlResponse, Response), (IrlWebError, WebError),
):
    _install(_wrapper_class, _base_class, {})
