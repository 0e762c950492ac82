"""Fixtures that hand tests wrapped Playwright objects (registered only with ``--irl``).

Each takes pytest-playwright's fixture of the same name as its base, so a user's own override
in a conftest still builds on the wrapped object. Each also names ``browser_name``: pytest builds a
test's fixture closure from the overriding definition only, and pytest-playwright before 0.7-ish
parametrizes a test by browser only when ``browser_name`` is in that closure (without it, ``--irl``
would change test ids and drop all but one ``--browser``).
"""

from __future__ import annotations

from typing import Any

import pytest

RECORDING_PLUGIN = "irl-recording"


def _recording(config: pytest.Config) -> Any:
    return config.pluginmanager.get_plugin(RECORDING_PLUGIN)


@pytest.fixture(scope="session")
def browser(browser: Any, browser_name: Any, pytestconfig: pytest.Config) -> Any:
    return _recording(pytestconfig).wrap(browser)


@pytest.fixture
def context(context: Any, browser_name: Any, pytestconfig: pytest.Config) -> Any:
    return _recording(pytestconfig).wrap(context)


@pytest.fixture
def page(page: Any, browser_name: Any, pytestconfig: pytest.Config) -> Any:
    return _recording(pytestconfig).wrap(page)
