"""Ranking candidates against a recorded fingerprint (weighted multi-attribute similarity).

In the spirit of the published Similo approach: many weak, independent attribute comparisons
summed with weights, so that no single attribute that changed between releases (an id, a class,
a reworded label) can sink the right element. Each attribute yields a similarity in 0..1; an
attribute that is missing on *both* sides is skipped and its weight removed from the total, so a
sparse fingerprint is judged only on what it knows. The per-attribute contributions add up to the
score, which makes every decision explainable.

Two refinements keep resemblance from standing in for identity:

* links and buttons (``a``, ``button``, ``[role=button|link]``, ``input[type=submit|button]``) are
  one *clickable* family: a link redesigned into a button keeps ``FAMILY_CREDIT`` of the tag,
  role and kind agreement, and their ``type`` attributes (which mean different things) are not
  compared;
* every match carries its raw per-attribute similarities (``sims``, for tie-breaks)
  and its ``identity.Evidence``: which identity attributes agree, conflict, or are the only
  exact match of the reference's distinctive name on the page (``unique``). ``decide`` uses both;
  ``score`` itself stays the plain weighted similarity.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .fingerprint import Box, Fingerprint
from .identity import (
    AGREE,
    DEVELOPER_KEYS,
    NAME_KEYS,
    Evidence,
    distinctive,
    evidence_from,
    family,
    fingerprint_verdicts,
    moved_identifier,
    text_verdict,
    unstable_keys,
    with_specific,
)
from .shortlist import shortlist
from .similarity import EMPTY, Prepared, prepare, similarity, text_similarity

# Same tag / role / kind are strong evidence but cheap to share with a look-alike, so the
# textual and identity attributes together outweigh them. Test ids are the one attribute teams
# keep stable on purpose, hence the largest weight.
WEIGHTS: dict[str, float] = {
    "tag": 1.5,
    "role": 1.0,
    "kind": 0.5,
    "type": 0.5,
    "id": 1.5,
    "name": 1.0,
    "test_ids": 2.0,
    "classes": 0.75,
    "attrs": 0.5,
    "href": 0.5,
    "accessible_name": 1.5,
    "text": 1.5,
    "label": 1.0,
    "placeholder": 1.0,
    "title": 0.5,
    "alt": 0.5,
    "xpath": 0.5,
    "id_xpath": 0.75,
    "location": 0.5,
    "size": 0.5,
    "neighbours": 1.0,
    "context": 1.0,
    "container": 0.5,
}

_TEXT_FIELDS = (
    "id",
    "name",
    "accessible_name",
    "text",
    "label",
    "placeholder",
    "title",
    "alt",
    "href",
    "context",
)
# Texts a person reads, where everyday UI synonyms count as the same words.
_WORDED_FIELDS = frozenset({"accessible_name", "text", "label", "placeholder", "title", "alt"})

# Half the similarity at this centre-to-centre distance (CSS px): a banner pushing the element
# down keeps most of the credit, a sibling button a row away gets about half.
LOCATION_HALF_PX = 100.0

# Share of the tag / role / kind agreement a link keeps against a button (and vice versa).
FAMILY_CREDIT = 0.6
_CLICKABLE_ROLES = frozenset({"button", "link"})


@dataclass(frozen=True, slots=True)
class Match:
    """One scored candidate. ``breakdown`` values add up to ``score``.

    ``sims`` holds the raw 0..1 similarity per compared attribute, ``weights`` the weights they
    were scored with and ``reference`` what they were compared with (None in cold mode);
    ``evidence`` is None only for matches built by hand (``decide`` then skips the identity
    checks).
    """

    index: int
    candidate: Fingerprint
    score: float
    breakdown: dict[str, float] = field(default_factory=dict)
    sims: dict[str, float] = field(default_factory=dict)
    evidence: Evidence | None = None
    weights: Mapping[str, float] = field(default_factory=dict, repr=False, compare=False)
    reference: Fingerprint | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "index": self.index,
            "score": self.score,
            "breakdown": dict(self.breakdown),
            "candidate": self.candidate.to_json_dict(),
        }
        if self.evidence is not None:
            out["evidence"] = self.evidence.to_dict()
        return out


def xpath_steps(xpath: str) -> tuple[str, ...]:
    return tuple(s for s in xpath.split("/") if s)


_ID_STEP = re.compile(r"""^\*\[@id=["'](.*)["']\]$""")


def _step_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    # An id anchor whose id was regenerated (btn-login-x7f3a -> btn-login-k2j9q) is still the
    # same anchor in spirit; plain steps either match or not.
    id_a, id_b = _ID_STEP.match(a), _ID_STEP.match(b)
    if id_a and id_b:
        return text_similarity(id_a.group(1), id_b.group(1))
    return 0.0


def path_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Shared leading plus shared trailing steps over the longer path: cheap, order-aware."""
    if a == b:
        return 1.0 if a else 0.0
    longest = max(len(a), len(b))
    if not longest:
        return 0.0
    shortest = min(len(a), len(b))
    total = 0.0
    prefix = 0
    while prefix < shortest:
        step = _step_similarity(a[prefix], b[prefix])
        if step < 0.5:
            break
        total += step
        prefix += 1
    suffix = 0
    while suffix < shortest - prefix:
        step = _step_similarity(a[-1 - suffix], b[-1 - suffix])
        if step < 0.5:
            break
        total += step
        suffix += 1
    return total / longest


# What an edit of a path costs (``path_alignment``): a step inserted or removed (a wrapper came
# or went), a step of the same tag at another position (a sibling before it came or went), and
# any other change of one step (costed as a removal plus an insertion).
WRAPPER_EDIT = 0.15
POSITION_EDIT = 0.3
_INDEXED_STEP = re.compile(r"^(.*?)(?:\[(\d+)\])?$")


def _step_cost(a: str, b: str) -> float:
    if a == b:
        return 0.0
    id_a, id_b = _ID_STEP.match(a), _ID_STEP.match(b)
    if id_a and id_b:
        return min(2 * WRAPPER_EDIT, 1.0 - text_similarity(id_a.group(1), id_b.group(1)))
    tag_a, at_a = _INDEXED_STEP.match(a).groups()  # type: ignore[union-attr]
    tag_b, at_b = _INDEXED_STEP.match(b).groups()  # type: ignore[union-attr]
    if tag_a == tag_b and (at_a or "1") != (at_b or "1"):
        return POSITION_EDIT
    return 0.0 if tag_a == tag_b else 2 * WRAPPER_EDIT


def path_alignment(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """1 minus the cheapest edit of path ``a`` into ``b`` (the costs above), floored at 0.

    Unlike ``path_similarity`` it tells how a path changed, which is what a copied absolute XPath
    has to say when nothing was learned: ``/html/body/div/form/button[2]`` is one wrapper away
    from ``/html/body/div/div/form/button[2]`` (0.85) but a wrapper and a position away from
    ``.../div/form/button[1]`` (0.55).
    """
    if not a or not b:
        return 0.0
    previous = [j * WRAPPER_EDIT for j in range(len(b) + 1)]
    for i, step_a in enumerate(a, 1):
        current = [i * WRAPPER_EDIT]
        for j, step_b in enumerate(b, 1):
            current.append(min(previous[j] + WRAPPER_EDIT, current[j - 1] + WRAPPER_EDIT,
                               previous[j - 1] + _step_cost(step_a, step_b)))
        previous = current
    return max(0.0, 1.0 - previous[-1])


def _dict_similarity(a: Mapping[str, Prepared], b: Mapping[str, str]) -> float:
    keys = a.keys() | b.keys()
    if not keys:
        return 0.0
    total = 0.0
    for key in keys:
        if key in a and key in b:
            total += similarity(a[key], prepare(b[key]))
    return total / len(keys)


def _location_similarity(a: Box, b: Box) -> float:
    (ax, ay), (bx, by) = a.center, b.center
    return 1.0 / (1.0 + math.hypot(ax - bx, ay - by) / LOCATION_HALF_PX)


def _size_similarity(a: Box, b: Box) -> float:
    area_a, area_b = a.width * a.height, b.width * b.height
    if area_a <= 0 or area_b <= 0:
        return 1.0 if area_a == area_b else 0.0
    area = min(area_a, area_b) / max(area_a, area_b)
    shape_a, shape_b = a.width / a.height, b.width / b.height
    shape = min(shape_a, shape_b) / max(shape_a, shape_b)
    return 0.5 * area + 0.5 * shape


def _classes_text(classes: Sequence[str]) -> str:
    return " ".join(sorted(classes))


def _container_text(fp: Fingerprint) -> str:
    # Frames and shadow hosts are separate scopes; the marker keeps them from blending.
    if not fp.frame_path and not fp.shadow_path:
        return ""
    return " ".join([*fp.frame_path, "frame/shadow", *fp.shadow_path])


class _Reference:
    """The reference fingerprint with every comparison feature computed once per ``rank`` call."""

    def __init__(self, fp: Fingerprint) -> None:
        self.fp = fp
        self.text = {name: prepare(getattr(fp, name)) for name in _TEXT_FIELDS}
        self.classes = prepare(_classes_text(fp.classes)) if fp.classes else EMPTY
        self.test_ids = {k: prepare(v) for k, v in fp.test_ids.items()}
        self.attrs = {k: prepare(v) for k, v in fp.attrs.items()}
        self.xpath = xpath_steps(fp.xpath)
        self.id_xpath = xpath_steps(fp.id_xpath)
        self.kind = (fp.is_button, fp.is_link, fp.is_input)
        self.neighbours = [(d, prepare(t)) for d, t in fp.neighbours.items()]
        self.container_key = (tuple(fp.frame_path), tuple(fp.shadow_path))
        self.container = prepare(_container_text(fp))
        self.family = family(fp)
        self.clickable = self.family == "clickable"


def _score_one(
    ref: _Reference, cand: Fingerprint, weights: Mapping[str, float], cand_family: str
) -> tuple[float, dict[str, float], dict[str, float]]:
    sims: dict[str, float] = {}
    fp = ref.fp
    # Links and buttons are one family: partial credit instead of none when one became the other.
    related = FAMILY_CREDIT if ref.clickable and cand_family == "clickable" else 0.0

    if fp.tag or cand.tag:
        sims["tag"] = 1.0 if fp.tag == cand.tag else related
    if fp.role or cand.role:
        same_role = fp.role == cand.role
        sims["role"] = 1.0 if same_role else (related if cand.role in _CLICKABLE_ROLES else 0.0)
    cand_kind = (cand.is_button, cand.is_link, cand.is_input)
    if any(ref.kind) or any(cand_kind):
        sims["kind"] = 1.0 if ref.kind == cand_kind else related
    if (fp.type or cand.type) and not (related and fp.tag != cand.tag):
        sims["type"] = 1.0 if fp.type == cand.type else 0.0

    for name in _TEXT_FIELDS:
        mine = ref.text[name]
        theirs: str = getattr(cand, name)
        if mine.norm or theirs:
            sim = similarity(mine, prepare(theirs)) if theirs else 0.0
            # The same words once everyday UI synonyms are joined ("Log in" / "Sign in").
            if 0.0 < sim < 1.0 and name in _WORDED_FIELDS:
                sim = 1.0 if text_verdict(getattr(fp, name), theirs) == AGREE else sim
            sims[name] = sim

    if fp.classes or cand.classes:
        theirs_classes = prepare(_classes_text(cand.classes)) if cand.classes else EMPTY
        sims["classes"] = similarity(ref.classes, theirs_classes)
        moved = moved_identifier(fp, cand)
        if moved is not None:
            # An id that became a class (or the reverse, "ids renamed to classes") is the same
            # developer handle: the id agrees, and the classes are compared with it in place.
            sims["id"] = 1.0
            if moved in cand.classes:
                mine_classes = [*fp.classes, moved]
            else:
                mine_classes = [c for c in fp.classes if c != moved]
            sims["classes"] = similarity(prepare(_classes_text(mine_classes)), theirs_classes)
    if ref.test_ids or cand.test_ids:
        sims["test_ids"] = _dict_similarity(ref.test_ids, cand.test_ids)
    if ref.attrs or cand.attrs:
        sims["attrs"] = _dict_similarity(ref.attrs, cand.attrs)

    if ref.xpath or cand.xpath:
        sims["xpath"] = path_similarity(ref.xpath, xpath_steps(cand.xpath))
    if ref.id_xpath or cand.id_xpath:
        sims["id_xpath"] = path_similarity(ref.id_xpath, xpath_steps(cand.id_xpath))

    # Geometry is only known when both sides were measured; a missing box says nothing.
    if fp.box is not None and cand.box is not None:
        sims["location"] = _location_similarity(fp.box, cand.box)
        sims["size"] = _size_similarity(fp.box, cand.box)

    present = 0
    total = 0.0
    for direction, mine in ref.neighbours:
        theirs = getattr(cand.neighbours, direction)
        if mine.norm or theirs:
            present += 1
            if mine.norm and theirs:
                total += similarity(mine, prepare(theirs))
    if present:
        sims["neighbours"] = total / present

    if ref.container.norm or cand.frame_path or cand.shadow_path:
        if ref.container_key == (tuple(cand.frame_path), tuple(cand.shadow_path)):
            sims["container"] = 1.0
        else:
            sims["container"] = similarity(ref.container, prepare(_container_text(cand)))

    numerator = 0.0
    denominator = 0.0
    contributions: dict[str, float] = {}
    for name, sim in sims.items():
        weight = weights.get(name, 0.0)
        denominator += weight
        numerator += weight * sim
        contributions[name] = weight * sim
    if denominator <= 0:
        return 0.0, {}, sims
    breakdown = {name: value / denominator for name, value in contributions.items()}
    # Rounded so float noise in the last digits can never order two look-alikes; ties then fall
    # back to document order, which is stable.
    return round(min(max(numerator / denominator, 0.0), 1.0), 6), breakdown, sims


def rank(
    reference: Fingerprint,
    candidates: Sequence[Fingerprint],
    *,
    weights: Mapping[str, float] | None = None,
) -> list[Match]:
    """Score the candidates against ``reference``; best first, ties kept in document order.

    On a big page only ``shortlist``'s pick is scored (``Match.index`` stays the candidate's
    index in ``candidates``).

    Each match also carries its identity evidence (see ``identity``): an exact agreement that no
    other candidate of the same family shares is ``specific`` (texts only with several words),
    and ``unique`` as well when it is the visible text / accessible name, label or placeholder.
    """
    used = WEIGHTS if weights is None else {**WEIGHTS, **weights}
    ref = _Reference(reference)
    scored = []
    evidences = []
    comparable = []
    kept = shortlist(reference, candidates)
    candidates = [candidates[i] for i in kept]
    for cand in candidates:
        cand_family = family(cand)
        scored.append(_score_one(ref, cand, used, cand_family))
        evidences.append(evidence_from(fingerprint_verdicts(reference, cand), unstable_keys(reference, cand)))
        comparable.append(cand_family == ref.family)
    evidences = with_specific(evidences, comparable, _distinct_keys(reference), NAME_KEYS)
    evidences = _same_slot_text(reference, candidates, evidences, comparable)
    matches = [
        Match(index, cand, score, breakdown, sims, evidence, used, reference)
        for index, cand, (score, breakdown, sims), evidence in zip(
            kept, candidates, scored, evidences, strict=True
        )
    ]
    matches.sort(key=_sort_key)
    return matches


def _same_slot_text(
    reference: Fingerprint,
    candidates: Sequence[Fingerprint],
    evidences: list[Evidence],
    comparable: list[bool],
) -> list[Evidence]:
    """A short text that only one candidate of the family has, in the very slot (same absolute
    XPath) the reference was in, names that element: "Continue" rendered late with a new id.
    Position supports the text here; it never decides alone."""
    holders = [i for i, e in enumerate(evidences) if comparable[i] and "text" in e.agree]
    if len(holders) != 1:
        return evidences
    index = holders[0]
    evidence = evidences[index]
    if "text" in evidence.specific or not reference.xpath or candidates[index].xpath != reference.xpath:
        return evidences
    out = list(evidences)
    out[index] = replace(evidence, specific=(*evidence.specific, "text"))
    return out


def _distinct_keys(fp: Fingerprint) -> frozenset[str]:
    """Keys whose page-unique agreement is specific: identifiers, and texts of several words."""
    texts = {
        "text": (fp.text, fp.accessible_name),
        "label": (fp.label,),
        "placeholder": (fp.placeholder,),
        "title": (fp.title,),
        "alt": (fp.alt,),
    }
    return DEVELOPER_KEYS | {key for key, values in texts.items() if any(distinctive(v) for v in values if v)}


def _sort_key(match: Match) -> tuple[float, int]:
    return (-match.score, match.index)
