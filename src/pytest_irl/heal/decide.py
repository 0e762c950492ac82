"""Turning a ranking into a yes/no: heal only when one candidate is clearly the element.

A wrong heal is worse than a failed test (it clicks the wrong button and the run goes on), so
the rule is conservative. In order:

1. **Effective score.** A candidate that alone on the page matches a distinctive recorded name,
   label or placeholder exactly (``Evidence.unique``, e.g. "View cart" after a link became a
   button) gets ``UNIQUE_BONUS``: that identity outweighs a changed tag, role or position.
2. **Position never decides.** Candidates are compared on their score *without* the positional
   attributes (xpath, box): every candidate within ``margin`` of the best on that is a
   contender, and so is every *sibling* of it (same kind, identified as firmly: the same "Edit"
   in every row), however far behind. One contender: it wins if it clears ``threshold``.
3. **Ties are broken on content** (``tiebreak``): among several contenders (repeated rows or
   cards), the one clearly ahead on the content attributes where they differ (own names and
   non-generated ids, then row/card text, then neighbours), and agreeing strongly with the
   recorded element there, wins if it clears ``threshold`` or is within ``margin`` of a
   contender that does. Otherwise: "ambiguous".
4. **Identity evidence.** The winner must be *identified* (``identity``: an agreeing name, label,
   placeholder, test id, id, href... outweighing any conflicting one). With nothing to compare
   (an icon button without name or id) it must score at least ``NO_IDENTITY_THRESHOLD``; with a
   conflict that is not outweighed it is refused outright: a look-alike that only resembles the
   element ("Forgot username?" for a removed "Forgot password?") is another element.

Defaults, measured on the scenarios in ``tests/test_heal_core.py`` / ``test_heal_snapshot.py``:

* ``DEFAULT_THRESHOLD = 0.72``: an element that kept its tag/role and most of its texts and
  neighbourhood, with a regenerated id and a slightly reworded label, scores about 0.8-0.9; a
  different button of the same kind in the same form (shared tag, role, classes, context) lands
  around 0.55-0.65. The threshold sits between the two.
* ``DEFAULT_MARGIN = 0.08``: about the weight of one textual attribute changing; below that the
  runner-up differs from the winner by noise (position, a class) rather than by identity.
* ``UNIQUE_BONUS = 0.2``: a link turned button in the same place with the same unique text
  scores about 0.6 (tag, role, id and href lost); the bonus carries it, a look-alike with another
  text gets none.
* ``NO_IDENTITY_THRESHOLD = 0.9``: with no identity attribute to compare, nearly everything else
  must match.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .score import Match
from .tiebreak import Seat, break_tie, seat

DEFAULT_THRESHOLD = 0.72
DEFAULT_MARGIN = 0.08
TOP_N = 3
UNIQUE_BONUS = 0.2
NO_IDENTITY_THRESHOLD = 0.9
_KIND_KEYS = ("tag", "role", "kind")


@dataclass(frozen=True, slots=True)
class Decision:
    """``chosen`` is None when the healer refuses; ``reason`` says why either way."""

    chosen: Match | None
    reason: str
    top: list[Match] = field(default_factory=list)
    threshold: float = DEFAULT_THRESHOLD
    margin: float = DEFAULT_MARGIN

    @property
    def accepted(self) -> bool:
        return self.chosen is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "chosen": None if self.chosen is None else self.chosen.index,
            "reason": self.reason,
            "threshold": self.threshold,
            "margin": self.margin,
            "top": [m.to_dict() for m in self.top],
        }


def effective_score(match: Match) -> float:
    """``score`` plus ``UNIQUE_BONUS`` for a page-unique exact distinctive name (capped at 1).

    Only for a candidate that is identified overall: a unique name with conflicting identifiers
    earns nothing.
    """
    if match.evidence is not None and match.evidence.unique and match.evidence.identified:
        return min(1.0, match.score + UNIQUE_BONUS)
    return match.score


def decide(
    matches: Sequence[Match],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    margin: float = DEFAULT_MARGIN,
) -> Decision:
    """Accept one match only if it clearly is the element (see the module docstring).

    ``matches`` may come from :func:`rank` or from hint scoring; they are re-sorted here, so the
    caller's order does not matter. ``Decision.reason`` says which rule accepted or refused.
    """
    ordered = sorted(matches, key=lambda m: (-m.score, m.index))
    top = ordered[:TOP_N]

    def refuse(reason: str) -> Decision:
        return Decision(None, reason, top, threshold, margin)

    if not ordered:
        return refuse("no candidates")
    seats = [seat(m, effective_score(m)) for m in ordered]
    seats.sort(key=lambda s: (-s.effective, s.match.index))
    best = seats[0]
    if best.effective < threshold:
        return refuse(f"best score {best.effective:.2f} below threshold {threshold:.2f}")
    leader = max(seats, key=lambda s: (s.nonpositional, s.effective, -s.match.index))
    group = _contenders(seats, leader, margin)
    group_best = max(s.effective for s in group)
    if group_best < threshold:
        return refuse(
            f"best score {best.effective:.2f} leads only by position; without it the best"
            f" scores {leader.effective:.2f}, below threshold {threshold:.2f}"
        )
    if len(group) == 1:
        winner = leader
        others = [s for s in seats if s is not leader]
        reason = f"best score {winner.effective:.2f} >= {threshold:.2f}, "
        reason += f"ahead of {others[0].effective:.2f}" if others else "only candidate"
    else:
        outcome = break_tie(group, margin)
        first, second = group[0], group[1]
        ambiguous = f"ambiguous: {first.effective:.2f} vs {second.effective:.2f} (margin {margin:.2f})"
        if outcome.winner is None:
            return refuse(f"{ambiguous}; {len(group)} contenders, {outcome.detail}")
        winner = outcome.winner
        if winner.effective < threshold and winner.effective <= group_best - margin:
            return refuse(f"{ambiguous}; {outcome.detail}, but it scores only {winner.effective:.2f}")
        reason = f"{outcome.detail} among {len(group)} contenders; score {winner.effective:.2f}"
    return _identity_gate(winner, reason, refuse, threshold, margin, top)


def _contenders(seats: Sequence[Seat], leader: Seat, margin: float) -> list[Seat]:
    """Within ``margin`` of the leader once position is set aside, plus its identity siblings.

    Siblings are candidates of the leader's kind (same tag, role and kind agreement) identified as
    firmly as it (the same "Edit" text in every row): a total-score lead over them comes from
    position and neighbourhood, so they must be told apart on content like a tie, however far
    behind they score.
    """
    evidence = leader.match.evidence
    strength = evidence.strength if evidence is not None and evidence.identified else None
    out = []
    for s in seats:
        if s.nonpositional > leader.nonpositional - margin:
            out.append(s)
        elif strength is not None and s.match.evidence is not None and _same_kind(s.match, leader.match):
            if s.match.evidence.identified and s.match.evidence.strength >= strength:
                out.append(s)
    return out


def _same_kind(a: Match, b: Match) -> bool:
    return all(a.sims.get(k) == b.sims.get(k) for k in _KIND_KEYS)


def _identity_gate(
    winner: Seat,
    reason: str,
    refuse: Callable[[str], Decision],
    threshold: float,
    margin: float,
    top: list[Match],
) -> Decision:
    match = winner.match
    evidence = match.evidence
    if evidence is None:
        return Decision(match, reason, _with_chosen(top, match), threshold, margin)
    bar = max(NO_IDENTITY_THRESHOLD, threshold)
    if not evidence.identified and evidence.conflicts:
        return refuse(
            f"no identity evidence: the best candidate (score {match.score:.2f}) is another element"
            f" ({evidence.summary()})"
        )
    if not evidence.identified and match.score < bar:
        return refuse(
            f"no identity evidence: best score {match.score:.2f} < {bar:.2f} and no name, label, id"
            f" or test id agrees ({evidence.summary()})"
        )
    if evidence.unique and winner.effective > match.score:
        reason += f"; unique exact {', '.join(evidence.unique)} (+{winner.effective - match.score:.2f})"
    elif evidence.identified:
        reason += f"; identity: {evidence.summary()}"
    else:
        reason += f"; no identity evidence but score {match.score:.2f} >= {bar:.2f}"
    return Decision(match, reason, _with_chosen(top, match), threshold, margin)


def _with_chosen(top: list[Match], chosen: Match) -> list[Match]:
    """The best ``TOP_N`` by score, making room for the chosen one if a tie-break lifted it."""
    if any(m is chosen for m in top):
        return top
    return sorted([*top[: TOP_N - 1], chosen], key=lambda m: (-m.score, m.index))
