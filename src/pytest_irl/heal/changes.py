"""What a person reads that changed between the element meant and the element a heal chose.

A heal that clicks "Keep" for a test that said "Save" may be right (a designer reworded the
button) or may hide a regression; either way the person reading the run must see the change
without diffing fingerprints. ``named_changes`` lists the names a user reads (visible text,
accessible name, label, placeholder, title, alt) that differ, for a learned reference (warm) or
for the texts a locator asked for (cold), as ``text "Save" -> "Keep"``; ``reworded`` says
whether those changes are rewordings (the same meaning in other words) or other names.
"""

from __future__ import annotations

from .fingerprint import Fingerprint
from .hints_model import LocatorHints, TextHint
from .identity import words
from .lexicon import rewording

_NAMED = ("text", "accessible_name", "label", "placeholder", "title", "alt")
_HINTED = (("name", "accessible_name"), ("text", "text"), ("label", "label"),
           ("placeholder", "placeholder"), ("title", "title"), ("alt", "alt"))


def _norm(value: str) -> str:
    return " ".join(value.lower().split())


def _shown(value: str, cap: int = 60) -> str:
    value = " ".join(value.split())
    return '"' + (value if len(value) <= cap else value[: cap - 1] + "…") + '"'


def changed_names(reference: Fingerprint | LocatorHints, chosen: Fingerprint) -> list[tuple[str, str, str]]:
    """``(field, before, after)`` for every name a user reads that is not the same any more."""
    out: list[tuple[str, str, str]] = []
    if isinstance(reference, Fingerprint):
        seen: set[tuple[str, str]] = set()
        for name in _NAMED:
            before, after = getattr(reference, name), getattr(chosen, name)
            if before and _norm(before) != _norm(after) and (_norm(before), _norm(after)) not in seen:
                seen.add((_norm(before), _norm(after)))
                out.append((name, before, after))
        return out
    for hint_name, field in _HINTED:
        hint: TextHint | None = getattr(reference, hint_name)
        if hint is None or hint.regex:
            continue
        after = getattr(chosen, field)
        if not hint.matches(after):
            out.append((field, hint.value, after))
    return out


def named_changes(reference: Fingerprint | LocatorHints, chosen: Fingerprint) -> list[str]:
    """``field "before" -> "after"`` for every name a user reads that is not the same any more."""
    return [f"{field} {_shown(before)} -> {_shown(after) if after else 'none'}"
            for field, before, after in changed_names(reference, chosen)]


def reworded(reference: Fingerprint | LocatorHints, chosen: Fingerprint) -> float:
    """How surely every changed name was reworded rather than replaced (``lexicon.rewording``).

    The least of the changed names' scores: "Delete user" -> "Remove user" beside a kept label is
    1.0, beside a label that became another word 0.0. 0.0 when no name changed, or one went.
    """
    scores = [rewording(words(before), words(after)) if after else 0.0
              for _field, before, after in changed_names(reference, chosen)]
    return min(scores, default=0.0)
