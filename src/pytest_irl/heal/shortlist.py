"""A cheap first pass over a big page: which candidates are worth a full comparison.

``rank`` compares some twenty attributes per candidate, fuzzy texts included; on a page of a
thousand candidates that is most of a heal's CPU time, spent on elements that share nothing with
the learned one. ``shortlist`` keeps the ``KEEP`` candidates that share the most cheap evidence
with it — the same kind, any exact identifier or name, shared words, shared classes, the same
container, a nearby position — so that the element, however it changed, stays in (each kind
of change leaves several of these intact), and the full comparison runs on those alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .fingerprint import Fingerprint
from .identity import family
from .similarity import prepare

# Pages with at most this many candidates are ranked in full.
FULL_UP_TO = 160
KEEP = 120
_NAMES = ("id", "name", "text", "accessible_name", "label", "placeholder", "title", "alt")


_WORD = re.compile(r"[a-z]+|\d+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _evidence(fp: Fingerprint) -> tuple[frozenset[str], frozenset[str]]:
    """The words of its names and identifiers, and those names exactly (normalised)."""
    values = [v for v in (getattr(fp, name) for name in _NAMES) if v]
    values.extend(v for v in fp.test_ids.values() if v)
    if not values:
        return frozenset(), frozenset()
    # camelCase is split before lower-casing: "saveButton" and "save-button" share both words.
    words = frozenset(_WORD.findall(_CAMEL.sub(" ", " ".join(values)).lower()))
    return words, frozenset(" ".join(v.lower().split()) for v in values)


def shortlist(reference: Fingerprint, candidates: Sequence[Fingerprint]) -> list[int]:
    """Indexes of the candidates to rank in full, in document order."""
    if len(candidates) <= FULL_UP_TO:
        return list(range(len(candidates)))
    words, exact = _evidence(reference)
    classes = frozenset(reference.classes)
    kind = family(reference)
    context = prepare(reference.context).norm if reference.context else ""
    centre = reference.box.center if reference.box is not None else None
    scored = []
    for index, cand in enumerate(candidates):
        points = 0.0
        if cand.tag == reference.tag:
            points += 1.0
        if family(cand) == kind:
            points += 1.0
        their_words, their_exact = _evidence(cand)
        points += 2.0 * len(exact & their_exact)
        points += min(3, len(words & their_words))
        points += 0.5 * min(2, len(classes.intersection(cand.classes)))
        if context and cand.context and prepare(cand.context).norm == context:
            points += 1.0
        if cand.xpath and cand.xpath == reference.xpath:
            points += 1.0
        if centre is not None and cand.box is not None:
            (x, y), (cx, cy) = centre, cand.box.center
            points += 1.0 / (1.0 + (abs(x - cx) + abs(y - cy)) / 200.0)
        scored.append((-points, index))
    scored.sort()
    return sorted(index for _, index in scored[:KEEP])
