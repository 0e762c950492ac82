"""The step runner's strategies for assertions and list queries (``Layer.run`` runs them as it runs
an action's ``runner.Policy``): the original locator, else, on evidence that it was renamed, a
healed one. See assertions.py for the rules of what is healed.
"""

from __future__ import annotations

import time
from typing import Any

from ..models import Attempt, SelfHealing, Step
from .action import Action, attempt_of, left_ms
from .assertion_rules import names_content
from .context import TestContext
from .healing import Healer
from .lists import Lists
from .memory import url_path
from .presence import poll_intervals, present
from .runner import FIRST_TRY_MS, perform_healed


class ExpectMismatch(Exception):
    """The matcher's verdict was "no": carried out of the step so that Playwright reports it."""

    def __init__(self, result: dict[str, Any], title: str) -> None:
        received = result.get("received")
        if isinstance(received, dict):
            received = received.get("value")
        super().__init__(f"{title} failed; received {received!r}"[:1000])
        self.result = result


class ExpectPolicy:
    """Runs an assertion: the original locator, else (positive matchers only) a healed one."""

    def __init__(self, healer: Healer | None, lists: Lists | None, kind: str | None) -> None:
        self.healer = healer
        self.lists = lists
        self.kind = kind

    def execute(self, action: Action, step: Step | None, test: TestContext) -> Any:
        healer = self.healer
        target = action.target
        attempts: list[Attempt] = [] if step is None else step.attempts
        if self.kind is None or healer is None or not healer.heals(test):
            return self._original(action, attempts, step, test, None)
        started = time.perf_counter()
        deadline = started + action.timeout_ms / 1000.0
        # A locator (or its list) this session already healed on this page is not waited for again.
        if self._healed_before(action, healer):
            if present(target, 0.0):
                return self._original(action, attempts, step, test, None)
        else:
            # The assertion itself, with a short timeout, is the presence check: when it passes (the
            # usual case) nothing else is asked of the page. An assertion has no effect, so trying
            # it twice is safe; when it is not true yet but its element is there, it simply goes
            # on with the rest of its timeout.
            try:
                return self._original(action, attempts, step, test, None,
                                      first_try_ms=min(FIRST_TRY_MS, action.timeout_ms / 4))
            except ExpectMismatch:
                if present(target, 0.0):
                    return self._original(action, attempts, step, test, deadline)
        if not attempts:
            attempts.append(attempt_of("original", action.selector, started, None, outcome="waiting"))
        found = self._find(action, step, deadline, healer, test)
        if found is None:
            return self._original(action, attempts, step, test, deadline)
        locator, info = found
        if step is not None:
            step.self_healing = info  # the verdict on the healed element(s) is the step's outcome
        return perform_healed(action, locator, info, deadline, attempts)

    def _original(self, action: Action, attempts: list[Attempt], step: Step | None, test: TestContext,
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
            self._learn(action, test)
        return result

    def _learn(self, action: Action, test: TestContext) -> None:
        lists = self.lists
        if lists is None:
            return
        try:
            page = action.target.page
            if self.kind == "list":
                lists.learn(action.target, action.selector or "", page.url, test)
            lists.learn_parents(page, action.selector or "", page.url, test)
        except Exception:
            pass  # learning never changes an outcome

    def _healed_before(self, action: Action, healer: Healer) -> bool:
        selector = action.selector or ""
        try:
            path = url_path(action.target.page.url)
        except Exception:
            return False
        if healer.memory.cached_heal(selector, path) is not None:
            return True
        return self.lists is not None and self.lists.memory.healed_before(selector, path)

    def _find(self, action: Action, step: Step | None, deadline: float, healer: Healer,
              test: TestContext) -> tuple[Any, SelfHealing] | None:
        """Poll for the original and a healed locator together; None: use the original."""
        target, selector = action.target, action.selector or ""
        page = target.page
        lists = self.lists
        path = url_path(page.url)

        has_sets = lists is not None and lists.memory.has_history(selector, path, test.nodeid)
        element = (self.kind == "element" and not names_content(selector)
                   and healer.memory.lookup(selector, path, test.nodeid) is not None)
        if not has_sets and not element:
            return None  # nothing was learned: no evidence it ever matched
        for interval in poll_intervals(deadline):
            if has_sets and lists is not None:
                heal = lists.heal(page, selector, step, test)
                if heal is not None:
                    return page.locator(heal.selector), heal.info
            if element:
                healed = healer.heal(action, deadline, step, test)
                if healed is None or healed.info is None:
                    return None
                return healed.locator, healed.info
            if present(target, interval * 1000.0):
                # A late original (or a closed page, which the assertion itself reports): no heal,
                # and nothing was refused.
                if step is not None:
                    step.heal_refused = None
                return None
        return None


class QueryPolicy:
    """``count()`` / ``all()`` of a list that matched nothing and was learned before: healed only
    on evidence that it was renamed (see ``heal.sets``), so an empty list still counts 0."""

    def __init__(self, lists: Lists, started: float) -> None:
        self.lists = lists
        self.started = started

    def execute(self, action: Action, step: Step | None, test: TestContext) -> Any:
        attempts: list[Attempt] = [] if step is None else step.attempts
        target = action.target
        page = target.page
        heal = self.lists.heal(page, action.selector or "", step, test)
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
