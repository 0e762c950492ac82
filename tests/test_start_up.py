"""The engine is imported while the first test's browser starts (engine_loader.py), and the first
test is recorded all the same: its steps, and its error when its setup fails before anything
was wrapped. What the store remembers reaches the engine whether it is built before or after."""

from __future__ import annotations

import json

import psycopg
import pytest
from psycopg.rows import dict_row

from pytest_irl.engine.layer import Layer
from pytest_irl.engine.memory import Memory
from pytest_irl.engine.wiring import build_layer
from pytest_irl.engine_loader import History, LazyEngine
from pytest_irl.reviews import Review

WATCH_IMPORTS = """
import json, sys

import pytest

# (The store's thread imports the models for itself when it connects: not watched here.)
ENGINE = ("pytest_irl.heal", "pytest_irl.engine.layer", "pytest_irl.engine.wiring")


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session):
    with open("imported.json", "w") as fh:
        json.dump([name for name in ENGINE if name in sys.modules], fh)
"""

SUITE = """
import pytest


@pytest.fixture
def broken_first():
    raise RuntimeError("broke before the browser")


def test_a_setup_that_breaks_first(broken_first, page):
    pass


def test_acts(page):
    page.set_content("<input id=q><button onclick='this.textContent = 1'>Go</button>")
    page.locator("#q").fill("hello")
    page.get_by_role("button", name="Go").click()
"""


@pytest.fixture(autouse=True)
def _no_ambient_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IRL_DATABASE_URL", raising=False)


def _runs(url: str) -> dict[str, dict]:
    with psycopg.connect(url) as conn, conn.cursor(row_factory=dict_row) as cur:
        found = cur.execute("SELECT nodeid, status, error, steps FROM test_runs").fetchall()
    return {row["nodeid"].split("::")[1]: row for row in found}


def test_the_engine_waits_for_the_test_loop_and_the_first_tests_are_recorded(
        pytester: pytest.Pytester, db_url: str) -> None:
    pytester.makeconftest(WATCH_IMPORTS)
    pytester.makepyfile(test_first=SUITE)
    # Ordered as written: the failing setup is the session's first Playwright test.
    result = pytester.runpytest_subprocess("--irl", "--irl-db", db_url, "-p", "no:randomly")
    result.assert_outcomes(passed=1, errors=1)
    # Collected with none of the engine imported: the test modules' imports never race it.
    assert json.loads((pytester.path / "imported.json").read_text()) == []
    runs = _runs(db_url)
    broken = runs["test_a_setup_that_breaks_first[chromium]"]
    assert broken["status"] == "error" and "broke before the browser" in broken["error"]
    acted = runs["test_acts[chromium]"]
    assert acted["status"] == "passed"
    assert [s["action"] for s in acted["steps"]] == ["set_content", "fill", "click"]
    assert acted["steps"][1]["value"] == "hello"  # its "no secret" confirmation arrived


def test_without_playwright_tests_the_engine_is_never_imported(
        pytester: pytest.Pytester, db_url: str) -> None:
    pytester.makeconftest(WATCH_IMPORTS + """

def pytest_unconfigure(config):
    with open("imported_at_end.json", "w") as fh:
        json.dump([name for name in ENGINE if name in sys.modules], fh)
""")
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    pytester.runpytest_subprocess("--irl", "--irl-db", db_url).assert_outcomes(passed=1)
    assert "pytest_irl.heal" not in json.loads((pytester.path / "imported_at_end.json").read_text())


# The engine's history, whichever of the store and the first test comes first -------------------
def _engine() -> LazyEngine:
    return LazyEngine(lambda: build_layer(Memory()))


HISTORY = History(
    fingerprints=[("#save", "/form", "test_a", {"tag": "button", "id": "save", "text": "Save"})],
    reviews=[Review(heal_id="abc", verdict="rejected")],
)


def _knows_the_history(layer: Layer) -> bool:
    healer = layer.healer
    assert healer is not None
    return (healer.memory.loaded.is_set() and healer.reviews.loaded.is_set()
            and healer.memory.lookup("#save", "/form", "test_a", wait=False) is not None
            and len(healer.reviews) == 1)


def test_history_read_before_the_engine_is_built_is_loaded_when_it_is() -> None:
    engine = _engine()
    engine.history_read(HISTORY)
    assert engine.built is None  # the store's thread never builds it
    assert _knows_the_history(engine.get())


def test_an_engine_built_first_waits_for_the_history_then_has_it() -> None:
    engine = _engine()
    layer = engine.get()
    assert layer.healer is not None
    assert not layer.healer.reviews.loaded.is_set() and not layer.healer.memory.loaded.is_set()
    engine.history_read(HISTORY)
    assert _knows_the_history(layer) and engine.get() is layer


def test_a_new_store_has_nothing_to_wait_for() -> None:
    for built_first in (True, False):
        engine = _engine()
        if built_first:
            engine.get()
        engine.nothing_to_read()
        healer = engine.get().healer
        assert healer is not None and healer.memory.loaded.is_set() and healer.reviews.loaded.is_set()
