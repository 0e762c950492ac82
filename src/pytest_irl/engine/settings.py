"""How the healers may act this session (``--irl-heal``, ``--irl-drift``): plain data, imported
at start-up to check the options before the engine itself is imported (``engine_loader``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

HealMode = Literal["on", "suggest", "off"]
DriftMode = Literal["heal", "warn", "off"]


@dataclass
class HealSettings:
    mode: HealMode = "on"
    drift: DriftMode = "heal"
    accept_at: float | None = None  # the decision model's operating point unless set (0..1)
    margin: float | None = None
