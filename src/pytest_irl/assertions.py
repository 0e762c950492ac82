"""``expect(locator)`` and list queries (``count()``, ``all()``) as steps: the wrappers' side (what
Playwright calls, the step it makes); the engine's ``assertion_steps`` runs them.

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
from typing import Any

from .engine.action import Action
from .engine.assertion_rules import expected_value, kind_of, matcher_name, names_content
from .engine.assertion_steps import ExpectMismatch, ExpectPolicy, QueryPolicy
from .engine.context import NO_TEST
from .engine.layer import Layer
from .engine.memory import url_path
from .engine.recorder import location_from
from .pw import compat
from .pw.compat import expect_result

DEFAULT_EXPECT_TIMEOUT_MS = 5000.0


def run_expect(layer: Layer, inner: Any, selector: str, expression: str, options: dict[str, Any],
               title: str | None, caller: Any) -> Any:
    """One assertion on ``inner`` (a raw Locator) as a step; returns Playwright's result for the
    matcher to judge. ``caller``: the frame of the test's ``expect`` call (the greenlet the
    assertion runs in does not reach the test)."""
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
        location=location_from(caller, recorder.root if recorder is not None else None),
        # Only a positive single-element assertion has one element to learn (not a list, nor an
        # element asserted absent).
        learns_element=kind == "element",
    )
    try:
        return layer.run(action, ExpectPolicy(layer.healer, layer.lists, kind))
    except ExpectMismatch as mismatch:
        return mismatch.result


def query_action(layer: Layer, name: str, inner: Any, perform: Any) -> Any:
    """``count`` / ``all`` on the raw locator ``inner``. A query is not an action: it becomes a
    step only when the layer has something to say about it (a list that matched before matches
    nothing now: healed, or refused with its candidates). While it matches, it learns its list."""
    lists, test = layer.lists, layer.test or NO_TEST
    if lists is None:  # a layer without healers: nothing to learn or heal
        return perform(inner, None)
    selector = compat.selector_of(inner)
    started = time.perf_counter()
    try:
        matched = inner.count()
    except Exception:
        matched = -1
    if matched == 0 and lists.heals(test):
        try:
            path = url_path(inner.page.url)
        except Exception:
            path = ""
        if lists.memory.has_history(selector, path, test.nodeid):
            action = Action(name=name, perform=perform, target=inner, selector=selector, healable=False,
                            learns_element=False)
            return layer.run(action, QueryPolicy(lists, started))
    # count() has just been asked: its answer is the result (asked again, it would cost a call).
    result = matched if name == "count" and matched >= 0 else perform(inner, None)
    if matched > 0:
        try:
            page = inner.page
            lists.learn(inner, selector, page.url, test)
            lists.learn_parents(page, selector, page.url, test)
        except Exception:
            pass  # learning never changes an outcome
    return result


__all__ = ["ExpectPolicy", "QueryPolicy", "kind_of", "names_content", "run_expect"]
