"""The healed locator: how the layer reaches the element a heal chose, and how it is written.

The layer acts on the chosen element through its CSS path (inside its frames); what a person
reads, and what ``irl fix`` writes, is the suggestion (``heal.suggest``), or Playwright's own
``Locator.normalize()`` of the element turned back into Python where the suggestion is not a
role and name or a label the page confirms.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .heal import Fingerprint
from .pw import compat


def locator_for(page: Any, fp: Fingerprint) -> Any:
    root = page
    for frame in fp.frame_path:
        root = root.frame_locator(frame)
    return root.locator(fp.css_path)


_QUOTED = r'"((?:[^"\\]|\\.)*)"'
_INTERNAL = [
    (re.compile(rf"^internal:role=([a-z]+)\[name={_QUOTED}([is])\]$"), "get_by_role"),
    (re.compile(r"^internal:role=([a-z]+)$"), "get_by_role"),
    (re.compile(rf"^internal:testid=\[data-testid={_QUOTED}s\]$"), "get_by_test_id"),
    (re.compile(rf"^internal:text={_QUOTED}([is])$"), "get_by_text"),
    (re.compile(rf"^internal:label={_QUOTED}([is])$"), "get_by_label"),
    (re.compile(rf"^internal:attr=\[placeholder={_QUOTED}([is])\]$"), "get_by_placeholder"),
    (re.compile(rf"^internal:attr=\[alt={_QUOTED}([is])\]$"), "get_by_alt_text"),
    (re.compile(rf"^internal:attr=\[title={_QUOTED}([is])\]$"), "get_by_title"),
]


def python_for(selector: str, page: str = "page") -> str | None:
    """Python code for a one-part ``internal:`` selector (as Locator.normalize() returns), else None."""
    for pattern, method in _INTERNAL:
        match = pattern.match(selector)
        if match is None:
            continue
        groups = match.groups()
        if method == "get_by_role":
            if len(groups) == 1:
                return f'{page}.get_by_role("{groups[0]}")'
            name = json.loads(f'"{groups[1]}"')
            exact = ", exact=True" if groups[2] == "s" else ""
            return f'{page}.get_by_role("{groups[0]}", name={json.dumps(name, ensure_ascii=False)}{exact})'
        value = json.dumps(json.loads(f'"{groups[0]}"'), ensure_ascii=False)
        exact = ", exact=True" if len(groups) > 1 and groups[1] == "s" and method != "get_by_test_id" else ""
        return f"{page}.{method}({value}{exact})"
    return None


def normalized(locator: Any) -> str | None:
    """Playwright's own best selector for the element (``Locator.normalize()``, where it exists)."""
    normalize = getattr(locator, "normalize", None)
    if normalize is None:
        return None
    try:
        return compat.selector_of(normalize())
    except Exception:
        return None


def user_facing_and_alone(page: Any, suggestion: Any, healed: Any) -> bool:
    """The suggestion is a role and name or a label, and on the page it matches the healed element
    alone. Playwright's ``normalize()`` ranks a test id first; a person reads these first."""
    if suggestion.strategy not in ("role", "label") or not suggestion.unique:
        return False
    try:
        written = page.locator(suggestion.selector)
        return written.count() == 1 and written.and_(healed).count() == 1
    except Exception:
        return False
