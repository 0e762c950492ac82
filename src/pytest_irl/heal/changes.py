"""What a person reads that changed between the element meant and the element a heal chose.

A heal that clicks "Keep" for a test that said "Save" may be right (a designer reworded the
button) or may hide a regression; either way the person reading the run must see the change
without diffing fingerprints. ``named_changes`` lists the names a user reads (visible text,
accessible name, label, placeholder, title, alt) that differ, for a learned reference (warm) or
for the texts a locator asked for (cold), as ``text "Save" -> "Keep"``.
"""

from __future__ import annotations

from .fingerprint import Fingerprint
from .hints_model import LocatorHints, TextHint

_NAMED = ("text", "accessible_name", "label", "placeholder", "title", "alt")
_HINTED = (("name", "accessible_name"), ("text", "text"), ("label", "label"),
           ("placeholder", "placeholder"), ("title", "title"), ("alt", "alt"))


def _norm(value: str) -> str:
    return " ".join(value.lower().split())


def _shown(value: str, cap: int = 60) -> str:
    value = " ".join(value.split())
    return '"' + (value if len(value) <= cap else value[: cap - 1] + "…") + '"'


def named_changes(reference: Fingerprint | LocatorHints, chosen: Fingerprint) -> list[str]:
    """``field "before" -> "after"`` for every name a user reads that is not the same any more."""
    out: list[str] = []
    if isinstance(reference, Fingerprint):
        seen: set[tuple[str, str]] = set()
        for name in _NAMED:
            before, after = getattr(reference, name), getattr(chosen, name)
            if before and _norm(before) != _norm(after) and (_norm(before), _norm(after)) not in seen:
                seen.add((_norm(before), _norm(after)))
                out.append(f"{name} {_shown(before)} -> {_shown(after) if after else 'none'}")
        return out
    for hint_name, field in _HINTED:
        hint: TextHint | None = getattr(reference, hint_name)
        if hint is None or hint.regex:
            continue
        after = getattr(chosen, field)
        if not hint.matches(after):
            out.append(f"{field} {_shown(hint.value)} -> {_shown(after) if after else 'none'}")
    return out
