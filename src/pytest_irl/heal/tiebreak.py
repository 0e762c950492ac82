"""Separating near-tied candidates by what they actually differ in, trusting content over position.

Repeated items (table rows with identical "Edit" buttons, product cards with identical "Add to
cart" buttons) score alike overall, and after a re-sort the *position* (xpath, box, sibling index)
of the recorded element points at the wrong row. What still tells the rows apart is their content:
the row / card text (``context``), the neighbouring texts, names, labels and ids that do not look
generated. A tie is therefore broken only on the content attributes on which the contenders
differ, and only when the winner both agrees strongly with the recorded element on them
(``TIE_AGREEMENT``) and leads every other contender on them by ``TIE_LEAD`` (or the decision
margin, if larger). Attributes they share say nothing about which is which and are left out;
position never enters, so two candidates that differ only by position stay a refusal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .identity import CONTENT_KEYS
from .score import Match

# Position-like attributes: they may help an element clear the threshold, never win a tie.
POSITION_KEYS = frozenset({"xpath", "id_xpath", "location", "size"})
# The tie winner's weighted mean similarity to the recorded element over the discriminating
# attributes, and its minimum lead there over each other contender.
TIE_AGREEMENT = 0.8
TIE_LEAD = 0.2
# Differences below this on an attribute are noise, not a discriminating attribute.
DIFF_EPS = 0.02
# Content keys of hint matches (cold mode): what the locator itself said about the element.
HINT_CONTENT_KEYS = frozenset(
    {"name", "text", "label", "placeholder", "alt", "title", "has_text", "test_id", "id", "attributes"}
)


@dataclass(frozen=True, slots=True)
class Seat:
    """A match as ``decide`` weighs it: ``effective`` score and its non-positional part."""

    match: Match
    effective: float
    nonpositional: float


@dataclass(frozen=True, slots=True)
class TieOutcome:
    winner: Seat | None
    detail: str


def seat(match: Match, effective: float) -> Seat:
    positional = sum(match.breakdown.get(k, 0.0) for k in POSITION_KEYS)
    return Seat(match, effective, effective - positional)


def _content(match: Match) -> frozenset[str]:
    if match.evidence is not None and match.evidence.content:
        return match.evidence.content
    return CONTENT_KEYS | HINT_CONTENT_KEYS


def _weight(weights: Mapping[str, float], key: str) -> float:
    return weights.get(key, 1.0) if weights else 1.0


def _mean(match: Match, keys: Sequence[str]) -> float:
    total = sum(_weight(match.weights, k) for k in keys)
    if total <= 0:
        return 0.0
    return sum(_weight(match.weights, k) * match.sims.get(k, 0.0) for k in keys) / total


def differing(matches: Sequence[Match]) -> list[str]:
    """Content keys shared by all ``matches`` on which their similarities spread apart."""
    shared = frozenset.intersection(*(_content(m) for m in matches))
    out = []
    for key in sorted(shared):
        values = [m.sims.get(key, 0.0) for m in matches]
        if max(values) - min(values) > DIFF_EPS:
            out.append(key)
    return out


def break_tie(group: Sequence[Seat], margin: float) -> TieOutcome:
    """The one contender clearly best on the content its rivals differ in, or None with why."""
    keys = differing([s.match for s in group])
    if not keys:
        return TieOutcome(None, "only position tells them apart")
    winner = max(group, key=lambda s: (_mean(s.match, keys), s.effective, -s.match.index))
    need = max(TIE_LEAD, margin)
    closest: tuple[float, float, list[str]] | None = None
    for other in group:
        if other is winner:
            continue
        pair = differing([winner.match, other.match])
        if not pair:
            return TieOutcome(None, "only position tells them apart")
        mine, theirs = _mean(winner.match, pair), _mean(other.match, pair)
        where = ", ".join(pair)
        if mine < TIE_AGREEMENT:
            return TieOutcome(
                None, f"on {where} the closest agrees only {mine:.2f} with the recorded element"
            )
        if mine - theirs < need:
            return TieOutcome(None, f"{where} do not separate them ({mine:.2f} vs {theirs:.2f})")
        if closest is None or mine - theirs < closest[0] - closest[1]:
            closest = (mine, theirs, pair)
    assert closest is not None
    mine, theirs, pair = closest
    return TieOutcome(winner, f"tie broken by {', '.join(pair)} ({mine:.2f} vs {theirs:.2f})")
