"""Page, Frame, Locator, FrameLocator, BrowserContext and Browser wrappers.

Each wrapper is a subclass of Playwright's own sync API class built on the same implementation
object, so ``isinstance`` and ``expect(...)`` work and every method keeps its signature. Methods
that return Playwright objects return wrapped ones (so chains stay wrapped); the user-facing
actions go through ``Layer.run`` and so through the retry-and-heal policy. Nothing in Playwright
itself is patched.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from playwright.sync_api import Browser, BrowserContext, Frame, FrameLocator, Locator, Page

from .policy import DEFAULT_TIMEOUT_MS, Action

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
_WRAPPABLE_NAMES = ("Locator", "Frame", "Page", "BrowserContext", "Browser")


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
    if wrapper_class is IrlBrowserContext:
        layer.instrument_context(inner)
    if wrapper_class is not IrlLocator and wrapper_class is not IrlFrameLocator:
        inner._irl_wrapper = obj
    return obj


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

        return self._irl_layer.run(Action(
            name=name, perform=perform, timeout_ms=_timeout_of(self._impl_obj, kwargs, navigation=True),
            healable=False, value=_value_of(name, args, kwargs), owner=inner,
        ))

    return method


def _returns_wrappable(annotation: Any) -> bool:
    text = str(annotation)
    return "EventContextManager" not in text and any(name in text for name in _WRAPPABLE_NAMES)


def _wrapping_method(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def method(self: _IrlObject, *args: Any, **kwargs: Any) -> Any:
        return wrap(fn(self, *args, **kwargs), self._irl_layer)

    return method


def _install(cls: type, base: type, actions: dict[str, Callable[..., Any]]) -> type:
    """Give ``cls`` the recorded ``actions`` and a wrapping version of every chaining member."""
    for name, method in actions.items():
        setattr(cls, name, method)
    for name, attr in vars(base).items():
        if name.startswith("_") or name in cls.__dict__:
            continue
        if isinstance(attr, property) and attr.fget is not None:
            if _returns_wrappable(attr.fget.__annotations__.get("return")):
                setattr(cls, name, property(_wrapping_method(attr.fget), attr.fset))
        elif callable(attr) and _returns_wrappable(getattr(attr, "__annotations__", {}).get("return")):
            setattr(cls, name, _wrapping_method(attr))
    return cls


class _WrappedEvent:
    """``with page.expect_popup() as info`` whose ``info.value`` is a wrapped page."""

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

    @functools.wraps(base)
    def method(self: _IrlObject, *args: Any, **kwargs: Any) -> Any:
        return _WrappedEvent(base(self, *args, **kwargs), self._irl_layer)

    return method


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


class IrlPage(_IrlObject, Page):
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


class IrlBrowserContext(_IrlObject, BrowserContext):
    def close(self, *args: Any, **kwargs: Any) -> None:
        # pytest-playwright replaces ``close`` on its own context object: keep its bookkeeping.
        self._irl_inner.close(*args, **kwargs)


class IrlBrowser(_IrlObject, Browser):
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
_install(IrlPage, Page, {
    **_page_like_actions(Page),
    **{name: _event_method(Page, name) for name in ("expect_popup", "expect_event") if hasattr(Page, name)},
})
_install(IrlBrowserContext, BrowserContext, {
    name: _event_method(BrowserContext, name) for name in ("expect_page", "expect_event")
    if hasattr(BrowserContext, name)
})
_install(IrlBrowser, Browser, {})

_WRAPPERS: dict[type, type] = {
    Locator: IrlLocator, FrameLocator: IrlFrameLocator, Frame: IrlFrame, Page: IrlPage,
    BrowserContext: IrlBrowserContext, Browser: IrlBrowser,
}
