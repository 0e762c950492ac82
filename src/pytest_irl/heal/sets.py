"""Sets of elements: what a list locator matched, and how to find the same list after a change.

Pure Python, no browser. A locator such as ``page.locator("#cart-items li")`` means several
elements. While it works, :class:`SetFingerprint` records what that set looked like: its
container (the items' nearest common ancestor: tag, id, classes, test ids, label, the heading
before it), the items' shape (tag, role, classes, descendant tags, depth under the container)
and their texts. When the locator later matches nothing, the page side lists every group of
same-tag elements under a common ancestor as a candidate set, and:

* :func:`rank_sets` scores each candidate against the learned set (0..1, with a breakdown);
* :func:`decide_set` accepts one only when it clears ``threshold``, leads the runner-up by
  ``margin``, has identity evidence (the container's words, its heading, or the items' texts
  agree) and there is evidence of a *rename* rather than of an empty or filtered list:

  - the learned container must not be on the page unchanged (found where it was, with the
    same tag, id and classes), and the candidate's container must not be the learned one
    unchanged: then the items the locator names are simply not there (an empty list, or a
    filter such as ``li.completed`` that matches none);
  - at least one name the locator relies on (``#todo-list``, ``.completed``, a test id) must be
    gone from the page: a locator whose names are all still there did not break by a rename.

``count()`` of a list that legitimately matches nothing therefore stays 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from .similarity import text_similarity, tokenize

SET_THRESHOLD = 0.62
SET_MARGIN = 0.1
TEXTS_CAP = 30
WEIGHTS: dict[str, float] = {
    "container": 0.22,
    "heading": 0.1,
    "item_kind": 0.12,
    "item_classes": 0.1,
    "texts": 0.26,
    "shape": 0.1,
    "depth": 0.04,
    "count": 0.06,
}
# Identity: at least one of these must agree this well.
CONTAINER_AGREES = 0.5
TEXTS_AGREE = 0.5

_CONFIG = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class SetFingerprint(BaseModel):
    """What the elements of one list locator looked like (camelCase JSON, as the page reports it)."""

    model_config = _CONFIG

    count: int = 0
    item_tag: str = ""
    item_role: str = ""
    item_classes: list[str] = Field(default_factory=list)  # classes every item has
    item_test_ids: list[str] = Field(default_factory=list)
    item_texts: list[str] = Field(default_factory=list)
    item_shape: list[str] = Field(default_factory=list)  # descendant tags of the items, sorted
    depth: int = 1  # levels from the container down to the items
    container_tag: str = ""
    container_id: str = ""
    container_classes: list[str] = Field(default_factory=list)
    container_role: str = ""
    container_label: str = ""
    container_test_ids: list[str] = Field(default_factory=list)
    heading: str = ""  # the nearest heading before the container
    container_css: str = ""
    selector: str = ""  # a CSS selector that matches exactly these items (for candidates)
    carries: list[str] = Field(default_factory=list)  # "kind:value" tokens on container or items

    def container_words(self) -> frozenset[str]:
        values = [self.container_id, *self.container_classes, *self.container_test_ids, self.container_label]
        return frozenset(w for v in values for w in tokenize(v))

    def same_container(self, other: SetFingerprint) -> bool:
        return (
            self.container_tag == other.container_tag
            and self.container_id == other.container_id
            and sorted(self.container_classes) == sorted(other.container_classes)
            and sorted(self.container_test_ids) == sorted(other.container_test_ids)
        )


@dataclass(frozen=True)
class SetMatch:
    index: int
    candidate: SetFingerprint
    score: float
    breakdown: dict[str, float] = field(default_factory=dict)
    identified: bool = False

    def summary(self) -> dict[str, object]:
        return {"selector": self.candidate.selector, "score": round(self.score, 3)}


@dataclass(frozen=True)
class SetDecision:
    chosen: SetMatch | None
    reason: str
    top: list[SetMatch] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.chosen is not None


def _jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    sa, sb = set(a), set(b)
    if not sa and not sb:
        return 1.0
    return len(sa & sb) / len(sa | sb)


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def text_overlap(learned: Sequence[str], current: Sequence[str]) -> float:
    """Share of the learned texts still present (exact after normalising, or nearly equal)."""
    wanted = [_norm(t) for t in learned if t.strip()]
    have = [_norm(t) for t in current if t.strip()]
    if not wanted:
        return 1.0 if not have else 0.5
    if not have:
        return 0.0
    found = 0.0
    pool = set(have)
    for text in wanted:
        if text in pool:
            found += 1.0
        else:
            best = max(text_similarity(text, other) for other in have)
            found += best if best >= 0.8 else 0.0
    return found / len(wanted)


def _shape(a: Sequence[str], b: Sequence[str]) -> float:
    """Multiset overlap of descendant tags: order-free, so reordered markup still agrees."""
    if not a and not b:
        return 1.0
    ca: dict[str, int] = {}
    cb: dict[str, int] = {}
    for tag in a:
        ca[tag] = ca.get(tag, 0) + 1
    for tag in b:
        cb[tag] = cb.get(tag, 0) + 1
    common = sum(min(n, cb.get(t, 0)) for t, n in ca.items())
    return common / max(sum(ca.values()), sum(cb.values()))


def score_set(learned: SetFingerprint, candidate: SetFingerprint) -> tuple[float, dict[str, float], bool]:
    """Score ``candidate`` against ``learned``; returns (score, breakdown, identified)."""
    container = _jaccard(learned.container_words(), candidate.container_words())
    if learned.container_tag and learned.container_tag == candidate.container_tag:
        container = min(1.0, container + 0.15) if container > 0 else container
    heading = 0.5
    if learned.heading and candidate.heading:
        heading = text_similarity(learned.heading, candidate.heading)
    elif learned.heading or candidate.heading:
        heading = 0.0
    kind = 0.0
    if learned.item_tag == candidate.item_tag:
        kind += 0.6
    if learned.item_role == candidate.item_role:
        kind += 0.4
    item_classes = _jaccard(
        [w for c in (*learned.item_classes, *learned.item_test_ids) for w in tokenize(c)],
        [w for c in (*candidate.item_classes, *candidate.item_test_ids) for w in tokenize(c)],
    )
    texts = text_overlap(learned.item_texts, candidate.item_texts)
    depth = {0: 1.0, 1: 0.5}.get(abs(learned.depth - candidate.depth), 0.0)
    count = min(learned.count, candidate.count) / max(learned.count, candidate.count, 1)
    breakdown = {
        "container": container, "heading": heading, "item_kind": kind, "item_classes": item_classes,
        "texts": texts, "shape": _shape(learned.item_shape, candidate.item_shape), "depth": depth,
        "count": count,
    }
    score = sum(WEIGHTS[k] * v for k, v in breakdown.items())
    has_texts = any(t.strip() for t in learned.item_texts)
    identified = container >= CONTAINER_AGREES or (
        bool(learned.heading) and heading >= 0.9) or (has_texts and texts >= TEXTS_AGREE)
    return score, {k: round(v, 3) for k, v in breakdown.items()}, identified


def rank_sets(learned: SetFingerprint, candidates: Sequence[SetFingerprint]) -> list[SetMatch]:
    """Every candidate with its score, best first."""
    matches = []
    for index, candidate in enumerate(candidates):
        score, breakdown, identified = score_set(learned, candidate)
        matches.append(SetMatch(index, candidate, score, breakdown, identified))
    return sorted(matches, key=lambda m: (-m.score, m.index))


_TOKEN = re.compile(r"([#.])((?:[\w-]|\\.)+)")
_TEST_ID = re.compile(r"internal:testid=\[([\w-]+)=\"((?:[^\"\\]|\\.)*)\"[is]?\]")
_ATTR_TEST_ID = re.compile(
    r"\[(data-testid|data-test-id|data-test|data-qa|data-cy)=[\"']?([^\"'\]]+)[\"']?\]")
_QUOTED = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")


def selector_tokens(selector: str) -> list[str]:
    """The names a selector relies on, as ``kind:value`` (``id:todo-list``, ``class:done``,
    ``testid:task-item``); texts and roles are not names and are left out."""
    tokens: list[str] = []
    for _attr, value in _TEST_ID.findall(selector) + _ATTR_TEST_ID.findall(selector):
        tokens.append(f"testid:{value}")
    for part in selector.split(">>"):
        part = part.strip()
        if part.startswith(("internal:", "text=", "role=", "nth=", "visible=", "xpath=", "//")):
            continue
        body = part[4:] if part.startswith("css=") else part
        body = _QUOTED.sub('""', re.sub(r"\[[^\]]*\]", "", body))
        for mark, value in _TOKEN.findall(body):
            tokens.append(("id:" if mark == "#" else "class:") + value.replace("\\", ""))
    return list(dict.fromkeys(tokens))


def decide_set(
    learned: SetFingerprint,
    matches: Sequence[SetMatch],
    selector: str,
    on_page: Iterable[str],
    *,
    container_there: bool = False,
    threshold: float = SET_THRESHOLD,
    margin: float = SET_MARGIN,
) -> SetDecision:
    """Accept the best candidate set only on a clear, identified lead and evidence of a rename.

    ``on_page``: which of :func:`selector_tokens` ``(selector)`` some element of the page still
    carries (same kind); ``container_there``: the learned container is on the page unchanged.
    """
    ordered = sorted(matches, key=lambda m: (-m.score, m.index))
    top = ordered[:3]
    if not ordered:
        return SetDecision(None, "no candidate list on the page", top)
    best = ordered[0]
    if best.score < threshold:
        return SetDecision(None, f"best list score {best.score:.2f} below threshold {threshold:.2f}", top)
    if len(ordered) > 1 and best.score - ordered[1].score < margin:
        return SetDecision(
            None, f"ambiguous: {best.score:.2f} vs {ordered[1].score:.2f} (margin {margin:.2f})", top)
    if not best.identified:
        return SetDecision(None, "no identity evidence: neither the container, its heading nor the"
                                 " item texts agree with the learned list", top)
    if container_there or learned.same_container(best.candidate):
        return SetDecision(None, "the learned container is there unchanged: the items the locator"
                                 " names are gone (an empty or filtered list), not renamed", top)
    tokens = selector_tokens(selector)
    present = set(on_page)
    gone = [t for t in tokens if t not in present]
    if not gone:
        return SetDecision(None, "nothing the locator names has gone from the page: no evidence of a"
                                 " rename", top)
    runner = f", ahead of {ordered[1].score:.2f}" if len(ordered) > 1 else ", only candidate"
    return SetDecision(best, f"list score {best.score:.2f} >= {threshold:.2f}{runner}; renamed: "
                             f"{', '.join(gone)} gone from the page", top)
