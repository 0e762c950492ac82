"""The healing core: describe elements, rank candidates, decide, and suggest a better locator.

Pure Python (no browser, no pytest) plus one page-side script. The flow the plugin runs:

1. While a locator still works, record ``Fingerprint.model_validate(locator.evaluate(LEARN_JS))``
   (the element, and the pool its look-alikes come from: keep ``look_alikes(fp, fp.look_alikes)``).
2. When it stops matching, take ``parse_snapshot(page.evaluate(SNAPSHOT_JSON_JS, {}))`` (or
   ``SNAPSHOT_JS`` for a plain list): one call returning every
   candidate element (interactive controls and text-bearing elements, including open shadow
   roots and same-origin iframes) as fingerprint JSON, each with a ``cssPath`` (plus
   ``framePath``) that re-finds it with ``page.locator(...)``.
3. ``decide(rank(recorded, candidates), look_alikes=recorded.look_alikes)`` heals only when the
   calibrated confidence that the chosen candidate is the element reaches the operating point
   (``decide``, ``calibration``); with no recording yet,
   ``decide(rank_by_hints(parse_locator(locator), candidates))`` uses what the selector says.
   ``Decision.reason`` says what accepted or refused, ``Decision.confidence`` how sure it was.
4. ``suggest_locator(chosen.candidate, unique_among=candidates)`` proposes the code to write.

Evaluating the ranking offline on your own data
-----------------------------------------------
Everything except the two ``*_JS`` strings is a pure function of JSON, so a ranking can be
replayed and tuned without a browser. Collect pairs once (e.g. from two deployments)::

    before = Fingerprint.model_validate(page_v1_locator.evaluate(FINGERPRINT_JS))
    after = [Fingerprint.model_validate(o) for o in page_v2.evaluate(SNAPSHOT_JS, {})]
    json.dump({"reference": before.to_json_dict(), "candidates": [c.to_json_dict() for c in after],
               "expected_css_path": "<cssPath of the right element in v2, or null if it is gone>"}, f)

Then score each case::

    case = json.load(f)
    ref = Fingerprint.model_validate(case["reference"])
    cands = [Fingerprint.model_validate(c) for c in case["candidates"]]
    decision = decide(rank(ref, cands), look_alikes=ref.look_alikes)
    picked = decision.chosen.candidate.css_path if decision.chosen else None
    ok = picked == case["expected_css_path"]  # a refusal is right only when the element is gone

Count wrong heals (picked something, but not the expected element) separately from refusals:
the defaults favour refusing. ``benchmarks/corpus/`` does all this on thousands of real cases.
``decision.top[i].breakdown`` shows which attributes carried
each score and ``.evidence`` which identity attributes agreed or conflicted;
``rank(..., weights={"id": 0.5})`` overrides individual weights (see ``score.WEIGHTS``) to try
alternatives on the same cases.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .calibration import DecisionModel, default_model
from .controls import same_control
from .decide import DEFAULT_MARGIN, Decision, choose, decide
from .fingerprint import Box, Fingerprint, Neighbours
from .identity import Evidence
from .locator_hints import HintScore, LocatorHints, TextHint, hint_score, parse_locator, rank_by_hints
from .look_alikes import POOL_EACH_SIDE, TWINS_FAR, look_alikes, pool_from_snapshot
from .score import WEIGHTS, Match, rank
from .suggest import Suggestion, suggest_locator

SCRIPT_FILES = ("snapshot_text.js", "snapshot.js")


def _load_script() -> str:
    # The scripts ship inside the package directory, so a plain path next to this module works
    # for a source checkout and for an installed wheel alike (no zip imports for this package).
    here = Path(__file__).parent
    body = "\n".join((here / name).read_text(encoding="utf-8") for name in SCRIPT_FILES)
    body = body.replace("LOOK_ALIKE_POOL_EACH_SIDE", str(POOL_EACH_SIDE))
    body = body.replace("LOOK_ALIKE_TWINS_FAR", str(TWINS_FAR))
    return "(() => {\n'use strict';\n" + body + "\n})()"


_LIBRARY = _load_script()
# The page-side library itself (an expression whose value has ``fingerprint`` and ``snapshot``),
# for scripts that keep one instance per document, such as the plugin's page observer.
LIBRARY_JS = _LIBRARY

# `locator.evaluate(FINGERPRINT_JS)` -> one fingerprint object (camelCase keys).
# Newlines around the library keep its leading `//` comments from swallowing the wrapper.
FINGERPRINT_JS = f"(el) => (\n{_LIBRARY}\n).fingerprint(el)"
# `locator.evaluate(LEARN_JS)` -> the same, plus ``lookAlikes``: the pool its look-alikes come from
# (``look_alikes.look_alikes`` keeps the few most like it).
LEARN_JS = f"(el) => (\n{_LIBRARY}\n).learn(el)"
# `page.evaluate(SNAPSHOT_JS, {"includeHidden": False, "maxElements": 5000})` -> list of them.
SNAPSHOT_JS = f"(opts) => (\n{_LIBRARY}\n).snapshot(opts)"
# The same list as one JSON string. Prefer it for big pages: Playwright serialises a nested
# result value by value, which costs several times more than one string (~0.5 s vs ~0.07 s
# for 1,400 elements).
SNAPSHOT_JSON_JS = f"(opts) => JSON.stringify((\n{_LIBRARY}\n).snapshot(opts))"


def parse_snapshot(payload: str | bytes | Sequence[Mapping[str, Any]]) -> list[Fingerprint]:
    """Fingerprints from the result of SNAPSHOT_JS (a list) or SNAPSHOT_JSON_JS (a JSON string)."""
    items = json.loads(payload) if isinstance(payload, (str, bytes)) else payload
    return [Fingerprint.model_validate(item) for item in items]


__all__ = [
    "DEFAULT_MARGIN",
    "FINGERPRINT_JS",
    "LEARN_JS",
    "SNAPSHOT_JS",
    "SNAPSHOT_JSON_JS",
    "WEIGHTS",
    "Box",
    "Decision",
    "DecisionModel",
    "Evidence",
    "Fingerprint",
    "HintScore",
    "LocatorHints",
    "Match",
    "Neighbours",
    "Suggestion",
    "TextHint",
    "choose",
    "decide",
    "default_model",
    "hint_score",
    "look_alikes",
    "parse_locator",
    "parse_snapshot",
    "pool_from_snapshot",
    "rank",
    "rank_by_hints",
    "same_control",
    "suggest_locator",
]
