"""An expect-heavy suite for the Taskboard tasks page, written against version 1 (``app/``).

Version 2 (``IRL_EXAMPLES_APP=v2``, ``app_v2/``) renames the page's ids to classes and reorders
each task's markup. Plain Playwright fails these tests on version 2; ``pytest --irl`` heals every
locator the rename broke, assertions and lists included, once it has seen version 1:

    pytest examples/test_tasks.py --irl                       # version 1: passes, learns
    IRL_EXAMPLES_APP=v2 pytest examples/test_tasks.py         # version 2: fails
    IRL_EXAMPLES_APP=v2 pytest examples/test_tasks.py --irl   # version 2: passes, heals recorded
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

TASKS = "#task-list li"
TITLES = "#task-list .task-title"


def open_tasks(page: Page, *titles: str) -> None:
    page.goto("/login.html")
    page.get_by_label("Email").fill("qa@example.com")
    page.get_by_label("Password").fill("s3cret")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Tasks")).to_be_visible()
    for title in titles:
        page.locator("#new-task").fill(title)
        page.locator("#add-task").click()
        expect(page.locator(TASKS).filter(has_text=title)).to_have_count(1)


def test_adding_tasks(page: Page) -> None:
    open_tasks(page, "Buy milk", "Write report")
    expect(page.locator(TASKS)).to_have_count(2)
    expect(page.locator(TITLES)).to_have_text(["Buy milk", "Write report"])
    expect(page.locator("#task-count")).to_have_text("2 items left")
    expect(page.locator("#new-task")).to_have_value("")
    expect(page.locator("#empty-state")).to_be_hidden()
    assert page.locator(TASKS).count() == 2


def test_completing_a_task(page: Page) -> None:
    open_tasks(page, "Buy milk", "Write report")
    page.locator(TASKS).nth(0).locator(".toggle").check()
    expect(page.locator(TASKS).nth(0)).to_have_class(re.compile(r"\bcompleted\b"))
    expect(page.locator(TASKS).nth(0).locator(".toggle")).to_be_checked()
    expect(page.locator(TASKS).nth(1)).to_have_class("task")
    expect(page.locator("#task-count")).to_have_text("1 item left")
    expect(page.locator("#clear-completed")).to_be_visible()


def test_filtering_tasks(page: Page) -> None:
    open_tasks(page, "Buy milk", "Write report", "Call the bank")
    page.locator(TASKS).nth(1).locator(".toggle").check()
    filters = page.get_by_role("group", name="Filter tasks")
    filters.get_by_role("button", name="Active").click()
    expect(page.locator(TITLES)).to_have_text(["Buy milk", "Call the bank"])
    filters.get_by_role("button", name="Completed").click()
    expect(page.locator(TASKS)).to_have_count(1)
    expect(page.locator(TASKS).first).to_contain_text("Write report")
    filters.get_by_role("button", name="All").click()
    expect(page.locator(TASKS)).to_have_count(3)


def test_deleting_tasks(page: Page) -> None:
    open_tasks(page, "Buy milk", "Write report")
    page.locator(TASKS).filter(has_text="Buy milk").locator(".delete").click()
    expect(page.locator(TASKS)).to_have_count(1)
    expect(page.locator(TITLES)).to_have_text(["Write report"])
    page.locator(TASKS).first.locator(".delete").click()
    expect(page.locator(TASKS)).to_have_count(0)  # a negative: never healed, and true on both versions
    assert page.locator(TASKS).count() == 0  # an empty list counts 0: it is never "healed"
    expect(page.locator("#empty-state")).to_have_text("No tasks yet. Add one above.")


def test_editing_a_task(page: Page) -> None:
    open_tasks(page, "Buy milk", "Write report")
    page.locator(TASKS).nth(0).locator(".task-title").dblclick()
    page.locator(TASKS).nth(0).locator(".edit").fill("Buy oat milk")
    page.locator(TASKS).nth(0).locator(".edit").press("Enter")
    expect(page.locator(TITLES)).to_have_text(["Buy oat milk", "Write report"])
    expect(page.locator("#task-count")).to_have_text("2 items left")
