"""The page observer: an init script in every document of an instrumented context.

It only watches, and tells the layer three things without costing an action a round trip:
- which element a trusted event (the test's own click or typing) reached, as a fingerprint with
  the pool of its look-alikes, so that every successful action teaches the layer what its
  locator's element looks like and what it must not be mistaken for;
- whether a field that received input is a secret (masking), and, when it is, its value: the
  layer masks that value wherever else it shows (redact.py). A field stays secret once it was
  one (a "show password" toggle), a field switched to a secret reports what it holds, and
  fields in closed shadow roots are watched too (the observer keeps each root a page attaches);
- whether the page has settled: no pending short timers, no requests in flight, no recent DOM
  changes — the healer waits for that before it looks for a replacement, so that a late
  element is waited for instead of being healed to a look-alike.
"""

from __future__ import annotations

from pathlib import Path

from .heal import LIBRARY_JS, SNAPSHOT_JS

REPORT_BINDING = "__irlReport"

# Timers longer than this are schedules, not "the page is still rendering".
SHORT_TIMER_MS = 10_000
QUIET_MS = 150



def observer_script() -> str:
    source = (Path(__file__).parent / "observer.js").read_text(encoding="utf-8")
    body = (
        # The library is built at a document's first trusted event, not when the document
        # starts: building it costs more than the rest of the observer together, and documents
        # that are only looked at (redirects, pages a test asserts on) never need it.
        source.replace(
            "FINGERPRINT_FN",
            "(() => { let lib = null; return (el) => (lib || (lib = (\n"
            f"{LIBRARY_JS}"
            "\n))).learn(el); })()",
        )
        .replace("SHORT_TIMER_MS", str(SHORT_TIMER_MS))
        .replace("QUIET_MS", str(QUIET_MS))
    )
    return "(() => {\n" + body + "\n})();"


# Asked by the healer: how settled is the page, and (when it is, or when forced) every candidate,
# as one JSON string (Playwright returns one string far faster than a nested value).
PROBE_JS = """(opts) => {
  const state = window.__irlSettled ? window.__irlSettled() : { settled: document.readyState === 'complete' };
  if (!state.settled && !opts.force) return JSON.stringify({ state, candidates: null });
  return JSON.stringify({ state, candidates: (SNAPSHOT_FN)(opts) });
}""".replace("SNAPSHOT_FN", SNAPSHOT_JS)


def watching(learn_js: str) -> str:
    """``learn_js`` (an element function) that first has the page observer of the element's
    document listen again: the layer asks it only about elements the observer did not report, and
    a document can lose the observer's listeners unseen (a popup its opener wrote with
    document.write), so that the next actions there are reported again."""
    return ("(el) => { const doc = el.ownerDocument, win = doc && doc.defaultView;\n"
            "  if (win && typeof win.__irlObserving === 'function') win.__irlObserving(doc);\n"
            f"  return ({learn_js})(el); }}")
