"""The retry-and-heal loop every recorded action goes through: act -> retry -> wait-or-heal -> drift.

An :class:`Action` says what to do and on which locator; :class:`Policy` runs it, retries what is
transient inside the action's own timeout, asks a :class:`Healer` (when one is set) for a
replacement when the locator is broken, and writes every try into the step's ``attempts``. The
error the test sees is always the original one: the layer never changes a failure's type.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..models import Attempt, SelfHealing, Step
from ..pw import call_log, compat
from .action import Action, attempt_of, is_strict_violation, is_transient, left_ms
from .context import NO_TEST, TestContext
from .healing import DriftRefused, Heal, Healer
from .observer import navigated_since
from .presence import is_timeout as _is_timeout
from .presence import present

MAX_RETRIES = 5
BACKOFF_MS = (50, 100, 200, 400, 800)

# A healable action first waits this long for its element; one that is not there by then is looked
# for (the original and the candidates together) for the rest of the action's budget.
FIRST_TRY_MS = 400.0
# Actions that change nothing on the page: a first try of one with FIRST_TRY_MS as its timeout is
# its own presence check, so when it succeeds (the usual case) it costs no extra call.
READS = frozenset({"text_content", "inner_text", "inner_html", "input_value", "get_attribute", "wait_for"})

class Policy:
    """Runs an action (a click, a fill, a read): the step runner's strategy for actions.
    ``assertion_steps`` has the strategies of assertions and list queries."""

    def __init__(self, healer: Healer | None = None) -> None:
        self.healer = healer

    def execute(self, action: Action, step: Step | None, test: TestContext = NO_TEST) -> Any:
        started = time.perf_counter()
        deadline = started + action.timeout_ms / 1000.0
        attempts: list[Attempt] = [] if step is None else step.attempts
        healer = self.healer
        healing = healer is not None and healer.heals(test) and action.healable and action.target is not None
        if not healing:
            return self._retrying(action, deadline, attempts, "original")
        assert healer is not None
        splits = FIRST_TRY_MS < action.timeout_ms
        if splits and action.name in READS:
            return self._read(action, step, healer, test, deadline, attempts)
        if splits and acts_first(action, healer, test):
            return self._act_first(action, step, healer, test, deadline, attempts)
        return self._look_first(action, step, healer, test, deadline, attempts)

    def _act_first(self, action: Action, step: Step | None, healer: Healer, test: TestContext,
                   deadline: float, attempts: list[Attempt]) -> Any:
        """The action with FIRST_TRY_MS is its own presence check: when it succeeds (the usual
        case) it cost no extra call. When it times out, its call log says how far it got, and
        an action that was (or may have been) performed is never performed again."""
        page = action.target.page
        navigations = compat.navigation_count(page)
        if navigations is None:  # a navigation it starts could not be waited for
            return self._look_first(action, step, healer, test, deadline, attempts)
        _quietly(lambda: healer.check_drift(action, step, deadline, test))  # asks nothing: see acts_first
        t0 = time.perf_counter()
        try:
            result = action.perform(action.target, FIRST_TRY_MS)
        except Exception as exc:
            if not _is_timeout(exc):
                attempts.append(attempt_of("original", action.selector, t0, exc))
                if is_transient(exc):
                    return self._resolving_ambiguity(action, step, healer, test, deadline, attempts, "retry")
                return self._ambiguous(action, step, healer, test, deadline, attempts, exc)
            state, first_error = compat.first_try_state(exc, action.name), exc
        else:
            attempts.append(attempt_of("original", action.selector, t0, None))
            return result
        if state in (call_log.NAVIGATING, call_log.PERFORMED) and not _fill_missed(action, deadline):
            # Performed: finish as one call would, never act again.
            if _started_navigation(action, page, state, t0, deadline) and not compat.wait_for_navigation(
                    page, navigations, deadline):
                error = compat.timed_out(first_error, action.timeout_ms)
                attempts.append(attempt_of("original", action.selector, t0, error))
                raise error from None
            attempts.append(attempt_of("original", action.selector, t0, None))
            return None  # the pointer and fill actions return nothing
        attempts.append(attempt_of("original", action.selector, t0, None, outcome="waiting"))
        if state == call_log.ABSENT:
            heal = _quietly(lambda: healer.heal(action, deadline, step, test))
            if heal is not None and heal.info is not None:
                return self._perform_healed(action, step, heal, deadline, attempts)
        return self._resolving_ambiguity(action, step, healer, test, deadline, attempts, "wait")

    def _look_first(self, action: Action, step: Step | None, healer: Healer, test: TestContext,
                    deadline: float, attempts: list[Attempt]) -> Any:
        """Look for the element (up to FIRST_TRY_MS), then act with the whole timeout: for actions
        whose first try could not be told apart from a performed one, and locators checked for
        drift (the check must see the element before the action reaches it)."""
        first_ms = min(FIRST_TRY_MS, action.timeout_ms)
        t0 = time.perf_counter()
        if first_ms < action.timeout_ms and not present(action.target, first_ms):
            attempts.append(attempt_of("original", action.selector, t0, None, outcome="waiting"))
            heal = _quietly(lambda: healer.heal(action, deadline, step, test))
            if heal is not None and heal.info is not None:
                return self._perform_healed(action, step, heal, deadline, attempts)
        else:
            drifted = _quietly(lambda: healer.check_drift(action, step, deadline, test))
            if drifted is not None and drifted.info is not None:
                return self._perform_healed(action, step, drifted, deadline, attempts)
        return self._resolving_ambiguity(action, step, healer, test, deadline, attempts,
                                         "original" if not attempts else "wait")

    def _resolving_ambiguity(self, action: Action, step: Step | None, healer: Healer, test: TestContext,
                             deadline: float, attempts: list[Attempt], strategy: str) -> Any:
        """``_retrying``; a locator that matches several elements goes to the healer."""
        try:
            return self._retrying(action, deadline, attempts, strategy)
        except Exception as exc:
            return self._ambiguous(action, step, healer, test, deadline, attempts, exc)

    def _ambiguous(self, action: Action, step: Step | None, healer: Healer, test: TestContext,
                   deadline: float, attempts: list[Attempt], exc: Exception) -> Any:
        """Act on the element the healer resolves a strict-mode violation to, else raise ``exc``."""
        if not is_strict_violation(exc):
            raise exc
        resolved = _quietly(lambda: healer.resolve_ambiguous(action, step, deadline, test))
        if resolved is None or resolved.info is None:
            raise exc
        return self._perform_healed(action, step, resolved, deadline, attempts)

    def _read(self, action: Action, step: Step | None, healer: Healer, test: TestContext,
              deadline: float, attempts: list[Attempt]) -> Any:
        drifted = _quietly(lambda: healer.check_drift(action, step, deadline, test))
        if drifted is not None and drifted.info is not None:
            return self._perform_healed(action, step, drifted, deadline, attempts)
        t0 = time.perf_counter()
        try:
            result = action.perform(action.target, FIRST_TRY_MS)
        except Exception as exc:
            if not _is_timeout(exc):
                attempts.append(attempt_of("original", action.selector, t0, exc))
                if not is_transient(exc):
                    raise
                return self._retrying(action, deadline, attempts, "retry")
            attempts.append(attempt_of("original", action.selector, t0, None, outcome="waiting"))
        else:
            attempts.append(attempt_of("original", action.selector, t0, None))
            return result
        if not present(action.target, 0.0):
            heal = _quietly(lambda: healer.heal(action, deadline, step, test))
            if heal is not None and heal.info is not None:
                return self._perform_healed(action, step, heal, deadline, attempts)
        return self._retrying(action, deadline, attempts, "wait")

    def _retrying(self, action: Action, deadline: float, attempts: list[Attempt], strategy: str) -> Any:
        timeout: float | None = None if not attempts else left_ms(deadline)
        retries = 0
        while True:
            t0 = time.perf_counter()
            try:
                result = action.perform(action.target, timeout)
            except Exception as exc:
                attempts.append(attempt_of(strategy, action.selector, t0, exc))
                remaining_ms = (deadline - time.perf_counter()) * 1000.0
                if is_transient(exc) and retries < MAX_RETRIES and remaining_ms > BACKOFF_MS[retries] * 2:
                    time.sleep(BACKOFF_MS[retries] / 1000.0)
                    retries += 1
                    strategy = "retry"
                    timeout = left_ms(deadline)
                    continue
                raise
            attempts.append(attempt_of(strategy, action.selector, t0, None))
            return result

    def _perform_healed(
        self, action: Action, step: Step | None, heal: Heal, deadline: float, attempts: list[Attempt],
    ) -> Any:
        assert heal.info is not None
        result = perform_healed(action, heal.locator, heal.info, deadline, attempts)
        if step is not None:
            step.self_healing = heal.info
        return result


def acts_first(action: Action, healer: Healer, test: TestContext) -> bool:
    """Whether ``action`` may act before it looks: an action whose timed-out first try the call
    log can place (``pw/call_log.py``), on a Playwright that logs it, and a locator the drift
    check does not need to look at first."""
    if action.name not in call_log.SPLIT_ACTIONS or not compat.available(compat.ACT_FIRST):
        return False
    try:
        return not healer.checks_drift(action, test)
    except Exception:
        return False


def _started_navigation(action: Action, page: Any, state: str, t0: float, deadline: float) -> bool:
    """Whether a performed first try started a navigation of its page, which a single call would
    wait for. Its call log cannot say: "waiting for scheduled navigations" is logged whether or
    not one was started (a loaded machine can run out the first try right then), and a link's
    navigation can hold up the click's own input (Playwright 1.45). The page's observer can."""
    if action.name not in call_log.POINTER_ACTIONS:
        return False
    started = navigated_since(page, t0, deadline)
    return state == call_log.NAVIGATING if started is None else started


def _fill_missed(action: Action, deadline: float) -> bool:
    """For a fill whose first try may or may not have set the value: it did not (the field does
    not hold it). A fill that did is never repeated; one that did not goes on as Playwright's own
    retries would. A field whose value cannot be read is taken as filled."""
    if action.name not in call_log.FILL_ACTIONS:
        return False
    expected = "" if action.name == "clear" else action.value
    try:
        return bool(action.target.input_value(timeout=left_ms(deadline)) != expected)
    except Exception:
        return False


def perform_healed(action: Action, locator: Any, info: SelfHealing, deadline: float,
                   attempts: list[Attempt]) -> Any:
    """``action`` on the healed ``locator`` with what is left of its budget, recorded as an attempt
    of the heal's strategy."""
    t0 = time.perf_counter()
    try:
        result = action.perform(locator, left_ms(deadline))
    except Exception as exc:
        attempts.append(attempt_of(info.strategy, info.healed_selector, t0, exc))
        raise
    attempts.append(attempt_of(info.strategy, info.healed_selector, t0, None))
    return result


def _quietly(fn: Callable[[], Heal | None]) -> Heal | None:
    """A healer's failure (a closed page, a script error) must not turn into the test's failure;
    only its refusal to act on a drifted element does."""
    try:
        return fn()
    except DriftRefused:
        raise
    except Exception:
        return None


