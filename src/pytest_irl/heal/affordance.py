"""What an action can be done to: a heal must land on an element that can take the action.

A test that fills a field means a field, whatever else on the page resembles the locator it
wrote (the hint ``<div id="email-info">`` next to the renamed ``<input id="email-x7f3">``).
Playwright itself refuses to fill a ``<div>`` or to check a button, so a candidate that cannot
take the action can only be a wrong heal that fails later, or worse, a click on the wrong thing
when the action is forgiving. Actions with no such demand (click, hover, reads) take anything.

The rules follow what Playwright accepts: ``fill`` an ``<input>`` of a typed or set value, a
``<textarea>`` or an editable element; ``check`` a checkbox or radio (input or ARIA role);
``select_option`` a ``<select>``. A ``<label>`` is kept for all of them, as Playwright acts on the
control it labels (and ``decide`` hands a label's win to its control).
"""

from __future__ import annotations

from collections.abc import Sequence

from .fingerprint import Fingerprint
from .score import Match

FILL_ACTIONS = frozenset({"fill", "clear", "type", "press_sequentially"})
CHECK_ACTIONS = frozenset({"check", "uncheck", "set_checked"})
SELECT_ACTIONS = frozenset({"select_option"})
# Input types Playwright cannot fill (it checks, clicks or uploads them instead).
_NOT_FILLABLE = frozenset({"checkbox", "radio", "file", "button", "submit", "reset", "image", "hidden"})
_CHECKABLE_ROLES = frozenset({"checkbox", "radio", "switch", "menuitemcheckbox", "menuitemradio"})


def fillable(fp: Fingerprint) -> bool:
    if fp.tag == "input":
        return (fp.type or "text") not in _NOT_FILLABLE
    return fp.tag == "textarea" or (fp.is_input and fp.tag != "select")


def checkable(fp: Fingerprint) -> bool:
    if fp.tag == "input":
        return fp.type in {"checkbox", "radio"}
    return fp.role in _CHECKABLE_ROLES


def can_take(action: str, fp: Fingerprint) -> bool:
    """Whether ``action`` (a Playwright method name) can be done to the element ``fp``."""
    if fp.tag == "label":
        return True
    if action in FILL_ACTIONS:
        return fillable(fp)
    if action in CHECK_ACTIONS:
        return checkable(fp)
    if action in SELECT_ACTIONS:
        return fp.tag == "select"
    return True


def able(action: str, matches: Sequence[Match]) -> list[Match]:
    """``matches`` without the candidates that cannot take ``action``."""
    return [m for m in matches if can_take(action, m.candidate)]


def action_for(fp: Fingerprint) -> str:
    """The action a test most likely does to ``fp`` (the corpus records elements, not actions)."""
    if checkable(fp):
        return "check"
    if fp.tag == "select":
        return "select_option"
    if fillable(fp):
        return "fill"
    return "click"
