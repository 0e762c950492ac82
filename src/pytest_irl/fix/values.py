"""What a piece of a locator expression is, once followed to where it is written."""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

CHAIN_PROPERTIES = frozenset({"first", "last", "content_frame"})


@dataclass(frozen=True)
class Static:
    """A value written once in the source: ``node`` is where a fix would rewrite it."""

    value: object
    node: cst.BaseExpression


@dataclass(frozen=True)
class Varying:
    """A value that may change between calls (a loop variable, a parameter, an f-string)."""

    reason: str
    pattern: re.Pattern[str] | None = None  # the strings it can be, when known (an f-string)


@dataclass(frozen=True)
class Unknown:
    reason: str


@dataclass(frozen=True)
class Instance:
    cls: cst.ClassDef


@dataclass(frozen=True)
class ClassRef:
    cls: cst.ClassDef


@dataclass(frozen=True)
class Segment:
    """One step of a locator chain: ``.locator(TASKS)``, ``.filter(has_text=title)``, ``.first``."""

    method: str
    args: tuple[Value, ...]
    kwargs: tuple[tuple[str, Value], ...]
    node: cst.BaseExpression  # the Call (or Attribute, for a property) that is this step
    receiver: cst.BaseExpression  # what it is called on, as written

    @property
    def is_property(self) -> bool:
        return self.method in CHAIN_PROPERTIES


@dataclass(frozen=True)
class Chain:
    root: cst.BaseExpression  # the receiver the chain starts on (``page``, ``self.page``)
    segments: tuple[Segment, ...]


Value = Static | Varying | Unknown | Instance | ClassRef | Chain
