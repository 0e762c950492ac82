"""Separating contenders by what they actually differ in, trusting content over position.

Repeated items (table rows with identical "Edit" buttons, product cards with identical "Add to
cart" buttons) score alike overall, and after a re-sort the *position* (xpath, box, sibling index)
of the recorded element points at the wrong row. What still tells the rows apart is their content:
the row / card text (``context``), names, labels and ids that do not look generated, then the
neighbouring texts. So contenders are separated level by level, most trusted first:

1. own identity: text, accessible name, label, placeholder, title, alt, href, id, name, test ids
   (ids and test ids only while they do not look generated);
2. the container: ``context`` (row / card / form text);
3. the neighbouring texts;
4. kind and style: tag, role, type, classes, other attributes.

Position (xpath, id xpath, box location and size) never takes part. At each level only the
attributes on which the remaining contenders differ count (what they share says nothing about
which is which); the container text is even compared on the words the contenders do not all
share, so that a row's boilerplate ("Edit Delete", the e-mail domain, a common status) cannot
make another row look like the recorded one. The best contender there must agree with the
recorded element at least ``TIE_AGREEMENT`` (weighted mean over those attributes), or the tie
stands: the most trusted evidence says none of them is clearly the element, and a less trusted
level must not overrule it. Contenders trailing that best by ``TIE_LEAD`` (or the decision
margin, if larger) drop out; when one is left it wins, and when all levels are used up with
several left, it is a refusal. The container must agree even when it does not separate the
contenders (``MUST_AGREE``): if no remaining row or card matches the recorded one, the recorded
item is gone, and its neighbours must not pick another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .score import Match
from .similarity import prepare, token_set_similarity

# Position-like attributes: they may help an element clear the threshold, never win a tie.
POSITION_KEYS = frozenset({"xpath", "id_xpath", "location", "size"})
TIE_AGREEMENT = 0.8
TIE_LEAD = 0.2
# A spread below this on an attribute is noise, not a difference between contenders.
DIFF_EPS = 0.05
# Levels the remaining contenders must agree on with the recorded element even when they do not
# separate them: the container text of repeated items.
MUST_AGREE = frozenset({"context"})

# Keys of rank() and of hint scoring (cold mode), grouped by how far they are trusted.
LEVELS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "identity",
        frozenset(
            {
                "text",
                "accessible_name",
                "label",
                "placeholder",
                "title",
                "alt",
                "href",
                "id",
                "name",
                "test_ids",
                "test_id",
                "has_text",
                "attributes",
            }
        ),
    ),
    ("context", frozenset({"context"})),
    ("neighbours", frozenset({"neighbours"})),
    ("kind", frozenset({"tag", "role", "kind", "type", "classes", "attrs", "container"})),
)


@dataclass(frozen=True, slots=True)
class Seat:
    """A match as ``decide`` weighs it: ``effective`` score and its non-positional part."""

    match: Match
    effective: float
    nonpositional: float


@dataclass(frozen=True, slots=True)
class TieOutcome:
    """``winner`` when content singled one out; otherwise ``detail`` says why not, and
    ``alike`` holds the contenders that only position tells apart (empty when content ruled
    them all out)."""

    winner: Seat | None
    detail: str
    alike: tuple[Seat, ...] = ()
    margin: float = 0.0  # the winner's lead over the next contender on the level that decided
    gone: bool = False  # no contender's row / card is the recorded one: the recorded item is gone


def seat(match: Match, effective: float) -> Seat:
    positional = sum(match.breakdown.get(k, 0.0) for k in POSITION_KEYS)
    return Seat(match, effective, effective - positional)


def _weight(weights: Mapping[str, float], key: str) -> float:
    return weights.get(key, 1.0) if weights else 1.0


def _agreement(match: Match, sims: Mapping[str, float], key: str) -> float:
    """How far ``match`` agrees with the recorded element on ``key``.

    Against a learned element, a key missing from the similarities is an attribute neither side
    has: that agrees (a recorded input without a label, and this one has none either), while a
    contender that gained the attribute scores 0 there. From a locator's hints (cold) a missing
    key is one the locator said nothing about.
    """
    return sims.get(key, 1.0 if match.reference is not None else 0.0)


def _mean(match: Match, keys: Sequence[str], sims: Mapping[str, float]) -> float:
    total = sum(_weight(match.weights, k) for k in keys)
    if total <= 0:
        return 0.0
    return sum(_weight(match.weights, k) * _agreement(match, sims, k) for k in keys) / total


def _sims(alive: Sequence[Seat], level: frozenset[str]) -> list[Mapping[str, float]]:
    """Per contender, the similarities to judge ``level`` on (context: distinctive words only)."""
    refs = [s.match.reference for s in alive]
    if "context" not in level or any(r is None or not r.context for r in refs):
        return [s.match.sims for s in alive]
    reference = refs[0]
    assert reference is not None
    tokens = [prepare(s.match.candidate.context).tokens for s in alive]
    shared = frozenset.intersection(*tokens)
    mine = prepare(reference.context).tokens - shared
    return [
        {**s.match.sims, "context": token_set_similarity(mine, theirs - shared)}
        for s, theirs in zip(alive, tokens, strict=True)
    ]


def _unstable(match: Match) -> frozenset[str]:
    return match.evidence.unstable if match.evidence is not None else frozenset()


def differing(
    matches: Sequence[Match], level: frozenset[str], sims: Sequence[Mapping[str, float]]
) -> list[str]:
    """Keys of ``level`` (minus generated-looking ids) on which ``matches`` spread apart."""
    unstable = frozenset().union(*(_unstable(m) for m in matches))
    present = set().union(*(m.sims.keys() for m in matches)) & level
    out = []
    for key in sorted(present - unstable):
        values = [_agreement(m, s, key) for m, s in zip(matches, sims, strict=True)]
        if max(values) - min(values) > DIFF_EPS:
            out.append(key)
    return out


def _shared_agreement(
    alive: Sequence[Seat], level: frozenset[str], sims: Sequence[Mapping[str, float]]
) -> float | None:
    """For a level that must agree even when it does not separate: the contenders' agreement.

    Only the container (``MUST_AGREE``): among repeated items it says *which* item, so when no
    contender's row / card matches the recorded one, the recorded item is gone, and telling the
    others apart by their neighbours would only pick another item.
    """
    if not level & MUST_AGREE:
        return None
    reference = alive[0].match.reference
    if reference is None or not reference.context:
        return None
    keys = sorted(level & MUST_AGREE)
    return max(_mean(s.match, keys, m) for s, m in zip(alive, sims, strict=True))


def break_tie(group: Sequence[Seat], margin: float) -> TieOutcome:
    """The one contender singled out by the most trusted differing content, or None with why."""
    alive = list(group)
    need = max(TIE_LEAD, margin)
    used: list[str] = []
    detail = ""
    for name, level in LEVELS:
        sims = _sims(alive, level)
        keys = differing([s.match for s in alive], level, sims)
        if not keys:
            shared = _shared_agreement(alive, level, sims)
            if shared is not None and shared < TIE_AGREEMENT:
                return TieOutcome(None, f"on {name} none of them agrees with the recorded one ({shared:.2f})",
                                  gone=True)
            continue
        means = [(_mean(s.match, keys, m), s) for s, m in zip(alive, sims, strict=True)]
        scored = sorted(means, key=lambda p: -p[0])
        best = scored[0][0]
        where = ", ".join(keys)
        if best < TIE_AGREEMENT:
            # Among repeated items the container says which item: none close means it is gone.
            return TieOutcome(None, f"on {where} the closest agrees only {best:.2f} with the recorded one",
                              gone=bool(MUST_AGREE.intersection(keys)))
        runner = max((v for v, s in scored if v <= best - need), default=None)
        alive = [s for v, s in scored if v > best - need]
        used.append(name)
        if len(alive) == 1:
            detail = f"{best:.2f} vs {runner:.2f}" if runner is not None else f"{best:.2f}"
            lead = best - scored[1][0] if len(scored) > 1 else 1.0
            return TieOutcome(alive[0], f"tie broken by {where} ({detail})", margin=lead)
    if not used:
        return TieOutcome(None, "only position tells them apart", tuple(alive))
    return TieOutcome(None, f"{', '.join(used)} leave {len(alive)} equally close; only position differs",
                      tuple(alive))
