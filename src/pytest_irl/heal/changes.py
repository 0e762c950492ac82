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


# What the report's "what changed" table compares, learned element against the element used: the
# names above, then what a locator is usually built on.
_ATTRIBUTES = ("tag", "id", "name", "type", "role", "href")
_CAP = 120


def _clip(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= _CAP else value[: _CAP - 1] + "…"


def attribute_changes(
    reference: Fingerprint | LocatorHints | None, chosen: Fingerprint
) -> list[dict[str, str]]:
    """``{"field", "before", "after"}`` for every attribute that differs between the element a
    heal was looking for and the one it used (``""``: absent). Against a learned element (warm)
    every attribute is compared; against a locator (cold) only what the locator said."""
    out: list[dict[str, str]] = []
    if reference is None:
        return out

    def add(field: str, before: str, after: str) -> None:
        if _norm(before) != _norm(after):
            out.append({"field": field, "before": _clip(before), "after": _clip(after)})

    if isinstance(reference, Fingerprint):
        for name in (*_ATTRIBUTES[:2], *_NAMED, *_ATTRIBUTES[2:]):
            add(name, getattr(reference, name), getattr(chosen, name))
        add("classes", " ".join(reference.classes), " ".join(chosen.classes))
        for attr in sorted(set(reference.test_ids) | set(chosen.test_ids)):
            add(attr, reference.test_ids.get(attr, ""), chosen.test_ids.get(attr, ""))
        for attr in sorted(set(reference.attrs) | set(chosen.attrs)):
            add(attr, reference.attrs.get(attr, ""), chosen.attrs.get(attr, ""))
        return out
    for hint_name, field in _HINTED:
        hint: TextHint | None = getattr(reference, hint_name)
        if hint is not None and not hint.regex and not hint.matches(getattr(chosen, field)):
            add(field, hint.value, getattr(chosen, field))
    if reference.role and reference.role != chosen.role:
        add("role", reference.role, chosen.role)
    if reference.ids and chosen.id not in reference.ids:
        add("id", " ".join(reference.ids), chosen.id)
    missing = [c for c in reference.classes if c not in chosen.classes]
    if missing:
        add("classes", " ".join(missing), " ".join(chosen.classes))
    if reference.tags and chosen.tag not in reference.tags:
        add("tag", " ".join(reference.tags), chosen.tag)
    return out
