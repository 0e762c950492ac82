"""What a locator says about the element it meant, and scoring candidates against that.

Used when the healer has no recorded fingerprint yet (the first failure of a locator): the
selector itself is the only description. ``parse_locator`` turns the selector Playwright built
(``get_by_role`` -> ``internal:role=button[name="Log in"i]`` and so on) into ``LocatorHints``;
``hint_score`` compares a candidate with them, per cold strategy:

* ``text``: visible text / accessible name / label / placeholder / alt / title against the texts
  the locator asked for;
* ``role``: ARIA role plus accessible name;
* ``attribute``: id, class, name, test-id and other attribute tokens, tag and XPath.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field

from .fingerprint import Fingerprint
from .score import Match, _path_similarity, _xpath_steps
from .selector_grammar import (
    AttrPart,
    TextValue,
    read_attribute_selector,
    read_css_subject,
    read_json_string,
    read_text_body,
    read_xpath_subject,
    split_clauses,
    split_top_level,
)
from .similarity import contains_ci, text_similarity

Strategy = Literal["all", "text", "role", "attribute"]

TEST_ID_ATTRS = frozenset(
    {"data-testid", "data-test-id", "data-test", "data-qa", "data-qa-id", "data-cy", "data-automation-id",
     "data-e2e", "data-pw", "data-test-subj", "data-tid"}
)
# Fuzzy credit stays below a real match so that an element the locator would still have matched
# always outranks one that merely resembles it.
FUZZY_CAP = 0.9


class TextHint(BaseModel):
    """A text the locator matches: Playwright semantics are substring+ignore-case unless exact."""

    value: str
    exact: bool = False
    regex: bool = False
    flags: str = ""

    @classmethod
    def of(cls, text: TextValue) -> TextHint:
        return cls(value=text.value, exact=text.exact, regex=text.regex, flags=text.flags)

    def matches(self, actual: str) -> bool:
        if not actual:
            return False
        if self.regex:
            flags = re.IGNORECASE if "i" in self.flags else 0
            try:
                return re.search(self.value, actual, flags | (re.S if "s" in self.flags else 0)) is not None
            except re.error:
                return False
        if self.exact:
            return " ".join(actual.split()) == " ".join(self.value.split())
        return contains_ci(actual, self.value)

    def score(self, actual: str) -> float:
        if not actual:
            return 0.0
        if self.matches(actual):
            return 1.0
        probe = re.sub(r"\\.|[\^$.*+?()\[\]{}|]", " ", self.value) if self.regex else self.value
        return FUZZY_CAP * text_similarity(probe, actual)


class LocatorHints(BaseModel):
    """Everything a selector constrains about its target; empty fields mean "not said"."""

    selector: str = ""
    role: str = ""
    role_props: dict[str, str] = Field(default_factory=dict)
    name: TextHint | None = None
    text: TextHint | None = None
    label: TextHint | None = None
    placeholder: TextHint | None = None
    alt: TextHint | None = None
    title: TextHint | None = None
    test_id: TextHint | None = None
    test_id_attr: str = ""
    has_text: list[TextHint] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    ids: list[str] = Field(default_factory=list)
    classes: list[str] = Field(default_factory=list)
    attributes: dict[str, str] = Field(default_factory=dict)
    xpath: str = ""
    css: str = ""
    nth: int | None = None
    frames: list[str] = Field(default_factory=list)
    scopes: list[str] = Field(default_factory=list)
    has: list[str] = Field(default_factory=list)
    alternatives: list[LocatorHints] = Field(default_factory=list)
    description: str = ""
    unparsed: list[str] = Field(default_factory=list)

    def is_subject_empty(self) -> bool:
        return not (
            self.role or self.name or self.text or self.label or self.placeholder or self.alt or self.title
            or self.test_id or self.tags or self.ids or self.classes or self.attributes or self.xpath
            or self.has_text
        )


_SUBJECT_ENGINES = {
    "css", "xpath", "text", "internal:text", "internal:role", "role", "internal:label", "internal:attr",
    "internal:testid", "id", "internal:chain", *TEST_ID_ATTRS,
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
    impl = getattr(locator, "_impl_obj", locator)
    selector = getattr(impl, "_selector", None)
    if isinstance(selector, str):
        return selector
    return str(locator)


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
    for name in ("has_text", "tags", "ids", "classes", "has", "alternatives", "unparsed"):
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


# Roles that are easily confused by a redesign (a search field becoming a combobox) get partial credit.
_RELATED_ROLES = {
    frozenset({"textbox", "searchbox"}): 0.6,
    frozenset({"textbox", "combobox"}): 0.5,
    frozenset({"searchbox", "combobox"}): 0.6,
    frozenset({"button", "link"}): 0.3,
    frozenset({"checkbox", "switch"}): 0.6,
    frozenset({"menuitem", "option"}): 0.4,
    frozenset({"tab", "button"}): 0.3,
}

HINT_WEIGHTS: dict[str, float] = {
    "role": 2.0,
    "name": 2.0,
    "text": 2.0,
    "label": 2.0,
    "placeholder": 2.0,
    "alt": 1.5,
    "title": 1.5,
    "has_text": 1.0,
    "test_id": 3.0,
    "id": 2.0,
    "classes": 1.0,
    "tag": 1.0,
    "attributes": 1.0,
    "xpath": 1.0,
}

_STRATEGY_PARTS: dict[str, frozenset[str]] = {
    "text": frozenset({"name", "text", "label", "placeholder", "alt", "title", "has_text"}),
    "role": frozenset({"role", "name"}),
    "attribute": frozenset({"test_id", "id", "classes", "tag", "attributes", "xpath"}),
}


class HintScore(BaseModel):
    score: float
    breakdown: dict[str, float] = Field(default_factory=dict)


def _best_text(hint: TextHint, *values: str) -> float:
    return max((hint.score(v) for v in values if v), default=0.0)


def _token_match(want: str, actual: str) -> float:
    if not actual:
        return 0.0
    return 1.0 if want == actual else FUZZY_CAP * text_similarity(want, actual)


def _attribute_value(fp: Fingerprint, name: str) -> str:
    direct = {"name": fp.name, "type": fp.type, "href": fp.href, "aria-label": fp.accessible_name}
    return direct.get(name) or fp.attrs.get(name, "")


def _parts(hints: LocatorHints, fp: Fingerprint) -> dict[str, float]:
    sims: dict[str, float] = {}
    if hints.role:
        same = hints.role == fp.role
        sims["role"] = 1.0 if same else _RELATED_ROLES.get(frozenset({hints.role, fp.role}), 0.0)
    if hints.name:
        sims["name"] = _best_text(hints.name, fp.accessible_name, fp.text if not hints.role else "")
    if hints.text:
        sims["text"] = _best_text(hints.text, fp.text, fp.accessible_name)
    if hints.label:
        # getByLabel also matches aria-label / aria-labelledby, which end up in the accessible name.
        sims["label"] = _best_text(hints.label, fp.label, fp.accessible_name)
    for name in ("placeholder", "alt", "title"):
        hint = getattr(hints, name)
        if hint:
            sims[name] = _best_text(hint, getattr(fp, name))
    if hints.has_text:
        sims["has_text"] = sum(_best_text(h, fp.text) for h in hints.has_text) / len(hints.has_text)
    if hints.test_id:
        preferred = fp.test_ids.get(hints.test_id_attr, "")
        others = [v for k, v in fp.test_ids.items() if k != hints.test_id_attr]
        sims["test_id"] = max(hints.test_id.score(preferred), FUZZY_CAP * _best_text(hints.test_id, *others))
    if hints.ids:
        sims["id"] = max(_token_match(i, fp.id) for i in hints.ids)
    if hints.classes:
        per_class = [max((_token_match(c, mine) for mine in fp.classes), default=0.0) for c in hints.classes]
        sims["classes"] = sum(per_class) / len(per_class)
    if hints.tags:
        sims["tag"] = 1.0 if fp.tag in hints.tags else 0.0
    if hints.attributes:
        values = []
        for key, want in hints.attributes.items():
            actual = _attribute_value(fp, key)
            # A bare [attr] only asks for presence.
            values.append((1.0 if not want else _token_match(want, actual)) if actual else 0.0)
        sims["attributes"] = sum(values) / len(values)
    if hints.xpath and hints.xpath.startswith("/") and not hints.xpath.startswith("//"):
        steps = _xpath_steps(hints.xpath)
        sims["xpath"] = max(
            _path_similarity(steps, _xpath_steps(fp.xpath)),
            _path_similarity(steps, _xpath_steps(fp.id_xpath)),
        )
    return sims


def _one_score(hints: LocatorHints, fp: Fingerprint, strategy: Strategy) -> HintScore:
    sims = _parts(hints, fp)
    if strategy != "all":
        allowed = _STRATEGY_PARTS[strategy]
        sims = {k: v for k, v in sims.items() if k in allowed}
    total_weight = sum(HINT_WEIGHTS[k] for k in sims)
    if not total_weight:
        return HintScore(score=0.0)
    breakdown = {k: round(HINT_WEIGHTS[k] * v / total_weight, 6) for k, v in sims.items()}
    score = sum(HINT_WEIGHTS[k] * v for k, v in sims.items()) / total_weight
    return HintScore(score=round(score, 6), breakdown=breakdown)


def hint_score(hints: LocatorHints, candidate: Fingerprint, *, strategy: Strategy = "all") -> HintScore:
    """0..1 agreement of ``candidate`` with what the locator asked for (best ``or`` branch)."""
    best = _one_score(hints, candidate, strategy)
    for alternative in hints.alternatives:
        other = hint_score(alternative, candidate, strategy=strategy)
        if other.score > best.score:
            best = other
    return best


def rank_by_hints(
    hints: LocatorHints, candidates: Sequence[Fingerprint], *, strategy: Strategy = "all"
) -> list[Match]:
    """Like :func:`rank`, for the cold start: best first, ties in document order."""
    matches = []
    for index, cand in enumerate(candidates):
        scored = hint_score(hints, cand, strategy=strategy)
        matches.append(Match(index, cand, scored.score, scored.breakdown))
    matches.sort(key=lambda m: (-m.score, m.index))
    return matches
