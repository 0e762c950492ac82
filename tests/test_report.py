"""`irl report` (#14 points 1 and 6): heal and failure screenshots stored with the run, and one
self-contained HTML page, checked in a real Chromium against runs a real pytest session recorded
into a real Postgres."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import psycopg
import pytest
from playwright.sync_api import expect
from psycopg.rows import dict_row

from pytest_irl import screenshot
from pytest_irl.engine.healed_locator import python_of
from pytest_irl.heal import Fingerprint
from pytest_irl.heal.changes import attribute_changes
from pytest_irl.heal.locator_hints import parse_locator
from pytest_irl.report import model, render

SCRIPT_NAME = "<script>alert(1)</script>"

SUITE = """
import os
import pathlib

import pytest

LOGIN = {
    "v1": '<button id="login-7f3a" class="btn primary" onclick="window.clicked = this.id">Sign in</button>'
          '<button id="signup-1" class="btn" onclick="window.clicked = this.id">Create account</button>',
    "v2": '<button id="signup-9" class="btn" onclick="window.clicked = this.id">Create account</button>'
          '<button id="login-k2j9" class="btn primary" onclick="window.clicked = this.id">Sign in</button>',
}


def test_passes(page):
    page.set_content("<button>Go</button>")
    page.get_by_role("button", name="Go").click()


def test_sign_in(page):
    page.route("http://app.irl.test/**", lambda route: route.fulfill(
        content_type="text/html", body=LOGIN[os.environ["APP_VERSION"]]))
    page.goto("http://app.irl.test/login")
    page.locator("#login-7f3a").click(timeout=3000)
    assert page.evaluate("window.clicked").startswith("login-")


def test_fails(page):
    page.set_content("<h1>Checkout</h1><button>Pay</button>")
    page.locator("#missing").click(timeout=300)


def test_refused(page):
    page.set_content('<div class="card"><button class="add">Add to cart</button></div>'
                     '<div class="card"><button class="add">Add to cart</button></div>')
    page.locator("#add-to-cart-2").click(timeout=1500)


@pytest.mark.irl(reruns=1)
def test_flaky(page):
    page.set_content("<p>sometimes</p>")
    mark = pathlib.Path(os.environ["FLAKY_MARK"])
    first = not mark.exists()
    mark.touch()
    assert not first, "fails the first time"


@pytest.mark.parametrize("name", [NAME])
def test_named(page, name):
    page.set_content("<p>hostile name</p>")
    page.locator("p").text_content()
""".replace("NAME", repr(SCRIPT_NAME))


@pytest.fixture(autouse=True)
def _no_ambient_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IRL_DATABASE_URL", raising=False)


def rows(url: str, query: str, *params: object) -> list[dict[str, Any]]:
    with psycopg.connect(url) as conn, conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, params or None).fetchall()


def irl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest_irl.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def recorded(
    pytester: pytest.Pytester, service_db_url: str, monkeypatch: pytest.MonkeyPatch,
) -> dict[str, Any]:
    """Two sessions of SUITE: version 1 (learns), then version 2 (heals, refuses, fails, reruns)."""
    pytester.makepyfile(test_shop=SUITE)
    monkeypatch.setenv("APP_VERSION", "v1")
    monkeypatch.setenv("FLAKY_MARK", str(pytester.path / "v1.mark"))
    pytester.runpytest_subprocess("--irl", "--irl-db", service_db_url)
    monkeypatch.setenv("APP_VERSION", "v2")
    monkeypatch.setenv("FLAKY_MARK", str(pytester.path / "v2.mark"))
    result = pytester.runpytest_subprocess("--irl", "--irl-db", service_db_url)
    result.assert_outcomes(passed=4, failed=2)
    return {"url": service_db_url, "path": pytester.path}


def test_heal_and_failure_screenshots_are_stored_small_and_bounded(recorded: dict[str, Any]) -> None:
    url = recorded["url"]
    shots = rows(url, "SELECT r.nodeid, r.steps, s.* FROM step_screenshots s"
                      " JOIN test_runs r ON r.id = s.run_id ORDER BY r.started_at")
    kinds = {(r["nodeid"].split("::")[1].split("[")[0], r["kind"]) for r in shots}
    # Both sessions' failures, and the heal of version 2; nothing for tests that passed unhealed.
    assert kinds == {("test_sign_in", "heal"), ("test_fails", "failure"), ("test_refused", "failure"),
                     ("test_flaky", "failure")}
    for shot in shots:
        image = bytes(shot["image"])
        assert image[:3] == b"\xff\xd8\xff"  # a JPEG
        assert len(image) <= screenshot.MAX_BYTES
        assert shot["width"] <= screenshot.MAX_WIDTH and shot["height"] <= screenshot.MAX_HEIGHT
    heal = next(s for s in shots if s["kind"] == "heal")
    step = next(s for s in heal["steps"] if s["stepNumber"] == heal["step_number"])
    assert "selfHealing" in step  # keyed by the healed step's number
    box = heal["box"]
    assert box and box["width"] > 0 and 0 <= box["x"] < heal["width"] and 0 <= box["y"] < heal["height"]
    # The healed step says what changed between the learned element and the one used.
    changes = {c["field"]: (c["before"], c["after"]) for c in step["selfHealing"]["changes"]}
    assert changes["id"] == ("login-7f3a", "login-k2j9")
    # (Here, not in a test of its own: each recording costs two pytest sessions.)
    report_of_a_named_session_and_of_an_unknown_one(recorded)


def test_the_report_shows_every_kind_of_run_filters_and_makes_no_request(
    recorded: dict[str, Any], page: Any,
) -> None:
    out = recorded["path"] / "out" / "report.html"
    made = irl("--db", recorded["url"], "report", "-o", str(out), cwd=recorded["path"])
    assert made.returncode == 0, made.stderr
    assert out.as_uri() in made.stdout and "6 test(s)" in made.stdout
    text = out.read_text(encoding="utf-8")
    assert 'http-equiv="Content-Security-Policy"' in text and SCRIPT_NAME not in text

    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: (problems.append("dialog " + dialog.message), dialog.dismiss()))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(out.as_uri())

    tests = page.locator("details.test")
    assert tests.count() == 6

    def shown() -> set[str]:
        names = page.locator("details.test:not([hidden]) .nodeid").all_text_contents()
        return {n.split("::")[1].split("[")[0] for n in names}

    everything = {"test_passes", "test_sign_in", "test_fails", "test_refused", "test_flaky", "test_named"}
    assert shown() == everything
    named = page.locator(".nodeid", has_text="test_named")
    assert SCRIPT_NAME in named.text_content()  # the name as text, no element made of it
    assert page.locator("#sessions script").count() == 0

    filters = page.locator("#controls")
    filters.get_by_role("button", name="healed").click()
    assert shown() == {"test_sign_in"}
    filters.get_by_role("button", name="failed").click()  # either: healed or failed
    assert shown() == {"test_sign_in", "test_fails", "test_refused"}
    filters.get_by_role("button", name="healed").click()
    filters.get_by_role("button", name="failed").click()
    filters.get_by_role("button", name="flaky").click()
    assert shown() == {"test_flaky"}
    filters.get_by_role("button", name="flaky").click()
    filters.get_by_role("button", name="refused").click()
    assert shown() == {"test_refused"}
    filters.get_by_role("button", name="refused").click()
    page.get_by_role("searchbox", name="search").fill("login-7f3a")  # a locator of a heal
    assert shown() == {"test_sign_in"}
    page.get_by_role("searchbox", name="search").fill("")
    assert shown() == everything

    # A healed step: both locators as Python, strategy, confidence, candidates, what changed, the screenshot.
    healed = tests.filter(has_text="test_sign_in")
    healed.locator("summary").click()
    card = healed.locator(".heal.healed")
    assert card.locator("del").text_content() == 'page.locator("#login-7f3a")'
    assert card.locator("ins").text_content() == 'page.get_by_role("button", name="Sign in")'
    heading = card.locator("h4").text_content()
    assert "strategy fingerprint" in heading and "confidence 0." in heading
    assert card.locator("table.cands tr").count() >= 2
    assert "page.get_by_role" in card.locator("table.cands").text_content()
    assert card.locator("table.changes").filter(has_text="login-k2j9").count() == 1
    shot = card.locator("figure.shot")
    assert shot.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    box = shot.locator(".box").bounding_box()
    image = shot.locator("img").bounding_box()
    assert box and image and box["width"] > 0
    assert image["x"] <= box["x"] and box["x"] + box["width"] <= image["x"] + image["width"] + 1

    refused = tests.filter(has_text="test_refused")
    refused.locator("summary").click()
    refusal = refused.locator(".heal.refused")
    assert "refused:" in refusal.locator(".note").first.text_content()
    assert refusal.locator("table.cands tr").count() >= 2

    failed = tests.filter(has_text="test_fails")
    failed.locator("summary").click()
    assert "Timeout" in failed.locator(".run > pre").text_content()
    assert failed.locator("figure.shot img").evaluate("img => img.naturalWidth > 0")
    assert failed.locator("figcaption").text_content() == "the page when the test failed"

    flaky = tests.filter(has_text="test_flaky")
    flaky.locator("summary").click()
    expect(flaky.locator(".run h3")).to_have_count(2)  # both attempts (built when opened)

    assert requests == [out.as_uri()]  # the file itself, nothing else
    assert problems == []


def report_of_a_named_session_and_of_an_unknown_one(recorded: dict[str, Any]) -> None:
    session = rows(recorded["url"], "SELECT id FROM test_sessions ORDER BY started_at LIMIT 1")[0]["id"]
    out = recorded["path"] / "first.html"
    made = irl("--db", recorded["url"], "report", "--session", str(session)[:8], "-o", str(out),
               cwd=recorded["path"])
    assert made.returncode == 0 and "1 session(s)" in made.stdout
    assert str(session) in out.read_text(encoding="utf-8")
    missing = irl("--db", recorded["url"], "report", "--session", "ffffffff", cwd=recorded["path"])
    assert missing.returncode == 1 and "no session matches" in missing.stderr


def test_a_screenshot_of_a_large_noisy_page_stays_within_its_bounds(page: Any) -> None:
    page.set_viewport_size({"width": 1600, "height": 1200})
    # Noise is what JPEG compresses worst: the quality and size fallbacks must keep it bounded.
    page.set_content("""<canvas id=c width=1600 height=1200></canvas><button id=b style="position:absolute;
        left:1400px;top:1000px">Here</button><script>
        const g = document.getElementById('c').getContext('2d');
        for (let y = 0; y < 1200; y += 4) for (let x = 0; x < 1600; x += 4) {
          g.fillStyle = `rgb(${Math.random()*255|0},${Math.random()*255|0},${Math.random()*255|0})`;
          g.fillRect(x, y, 4, 4); }</script>""")
    shot = screenshot.capture(page, page.locator("#b"))
    if shot is not None:  # dropped rather than stored over the bound
        assert len(shot.image) <= screenshot.MAX_BYTES
        assert shot.width <= screenshot.MAX_WIDTH and shot.height <= screenshot.MAX_HEIGHT
    page.set_content('<button id=b style="margin:900px 0 0 1450px">Here</button>')
    shot = screenshot.capture(page, page.locator("#b"))
    assert shot is not None and shot.width == screenshot.MAX_WIDTH and shot.height == screenshot.MAX_HEIGHT
    assert shot.box is not None  # the clip follows the element to the viewport's far corner
    assert 0 <= shot.box["x"] < shot.width and 0 <= shot.box["y"] < shot.height
    assert page.evaluate("() => [scrollX, scrollY]") == [0, 0]  # the page was not scrolled


def test_a_screenshot_write_is_stored_once_and_replaces_itself(db_url: str) -> None:
    """The writer's ``screenshot`` op, as written live or replayed from a spool (JSON, base64)."""
    from pytest_irl.models import TestRun
    from pytest_irl.store import Database
    from pytest_irl.store.replay import apply_op
    from pytest_irl.store.screenshots import ScreenshotStore

    session = "00000000-0000-4000-8000-0000000000aa"
    run = TestRun(session_id=session, nodeid="t::shot", status="failed")
    box = {"x": 1.0, "y": 2.0, "width": 3.0, "height": 4.0}
    shot = screenshot.Shot(b"\xff\xd8\xff" + b"0" * 100, 800, 600, box)
    with Database(db_url) as db:
        db.upsert_session({"id": session, "started_at": datetime.now(timezone.utc)})
        db.create_test_run(run)
        for _ in range(2):  # a replayed write replaces itself
            taken = datetime.now(timezone.utc).isoformat()
            apply_op(db, "screenshot", shot.op_data(run.id, 3, "failure", taken))
        stored = ScreenshotStore(db).of_runs([run.id])
    assert len(stored) == 1
    assert bytes(stored[0]["image"]) == shot.image and stored[0]["box"] == shot.box
    assert (stored[0]["step_number"], stored[0]["kind"], stored[0]["width"]) == (3, "failure", 800)


# pure: no browser, no database ----------------------------------------------------------------
@pytest.mark.parametrize(("selector", "python"), [
    ('internal:role=button[name="Place order"i]', 'page.get_by_role("button", name="Place order")'),
    ('internal:role=button[name="Place order"s]',
     'page.get_by_role("button", name="Place order", exact=True)'),
    ('internal:testid=[data-testid="add"s]', 'page.get_by_test_id("add")'),
    ("#task-list li >> nth=0", 'page.locator("#task-list li").first'),
    ("#task-list li >> nth=2", 'page.locator("#task-list li").nth(2)'),
    ('#list .title >> internal:has-text="Buy"i', 'page.locator("#list .title").filter(has_text="Buy")'),
    ('#pay >> internal:control=enter-frame >> internal:label="Card"i',
     'page.frame_locator("#pay").get_by_label("Card")'),
    ("text=Hello", 'page.locator("text=Hello")'),
])
def test_selectors_are_shown_as_python(selector: str, python: str) -> None:
    assert python_of(selector) == python


def test_what_changed_against_a_learned_element_and_against_a_locator() -> None:
    learned = Fingerprint(tag="button", id="login-7f3a", classes=["btn", "primary"], text="Sign in",
                          role="button", accessible_name="Sign in")
    used = learned.model_copy(update={"id": "login-k2j9", "text": "Log in", "accessible_name": "Log in"})
    changes = attribute_changes(learned, used)
    assert {"field": "id", "before": "login-7f3a", "after": "login-k2j9"} in changes
    assert {"field": "text", "before": "Sign in", "after": "Log in"} in changes
    assert not any(c["field"] in ("tag", "classes", "role") for c in changes)
    cold = attribute_changes(parse_locator('internal:role=button[name="Sign in"i]'), used)
    assert cold == [{"field": "accessible_name", "before": "Sign in", "after": "Log in"}]
    assert attribute_changes(None, used) == []


def test_every_string_is_data_and_the_page_allows_nothing_else() -> None:
    hostile = "</script><script>alert(1)</script><!--"
    step = {"stepNumber": 1, "action": "click", "selector": hostile, "success": False, "error": hostile,
            "selfHealing": {"strategy": "text", "originalSelector": hostile, "healedSelector": "#x",
                            "note": hostile, "candidates": [{"selector": hostile, "score": 0.5}],
                            "changes": [{"field": hostile, "before": hostile, "after": ""}]}}
    now = datetime.now(timezone.utc)
    session = {"id": "00000000-0000-4000-8000-000000000001", "started_at": now, "status": "finished",
               "host": hostile, "args": [hostile]}
    run = {"id": "00000000-0000-4000-8000-000000000002", "session_id": session["id"], "nodeid": hostile,
           "status": "failed", "attempt": 1, "started_at": now, "error": hostile, "steps": [step]}
    report = model.build([session], [run])
    assert report.sessions[0].tests[0].healed == 1 and report.sessions[0].tests[0].failed
    page = render.render(report)
    assert "alert(1)" in page and "<script>alert" not in page and "<!--" not in page
    assert page.count("<script") == 2  # the data (JSON, not run) and the report's own script
    assert "default-src 'none'" in page and "script-src 'sha256-" in page
