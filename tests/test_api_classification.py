"""Every public member of the installed Playwright's page-facing classes is classified (issue #15):
a step the layer records, a chain that hands back wrapped objects, or a pass-through with its
reason. A member the table does not know fails here, so an upgrade cannot bypass the layer unseen."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Frame, FrameLocator, Keyboard, Locator, Mouse, Page

from pytest_irl import actions
from pytest_irl.engine.layer import Layer
from pytest_irl.proxy import (
    IrlBrowserContext,
    IrlFrame,
    IrlFrameLocator,
    IrlKeyboard,
    IrlLocator,
    IrlMouse,
    IrlPage,
    wrap,
)
from pytest_irl.pw.api import PASS_THROUGH, classify
from pytest_irl.redact import MASK

PAGE_LIKE = frozenset(actions.SELECTOR_ACTIONS + actions.NAVIGATIONS + actions.PAGE_STEPS)
CLASSES = [
    (Page, IrlPage, PAGE_LIKE),
    (Frame, IrlFrame, PAGE_LIKE),
    (Locator, IrlLocator, frozenset(actions.LOCATOR_ACTIONS + actions.LIST_QUERIES)),
    (FrameLocator, IrlFrameLocator, frozenset()),
    (Keyboard, IrlKeyboard, frozenset(actions.KEYBOARD_STEPS)),
    (Mouse, IrlMouse, frozenset(actions.MOUSE_STEPS)),
    (BrowserContext, IrlBrowserContext, frozenset()),
]


@pytest.mark.parametrize(("base", "wrapper", "steps"), CLASSES, ids=[c[0].__name__ for c in CLASSES])
def test_every_public_member_is_classified(base: type, wrapper: type, steps: frozenset[str]) -> None:
    kinds = classify(base, wrapper, steps)
    unknown = sorted(name for name, kind in kinds.items() if kind == "unknown")
    assert not unknown, f"{base.__name__}: not classified (add to actions.py or pw/api.py): {unknown}"
    # Every step the table names is really recorded: the wrapper has its own method for it.
    assert all(name in wrapper.__dict__ for name, kind in kinds.items() if kind == "step")


def test_the_issue_s_bypassed_methods_are_steps_now() -> None:
    page = classify(Page, IrlPage, PAGE_LIKE)
    assert {page[n] for n in ("set_content", "drag_and_drop", "wait_for_url")} == {"step"}
    locator = classify(Locator, IrlLocator, frozenset(actions.LOCATOR_ACTIONS + actions.LIST_QUERIES))
    assert locator["all_inner_texts"] == locator["all_text_contents"] == "step"
    keyboard = classify(Keyboard, IrlKeyboard, frozenset(actions.KEYBOARD_STEPS))
    assert set(keyboard.values()) <= {"step", "pass"}
    assert classify(Mouse, IrlMouse, frozenset(actions.MOUSE_STEPS))["click"] == "step"


def test_a_pass_through_says_why() -> None:
    assert all(reason.strip() for reason in PASS_THROUGH.values())
    assert "legitimate answer" in PASS_THROUGH["is_visible"]


# One call of every step, on tests/pages/form.html: a step the layer records must have one here.
def _page_calls(url: str) -> dict[str, Callable[[Page], object] | None]:
    return {
        "click": lambda p: p.click("#agree"), "dblclick": lambda p: p.dblclick("#name"),
        "tap": None, "fill": lambda p: p.fill("#name", "Ada"), "press": lambda p: p.press("#name", "End"),
        "type": lambda p: p.type("#notes", "x"), "check": lambda p: p.check("#agree"),
        "uncheck": lambda p: p.uncheck("#agree"), "set_checked": lambda p: p.set_checked("#agree", True),
        "select_option": lambda p: p.select_option("#color", "green"), "hover": lambda p: p.hover("#name"),
        "focus": lambda p: p.focus("#name"), "set_input_files": lambda p: p.set_input_files("#upload", []),
        "dispatch_event": lambda p: p.dispatch_event("#name", "click"),
        "text_content": lambda p: p.text_content("h1"), "inner_text": lambda p: p.inner_text("h1"),
        "inner_html": lambda p: p.inner_html("h1"), "input_value": lambda p: p.input_value("#name"),
        "get_attribute": lambda p: p.get_attribute("#name", "name"),
        "goto": lambda p: p.goto(url), "reload": lambda p: p.reload(),
        "go_back": lambda p: p.go_back(), "go_forward": lambda p: p.go_forward(),
        "set_content": lambda p: p.set_content("<p id='x'>set</p>"),
        "wait_for_url": lambda p: p.wait_for_url(url),
        "drag_and_drop": lambda p: p.drag_and_drop("#name", "#notes"),
    }


def _locator_calls() -> dict[str, Callable[[Page], object] | None]:
    return {
        "click": lambda p: p.locator("#agree").click(), "dblclick": lambda p: p.locator("#name").dblclick(),
        "tap": None,  # needs a touch context
        "fill": lambda p: p.locator("#name").fill("Ada"), "clear": lambda p: p.locator("#name").clear(),
        "press": lambda p: p.locator("#name").press("End"),
        "press_sequentially": lambda p: p.locator("#notes").press_sequentially("ab"),
        "type": lambda p: p.locator("#notes").type("c"), "check": lambda p: p.locator("#agree").check(),
        "uncheck": lambda p: p.locator("#agree").uncheck(),
        "set_checked": lambda p: p.locator("#agree").set_checked(True),
        "select_option": lambda p: p.locator("#color").select_option("green"),
        "select_text": lambda p: p.locator("#name").select_text(),
        "hover": lambda p: p.locator("#name").hover(), "focus": lambda p: p.locator("#name").focus(),
        "blur": lambda p: p.locator("#name").blur(),
        "set_input_files": lambda p: p.locator("#upload").set_input_files([]),
        "drag_to": lambda p: p.locator("#name").drag_to(p.locator("#notes")),
        "drop": None,  # a file drop needs files on disk; recorded as the other locator actions are
        "dispatch_event": lambda p: p.locator("#name").dispatch_event("click"),
        "scroll_into_view_if_needed": lambda p: p.locator("#name").scroll_into_view_if_needed(),
        "text_content": lambda p: p.locator("h1").text_content(),
        "inner_text": lambda p: p.locator("h1").inner_text(),
        "inner_html": lambda p: p.locator("h1").inner_html(),
        "input_value": lambda p: p.locator("#name").input_value(),
        "get_attribute": lambda p: p.locator("#name").get_attribute("name"),
        "wait_for": lambda p: p.locator("#name").wait_for(),
    }


DEVICE_CALLS: dict[str, Callable[[Page], object]] = {
    "keyboard.down": lambda p: p.keyboard.down("Shift"), "keyboard.up": lambda p: p.keyboard.up("Shift"),
    "keyboard.press": lambda p: p.keyboard.press("End"), "keyboard.type": lambda p: p.keyboard.type("ab"),
    "keyboard.insert_text": lambda p: p.keyboard.insert_text("cd"),
    "mouse.click": lambda p: p.mouse.click(5, 5), "mouse.dblclick": lambda p: p.mouse.dblclick(5, 5),
    "mouse.down": lambda p: p.mouse.down(), "mouse.up": lambda p: p.mouse.up(),
    "mouse.move": lambda p: p.mouse.move(9, 9), "mouse.wheel": lambda p: p.mouse.wheel(0, 10),
}


def _recorded(layer: Layer, call: Callable[[Page], object], page: Page) -> list[str]:
    assert layer.current is not None
    before = len(layer.current.run.steps)
    call(page)
    return [s.action for s in layer.current.run.steps[before:]]


def test_every_step_is_recorded(context: BrowserContext, pages_url: str, layer: Layer) -> None:
    url = f"{pages_url}/form.html"
    page = wrap(context, layer).new_page()
    page.goto(url)
    page.goto(url)  # a history to go back and forward in
    page_calls, locator_calls = _page_calls(url), _locator_calls()
    installed = {n for n in PAGE_LIKE if hasattr(Page, n)}
    assert installed <= set(page_calls), f"steps without a sample call: {installed - set(page_calls)}"
    for name, call in page_calls.items():
        if call is not None and name in installed:
            if name not in ("go_back", "go_forward"):
                page.goto(url)  # each from the form (set_content replaces it)
            assert name in _recorded(layer, call, page), name
    page.goto(url)
    installed = {n for n in actions.LOCATOR_ACTIONS if hasattr(Locator, n)}
    assert installed <= set(locator_calls), f"steps without a sample call: {installed - set(locator_calls)}"
    for name, call in locator_calls.items():
        if call is not None and name in installed:
            assert name in _recorded(layer, call, page), name
    devices = {f"keyboard.{n}" for n in actions.KEYBOARD_STEPS} | {f"mouse.{n}" for n in actions.MOUSE_STEPS}
    assert devices == set(DEVICE_CALLS)
    page.locator("#notes").focus()
    for name, call in DEVICE_CALLS.items():
        assert _recorded(layer, call, page) == [name], name
    assert layer.current is not None
    layer.current.finish_values()  # values are put into the steps when the run ends
    steps = layer.current.run.steps
    typed = next(s for s in steps if s.action == "keyboard.press")
    assert typed.url == url and typed.value == "End"
    assert next(s for s in steps if s.action == "mouse.click").value == [5, 5]


def test_keyboard_typing_into_a_secret_field_is_masked(context: BrowserContext, pages_url: str,
                                                       layer: Layer) -> None:
    page = wrap(context, layer).new_page()
    page.goto(f"{pages_url}/form.html")
    page.locator("#secret-field").focus()
    page.keyboard.type("hunter2-secret")
    page.keyboard.insert_text("more-secret")
    assert layer.current is not None
    layer.current.finish_values()
    typed = [s for s in layer.current.run.steps if s.action.startswith("keyboard.")]
    assert [s.value for s in typed] == [MASK, MASK]
    shown = str([s.to_json() for s in layer.current.run.steps])
    assert "hunter2" not in shown and "more-secret" not in shown
