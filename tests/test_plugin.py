"""The plugin as users run it: pytest in a subprocess, a real Chromium, a real Postgres."""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import dict_row

from pytest_irl.store import embedded
from seed_queries import SEED_STEPS_QUERY, SEED_STREAM_QUERY

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

MIXED_SUITE = """
import pytest

def test_passes(page):
    page.set_content("<input id=q><button>Go</button>")
    page.locator("#q").fill("hello")
    page.get_by_role("button", name="Go").click()

def test_fails(page):
    page.set_content("<button>Go</button>")
    page.locator("#missing").click(timeout=200)

@pytest.mark.skip(reason="not today")
def test_skipped(page):
    pass

@pytest.fixture
def broken(page):
    raise RuntimeError("fixture broke")

def test_errors(broken):
    pass

def test_no_browser():
    assert True
"""


@pytest.fixture(autouse=True)
def _no_ambient_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IRL_DATABASE_URL", raising=False)


def rows(url: str, query: str, *params: object) -> list[dict]:
    with psycopg.connect(url) as conn, conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, params or None).fetchall()


def run_irl_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest_irl.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_records_each_playwright_test_with_its_outcome(pytester: pytest.Pytester, db_url: str) -> None:
    pytester.makepyfile(test_mixed=MIXED_SUITE)
    result = pytester.runpytest_subprocess("--irl", "--irl-db", db_url)
    result.assert_outcomes(passed=2, failed=1, skipped=1, errors=1)
    runs = {r["nodeid"].split("::")[1]: r for r in rows(db_url, "SELECT * FROM test_runs")}
    assert {name: r["status"] for name, r in runs.items()} == {
        "test_passes[chromium]": "passed", "test_fails[chromium]": "failed",
        "test_skipped[chromium]": "skipped", "test_errors[chromium]": "error",
    }
    passed = runs["test_passes[chromium]"]
    assert [s["action"] for s in passed["steps"]] == ["set_content", "fill", "click"]
    assert passed["finished_at"] >= passed["started_at"] and passed["duration_ms"] > 0
    assert passed["browser"] == "chromium" and passed["attempt"] == 1
    failed = runs["test_fails[chromium]"]
    assert failed["steps"][-1]["success"] is False and "Timeout" in failed["steps"][-1]["error"]
    assert "Timeout" in failed["error"]
    assert "fixture broke" in runs["test_errors[chromium]"]["error"]
    sessions = rows(db_url, "SELECT * FROM test_sessions")
    assert len(sessions) == 1 and sessions[0]["exit_status"] == 1
    assert {r["session_id"] for r in runs.values()} == {sessions[0]["id"]}


def test_without_irl_nothing_changes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="""
        from playwright.sync_api import Page

        def test_plain_page(page):
            assert type(page) is Page
    """)
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)
    assert not (pytester.path / ".irl").exists()
    assert "irl: session" not in result.stdout.str()


def test_ini_switch_turns_it_on(pytester: pytest.Pytester, db_url: str) -> None:
    pytester.makeini("[pytest]\nirl = true\n")
    pytester.makepyfile(test_ini="""
        from pytest_irl.proxy import IrlPage

        def test_wrapped(page):
            assert type(page) is IrlPage
    """)
    result = pytester.runpytest_subprocess("--irl-db", db_url)
    result.assert_outcomes(passed=1)
    assert rows(db_url, "SELECT status FROM test_runs") == [{"status": "passed"}]


def test_unreachable_database_keeps_exit_code_and_spools(pytester: pytest.Pytester, db_url: str) -> None:
    pytester.makepyfile(test_mixed=MIXED_SUITE)
    # A database that does not exist yet: unreachable now, there once it is created.
    later_name = f"irl_later_{uuid.uuid4().hex[:12]}"
    later_url = make_conninfo(**{**conninfo_to_dict(db_url), "dbname": later_name})
    plain = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    dead = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--irl", "--irl-db", later_url)
    assert dead.ret == plain.ret == 1
    dead.assert_outcomes(passed=2, failed=1, skipped=1, errors=1)
    warnings = [line for line in dead.outlines if line.startswith("irl: ") and "browser" not in line]
    assert len(warnings) == 1 and warnings[0].startswith("irl: cannot use") and "irl sync" in warnings[0]
    assert "Traceback" not in dead.stdout.str() + dead.stderr.str()
    assert list((pytester.path / ".irl" / "spool").glob("*.jsonl"))

    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(later_name)))
    try:
        synced = run_irl_cli("--db", later_url, "sync", cwd=pytester.path)
        assert synced.returncode == 0, synced.stderr
        stored = rows(later_url, "SELECT nodeid, status FROM test_runs ORDER BY nodeid")
        assert [r["status"] for r in stored] == ["error", "failed", "passed", "skipped"]
        assert not list((pytester.path / ".irl" / "spool").glob("*.jsonl"))
    finally:
        with psycopg.connect(db_url, autocommit=True) as conn:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(later_name))
            conn.execute(drop)


def test_bad_database_url_is_one_error_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="def test_x(page): pass")
    result = pytester.runpytest_subprocess("--irl", "--irl-db", "mysql://root@localhost/db")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if line.strip()]
    assert len(errors) == 1 and "--irl-db" in errors[0] and "postgresql://" in errors[0]


def test_hostile_names_and_steps_are_stored(pytester: pytest.Pytester, db_url: str) -> None:
    pytester.makepyfile(test_hostile="""
        import pytest

        NAMES = ["<script>alert(1)</script>", "'; DROP TABLE test_runs; --", "nul\\x00byte", "lone\\ud800"]

        @pytest.mark.parametrize("text", NAMES, ids=NAMES)
        def test_hostile(page, text):
            page.set_content("<textarea id=t></textarea>")
            page.locator("#t").fill(text)
            page.get_by_text(text).count()
            page.locator("#t").fill("y" * 1_000_000)
            with pytest.raises(Exception):
                page.get_by_text(text + "<script>").click(timeout=100)
    """)
    result = pytester.runpytest_subprocess("--irl", "--irl-db", db_url)
    result.assert_outcomes(passed=4)
    stored = rows(db_url, "SELECT nodeid, status, steps FROM test_runs")
    assert len(stored) == 4 and {r["status"] for r in stored} == {"passed"}
    assert any("<script>alert(1)</script>" in r["nodeid"] for r in stored)
    for run in stored:
        assert [s["action"] for s in run["steps"]] == ["set_content", "fill", "fill", "click"]
        assert run["steps"][2]["value"] in ("y" * 1_000_000, "********")


def test_xdist_workers_write_into_one_session(pytester: pytest.Pytester, db_url: str) -> None:
    pytester.makepyfile(test_many="""
        import pytest

        @pytest.mark.parametrize("n", range(4))
        def test_n(page, n):
            page.set_content(f"<button>b{n}</button>")
            page.get_by_role("button").click()
    """)
    result = pytester.runpytest_subprocess("-n", "2", "--irl", "--irl-db", db_url)
    result.assert_outcomes(passed=4)
    runs = rows(db_url, "SELECT session_id, worker, status FROM test_runs")
    sessions = rows(db_url, "SELECT id, exit_status FROM test_sessions")
    assert len(runs) == 4 and len(sessions) == 1 and sessions[0]["exit_status"] == 0
    assert {r["session_id"] for r in runs} == {sessions[0]["id"]}
    assert {r["worker"] for r in runs} == {"gw0", "gw1"}


@pytest.mark.skipif(shutil.which("psql") is None, reason="needs the psql client")
def test_examples_with_the_embedded_default_answer_the_seed_queries(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
) -> None:
    shutil.copytree(EXAMPLES, pytester.path / "examples")
    # A strict project (every warning an error) in a container without XDG_RUNTIME_DIR, whose
    # absence the embedded server's dependencies warn about: recorded all the same.
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    try:
        result = pytester.runpytest_subprocess("--irl", "examples", "-p", "no:cacheprovider", "-W", "error")
        result.assert_outcomes(passed=14)
        result.stdout.fnmatch_lines(["irl: session * recorded in embedded Postgres in *"])
        assert not list((pytester.path / ".irl").glob("spool/*.jsonl"))
        assert (pytester.path / ".irl" / "pgdata").is_dir()
        url = run_irl_cli("db-url", cwd=pytester.path).stdout.strip()
        assert url.startswith("postgresql://")

        def psql(query: str) -> list[list[str]]:
            out = subprocess.run(["psql", url, "-At", "-F", "|", "-c", query], capture_output=True, text=True,
                                 check=True, timeout=60).stdout
            return [line.split("|") for line in out.splitlines() if line]

        assert psql(SEED_STREAM_QUERY) == []  # nothing is running any more
        counts = psql(SEED_STEPS_QUERY)
        expected = {str(r["id"]): (r["n"], r["healed"]) for r in rows(
            url, "SELECT id, jsonb_array_length(steps) AS n, 0 AS healed FROM test_runs")}
        assert len(expected) == 14 and len(counts) == 10  # the seed query shows at most 10 runs
        assert all(expected[c[0]] == (int(c[1]), int(c[2])) for c in counts)
        sign_in = rows(url, "SELECT steps FROM test_runs WHERE nodeid LIKE %s", "%test_sign_in_opens%")[0]
        assert [s["action"] for s in sign_in["steps"]] == [  # assertions on locators are steps too
            "goto", "fill", "fill", "click",
            "expect.to_be_visible", "expect.to_have_text", "expect.to_have_text"]
        assert sign_in["steps"][2]["value"] == "********"  # the password

        shown = run_irl_cli("runs", cwd=pytester.path)
        assert shown.returncode == 0 and "14 runs: 14 passed" in shown.stdout
        latest_start = rows(url, "SELECT max(started_at) AS t FROM test_runs")[0]["t"]
        run_id = str(next(iter(expected)))[:8]
        detail = run_irl_cli("show", run_id, cwd=pytester.path)
        assert detail.returncode == 0 and "ACTION" in detail.stdout

        # The examples' version pair: version 2 renames the tasks page's ids to classes (plain
        # Playwright fails it, after its 30 s timeouts: benchmarks/assertions.py shows that).
        monkeypatch.setenv("IRL_EXAMPLES_APP", "v2")
        healed = pytester.runpytest_subprocess("--irl", "examples/test_tasks.py", "-p", "no:cacheprovider")
        healed.assert_outcomes(passed=5)
        v2_runs = rows(url, "SELECT steps FROM test_runs WHERE nodeid LIKE %s AND started_at > %s",
                       "%test_tasks.py%", latest_start)
        assert len(v2_runs) == 5 and all(
            any("selfHealing" in step for step in run["steps"]) for run in v2_runs)
    finally:
        embedded.stop(pytester.path / ".irl")


HEAL_SUITE = """
import os

PAGES = {
    "v1": '<button id="login-7f3a" class="btn primary" onclick="window.clicked = this.id">Sign in</button>'
          '<button id="signup-1" class="btn" onclick="window.clicked = this.id">Create account</button>',
    "v2": '<button id="signup-9" class="btn" onclick="window.clicked = this.id">Create account</button>'
          '<button id="login-k2j9" class="btn primary" onclick="window.clicked = this.id">Sign in</button>',
}


def test_sign_in(page):
    page.route("http://app.irl.test/**", lambda route: route.fulfill(
        content_type="text/html", body=PAGES[os.environ["APP_VERSION"]]))
    page.goto("http://app.irl.test/login")
    page.locator("#login-7f3a").click(timeout=3000)
    assert page.evaluate("window.clicked").startswith("login-")
"""


def test_heal_summary_healed_list_and_fix(
    pytester: pytest.Pytester, db_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    test_file = pytester.makepyfile(test_app=HEAL_SUITE)
    monkeypatch.setenv("APP_VERSION", "v1")
    pytester.runpytest_subprocess("--irl", "--irl-db", db_url).assert_outcomes(passed=1)
    monkeypatch.setenv("APP_VERSION", "v2")
    assert pytester.runpytest_subprocess().ret == 1  # plain Playwright: the locator is broken
    healed = pytester.runpytest_subprocess("--irl", "--irl-db", db_url)
    healed.assert_outcomes(passed=1)
    healed.stdout.fnmatch_lines([
        "*irl: healed locators*",
        'test_app.py:15: #login-7f3a -> page.get_by_role("button", name="Sign in")*',
    ])
    listed = run_irl_cli("--db", db_url, "healed", cwd=pytester.path)
    assert "test_app.py:15" in listed.stdout and 'get_by_role("button", name="Sign in")' in listed.stdout

    diff = run_irl_cli("--db", db_url, "fix", cwd=pytester.path)
    assert '-    page.locator("#login-7f3a").click(timeout=3000)' in diff.stdout
    assert '+    page.get_by_role("button", name="Sign in").click(timeout=3000)' in diff.stdout
    assert "#login-7f3a" in test_file.read_text()  # a diff only, until --write
    run_irl_cli("--db", db_url, "fix", "--write", cwd=pytester.path)
    assert 'page.get_by_role("button", name="Sign in").click(timeout=3000)' in test_file.read_text()
    pytester.runpytest_subprocess().assert_outcomes(passed=1)  # fixed: green without --irl


def test_heal_marker_and_heal_off_option(
    pytester: pytest.Pytester, db_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytester.makepyfile(test_app=HEAL_SUITE)
    monkeypatch.setenv("APP_VERSION", "v1")
    pytester.runpytest_subprocess("--irl", "--irl-db", db_url).assert_outcomes(passed=1)
    monkeypatch.setenv("APP_VERSION", "v2")
    pytester.runpytest_subprocess("--irl", "--irl-db", db_url, "--irl-heal", "off").assert_outcomes(failed=1)
    suggest = pytester.runpytest_subprocess("--irl", "--irl-db", db_url, "--irl-heal", "suggest")
    suggest.assert_outcomes(failed=1)
    steps = rows(db_url, "SELECT steps FROM test_runs ORDER BY started_at DESC LIMIT 1")[0]["steps"]
    assert "healSuggestion" in steps[-1] and "selfHealing" not in steps[-1]
    marked = HEAL_SUITE.replace(
        "def test_sign_in", "import pytest\n\n@pytest.mark.irl(heal=False)\ndef test_sign_in")
    pytester.makepyfile(test_app=marked)
    pytester.runpytest_subprocess("--irl", "--irl-db", db_url).assert_outcomes(failed=1)


def test_a_test_that_passed_through_a_heal_is_shown_counted_and_can_fail_the_session(
    pytester: pytest.Pytester, db_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytester.makepyfile(test_app=HEAL_SUITE)
    monkeypatch.setenv("APP_VERSION", "v1")
    learned = pytester.runpytest_subprocess("--irl", "--irl-db", db_url)
    learned.assert_outcomes(passed=1)
    assert "healed" not in learned.stdout.lines[-1]
    monkeypatch.setenv("APP_VERSION", "v2")
    junit = pytester.path / "junit.xml"
    healed = pytester.runpytest_subprocess("--irl", "--irl-db", db_url, "-v", f"--junitxml={junit}")
    healed.assert_outcomes(passed=1)  # still a pass
    assert healed.ret == 0
    healed.stdout.fnmatch_lines([
        "*test_app.py::test_sign_in*HEALED*",
        "*irl: 1 test(s) passed only through a heal: test_app.py::test_sign_in*",
        "*1 passed*1 healed*",
    ])
    assert '<property name="irl_healed" value="1 heal"' in junit.read_text()
    quiet = pytester.runpytest_subprocess("--irl", "--irl-db", db_url)
    quiet.stdout.fnmatch_lines(["test_app.py H*"])
    gated = pytester.runpytest_subprocess("--irl", "--irl-db", db_url, "--irl-heal-fails")
    gated.assert_outcomes(passed=1)
    assert gated.ret == 1
    gated.stdout.fnmatch_lines(["*passed only through a heal (--irl-heal-fails: the session fails)*"])
    # Under pytest-xdist the mark comes from the worker that ran the test.
    spread = pytester.runpytest_subprocess("--irl", "--irl-db", db_url, "-n", "2", "--irl-heal-fails")
    assert spread.ret == 1
    spread.stdout.fnmatch_lines(["*1 passed*1 healed*"])
    # Recorded as it ran: the run passed, the session's own exit status is pytest's.
    last = rows(db_url, "SELECT status FROM test_runs ORDER BY started_at DESC LIMIT 1")[0]
    assert last["status"] == "passed"
    pytester.makeini("[pytest]\nirl_heal_fails = true\n")
    assert pytester.runpytest_subprocess("--irl", "--irl-db", db_url).ret == 1
    assert pytester.runpytest_subprocess("--irl-heal-fails").ret == 1  # no --irl: the locator is broken
    monkeypatch.setenv("APP_VERSION", "v1")
    assert pytester.runpytest_subprocess("--irl", "--irl-db", db_url).ret == 0  # nothing healed


def test_a_killed_xdist_worker_leaves_its_run_interrupted(pytester: pytest.Pytester, db_url: str) -> None:
    pytester.makepyfile(test_kill="""
        import os, signal, time

        def test_dies(page):
            page.set_content("<button>x</button>")
            page.get_by_role("button").click()
            time.sleep(1)  # the run row is written as 'running' before the worker dies
            os.kill(os.getpid(), signal.SIGKILL)

        def test_lives(page):
            page.set_content("<button>y</button>")
            page.get_by_role("button").click()
    """)
    result = pytester.runpytest_subprocess("-n", "2", "--irl", "--irl-db", db_url)
    assert result.ret == 1
    stored = rows(db_url, "SELECT nodeid, status FROM test_runs")
    statuses = {r["nodeid"].split("::")[1]: r["status"] for r in stored}
    assert statuses == {"test_dies[chromium]": "interrupted", "test_lives[chromium]": "passed"}
