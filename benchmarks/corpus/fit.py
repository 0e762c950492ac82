"""Fit the heal decision on the corpus: weights on ``train``, operating point on ``dev``.

    python benchmarks/corpus/fit.py [--wrong-budget 0.3] [--write]

1. Ranks every case of both splits once (``evaluate.records``, warm and cold).
2. Fits one logistic model per evidence source (``fingerprint``: warm, ``hints``: cold) on the
   ``train`` records that reach a decision: the label is whether the chosen candidate is the
   element meant (a removed element's cases are all negatives). L2-regularised Newton steps, in
   plain Python: a few thousand rows of ``calibration.FEATURES``.
3. On ``dev``, chooses the operating point: the lowest confidence at which the false heals of
   that mode stay within ``--wrong-budget`` per cent of *all* dev cases of the mode. The bench
   (``../shared/heal-bench``) plays no part.
4. Prints the dev curve (accepted / correct / wrong as the point moves) and the per-category
   tables, and with ``--write`` stores the model in ``src/pytest_irl/heal/decision_model.json``
   (shipped with the package) and the curve in ``docs/heal-curve.svg``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluate import CACHE, ROOT, Record, records, table, tally

from pytest_irl.heal.calibration import (
    FEATURES,
    MODEL_FILE,
    SIGNS,
    BoostedTrees,
    ConfidenceModel,
    DecisionModel,
    LogisticModel,
    vector,
)
from pytest_irl.heal.decide import vetoed

SOURCES = {"warm": "fingerprint", "cold": "hints"}
L2 = 0.5
MAX_STEP = 2.0


def _solve(matrix: list[list[float]], rhs: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the Hessian is small and well conditioned)."""
    n = len(rhs)
    a = [[*row, rhs[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        if abs(a[col][col]) < 1e-12:
            continue
        for r in range(n):
            if r != col and a[r][col]:
                f = a[r][col] / a[col][col]
                a[r] = [x - f * y for x, y in zip(a[r], a[col], strict=True)]
    return [a[i][n] / a[i][i] if abs(a[i][i]) > 1e-12 else 0.0 for i in range(n)]


def fit_logistic(rows: Sequence[Sequence[float]], labels: Sequence[int], l2: float = L2,
                 steps: int = 80, signs: Sequence[int] | None = None) -> list[float]:
    """Weights (bias last) maximising the L2-penalised log-likelihood, by Newton's method;
    ``signs`` (+1 / -1 / 0 per feature) keeps each weight on its known side: a weight that
    crosses it is fixed at 0 and the fit goes on without it (an active set)."""
    d = len(rows[0]) + 1
    xs = [[*r, 1.0] for r in rows]
    w = [0.0] * d
    rate = min(max(sum(labels) / len(labels), 1e-3), 1 - 1e-3)
    w[-1] = math.log(rate / (1 - rate))  # start from the base rate
    free = list(range(d))
    for _ in range(steps):
        grad = [l2 * w[i] if i < d - 1 else 0.0 for i in range(d)]
        hess = [[l2 if i == j and i < d - 1 else 0.0 for j in range(d)] for i in range(d)]
        for x, y in zip(xs, labels, strict=True):
            z = sum(wi * xi for wi, xi in zip(w, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))
            g = p - y
            s = max(p * (1.0 - p), 1e-6)
            for i in free:
                if x[i]:
                    grad[i] += g * x[i]
                    xi_s = x[i] * s
                    row = hess[i]
                    for j in free:
                        if j >= i and x[j]:
                            row[j] += xi_s * x[j]
        sub = [[hess[min(i, j)][max(i, j)] for j in free] for i in free]
        step = _solve(sub, [grad[i] for i in free])
        # Damped: a near-separable feature would otherwise send Newton's step to infinity.
        largest = max((abs(v) for v in step), default=0.0)
        if largest > MAX_STEP:
            step = [v * MAX_STEP / largest for v in step]
        for k, i in enumerate(free):
            w[i] -= step[k]
        crossed = [i for i in free if signs is not None and i < len(signs) and signs[i] * w[i] < 0]
        for i in crossed:
            w[i] = 0.0
        # A weight held at 0 is freed again when the loss would fall by moving it to its side.
        back = [i for i in range(d) if i not in free and signs is not None and i < len(signs)
                and signs[i] * -grad[i] > 0]
        free = sorted({*free, *back} - set(crossed))
        if not crossed and not back and max(abs(v) for v in step) < 1e-6:
            break
    return w


def _decisive(recs: Sequence[Record]) -> list[Record]:
    """The records the model decides: a candidate was chosen and no veto refused it."""
    return [r for r in recs if r.features and r.path in ("heal", "drift") and not vetoed(r.features)]


def fit_source(train: Sequence[Record], kind: str = "trees") -> ConfidenceModel:
    rows = [vector(r.features) for r in _decisive(train)]
    labels = [1 if r.winner_is_target else 0 for r in _decisive(train)]
    if kind == "trees":
        return fit_trees(rows, labels)
    w = fit_logistic(rows, labels, signs=[SIGNS.get(name, 0) for name in FEATURES])
    weights = dict(zip(FEATURES, (round(x, 4) for x in w[:-1]), strict=True))
    return LogisticModel(weights, round(w[-1], 4), 0.5)


TREE_PARAMS = {"max_depth": 3, "max_iter": 200, "learning_rate": 0.05, "l2_regularization": 1.0,
               "min_samples_leaf": 20}


def fit_trees(rows: Sequence[Sequence[float]], labels: Sequence[int]) -> BoostedTrees:
    """Gradient-boosted trees (scikit-learn's, a tool of this script only: the plugin evaluates
    the exported trees in plain Python), monotone in every feature of ``SIGNS``."""
    try:
        import numpy as np
        from sklearn.ensemble import HistGradientBoostingClassifier
    except ImportError as exc:  # pragma: no cover - a tool dependency
        raise SystemExit("fit.py --model trees needs scikit-learn: pip install scikit-learn") from exc
    clf = HistGradientBoostingClassifier(
        monotonic_cst=[SIGNS.get(name, 0) for name in FEATURES], random_state=0, **TREE_PARAMS,
    )
    x = np.array(rows, dtype=float)
    clf.fit(x, np.array(labels))
    model = BoostedTrees(tuple(_export_tree(p[0].nodes) for p in clf._predictors), FEATURES,
                         round(float(np.ravel(clf._baseline_prediction)[0]), 6), 0.5)
    # The exported trees must say what scikit-learn says, or the shipped model is not the fitted one.
    theirs = clf.decision_function(x)
    for row, expected in zip(rows, theirs, strict=True):
        ours = model.raw(dict(zip(FEATURES, row, strict=True)))
        if abs(ours - float(expected)) > 1e-3:
            raise SystemExit(f"tree export disagrees with scikit-learn: {ours} != {expected}")
    return model


def _export_tree(nodes: Any) -> tuple[tuple[int, float, int, int, float], ...]:
    """scikit-learn's predictor nodes as ``BoostedTrees`` nodes. Only leaf values are shrunk by
    the learning rate there; an inner node's value is recomputed as the count-weighted mean of
    its children so that per-feature contributions add up along a path."""
    values = [float(n["value"]) for n in nodes]

    def settle(i: int) -> tuple[float, float]:
        n = nodes[i]
        if n["is_leaf"]:
            return values[i], float(n["count"])
        (lv, lc), (rv, rc) = settle(int(n["left"])), settle(int(n["right"]))
        values[i] = (lv * lc + rv * rc) / max(lc + rc, 1.0)
        return values[i], lc + rc

    settle(0)
    out = []
    for i, n in enumerate(nodes):
        if n["is_leaf"]:
            out.append((-1, 0.0, 0, 0, round(values[i], 6)))
        else:
            # Features are compared as float64 in scikit-learn; a threshold rounded down could
            # send a value that equals it the other way, so it is kept at full precision.
            out.append((int(n["feature_idx"]), float(n["num_threshold"]), int(n["left"]), int(n["right"]),
                        round(values[i], 6)))
    return tuple(out)


def operating_point(dev: Sequence[Record], model: DecisionModel, source: str, budget_pct: float) -> float:
    """The lowest confidence whose false heals stay within ``budget_pct`` % of all dev cases."""
    logistic = model.for_source(source)  # type: ignore[arg-type]
    points = sorted({round(logistic.confidence(r.features), 4) for r in _decisive(dev)} | {0.5, 0.99})
    allowed = budget_pct / 100.0 * len(dev)
    best = 0.99
    for point in reversed(points):
        wrong = tally(dev, model, point)["all"]["wrong"]
        if wrong > allowed:
            break
        best = point
    return best


def curve(dev: Sequence[Record], model: DecisionModel) -> list[tuple[float, float, float, float]]:
    """(operating point, correct %, false heals %, refused %) over all dev cases of a mode."""
    out = []
    for point in [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99]:
        c = tally(dev, model, point)["all"]
        n = sum(c.values()) or 1
        out.append((point, 100 * c["correct"] / n, 100 * c["wrong"] / n, 100 * c["refused"] / n))
    return out


def svg(curves: dict[str, list[tuple[float, float, float, float]]]) -> str:
    """False heals against correct heals as the operating point moves, one line per mode."""
    w, h, pad = 520, 320, 48
    max_wrong = max(2.0, *(p[2] for c in curves.values() for p in c))

    def xy(correct: float, wrong: float) -> tuple[float, float]:
        return pad + (w - 2 * pad) * wrong / max_wrong, h - pad - (h - 2 * pad) * correct / 100

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif"'
             ' font-size="12">', f'<rect width="{w}" height="{h}" fill="white"/>',
             f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="black"/>',
             f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h - pad}" stroke="black"/>',
             f'<text x="{w / 2}" y="{h - 12}" text-anchor="middle">false heals, % of cases'
             f' (0 to {max_wrong:.1f})</text>',
             f'<text x="14" y="{h / 2}" transform="rotate(-90 14 {h / 2})" text-anchor="middle">correct,'
             ' % of cases</text>']
    budget_x, _ = xy(0, 0.5)
    parts.append(f'<line x1="{budget_x}" y1="{pad}" x2="{budget_x}" y2="{h - pad}" stroke="#999"'
                 ' stroke-dasharray="4"/>')
    colours = {"warm": "#c0392b", "cold": "#2471a3"}
    for i, (mode, points) in enumerate(curves.items()):
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(p[1], p[2]) for p in points))
        parts.append(f'<polyline points="{line}" fill="none" stroke="{colours.get(mode, "black")}"'
                     ' stroke-width="2"/>')
        for p in points:
            x, y = xy(p[1], p[2])
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colours.get(mode, "black")}"/>')
        parts.append(f'<text x="{w - pad - 60}" y="{pad + 16 * i}" fill="{colours.get(mode, "black")}">'
                     f"{mode}</text>")
    for tick in (0, 25, 50, 75, 100):
        _, y = xy(tick, 0)
        parts.append(f'<text x="{pad - 6}" y="{y + 4}" text-anchor="end">{tick}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _model_json(model: DecisionModel) -> str:
    """Indented JSON with each tree on one line (a diff of a refit stays readable)."""
    data = model.to_json()
    compact: dict[str, str] = {}
    for name, spec in data["models"].items():
        if "trees" in spec:
            mark = f"@trees:{name}@"
            compact[mark] = "[\n" + ",\n".join(
                "    " + json.dumps(tree, separators=(",", ":")) for tree in spec["trees"]) + "\n   ]"
            spec["trees"] = mark
    text = json.dumps(data, indent=1)
    for mark, trees in compact.items():
        text = text.replace(json.dumps(mark), trees)
    return text + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--wrong-budget", type=float, default=0.5,
                        help="false heals allowed on dev, %% of all dev cases of the mode")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--model", choices=["best", "trees", "logistic"], default="best",
                        help="boosted trees (needs scikit-learn to fit), a logistic model, or per mode"
                             " the one that heals most on dev within the budget")
    parser.add_argument("--cache", type=Path, default=CACHE, help="the corpus (build.py's cache)")
    args = parser.parse_args()
    train = records("train", SOURCES, args.cache)
    dev = records("dev", SOURCES, args.cache)
    kinds = ["trees", "logistic"] if args.model == "best" else [args.model]
    models: dict[str, ConfidenceModel] = {}
    chosen: dict[str, float] = {}
    picked: dict[str, str] = {}
    for mode, source in SOURCES.items():
        # Each kind fitted on train; dev chooses its operating point and, with ``best``, the kind
        # that heals most within the budget.
        mine = [r for r in dev if r.mode == mode]
        best_correct = -1
        for kind in kinds:
            fitted = fit_source([r for r in train if r.mode == mode], kind)
            trial = DecisionModel({source: fitted})
            point = operating_point(mine, trial, source, args.wrong_budget)
            correct = tally(mine, trial, point)["all"]["correct"]
            print(f"{mode}: {kind} at {point:.4f} gets {correct} of {len(mine)} dev cases right")
            if correct > best_correct:
                best_correct, models[source], chosen[source], picked[source] = correct, fitted, point, kind
    model = DecisionModel(
        {s: m.with_accept(chosen[s]) for s, m in models.items()},
        {"fitted": True, "kind": picked, "train_cases": len(train) // 2, "dev_cases": len(dev) // 2,
         "wrong_budget_pct": args.wrong_budget,
         **({"tree_params": TREE_PARAMS} if "trees" in picked.values() else {})},
    )
    curves = {}
    for mode, source in SOURCES.items():
        mine = [r for r in dev if r.mode == mode]
        curves[mode] = curve(mine, model)
        print(f"\n## {mode} ({source}): operating point {chosen[source]:.4f}\n")
        print("| operating point | correct % | false heals % | refused % |\n|---:|---:|---:|---:|")
        for point, correct, wrong, refused in curves[mode]:
            print(f"| {point:.2f} | {correct:.1f} | {wrong:.2f} | {refused:.1f} |")
        broken = [r for r in mine if r.path != "acts"]
        counts = tally(broken, model)["all"]
        n = sum(counts.values()) or 1
        print(f"\n{mode}, dev cases whose locator no longer matches one element (the layer must act):"
              f" {len(broken)}, correct {100 * counts['correct'] / n:.1f} %,"
              f" false heals {100 * counts['wrong'] / n:.2f} %")
        for split, recs in (("train", [r for r in train if r.mode == mode]), ("dev", mine)):
            print(f"\n### {split}, {mode}\n")
            print(table(tally(recs, model, key="category"), "category"))
    if "logistic" in picked.values():
        print("\nweights:", json.dumps(model.to_json()["models"], indent=1))
    if args.write:
        MODEL_FILE.write_text(_model_json(model), encoding="utf-8")
        (ROOT / "docs" / "heal-curve.svg").write_text(svg(curves), encoding="utf-8")
        print(f"wrote {MODEL_FILE.relative_to(ROOT)} and docs/heal-curve.svg")


if __name__ == "__main__":
    main()
