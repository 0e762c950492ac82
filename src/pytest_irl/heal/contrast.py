"""The contrastive test: is a candidate the learned element, or a learned look-alike's counterpart?

At learn time the element's look-alikes are kept (``look_alikes``). At heal time a candidate
counts as the element only while it resembles the learned element more than it resembles any of
them; when the element was removed, the look-alike still on the page resembles its own former
self best and *claims* the candidate. ``decide.choose`` sets claimed candidates aside before
choosing, and the decision weighs the winner's margin (``contrast``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .fingerprint import Fingerprint
from .look_alikes import RESEMBLANCE_TIE, resemblance, resemblances
from .score import Match


@dataclass(frozen=True, slots=True)
class Contrast:
    """The contrastive test for one candidate: how much it resembles the learned element
    (``own``) and the learned look-alike it resembles most (``rival``), on content."""

    own: float
    rival: float
    claimed: bool  # a look-alike's counterpart, not the element


def contrasts(matches: Sequence[Match], look_alikes: Sequence[Fingerprint]) -> dict[int, Contrast]:
    """The contrastive test for each of ``matches`` (by candidate index), one ranking per look-alike.

    A candidate is *claimed* when a learned look-alike resembles it more than the learned element
    does. One that resembles it exactly as much leaves only where each one was to say whose
    counterpart it is: a twin (the same link in the header and the footer), or a look-alike that
    differed from the element only in what the candidate has lost (both had ids; the ids were
    regenerated).
    """
    reference = matches[0].reference if matches else None
    if reference is None or not look_alikes:
        return {}
    candidates = [m.candidate for m in matches]
    own = resemblances(reference, candidates)
    rivals = [resemblances(la, candidates) for la in look_alikes]
    out: dict[int, Contrast] = {}
    for i, match in enumerate(matches):
        scores = [r[i] for r in rivals]
        rival = max(scores)
        tied = [la for score, la in zip(scores, look_alikes, strict=True)
                if score >= own[i] - RESEMBLANCE_TIE]
        out[match.index] = Contrast(own[i], rival, _claimed(match, rival > own[i] + RESEMBLANCE_TIE, tied))
    return out


def _claimed(match: Match, outdone: bool, tied: Sequence[Fingerprint]) -> bool:
    """``outdone``: a look-alike resembles ``match`` more than the learned element does. ``tied``:
    the look-alikes that resemble it as much; content cannot say whose counterpart it is, so
    where each one was does (a tied look-alike at least as close in place claims it)."""
    if outdone:
        return True
    if not tied:
        return False
    assert match.reference is not None
    placed = resemblance(match.reference, match.candidate, with_position=True)
    return any(resemblance(t, match.candidate, with_position=True) >= placed for t in tied)
