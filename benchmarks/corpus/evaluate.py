"""Offline evaluation of healing on the corpus: rank / choose / confidence in pure Python.

    python benchmarks/corpus/evaluate.py [--split dev] [--mode warm|cold|both] [--json OUT]

Reads the cases ``build.py`` cached (``.cache/corpus/cases/{split}/*.jsonl.gz``: the learned
element of v1, the v2 page's candidates, where the element went, what the locator matches on v2)
and replays what the plugin does with them, without a browser:

* **warm** (the element was learned on v1): a locator that matches nothing is healed against the
  learned fingerprint and its look-alikes (the same pool the page side keeps at learn time, taken
  from the v1 snapshot); a fragile locator that still matches one element goes through the drift
  check; one that matches several is resolved to the learned element when the decision is sure
  (Playwright alone fails there: strict mode).
* **cold** (no history): a locator that still matches one element is acted on, as Playwright
  does; one that matches nothing is healed from what the locator says.

Each case ends **correct** (acted on the element meant, or refused when it is gone), **wrong**
(acted on another element) or **refused** (failed, though the element was there). A wrong is a
*false heal* when the layer chose the element; otherwise (a silent positional drift the layer did
not catch) it is listed as ``wrong_unhealed``. The expensive part (ranking) runs once per case
into a ``Record``; ``outcome(record, model, accept_at)`` then scores any operating point at once,
which is what ``fit.py`` uses to fit and to draw the curve.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from pytest_irl.heal import (  # noqa: E402
    DecisionModel,
    Fingerprint,
    choose,
    default_model,
    look_alikes,
    parse_locator,
    pool_from_snapshot,
    rank,
    rank_by_hints,
)
from pytest_irl.heal.affordance import able, action_for  # noqa: E402
from pytest_irl.heal.decide import DEFAULT_MARGIN, features, vetoed  # noqa: E402
from pytest_irl.heal.drift import another_element, drift_suspected  # noqa: E402
from pytest_irl.heal.locator_kind import is_fragile  # noqa: E402

CACHE = ROOT / ".cache" / "corpus"


# --- the locator a case's test wrote, as the selector Playwright builds from it ---------------------

def _quoted(value: str, exact: bool) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' + ("s" if exact else "i")


def _text(value: str, exact: bool) -> str:
    return json.dumps(value, ensure_ascii=False) + ("s" if exact else "i")


def selector_from_code(code: str) -> str:
    """The selector of a locator written in Python.

    ``page.get_by_role('button', name='Save').nth(1)`` -> ``internal:role=button[name="Save"i] >> nth=1``.
    """
    node = ast.parse(code.strip(), mode="eval").body
    calls: list[ast.Call] = []
    while isinstance(node, (ast.Call, ast.Attribute)):
        if isinstance(node, ast.Call):
            calls.append(node)
            node = node.func.value if isinstance(node.func, ast.Attribute) else node.func
        else:
            node = node.value
    parts: list[str] = []
    for call in reversed(calls):
        assert isinstance(call.func, ast.Attribute)
        method = call.func.attr
        args = [ast.literal_eval(a) for a in call.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg}
        exact = bool(kwargs.get("exact", False))
        if method == "locator":
            parts.append(args[0])
        elif method == "nth":
            parts.append(f"nth={args[0]}")
        elif method == "first":
            parts.append("nth=0")
        elif method == "get_by_role":
            name = kwargs.get("name")
            named = f"[name={_quoted(name, exact)}]" if name is not None else ""
            parts.append(f"internal:role={args[0]}{named}")
        elif method == "get_by_text":
            parts.append("internal:text=" + _text(args[0], exact))
        elif method == "get_by_label":
            parts.append("internal:label=" + _text(args[0], exact))
        elif method == "get_by_placeholder":
            parts.append(f"internal:attr=[placeholder={_quoted(args[0], exact)}]")
        elif method == "get_by_title":
            parts.append(f"internal:attr=[title={_quoted(args[0], exact)}]")
        elif method == "get_by_alt_text":
            parts.append(f"internal:attr=[alt={_quoted(args[0], exact)}]")
        elif method == "get_by_test_id":
            parts.append(f"internal:testid=[data-testid={_quoted(args[0], True)}]")
        else:
            raise ValueError(f"unsupported locator method {method!r} in {code!r}")
    return " >> ".join(parts)


# --- reading the cache -----------------------------------------------------------------------------

def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def load_pages(split: str, cache: Path = CACHE) -> dict[str, list[dict[str, Any]]]:
    pages: dict[str, list[dict[str, Any]]] = {}
    for path in sorted((cache / "pages" / split).glob("*.jsonl.gz")):
        for page in _jsonl(path):
            pages[page["key"]] = page["candidates"]
    return pages


def load_cases(split: str, cache: Path = CACHE) -> Iterator[dict[str, Any]]:
    for path in sorted((cache / "cases" / split).glob("*.jsonl.gz")):
        yield from _jsonl(path)


# --- one case, ranked once ------------------------------------------------------------------------

@dataclass
class Record:
    """What the plugin would weigh for one case; ``outcome`` decides at any operating point.

    ``path``: ``heal`` (the locator matches nothing; warm: or several), ``acts`` (it matches one
    element and no check runs), ``drift`` (a fragile locator matches one element and its drift check weighs a
    replacement), ``strict`` (cold: it matches several and Playwright fails).
    """

    id: str
    split: str
    package: str
    category: str
    source: str
    locator_kind: str
    mode: str
    path: str
    target_present: bool
    acts_on_target: bool = False          # acts / drift: the element the locator matches is the target
    winner_is_target: bool | None = None  # None: stage 1 refused (ambiguous, no candidates)
    winner_is_current: bool = False       # drift: the replacement is the element already matched
    current_lost: bool = False            # drift: that element is another one (drift.another_element)
    features: dict[str, float] = field(default_factory=dict)
    refusal: str = ""

    @property
    def group(self) -> str:
        """The category, with every combination of changes in one row."""
        return "combos (2-3 changes)" if self.category.startswith("combo") else self.category


def _fingerprints(items: Iterable[Mapping[str, Any]]) -> list[Fingerprint]:
    return [Fingerprint.model_validate(c) for c in items]


def _weigh(record: Record, matches: list, expected: int | None, current: int | None,
           look: list | None) -> None:
    choice = choose(matches, margin=DEFAULT_MARGIN, look_alikes=look)
    if choice.winner is None:
        record.refusal = choice.reason
        return
    source = "fingerprint" if choice.winner.match.reference is not None else "hints"
    record.features = features(choice, look_alikes=look, source=source)
    record.winner_is_target = choice.winner.match.index == expected
    record.winner_is_current = current is not None and choice.winner.match.index == current


def record_case(case: Mapping[str, Any], mode: str, pages: Mapping[str, list[dict[str, Any]]],
                parsed_pages: dict[str, list[Fingerprint]]) -> Record:
    expected = case.get("expected")
    loc = case.get("locator_v2") or {}
    count = int(loc.get("count", 0))
    matches_target = bool(loc.get("matches_target"))
    current = expected if matches_target else loc.get("matched_index")
    if current is not None and current < 0:
        current = None  # the element it matches is not among the candidates (hidden)
    rec = Record(case["id"], case.get("split", ""), case.get("package", ""), case.get("category", ""),
                 case.get("source", ""), case.get("locator_kind", ""), mode, "heal", expected is not None)
    selector = selector_from_code(case["locator"])
    hints = parse_locator(selector)
    if count > 1 and mode == "cold":
        rec.path = "strict"  # Playwright's strict mode fails; without a learned element it stays so
        return rec
    if count == 1:
        rec.acts_on_target = matches_target
        if mode == "cold" or not is_fragile(hints):
            rec.path = "acts"
            return rec
    candidates = _fingerprints(case["candidates"])
    reference = Fingerprint.model_validate(case["reference"])
    # The test's action is known at heal time; the corpus records the element, so the action is
    # the one a test does to that kind of element (fill a field, check a box, click the rest).
    action = action_for(reference)
    if mode == "cold":
        _weigh(rec, able(action, rank_by_hints(hints, candidates)), expected, None, None)
        return rec
    key = case.get("v1_page", "")
    if key not in parsed_pages:
        parsed_pages.clear()  # cases come grouped by page: keep one page's parse at a time
        parsed_pages[key] = _fingerprints(pages.get(key, []))
    look = look_alikes(reference, pool_from_snapshot(parsed_pages[key], int(case.get("v1_index", -1))))
    if count > 1:
        rec.path = "heal"  # healer.resolve_ambiguous: the learned element among several matches
    elif count == 1:
        # The drift check (healer.check_drift): only an element that no longer looks like the
        # learned one, or whose content changed, makes it weigh a replacement.
        rec.path = "acts"
        if current is not None and not drift_suspected(reference, candidates[current]):
            return rec
        rec.path = "drift"
        ranked = able(action, rank(reference, candidates))
        if current is not None:
            with_pool = reference.model_copy(update={"look_alikes": look})
            best = ranked[0] if ranked else None
            rec.current_lost = another_element(with_pool, candidates[current], best) is not None
        _weigh(rec, ranked, expected, current, look)
        return rec
    _weigh(rec, able(action, rank(reference, candidates)), expected, current, look)
    return rec


def records(split: str, modes: Iterable[str], cache: Path = CACHE, limit: int | None = None) -> list[Record]:
    pages = load_pages(split, cache)
    out: list[Record] = []
    parsed: dict[str, list[Fingerprint]] = {}
    for n, case in enumerate(load_cases(split, cache)):
        if limit is not None and n >= limit:
            break
        for mode in modes:
            out.append(record_case(case, mode, pages, parsed))
    return out


# --- scoring at an operating point ------------------------------------------------------------------

def confidence(record: Record, model: DecisionModel) -> float | None:
    if not record.features:
        return None
    source = "fingerprint" if record.mode == "warm" else "hints"
    return model.for_source(source).confidence(record.features)


def outcome(record: Record, model: DecisionModel, accept_at: float | None = None) -> str:
    """``correct``, ``wrong`` (a false heal), ``wrong_unhealed`` (acted on another element without
    the layer choosing it) or ``refused``."""
    if record.path == "strict":
        return "refused" if record.target_present else "correct"
    if record.path == "acts":
        return "correct" if record.acts_on_target else "wrong_unhealed"
    conf = None if vetoed(record.features) else confidence(record, model)
    source = "fingerprint" if record.mode == "warm" else "hints"
    bar = model.for_source(source).accept if accept_at is None else accept_at
    accepted = conf is not None and conf >= bar
    if record.path == "drift":
        if accepted and not record.winner_is_current:
            return "correct" if record.winner_is_target else "wrong"
        if record.current_lost:  # healer._refuse_another_element (kept or not accepted)
            return "refused" if record.target_present else "correct"
        return "correct" if record.acts_on_target else "wrong_unhealed"
    if accepted:
        return "correct" if record.winner_is_target else "wrong"
    return "refused" if record.target_present else "correct"


def layer_heals(recs: Iterable[Record]) -> list[Record]:
    """The cases where the layer, not Playwright, decides: the locator matches nothing on v2."""
    return [r for r in recs if r.path == "heal"]


def tally(recs: Iterable[Record], model: DecisionModel, accept_at: float | None = None,
          key: str | None = None) -> dict[str, Counter]:
    out: dict[str, Counter] = defaultdict(Counter)
    for r in recs:
        result = outcome(r, model, accept_at)
        out["all"][result] += 1
        if key is not None:
            out[getattr(r, key)][result] += 1
    return out


def percent(counts: Counter) -> dict[str, float]:
    n = sum(counts.values()) or 1
    return {k: round(100.0 * counts[k] / n, 2) for k in ("correct", "wrong", "wrong_unhealed", "refused")}


def table(rows: Mapping[str, Counter], title: str) -> str:
    lines = [f"| {title} | cases | correct % | false heals % | wrong, not healed % | refused % |",
             "|---|---:|---:|---:|---:|---:|"]
    for name in sorted(rows, key=lambda k: (k != "all", k)):
        c = rows[name]
        p = percent(c)
        lines.append(f"| {name} | {sum(c.values())} | {p['correct']:.1f} | {p['wrong']:.2f} |"
                     f" {p['wrong_unhealed']:.2f} | {p['refused']:.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", default="dev")
    parser.add_argument("--mode", default="both", choices=["warm", "cold", "both"])
    parser.add_argument("--by", default="group",
                        help="record field to break the table down by (group: categories, combos in one)")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--json", type=Path, help="write every record's outcome here")
    parser.add_argument("--cache", type=Path, default=CACHE, help="the corpus (build.py's cache)")
    args = parser.parse_args()
    modes = ["warm", "cold"] if args.mode == "both" else [args.mode]
    model = default_model()
    recs = records(args.split, modes, args.cache, limit=args.limit)
    for mode in modes:
        mine = [r for r in recs if r.mode == mode]
        print(f"\n### {args.split}, {mode} ({len(mine)} cases)\n")
        print(table(tally(mine, model, key=args.by), args.by))
        if mode == "cold":
            # The cold floor counts the heals the layer chose: a locator that still matches
            # is acted on (or fails on strict mode) as Playwright does, whatever the layer could do.
            chose = layer_heals(mine)
            print(f"\n### {args.split}, cold, where the layer must choose: the locator matches nothing"
                  f" ({len(chose)} cases)\n")
            print(table(tally(chose, model, key=args.by), args.by))
    if args.json:
        args.json.write_text(json.dumps([{**asdict(r), "outcome": outcome(r, model)} for r in recs]))


if __name__ == "__main__":
    main()
