"""Only the adapter (``pw/``) reaches into Playwright's internals (issue #15): every other module
uses its public API or a function of ``pw/compat.py``, so a Playwright upgrade breaks at most one
module, where each internal has its fallback."""

from __future__ import annotations

import ast
from pathlib import Path

import psycopg
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "pytest_irl"
# Private names of Playwright's objects that the layer has used (attributes, or getattr strings).
PRIVATE = frozenset({
    "_impl_obj", "_timeout_settings", "_owned_context", "_owner_page", "_api_impl_class", "_selector",
    "_sync", "_dispatcher_fiber", "_frame", "_page", "_expect", "__pw_caller_frame__", "__pw_stack__",
})


def _names_private(call: ast.Call) -> bool:
    """``getattr(obj, "_impl_obj", ...)`` and the like."""
    named = isinstance(call.func, ast.Name) and call.func.id in ("getattr", "hasattr")
    key = call.args[1] if len(call.args) >= 2 else None
    return named and isinstance(key, ast.Constant) and key.value in PRIVATE


def internals_in(source: str) -> list[tuple[int, str]]:
    """(line, what) for each use of a Playwright internal in ``source``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("playwright._impl"):
            found.append((node.lineno, f"from {node.module} import"))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, f"import {a.name}") for a in node.names
                      if a.name.startswith("playwright._impl")]
        elif isinstance(node, ast.Attribute) and node.attr in PRIVATE:
            # The layer's own objects may have such names: only others' objects count.
            if not (isinstance(node.value, ast.Name) and node.value.id == "self"):
                found.append((node.lineno, f".{node.attr}"))
        elif isinstance(node, ast.Call) and _names_private(node):
            found.append((node.lineno, f"getattr(..., {node.args[1].value!r})"))  # type: ignore[attr-defined]
    return found


def test_no_module_outside_the_adapter_touches_a_playwright_internal() -> None:
    found = [
        f"{path.relative_to(PACKAGE)}:{line}: {what}"
        for path in sorted(PACKAGE.rglob("*.py")) if path.parent.name != "pw"
        for line, what in internals_in(path.read_text(encoding="utf-8"))
    ]
    assert not found, "\n".join(found)


def test_the_check_finds_an_internal() -> None:
    assert [w for _, w in internals_in("impl = page._impl_obj")] == ["._impl_obj"]
    assert internals_in("from playwright._impl._greenlets import run_in_greenlet")
    assert internals_in("x = getattr(locator, '_selector', None)")
    assert not internals_in("page.locator('#x').click()\nself._page = page")


PROBE_FAILS = """
from pytest_irl.pw import compat

# As on a Playwright whose internals moved: the probe of assertion steps fails.
compat._PROBES[compat.EXPECT_STEPS] = lambda: "expect(...) is neither recorded nor healed (simulated)"
compat.unavailable.cache_clear()
"""

SUITE = """
from playwright.sync_api import expect

def test_asserts(page):
    page.set_content("<p id='x'>hello</p>")
    page.locator("#x").click()
    expect(page.locator("#x")).to_have_text("hello")
    expect(page.locator("#x")).not_to_have_text("bye")
"""


def test_a_feature_whose_probe_fails_is_off_said_once_and_fails_no_test(
    pytester: pytest.Pytester, db_url: str,
) -> None:
    pytester.makeconftest(PROBE_FAILS)
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_subprocess("--irl", "--irl-db", db_url, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["irl: assertion steps off with Playwright *: expect(...) is neither*"])
    with psycopg.connect(db_url) as conn:
        steps = conn.execute("SELECT steps FROM test_runs").fetchone()[0]
    assert [s["action"] for s in steps] == ["set_content", "click"]  # expect is Playwright's own
