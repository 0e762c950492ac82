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

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..heal import LIBRARY_JS, SNAPSHOT_JS
from ..pw import compat

REPORT_BINDING = "__irlReport"

# Timers longer than this are schedules, not "the page is still rendering".
SHORT_TIMER_MS = 10_000
QUIET_MS = 150
# How long a document keeps its "no secret" confirmations of typed values before it sends them
# (observer.js: each report is a binding call the test process pays for; at a test's end the layer
# takes what is still queued, ``take_reports``).
BATCH_MS = 250



# The list learner's page side (an expression whose value has ``learn`` and ``candidates``): the
# observer keeps one per document, which ``ask`` questions by name; lists.py sends it whole too.
LISTS_LIBRARY_JS = (Path(__file__).parent / "lists.js").read_text(encoding="utf-8")


def observer_script() -> str:
    source = (Path(__file__).parent / "observer.js").read_text(encoding="utf-8")
    body = (
        # The libraries are built at a document's first trusted event or question, not when the
        # document starts: building them costs more than the rest of the observer together, and
        # documents that are only looked at (redirects) never need them.
        source.replace("FINGERPRINT_LIBRARY", f"(\n{LIBRARY_JS}\n)")
        .replace("LISTS_LIBRARY", f"(\n{LISTS_LIBRARY_JS}\n)")
        .replace("SHORT_TIMER_MS", str(SHORT_TIMER_MS))
        .replace("QUIET_MS", str(QUIET_MS))
        .replace("BATCH_MS", str(BATCH_MS))
    )
    return "(() => {\n" + body + "\n})();"


# Asked by the healer: how settled is the page, and (when it is, or when forced) every candidate,
# as one JSON string (Playwright returns one string far faster than a nested value).
PROBE_JS = """(opts) => {
  const state = window.__irlSettled ? window.__irlSettled() : { settled: document.readyState === 'complete' };
  if (!state.settled && !opts.force) return JSON.stringify({ state, candidates: null });
  return JSON.stringify({ state, candidates: (SNAPSHOT_FN)(opts) });
}""".replace("SNAPSHOT_FN", SNAPSHOT_JS)
# The same, from the observer's own library, named instead of sent with each poll of a heal.
_PROBE_BY_NAME_JS = """(opts) => {
  const libraries = window.__irlLibraries;
  if (!libraries || !window.__irlSettled) return 'NO_OBSERVER';
  const state = window.__irlSettled();
  if (!state.settled && !opts.force) return JSON.stringify({ state, candidates: null });
  return JSON.stringify({ state, candidates: libraries.fingerprint().snapshot(opts) });
}"""


# What ASK_JS answers in a document without the observer (a context the layer did not instrument).
_NO_OBSERVER = "irl:no-observer"
# A question to a library the observer keeps in the document (``__irlLibraries``), about the
# elements a locator matches, named instead of sent: `locator.evaluate_all(ASK_JS, question)`.
# The layer asks to learn only elements the observer did not report, and a document can lose the
# observer's listeners unseen (a popup its opener wrote with document.write): they listen again.
ASK_JS = """(elements, q) => {
  const libraries = window.__irlLibraries;
  if (!libraries) return 'NO_OBSERVER';
  if (q.one && elements.length !== 1) return null;
  const listen = window.__irlObserving;
  if (q.one && q.method === 'learn' && typeof listen === 'function') listen(document);
  const library = libraries[q.library]();
  return library[q.method](q.one ? elements[0] : elements);
}""".replace("NO_OBSERVER", _NO_OBSERVER)


_PROBE_BY_NAME_JS = _PROBE_BY_NAME_JS.replace("NO_OBSERVER", _NO_OBSERVER)


def probe(page: Any, force: bool) -> str:
    """PROBE_JS's answer (a JSON string) for ``page``'s main frame."""
    answer = page.evaluate(_PROBE_BY_NAME_JS, {"force": force})
    return page.evaluate(PROBE_JS, {"force": force}) if answer == _NO_OBSERVER else answer


_TAKE_REPORTS_JS = "() => window.__irlTakeReports ? window.__irlTakeReports() : []"


def take_reports(context: Any) -> list[Any]:
    """The reports still queued in the documents of ``context`` (a raw BrowserContext), taken
    (one call per frame)."""
    found: list[Any] = []
    for page in list(context.pages):
        for frame in list(page.frames):
            try:
                reports = frame.evaluate(_TAKE_REPORTS_JS)
            except Exception:
                continue  # a frame going away: what it queued is lost, its values stay masked
            if isinstance(reports, list):
                found.extend(reports)
    return found


_SINCE_NAVIGATE_JS = "() => window.__irlSinceNavigate ? window.__irlSinceNavigate() : null"


def navigated_since(page: Any, started: float, deadline: float) -> bool | None:
    """Whether ``page``'s document started a navigation after ``started`` (``time.perf_counter()``);
    None where it cannot tell (no observer, no Navigation API). Asked once the page has handled
    its events, as a click waits for them: a page that has not answered by ``deadline`` is still
    busy with it, or held by its navigation (True)."""
    question = compat.start(page, "evaluate", _SINCE_NAVIGATE_JS, None)
    try:
        if question is None:
            since = page.evaluate(_SINCE_NAVIGATE_JS)
        else:
            compat.settle(page, [question], max(0.0, deadline - time.perf_counter()))
            if question.cancelled():
                return True
            since = question.result()
    except Exception:
        return True  # its document went away while asked: it navigated
    if since is None:
        return None
    # The page answered before now: a navigation it started after ``started`` is younger than this.
    return bool(0 <= since <= (time.perf_counter() - started) * 1000.0)


def _fallback(fallback_js: str, one: bool) -> str:
    if not one:
        return fallback_js
    return f"(elements) => elements.length === 1 ? ({fallback_js})(elements[0]) : null"


def ask(locator: Any, library: str, method: str, fallback_js: str, *, one: bool = False) -> Any:
    """``method`` of the page's ``library`` ("fingerprint" or "lists") on what ``locator`` matches
    now, in one call that never waits: with ``one``, on its only element (None unless exactly one
    matches), else on all of them. ``fallback_js`` (the same question with the library's source,
    taking the element or the elements) answers in a document without the observer."""
    answer = locator.evaluate_all(ASK_JS, {"library": library, "method": method, "one": one})
    return locator.evaluate_all(_fallback(fallback_js, one)) if answer == _NO_OBSERVER else answer


def ask_later(locator: Any, library: str, method: str, fallback_js: str, then: Callable[[Any], None],
              *, one: bool = False) -> asyncio.Future[Any] | None:
    """``ask`` without waiting for the answer: it goes out with the test's next Playwright call,
    and ``then(answer)`` runs when it arrives (on Playwright's loop: it must not call Playwright).
    None, having asked and answered at once, where this Playwright cannot start a call unwaited."""
    question = {"library": library, "method": method, "one": one}
    started = compat.start(locator, "evaluate_all", ASK_JS, question)
    if started is None:
        then(ask(locator, library, method, fallback_js, one=one))
        return None

    def answered(answer: Any) -> None:
        if answer != _NO_OBSERVER:
            then(answer)
            return
        fallback = compat.start(locator, "evaluate_all", _fallback(fallback_js, one), None)
        if fallback is not None:
            compat.when_done(fallback, then)

    compat.when_done(started, answered)
    return started


Key = tuple[str, str, str]


class Questions:
    """Learning questions on their way, one per key (selector, page path, test): asked once, and
    let finish (``settle``) before their page goes, so a test's last steps are learned too.

    One per healer: the element and the list learners share it, and the layer settles it before
    ``goto`` / ``reload`` / ``set_content`` / ``close`` and at the end of each test."""

    def __init__(self) -> None:
        self._keys: set[Key] = set()
        self._pending: list[tuple[Any, asyncio.Future[Any]]] = []

    def asking(self, key: Key) -> bool:
        return key in self._keys

    def ask_later(self, key: Key, locator: Any, library: str, method: str, fallback_js: str,
                  then: Callable[[Any], None], *, one: bool = False) -> asyncio.Future[Any] | None:
        """``ask_later`` under ``key``: None when it could not be sent unwaited (answered at once,
        or not at all: learning never fails a step)."""
        self._keys.add(key)
        try:
            future = ask_later(locator, library, method, fallback_js, then, one=one)
        except Exception:
            future = None
        if future is None:
            self._keys.discard(key)
            return None
        future.add_done_callback(lambda _f: self._keys.discard(key))
        self._pending = [(o, f) for o, f in self._pending if not f.done()]
        self._pending.append((locator, future))
        return future

    def settle(self) -> None:
        """Let the questions still on their way be answered, briefly (``compat.settle``)."""
        pending, self._pending = self._pending, []
        futures = [f for _, f in pending if not f.done()]
        if futures:
            compat.settle(pending[0][0], futures)


def only_dom_changes(state: dict[str, Any]) -> bool:
    """The page is unsettled only because its DOM changed lately: loaded, no short timer pending,
    no request in flight."""
    return (state.get("settled") is False and state.get("ready") is True
            and state.get("timers") == 0 and state.get("inFlight", 0) <= 0)
