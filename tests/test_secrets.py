"""Secrets never leave the process unmasked (issue #12, point 1).

One suite of the broken behaviours, each test with a secret of its own, is run by the plugin in
a real pytest process and a real Chromium twice: once into the service Postgres (its URL
carrying a password), once with that database unreachable, so that everything is spooled. Each
test here then checks one behaviour: its secret appears nowhere in what was stored (every
column of every run and session row) nor in the spool files. The suite runs once per store
(module-scoped), not once per check: a browser run costs seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from playwright.sync_api import BrowserContext
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row

from conftest import SERVICE_ENV, drop_database, fresh_database
from pytest_irl import redact
from pytest_irl.engine.context import TestContext
from pytest_irl.engine.layer import Layer
from pytest_irl.engine.recorder import RunRecorder
from pytest_irl.models import Step, TestRun
from pytest_irl.proxy import wrap
from pytest_irl.redact import MASK, Secrets
from pytest_irl.stream.hub import Hub

DB_PASSWORD = "S3cret-db-pw"
# Each broken behaviour's own secret: a leak is told apart from another behaviour's.
SECRETS = {
    "expect_value": "S3cret-expect-value",
    "failed_fill": "S3cret-failed-fill",
    "failed_expect": "S3cret-received",
    "failed_expect_guess": "S3cret-guess",
    "userinfo": "S3cret-userinfo",
    "token": "S3cret-token",
    "shadow": "S3cret-shadow",
    "show_password": "S3cret-shown",
    "hide_password": "S3cret-hidden",
}

SUITE = '''
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

APP = b"<!doctype html><title>app</title><input id=q><button id=go>Go</button>"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(APP)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def app_port():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def test_expect_value(page):
    page.set_content("<input id=pw type=password>")
    page.locator("#pw").fill("S3cret-expect-value")
    expect(page.locator("#pw")).to_have_value("S3cret-expect-value")


def test_failed_fill(page):
    # A hidden field: the fill never types, and Playwright's call log echoes fill("<value>").
    page.set_content("<input id=pw type=password style='display:none'>")
    page.locator("#pw").fill("S3cret-failed-fill", timeout=2000)


def test_failed_expect(page):
    page.set_content("<input id=pw type=password>")
    page.locator("#pw").fill("S3cret-received")
    expect(page.locator("#pw")).to_have_value("S3cret-guess", timeout=500)


def test_url_userinfo_and_token(page, app_port):
    page.goto(f"http://user:S3cret-userinfo@127.0.0.1:{app_port}/login?token=S3cret-token&x=1")
    page.locator("#q").fill("visible text")
    page.locator("#go").click()


def test_closed_shadow_password(page):
    page.set_content("""<pw-input id=host></pw-input><script>
      customElements.define('pw-input', class extends HTMLElement {
        constructor() {
          super();
          const root = this.attachShadow({ mode: 'closed', delegatesFocus: true });
          root.innerHTML = '<input type=password>';
          this._input = root.querySelector('input');
        }
        get value() { return this._input.value; }
      });
    </script>""")
    page.locator("#host").press_sequentially("S3cret-shadow")
    assert page.evaluate("document.getElementById('host').value") == "S3cret-shadow"


def test_field_switched_between_password_and_text(page):
    page.set_content("""
      <input id=a type=password><button id=show onclick="a.type = 'text'">show</button>
      <input id=b type=text><button id=hide onclick="b.type = 'password'">hide</button>""")
    page.locator("#show").click()  # a password field shown as text: what is typed now is secret
    page.locator("#a").fill("S3cret-shown")
    page.locator("#b").fill("S3cret-hidden")  # typed as text, then hidden: secret all the same
    page.locator("#hide").click()
    page.locator("#q").count()  # one more round trip: the page's report of the switch arrives
'''


@dataclass
class Stored:
    """What one plugin run left behind: its output, the rows, the spool files' text."""

    result: subprocess.CompletedProcess[str]
    runs: dict[str, dict[str, Any]]  # by test name
    dump: str  # every column of every run and session row, as text
    spool: str  # every spool file's text
    sessions: list[dict[str, Any]]


def _run_suite(directory: Path, db_arg: str) -> subprocess.CompletedProcess[str]:
    (directory / "test_leaks.py").write_text(SUITE, encoding="utf-8")
    (directory / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "IRL_DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--irl", f"--irl-db={db_arg}",
         "test_leaks.py"],
        cwd=directory, capture_output=True, text=True, timeout=600, env=env,
    )


def _url_with_password(conninfo: str, dbname: str, port: str | None = None) -> str:
    params = conninfo_to_dict(conninfo)
    user = params.get("user") or "postgres"
    host = params.get("host") or "127.0.0.1"
    return (f"postgresql://{quote(user)}:{quote(DB_PASSWORD)}@{host}:{port or params.get('port') or 5432}"
            f"/{dbname}")


def _server() -> str:
    server = os.environ.get(SERVICE_ENV)
    if not server:
        pytest.skip(f"{SERVICE_ENV} is not set")
    return server


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stored]:
    """The suite recorded into the service Postgres, given as a URL with a password (trust
    authentication ignores it: it must still never be stored)."""
    server = _server()
    url, name = fresh_database(server)
    try:
        directory = tmp_path_factory.mktemp("secrets-db")
        result = _run_suite(directory, _url_with_password(server, name))
        with psycopg.connect(url) as conn, conn.cursor(row_factory=dict_row) as cur:
            runs = cur.execute("SELECT * FROM test_runs").fetchall()
            sessions = cur.execute("SELECT * FROM test_sessions").fetchall()
        dump = json.dumps([*runs, *sessions], default=str)
        yield Stored(result, {r["nodeid"].split("::")[1].split("[")[0]: r for r in runs}, dump, "",
                     sessions)
    finally:
        drop_database(server, name)


@pytest.fixture(scope="module")
def spooled(tmp_path_factory: pytest.TempPathFactory) -> Stored:
    """The suite recorded while its database is unreachable: everything goes to the spool."""
    server = _server()
    directory = tmp_path_factory.mktemp("secrets-spool")
    result = _run_suite(directory, _url_with_password(server, "irl_none", port="1"))
    files = sorted((directory / ".irl" / "spool").glob("*"))
    text = "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in files)
    return Stored(result, {}, "", text, [])


def _assert_outcome(stored: Stored) -> None:
    out = stored.result.stdout + stored.result.stderr
    assert "2 failed, 4 passed" in out, out[-3000:]  # failed_fill and failed_expect fail


def _assert_nowhere(stored: Stored, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in stored.dump, f"{secret!r} stored in the database"
        assert secret not in stored.spool, f"{secret!r} written into a spool file"
        output = stored.result.stdout + stored.result.stderr
        # The test's own traceback shows its source: pytest prints it, the plugin never stores it.
        if secret == DB_PASSWORD:
            assert secret not in output


def _steps(run: dict[str, Any]) -> list[tuple[str, Any]]:
    # Each test page is made with set_content (a step with no value): what is typed is the point.
    return [(s["action"], s.get("value")) for s in run["steps"] if s["action"] != "set_content"]


# The database --------------------------------------------------------------------------------
def test_expect_to_have_value_of_a_password(stored: Stored) -> None:
    _assert_outcome(stored)
    assert _steps(stored.runs["test_expect_value"]) == [("fill", MASK), ("expect.to_have_value", MASK)]
    _assert_nowhere(stored, SECRETS["expect_value"])


def test_failed_fill_call_log(stored: Stored) -> None:
    run = stored.runs["test_failed_fill"]
    assert run["status"] == "failed" and _steps(run) == [("fill", MASK)]
    assert 'fill("********")' in run["steps"][-1]["error"]  # the call log, redacted, not dropped
    assert MASK in run["error"]
    _assert_nowhere(stored, SECRETS["failed_fill"])


def test_failed_to_have_value_received(stored: Stored) -> None:
    run = stored.runs["test_failed_expect"]
    assert run["status"] == "failed"
    assert _steps(run) == [("fill", MASK), ("expect.to_have_value", MASK)]
    assert "Actual value: ********" in run["error"]
    _assert_nowhere(stored, SECRETS["failed_expect"], SECRETS["failed_expect_guess"])


def test_url_userinfo_password_and_token(stored: Stored) -> None:
    run = stored.runs["test_url_userinfo_and_token"]
    goto, fill, click = run["steps"]
    assert goto["value"].startswith("http://user:********@127.0.0.1:")
    assert goto["value"].endswith("/login?token=********&x=1")
    assert all(step["url"] == goto["value"] for step in (goto, fill, click))
    assert fill["value"] == "visible text"  # no secret: kept
    _assert_nowhere(stored, SECRETS["userinfo"], SECRETS["token"])


def test_closed_shadow_custom_element_password(stored: Stored) -> None:
    assert _steps(stored.runs["test_closed_shadow_password"]) == [("press_sequentially", MASK)]
    _assert_nowhere(stored, SECRETS["shadow"])


def test_field_switched_between_password_and_text(stored: Stored) -> None:
    actions = _steps(stored.runs["test_field_switched_between_password_and_text"])
    assert actions[1] == ("fill", MASK) and actions[2] == ("fill", MASK)
    _assert_nowhere(stored, SECRETS["show_password"], SECRETS["hide_password"])


def test_database_password_not_in_session_args(stored: Stored) -> None:
    assert len(stored.sessions) == 1
    args = stored.sessions[0]["args"]
    assert any(arg.startswith("--irl-db=postgresql://postgres:********@") for arg in args), args
    _assert_nowhere(stored, DB_PASSWORD)


# The spool ------------------------------------------------------------------------------------
def test_spool_files_hold_only_redacted_records(spooled: Stored) -> None:
    _assert_outcome(spooled)
    assert "irl sync" in spooled.result.stdout  # it did spool
    assert MASK in spooled.spool and '"op": "run"' in spooled.spool
    _assert_nowhere(spooled, DB_PASSWORD, *SECRETS.values())


# Printed --------------------------------------------------------------------------------------
def test_malformed_database_string_error_masks_its_password(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="def test_x(page): pass")
    result = pytester.runpytest_subprocess(
        "--irl", "--irl-db", "host=127.0.0.1 password=S3cret-malformed dbname='x")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    output = result.stdout.str() + result.stderr.str()
    assert "--irl-db" in output and "password=********" in output
    assert "S3cret-malformed" not in output


# The live stream (in process: the same redaction, applied to every answer) --------------------
def test_stream_state_is_redacted_while_the_test_runs(context: BrowserContext, pages_url: str) -> None:
    layer = Layer()
    run = TestRun(session_id=uuid.uuid4(), nodeid="t")
    recorder = RunRecorder(run, secrets=Secrets())
    layer.begin_test(TestContext("t", recorder))
    stream = Hub().add(run, redact=recorder.steps_json)
    page = wrap(context, layer).new_page()
    host_and_port = pages_url.split("://", 1)[1]
    page.goto(f"http://user:S3cret-live-user@{host_and_port}/form.html?session=S3cret-live-session")
    page.set_content("<input id=pw type=password style='display:none'>")
    with pytest.raises(Exception, match="Timeout"):
        page.locator("#pw").fill("S3cret-live-fill", timeout=2000)
    live = json.dumps(stream.state())  # while the run goes on: its values are not decided yet
    page.close()
    recorder.finish_values()
    stream.finish()
    final = json.dumps(stream.state())
    for secret in ("S3cret-live-user", "S3cret-live-session", "S3cret-live-fill"):
        assert secret not in live and secret not in final
        assert secret not in json.dumps([step.to_json() for step in run.steps])
    assert 'fill(\\"********\\")' in final, final


def test_no_secret_confirmations_are_batched_and_taken_when_the_test_ends(context: BrowserContext) -> None:
    """A field's "no secret" confirmation waits in the page (a binding call per fill is what a
    fill-heavy test would feel); what is still queued when the test ends is taken, not lost."""
    layer = Layer()
    run = TestRun(session_id=uuid.uuid4(), nodeid="t")
    recorder = RunRecorder(run, secrets=Secrets())
    layer.begin_test(TestContext("t", recorder))
    page = wrap(context, layer).new_page()
    page.set_content("<input id=q>")
    # Count the observer's binding calls (it reads window.__irlReport at each report).
    page.evaluate("""() => { const send = window.__irlReport; window.__irlSent = 0;
        window.__irlReport = (payload) => { window.__irlSent++; return send(payload); }; }""")
    values = [f"plain-value-{i}" for i in range(5)]
    for value in values:
        page.locator("#q").fill(value)
    sent = page.evaluate("window.__irlSent")
    assert sent < len(values)  # one per fill would be 5 (and 6 with the element's own report)
    layer.settle_learning()  # the test's end: the confirmations still queued are taken
    recorder.finish_values()
    assert [s.value for s in run.steps if s.action == "fill"] == values
    page.close()


# Redaction itself -----------------------------------------------------------------------------
def test_a_secret_shown_late_in_a_run_is_masked_in_every_step_and_the_record_is_redacted_once() -> None:
    """The steps are redacted once, at the run's end, with what every step and the test's error
    showed; the record is written without a second pass unless something new was learned since."""
    run = TestRun(session_id=uuid.uuid4(), nodeid="t")
    recorder = RunRecorder(run, secrets=Secrets())
    run.steps.append(Step(step_number=1, action="click", selector="#a", success=False,
                          error="clicked while S3cret-late-url and S3cret-late-error were on screen"))
    run.steps.append(Step(step_number=2, action="goto", url="http://127.0.0.1/x?token=S3cret-late-url"))
    run.error = "AssertionError: http://127.0.0.1/y?session=S3cret-late-error"
    recorder.finish_values()
    shown = json.dumps([step.to_json() for step in run.steps])
    assert "S3cret-late-url" not in shown and "S3cret-late-error" not in shown, shown
    assert recorder.redacted_under is not None
    stored = recorder.secrets.run(run.model_dump(mode="json"), recorder.redacted_under)
    assert stored["steps"] == run.model_dump(mode="json")["steps"]  # not walked again
    assert "S3cret-late-error" not in stored["error"]
    # Learned after the steps were redacted: they are redacted again with it.
    run.steps.append(Step(step_number=3, action="fill", value="S3cret-later"))
    recorder.secrets.add("S3cret-later")
    stored = recorder.secrets.run(run.model_dump(mode="json"), recorder.redacted_under)
    assert "S3cret-later" not in json.dumps(stored)


def test_a_string_that_cannot_be_redacted_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = Secrets()
    secrets.add("S3cret-broken")

    def broken(*_args: object) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(redact, "_redact", broken)
    assert secrets.text("error: S3cret-broken") == MASK
    step = secrets.step({"stepNumber": 3, "action": "fill", "value": "S3cret-broken", "error": "x"})
    assert step == {"stepNumber": 3, "action": "fill", "value": MASK, "error": MASK}
    stored = secrets.run({"nodeid": "t", "error": "S3cret-broken", "steps": [{"stepNumber": 1}]})
    assert "S3cret-broken" not in json.dumps(stored)


def test_what_is_known_is_masked_in_every_form() -> None:
    secrets = Secrets()
    secrets.add('pa ss"wo@rd')
    text = ('fill("pa ss\\"wo@rd") received \'pa ss"wo@rd\' ?q=pa%20ss%22wo%40rd'
            ' &q=pa+ss%22wo%40rd &quot;pa ss&quot;wo@rd')
    assert "pa ss" not in secrets.text(text) and "wo%40rd" not in secrets.text(text)
    # Short secrets are masked as whole tokens only, one-letter ones only as whole values.
    secrets.add("abc")
    secrets.add("z")
    assert secrets.text('fill("abc") abcdef') == 'fill("********") abcdef'
    assert secrets.text("z") == MASK and secrets.text("zebra z") == "zebra z"
    # Typing reports each prefix: only whole values count, the one cleared included.
    for value in ("h", "hu", "hun", "hunter2", "", "n", "new-one"):
        secrets.typed("doc:1", value)
    assert {"hunter2", "new-one"} <= secrets.known() and "hun" not in secrets.known()
