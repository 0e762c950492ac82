"""Turning a ranking into a yes/no: heal only when one candidate is clearly the element.

A wrong heal is worse than a failed test (it clicks the wrong button and the run goes on), so
the rule is conservative: the best candidate must clear an absolute ``threshold`` *and* beat the
runner-up by ``margin``. Two look-alikes that score the same are never split by a coin toss.

Defaults, measured on the scenarios in ``tests/test_heal_core.py`` / ``test_heal_snapshot.py``:

* ``DEFAULT_THRESHOLD = 0.72``: an element that kept its tag/role and most of its texts and
  neighbourhood, with a regenerated id and a slightly reworded label, scores about 0.8-0.9; a
  different button of the same kind in the same form (shared tag, role, classes, context) lands
  around 0.55-0.65. The threshold sits between the two.
* ``DEFAULT_MARGIN = 0.08``: about the weight of one textual attribute changing; below that the
  runner-up differs from the winner by noise (position, a class) rather than by identity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .score import Match

DEFAULT_THRESHOLD = 0.72
DEFAULT_MARGIN = 0.08
TOP_N = 3


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


def decide(
    matches: Sequence[Match],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    margin: float = DEFAULT_MARGIN,
) -> Decision:
    """Accept the best match only if it clears ``threshold`` and leads the runner-up by ``margin``.

    ``matches`` may come from :func:`rank` or from hint scoring; they are re-sorted here, so the
    caller's order does not matter.
    """
    ordered = sorted(matches, key=lambda m: (-m.score, m.index))
    top = ordered[:TOP_N]

    def refuse(reason: str) -> Decision:
        return Decision(None, reason, top, threshold, margin)

    if not ordered:
        return refuse("no candidates")
    best = ordered[0]
    if best.score < threshold:
        return refuse(f"best score {best.score:.2f} below threshold {threshold:.2f}")
    if len(ordered) > 1:
        second = ordered[1]
        if best.score - second.score < margin:
            return refuse(f"ambiguous: {best.score:.2f} vs {second.score:.2f} (margin {margin:.2f})")
        reason = f"best score {best.score:.2f} >= {threshold:.2f}, ahead of {second.score:.2f}"
    else:
        reason = f"best score {best.score:.2f} >= {threshold:.2f}, only candidate"
    return Decision(best, reason, top, threshold, margin)
