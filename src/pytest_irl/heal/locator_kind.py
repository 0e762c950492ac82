"""What kind of locator a selector is: the strategy a cold heal names, and whether it can drift."""

from __future__ import annotations

import re

from .hints_model import LocatorHints

# A locator whose identity is a position or a generated-looking token can keep matching after the
# page changed, only now another element: those are the ones checked for drift before acting.
_GENERATED = re.compile(r"\d")
_POSITIONAL_CSS = re.compile(r":nth-|:first-|:last-|:only-")


def strategy_of(hints: LocatorHints) -> str:
    if hints.role:
        return "role"
    if hints.text or hints.label or hints.placeholder or hints.alt or hints.title or hints.has_text:
        return "text"
    return "attribute"


def is_fragile(hints: LocatorHints) -> bool:
    """True for locators that can silently drift: positional, or built on generated-looking tokens."""
    if hints.nth is not None or (hints.xpath and not hints.ids):
        return True
    if hints.css and _POSITIONAL_CSS.search(hints.css):
        return True
    return any(_GENERATED.search(token) for token in (*hints.ids, *hints.classes, *hints.scopes))
