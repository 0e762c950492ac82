"""The proxy over a real Chromium: API surface, chaining, expect, and the steps it records."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Frame, FrameLocator, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from pytest_irl.engine.layer import Layer
from pytest_irl.proxy import IrlLocator, IrlPage, wrap
from pytest_irl.redact import MASK


@pytest.fixture
def irl_page(context: BrowserContext, layer: Layer, pages_url: str) -> Page:
    wrapped_context = wrap(context, layer)
    page = wrapped_context.new_page()
    page.goto(f"{pages_url}/form.html")
    return page


def steps(layer: Layer) -> list:
    assert layer.current is not None
    return layer.current.run.steps


def test_wrapped_objects_are_playwright_types(irl_page: Page) -> None:
    assert isinstance(irl_page, Page) and type(irl_page) is IrlPage
    assert isinstance(irl_page.context, BrowserContext)
    assert irl_page.context.pages[0] is irl_page
    assert isinstance(irl_page.main_frame, Frame)
    assert isinstance(irl_page.frame_locator("#frame"), FrameLocator)
    chained = [
        irl_page.locator("li"),
        irl_page.locator("li").filter(has_text="Pear"),
        irl_page.locator("li").nth(1),
        irl_page.locator("li").first,
        irl_page.locator("li").last,
        irl_page.get_by_role("button", name="Save"),
        irl_page.get_by_label("Name"),
        irl_page.get_by_placeholder("Your name"),
        irl_page.get_by_test_id("notes"),
        irl_page.get_by_text("Apple"),
        irl_page.locator("li").locator("button"),
        irl_page.locator("li").and_(irl_page.locator(".item")),
        irl_page.locator("#name").or_(irl_page.locator("#code")),
        irl_page.frame_locator("#frame").locator("#inner"),
        irl_page.locator("#frame").content_frame.get_by_role("button"),
        irl_page.frame_locator("#frame").owner,
        irl_page.main_frame.locator("#name"),
    ]
    for locator in chained:
        assert isinstance(locator, Locator) and type(locator) is IrlLocator, locator
    assert [type(x) for x in irl_page.locator("li").all()] == [IrlLocator, IrlLocator]


def test_actions_and_expect_work_unchanged(irl_page: Page, layer: Layer) -> None:
    irl_page.get_by_label("Name").fill("Ada")
    irl_page.locator("#agree").check()
    irl_page.get_by_label("Color").select_option("green")
    irl_page.get_by_test_id("save").click()
    expect(irl_page.get_by_role("status")).to_have_text("Saved Ada")
    expect(irl_page.locator("li")).to_have_count(2)
    expect(irl_page.locator("#agree")).to_be_checked()
    expect(irl_page).to_have_title("Form")
    assert irl_page.locator("#name").input_value() == "Ada"
    assert irl_page.locator("li").filter(has_text="Pear").inner_text().startswith("Pear")
    irl_page.locator("li").filter(has_text="Pear").get_by_role("button").click()
    irl_page.frame_locator("#frame").locator("#inner").click()
    expect(irl_page.frame_locator("#frame").locator("#inner")).to_have_text("clicked")
    irl_page.locator("#shadow-btn").click()
    expect(irl_page.locator("#shadow-btn")).to_have_text("pressed")
    recorded = [(s.action, s.selector) for s in steps(layer)]
    assert recorded[0][0] == "goto"
    assert recorded[1:5] == [
        ("fill", 'internal:label="Name"i'),
        ("check", "#agree"),
        ("select_option", 'internal:label="Color"i'),
        ("click", 'internal:testid=[data-testid="save"s]'),
    ]
    assert ("click", "#frame >> internal:control=enter-frame >> #inner") in recorded
    assert ("click", "#shadow-btn") in recorded
    assert [s.step_number for s in steps(layer)] == list(range(1, len(recorded) + 1))


def test_step_fields(irl_page: Page, layer: Layer, pages_url: str) -> None:
    irl_page.locator("#name").fill("Grace")
    layer.current.finish_values()
    goto, fill = steps(layer)
    assert goto.action == "goto" and goto.url == f"{pages_url}/form.html"
    assert fill.success and fill.url == f"{pages_url}/form.html" and fill.duration_ms > 0
    assert fill.location is not None and "test_proxy.py:" in fill.location
    assert [a.outcome for a in fill.attempts] == ["ok"] and fill.attempts[0].strategy == "original"
    data = fill.to_json()
    seed_keys = {"stepNumber", "action", "selector", "success", "durationMs", "startedAt", "url", "attempts"}
    assert seed_keys <= set(data)
    assert "selfHealing" not in data and "error" not in data


def test_page_level_selector_actions_are_steps(irl_page: Page, layer: Layer) -> None:
    irl_page.fill("#name", "Lin")
    irl_page.click("[data-testid=save]")
    assert irl_page.text_content("#status") == "Saved Lin"
    assert [(s.action, s.selector) for s in steps(layer)[1:]] == [
        ("fill", "#name"), ("click", "[data-testid=save]"), ("text_content", "#status"),
    ]


def test_failed_action_keeps_its_error_type_and_is_recorded(irl_page: Page, layer: Layer) -> None:
    with pytest.raises(PlaywrightTimeout):
        irl_page.locator("#does-not-exist").click(timeout=300)
    step = steps(layer)[-1]
    assert step.success is False and "Timeout" in step.error
    assert step.attempts[-1].outcome == "error"


def test_typed_values_are_masked_in_secret_fields(irl_page: Page, layer: Layer) -> None:
    irl_page.locator("#name").fill("visible name")
    irl_page.locator("#secret-field").fill("hunter2")  # a password input: the page says so
    irl_page.locator("#code").fill("123456")  # autocomplete=one-time-code
    irl_page.get_by_label("Password").press_sequentially("abc")
    irl_page.locator("#notes").fill("notes stay")
    irl_page.locator("#name").press("End")
    irl_page.close()  # lets every report from the page arrive, as the end of a test does
    layer.current.finish_values()
    values = [(s.action, s.value) for s in steps(layer)[1:]]
    assert values == [
        ("fill", "visible name"), ("fill", MASK), ("fill", MASK), ("press_sequentially", MASK),
        ("fill", "notes stay"), ("press", "End"),
    ]
    stored = str([s.to_json() for s in steps(layer)])
    assert "hunter2" not in stored and "123456" not in stored and "abc" not in stored


def test_popups_and_new_pages_are_wrapped(irl_page: Page, layer: Layer) -> None:
    with irl_page.expect_popup() as popup_info:
        irl_page.locator("#popup-link").click()
    popup = popup_info.value
    assert type(popup) is IrlPage
    popup.locator("#name").fill("in popup")
    other = irl_page.context.new_page()
    assert type(other) is IrlPage
    assert steps(layer)[-1].action == "fill"


def test_absence_waits_are_not_healable(irl_page: Page, layer: Layer) -> None:
    seen = []
    layer.policy.execute = lambda action, step, test: seen.append(action.healable)  # type: ignore[method-assign]
    irl_page.locator("#gone").wait_for(state="detached")
    irl_page.locator("#name").wait_for(state="visible")
    irl_page.locator("#name").click()
    assert seen == [False, True, True]


def test_without_a_current_run_actions_are_not_recorded(context: BrowserContext, pages_url: str) -> None:
    layer = Layer()
    page = wrap(context, layer).new_page()
    page.goto(f"{pages_url}/form.html")
    page.locator("#name").fill("x")
    assert page.locator("#name").input_value() == "x"
