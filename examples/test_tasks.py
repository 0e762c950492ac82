"""An expect-heavy suite for the Taskboard tasks page, written against version 1 (``app/``).

Its locators are written once, as a real suite keeps them: selector constants, and a page object
(``TasksPage``) with locators set in ``__init__``, a class attribute read by a property, and
helpers that narrow the task list. Version 2 (``IRL_EXAMPLES_APP=v2``, ``app_v2/``) renames the
page's ids to classes and reorders each task's markup. Plain Playwright fails these tests on
version 2; ``pytest --irl`` heals every locator the rename broke, assertions and lists included,
once it has seen version 1, and ``irl fix --write`` rewrites the constants and the page object:

    pytest examples/test_tasks.py --irl                       # version 1: passes, learns
    IRL_EXAMPLES_APP=v2 pytest examples/test_tasks.py         # version 2: fails
    IRL_EXAMPLES_APP=v2 pytest examples/test_tasks.py --irl   # version 2: passes, heals recorded
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

TASKS = "#task-list li"
TITLES = "#task-list .task-title"


class TasksPage:
    """The tasks page: where each of its locators is written."""

    COUNT = "#task-count"

    def __init__(self, page: Page) -> None:
        self.page = page
        self.new_task = page.locator("#new-task")
        self.add_button = page.locator("#add-task")
        self.tasks = page.locator(TASKS)
        self.titles = page.locator(TITLES)
        self.empty_state = page.locator("#empty-state")
        self.clear_completed = page.locator("#clear-completed")
        self.filters = page.get_by_role("group", name="Filter tasks")

    @property
    def count(self) -> Locator:
        return self.page.locator(self.COUNT)

    def open(self, *titles: str) -> None:
        """Sign in, then add ``titles`` one by one, checking that each appears once."""
        page = self.page
        page.goto("/login.html")
        page.get_by_label("Email").fill("qa@example.com")
        page.get_by_label("Password").fill("s3cret")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Tasks")).to_be_visible()
        for title in titles:
            self.new_task.fill(title)
            self.add_button.click()
            expect(self.tasks.filter(has_text=title)).to_have_count(1)

    def task(self, index: int) -> Locator:
        return self.tasks.nth(index)

    def show(self, name: str) -> None:
        self.filters.get_by_role("button", name=name).click()


@pytest.fixture
def tasks(page: Page) -> TasksPage:
    return TasksPage(page)


def test_adding_tasks(tasks: TasksPage) -> None:
    tasks.open("Buy milk", "Write report")
    expect(tasks.tasks).to_have_count(2)
    expect(tasks.titles).to_have_text(["Buy milk", "Write report"])
    expect(tasks.count).to_have_text("2 items left")
    expect(tasks.new_task).to_have_value("")
    expect(tasks.empty_state).to_be_hidden()
    assert tasks.tasks.count() == 2


def test_completing_a_task(tasks: TasksPage) -> None:
    tasks.open("Buy milk", "Write report")
    tasks.task(0).locator(".toggle").check()
    expect(tasks.task(0)).to_have_class(re.compile(r"\bcompleted\b"))
    expect(tasks.task(0).locator(".toggle")).to_be_checked()
    expect(tasks.task(1)).to_have_class("task")
    expect(tasks.count).to_have_text("1 item left")
    expect(tasks.clear_completed).to_be_visible()


def test_filtering_tasks(tasks: TasksPage) -> None:
    tasks.open("Buy milk", "Write report", "Call the bank")
    tasks.task(1).locator(".toggle").check()
    tasks.show("Active")
    expect(tasks.titles).to_have_text(["Buy milk", "Call the bank"])
    tasks.show("Completed")
    expect(tasks.tasks).to_have_count(1)
    expect(tasks.tasks.first).to_contain_text("Write report")
    tasks.show("All")
    expect(tasks.tasks).to_have_count(3)


def test_deleting_tasks(tasks: TasksPage) -> None:
    tasks.open("Buy milk", "Write report")
    tasks.tasks.filter(has_text="Buy milk").locator(".delete").click()
    expect(tasks.tasks).to_have_count(1)
    expect(tasks.titles).to_have_text(["Write report"])
    tasks.tasks.first.locator(".delete").click()
    expect(tasks.tasks).to_have_count(0)  # a negative: never healed, and true on both versions
    assert tasks.tasks.count() == 0  # an empty list counts 0: it is never "healed"
    expect(tasks.empty_state).to_have_text("No tasks yet. Add one above.")


def test_editing_a_task(tasks: TasksPage) -> None:
    tasks.open("Buy milk", "Write report")
    tasks.task(0).locator(".task-title").dblclick()
    tasks.task(0).locator(".edit").fill("Buy oat milk")
    tasks.task(0).locator(".edit").press("Enter")
    expect(tasks.titles).to_have_text(["Buy oat milk", "Write report"])
    expect(tasks.count).to_have_text("2 items left")
