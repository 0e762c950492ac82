"""The policy and helpers, without a browser: retries, first-try classification, selector rendering."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error

from pytest_irl.engine.action import Action
from pytest_irl.engine.healed_locator import python_for
from pytest_irl.engine.memory import url_path
from pytest_irl.engine.runner import Policy
from pytest_irl.heal import parse_locator
from pytest_irl.heal.locator_kind import is_fragile
from pytest_irl.models import Step


def flaky(failures: list[BaseException]):  # type: ignore[no-untyped-def]
    calls: list[float | None] = []

    def perform(_locator: object, timeout: float | None) -> str:
        calls.append(timeout)
        if len(calls) <= len(failures):
            raise failures[len(calls) - 1]
        return "done"

    return perform, calls


def test_transient_failures_are_retried_and_every_attempt_recorded() -> None:
    perform, calls = flaky([Error("Element is not attached to the DOM"),
                            Error("Execution context was destroyed, most likely because of a navigation")])
    step = Step(step_number=1, action="click")
    assert Policy().execute(Action("click", perform, selector="#x", timeout_ms=5000), step) == "done"
    assert [a.strategy for a in step.attempts] == ["original", "retry", "retry"]
    assert [a.outcome for a in step.attempts] == ["error", "error", "ok"]
    assert calls[0] is None and all(0 < t <= 5000 for t in calls[1:])  # retries get what is left


def test_non_transient_errors_are_raised_unchanged() -> None:
    perform, calls = flaky([Error("strict mode violation: locator('button') resolved to 2 elements")])
    with pytest.raises(Error, match="strict mode violation"):
        Policy().execute(Action("click", perform, timeout_ms=5000), None)
    assert len(calls) == 1


def test_retries_stop_when_the_budget_is_spent() -> None:
    perform, calls = flaky([Error("Element is not attached to the DOM")] * 50)
    with pytest.raises(Error):
        Policy().execute(Action("click", perform, timeout_ms=300), None)
    assert 1 < len(calls) < 5


@pytest.mark.parametrize(("selector", "code"), [
    ('internal:role=button[name="Sign in"i]', 'page.get_by_role("button", name="Sign in")'),
    ('internal:role=button[name="Save"s]', 'page.get_by_role("button", name="Save", exact=True)'),
    ('internal:testid=[data-testid="go"s]', 'page.get_by_test_id("go")'),
    ('internal:text="Say \\"hi\\""i', 'page.get_by_text("Say \\"hi\\"")'),
    ('internal:label="E-mail"s', 'page.get_by_label("E-mail", exact=True)'),
    ('internal:attr=[placeholder="Search"i]', 'page.get_by_placeholder("Search")'),
    ('internal:testid=[data-test="go"s]', None),
    ("#plain-css", None),
])
def test_normalized_selectors_render_as_python(selector: str, code: str | None) -> None:
    assert python_for(selector) == code


@pytest.mark.parametrize(("selector", "fragile"), [
    ("#grid > div:nth-child(4) > button", True),
    ("xpath=/html/body/main/form/p/button[1]", True),
    ("#row-2 .edit", True),
    ("button >> nth=1", True),
    ("#login", False),
    ('internal:role=button[name="Sign in"i]', False),
    ('internal:testid=[data-testid="save"s]', False),
])
def test_fragile_locators_are_the_ones_checked_for_drift(selector: str, fragile: bool) -> None:
    assert is_fragile(parse_locator(selector)) is fragile


def test_url_path_ignores_host_port_and_query() -> None:
    assert url_path("http://127.0.0.1:41231/login/?next=/x#top") == "/login/"
    assert url_path("https://shop.example.com") == "/"
    assert url_path("about:blank") == "about:"
    assert url_path(None) == ""
