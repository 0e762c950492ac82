"""The base of every wrapper: the raw object it stands for, and ``wrap`` / ``unwrap``.

Kept apart from the wrapper classes (proxy.py) so that the modules those classes are built from
(actions.py, events.py) can wrap what they return without importing proxy.py: proxy.py fills
:data:`WRAPPERS` when it is imported, and whoever wraps the test's first object (fixtures.py)
imports proxy.py.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .engine.action import first_line
from .engine.layer import Layer
from .pw import compat

# Playwright's sync API class -> its wrapper class (filled by proxy.py).
WRAPPERS: dict[type, type[IrlObject]] = {}


class IrlObject:
    """Mixin of all wrappers: the raw object it stands for and the layer it reports to."""

    # One wrapper per raw object, kept on it, so that identity checks (``popup is page``) hold.
    # Locators are values, made anew by every call: each gets its own.
    _irl_shared: ClassVar[bool] = True
    _irl_inner: Any
    _irl_layer: Layer

    def _irl_setup(self, inner: Any, layer: Layer) -> None:
        compat.init_like(self, inner)
        self._irl_inner = inner
        self._irl_layer = layer

    def _irl_wrapped(self) -> None:
        """Called once the wrapper of a new raw object is made (pages and contexts get the page
        observer here)."""


def wrap(value: Any, layer: Layer) -> Any:
    """``value`` with every raw Playwright object in it replaced by its wrapper."""
    if value is None or isinstance(value, IrlObject):
        return value
    wrapper_class = WRAPPERS.get(type(value))
    if wrapper_class is not None:
        return wrapper_for(wrapper_class, value, layer)
    if isinstance(value, list):
        return [wrap(item, layer) for item in value]
    return value


def unwrap(value: Any) -> Any:
    return value._irl_inner if isinstance(value, IrlObject) else value


def wrapper_for(wrapper_class: type[IrlObject], inner: Any, layer: Layer) -> Any:
    if wrapper_class._irl_shared:
        cached = getattr(inner, "_irl_wrapper", None)
        if cached is not None:
            return cached
    obj = wrapper_class.__new__(wrapper_class)
    obj._irl_setup(inner, layer)
    if wrapper_class._irl_shared:
        inner._irl_wrapper = obj
    obj._irl_wrapped()
    return obj


def instrument_context_of(page: Any, layer: Layer) -> None:
    """Give ``page``'s context (raw objects) the page observer, if the page is still open."""
    try:
        if not page.is_closed():  # a closed page (a "close" event's) has nothing to observe
            layer.instrument_context(page.context)
    except Exception as exc:  # recording must never change a test's outcome
        layer._report(f"page observer not installed: {first_line(exc)}")
