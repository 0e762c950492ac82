"""How sure a heal is: a calibrated confidence that the chosen candidate is the element meant.

A fixed score threshold judges the winner alone, on an absolute scale that depends on how much
of the page changed: a button whose label was reworded to a synonym, with its id, form and
position intact, can score 0.55 and still be the only sensible choice, while a look-alike in
the same form can score 0.65. What separates the two is *relative* evidence, so the decision
weighs it together (``FEATURES``):

* the winner's score and its lead over the best other candidate (a ``<label>`` and the control
  it labels are one candidate, never each other's runner-up), with and without position;
* identity evidence (``identity.Evidence``): agreements, specific ones, conflicts, the balance;
* the **contrastive** test: the elements of the learned page most like the learned element
  (its look-alikes, kept at learn time). The winner must resemble the learned element more
  than it resembles any of them; when the target was removed, its look-alikes' counterparts
  resemble their own originals best and the margin turns negative.

A logistic model turns the features into a probability; its weights are fitted on the corpus's
``train`` split and the acceptance point is chosen on its ``dev`` split
(``benchmarks/corpus/fit.py`` writes ``decision_model.json`` next to this module). There is
one model per evidence source: ``fingerprint`` (warm, against a learned element) and ``hints``
(cold, against what the locator says).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

Source = Literal["fingerprint", "hints"]

MODEL_FILE = Path(__file__).with_name("decision_model.json")

FEATURES: tuple[str, ...] = (
    "score",            # the winner's weighted similarity
    "effective",        # the same with the bonus for a page-unique exact name
    "lead",             # effective score over the best other candidate (1 when alone); after a
                        # tie broken on content, the lead that content gave
    "lead_content",     # the same without position (xpath, box)
    "alone",            # 1 when no other candidate of any kind is left
    "balance",          # identity balance, clipped to [-4, 6], / 4
    "identified",       # 1 when the balance is positive
    "agreements",       # firm identity agreements (at most 4) / 4
    "specific",         # agreements no other candidate shares (at most 3) / 3
    "stable_id",        # 1 when one of them is an id, name or test id that does not look generated
    "conflicts",        # identity conflicts (at most 3) / 3
    "unidentified",     # 1 when conflicts are not outweighed by agreements (cold: always vetoed)
    "unique_name",      # 1 for a page-unique exact name a user reads
    "tied",             # 1 when a tie among repeated items had to be broken
    "tie_margin",       # then: the winner's lead on the content that broke it
    "by_position",      # 1 when only position told the contenders apart
    "position_lead",    # then: the nearest one's lead on the full score
    "contrast",         # score minus the best look-alike's score for the winner (0 without)
    "contrast_lost",    # 1 when a learned look-alike resembles the winner more (always vetoed)
    "has_look_alikes",  # 1 when look-alikes were learned
    "same_kind",        # 1 when tag and role agree (hints: the tag or role asked for)
    # Which kind of identity held and which changed: a regenerated id beside a kept label is an
    # ordinary change, a changed label beside a changed id is another element.
    "names_kept",       # names a user reads (text, label, placeholder...) that agree (at most 2) / 2
    "names_changed",    # the same that conflict (at most 2) / 2
    "ids_kept",         # developer identifiers (id, name, test id...) that agree (at most 2) / 2
    "ids_changed",      # the same that conflict (at most 2) / 2
    "partly",           # partial agreements (at most 2) / 2
    "unresolved",       # 1 when content could not single one contender out (the leader is weighed)
    "unresolved_lead",  # then: the leader's lead on the full score
    "names_reworded",   # with names changed: 1 when every one was reworded ("Delete" -> "Remove",
                        # ``changes.reworded``), 0 when one became other words ("Archive")
)


# What is known before any fit: more of this evidence never makes the chosen element *less*
# likely to be the one meant (+1), or never more likely (-1). The fit keeps each weight on its
# side (0 when the data would push it across), so that a corpus where, say, reworded labels are
# common cannot teach the model that a conflicting name is a good sign.
SIGNS: dict[str, int] = {
    "score": 1, "effective": 1, "lead": 1, "lead_content": 1, "alone": 1, "balance": 1,
    "identified": 1, "agreements": 1, "specific": 1, "stable_id": 1, "unique_name": 1, "tie_margin": 1,
    "position_lead": 1, "contrast": 1, "same_kind": 1, "names_kept": 1, "ids_kept": 1, "partly": 1,
    "names_reworded": 1,
    "conflicts": -1, "unidentified": -1, "by_position": -1, "contrast_lost": -1, "names_changed": -1,
    "ids_changed": -1, "unresolved": -1, "unresolved_lead": 1,
}


@dataclass(frozen=True, slots=True)
class LogisticModel:
    """``p = 1 / (1 + exp(-(bias + sum(weight * feature))))``; ``accept`` is the operating point."""

    weights: Mapping[str, float]
    bias: float
    accept: float

    def confidence(self, features: Mapping[str, float]) -> float:
        return _sigmoid(self.bias + sum(w * features.get(name, 0.0) for name, w in self.weights.items()))

    def contributions(self, features: Mapping[str, float]) -> dict[str, float]:
        return {name: w * features.get(name, 0.0) for name, w in self.weights.items()}

    def to_json(self) -> dict[str, Any]:
        return {"kind": "logistic", "weights": dict(self.weights), "bias": self.bias, "accept": self.accept}

    @classmethod
    def from_json(cls, spec: Mapping[str, Any]) -> LogisticModel:
        return cls({k: float(v) for k, v in spec["weights"].items() if k in FEATURES},
                   float(spec["bias"]), float(spec["accept"]))

    def with_accept(self, accept: float) -> LogisticModel:
        return LogisticModel(self.weights, self.bias, accept)


@dataclass(frozen=True, slots=True)
class BoostedTrees:
    """A sum of small regression trees on the log-odds scale (gradient boosting).

    A linear model cannot say "a changed id is nothing when the unique label stayed, but much
    when the label changed too": the trees can, and the fit keeps every feature of ``SIGNS``
    monotone on its known side, as for the logistic model. Each node is ``[feature, threshold,
    left, right, value]``: an inner node sends ``x[feature] <= threshold`` left; a leaf has
    feature -1. ``value`` is the node's own log-odds contribution (inner nodes too), which
    ``contributions`` uses to say which features moved the confidence.
    """

    trees: tuple[tuple[tuple[int, float, int, int, float], ...], ...]
    names: tuple[str, ...]
    base: float
    accept: float

    def raw(self, features: Mapping[str, float]) -> float:
        x = [float(features.get(name, 0.0)) for name in self.names]
        total = self.base
        for nodes in self.trees:
            node = nodes[0]
            while node[0] >= 0:
                node = nodes[node[2] if x[node[0]] <= node[1] else node[3]]
            total += node[4]
        return total

    def confidence(self, features: Mapping[str, float]) -> float:
        return _sigmoid(self.raw(features))

    def contributions(self, features: Mapping[str, float]) -> dict[str, float]:
        """Per feature, how far the splits on it moved the log-odds (along each tree's path)."""
        x = [float(features.get(name, 0.0)) for name in self.names]
        out: dict[str, float] = {}
        for nodes in self.trees:
            node = nodes[0]
            while node[0] >= 0:
                child = nodes[node[2] if x[node[0]] <= node[1] else node[3]]
                name = self.names[node[0]]
                out[name] = out.get(name, 0.0) + child[4] - node[4]
                node = child
        return out

    def to_json(self) -> dict[str, Any]:
        return {"kind": "trees", "names": list(self.names), "base": self.base, "accept": self.accept,
                "trees": [[list(n) for n in t] for t in self.trees]}

    @classmethod
    def from_json(cls, spec: Mapping[str, Any]) -> BoostedTrees:
        names = tuple(str(n) for n in spec["names"])
        trees = tuple(
            tuple((int(f), float(t), int(left), int(right), float(v)) for f, t, left, right, v in tree)
            for tree in spec["trees"]
        )
        for tree in trees:
            for f, _t, left, right, _v in tree:
                if f >= len(names) or (f >= 0 and not (0 < left < len(tree) and 0 < right < len(tree))):
                    raise ValueError("a tree node points outside its tree")
        return cls(trees, names, float(spec["base"]), float(spec["accept"]))

    def with_accept(self, accept: float) -> BoostedTrees:
        return BoostedTrees(self.trees, self.names, self.base, accept)


ConfidenceModel = LogisticModel | BoostedTrees


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True, slots=True)
class DecisionModel:
    models: Mapping[str, ConfidenceModel]
    meta: Mapping[str, Any] = field(default_factory=dict)

    def for_source(self, source: Source) -> ConfidenceModel:
        return self.models[source]

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(FEATURES),
            "models": {name: m.to_json() for name, m in self.models.items()},
            "meta": dict(self.meta),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DecisionModel:
        models: dict[str, ConfidenceModel] = {}
        for name, spec in data["models"].items():
            if spec.get("kind", "logistic") == "trees":
                models[name] = BoostedTrees.from_json(spec)
            else:
                models[name] = LogisticModel.from_json(spec)
        return cls(models, data.get("meta", {}))


# Before any fit: a hand-set rule of the same shape (score and lead carry it, conflicts and a
# lost contrastive test sink it), so the package works from a source tree without the data file.
_FALLBACK = DecisionModel(
    {
        source: LogisticModel(
            {"score": 8.0, "lead": 6.0, "balance": 1.5, "conflicts": -3.0, "contrast_lost": -4.0},
            -6.5,
            0.8,
        )
        for source in ("fingerprint", "hints")
    },
    {"fitted": False},
)


@lru_cache(maxsize=1)
def default_model() -> DecisionModel:
    """The fitted model shipped with the package (``decision_model.json``)."""
    try:
        return DecisionModel.from_json(json.loads(MODEL_FILE.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return _FALLBACK


def clip(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def explain(features: Mapping[str, float], model: ConfidenceModel, top: int = 3) -> str:
    """The features that moved the confidence most, for a decision's reason."""
    parts = sorted(model.contributions(features).items(), key=lambda kv: -abs(kv[1]))
    shown = [f"{name} {'+' if v >= 0 else '-'}{abs(v):.1f}" for name, v in parts[:top] if abs(v) >= 0.05]
    return ", ".join(shown)


def vector(features: Mapping[str, float], names: Sequence[str] = FEATURES) -> list[float]:
    return [float(features.get(name, 0.0)) for name in names]
