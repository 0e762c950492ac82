"""End-to-end checks for the Taskboard demo app, written as a plain pytest-playwright suite.

Run it as is, or with ``pytest --irl`` to get retries, locator healing and a recorded step log.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

USER_EMAIL = "qa@example.com"


def sign_in(page: Page, email: str = USER_EMAIL, password: str = "s3cret") -> None:
    page.goto("/login.html")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Tasks")).to_be_visible()


def add_tasks(page: Page, *titles: str) -> None:
    new_task = page.get_by_placeholder("What needs to be done?")
    for title in titles:
        new_task.fill(title)
        page.get_by_role("button", name="Add", exact=True).click()
        expect(page.get_by_test_id("task-item").filter(has_text=title)).to_be_visible()


def test_sign_in_opens_tasks_page(page: Page) -> None:
    page.goto("/login.html")
    expect(page).to_have_title(re.compile("Sign in"))

    page.get_by_label("Email").fill(USER_EMAIL)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/tasks\.html$"))
    expect(page.get_by_role("heading", name="Tasks")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_text(f"Signed in as {USER_EMAIL}")
    expect(page.locator("#task-count")).to_have_text("0 items left")


def test_wrong_password_shows_error(page: Page) -> None:
    page.goto("/login.html")
    page.locator("#email").fill(USER_EMAIL)
    page.locator("#password").fill("wrong")
    page.locator("#sign-in").click()

    expect(page.get_by_role("alert")).to_have_text("Invalid email or password.")
    expect(page.locator("#password")).to_have_value("")
    expect(page).to_have_url(re.compile(r"/login\.html$"))


def test_tasks_page_requires_sign_in(page: Page) -> None:
    page.goto("/tasks.html")

    expect(page).to_have_url(re.compile(r"/login\.html$"))
    expect(page.get_by_role("button", name="Sign in")).to_be_enabled()


def test_add_two_tasks(page: Page) -> None:
    sign_in(page)

    add_tasks(page, "Buy milk", "Write report")

    items = page.get_by_test_id("task-item")
    expect(items).to_have_count(2)
    expect(items).to_contain_text(["Buy milk", "Write report"])
    expect(page.get_by_test_id("task-count")).to_have_text("2 items left")
    expect(page.get_by_placeholder("What needs to be done?")).to_be_empty()


def test_completing_a_task_updates_counter(page: Page) -> None:
    sign_in(page)
    add_tasks(page, "Buy milk", "Write report")

    milk = page.get_by_role("listitem").filter(has_text="Buy milk")
    milk.get_by_role("checkbox").check()

    expect(milk.get_by_role("checkbox")).to_be_checked()
    expect(milk).to_have_class(re.compile(r"\bcompleted\b"))
    expect(page.get_by_test_id("task-count")).to_have_text("1 item left")
    expect(page.get_by_role("button", name="Clear completed")).to_be_visible()


def test_filter_active_and_completed(page: Page) -> None:
    sign_in(page)
    add_tasks(page, "Buy milk", "Write report", "Call the bank")
    page.get_by_test_id("task-item").nth(1).get_by_role("checkbox").check()
    expect(page.locator("#task-count")).to_have_text("2 items left")

    filters = page.get_by_role("group", name="Filter tasks")
    titles = page.locator("#task-list .task-title")

    filters.get_by_role("button", name="Active").click()
    expect(filters.get_by_role("button", name="Active")).to_have_attribute("aria-pressed", "true")
    expect(titles).to_have_text(["Buy milk", "Call the bank"])

    filters.get_by_role("button", name="Completed").click()
    expect(titles).to_have_text(["Write report"])

    filters.get_by_role("button", name="All").click()
    expect(titles).to_have_count(3)


def test_delete_task(page: Page) -> None:
    sign_in(page)
    add_tasks(page, "Buy milk", "Write report")

    page.get_by_test_id("task-item").filter(has_text="Buy milk").get_by_role("button", name="Delete").click()

    expect(page.get_by_test_id("task-item")).to_have_count(1)
    expect(page.get_by_text("Buy milk")).to_have_count(0)
    expect(page.get_by_label("Write report")).not_to_be_checked()
    expect(page.get_by_test_id("task-count")).to_have_text("1 item left")


def test_settings_save_shows_saved_status(page: Page) -> None:
    sign_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()

    page.get_by_label("Display name").fill("Quinn QA")
    page.get_by_role("button", name="Save").click()

    # The app fakes a ~300 ms round trip; expect() waits for the final status.
    expect(page.get_by_role("status")).to_have_text("Saved")
    expect(page.get_by_test_id("current-user")).to_have_text("Signed in as Quinn QA")


def test_settings_theme_and_notifications_persist(page: Page) -> None:
    sign_in(page)
    page.goto("/settings.html")

    notifications = page.get_by_label("Email notifications")
    expect(notifications).to_be_checked()
    notifications.uncheck()
    page.get_by_label("Theme").select_option("dark")
    expect(page.get_by_test_id("save-status")).to_have_text("Unsaved changes")
    page.get_by_test_id("save-button").click()
    expect(page.get_by_test_id("save-status")).to_have_text("Saved")

    page.reload()
    expect(page.locator("#theme")).to_have_value("dark")
    expect(page.locator("#notifications")).not_to_be_checked()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")

    page.get_by_label("Email notifications").check()
    page.get_by_label("Theme").select_option(label="Light")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved")
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
