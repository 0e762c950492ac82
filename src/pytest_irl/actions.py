"""The wrappers' recorded actions: each user-facing action becomes an :class:`Action` that
``Layer.run`` records as a step and runs through the retry-and-heal policy."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Locator

from .assertions import query_action
from .engine.action import DEFAULT_TIMEOUT_MS, Action
from .engine.layer import Layer
from .pw import compat
from .wrapping import unwrap, wrap

# Locator methods that are steps. Reads are steps too: a test that reads a renamed element breaks
# just like one that clicks it.
LOCATOR_ACTIONS = (
    "click", "dblclick", "tap", "fill", "clear", "press", "press_sequentially", "type", "check",
    "uncheck", "set_checked", "select_option", "select_text", "hover", "focus", "set_input_files",
    "drag_to", "dispatch_event", "scroll_into_view_if_needed", "text_content", "inner_text",
    "inner_html", "input_value", "get_attribute", "wait_for", "blur", "drop",
)
# The same actions on Page and Frame, which take a selector as their first argument.
SELECTOR_ACTIONS = (
    "click", "dblclick", "tap", "fill", "press", "type", "check", "uncheck", "set_checked",
    "select_option", "hover", "focus", "set_input_files", "dispatch_event", "text_content",
    "inner_text", "inner_html", "input_value", "get_attribute",
)
NAVIGATIONS = ("goto", "reload", "go_back", "go_forward")
# Steps of a page or frame that are not about one element: recorded and retried, never healed
# (set_content replaces the document; drag_and_drop takes two selectors).
PAGE_STEPS = ("set_content", "wait_for_url", "drag_and_drop")
# Not steps, but the end of a document: what was asked about its elements is answered first.
DOCUMENT_ENDS = ("close",)
# Queries about a list: they learn the set it matched, and become steps when it is healed (lists.py).
LIST_QUERIES = ("count", "all", "all_inner_texts", "all_text_contents")
# Keyboard and mouse: every method is a step of the page they belong to, never healed.
KEYBOARD_STEPS = ("down", "up", "press", "type", "insert_text")
MOUSE_STEPS = ("click", "dblclick", "down", "up", "move", "wheel")

# The argument that is worth recording, by action (position in *args, keyword name).
_VALUE_ARG = {
    "fill": (0, "value"), "type": (0, "text"), "press_sequentially": (0, "text"), "press": (0, "key"),
    "select_option": (0, "value"), "set_checked": (0, "checked"), "get_attribute": (0, "name"),
    "dispatch_event": (0, "type_"), "goto": (0, "url"), "set_input_files": (0, "files"),
    "wait_for_url": (0, "url"), "drag_and_drop": (1, "target"), "keyboard.press": (0, "key"),
    "keyboard.down": (0, "key"), "keyboard.up": (0, "key"), "keyboard.type": (0, "text"),
    "keyboard.insert_text": (0, "text"),
}


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


def _timeout_of(obj: Any, kwargs: dict[str, Any], navigation: bool = False) -> float:
    ms = compat.timeout_ms(obj, kwargs.get("timeout"), navigation)
    # 0 means "no timeout" to Playwright; a long budget keeps the retry arithmetic simple.
    return float(ms) if ms else (DEFAULT_TIMEOUT_MS * 1000 if ms == 0 else DEFAULT_TIMEOUT_MS)


def _with_timeout(kwargs: dict[str, Any], timeout: float | None) -> dict[str, Any]:
    return kwargs if timeout is None else {**kwargs, "timeout": timeout}


def _is_absence_wait(name: str, kwargs: dict[str, Any]) -> bool:
    return name in ("wait_for", "wait_for_selector") and kwargs.get("state") in ("hidden", "detached")


def locator_action(name: str) -> Callable[..., Any]:
    """``Locator.<name>`` as a recorded step on the locator."""
    base = getattr(Locator, name)

    @functools.wraps(base)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        if name == "drag_to" and args:
            args = (unwrap(args[0]), *args[1:])

        def perform(locator: Any, timeout: float | None) -> Any:
            return base(locator, *args, **_with_timeout(kwargs, timeout))

        layer: Layer = self._irl_layer
        return layer.run(Action(
            name=name, perform=perform, target=self._irl_inner, selector=compat.selector_of(self._irl_inner),
            timeout_ms=_timeout_of(self._irl_inner, kwargs), healable=not _is_absence_wait(name, kwargs),
            value=_value_of(name, args, kwargs),
        ))

    return method


def list_query(name: str) -> Callable[..., Any]:
    """``count()`` / ``all()``: steps that learn the list, and heal it only once it was renamed."""
    base = getattr(Locator, name)

    @functools.wraps(base)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        def perform(locator: Any, _timeout: float | None) -> Any:
            return base(locator, *args, **kwargs)

        return wrap(query_action(self._irl_layer, name, self._irl_inner, perform), self._irl_layer)

    return method


def selector_action(base_class: type, name: str) -> Callable[..., Any]:
    """``Page.<name>(selector, ...)`` (or Frame's) as a recorded step on ``locator(selector)``."""
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

        layer: Layer = self._irl_layer
        return layer.run(Action(
            name=name, perform=perform, target=target, selector=selector,
            timeout_ms=_timeout_of(self._irl_inner, kwargs), value=_value_of(name, args, kwargs),
        ))

    return method


def device_step(base_class: type, device: str, name: str) -> Callable[..., Any]:
    """``Keyboard.<name>`` / ``Mouse.<name>`` as a recorded, never-healed step ``device.name`` of
    the page the device belongs to."""
    base = getattr(base_class, name)
    step_name = f"{device}.{name}"

    @functools.wraps(base)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        inner = self._irl_inner

        def perform(_locator: Any, _timeout: float | None) -> Any:
            return base(inner, *args, **kwargs)

        value = _value_of(step_name, args, kwargs)
        if value is None and device == "mouse" and len(args) >= 2:
            value = [args[0], args[1]]  # click / move / wheel: where
        return self._irl_layer.run(Action(
            name=step_name, perform=perform, healable=False, value=value,
            owner=getattr(self, "_irl_page", None),
        ))

    return method


def device_actions(base_class: type, device: str, names: tuple[str, ...]) -> dict[str, Callable[..., Any]]:
    return {name: device_step(base_class, device, name) for name in names if hasattr(base_class, name)}


def navigation(base_class: type, name: str) -> Callable[..., Any]:
    """``goto`` and friends as a recorded, never-healed step; the response comes back wrapped."""
    base = getattr(base_class, name)

    @functools.wraps(base)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        inner = self._irl_inner

        def perform(_locator: Any, timeout: float | None) -> Any:
            return base(inner, *args, **_with_timeout(kwargs, timeout))

        # What the last steps asked about their elements is answered before the document goes.
        self._irl_layer.settle_learning()
        # The response too is wrapped: its ``frame`` is the test's frame.
        return wrap(self._irl_layer.run(Action(
            name=name, perform=perform, timeout_ms=_timeout_of(self._irl_inner, kwargs, navigation=True),
            healable=False, value=_value_of(name, args, kwargs), owner=inner,
        )), self._irl_layer)

    return method


def settling_first(base_class: type, name: str) -> Callable[..., Any]:
    """A call that replaces or closes the document, after the learning questions are answered."""
    base = getattr(base_class, name)

    @functools.wraps(base)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        self._irl_layer.settle_learning()
        return base(self._irl_inner, *args, **kwargs)

    return method


def page_like_actions(base: type) -> dict[str, Callable[..., Any]]:
    """The recorded actions of Page or Frame."""
    actions = {name: selector_action(base, name) for name in SELECTOR_ACTIONS if hasattr(base, name)}
    actions.update({name: navigation(base, name) for name in NAVIGATIONS + PAGE_STEPS if hasattr(base, name)})
    actions.update({name: settling_first(base, name) for name in DOCUMENT_ENDS if hasattr(base, name)})
    return actions


def locator_actions() -> dict[str, Callable[..., Any]]:
    """The recorded actions of Locator: its actions and reads, and its list queries."""
    return {
        **{name: locator_action(name) for name in LOCATOR_ACTIONS if hasattr(Locator, name)},
        **{name: list_query(name) for name in LIST_QUERIES if hasattr(Locator, name)},
    }
