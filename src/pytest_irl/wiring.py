"""One function builds the layer with its healers, for the plugin and the tests alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .healer import Healer, HealSettings
from .layer import Layer
from .lists import ListFollowingHealer, Lists
from .memory import Memory
from .policy import Policy

Persist = Callable[[dict[str, Any]], None]


def build_layer(
    memory: Memory, settings: HealSettings | None = None, *, persist_fingerprint: Persist | None = None,
    persist_list: Persist | None = None, on_error: Callable[[str], None] | None = None,
) -> Layer:
    """A layer whose policy heals elements and lists (``layer.healer``, ``layer.lists``)."""
    healer = Healer(memory, settings, persist=persist_fingerprint)
    lists = Lists(healer, persist=persist_list)
    layer = Layer(Policy(ListFollowingHealer(healer, lists)), on_error=on_error)
    layer.lists = lists
    return layer
