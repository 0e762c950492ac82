"""A step's ``file:line`` is the test's own code, found by module identity (issue #16, point 1):
Playwright's and this plugin's frames are skipped by where their packages live, so a suite in a
folder named ``playwright`` keeps its own locations."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import playwright
import psycopg
import pytest
from psycopg.rows import dict_row

from pytest_irl.engine.recorder import location_from


def _function_in(filename: str) -> Any:
    """``here(inner)``, compiled as ``filename`` (line 2): calls ``inner(None)``, or, without
    one, hands back its own frame."""
    source = "def here(inner):\n    return inner(None) if inner else sys._getframe()\n"
    code = compile(source, filename, "exec")
    namespace: dict[str, Any] = {"sys": sys}
    exec(code, namespace)
    return namespace["here"]


def _frame_in(filename: str, inner: Any = None) -> Any:
    return _function_in(filename)(inner)


def test_a_test_folder_named_playwright_is_the_tests_own_code(tmp_path: Path) -> None:
    test_file = str(tmp_path / "tests" / "playwright" / "test_app.py")
    frame = _frame_in(test_file)
    assert location_from(frame, str(tmp_path)) == os.path.join("tests", "playwright", "test_app.py") + ":2"


def test_playwrights_own_frames_are_skipped_by_its_package_directory(tmp_path: Path) -> None:
    test_file = str(tmp_path / "tests" / "playwright" / "test_app.py")
    inside_playwright = os.path.join(os.path.dirname(playwright.__file__ or ""), "sync_api", "_fake.py")
    # The test calls into Playwright, whose frame is the innermost one.
    frame = _frame_in(test_file, _function_in(inside_playwright))
    assert location_from(frame, str(tmp_path)) == os.path.join("tests", "playwright", "test_app.py") + ":2"
    # A package merely named like Playwright is not Playwright.
    look_alike = str(tmp_path / "site-packages" / "playwright_helpers" / "steps.py")
    frame = _frame_in(look_alike)
    assert location_from(frame, str(tmp_path)).startswith(os.path.join("site-packages", "playwright_helpers"))


SUITE = '''
from urllib.parse import quote

from playwright.sync_api import expect

HTML = '<input placeholder="Your name"><button onclick="this.textContent = 1">Save</button>'


def fill_name(page, name):
    page.get_by_placeholder("Your name").fill(name)  # HELPER


def test_form(page):
    page.goto("data:text/html," + quote(HTML))  # GOTO
    fill_name(page, "Ada")
    page.locator("button").click()  # CLICK
    expect(page.locator("button")).to_have_text("1")  # EXPECT
    assert page.locator("button").text_content() == "1"  # READ
'''


@pytest.fixture(autouse=True)
def _no_ambient_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IRL_DATABASE_URL", raising=False)


def _line_of(source: str, mark: str) -> int:
    return next(n for n, line in enumerate(source.splitlines(), 1) if line.endswith(f"# {mark}"))


def test_a_suite_under_a_playwright_folder_gets_its_own_locations(
    pytester: pytest.Pytester, service_db_url: str,
) -> None:
    folder = pytester.mkdir("tests").joinpath("playwright")
    folder.mkdir()
    source = SUITE.lstrip("\n")
    folder.joinpath("test_app.py").write_text(source, encoding="utf-8")
    pytester.runpytest_subprocess("--irl", "--irl-db", service_db_url).assert_outcomes(passed=1)

    with psycopg.connect(service_db_url) as conn, conn.cursor(row_factory=dict_row) as cur:
        steps = cur.execute("SELECT steps FROM test_runs").fetchone()["steps"]  # type: ignore[index]
    where = os.path.join("tests", "playwright", "test_app.py")
    located = [(step["action"], step.get("location")) for step in steps]
    assert located == [
        ("goto", f"{where}:{_line_of(source, 'GOTO')}"),
        ("fill", f"{where}:{_line_of(source, 'HELPER')}"),
        ("click", f"{where}:{_line_of(source, 'CLICK')}"),
        ("expect.to_have_text", f"{where}:{_line_of(source, 'EXPECT')}"),
        ("text_content", f"{where}:{_line_of(source, 'READ')}"),
    ], located
