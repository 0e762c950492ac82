"""``expect(locator)`` and list queries (``count()``, ``all()``) through the layer.

How an unchanged ``expect(...)`` reaches the layer without patching Playwright: every matcher
ends in one method of the locator's impl object, and an :class:`IrlLocator`'s impl object is a
copy whose that method calls :func:`run_expect` instead, in a greenlet of its own, so the layer's
synchronous code, the healers included, works unchanged there (``pw/compat.expecting_impl``).

Rules: only positive matchers are healed (never ``not_to_*``, ``to_be_hidden``,
``to_have_count(0)`` or an empty list). A locator is broken only when it matches nothing after a
short presence wait *and* something was learned for it (its element, or the list it matched).
Locators that name content (a text, a role name, a label...) are never healed as elements: the
content is part of what the test asserts. Healing picks the element(s) to check, never the
verdict: the matcher runs unchanged against them, and fails if it should.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from .assertion_rules import expected_value, kind_of, matcher_name, names_content
from .layer import location_from
from .lists import Lists
from .memory import url_path
from .models import Attempt, SelfHealing, Step
from .policy import FIRST_TRY_MS, Action, attempt_of, left_ms, perform_healed
from .presence import POLL_START_S, next_interval, present
from .pw import compat
from .pw.compat import expect_result

if TYPE_CHECKING:
    from .layer import Layer

DEFAULT_EXPECT_TIMEOUT_MS = 5000.0



class ExpectMismatch(Exception):
    """The matcher's verdict was "no": carried out of the step so that Playwright reports it."""

    def __init__(self, result: dict[str, Any], title: str) -> None:
        received = result.get("received")
        if isinstance(received, dict):
            received = received.get("value")
        super().__init__(f"{title} failed; received {received!r}"[:1000])
        self.result = result


def lists_for(layer: Layer) -> Lists:
    """The layer's list healer, made on first use."""
    if layer.lists is None:
        layer.lists = Lists(layer.healer)
    return layer.lists


def run_step(layer: Layer, action: Action, policy: Any, location: str | None = None,
             learn_element: bool = False) -> Any:
    """Run ``action`` as one recorded step under ``policy`` (an :class:`ExpectPolicy` or
    :class:`QueryPolicy`), through the layer's ordinary ``run``: the layer's own policy sees a
    non-healable action and performs it once; performing it is running ``policy``, which writes
    the step's attempts (and heal) itself. ``location``: the call site, when the stack of the
    current greenlet does not reach the test. ``learn_element``: let the layer learn the one
    element the locator matched on success (positive single-element assertions); otherwise the
    layer is given only the page (a list, or an absent element, has no one element to learn)."""
    box: dict[str, Any] = {}

    def perform(_locator: Any, _timeout: float | None) -> Any:
        recorder = layer.current
        step = recorder.in_flight if recorder is not None else None
        attempts: list[Attempt] = []
        box["step"], box["attempts"] = step, attempts
        if step is not None and location:
            step.location = location  # before any heal is listed under it
        return policy.execute(action, step, attempts)

    owner = None
    if not learn_element:
        try:
            owner = action.target.page
        except Exception:
            owner = None
    outer = Action(name=action.name, perform=perform, target=action.target if learn_element else None,
                   selector=action.selector, timeout_ms=action.timeout_ms, healable=False, value=action.value,
                   owner=owner)
    try:
        return layer.run(outer)
    finally:
        step = box.get("step")
        if step is not None:
            step.attempts = box["attempts"]
            if location:
                step.location = location


def run_expect(layer: Layer, inner: Any, selector: str, expression: str, options: dict[str, Any],
               title: str | None, caller: Any) -> Any:
    """One assertion on ``inner`` (a raw Locator) as a step; returns Playwright's result for the
    matcher to judge. ``caller``: the frame of the test's ``expect`` call."""
    is_not = bool(options.get("isNot"))
    shown_title = title or expression

    def perform(locator: Any, timeout: float | None) -> Any:
        opts = dict(options) if timeout is None else {**options, "timeout": timeout}
        result = expect_result(locator, expression, opts, title)
        if bool(result.get("matches")) == is_not:
            raise ExpectMismatch(result, shown_title)
        return result

    recorder = layer.current
    kind = kind_of(expression, options)
    action = Action(
        name=matcher_name(expression, options, title), perform=perform, target=inner,
        selector=selector, timeout_ms=float(options.get("timeout") or DEFAULT_EXPECT_TIMEOUT_MS),
        healable=kind is not None, value=expected_value(options),
    )
    location = location_from(caller, recorder.root if recorder is not None else None)
    try:
        return run_step(layer, action, ExpectPolicy(layer, kind), location, learn_element=kind == "element")
    except ExpectMismatch as mismatch:
        return mismatch.result


class ExpectPolicy:
    """Runs an assertion: the original locator, else (positive matchers only) a healed one."""

    def __init__(self, layer: Layer, kind: str | None) -> None:
        self.layer = layer
        self.kind = kind

    def execute(self, action: Action, step: Step | None, attempts: list[Attempt]) -> Any:
        healer = self.layer.healer
        target = action.target
        if self.kind is None or healer is None or not healer.heals:
            return self._original(action, attempts, step, None)
        started = time.perf_counter()
        deadline = started + action.timeout_ms / 1000.0
        # A locator (or its list) this session already healed on this page is not waited for again.
        if self._healed_before(action):
            if present(target, 0.0):
                return self._original(action, attempts, step, None)
        else:
            # The assertion itself, with a short timeout, is the presence check: when it passes (the
            # usual case) nothing else is asked of the page. An assertion has no effect, so trying
            # it twice is safe; when it is not true yet but its element is there, it simply goes
            # on with the rest of its timeout.
            try:
                return self._original(action, attempts, step, None,
                                      first_try_ms=min(FIRST_TRY_MS, action.timeout_ms / 4))
            except ExpectMismatch:
                if present(target, 0.0):
                    return self._original(action, attempts, step, deadline)
        if not attempts:
            attempts.append(attempt_of("original", action.selector, started, None, outcome="waiting"))
        found = self._find(action, step, deadline)
        if found is None:
            return self._original(action, attempts, step, deadline)
        locator, info = found
        if step is not None:
            step.self_healing = info  # the verdict on the healed element(s) is the step's outcome
        return perform_healed(action, locator, info, deadline, attempts)

    def _original(self, action: Action, attempts: list[Attempt], step: Step | None,
                  deadline: float | None, *, first_try_ms: float | None = None) -> Any:
        """The assertion on its own locator, until ``deadline`` (None: its own timeout), or for
        ``first_try_ms`` only, a "no" then being recorded as waiting rather than as the verdict."""
        t0 = time.perf_counter()
        strategy = "original" if not attempts else "wait"
        if first_try_ms is not None:
            timeout: float | None = first_try_ms
        else:
            timeout = None if deadline is None else left_ms(deadline)
        try:
            result = action.perform(action.target, timeout)
        except ExpectMismatch as exc:
            waiting = first_try_ms is not None
            attempts.append(attempt_of(strategy, action.selector, t0, None if waiting else exc,
                                     outcome="waiting" if waiting else None))
            raise
        except Exception as exc:
            attempts.append(attempt_of(strategy, action.selector, t0, exc))
            raise
        attempts.append(attempt_of(strategy, action.selector, t0, None))
        if self.kind is not None and step is not None:
            self._learn(action)
        return result

    def _learn(self, action: Action) -> None:
        try:
            page = action.target.page
            lists = lists_for(self.layer)
            if self.kind == "list":
                lists.learn(action.target, action.selector or "", page.url)
            lists.learn_parents(page, action.selector or "", page.url)
        except Exception:
            pass  # learning never changes an outcome

    def _healed_before(self, action: Action) -> bool:
        selector = action.selector or ""
        try:
            path = url_path(action.target.page.url)
        except Exception:
            return False
        healer = self.layer.healer
        if healer is not None and healer.memory.cached_heal(selector, path) is not None:
            return True
        memory = lists_for(self.layer).memory
        return memory.healed_before(selector, path)

    def _find(self, action: Action, step: Step | None, deadline: float) -> tuple[Any, SelfHealing] | None:
        """Poll for the original and a healed locator together; None: use the original."""
        healer = self.layer.healer
        assert healer is not None
        target, selector = action.target, action.selector or ""
        page = target.page
        lists = lists_for(self.layer)
        path = url_path(page.url)

        has_sets = lists.memory.has_history(selector, path, healer.nodeid)
        element = (self.kind == "element" and not names_content(selector)
                   and healer.memory.lookup(selector, path, healer.nodeid) is not None)
        if not has_sets and not element:
            return None  # nothing was learned: no evidence it ever matched
        interval = POLL_START_S
        while time.perf_counter() < deadline - interval:
            if has_sets:
                heal = lists.heal(page, selector, step)
                if heal is not None:
                    return page.locator(heal.selector), heal.info
            if element:
                healed = healer.heal(action, deadline, step)
                if healed is None or healed.info is None:
                    return None
                return healed.locator, healed.info
            if present(target, interval * 1000.0):
                # A late original (or a closed page, which the assertion itself reports): no heal,
                # and nothing was refused.
                if step is not None:
                    step.heal_refused = None
                return None
            interval = next_interval(interval)
        return None


class QueryPolicy:
    """``count()`` / ``all()`` of a list that matched nothing and was learned before: healed only
    on evidence that it was renamed (see ``heal.sets``), so an empty list still counts 0."""

    def __init__(self, layer: Layer, started: float) -> None:
        self.layer = layer
        self.started = started

    def execute(self, action: Action, step: Step | None, attempts: list[Attempt]) -> Any:
        target = action.target
        page = target.page
        heal = lists_for(self.layer).heal(page, action.selector or "", step)
        if heal is None:
            t0 = time.perf_counter()
            result = action.perform(target, None)
            attempts.append(attempt_of("original", action.selector, t0, None))
            return result
        attempts.append(attempt_of("original", action.selector, self.started, None, outcome="waiting"))
        t1 = time.perf_counter()
        result = action.perform(page.locator(heal.selector), None)
        attempts.append(attempt_of(heal.info.strategy, heal.selector, t1, None))
        if step is not None:
            step.self_healing = heal.info
        return result


def query_action(layer: Layer, name: str, inner: Any, perform: Any) -> Any:
    """``count`` / ``all`` on the raw locator ``inner``. A query is not an action: it becomes a
    step only when the layer has something to say about it (a list that matched before matches
    nothing now: healed, or refused with its candidates). While it matches, it learns its list."""
    lists = lists_for(layer)
    selector = compat.selector_of(inner)
    started = time.perf_counter()
    try:
        matched = inner.count()
    except Exception:
        matched = -1
    if matched == 0 and lists.heals:
        try:
            path = url_path(inner.page.url)
        except Exception:
            path = ""
        if lists.memory.has_history(selector, path, lists.healer.nodeid):
            action = Action(name=name, perform=perform, target=inner, selector=selector, healable=False)
            return run_step(layer, action, QueryPolicy(layer, started))
    # count() has just been asked: its answer is the result (asked again, it would cost a call).
    result = matched if name == "count" and matched >= 0 else perform(inner, None)
    if matched > 0:
        try:
            page = inner.page
            lists.learn(inner, selector, page.url)
            lists.learn_parents(page, selector, page.url)
        except Exception:
            pass  # learning never changes an outcome
    return result


__all__ = ["ExpectPolicy", "QueryPolicy", "kind_of", "names_content", "run_expect"]
