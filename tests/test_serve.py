"""`irl serve` (#14 point 2): the dashboard in a real Chromium, over runs that a real pytest
recorded into a real Postgres: a session and its runs, a running test's live link, a hostile test
name shown as text, and a heal rejected from the page and then refused by the next run."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from playwright.sync_api import expect

from pytest_irl.models import TestRun, utcnow
from pytest_irl.store import Database
from test_review import SUITE, last_steps

XSS = "<script>alert(1)</script>"
HOSTILE = f"""

import pytest


@pytest.mark.parametrize("name", [{XSS!r}])
def test_hostile(page, name):
    page.set_content("<p>hi</p>")
"""


def status_of(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> int:
    body = b"" if method == "POST" else None
    request = urllib.request.Request(url, method=method, headers=headers or {}, data=body)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_dashboard_shows_sessions_and_reviews_heals_from_the_page(
    pytester: pytest.Pytester, service_db_url: str, monkeypatch: pytest.MonkeyPatch, page: Any,
) -> None:
    monkeypatch.delenv("IRL_DATABASE_URL", raising=False)
    pytester.makepyfile(test_app=SUITE + HOSTILE)
    monkeypatch.setenv("APP_VERSION", "v1")
    pytester.runpytest_subprocess("--irl", "--irl-db", service_db_url).assert_outcomes(passed=3)
    monkeypatch.setenv("APP_VERSION", "v2")
    pytester.runpytest_subprocess("--irl", "--irl-db", service_db_url).assert_outcomes(passed=3)
    # A session that is still running, with a test streaming live.
    live_session, live_url = uuid.uuid4(), "http://127.0.0.1:9/stream/abc?token=t"
    with Database(service_db_url) as db:
        db.upsert_session({"id": live_session, "started_at": utcnow(), "host": "ci-1"})
        live_run = db.create_test_run(TestRun(session_id=live_session, nodeid="test_live.py::test_watch",
                                              stream_url=live_url))

    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    gen = _dashboard(service_db_url, pytester)
    url = next(gen)
    try:
        base = url.split("/?")[0]
        token = url.split("token=")[1]
        assert status_of(base + "/") == 403 and status_of(base + "/heals?token=wrong") == 403
        with urllib.request.urlopen(url, timeout=10) as response:
            assert "script-src 'sha256-" in response.headers["Content-Security-Policy"]

        page.goto(url)
        page.get_by_role("link", name=str(live_session)[:8]).click()
        live = page.get_by_role("link", name="watch live")
        assert live.get_attribute("href") == live_url  # a running test links its live stream
        # While it runs, the page fetches its table again and swaps it in: no reload, no <meta>.
        assert page.locator("main[data-refresh]").count() == 1
        assert page.locator("meta[http-equiv=refresh]").count() == 0
        page.evaluate("window.notReloaded = true")
        with Database(service_db_url) as db:
            db.update_test_run(live_run, status="passed", stream_url=None)
            db.finish_session(live_session, utcnow(), 0)
        row = page.locator("tr", has_text="test_live.py::test_watch")
        expect(row.locator(".st.passed")).to_have_count(1, timeout=15_000)
        assert page.evaluate("window.notReloaded === true")
        assert page.locator("main[data-refresh]").count() == 0  # finished: the refreshing stops
        assert f"token={token}" in page.get_by_role("link", name="report view").get_attribute("href")
        page.get_by_role("link", name="Sessions").click()

        # The newest finished session: its runs, the hostile name as text, heals marked.
        page.locator("tbody tr").nth(1).get_by_role("link").click()
        # A click does not wait for the next page to load: the assertions that follow wait.
        expect(page.get_by_role("link", name=XSS)).to_have_count(1)
        expect(page.locator("script")).to_have_count(1)  # only the page's own
        # The report view of the session: `irl report`'s own rendering, served with its policy.
        page.get_by_role("link", name="report view").click()
        page.get_by_text(XSS).first.wait_for()
        assert page.locator("script:not([type])").count() == 1
        page.go_back()
        page.get_by_role("link", name="test_app.py::test_sign_up").click()
        # The heal's locator as Python (the form depends on the strategy that healed it).
        page.get_by_text(re.compile(r'page\.get_by_\w+\(.*"Create account"')).first.wait_for()

        page.get_by_role("link", name="Healed locators").click()
        sign_up = page.locator("tr", has_text="#signup-1a2b")
        sign_in = page.locator("tr", has_text="#login-7f3a")
        expect(sign_up.get_by_text("pending")).to_have_count(1)
        with page.expect_navigation():
            sign_up.get_by_role("button", name="Reject").click()
        assert page.url.split("?")[0].endswith("/heals"), page.content()
        expect(sign_up.get_by_text("rejected")).to_have_count(1)
        with page.expect_navigation():
            sign_in.get_by_role("button", name="Accept").click()
        expect(sign_in.get_by_text("accepted")).to_have_count(1)
        assert dialogs == []

        # CSRF: without the token, or from another site's page, a review is refused.
        heal_id = sign_in.locator("[id^=heal-]").get_attribute("id")[5:]
        action = f"{base}/heals/{heal_id}/reject"
        assert status_of(action, "POST") == 403
        assert status_of(f"{action}?token={token}", "POST", {"Origin": "http://evil.test"}) == 403
    finally:
        gen.close()
    with psycopg.connect(service_db_url) as conn:
        verdicts = dict(conn.execute("SELECT original, verdict FROM heal_reviews"
                                     " WHERE reviewed_via = 'serve'").fetchall())
    assert verdicts == {"#signup-1a2b": "rejected", "#login-7f3a": "accepted"}

    # The heal rejected on the page is refused by the next run.
    pytester.runpytest_subprocess("--irl", "--irl-db", service_db_url).assert_outcomes(passed=2, failed=1)
    assert "rejected in review" in last_steps(service_db_url, "test_sign_up")[-1]["healRefused"]["note"]


def _dashboard(url: str, pytester: pytest.Pytester) -> Iterator[str]:
    proc = subprocess.Popen([sys.executable, "-m", "pytest_irl.cli", "--db", url, "serve"],
                            cwd=pytester.path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("irl: dashboard at http://127.0.0.1:"), line
        yield line.split()[3]
    finally:
        proc.terminate()
        proc.wait(10)
