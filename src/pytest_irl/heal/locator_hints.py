"""What a locator says about the element it meant, and scoring candidates against that.

Used when the healer has no recorded fingerprint yet (the first failure of a locator): the
selector itself is the only description. ``parse_locator`` turns the selector Playwright built
(``get_by_role`` -> ``internal:role=button[name="Log in"i]`` and so on) into ``LocatorHints``;
``hint_score`` compares a candidate with them, per cold strategy:

* ``text``: visible text / accessible name / label / placeholder / alt / title against the texts
  the locator asked for;
* ``role``: ARIA role plus accessible name;
* ``attribute``: id, class, name, test-id and other attribute tokens, tag and XPath.

The models live in ``hints_model``, the scoring in ``hint_scoring``; both are re-exported here.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from .hint_scoring import HINT_WEIGHTS, HintScore, hint_score, rank_by_hints
from .hints_model import TEST_ID_ATTRS, LocatorHints, Strategy, TextHint
from .selector_grammar import (
    AttrPart,
    read_attribute_selector,
    read_css_subject,
    read_json_string,
    read_text_body,
    read_xpath_subject,
    split_clauses,
    split_top_level,
)

__all__ = [
    "HINT_WEIGHTS",
    "TEST_ID_ATTRS",
    "HintScore",
    "LocatorHints",
    "Strategy",
    "TextHint",
    "hint_score",
    "parse_locator",
    "rank_by_hints",
    "selector_of",
]


_SUBJECT_ENGINES = {
    "css",
    "xpath",
    "text",
    "internal:text",
    "internal:role",
    "role",
    "internal:label",
    "internal:attr",
    "internal:testid",
    "id",
    "internal:chain",
    *TEST_ID_ATTRS,
}
# repr() of a Locator: <Locator frame=<Frame ...> selector='internal:role=...'>
_LOCATOR_REPR = re.compile(
    r"^<Locator frame=.* selector=(?P<sel>'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\")>$", re.S
)


def selector_of(locator: Any) -> str:
    """The raw selector of a Playwright Locator (sync or async wrapper), or a string as given."""
    if isinstance(locator, str):
        match = _LOCATOR_REPR.match(locator.strip())
        if match:
            try:
                return str(ast.literal_eval(match.group("sel")))
            except (ValueError, SyntaxError):
                return locator
        return locator
    # A Locator object: read from its repr (the pure core never reaches into Playwright).
    return selector_of(str(locator))


def parse_locator(locator: Any) -> LocatorHints:
    """Parse a Locator, its ``str()``/``repr()`` or a raw selector string. Never raises."""
    selector = selector_of(locator)
    frames: list[str] = []
    current = LocatorHints()
    consumed: list[str] = []
    for clause in split_clauses(selector):
        engine, body = clause.engine, clause.body
        if engine == "internal:control" and body.strip() == "enter-frame":
            # Everything so far selected the iframe; the target lives in its document.
            frames.append(" >> ".join(consumed))
            consumed, current = [], LocatorHints()
            continue
        if engine in _SUBJECT_ENGINES:
            if not current.is_subject_empty():
                current.scopes.append(" >> ".join(consumed))
            if engine == "internal:chain":
                fresh = parse_locator(read_json_string(body))
            else:
                fresh = _subject(engine, body)
            fresh.scopes = current.scopes + fresh.scopes
            current = fresh
        elif engine == "nth":
            try:
                current.nth = int(body)
            except ValueError:
                current.unparsed.append(clause.source)
        elif engine == "internal:has-text":
            current.has_text.append(TextHint.of(read_text_body(body)))
        elif engine == "internal:has":
            current.has.append(read_json_string(body))
        elif engine == "internal:and":
            _merge(current, parse_locator(read_json_string(body)))
        elif engine == "internal:or":
            current.alternatives.append(parse_locator(read_json_string(body)))
        elif engine == "internal:describe":
            current.description = read_json_string(body)
        elif engine not in ("visible", "internal:has-not", "internal:has-not-text"):
            current.unparsed.append(clause.source)
        consumed.append(clause.source)
    return current.model_copy(update={"selector": selector, "frames": frames + current.frames})


def _merge(into: LocatorHints, other: LocatorHints) -> None:
    """``internal:and``: both describe the same element, so every constraint applies."""
    for name in ("role", "test_id_attr", "xpath", "css", "description"):
        if not getattr(into, name) and getattr(other, name):
            setattr(into, name, getattr(other, name))
    for name in ("name", "text", "label", "placeholder", "alt", "title", "test_id"):
        if getattr(into, name) is None and getattr(other, name) is not None:
            setattr(into, name, getattr(other, name))
    for name in ("has_text", "tags", "ids", "classes", "has", "alternatives", "scopes", "unparsed"):
        getattr(into, name).extend(x for x in getattr(other, name) if x not in getattr(into, name))
    into.role_props.update({k: v for k, v in other.role_props.items() if k not in into.role_props})
    into.attributes.update({k: v for k, v in other.attributes.items() if k not in into.attributes})
    if into.nth is None:
        into.nth = other.nth


def _subject(engine: str, body: str) -> LocatorHints:
    hints = LocatorHints()
    if engine in ("internal:text", "text"):
        hints.text = TextHint.of(read_text_body(body, quoted_means_exact=engine == "text"))
    elif engine == "internal:label":
        hints.label = TextHint.of(read_text_body(body))
    elif engine in ("internal:role", "role"):
        role, parts = read_attribute_selector(body)
        hints.role = role.lower()
        for part in parts:
            if part.name == "name":
                hints.name = _attr_text(part)
            else:
                hints.role_props[part.name] = part.value if part.op else "true"
    elif engine in ("internal:attr", "internal:testid"):
        _, parts = read_attribute_selector(body)
        for part in parts:
            _route_attribute(hints, part, force_test_id=engine == "internal:testid")
    elif engine == "id":
        hints.ids.append(read_text_body(body).value)
    elif engine in TEST_ID_ATTRS:
        hints.test_id = TextHint(value=read_text_body(body).value, exact=True)
        hints.test_id_attr = engine
    elif engine == "xpath":
        _read_xpath(hints, body)
    else:
        _read_css(hints, body)
    return hints


def _attr_text(part: AttrPart) -> TextHint:
    if part.regex:
        return TextHint(value=part.value, regex=True, flags=part.flags)
    return TextHint(value=part.value, exact=part.case_sensitive and part.op == "=")


def _route_attribute(hints: LocatorHints, part: AttrPart, *, force_test_id: bool = False) -> None:
    name = part.name.lower()
    if force_test_id or name in TEST_ID_ATTRS:
        hints.test_id = _attr_text(part)
        hints.test_id_attr = part.name
    elif name == "id":
        hints.ids.append(part.value)
    elif name == "class":
        hints.classes.extend(c for c in part.value.split() if c)
    elif name in ("placeholder", "alt", "title"):
        setattr(hints, name, _attr_text(part))
    elif name == "aria-label":
        hints.name = _attr_text(part)
        hints.attributes[name] = part.value
    elif name == "role":
        hints.role = part.value.lower()
    else:
        hints.attributes[name] = part.value


def _read_css(hints: LocatorHints, css: str) -> None:
    hints.css = css.strip()
    alternatives = read_css_list(css)
    first, rest = alternatives[0], alternatives[1:]
    _merge(hints, first)
    # `a, button`: a CSS list is an "or" of its members.
    hints.alternatives.extend(rest)


def read_css_list(css: str) -> list[LocatorHints]:
    out = []
    for member in split_top_level(css, ","):
        compound = read_css_subject(member)
        one = LocatorHints(css=member.strip())
        chain = [c for c in split_top_level(member.strip(), " >+~") if c.strip()]
        if len(chain) > 1:
            # `.card .btn-primary`: the ancestors only scope the search; keep them for context.
            one.scopes.append(member.strip()[: -len(chain[-1].strip())].rstrip(" >+~"))
        if compound.tag:
            one.tags.append(compound.tag)
        one.ids.extend(compound.ids)
        one.classes.extend(compound.classes)
        for part in compound.attrs:
            _route_attribute(one, part)
        for pseudo, arg in compound.pseudos:
            if pseudo in ("has-text", "text", "text-is", "text-matches"):
                text = read_text_body(arg)
                hint = TextHint(value=text.value, exact=pseudo == "text-is", regex=pseudo == "text-matches")
                if pseudo == "has-text":
                    one.has_text.append(hint)
                else:
                    one.text = hint
            elif pseudo == "has":
                one.has.append(arg)
        out.append(one)
    return out or [LocatorHints()]


def _read_xpath(hints: LocatorHints, xpath: str) -> None:
    hints.xpath = xpath.strip()
    tag, predicates = read_xpath_subject(xpath)
    if tag:
        hints.tags.append(tag)
    for kind, name, value in predicates:
        if name == "text":
            hints.text = TextHint(value=value, exact=kind == "text")
        elif kind == "contains" and name == "class":
            hints.classes.extend(value.split())
        else:
            _route_attribute(hints, AttrPart(name, "=" if kind == "attr" else "*=", value))
