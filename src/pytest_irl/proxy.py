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
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Download,
    FileChooser,
    Frame,
    FrameLocator,
    Locator,
    Page,
    Request,
    Response,
    WebError,
)

from .policy import DEFAULT_TIMEOUT_MS, Action, first_line

if TYPE_CHECKING:
    from .layer import Layer

# Locator methods that are steps. Reads are steps too: a test that reads a renamed element breaks
# just like one that clicks it.
LOCATOR_ACTIONS = (
    "click", "dblclick", "tap", "fill", "clear", "press", "press_sequentially", "type", "check",
    "uncheck", "set_checked", "select_option", "select_text", "hover", "focus", "set_input_files",
    "drag_to", "dispatch_event", "scroll_into_view_if_needed", "text_content", "inner_text",
    "inner_html", "input_value", "get_attribute", "wait_for",
)
# The same actions on Page and Frame, which take a selector as their first argument.
SELECTOR_ACTIONS = (
    "click", "dblclick", "tap", "fill", "press", "type", "check", "uncheck", "set_checked",
    "select_option", "hover", "focus", "set_input_files", "dispatch_event", "text_content",
    "inner_text", "inner_html", "input_value", "get_attribute",
)
NAVIGATIONS = ("goto", "reload", "go_back", "go_forward")
# Queries about a list: steps that learn the set it matched (see lists.py).
LIST_QUERIES = ("count", "all")

# The argument that is worth recording, by action (position in *args, keyword name).
_VALUE_ARG = {
    "fill": (0, "value"), "type": (0, "text"), "press_sequentially": (0, "text"), "press": (0, "key"),
    "select_option": (0, "value"), "set_checked": (0, "checked"), "get_attribute": (0, "name"),
    "dispatch_event": (0, "type_"), "goto": (0, "url"), "set_input_files": (0, "files"),
}
# Classes with a wrapper, as named in return annotations: whole words, so that ``BrowserType``
# or ``APIRequestContext`` is not taken for ``Browser`` or ``Request``.
_WRAPPABLE_NAMES = (
    "Locator", "FrameLocator", "Frame", "Page", "BrowserContext", "Browser", "ConsoleMessage", "Dialog",
    "Download", "FileChooser", "Request", "Response", "WebError",
)
_WRAPPABLE = re.compile(r"\b(?:" + "|".join(_WRAPPABLE_NAMES) + r")\b")
# The parameters of ``expect_*`` and ``wait_for_event`` that may be a callback on the event's object.
_PREDICATES = ("predicate", "url_or_predicate")


class _IrlObject:
    """Mixin of all wrappers: the raw object it stands for and the layer it reports to."""

    _irl_inner: Any
    _irl_layer: Layer

    def _irl_setup(self, inner: Any, layer: Layer) -> None:
        type(inner).__init__(self, inner._impl_obj)
        self._irl_inner = inner
        self._irl_layer = layer


def wrap(value: Any, layer: Layer) -> Any:
    """``value`` with every raw Playwright object in it replaced by its wrapper."""
    if isinstance(value, _IrlObject) or value is None:
        return value
    wrapper_class = _WRAPPERS.get(type(value))
    if wrapper_class is not None:
        return _wrapper_for(wrapper_class, value, layer)
    if isinstance(value, list):
        return [wrap(item, layer) for item in value]
    return value


def unwrap(value: Any) -> Any:
    return value._irl_inner if isinstance(value, _IrlObject) else value


def _wrapper_for(wrapper_class: type, inner: Any, layer: Layer) -> Any:
    # Long-lived objects keep one wrapper, so that identity checks (``popup is page``) hold.
    if wrapper_class is not IrlLocator and wrapper_class is not IrlFrameLocator:
        cached = getattr(inner, "_irl_wrapper", None)
        if cached is not None:
            return cached
    obj = wrapper_class.__new__(wrapper_class)
    obj._irl_setup(inner, layer)
    if wrapper_class is not IrlLocator and wrapper_class is not IrlFrameLocator:
        inner._irl_wrapper = obj
    if wrapper_class is IrlBrowserContext:
        layer.instrument_context(inner)
    elif wrapper_class is IrlPage:
        # A page reaches the test from anywhere (a page of browser.contexts, an event's page, a
        # persistent context): its context gets the page observer, wherever it was made.
        _instrument_context_of(inner, layer)
    return obj


def _instrument_context_of(page: Any, layer: Layer) -> None:
    try:
        if not page.is_closed():  # a closed page (a "close" event's) has nothing to observe
            layer.instrument_context(page.context)
    except Exception as exc:  # recording must never change a test's outcome
        layer._report(f"page observer not installed: {first_line(exc)}")


def _value_of(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    spec = _VALUE_ARG.get(name)
    if spec is None:
        return None
    position, keyword = spec
    if len(args) > position:
        return args[position]
    for key in (keyword, "label", "index", "element"):
        if key in kwargs:
            return kwargs[key]
    return None


def _timeout_settings(impl: Any) -> Any:
    if hasattr(impl, "_timeout_settings"):
        return impl._timeout_settings
    page = getattr(impl, "_page", None) or getattr(getattr(impl, "_frame", None), "_page", None)
    return getattr(page, "_timeout_settings", None)


def _timeout_of(impl: Any, kwargs: dict[str, Any], navigation: bool = False) -> float:
    explicit = kwargs.get("timeout")
    settings = _timeout_settings(impl)
    try:
        if settings is not None:
            ms = settings.navigation_timeout(explicit) if navigation else settings.timeout(explicit)
        else:
            ms = explicit
    except Exception:
        ms = explicit
    # 0 means "no timeout" to Playwright; a long budget keeps the retry arithmetic simple.
    return float(ms) if ms else (DEFAULT_TIMEOUT_MS * 1000 if ms == 0 else DEFAULT_TIMEOUT_MS)


def _with_timeout(kwargs: dict[str, Any], timeout: float | None) -> dict[str, Any]:
    return kwargs if timeout is None else {**kwargs, "timeout": timeout}


def _is_absence_wait(name: str, kwargs: dict[str, Any]) -> bool:
    return name in ("wait_for", "wait_for_selector") and kwargs.get("state") in ("hidden", "detached")


def _locator_action(name: str) -> Callable[..., Any]:
    base = getattr(Locator, name)

    @functools.wraps(base)
    def method(self: IrlLocator, *args: Any, **kwargs: Any) -> Any:
        if name == "drag_to" and args:
            args = (unwrap(args[0]), *args[1:])

        def perform(locator: Any, timeout: float | None) -> Any:
            return base(locator, *args, **_with_timeout(kwargs, timeout))

        return self._irl_layer.run(Action(
            name=name, perform=perform, target=self._irl_inner, selector=self._impl_obj._selector,
            timeout_ms=_timeout_of(self._impl_obj, kwargs), healable=not _is_absence_wait(name, kwargs),
            value=_value_of(name, args, kwargs),
        ))

    return method


def _list_query(name: str) -> Callable[..., Any]:
    """``count()`` / ``all()``: steps that learn the list, and heal it only once it was renamed."""
    base = getattr(Locator, name)

    @functools.wraps(base)
    def method(self: IrlLocator, *args: Any, **kwargs: Any) -> Any:
        from .assertions import query_action

        def perform(locator: Any, _timeout: float | None) -> Any:
            return base(locator, *args, **kwargs)

        return wrap(query_action(self._irl_layer, name, self._irl_inner, perform), self._irl_layer)

    return method


def _selector_action(base_class: type, name: str) -> Callable[..., Any]:
    base = getattr(base_class, name)

    @functools.wraps(base)
    def method(self: Any, selector: str, *args: Any, **kwargs: Any) -> Any:
        inner = self._irl_inner
        target = inner.locator(selector)

        def perform(locator: Any, timeout: float | None) -> Any:
            if locator is target:
                return base(inner, selector, *args, **_with_timeout(kwargs, timeout))
            # A healed target is a locator: same call, minus the page-only ``strict`` flag.
            options = {k: v for k, v in _with_timeout(kwargs, timeout).items() if k != "strict"}
            return getattr(Locator, name)(locator, *args, **options)

        return self._irl_layer.run(Action(
            name=name, perform=perform, target=target, selector=selector,
            timeout_ms=_timeout_of(self._impl_obj, kwargs), value=_value_of(name, args, kwargs),
        ))

    return method


def _navigation(base_class: type, name: str) -> Callable[..., Any]:
    base = getattr(base_class, name)

    @functools.wraps(base)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        inner = self._irl_inner

        def perform(_locator: Any, timeout: float | None) -> Any:
            return base(inner, *args, **_with_timeout(kwargs, timeout))

        # The response too is wrapped: its ``frame`` is the test's frame.
        return wrap(self._irl_layer.run(Action(
            name=name, perform=perform, timeout_ms=_timeout_of(self._impl_obj, kwargs, navigation=True),
            healable=False, value=_value_of(name, args, kwargs), owner=inner,
        )), self._irl_layer)

    return method


def _returns_wrappable(annotation: Any) -> bool:
    text = str(annotation)
    return "EventContextManager" not in text and _WRAPPABLE.search(text) is not None


def _returns_event(annotation: Any) -> bool:
    return "EventContextManager" in str(annotation)


def _wrapping_method(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def method(self: _IrlObject, *args: Any, **kwargs: Any) -> Any:
        return wrap(fn(self, *args, **kwargs), self._irl_layer)

    return method


def _install(cls: type, base: type, actions: dict[str, Callable[..., Any]]) -> type:
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
                setattr(cls, name, _event_method(base, name))
            elif name == "wait_for_event":  # typed Any: its result is whatever the event carried
                setattr(cls, name, _waiting_method(base, name))
            elif _returns_wrappable(annotation):
                setattr(cls, name, _wrapping_method(attr))
    return cls


def _handing_wrapped(fn: Callable[..., Any], layer: Layer) -> Callable[..., Any]:
    """``fn`` called with every Playwright object among its arguments wrapped.

    Playwright passes a callback only as many arguments as its signature takes (``page.on("load",
    lambda: ...)``); ``__wrapped__`` makes it read ``fn``'s. ``updated=()``: ``fn.__dict__`` may
    hold Playwright's own cached handler for ``fn``, which must not become this one's.
    """

    @functools.wraps(fn, updated=())
    def handler(*args: Any) -> Any:
        return fn(*(wrap(arg, layer) for arg in args))

    handler._irl_layer = layer  # type: ignore[attr-defined]
    return handler


# Where a callback keeps the handler made for it (on a bound method: on its object, by name, since
# each ``obj.method`` is a new bound method). Kept on the callback, as Playwright keeps its own
# handler there, so that the mapping lives exactly as long as the callback and nothing else does.
_HANDLER_ATTR = "_irl_handler"


def _handler_home(fn: Any) -> tuple[Any, str]:
    if inspect.ismethod(fn):
        return fn.__self__, f"{_HANDLER_ATTR}_{fn.__name__}"
    return fn, _HANDLER_ATTR


def _known_handler(fn: Any, layer: Layer) -> Callable[..., Any] | None:
    home, attr = _handler_home(fn)
    found = getattr(home, attr, None)
    # Checked against ``fn`` too: a decorator's functools.wraps may have copied another
    # callback's attributes, its handler among them.
    if getattr(found, "_irl_layer", None) is layer and getattr(found, "__wrapped__", None) == fn:
        return found
    return None


def _listener_for(fn: Any, layer: Layer) -> Any:
    """The one handler that stands for the user's callback ``fn`` (made on first use).

    One per callback, so that registering it twice, or on a page and its context, never stacks
    wrappers, and ``remove_listener(event, fn)`` finds the handler that was registered.
    """
    if not callable(fn) or getattr(fn, "_irl_layer", None) is layer:
        return fn  # not a callback (Playwright says so), or already one of this layer's handlers
    found = _known_handler(fn, layer)
    if found is not None:
        return found
    handler = _handing_wrapped(fn, layer)
    home, attr = _handler_home(fn)
    try:
        setattr(home, attr, handler)
    except (AttributeError, TypeError):
        # Nowhere to keep it (no __dict__): Playwright cannot keep its own handler there either
        # and refuses such a callback; let it, exactly as without the layer.
        return fn
    return handler


_Call = tuple[tuple[Any, ...], dict[str, Any]]
_PredicateWrapper = Callable[[tuple[Any, ...], dict[str, Any], "Layer"], _Call]


def _wrapping_predicates(base: Callable[..., Any]) -> _PredicateWrapper:
    """A function that wraps the predicate among a call's arguments to ``base`` (``expect_popup(
    predicate=...)``, ``expect_event(event, predicate)``, ``expect_request(url_or_predicate)``)."""
    params = list(inspect.signature(base).parameters.values())[1:]  # without self
    spots = [(index, p.name) for index, p in enumerate(params) if p.name in _PREDICATES]

    def replace(args: tuple[Any, ...], kwargs: dict[str, Any], layer: Layer) -> _Call:
        for index, name in spots:
            if name in kwargs and callable(kwargs[name]):
                kwargs = {**kwargs, name: _handing_wrapped(kwargs[name], layer)}
            elif index < len(args) and callable(args[index]):
                args = (*args[:index], _handing_wrapped(args[index], layer), *args[index + 1:])
        return args, kwargs

    return replace


class _WrappedEvent:
    """``with page.expect_popup() as info`` whose ``info.value`` is a wrapped page (and the same
    for every ``expect_*``)."""

    def __init__(self, manager: Any, layer: Layer) -> None:
        self._manager = manager
        self._layer = layer
        self._info: Any = None

    def __enter__(self) -> _WrappedEvent:
        self._info = self._manager.__enter__()
        return self

    def __exit__(self, *exc: Any) -> Any:
        return self._manager.__exit__(*exc)

    @property
    def value(self) -> Any:
        return wrap(self._info.value, self._layer)

    def is_done(self) -> bool:
        return bool(self._info.is_done())


def _event_method(base_class: type, name: str) -> Callable[..., Any]:
    base = getattr(base_class, name)
    predicates = _wrapping_predicates(base)

    @functools.wraps(base)
    def method(self: _IrlObject, *args: Any, **kwargs: Any) -> Any:
        args, kwargs = predicates(args, kwargs, self._irl_layer)
        return _WrappedEvent(base(self, *args, **kwargs), self._irl_layer)

    return method


def _waiting_method(base_class: type, name: str) -> Callable[..., Any]:
    base = getattr(base_class, name)
    predicates = _wrapping_predicates(base)

    @functools.wraps(base)
    def method(self: _IrlObject, *args: Any, **kwargs: Any) -> Any:
        args, kwargs = predicates(args, kwargs, self._irl_layer)
        return wrap(base(self, *args, **kwargs), self._irl_layer)

    return method


class _IrlEmitter(_IrlObject):
    """``on``/``once``/``remove_listener`` whose callbacks are handed wrapped objects: the test's
    own page in ``page.on("load", ...)``, not Playwright's raw one, so that what the callback
    does to it (an attribute, an action) is done to the test's page and goes through the layer."""

    def on(self, event: Any, f: Any) -> None:
        super().on(event, _listener_for(f, self._irl_layer))  # type: ignore[misc]

    def once(self, event: Any, f: Any) -> None:
        super().once(event, _listener_for(f, self._irl_layer))  # type: ignore[misc]

    def remove_listener(self, event: Any, f: Any) -> None:
        known = _known_handler(f, self._irl_layer) if callable(f) else None
        super().remove_listener(event, known if known is not None else f)  # type: ignore[misc]


class IrlLocator(_IrlObject, Locator):
    def _irl_setup(self, inner: Any, layer: Layer) -> None:
        # Built on a copy of the impl whose ``_expect`` is a recorded, healable step, so that an
        # unchanged ``expect(locator)`` goes through the layer (see assertions.py).
        from .assertions import IrlLocatorImpl

        Locator.__init__(self, IrlLocatorImpl.copy_of(inner._impl_obj, layer, inner))
        self._irl_inner = inner
        self._irl_layer = layer


class IrlFrameLocator(_IrlObject, FrameLocator):
    pass


class IrlFrame(_IrlObject, Frame):
    pass


class IrlPage(_IrlEmitter, Page):
    @property
    def screencast(self) -> Any:
        return _TestScreencast(self._irl_inner, self._irl_layer)


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


class IrlBrowserContext(_IrlEmitter, BrowserContext):
    def close(self, *args: Any, **kwargs: Any) -> None:
        # pytest-playwright replaces ``close`` on its own context object: keep its bookkeeping.
        self._irl_inner.close(*args, **kwargs)


class IrlBrowser(_IrlEmitter, Browser):
    @functools.wraps(Browser.new_page)
    def new_page(self, **kwargs: Any) -> Any:
        # Playwright's own new_page makes a context and a page in it. Made here through the
        # wrapped context, the context has the page observer before its page exists, so the
        # page's first document has it too (set_content writes into that document).
        context = self.new_context(**kwargs)
        page = context.new_page()
        page_impl, context_impl = page._impl_obj, context._impl_obj
        if not (hasattr(page_impl, "_owned_context") and hasattr(context_impl, "_owner_page")):
            # A Playwright that ties a page to its own context differently: let it make the
            # page (its context is instrumented when the page is wrapped, from its next document).
            context.close()
            return wrap(Browser.new_page(self, **kwargs), self._irl_layer)
        # Tied as Playwright ties them: closing the page closes its context, which refuses a
        # second page.
        page_impl._owned_context = context_impl
        context_impl._owner_page = page_impl
        return page


class IrlConsoleMessage(_IrlObject, ConsoleMessage):
    pass


class IrlDialog(_IrlObject, Dialog):
    pass


class IrlDownload(_IrlObject, Download):
    pass


class IrlFileChooser(_IrlObject, FileChooser):
    pass


class IrlRequest(_IrlObject, Request):
    pass


class IrlResponse(_IrlObject, Response):
    pass


class IrlWebError(_IrlObject, WebError):
    pass


def _page_like_actions(base: type) -> dict[str, Callable[..., Any]]:
    actions = {name: _selector_action(base, name) for name in SELECTOR_ACTIONS if hasattr(base, name)}
    actions.update({name: _navigation(base, name) for name in NAVIGATIONS if hasattr(base, name)})
    return actions


_install(IrlLocator, Locator, {
    **{name: _locator_action(name) for name in LOCATOR_ACTIONS if hasattr(Locator, name)},
    **{name: _list_query(name) for name in LIST_QUERIES},
})
_install(IrlFrameLocator, FrameLocator, {})
_install(IrlFrame, Frame, _page_like_actions(Frame))
_install(IrlPage, Page, _page_like_actions(Page))
_install(IrlBrowserContext, BrowserContext, {})
_install(IrlBrowser, Browser, {})

_WRAPPERS: dict[type, type] = {
    Locator: IrlLocator, FrameLocator: IrlFrameLocator, Frame: IrlFrame, Page: IrlPage,
    BrowserContext: IrlBrowserContext, Browser: IrlBrowser, ConsoleMessage: IrlConsoleMessage,
    Dialog: IrlDialog, Download: IrlDownload, FileChooser: IrlFileChooser, Request: IrlRequest,
    Response: IrlResponse, WebError: IrlWebError,
}
for _wrapper_class, _base_class in (
    (IrlConsoleMessage, ConsoleMessage), (IrlDialog, Dialog), (IrlDownload, Download),
    (IrlFileChooser, FileChooser), (IrlRequest, Request), (IrlResponse, Response), (IrlWebError, WebError),
):
    _install(_wrapper_class, _base_class, {})
