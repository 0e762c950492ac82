"""Scoring candidates against ``LocatorHints`` (the cold strategies; see locator_hints)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from .fingerprint import Fingerprint
from .hints_model import FUZZY_CAP, LocatorHints, Strategy, TextHint
from .score import Match, path_similarity, xpath_steps
from .similarity import text_similarity

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
        steps = xpath_steps(hints.xpath)
        sims["xpath"] = max(
            path_similarity(steps, xpath_steps(fp.xpath)),
            path_similarity(steps, xpath_steps(fp.id_xpath)),
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
