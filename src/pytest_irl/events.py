"""Events through the wrappers: callbacks, ``expect_*`` and ``wait_for_event`` hand out wrapped objects.

Event callbacks (``on``/``once``), ``expect_*`` values and their predicates, and the results of
``wait_for_event`` get the wrapped object, the same one each time (``p is page`` holds wherever
``p`` came from), without wrapping a callback twice or leaking a listener that is removed.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from .engine.layer import Layer
from .wrapping import IrlObject, wrap

# The parameters of ``expect_*`` and ``wait_for_event`` that may be a callback on the event's object.
PREDICATES = ("predicate", "url_or_predicate")


def handing_wrapped(fn: Callable[..., Any], layer: Layer) -> Callable[..., Any]:
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


def known_handler(fn: Any, layer: Layer) -> Callable[..., Any] | None:
    home, attr = _handler_home(fn)
    found = getattr(home, attr, None)
    # Checked against ``fn`` too: a decorator's functools.wraps may have copied another
    # callback's attributes, its handler among them.
    if getattr(found, "_irl_layer", None) is layer and getattr(found, "__wrapped__", None) == fn:
        return found
    return None


def listener_for(fn: Any, layer: Layer) -> Any:
    """The one handler that stands for the user's callback ``fn`` (made on first use).

    One per callback, so that registering it twice, or on a page and its context, never stacks
    wrappers, and ``remove_listener(event, fn)`` finds the handler that was registered.
    """
    if not callable(fn) or getattr(fn, "_irl_layer", None) is layer:
        return fn  # not a callback (Playwright says so), or already one of this layer's handlers
    found = known_handler(fn, layer)
    if found is not None:
        return found
    handler = handing_wrapped(fn, layer)
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
    spots = [(index, p.name) for index, p in enumerate(params) if p.name in PREDICATES]

    def replace(args: tuple[Any, ...], kwargs: dict[str, Any], layer: Layer) -> _Call:
        for index, name in spots:
            if name in kwargs and callable(kwargs[name]):
                kwargs = {**kwargs, name: handing_wrapped(kwargs[name], layer)}
            elif index < len(args) and callable(args[index]):
                args = (*args[:index], handing_wrapped(args[index], layer), *args[index + 1:])
        return args, kwargs

    return replace


class WrappedEvent:
    """``with page.expect_popup() as info`` whose ``info.value`` is a wrapped page (and the same
    for every ``expect_*``)."""

    def __init__(self, manager: Any, layer: Layer) -> None:
        self._manager = manager
        self._layer = layer
        self._info: Any = None

    def __enter__(self) -> WrappedEvent:
        self._info = self._manager.__enter__()
        return self

    def __exit__(self, *exc: Any) -> Any:
        return self._manager.__exit__(*exc)

    @property
    def value(self) -> Any:
        return wrap(self._info.value, self._layer)

    def is_done(self) -> bool:
        return bool(self._info.is_done())


def _with_wrapped_predicates(base_class: type, name: str,
                             hand_back: Callable[[Any, Layer], Any]) -> Callable[..., Any]:
    """``base_class.<name>`` whose predicate's argument is wrapped, and whose result goes through
    ``hand_back(result, layer)``."""
    base = getattr(base_class, name)
    predicates = _wrapping_predicates(base)

    @functools.wraps(base)
    def method(self: IrlObject, *args: Any, **kwargs: Any) -> Any:
        args, kwargs = predicates(args, kwargs, self._irl_layer)
        return hand_back(base(self, *args, **kwargs), self._irl_layer)

    return method


def event_method(base_class: type, name: str) -> Callable[..., Any]:
    """``expect_*`` of ``base_class`` whose value, and whose predicate's argument, is wrapped."""
    return _with_wrapped_predicates(base_class, name, WrappedEvent)


def waiting_method(base_class: type, name: str) -> Callable[..., Any]:
    """``wait_for_event`` of ``base_class`` whose result, and whose predicate's argument, is wrapped."""
    return _with_wrapped_predicates(base_class, name, wrap)


class IrlEmitter(IrlObject):
    """``on``/``once``/``remove_listener`` whose callbacks are handed wrapped objects: the test's
    own page in ``page.on("load", ...)``, not Playwright's raw one, so that what the callback
    does to it (an attribute, an action) is done to the test's page and goes through the layer."""

    def on(self, event: Any, f: Any) -> None:
        super().on(event, listener_for(f, self._irl_layer))  # type: ignore[misc]

    def once(self, event: Any, f: Any) -> None:
        super().once(event, listener_for(f, self._irl_layer))  # type: ignore[misc]

    def remove_listener(self, event: Any, f: Any) -> None:
        known = known_handler(f, self._irl_layer) if callable(f) else None
        super().remove_listener(event, known if known is not None else f)  # type: ignore[misc]
