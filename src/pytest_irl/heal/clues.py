"""What a locator's own strings say about an element when nothing was learned (cold start).

Two kinds of clue survive ordinary changes:

* **Identifiers that name the element.** A developer id, test id or class usually spells what the
  element is ("btn-save", "pay-btn"). :func:`names_element` is the strong form (the identifier
  spells the whole visible name); :func:`carries_identifier` the corroborated form (an own
  identifier of the element says the same in other kind words, and its name contains it).
* **Sample values.** Placeholders are often an example of what goes in the field
  ("you@example.com", "https://…", "+1 555 0100"). A reworded example of the same shape
  ("name@company.com") still describes the same field; :func:`sample_kind` names the shape and
  :func:`field_kind` the kind a field declares (its ``type``, an example placeholder of its own,
  or a name / id that says it).

All pure functions of strings and ``Fingerprint`` values.
"""

from __future__ import annotations

import re

from .fingerprint import Fingerprint
from .identity import FILLER_WORDS, stable_words, words

# Elements whose ``name`` attribute is a form field's name (sent with the form).
_FORM_CONTROLS = frozenset({"input", "select", "textarea", "button"})
# Words that say what kind of control an identifier is, not which one: "btn-pay" names "Pay".
KIND_WORDS = frozenset({
    "btn", "button", "link", "lnk", "input", "field", "chk", "checkbox", "cb", "radio", "txt", "text",
    "label", "icon", "el", "elem", "element", "control", "ctl", "ctrl", "id", "toggle", "switch",
})


def content_words(tokens: tuple[str, ...], drop: frozenset[str]) -> frozenset[str]:
    return frozenset(w for w in tokens if w not in drop and not w.isdigit())


def _identifier_words(identifier: str) -> frozenset[str]:
    return content_words(stable_words(identifier), KIND_WORDS | FILLER_WORDS)


def _names_of(fp: Fingerprint) -> list[frozenset[str]]:
    return [content_words(words(n), FILLER_WORDS) for n in (fp.accessible_name, fp.text, fp.label) if n]


def names_element(identifier: str, fp: Fingerprint) -> bool:
    """True when a developer identifier (id, test id, class) spells the element's visible name:
    the same content words, ignoring words for the kind of control and filler words."""
    wanted = _identifier_words(identifier)
    return bool(wanted) and any(name == wanted for name in _names_of(fp))


def own_identifier_words(fp: Fingerprint) -> frozenset[str]:
    out: set[str] = set()
    for value in _own_identifiers(fp):
        out |= _identifier_words(value)
    return frozenset(out)


def _own_identifiers(fp: Fingerprint) -> list[str]:
    return [v for v in (fp.id, fp.name, *fp.test_ids.values(), *fp.classes) if v]


def carries_identifier(identifier: str, fp: Fingerprint) -> bool:
    """True when one of the element's own identifiers (id, name, test id, class) says what
    ``identifier`` says, in other kind words ("btn-save" -> "save", "chk-sms" -> "sms-toggle"),
    and the element's visible name contains those words ("Save changes"). An identifier that
    says more ("forgot" -> "forgot-user") names another element, however close its text is."""
    wanted = _identifier_words(identifier)
    if not wanted:
        return False
    if not any(wanted <= name for name in _names_of(fp)):
        return False
    return any(_identifier_words(value) == wanted for value in _own_identifiers(fp))


def names_field(identifier: str, fp: Fingerprint) -> bool:
    """True when ``identifier`` says what the form control's own ``name`` says ("email" for
    ``<input id="email" name="email">`` after its id was regenerated). A field's name is what the
    server receives, so a front-end change leaves it alone, and an id spelled like it is the
    commonest convention; a field with no visible name of its own has no other clue left."""
    if not fp.name or fp.tag not in _FORM_CONTROLS:
        return False
    wanted = _identifier_words(identifier)
    return bool(wanted) and _identifier_words(fp.name) == wanted


def identifier_fits(identifier: str, fp: Fingerprint) -> bool:
    return names_element(identifier, fp) or carries_identifier(identifier, fp) or names_field(identifier, fp)


# --- sample values ------------------------------------------------------------------------------

_SAMPLE_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"^[^\s@]+@[^\s@]+\.[a-z]{2,}$", re.I)),
    ("url", re.compile(r"^(https?://|www\.)\S+$", re.I)),
    ("date", re.compile(
        r"^(\d{1,4}|dd|mm|yyyy|yy)([./-])(\d{1,2}|dd|mm)\2(\d{1,4}|dd|mm|yyyy|yy)$", re.I)),
    ("phone", re.compile(r"^\+?[\d\s().-]{7,}$")),
)
# ``<input type>`` values that declare one of those kinds.
_TYPE_KINDS = {"email": "email", "url": "url", "tel": "phone", "date": "date"}
# Identifier words that declare one (an ``<input name="email">`` with no type).
_WORD_KINDS = {
    "email": "email", "mail": "email", "url": "url", "website": "url", "homepage": "url",
    "phone": "phone", "tel": "phone", "telephone": "phone", "mobile": "phone",
    "date": "date", "dob": "date", "birthday": "date",
}


def sample_kind(value: str) -> str | None:
    """The kind of value an example text shows ("you@example.com" -> "email"), or None."""
    text = value.strip()
    for kind, shape in _SAMPLE_SHAPES:
        if shape.match(text):
            return kind
    return None


def field_kind(fp: Fingerprint) -> str | None:
    """The kind of value a form field declares it takes, or None when it does not say."""
    declared = _TYPE_KINDS.get((fp.type or "").lower())
    if declared:
        return declared
    if fp.placeholder:
        shown = sample_kind(fp.placeholder)
        if shown:
            return shown
    kinds = {_WORD_KINDS[w] for w in own_identifier_words(fp) if w in _WORD_KINDS}
    return kinds.pop() if len(kinds) == 1 else None


def same_sample_kind(example: str, fp: Fingerprint) -> bool:
    """True when ``example`` (a placeholder the locator names) shows a kind of value that the
    field ``fp`` declares it takes."""
    kind = sample_kind(example)
    return kind is not None and field_kind(fp) == kind
