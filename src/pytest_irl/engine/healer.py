"""The Playwright side of healing: probe the page, rank with the pure core, build the healed locator."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..heal import (
    FINGERPRINT_JS,
    LEARN_JS,
    Decision,
    Fingerprint,
    LocatorHints,
    Match,
    decide,
    hint_score,
    look_alikes,
    parse_locator,
    rank,
    rank_by_hints,
    suggest_locator,
)
from ..heal.affordance import able
from ..heal.changes import attribute_changes, named_changes
from ..heal.drift import another_element, drift_suspected
from ..heal.locator_kind import is_fragile, strategy_of
from ..heal.look_alikes import KEEP as LOOK_ALIKES_KEPT
from ..models import SelfHealing, Step
from ..reviews import Reviews, gate, suggested_of
from .action import Action
from .context import TestContext
from .heal_log import HealLog
from .healed_locator import locator_for, normalized, python_for, user_facing_and_alone
from .healing import DriftRefused, Heal, HealSettings
from .memory import LOAD_WAIT_S, CachedHeal, Memory, url_path
from .observer import Questions, ask, only_dom_changes, probe
from .presence import poll_intervals, present

# The learned element must be one the locator really meant: it has to satisfy the locator.
LEARN_MIN_AGREEMENT = 0.95
DRIFT_QUERY_MS = 2000.0
# Past this share of the timeout, a page that never settles (polling timers) is healed anyway.
UNSETTLED_HEAL_SHARE = 0.6
# A page whose DOM keeps changing (a clock, a ticker, a progress bar) with no short timer pending
# and no request in flight is as settled as it gets once it has been so for this long.
BUSY_PAGE_STEADY_S = 1.0
TOP_CANDIDATES = 3


@dataclass
class _Found:
    decision: Decision
    candidates: list[Fingerprint]
    strategy: str
    hints: LocatorHints | None = None  # cold: what the locator said (the named changes compare with it)
    ambiguous: bool = False  # the locator matched several elements; the heal picked the learned one


def page_of(locator: Any) -> Any:
    return locator.page


def _summary(match: Match, candidates: list[Fingerprint]) -> dict[str, Any]:
    suggestion = suggest_locator(match.candidate, unique_among=candidates)
    return {"selector": suggestion.selector, "score": round(match.score, 3)}


class ElementHealer:
    """Heals one element's locator (implements ``healing.Healer``)."""

    def __init__(
        self, memory: Memory, settings: HealSettings | None = None,
        persist: Callable[[dict[str, Any]], None] | None = None, log: HealLog | None = None,
    ) -> None:
        self.memory = memory
        self.settings = settings or HealSettings()
        self.persist = persist
        self.log = log if log is not None else HealLog()
        self._hints: dict[str, LocatorHints] = {}
        self.questions = Questions()  # learning questions on their way (the list learner's too)
        self.reviews = Reviews()  # what people said about heals (irl review), loaded at start

    def heals(self, test: TestContext) -> bool:
        return test.heals and self.settings.mode != "off"

    def hints(self, selector: str) -> LocatorHints:
        found = self._hints.get(selector)
        if found is None:
            found = self._hints[selector] = parse_locator(selector)
        return found

    def _decide(self, matches: list[Match], learned: Fingerprint | None = None) -> Decision:
        options: dict[str, Any] = {}
        if self.settings.accept_at is not None:
            options["accept_at"] = self.settings.accept_at
        if self.settings.margin is not None:
            options["margin"] = self.settings.margin
        return decide(matches, look_alikes=learned.look_alikes if learned is not None else None, **options)

    # learning --------------------------------------------------------------------------------
    def agrees(self, selector: str | None, fingerprint: Fingerprint) -> bool:
        """Whether ``selector`` really matches the element ``fingerprint`` describes."""
        if not selector:
            return False
        return hint_score(self.hints(selector), fingerprint).score >= LEARN_MIN_AGREEMENT

    def learn(self, selector: str | None, url: str | None, fingerprint: Fingerprint | dict[str, Any],
              test: TestContext) -> bool:
        """Remember ``fingerprint`` for ``selector`` if the locator really matches that element."""
        if not selector:
            return False
        fp = fingerprint if isinstance(fingerprint, Fingerprint) else Fingerprint.model_validate(fingerprint)
        if not self.agrees(selector, fp):
            return False
        if fp.look_alikes is not None and len(fp.look_alikes) > LOOK_ALIKES_KEPT:
            # The page sends the pool around the element; only its closest look-alikes are kept.
            fp = fp.model_copy(update={"look_alikes": look_alikes(fp, fp.look_alikes, LOOK_ALIKES_KEPT)})
        path = url_path(url)
        self.memory.learn(selector, path, test.nodeid, fp)
        if self.persist is not None:
            self.persist({"selector": selector, "url_path": path, "nodeid": test.nodeid,
                          "fingerprint": fp.to_json_dict()})
        return True

    def learn_by_query(self, action: Action, url: str | None,
                       test: TestContext) -> asyncio.Future[Any] | None:
        """Fingerprint the element, for a step the page observer did not report: one question that
        goes out with the test's next call (the future of its answer), so the step costs no wait."""
        selector, target = action.selector, action.target
        if target is None or not selector:
            return None
        path, nodeid = url_path(url), test.nodeid
        key = (selector, path, nodeid)
        if self.memory.knows(selector, path, nodeid) or self.questions.asking(key):
            return None

        def answered(data: Any) -> None:
            # None: gone or several, nothing certain to learn. A known one: a report that was on
            # its way arrived first, and was learned then.
            if data is not None and not self.memory.knows(selector, path, nodeid):
                self.learn(selector, url, data, test)

        return self.questions.ask_later(key, target, "fingerprint", "learn", LEARN_JS, answered, one=True)

    # healing ---------------------------------------------------------------------------------
    def heal(self, action: Action, deadline: float, step: Step | None, test: TestContext) -> Heal | None:
        """Poll until the original appears (act on it) or a clear replacement does (act on that)."""
        target = action.target
        page = page_of(target)
        path = url_path(page.url)
        started = time.perf_counter()
        cached = self.memory.cached_heal(action.selector or "", path) if self.settings.mode == "on" else None
        learned = self.memory.lookup(action.selector or "", path, test.nodeid)
        last: _Found | None = None
        busy_since: float | None = None
        for interval in poll_intervals(deadline):
            if present(target, max(1.0, interval * 1000.0)):
                # A late element: the original, never a look-alike. (Or a closed page: the action
                # itself then says so, as Playwright would.)
                return Heal(target, None)
            if cached is not None:
                healed = page.locator(cached.selector)
                if healed.count() == 1:
                    info = cached.info.model_copy(update={"note": "same heal as earlier in this session"})
                    return self._accept(action, step, healed, info, None)
                self.memory.forget_heal(action.selector or "", path)
                cached = None
            now = time.perf_counter()
            share = (now - started) / max(1e-3, deadline - started)
            steady = busy_since is not None and now - busy_since >= BUSY_PAGE_STEADY_S
            found, state = self._probe(page, action, learned, force=share >= UNSETTLED_HEAL_SHARE or steady)
            busy_since = (busy_since or now) if only_dom_changes(state) else None
            if found is not None:
                last = found
                if found.decision.accepted:
                    return self._heal_to(action, step, page, path, found, test)
        if last is not None and step is not None and not last.decision.accepted:
            step.heal_refused = self._refusal(action, last)
        return None

    def _probe(self, page: Any, action: Action, learned: Fingerprint | None,
               force: bool) -> tuple[_Found | None, dict[str, Any]]:
        """The decision on the page's candidates (None while it is unsettled and not forced), and
        the page's settling state."""
        payload = json.loads(probe(page, force))
        state = payload.get("state") or {}
        if payload.get("candidates") is None:
            return None, state
        candidates = [Fingerprint.model_validate(c) for c in payload["candidates"]]
        if learned is not None:
            ranked = able(action.name, rank(learned, candidates))
            return _Found(self._decide(ranked, learned), candidates, "fingerprint"), state
        hints = self.hints(action.selector or "")
        decision = self._decide(able(action.name, rank_by_hints(hints, candidates)))
        return _Found(decision, candidates, strategy_of(hints), hints), state

    def _heal_to(self, action: Action, step: Step | None, page: Any, path: str, found: _Found,
                 test: TestContext) -> Heal | None:
        chosen = found.decision.chosen
        assert chosen is not None
        suggestion = suggest_locator(chosen.candidate, unique_among=found.candidates)
        healed = locator_for(page, chosen.candidate)
        selector, python = suggestion.selector, suggestion.python
        if not chosen.candidate.frame_path and not user_facing_and_alone(page, suggestion, healed):
            better = normalized(healed)
            code = python_for(better) if better else None
            if better and code:
                selector, python = better, code
        info = SelfHealing(
            strategy=found.strategy,
            original_selector=action.selector or "",
            healed_selector=selector,
            note=self._note(found),
            score=round(chosen.score, 3),
            candidates=[_summary(m, found.candidates) for m in found.decision.top[:TOP_CANDIDATES]],
            suggested_locator=python,
            element=chosen.candidate.css_path,
            changes=attribute_changes(chosen.reference or found.hints, chosen.candidate),
        )
        reviewed = self.review_gate(step, info)
        if reviewed is None:
            return None
        info = reviewed
        # The element under the healed locator's own name: once a person accepts the heal, it
        # becomes what is learned for the original locator (store/reviews.py copies it).
        self._remember_healed(info.healed_selector, path, chosen.candidate, test)
        if self.settings.mode == "suggest":
            if step is not None:
                step.heal_suggestion = info
            return Heal(action.target, None)
        where = [*chosen.candidate.frame_path, chosen.candidate.css_path]
        cached = CachedHeal(" >> internal:control=enter-frame >> ".join(where), info)
        self.memory.remember_heal(action.selector or "", path, cached)
        return self._accept(action, step, healed, info, python)

    def review_gate(self, step: Step | None, info: SelfHealing) -> SelfHealing | None:
        """``info`` as it may be applied (``reviews.gate``): None for a heal a person rejected."""
        self.reviews.wait(LOAD_WAIT_S)
        gated = gate(self.reviews, step, info)
        if gated is None and step is not None and step.heal_refused:
            # Listed at the end of the session too: a person said no, and the test met it again.
            self.log.refused_in_review(step, info, suggested_of(info))
        return gated

    def _remember_healed(self, selector: str, path: str, candidate: Fingerprint, test: TestContext) -> None:
        if self.persist is None or not selector or self.memory.knows(selector, path, test.nodeid):
            return
        self.memory.learn(selector, path, test.nodeid, candidate)
        self.persist({"selector": selector, "url_path": path, "nodeid": test.nodeid,
                      "fingerprint": candidate.to_json_dict()})

    def _accept(self, action: Action, step: Step | None, locator: Any, info: SelfHealing,
                suggested: str | None) -> Heal:
        shown = suggested or info.suggested_locator or info.healed_selector
        self.log.applied(step, locator, info, shown, info.strategy)
        return Heal(locator, info)

    def _note(self, found: _Found) -> str:
        chosen = found.decision.chosen
        assert chosen is not None
        strongest = sorted(chosen.breakdown.items(), key=lambda kv: -kv[1])[:3]
        basis = ", ".join(name for name, value in strongest if value > 0) or "overall similarity"
        source = "the element learned on earlier runs" if found.strategy == "fingerprint" else "the locator"
        reference = chosen.reference if chosen.reference is not None else found.hints
        changed = named_changes(reference, chosen.candidate) if reference is not None else []
        renamed = f"; changed: {', '.join(changed)}" if changed else ""
        several = "the locator matched several elements; " if found.ambiguous else ""
        return f"{several}matched {source} by {basis}{renamed}; {found.decision.reason}"

    def _refusal(self, action: Action, found: _Found) -> dict[str, Any]:
        return {
            "strategy": found.strategy,
            "originalSelector": action.selector,
            "note": f"refused: {found.decision.reason}",
            "candidates": [_summary(m, found.candidates) for m in found.decision.top[:TOP_CANDIDATES]],
        }

    # several matches ---------------------------------------------------------------------------
    def resolve_ambiguous(self, action: Action, step: Step | None, deadline: float,
                          test: TestContext) -> Heal | None:
        """A learned locator that now matches several elements (a look-alike was added, or the
        element lost what set it apart): the element that was learned, when the decision is sure.
        Never without a learned element: picking one of several on the locator's word alone is
        what Playwright's strict mode exists to prevent."""
        if not self.heals(test) or not action.selector:
            return None
        page = page_of(action.target)
        path = url_path(page.url)
        learned = self.memory.lookup(action.selector, path, test.nodeid, wait=False)
        if learned is None:
            return None
        found, _ = self._probe(page, action, learned, force=True)
        if found is None:
            return None
        if not found.decision.accepted:
            if step is not None:
                step.heal_refused = self._refusal(action, found)
            return None
        found.ambiguous = True
        return self._heal_to(action, step, page, path, found, test)

    # drift -----------------------------------------------------------------------------------
    def checks_drift(self, action: Action, test: TestContext) -> bool:
        """Whether ``check_drift`` looks at the page for ``action``: a fragile locator whose element
        this test learned. Its element must be there before it acts (see ``Policy``)."""
        return self._learned_for_drift(action, test) is not None

    def _learned_for_drift(self, action: Action, test: TestContext) -> Fingerprint | None:
        if self.settings.drift == "off" or not action.selector or not is_fragile(self.hints(action.selector)):
            return None
        path = url_path(page_of(action.target).url)
        # Never wait for the store here: this runs before every fragile action, broken or not.
        # Only this test's own record: a list item another test learned is another item, not drift.
        return self.memory.lookup(action.selector, path, test.nodeid, wait=False, exact=True)

    def check_drift(self, action: Action, step: Step | None, deadline: float,
                    test: TestContext) -> Heal | None:
        """For a fragile locator that still matches: is it still the element that was learned?"""
        learned = self._learned_for_drift(action, test)
        if learned is None:
            return None
        page = page_of(action.target)
        path = url_path(page.url)
        try:
            # One call that does not wait: the element is usually there (an action waited for it).
            data = ask(action.target, "fingerprint", "fingerprint", FINGERPRINT_JS, one=True)
            if data is None:
                # A read asks before it waits: allow the element, and a loaded machine, some time.
                budget_ms = max(1.0, min(DRIFT_QUERY_MS, (deadline - time.perf_counter()) * 1000.0 / 2))
                data = action.target.evaluate(FINGERPRINT_JS, timeout=budget_ms)
            current = Fingerprint.model_validate(data)
        except Exception:
            return None  # not there (yet) or not unique: the normal path deals with it
        if not drift_suspected(learned, current):
            return None
        now = rank(learned, [current])[0].score
        found, _ = self._probe(page, action, learned, force=True)
        if found is None:
            return None
        if found.decision.chosen is None:
            self._refuse_another_element(action, step, learned, current, found, now)
            return None
        chosen = found.decision.chosen
        if chosen.candidate.css_path == current.css_path:
            # Kept where it is. But a look-alike alike in content, told apart only by place, is
            # what a drifted positional locator looks like: unless the page says it is the very
            # node learned, that is refused like any other element (``drift.another_element``).
            self._refuse_another_element(action, step, learned, current, found, now)
            return None
        if chosen.candidate.frame_path != current.frame_path:
            return None
        found.strategy = "drift"
        if self.settings.drift == "warn":
            if step is not None:
                step.drift_warning = {
                    "originalSelector": action.selector, "score": round(now, 3),
                    "note": f"the locator now matches an element scoring {now:.2f} against the learned"
                            f" one; {chosen.candidate.css_path} scores {chosen.score:.2f}",
                }
            return None
        return self._heal_to(action, step, page, path, found, test)

    def _refuse_another_element(self, action: Action, step: Step | None, learned: Fingerprint,
                                current: Fingerprint, found: _Found, now: float) -> None:
        """No clear replacement, and the element the locator now matches is another element than
        the learned one (``drift.another_element``): refuse to act on it (``warn``: record)."""
        best = found.decision.top[0] if found.decision.top else None
        why = another_element(learned, current, best)
        if why is None:
            return
        note = (f"the locator now matches another element: {why} ({now:.2f} against it), and no"
                f" replacement is certain: {found.decision.reason}")
        if self.settings.drift == "warn":
            if step is not None:
                step.drift_warning = {"originalSelector": action.selector, "score": round(now, 3),
                                      "note": note}
            return
        if step is not None:
            step.heal_refused = {**self._refusal(action, found), "strategy": "drift",
                                 "note": f"refused: {note}"}
        raise DriftRefused(f"irl: {action.selector} drifted: {note} (--irl-drift=warn acts on it anyway)")

