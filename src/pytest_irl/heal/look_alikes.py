"""The learned element's look-alikes: what the contrastive test compares a heal against.

At learn time the page side (``snapshot.js`` ``lookAlikePool``) fingerprints the visible
candidates of the learned element's family (links and buttons, form fields, or the same role /
tag) nearest to it in document order, ``POOL_EACH_SIDE`` before and after; ``look_alikes``
keeps the ``KEEP`` of them that resemble the learned element most. At heal time a candidate is
trusted only as far as it resembles the learned element more than it resembles any of them
(``decide.features``: ``contrast``): when the element was removed, the look-alike that is still
there resembles its own former self best, and the heal is refused.

``pool_from_snapshot`` builds the same pool from a page snapshot taken in document order, for
offline evaluation (``benchmarks/corpus``).

Look-alikes are kept, and compared, without their neighbouring texts: finding those is the
costliest part of a fingerprint, and the page side takes the pool on the action's own event
(``resemblance`` leaves them out of both sides, so nothing is judged on a missing half).
"""

from __future__ import annotations

from collections.abc import Sequence

from .controls import same_control
from .fingerprint import Fingerprint, Neighbours
from .identity import family
from .score import rank

POOL_EACH_SIDE = 16
# Elements of the family with the same name further away (the same link in the header and the
# footer, a comment repeated down the page), kept in the pool too.
TWINS_FAR = 4
KEEP = 8
# Resemblances this close are equal (they are sums of float weights).
RESEMBLANCE_TIE = 1e-9
# Scored without the neighbouring texts, which look-alikes do not carry.
_WITHOUT_NEIGHBOURS = {"neighbours": 0.0}
# Compared on content alone: where an element sits is what a drifted locator still shares with
# the learned element, and a look-alike's counterpart has moved for the very reason it is there.
_CONTENT = {**_WITHOUT_NEIGHBOURS, "xpath": 0.0, "id_xpath": 0.0, "location": 0.0, "size": 0.0}


def _same_element(a: Fingerprint, b: Fingerprint) -> bool:
    return a.css_path == b.css_path and a.frame_path == b.frame_path and a.xpath == b.xpath


def look_alikes(reference: Fingerprint, pool: Sequence[Fingerprint], keep: int = KEEP) -> list[Fingerprint]:
    """The ``keep`` members of ``pool`` most like ``reference`` (itself and its label excluded)."""
    others = [fp for fp in pool if not _same_element(fp, reference) and not same_control(fp, reference)]
    if not others:
        return []
    ranked = rank(reference, others, weights=_WITHOUT_NEIGHBOURS)[:keep]
    return [m.candidate.model_copy(update={"look_alikes": None, "neighbours": Neighbours()}) for m in ranked]


def resemblance(reference: Fingerprint, candidate: Fingerprint, *, with_position: bool = False) -> float:
    """How much ``candidate`` resembles ``reference`` on content: neighbouring texts left out (as
    look-alikes are kept without them) and, unless ``with_position``, position too. The
    contrastive test compares these."""
    return resemblances(reference, [candidate], with_position=with_position)[0]


def resemblances(
    reference: Fingerprint, candidates: Sequence[Fingerprint], *, with_position: bool = False
) -> list[float]:
    """``resemblance`` of each of ``candidates``, in one ranking (the reference is read once)."""
    matches = rank(reference, candidates, weights=_WITHOUT_NEIGHBOURS if with_position else _CONTENT)
    by_index = {m.index: m.score for m in matches}
    return [by_index.get(i, 0.0) for i in range(len(candidates))]


def pool_from_snapshot(
    snapshot: Sequence[Fingerprint], index: int, each_side: int = POOL_EACH_SIDE
) -> list[Fingerprint]:
    """What ``lookAlikePool`` returns for ``snapshot[index]``, from a snapshot in document order."""
    if not 0 <= index < len(snapshot):
        return []
    element = snapshot[index]
    want = family(element)
    before = [fp for fp in snapshot[:index] if family(fp) == want]
    after = [fp for fp in snapshot[index + 1:] if family(fp) == want]
    near = [*before[-each_side:], *after[:each_side]]
    return [*near, *_far_twins(element, [fp for fp in (*before[:-each_side], *after[each_side:])])]


def _far_twins(element: Fingerprint, others: Sequence[Fingerprint]) -> list[Fingerprint]:
    name = _name(element)
    if not name:
        return []
    return [fp for fp in others if _name(fp) == name][:TWINS_FAR]


def _name(fp: Fingerprint) -> str:
    return " ".join((fp.text or fp.accessible_name).split()).lower()
