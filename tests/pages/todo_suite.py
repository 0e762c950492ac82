"""An expect-heavy suite written against todo_v1.html (copied into a pytester run by
tests/test_assertions.py, with TODO_URL pointing at version 1 or version 2 of the app)."""

import os
import re

from playwright.sync_api import Page, expect

ITEMS = "#todo-list li"


def open_app(page: Page) -> None:
    page.goto(os.environ["TODO_URL"])
    timeout = float(os.environ.get("TODO_TIMEOUT_MS", "3000"))
    page.set_default_timeout(timeout)
    expect.set_options(timeout=timeout)


def add(page: Page, *titles: str) -> None:
    for title in titles:
        page.locator("#new-todo").fill(title)
        page.locator("#add-todo").click()


def test_adding(page: Page) -> None:
    open_app(page)
    add(page, "Buy milk", "Write report")
    expect(page.locator(ITEMS)).to_have_count(2)
    expect(page.locator(ITEMS)).to_have_text([re.compile("Buy milk"), re.compile("Write report")])
    expect(page.locator("#todo-count")).to_have_text("2 items left")
    expect(page.locator("#new-todo")).to_have_value("")
    expect(page.locator("#clear-completed")).to_be_hidden()
    assert page.locator(ITEMS).count() == 2


def test_completing(page: Page) -> None:
    open_app(page)
    add(page, "Buy milk", "Write report")
    page.locator(ITEMS).nth(0).locator(".toggle").check()
    expect(page.locator(ITEMS).nth(0)).to_have_class(re.compile(r"\bcompleted\b"))
    expect(page.locator(ITEMS).nth(0).locator(".toggle")).to_be_checked()
    expect(page.locator(ITEMS).nth(1)).to_have_class("todo")
    expect(page.locator("#todo-count")).to_have_text("1 item left")
    expect(page.locator("#clear-completed")).to_be_visible()


def test_filtering(page: Page) -> None:
    open_app(page)
    add(page, "Buy milk", "Write report", "Call the bank")
    page.locator(ITEMS).nth(1).locator(".toggle").check()
    page.locator("#filter-active").click()
    expect(page.locator(ITEMS)).to_have_count(2)
    expect(page.locator(f"{ITEMS} .title")).to_have_text(["Buy milk", "Call the bank"])
    page.locator("#filter-completed").click()
    expect(page.locator(ITEMS)).to_have_count(1)
    expect(page.locator(ITEMS).first).to_contain_text("Write report")
    page.locator("#filter-all").click()
    expect(page.locator(ITEMS)).to_have_count(3)
    expect(page.locator("#filter-all")).to_have_class(re.compile("selected"))


def test_deleting(page: Page) -> None:
    open_app(page)
    add(page, "Buy milk", "Write report")
    page.locator(ITEMS).filter(has_text="Buy milk").locator(".destroy").click()
    expect(page.locator(ITEMS)).to_have_count(1)
    expect(page.locator(ITEMS)).to_have_text([re.compile("Write report")])
    expect(page.locator(ITEMS).filter(has_text="Buy milk")).to_have_count(0)
    page.locator(ITEMS).first.locator(".destroy").click()
    expect(page.locator(ITEMS)).to_have_count(0)
    assert page.locator(ITEMS).count() == 0
    expect(page.locator("#todo-count")).to_have_text("0 items left")


def test_editing(page: Page) -> None:
    open_app(page)
    add(page, "Buy milk", "Write report")
    page.locator(ITEMS).nth(0).locator(".title").dblclick()
    page.locator(ITEMS).nth(0).locator(".edit").fill("Buy oat milk")
    page.locator(ITEMS).nth(0).locator(".edit").press("Enter")
    expect(page.locator(ITEMS).nth(0)).to_contain_text("Buy oat milk")
    expect(page.locator(f"{ITEMS} .title")).to_have_text(["Buy oat milk", "Write report"])
    expect(page.locator("#todo-count")).to_have_text("2 items left")
