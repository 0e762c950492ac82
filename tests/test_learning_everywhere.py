"""Learning on every page a test acts on (issue #11, point 4): pages from ``set_content``, ``data:``
and ``file:`` URLs, a popup its opener wrote, a same-origin iframe; and pages the test makes itself
with ``browser.new_page()`` or ``browser.new_context().new_page()`` (issue #16, point 3).
Version 1 teaches the elements the test's actions reached; on version 2 their ids were regenerated
(the button's text reworded too), with a look-alike next to each that shares the id's words, so
only what was learned can heal them: pytest in a subprocess, a real Chromium and Postgres."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.rows import dict_row

SUITE = r'''
import json
import os
import pathlib
from urllib.parse import quote



def button(id_, classes, text):
    return f'<button id="{id_}" class="{classes}" onclick="window.clicked = this.id">{text}</button>'


def field(label, id_, placeholder):
    return f'<label>{label} <input id="{id_}" class="field" placeholder="{placeholder}"></label>'


PAGES = {
    "v1": "<h1>Draft</h1>" + field("Name", "name-3f2a", "Your name")
          + button("save-7f3a", "btn primary", "Save draft") + button("share-1c9e", "btn", "Share"),
    "v2": "<h1>Draft</h1>" + field("Name", "name-k81q", "Your name")
          + field("Company", "name-x7p2", "Company name") + button("save-p0q1", "btn", "Save as template")
          + button("save-k2j9", "btn primary", "Save the draft") + button("share-8d2b", "btn", "Share"),
}
PAGE = PAGES[os.environ["APP_VERSION"]]


def act(root):
    """Fill and click on ``root`` (a page or a frame locator) by the ids version 1 had."""
    root.locator("#name-3f2a").fill("Ada", timeout=4000)
    root.locator("#save-7f3a").click(timeout=4000)


def acted_on(doc):
    """(the clicked button's id, the value typed into the name field) in ``doc``."""
    return doc.evaluate("() => [window.clicked, document.querySelector('input.field').value]")


def serve(page, body):
    page.route("http://app.irl.test/**", lambda route: route.fulfill(content_type="text/html", body=body))
    page.goto("http://app.irl.test/start")


def test_set_content(page):
    page.set_content(PAGE)
    act(page)
    assert acted_on(page.locator("body")) in (["save-7f3a", "Ada"], ["save-k2j9", "Ada"])


def test_data_url(page):
    page.goto("data:text/html," + quote(PAGE))
    act(page)
    assert acted_on(page.locator("body")) in (["save-7f3a", "Ada"], ["save-k2j9", "Ada"])


def test_file_url(page):
    path = pathlib.Path(__file__).with_name("draft.html")
    path.write_text(PAGE, encoding="utf-8")
    page.goto(path.as_uri())
    act(page)
    assert acted_on(page.locator("body")) in (["save-7f3a", "Ada"], ["save-k2j9", "Ada"])


def test_popup(page):
    opener = "const w = window.open(); w.document.write(PAGE); w.document.close()"
    serve(page, f'<button onclick="{opener}">Edit</button><script>const PAGE = {json.dumps(PAGE)};</script>')
    with page.expect_popup() as opened:
        page.get_by_role("button", name="Edit").click()
    popup = opened.value
    act(popup)
    assert acted_on(popup.locator("body")) in (["save-7f3a", "Ada"], ["save-k2j9", "Ada"])


def test_browser_new_page(browser):
    page = browser.new_page()  # as a conftest that shares one page between tests makes it
    page.set_content(PAGE)
    act(page)
    assert acted_on(page.locator("body")) in (["save-7f3a", "Ada"], ["save-k2j9", "Ada"])
    page.close()


def test_browser_new_context(browser):
    context = browser.new_context()
    page = context.new_page()
    serve(page, PAGE)
    act(page)
    assert acted_on(page.locator("body")) in (["save-7f3a", "Ada"], ["save-k2j9", "Ada"])
    context.close()


def test_iframe(page):
    write = f"editor.contentDocument.write({json.dumps(PAGE)}); editor.contentDocument.close();"
    serve(page, f'<h1>Editor</h1><iframe id="editor"></iframe><script>{write}</script>')
    act(page.locator("#editor").content_frame)
    acted = acted_on(page.frame_locator("#editor").locator("body"))
    assert acted in (["save-7f3a", "Ada"], ["save-k2j9", "Ada"])
'''

TESTS = (
    "test_set_content", "test_data_url", "test_file_url", "test_popup", "test_iframe",
    "test_browser_new_page", "test_browser_new_context",
)
FRAME = "#editor >> internal:control=enter-frame >> "


@pytest.fixture(autouse=True)
def _no_ambient_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IRL_DATABASE_URL", raising=False)


def rows(url: str, query: str) -> list[dict]:
    with psycopg.connect(url) as conn, conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query).fetchall()


@pytest.mark.parametrize("test", TESTS)
def test_the_page_an_action_acts_on_is_learned_then_heals_warm(
    test: str, pytester: pytest.Pytester, service_db_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytester.makepyfile(test_draft=SUITE)
    monkeypatch.setenv("APP_VERSION", "v1")
    pytester.runpytest_subprocess("--irl", "--irl-db", service_db_url, "-k", test).assert_outcomes(passed=1)

    # The page observer was in the page: it said the name field is no secret, so the typed value
    # is kept (unconfirmed values are masked), and it reported the elements the actions reached.
    steps = rows(service_db_url, "SELECT steps FROM test_runs ORDER BY started_at DESC LIMIT 1")[0]["steps"]
    assert [step.get("value") for step in steps if step["action"] == "fill"] == ["Ada"], steps

    # Version 1 taught the element each action reached, under its locator, page and test.
    learned = {r["selector"] for r in rows(service_db_url, "SELECT selector FROM element_fingerprints")}
    prefix = FRAME if test == "test_iframe" else ""
    assert {prefix + "#name-3f2a", prefix + "#save-7f3a"} <= learned, learned

    # Version 2: both heal to the element that looks like the one learned.
    monkeypatch.setenv("APP_VERSION", "v2")
    pytester.runpytest_subprocess("--irl", "--irl-db", service_db_url, "-k", test).assert_outcomes(passed=1)
    steps = rows(service_db_url, "SELECT steps FROM test_runs ORDER BY started_at DESC LIMIT 1")[0]["steps"]
    healed = {step["action"]: (step.get("selfHealing") or {}).get("strategy") for step in steps
              if (step.get("selector") or "").endswith(("#name-3f2a", "#save-7f3a"))}
    assert healed == {"fill": "fingerprint", "click": "fingerprint"}, steps
