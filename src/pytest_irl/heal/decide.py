"""Turning a ranking into a yes/no: heal only when one candidate is, with confidence, the element.

A wrong heal is worse than a failed test (it clicks the wrong button and the run goes on), so
the rule is conservative, in two stages:

1. **Choose** one candidate (``choose``). Position never decides: candidates are compared on
   their score *without* the positional attributes (xpath, box); every candidate within
   ``margin`` of the best on that is a contender, and so is every *sibling* of it (same kind,
   identified as firmly: the same "Edit" in every row). Several contenders are told apart on
   content (``tiebreak``: own names and non-generated ids, then row / card text, then
   neighbours); when content cannot separate them, the leader is only weighed ("ambiguous"),
   never trusted outright. A ``<label>`` and the control it labels are one candidate: the control.
2. **Accept** it only when the calibrated confidence that it is the element meant reaches the
   operating point (``calibration``: lead over the runner-up, identity agreement and conflicts,
   and the contrastive test against the learned element's look-alikes). The weights are fitted
   on the corpus's ``train`` split and the operating point chosen on its ``dev`` split.

``UNIQUE_BONUS``: a candidate that alone on the page matches a distinctive recorded name, label
or placeholder exactly (``Evidence.unique``, e.g. "View cart" after a link became a button) is
lifted by that much in the effective score: that identity outweighs a changed tag or position.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .calibration import DecisionModel, Source, clip, default_model, explain
from .changes import reworded
from .contrast import Contrast, contrasts
from .controls import same_control
from .fingerprint import Fingerprint
from .score import Match
from .tiebreak import Seat, break_tie, seat

DEFAULT_MARGIN = 0.08
TOP_N = 3
UNIQUE_BONUS = 0.2
ALL_CLAIMED = "a learned look-alike resembles every candidate more than the element does"
# How many of the best-ranked candidates are checked against the learned look-alikes.
CLAIM_DEPTH = 10
_KIND_KEYS = ("tag", "role", "kind")


@dataclass(frozen=True, slots=True)
class Decision:
    """``chosen`` is None when the healer refuses; ``reason`` says why either way.

    ``confidence`` is the calibrated probability that the chosen (or, on a refusal, the best)
    candidate is the element meant, and ``accept_at`` the operating point it was held to; both
    are None when the refusal came before any candidate was weighed.
    """

    chosen: Match | None
    reason: str
    top: list[Match] = field(default_factory=list)
    confidence: float | None = None
    accept_at: float | None = None
    margin: float = DEFAULT_MARGIN
    features: dict[str, float] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return self.chosen is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "chosen": None if self.chosen is None else self.chosen.index,
            "reason": self.reason,
            "confidence": self.confidence,
            "acceptAt": self.accept_at,
            "margin": self.margin,
            "top": [m.to_dict() for m in self.top],
        }


@dataclass(frozen=True, slots=True)
class Choice:
    """Stage 1's result: the one candidate worth weighing (None with ``reason`` when none is)."""

    winner: Seat | None
    reason: str
    seats: list[Seat]
    tied: bool = False
    tie_margin: float = 0.0  # content told the contenders apart by this much
    by_position: bool = False  # content could not tell the contenders apart; position did
    position_lead: float = 0.0
    unresolved: bool = False  # content could not single one out and they differ: the leader
    unresolved_lead: float = 0.0  # its lead on the full score
    contrasts: dict[int, Contrast] = field(default_factory=dict)  # the best-ranked, by candidate index


def effective_score(match: Match) -> float:
    """``score`` plus ``UNIQUE_BONUS`` for a page-unique exact distinctive name (capped at 1).

    Only for a candidate that is identified overall: a unique name with conflicting identifiers
    earns nothing.
    """
    if match.evidence is not None and match.evidence.unique and match.evidence.identified:
        return min(1.0, match.score + UNIQUE_BONUS)
    return match.score



def choose(
    matches: Sequence[Match],
    *,
    margin: float = DEFAULT_MARGIN,
    look_alikes: Sequence[Fingerprint] | None = None,
) -> Choice:
    """Stage 1: the candidate that content singles out (see the module docstring)."""
    ordered = sorted(matches, key=lambda m: (-m.score, m.index))
    if not look_alikes or not ordered:
        return _choose(ordered, margin)
    # The contrastive test, applied to the best-ranked before choosing rather than to the winner
    # after: a look-alike's counterpart leading the ranking (a sibling now where the element was)
    # no longer hides the element further down; when every close candidate is claimed, the
    # element is gone and what is left scores too low to be accepted.
    tested = contrasts(ordered[:CLAIM_DEPTH], look_alikes)
    kept = [m for m in ordered if not (m.index in tested and tested[m.index].claimed)]
    if not kept:
        return Choice(None, ALL_CLAIMED, [], contrasts=tested)
    choice = replace(_choose(kept, margin), contrasts=tested)
    if len(kept) < len(ordered):
        set_aside = f"{len(ordered) - len(kept)} set aside as learned look-alikes' counterparts"
        choice = replace(choice, reason="; ".join(filter(None, (choice.reason, set_aside))))
    return choice


def _choose(ordered: Sequence[Match], margin: float) -> Choice:
    seats = [seat(m, effective_score(m)) for m in ordered]
    seats.sort(key=lambda s: (-s.effective, s.match.index))
    if not seats:
        return Choice(None, "no candidates", seats)
    leader = max(seats, key=lambda s: (s.nonpositional, s.effective, -s.match.index))
    leader = _as_control(leader, seats)
    group = _contenders(seats, leader, margin)
    if len(group) == 1:
        return Choice(leader, "", seats)
    outcome = break_tie(group, margin)
    if outcome.winner is not None:
        return Choice(outcome.winner, f"{outcome.detail} among {len(group)} contenders", seats, tied=True,
                      tie_margin=outcome.margin)
    first, second = group[0], group[1]
    ambiguous = (f"ambiguous: {first.effective:.2f} vs {second.effective:.2f} (margin {margin:.2f});"
                 f" {len(group)} contenders, {outcome.detail}")
    if outcome.gone:
        return Choice(None, ambiguous, seats)
    if not outcome.alike:
        # Content did not single one out. The leader is still weighed, never trusted outright:
        # the confidence sees ``unresolved`` and the leader's lead (often a clear one on the
        # full score that the margin, set for look-alikes, swallowed), and refuses unless sure.
        lead = first.effective - second.effective
        return Choice(first, f"{ambiguous}; the leader weighed", seats, tied=True, unresolved=True,
                      position_lead=0.0, unresolved_lead=lead)
    # Alike in every content the page shows: only where each one is can tell them apart. That
    # is weak evidence (rows re-sort), so it is weighed, never trusted outright: the confidence
    # sees ``by_position`` and how far ahead on position the nearest one is.
    alike = sorted(outcome.alike, key=lambda s: (-s.effective, s.match.index))
    lead = alike[0].effective - alike[1].effective if len(alike) > 1 else 1.0
    return Choice(alike[0], f"{ambiguous}; nearest the learned place", seats, tied=True,
                  by_position=True, position_lead=lead)


def _as_control(leader: Seat, seats: Sequence[Seat]) -> Seat:
    """A label leading for its own control hands the win to the control (what can be acted on)."""
    if leader.match.candidate.tag != "label":
        return leader
    for s in seats:
        if s is not leader and same_control(leader.match.candidate, s.match.candidate):
            return s
    return leader


def features(
    choice: Choice, *, look_alikes: Sequence[Fingerprint] | None = None, source: Source = "fingerprint"
) -> dict[str, float]:
    """What the confidence is computed from (``calibration.FEATURES``) for ``choice.winner``."""
    winner = choice.winner
    assert winner is not None
    match = winner.match
    others = [s for s in choice.seats
              if s is not winner and not same_control(s.match.candidate, match.candidate)]
    runner = max((s.effective for s in others), default=0.0)
    runner_content = max((s.nonpositional for s in others), default=0.0)
    # How clearly it is ahead: on the full score, or, when a tie among repeated items was broken
    # on content, by how much that content set it apart (its total can trail on position then).
    if choice.tied and not choice.by_position and not choice.unresolved:
        lead = choice.tie_margin
    else:
        lead = winner.effective - runner
    out: dict[str, float] = {
        "score": match.score,
        "effective": winner.effective,
        "lead": lead,
        "lead_content": winner.nonpositional - runner_content,
        "alone": 0.0 if others else 1.0,
        "tied": 1.0 if choice.tied else 0.0,
        "tie_margin": choice.tie_margin,
        "by_position": 1.0 if choice.by_position else 0.0,
        "position_lead": choice.position_lead,
        "unresolved": 1.0 if choice.unresolved else 0.0,
        "unresolved_lead": choice.unresolved_lead,
    }
    evidence = match.evidence
    if evidence is not None:
        out["balance"] = clip(evidence.balance, -4, 6) / 4
        out["identified"] = 1.0 if evidence.identified else 0.0
        out["agreements"] = min(len(evidence.agree), 4) / 4
        out["specific"] = min(len(evidence.specific), 3) / 3
        kept = set(evidence.specific) & evidence.stable - evidence.unstable
        out["stable_id"] = 1.0 if kept else 0.0
        out["conflicts"] = min(len(evidence.conflicts), 3) / 3
        out["unidentified"] = 1.0 if evidence.conflicts and not evidence.identified else 0.0
        out["unique_name"] = 1.0 if evidence.unique else 0.0
        developer = evidence.minor
        out["names_kept"] = min(sum(k not in developer for k in evidence.agree), 2) / 2
        out["names_changed"] = min(sum(k not in developer for k in evidence.conflicts), 2) / 2
        out["ids_kept"] = min(sum(k in developer for k in evidence.agree), 2) / 2
        out["ids_changed"] = min(sum(k in developer for k in evidence.conflicts), 2) / 2
        out["partly"] = min(len(evidence.partial), 2) / 2
        # Only where a name changed: the lexicon is read on the first such heal, never before.
        reference = match.reference
        changed = out["names_changed"] and reference is not None
        out["names_reworded"] = reworded(reference, match.candidate) if reference and changed else 0.0
    sims = match.sims
    out["cold"] = 0.0 if source == "fingerprint" else 1.0
    if source == "fingerprint":
        out["same_kind"] = 1.0 if sims.get("tag", 1.0) == 1.0 and sims.get("role", 1.0) == 1.0 else 0.0
    else:
        out["same_kind"] = 1.0 if min(sims.get("tag", 1.0), sims.get("role", 1.0)) >= 0.99 else 0.0
    if look_alikes and match.reference is not None:
        contrast = choice.contrasts.get(match.index) or contrasts([match], look_alikes)[match.index]
        out["contrast"] = contrast.own - contrast.rival
        out["contrast_lost"] = 1.0 if contrast.claimed else 0.0
        out["has_look_alikes"] = 1.0
    return out


def decide(
    matches: Sequence[Match],
    *,
    accept_at: float | None = None,
    margin: float = DEFAULT_MARGIN,
    look_alikes: Sequence[Fingerprint] | None = None,
    model: DecisionModel | None = None,
) -> Decision:
    """Accept one match only if it clearly is the element (see the module docstring).

    ``matches`` come from :func:`rank` (warm: ``look_alikes`` are the learned element's) or from
    hint scoring (cold); they are re-sorted here. ``accept_at`` overrides the model's operating
    point (a confidence in 0..1). ``Decision.reason`` says what accepted or refused.
    """
    ordered = sorted(matches, key=lambda m: (-m.score, m.index))
    top = ordered[:TOP_N]
    choice = choose(ordered, margin=margin, look_alikes=look_alikes)
    if choice.winner is None:
        return Decision(None, choice.reason, top, margin=margin)
    source: Source = "fingerprint" if choice.winner.match.reference is not None else "hints"
    calibrated = (model or default_model()).for_source(source)
    bar = calibrated.accept if accept_at is None else accept_at
    feats = features(choice, look_alikes=look_alikes, source=source)
    match = choice.winner.match
    veto = vetoed(feats)
    if veto is not None:
        return Decision(None, f"{veto}: {_detail(match, feats, '')}", _with_chosen(top, match),
                        None, bar, margin, feats)
    confidence = calibrated.confidence(feats)
    detail = _detail(match, feats, explain(feats, calibrated))
    if choice.reason:
        detail = f"{choice.reason}; {detail}"
    if confidence < bar:
        return Decision(None, f"confidence {confidence:.2f} < {bar:.2f}: {detail}", _with_chosen(top, match),
                        confidence, bar, margin, feats)
    return Decision(match, f"confidence {confidence:.2f} >= {bar:.2f}: {detail}", _with_chosen(top, match),
                    confidence, bar, margin, feats)


def vetoed(feats: dict[str, float]) -> str | None:
    """Refusals no confidence overrides (checked before the model is asked).

    * The contrastive test (``contrast``): a learned look-alike claims the winner (it resembles
      the winner more than the learned element does, or as much without being a twin the place
      tells apart). The winner is then that look-alike's counterpart, and the element itself is
      most likely gone.
    * Nothing to contrast with (cold, where only the locator's words are known, or warm with no
      look-alike learned): a winner whose own names or identifiers contradict the element's,
      with nothing agreeing to outweigh them, is another element ("Forgot username?" for
      "Forgot password?"). With look-alikes learned, the model weighs such a conflict
      (``unidentified``) with the contrast: on the corpus a reworded placeholder or label is
      mostly the same control, while a feature swapped in place ("target-replaced") is not.
    """
    if feats.get("contrast_lost"):
        return "a learned look-alike resembles the best candidate more than the element does"
    if feats.get("unidentified") and not feats.get("has_look_alikes") and feats.get("names_reworded", 0) < 1:
        # Nothing learned to contrast it with: a candidate whose own names and identifiers
        # contradict the element's is as likely a neighbouring feature as the element reworded,
        # unless every changed name says the same in other words (then the model weighs it).
        return "no identity evidence: the best candidate's own names differ from the element's"
    if feats.get("cold") and feats.get("unresolved"):
        # Cold, the locator's words are all there is: contenders they cannot tell apart stay a
        # refusal (on the corpus, weighing them heals fewer cold cases within the budget).
        return "ambiguous: content cannot tell the contenders apart"
    return None


def _detail(match: Match, feats: dict[str, float], drivers: str) -> str:
    parts = [f"score {match.score:.2f}", f"lead {feats['lead']:.2f}"]
    if match.evidence is not None:
        parts.append(match.evidence.summary())
    if "contrast" in feats:
        parts.append(f"look-alikes {'closer' if feats['contrast_lost'] else 'farther'}"
                     f" ({feats['contrast']:+.2f})")
    if drivers:
        parts.append(f"weighed: {drivers}")
    return "; ".join(parts)


def _contenders(seats: Sequence[Seat], leader: Seat, margin: float) -> list[Seat]:
    """Within ``margin`` of the leader once position is set aside, plus its identity siblings.

    Siblings are candidates of the leader's kind (same tag, role and kind agreement) identified as
    firmly as it (the same "Edit" text in every row): a total-score lead over them comes from
    position and neighbourhood, so they must be told apart on content like a tie, however far
    behind they score. The label of the leader's own control is the leader, not a contender.
    """
    evidence = leader.match.evidence
    strength = evidence.strength if evidence is not None and evidence.identified else None
    out = [leader]
    for s in seats:
        if s is leader or same_control(s.match.candidate, leader.match.candidate):
            continue
        if s.nonpositional > leader.nonpositional - margin:
            out.append(s)
        elif strength is not None and s.match.evidence is not None and _same_kind(s.match, leader.match):
            if s.match.evidence.identified and s.match.evidence.strength >= strength:
                out.append(s)
    out.sort(key=lambda s: (-s.effective, s.match.index))
    return out


def _same_kind(a: Match, b: Match) -> bool:
    return all(a.sims.get(k) == b.sims.get(k) for k in _KIND_KEYS)


def _with_chosen(top: list[Match], chosen: Match) -> list[Match]:
    """The best ``TOP_N`` by score, making room for the chosen one if a tie-break lifted it."""
    if any(m is chosen for m in top):
        return top
    return sorted([*top[: TOP_N - 1], chosen], key=lambda m: (-m.score, m.index))
