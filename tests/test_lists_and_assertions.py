"""Assertions and lists in a real Chromium: expect(...) as steps, what is healed, what never is."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from pytest_irl.engine.context import TestContext
from pytest_irl.engine.healing import Healer
from pytest_irl.engine.lists import Lists
from pytest_irl.engine.memory import Memory
from pytest_irl.engine.recorder import RunRecorder
from pytest_irl.engine.wiring import build_layer
from pytest_irl.models import Step, TestRun
from pytest_irl.proxy import wrap

SESSION = "00000000-0000-4000-8000-000000000006"
HOST = "http://lists.irl.test"


class Rig:
    def __init__(self, context: BrowserContext) -> None:
        self.memory = Memory()
        self.memory.loaded.set()
        self.layer = build_layer(self.memory)
        assert self.layer.lists is not None
        self.lists: Lists = self.layer.lists
        assert self.layer.healer is not None
        self.healer: Healer = self.layer.healer
        nodeid = "tests/test_lists_and_assertions.py::t"
        self.layer.begin_test(TestContext(nodeid, RunRecorder(TestRun(session_id=SESSION, nodeid=nodeid))))
        self.pages: dict[str, str] = {}
        context.route(f"{HOST}/**", lambda route: route.fulfill(
            status=200, content_type="text/html", body=self.pages.get(route.request.url, "<p>404</p>")))
        self.page: Page = wrap(context, self.layer).new_page()
        self.page.set_default_timeout(2000)

    def open(self, body: str, path: str = "app") -> Page:
        url = f"{HOST}/{path}"
        self.pages[url] = f"<!doctype html><html><body><h1>Groceries</h1>{body}</body></html>"
        self.page.goto(url)
        return self.page

    @property
    def steps(self) -> list[Step]:
        assert self.layer.current is not None
        return self.layer.current.run.steps

    def step(self, action: str) -> Step:
        return [s for s in self.steps if s.action == action][-1]


@pytest.fixture
def rig(context: BrowserContext) -> Iterator[Rig]:
    yield Rig(context)


def items(*texts: str, ident: str = 'id="cart"', done: tuple[str, ...] = ()) -> str:
    rows = "".join(f'<li class="item{" done" if t in done else ""}"><span class="name">{t}</span>'
                   f'<button class="remove">Remove</button></li>' for t in texts)
    return f'<ul {ident} aria-label="Cart">{rows}</ul><p id="total">{len(texts)} items</p>'


V2 = {"ident": 'class="cart"'}


def test_expect_is_a_step_and_playwright_types_hold(rig: Rig) -> None:
    page = rig.open(items("Milk", "Bread"))
    cart = page.locator("#cart li")
    assert isinstance(cart, Locator)
    expect(cart).to_have_count(2)
    expect(page.locator("#total")).to_have_text("2 items")
    assert rig.layer.current is not None
    rig.layer.current.finish_values()
    step = rig.step("expect.to_have_text")
    assert step.success and step.selector == "#total" and step.value == "2 items"
    assert step.location and step.location.startswith("tests/test_lists_and_assertions.py:")
    with pytest.raises(AssertionError, match="to have text"):
        expect(page.locator("#total")).to_have_text("3 items", timeout=300)
    failed = rig.steps[-1]
    assert not failed.success and failed.error and failed.self_healing is None


def test_list_assertions_and_count_heal_after_a_rename_and_children_follow(rig: Rig) -> None:
    page = rig.open(items("Milk", "Bread", "Eggs"))
    expect(page.locator("#cart li")).to_have_count(3)
    expect(page.locator("#cart li").nth(1)).to_contain_text("Bread")
    expect(page.locator("#cart li").filter(has_text="Milk")).to_have_count(1)

    page = rig.open(items("Milk", "Bread", "Eggs", **V2), path="v2")
    expect(page.locator("#cart li")).to_have_count(3)
    healed = rig.step("expect.to_have_count").self_healing
    assert healed is not None and healed.strategy == "list" and healed.healed_selector == "ul.cart > li.item"
    expect(page.locator("#cart li")).to_have_text([re.compile(t) for t in ("Milk", "Bread", "Eggs")])
    assert rig.step("expect.to_have_text").self_healing is not None
    assert page.locator("#cart li").count() == 3
    assert rig.step("count").self_healing is not None
    rows = page.locator("#cart li").all()
    assert [r.text_content() for r in rows] == ["MilkRemove", "BreadRemove", "EggsRemove"]
    assert rig.step("all").self_healing is not None and isinstance(rows[0], Locator)
    expect(page.locator("#cart li").nth(1)).to_contain_text("Bread")
    assert rig.step("expect.to_contain_text").self_healing.healed_selector == "ul.cart > li.item >> nth=1"
    # A filtered list keeps its filter: only the list it narrows is healed.
    expect(page.locator("#cart li").filter(has_text="Milk")).to_have_count(1)
    assert rig.steps[-1].self_healing.healed_selector == 'ul.cart > li.item >> internal:has-text="Milk"i'
    # An action on a chained child follows the healed list, with the rest of the chain as written.
    page.locator("#cart li").nth(0).locator(".remove").click()
    click = rig.step("click")
    assert click.self_healing is not None and click.self_healing.healed_selector == (
        "ul.cart > li.item >> nth=0 >> .remove")
    assert [s.self_healing.note for s in rig.steps if s.action == "count"][-1].startswith("same list heal")
    assert [r.original for r in rig.healer.log.records].count("#cart li") >= 1
    where = [r.location or "" for r in rig.healer.log.records]
    assert all(w.startswith("tests/test_lists_and_assertions.py:") for w in where), where


def test_a_healed_assertion_that_should_fail_still_fails(rig: Rig) -> None:
    page = rig.open(items("Milk", "Bread"))
    expect(page.locator("#cart li")).to_have_count(2)
    page = rig.open(items("Milk", **V2), path="v2")
    with pytest.raises(AssertionError, match="to have count"):
        expect(page.locator("#cart li")).to_have_count(2, timeout=1500)
    step = rig.steps[-1]
    assert step.self_healing is not None and step.self_healing.healed_selector == "ul.cart > li.item"
    assert not step.success  # healed to the right list, and the list really has one item


def test_negative_assertions_are_never_healed(rig: Rig) -> None:
    page = rig.open(items("Milk", "Bread"))
    expect(page.locator("#cart li")).to_have_count(2)
    expect(page.locator("#cart li").nth(0)).to_have_class(re.compile("item"))
    page = rig.open(items("Milk", "Bread", **V2), path="v2")
    expect(page.locator("#cart li")).to_have_count(0, timeout=500)  # the renamed list is not looked for
    expect(page.locator("#cart li")).to_be_hidden(timeout=500)
    with pytest.raises(AssertionError):
        expect(page.locator("#cart li").nth(0)).not_to_have_class(re.compile("done"), timeout=500)
    negatives = [s for s in rig.steps if s.action in (
        "expect.to_have_count", "expect.to_be_hidden", "expect.not_to_have_class")][-3:]
    assert [s.action for s in negatives] == [
        "expect.to_have_count", "expect.to_be_hidden", "expect.not_to_have_class"]
    assert all(s.self_healing is None for s in negatives)


def test_empty_and_filtered_lists_are_never_healed(rig: Rig) -> None:
    page = rig.open(items("Milk", "Bread", done=("Bread",)))
    assert page.locator("#cart li.done").count() == 1
    expect(page.locator("#cart li")).to_have_count(2)
    # The same page, nothing done any more: the filter matches nothing, the list is there.
    page = rig.open(items("Milk", "Bread"), path="later")
    assert page.locator("#cart li.done").count() == 0
    with pytest.raises(AssertionError):
        expect(page.locator("#cart li.done")).to_have_count(1, timeout=800)
    assert all(s.self_healing is None for s in rig.steps)
    # Everything deleted: the empty list counts 0.
    page = rig.open('<ul id="cart" aria-label="Cart"></ul><ul class="menu"><li>Home</li><li>Help</li></ul>',
                    path="empty")
    t0 = time.perf_counter()
    assert page.locator("#cart li").count() == 0
    expect(page.locator("#cart li")).to_have_count(0)
    expect(page.locator("#cart li")).to_be_hidden()
    assert time.perf_counter() - t0 < 0.8  # nothing waits for an element that is not there
    assert all(s.self_healing is None and s.url and s.url.endswith("/empty") for s in rig.steps[-3:])


def test_locators_that_name_content_are_not_healed_as_elements(rig: Rig) -> None:
    page = rig.open('<p id="status-1" class="status">Saved</p>')
    expect(page.get_by_text("Saved")).to_be_visible()
    expect(page.locator("#status-1")).to_have_text("Saved")
    page = rig.open('<p id="status-2" class="status">Unsaved changes</p>', path="v2")
    with pytest.raises(AssertionError):
        expect(page.get_by_text("Saved", exact=True)).to_be_visible(timeout=800)
    assert rig.steps[-1].self_healing is None  # the text is what the test asserts
    # A structural locator is healed to the learned element, and the verdict stays the matcher's.
    page = rig.open('<label><input type="checkbox" id="agree-1" checked> I agree to the terms</label>',
                    path="v3")
    expect(page.locator("#agree-1")).to_be_checked()
    page = rig.open('<label><input type="checkbox" class="agree"> I agree to the terms</label>', path="v3")
    with pytest.raises(AssertionError, match="to be checked"):
        expect(page.locator("#agree-1")).to_be_checked(timeout=1500)
    step = rig.steps[-1]
    assert step.self_healing is not None and step.self_healing.strategy == "fingerprint", step.heal_refused
    assert not step.success
    expect(page.locator("#agree-1")).to_be_checked(checked=False)  # the same heal, a true statement
    assert rig.steps[-1].self_healing is not None and rig.steps[-1].success


def test_an_ambiguous_list_is_refused_with_its_candidates(rig: Rig) -> None:
    page = rig.open(items("Milk", "Bread"))
    expect(page.locator("#cart li")).to_have_count(2)
    twin = items("Milk", "Bread", ident='class="cart"').replace("<p", "<div hidden><p") + "</div>"
    page = rig.open(twin + items("Milk", "Bread", ident='class="basket"'), path="v2")
    with pytest.raises(AssertionError):
        expect(page.locator("#cart li")).to_have_count(2, timeout=800)
    step = rig.steps[-1]
    assert step.self_healing is None and step.heal_refused is not None
    assert step.heal_refused["strategy"] == "list" and len(step.heal_refused["candidates"]) >= 2


def test_a_late_list_is_waited_for_not_healed(rig: Rig) -> None:
    page = rig.open(items("Milk", "Bread"))
    expect(page.locator("#cart li")).to_have_count(2)
    rows = items("Milk", "Bread").split('aria-label="Cart">')[1].split("</ul>")[0]
    page = rig.open(items() + "<script>setTimeout(() => { document.getElementById('cart').innerHTML ="
                    f" '{rows}'; }}, 700);</script>", path="late")
    expect(page.locator("#cart li")).to_have_count(2)
    step = rig.steps[-1]
    assert step.success and step.self_healing is None and step.heal_refused is None


def test_suggest_mode_records_the_list_heal_but_asserts_on_the_original(rig: Rig) -> None:
    rig.healer.settings.mode = "suggest"
    page = rig.open(items("Milk", "Bread"))
    expect(page.locator("#cart li")).to_have_count(2)
    page = rig.open(items("Milk", "Bread", **V2), path="v2")
    with pytest.raises(AssertionError, match="to have count"):
        expect(page.locator("#cart li")).to_have_count(2, timeout=1500)
    step = rig.steps[-1]
    assert step.self_healing is None and not step.success
    assert step.heal_suggestion is not None and step.heal_suggestion.healed_selector == "ul.cart > li.item"
    assert page.locator("#cart li").count() == 0  # the original locator, as written
