"""Silent drift: a locator that still matches, but maybe no longer the element it was written for.

A positional or generated locator (``nth``, an absolute XPath, ``#row-3``) keeps matching after
a row or a column is inserted, only now another element, often an identical one: the "Edit" of
the next row, the "Add" of the next card. The element itself then looks the same; what changed
is where it is: its row or card text (``context``) and the texts around it (``neighbours``: the
column heading above, the label to its left). ``drift_suspected`` says when the element a
locator matches is worth comparing with the rest of the page (the healer then weighs every
candidate against what was learned, and moves only to a clear winner).
"""

from __future__ import annotations

from .fingerprint import Fingerprint
from .look_alikes import RESEMBLANCE_TIE, resemblance
from .score import Match, rank
from .tiebreak import seat

# Below this similarity to what was learned, a still-matching element is suspected of drift.
DRIFT_SUSPECT = 0.85
# Another element of the page closer to the learned one by this much (on content, position set
# aside) says the matched element is not the one meant: about one textual attribute's weight.
OUTRANKED = 0.08


def _norm(value: str) -> str:
    return " ".join(value.lower().split())


def same_place(learned: Fingerprint, current: Fingerprint) -> bool:
    """Same own text, same container text, and the same texts on every side it had them."""
    if _norm(learned.text) != _norm(current.text) or _norm(learned.context) != _norm(current.context):
        return False
    return all(
        _norm(text) == _norm(getattr(current.neighbours, side))
        for side, text in learned.neighbours.items()
        if text
    )


def same_node(learned: Fingerprint, current: Fingerprint) -> bool:
    """The page's own word that ``current`` is the DOM node ``learned`` was taken from."""
    return bool(learned.node) and learned.node == current.node


def drift_suspected(learned: Fingerprint, current: Fingerprint) -> bool:
    """The matched element looks less like the learned one, or sits among other content."""
    if not same_place(learned, current):
        return True
    return rank(learned, [current])[0].score < DRIFT_SUSPECT


def another_element(learned: Fingerprint, current: Fingerprint, best: Match | None = None) -> str | None:
    """Why ``current`` is not the learned element, if its own attributes say so; else None.

    When the locator now matches what was, at learn time, *another* element of the page (the
    next row's "Edit", the card beside it, the link after a removed one), acting on it would be
    a silent wrong action. Two signs: it resembles one of the learned look-alikes at least as much
    as the learned element, or a name or identifier of its own contradicts the learned one's
    with nothing agreeing to outweigh it, or ``best`` (the page's best match for the learned
    element, when it is another element) resembles the learned element more on content, by at
    least ``OUTRANKED``.
    """
    match = rank(learned, [current])[0]
    evidence = match.evidence
    if evidence is not None and evidence.conflicts and not evidence.identified:
        return f"its {', '.join(evidence.conflicts)} differ from the learned element's"
    if learned.look_alikes:
        rival = max(learned.look_alikes, key=lambda la: resemblance(la, current))
        rival_lead = resemblance(rival, current) - resemblance(learned, current)
        # A tie says nothing either way (content-identical slider tracks, "+" buttons): it is
        # refused, unless the page says the locator still reaches the very node it was learned on.
        tie = RESEMBLANCE_TIE
        if rival_lead > tie or (rival_lead >= -tie and not same_node(learned, current)):
            shown = rival.text or rival.accessible_name or rival.css_path
            return f"it looks like another element learned beside it ({shown!r})"
    if best is not None and (best.candidate.css_path, best.candidate.frame_path) != (
        current.css_path, current.frame_path
    ):
        lead = seat(best, best.score).nonpositional - seat(match, match.score).nonpositional
        if lead >= OUTRANKED:
            return f"{best.candidate.css_path} resembles the learned element more ({lead:+.2f} on content)"
    return None
