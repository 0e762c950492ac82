"""One function builds the engine with its healers, for the plugin and the tests alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .heal_log import HealLog
from .healer import ElementHealer
from .healing import Healer
from .layer import Layer
from .lists import ListFollowingHealer, Lists
from .memory import Memory
from .settings import HealSettings

Persist = Callable[[dict[str, Any]], None]


def build_layer(
    memory: Memory, settings: HealSettings | None = None, *, persist_fingerprint: Persist | None = None,
    persist_list: Persist | None = None, on_error: Callable[[str], None] | None = None,
) -> Layer:
    """A layer that heals elements and lists (``layer.healer``, ``layer.lists``), with one heal log."""
    element = ElementHealer(memory, settings, persist=persist_fingerprint, log=HealLog())
    lists = Lists(element, persist=persist_list)
    # Typed with the protocol: the type checker confirms the list-following healer is a Healer.
    healer: Healer = ListFollowingHealer(element, lists)
    return Layer(healer, lists, on_error=on_error)
