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

from ..heal import Fingerprint
from ..heal.selector_grammar import split_clauses
from ..pw import compat


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


def python_of(selector: str, page: str = "page") -> str:
    """Python code for any recorded selector, as a person writes it: each ``>>`` part as the
    method that makes it (``get_by_role``, ``.locator("css")``, ``.nth(2)``, ``.frame_locator``,
    ``.filter(has_text=...)``); a part without a plain Python form keeps the whole selector in
    one ``page.locator("...")``."""
    whole = f"{page}.locator({json.dumps(selector, ensure_ascii=False)})"
    try:
        clauses = split_clauses(selector)
    except Exception:
        return whole
    code, i = page, 0
    while i < len(clauses):
        clause = clauses[i]
        following = clauses[i + 1] if i + 1 < len(clauses) else None
        if following is not None and following.source.replace(" ", "") == "internal:control=enter-frame":
            code += f".frame_locator({json.dumps(clause.source, ensure_ascii=False)})"
            i += 2
            continue
        part = _python_part(clause.engine, clause.body, clause.source)
        if part is None:
            return whole
        code += part
        i += 1
    return code if code != page else whole


def _python_part(engine: str, body: str, source: str) -> str | None:
    if engine.startswith("internal:") and engine not in ("internal:has-text", "internal:control"):
        return python_for(source, page="")
    if engine in ("css", "xpath"):
        return f".locator({json.dumps(source, ensure_ascii=False)})"
    if engine == "nth" and body.lstrip("-").isdigit():
        index = int(body)
        return ".first" if index == 0 else ".last" if index == -1 else f".nth({index})"
    if engine == "internal:has-text" and body[:1] == '"' and body[-2:] == '"i':
        try:
            return f".filter(has_text={json.dumps(json.loads(body[:-1]), ensure_ascii=False)})"
        except ValueError:
            return None
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
