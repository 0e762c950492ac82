"""Scoring candidates against ``LocatorHints`` (the cold strategies; see locator_hints).

The same safety rules as for recorded fingerprints apply (see ``decide``): each match carries
identity evidence judged against what the locator asked for (a ``get_by_role("button",
name="Apply coupon")`` whose button is gone must not heal to an "Apply" button: the name lost a
word), which of its keys look generated (never used for tie-breaks), and ``unique`` when it
alone on the page matches a distinctive name / text / label / placeholder of the locator. Links
and buttons are one family.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from .clues import identifier_fits, same_sample_kind
from .fingerprint import Fingerprint
from .hints_model import FUZZY_CAP, LocatorHints, Strategy, TextHint
from .identity import (
    AGREE,
    CLICKABLE_ROLES,
    CLICKABLE_TAGS,
    INPUT_ROLES,
    INPUT_TAGS,
    NEUTRAL,
    Evidence,
    best_verdict,
    distinctive,
    evidence_from,
    family,
    id_verdict,
    looks_generated,
    text_verdict,
    with_specific,
)
from .score import FAMILY_CREDIT, Match, path_alignment, xpath_steps
from .similarity import text_similarity

# Roles that are easily confused by a redesign (a search field becoming a combobox) get partial credit.
_RELATED_ROLES = {
    frozenset({"textbox", "searchbox"}): 0.6,
    frozenset({"textbox", "combobox"}): 0.5,
    frozenset({"searchbox", "combobox"}): 0.6,
    frozenset({"button", "link"}): FAMILY_CREDIT,
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


# Hint keys: the texts a user reads (names among them earn decide's unique bonus) and developer ids.
_TEXT_HINTS = ("name", "text", "label", "placeholder", "alt", "title")
_NAME_HINTS = frozenset({"name", "text", "label", "placeholder"})
_DEVELOPER_HINTS = frozenset({"id", "test_id"})
_STABLE_HINTS = frozenset({"id", "test_id"})


class HintScore(BaseModel):
    score: float
    breakdown: dict[str, float] = Field(default_factory=dict)
    sims: dict[str, float] = Field(default_factory=dict)


def _best_text(hint: TextHint, *values: str) -> float:
    return max((hint.score(v) for v in values if v), default=0.0)


def _token_match(want: str, actual: str) -> float:
    if not actual:
        return 0.0
    return 1.0 if want == actual else FUZZY_CAP * text_similarity(want, actual)


def _attribute_value(fp: Fingerprint, name: str) -> str:
    direct = {"name": fp.name, "type": fp.type, "href": fp.href, "aria-label": fp.accessible_name}
    return direct.get(name) or fp.attrs.get(name, "")


def _same_sample(hint: TextHint, fp: Fingerprint) -> bool:
    return not hint.regex and same_sample_kind(hint.value, fp)


def _named_texts(hints: LocatorHints, fp: Fingerprint) -> list[tuple[str, TextHint, tuple[str, ...]]]:
    """Each text the locator names, with the element's texts it may be found in."""
    texts: list[tuple[str, TextHint, tuple[str, ...]]] = []
    if hints.name:
        texts.append(("name", hints.name, (fp.accessible_name, fp.text if not hints.role else "")))
    if hints.text:
        texts.append(("text", hints.text, (fp.text, fp.accessible_name)))
    if hints.label:
        # getByLabel also matches aria-label / aria-labelledby, which end up in the accessible name.
        texts.append(("label", hints.label, (fp.label, fp.accessible_name)))
    for name in ("placeholder", "alt", "title"):
        hint = getattr(hints, name)
        if hint:
            texts.append((name, hint, (getattr(fp, name),)))
    return texts


def _parts(hints: LocatorHints, fp: Fingerprint) -> dict[str, float]:
    sims: dict[str, float] = {}
    if hints.role:
        same = hints.role == fp.role
        sims["role"] = 1.0 if same else _RELATED_ROLES.get(frozenset({hints.role, fp.role}), 0.0)
    for name, hint, values in _named_texts(hints, fp):
        sims[name] = _best_text(hint, *values)
    if hints.placeholder and sims["placeholder"] < FUZZY_CAP and _same_sample(hints.placeholder, fp):
        sims["placeholder"] = FUZZY_CAP
    if hints.has_text:
        sims["has_text"] = sum(_best_text(h, fp.text) for h in hints.has_text) / len(hints.has_text)
    if hints.test_id:
        preferred = fp.test_ids.get(hints.test_id_attr, "")
        others = [v for k, v in fp.test_ids.items() if k != hints.test_id_attr]
        sims["test_id"] = max(hints.test_id.score(preferred), FUZZY_CAP * _best_text(hints.test_id, *others))
        fits = not hints.test_id.regex and identifier_fits(hints.test_id.value, fp)
        if sims["test_id"] < FUZZY_CAP and fits:
            sims["test_id"] = FUZZY_CAP
    if hints.ids:
        sims["id"] = max(_token_match(i, fp.id) for i in hints.ids)
        if sims["id"] < FUZZY_CAP and any(identifier_fits(i, fp) for i in hints.ids):
            sims["id"] = FUZZY_CAP
    if hints.classes:
        per_class = [max((_token_match(c, mine) for mine in fp.classes), default=0.0) for c in hints.classes]
        per_class = [FUZZY_CAP if v < FUZZY_CAP and identifier_fits(c, fp) else v
                     for c, v in zip(hints.classes, per_class, strict=True)]
        sims["classes"] = sum(per_class) / len(per_class)
    if hints.tags:
        related = any(t in CLICKABLE_TAGS for t in hints.tags) and family(fp) == "clickable"
        sims["tag"] = 1.0 if fp.tag in hints.tags else (FAMILY_CREDIT if related else 0.0)
    if hints.attributes:
        per_attribute: list[float] = []
        for key, want in hints.attributes.items():
            actual = _attribute_value(fp, key)
            # A bare [attr] only asks for presence.
            per_attribute.append((1.0 if not want else _token_match(want, actual)) if actual else 0.0)
        sims["attributes"] = sum(per_attribute) / len(per_attribute)
    if hints.xpath and hints.xpath.startswith("/") and not hints.xpath.startswith("//"):
        steps = xpath_steps(hints.xpath)
        sims["xpath"] = max(
            path_alignment(steps, xpath_steps(fp.xpath)),
            path_alignment(steps, xpath_steps(fp.id_xpath)),
        )
    return sims


def _one_score(hints: LocatorHints, fp: Fingerprint, strategy: Strategy) -> HintScore:
    sims = _parts(hints, fp)
    if strategy != "all":
        allowed = _STRATEGY_PARTS[strategy]
        sims = {k: v for k, v in sims.items() if k in allowed}
    total_weight = sum(HINT_WEIGHTS[k] for k in sims)
    if not total_weight:
        return HintScore(score=0.0, sims=sims)
    breakdown = {k: round(HINT_WEIGHTS[k] * v / total_weight, 6) for k, v in sims.items()}
    score = sum(HINT_WEIGHTS[k] * v for k, v in sims.items()) / total_weight
    return HintScore(score=round(score, 6), breakdown=breakdown, sims=sims)


def _best_branch(
    hints: LocatorHints, candidate: Fingerprint, strategy: Strategy
) -> tuple[LocatorHints, HintScore]:
    best = (hints, _one_score(hints, candidate, strategy))
    for alternative in hints.alternatives:
        other = _best_branch(alternative, candidate, strategy)
        if other[1].score > best[1].score:
            best = other
    return best


def hint_score(hints: LocatorHints, candidate: Fingerprint, *, strategy: Strategy = "all") -> HintScore:
    """0..1 agreement of ``candidate`` with what the locator asked for (best ``or`` branch)."""
    return _best_branch(hints, candidate, strategy)[1]


def _text_verdict(hint: TextHint, *values: str) -> int:
    """A value the locator would match agrees; otherwise judged like recorded texts."""
    verdicts = []
    for value in values:
        if not value:
            continue
        if hint.matches(value):
            return AGREE
        if not hint.regex:
            verdicts.append(text_verdict(hint.value, value))
    return best_verdict(verdicts)


def hint_verdicts(hints: LocatorHints, fp: Fingerprint) -> dict[str, int]:
    """Identity verdicts of ``fp`` against the texts and identifiers the locator names."""
    out: dict[str, int] = {}
    for name, hint, values in _named_texts(hints, fp):
        out[name] = _text_verdict(hint, *values)
    if hints.placeholder and out["placeholder"] != AGREE and _same_sample(hints.placeholder, fp):
        out["placeholder"] = AGREE  # another example of the same kind of value: the same field
    if hints.has_text:
        out["has_text"] = min(_text_verdict(h, fp.text) for h in hints.has_text)
    if hints.test_id and not hints.test_id.regex and identifier_fits(hints.test_id.value, fp):
        out["test_id_name"] = AGREE
    elif hints.test_id and fp.test_ids:
        test_ids = [fp.test_ids.get(hints.test_id_attr, ""), *fp.test_ids.values()]
        matched = any(hints.test_id.matches(v) for v in test_ids if v)
        out["test_id"] = AGREE if matched else best_verdict(
            id_verdict(hints.test_id.value, v) for v in test_ids if v
        )
    if any(identifier_fits(i, fp) for i in [*hints.ids, *hints.classes]):
        out["id_name"] = AGREE  # the id spells this element's name: a renamed id is no conflict
    elif hints.ids and fp.id:
        out["id"] = best_verdict(id_verdict(i, fp.id) for i in hints.ids)
    if hints.classes and fp.classes:
        # Classes the locator chose are its handle on the element ("btn-primary" still names
        # "button--primary"); a missing one is no conflict, an element carries many classes.
        per_class = [max(NEUTRAL, best_verdict(id_verdict(c, k) for k in fp.classes)) for c in hints.classes]
        out["classes"] = min(per_class)
    for key, want in hints.attributes.items():
        actual = _attribute_value(fp, key)
        if want and actual:
            out[f"[{key}]"] = text_verdict(want, actual) if key == "href" else id_verdict(want, actual)
    return out


def _hint_evidence(hints: LocatorHints, fp: Fingerprint) -> Evidence:
    verdicts = hint_verdicts(hints, fp)
    unstable = frozenset({"id"}) if any(looks_generated(i) for i in [*hints.ids, fp.id] if i) else frozenset()
    minor = frozenset(k for k in verdicts if k in _DEVELOPER_HINTS or k.startswith("["))
    return evidence_from(verdicts, unstable, minor, _STABLE_HINTS)


def _hints_family(hints: LocatorHints) -> str | None:
    if hints.role in CLICKABLE_ROLES or any(t in CLICKABLE_TAGS for t in hints.tags):
        return "clickable"
    if hints.role in INPUT_ROLES or any(t in INPUT_TAGS for t in hints.tags):
        return "input"
    return hints.role or None


def _distinct_keys(hints: LocatorHints) -> set[str]:
    """Hint keys whose page-unique agreement is specific: identifiers, texts of several words."""
    out = {*_DEVELOPER_HINTS, "classes"} | {f"[{key}]" for key in hints.attributes}
    for name in _TEXT_HINTS:
        hint: TextHint | None = getattr(hints, name)
        if hint is not None and not hint.regex and distinctive(hint.value):
            out.add(name)
    if any(not h.regex and distinctive(h.value) for h in hints.has_text):
        out.add("has_text")
    for alternative in hints.alternatives:
        out |= _distinct_keys(alternative)
    return out


def rank_by_hints(
    hints: LocatorHints, candidates: Sequence[Fingerprint], *, strategy: Strategy = "all"
) -> list[Match]:
    """Like :func:`rank`, for the cold start: best first, ties in document order.

    Identity evidence is judged against the ``or`` branch that scored best for each candidate.
    """
    kind = _hints_family(hints)
    scored = []
    evidences = []
    comparable = []
    for cand in candidates:
        branch, result = _best_branch(hints, cand, strategy)
        scored.append(result)
        evidences.append(_hint_evidence(branch, cand))
        comparable.append(kind is None or family(cand) == kind)
    evidences = with_specific(evidences, comparable, frozenset(_distinct_keys(hints)), _NAME_HINTS)
    matches = [
        Match(index, cand, result.score, result.breakdown, result.sims, evidence, HINT_WEIGHTS)
        for index, (cand, result, evidence) in enumerate(zip(candidates, scored, evidences, strict=True))
    ]
    matches.sort(key=lambda m: (-m.score, m.index))
    return matches
