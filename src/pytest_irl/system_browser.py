"""Launches a system Chromium when Playwright's own build is not installed.

Registered as a plugin module by ``plugin.pytest_configure`` (after pytest-playwright), so that
its fixture overrides pytest-playwright's and takes it as its base.
"""

from __future__ import annotations

from typing import Any

import pytest

from .browser import bundled_browser_missing, find_system_chromium, user_chose_browser, with_system_chromium

USED_KEY = pytest.StashKey[str]()


def _connect_options(request: pytest.FixtureRequest) -> Any:
    # pytest-playwright 0.7 added ``connect_options`` (a remote browser); older ones have none.
    try:
        return request.getfixturevalue("connect_options")
    except pytest.FixtureLookupError:
        return None


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], browser_type: Any, request: pytest.FixtureRequest,
    pytestconfig: pytest.Config,
) -> dict[str, Any]:
    if (
        _connect_options(request)
        or browser_type.name != "chromium"
        or user_chose_browser(browser_type_launch_args)
        or not bundled_browser_missing(browser_type)
    ):
        return browser_type_launch_args
    executable = find_system_chromium()
    if executable is None:
        return browser_type_launch_args
    pytestconfig.stash[USED_KEY] = executable
    return with_system_chromium(browser_type_launch_args, executable)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    config = terminalreporter.config
    used = config.stash.get(USED_KEY, None)
    if used and not hasattr(config, "workerinput"):
        terminalreporter.write_line(
            f"irl: Playwright's Chromium is not installed; used the system browser {used}"
        )
