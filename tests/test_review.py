"""Heal review (#14 point 2): a rejected heal is refused on the next run, an accepted one is
learned and applied by `irl fix --accepted` alone. pytester, a real Chromium, a real Postgres."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row

from pytest_irl.reviews import heal_id

SUITE = """
import os

PAGES = {
    "v1": '<button id="login-7f3a" onclick="window.clicked = this.id">Sign in</button>'
          '<button id="signup-1a2b" onclick="window.clicked = this.id">Create account</button>',
    "v2": '<button id="signup-9z8y" onclick="window.clicked = this.id">Create account</button>'
          '<button id="login-k2j9" onclick="window.clicked = this.id">Sign in</button>',
}


def open_app(page):
    page.route("http://app.irl.test/**", lambda route: route.fulfill(
        content_type="text/html", body=PAGES[os.environ["APP_VERSION"]]))
    page.goto("http://app.irl.test/")


def test_sign_in(page):
    open_app(page)
    page.locator("#login-7f3a").click(timeout=3000)
    assert page.evaluate("window.clicked").startswith("login-")


def test_sign_up(page):
    open_app(page)
    page.locator("#signup-1a2b").click(timeout=3000)
    assert page.evaluate("window.clicked").startswith("signup-")
"""


def irl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest_irl.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def last_steps(url: str, test: str) -> list[dict]:
    with psycopg.connect(url) as conn, conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute("SELECT steps FROM test_runs WHERE nodeid LIKE %s ORDER BY started_at DESC LIMIT 1",
                          (f"%::{test}%",)).fetchone()
    assert row is not None
    return row["steps"]


def pending_ids(url: str, cwd: Path) -> dict[str, str]:
    """``irl review``'s pending heals: original locator -> the id shown."""
    listed = irl("--db", url, "review", cwd=cwd)
    assert listed.returncode == 0, listed.stderr
    print(listed.stdout)  # as a user sees it (pytest -s)
    return {line.split()[2]: line.split()[0] for line in listed.stdout.splitlines() if " #" in line}


@pytest.fixture
def healed_twice(pytester: pytest.Pytester, service_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The suite learned on version 1, then healed both locators on version 2."""
    monkeypatch.delenv("IRL_DATABASE_URL", raising=False)
    test_file = pytester.makepyfile(test_app=SUITE)
    monkeypatch.setenv("APP_VERSION", "v1")
    pytester.runpytest_subprocess("--irl", "--irl-db", service_db_url).assert_outcomes(passed=2)
    monkeypatch.setenv("APP_VERSION", "v2")
    pytester.runpytest_subprocess("--irl", "--irl-db", service_db_url).assert_outcomes(passed=2)
    return test_file


def test_a_rejected_heal_is_refused_and_an_accepted_one_is_learned(
    pytester: pytest.Pytester, service_db_url: str, healed_twice: Path,
) -> None:
    ids = pending_ids(service_db_url, pytester.path)
    assert set(ids) == {"#login-7f3a", "#signup-1a2b"}
    # The id names the heal as `irl healed` groups it: call site, original, suggestion.
    call = '    page.locator("#signup-1a2b").click(timeout=3000)'
    line = healed_twice.read_text().splitlines().index(call) + 1
    suggested = 'page.get_by_role("button", name="Create account")'
    expected = heal_id(f"test_app.py:{line}", "#signup-1a2b", suggested)
    assert expected.startswith(ids["#signup-1a2b"])

    rejected = irl("--db", service_db_url, "review", "reject", ids["#signup-1a2b"], cwd=pytester.path)
    assert rejected.returncode == 0 and "rejected" in rejected.stdout, rejected.stderr
    accepted = irl("--db", service_db_url, "review", "accept", ids["#login-7f3a"][:6], cwd=pytester.path)
    assert accepted.returncode == 0 and "accepted" in accepted.stdout, accepted.stderr
    assert pending_ids(service_db_url, pytester.path) == {}
    everything = irl("--db", service_db_url, "review", "--all", cwd=pytester.path).stdout
    assert "rejected" in everything and "accepted" in everything

    # Accepting made the healed element what is learned for the original locator.
    with psycopg.connect(service_db_url) as conn:
        learned = conn.execute("SELECT fingerprint->>'id' FROM element_fingerprints"
                               " WHERE selector = '#login-7f3a' ORDER BY last_seen DESC LIMIT 1").fetchone()
    assert learned == ("login-k2j9",)

    again = pytester.runpytest_subprocess("--irl", "--irl-db", service_db_url, "-v")
    again.assert_outcomes(passed=1, failed=1)
    # The accepted heal is applied, recorded, and not an unreviewed heal (no HEALED, no count).
    again.stdout.fnmatch_lines(["*test_app.py::test_sign_in* PASSED*"])
    assert "1 healed" not in again.stdout.str()
    # The session's list of healed locators says which heals a person reviewed, and how.
    again.stdout.fnmatch_lines(["*: #login-7f3a -> page.get_by_role(*)  (score *)  ?accepted in review?"])
    again.stdout.fnmatch_lines(["*: #signup-1a2b -> page.get_by_role(*  ?rejected in review: refused*"])
    heal = next(s["selfHealing"] for s in last_steps(service_db_url, "test_sign_in") if "selfHealing" in s)
    assert heal["review"]["verdict"] == "accepted"
    # The rejected one is refused, and the step says why.
    steps = last_steps(service_db_url, "test_sign_up")
    refused = steps[-1]["healRefused"]
    assert not steps[-1]["success"] and "selfHealing" not in steps[-1]
    assert "rejected in review" in refused["note"] and refused["review"]["verdict"] == "rejected"
    assert refused["suggestedLocator"] == 'page.get_by_role("button", name="Create account")'

    # A later verdict replaces it: accepted again, the heal is made again.
    irl("--db", service_db_url, "review", "accept", ids["#signup-1a2b"], cwd=pytester.path)
    pytester.runpytest_subprocess("--irl", "--irl-db", service_db_url).assert_outcomes(passed=2)


def test_fix_accepted_rewrites_only_accepted_heals(
    pytester: pytest.Pytester, service_db_url: str, healed_twice: Path,
) -> None:
    nothing = irl("--db", service_db_url, "fix", "--accepted", cwd=pytester.path)
    assert "no accepted heals" in nothing.stdout and not nothing.stdout.startswith("---")
    ids = pending_ids(service_db_url, pytester.path)
    irl("--db", service_db_url, "review", "accept", ids["#login-7f3a"], cwd=pytester.path)
    irl("--db", service_db_url, "review", "reject", ids["#signup-1a2b"], cwd=pytester.path)

    everything = irl("--db", service_db_url, "fix", cwd=pytester.path).stdout
    assert "#login-7f3a" in everything and "#signup-1a2b" in everything  # plain fix: every heal
    diff = irl("--db", service_db_url, "fix", "--accepted", cwd=pytester.path)
    removed = [line for line in diff.stdout.splitlines()
               if line.startswith("-") and not line.startswith("---")]
    assert removed == ['-    page.locator("#login-7f3a").click(timeout=3000)'], diff.stdout
    written = irl("--db", service_db_url, "fix", "--accepted", "--write", cwd=pytester.path)
    assert written.returncode == 0, written.stderr
    text = healed_twice.read_text()
    assert 'page.get_by_role("button", name="Sign in").click(timeout=3000)' in text
    assert 'page.locator("#signup-1a2b")' in text  # rejected: left as written


def test_review_cli_says_what_is_wrong(pytester: pytest.Pytester, service_db_url: str) -> None:
    empty = irl("--db", service_db_url, "review", cwd=pytester.path)
    assert empty.returncode == 0 and "no healed locators recorded" in empty.stdout
    unknown = irl("--db", service_db_url, "review", "reject", "abc123", cwd=pytester.path)
    assert unknown.returncode == 1 and "no heal has an id starting with 'abc123'" in unknown.stderr
    bare = irl("--db", service_db_url, "review", "accept", cwd=pytester.path)
    assert bare.returncode == 2
