"""Live streaming (--irl-stream): a real Chromium runs the test, a second one watches its stream_url."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg.rows import dict_row

from pytest_irl.browser import bundled_browser_missing, find_system_chromium, with_system_chromium
from seed_queries import SEED_STREAM_QUERY

XSS = "<script>alert(1)</script>"

# The streamed test: a page that changes all the time, a step every 300 ms, and it waits for the
# watcher's go-ahead (a file) so that the watcher can look at it while it runs.
LIVE_SUITE = """
import os, time
from pathlib import Path
import pytest

FLAGS = Path({flags!r})
TICKER = '''<h1 id=n>0</h1><canvas id=c width=300 height=120></canvas><button id=b>step</button>
<script>
let n = 0; const c = document.getElementById('c').getContext('2d');
setInterval(() => {{ n++; document.getElementById('n').textContent = n;
  c.fillStyle = 'hsl(' + (n * 7 % 360) + ',80%,50%)'; c.fillRect(0, 0, 300, 120); }}, 40);
</script>'''

def wait_for(page, flag, limit=40.0):
    end = time.monotonic() + limit
    while not (FLAGS / flag).exists() and time.monotonic() < end:
        page.locator("#b").click()
        page.wait_for_timeout(300)

@pytest.mark.parametrize("name", ["x"], ids=[{xss!r}])
def test_live(page, name):
    page.set_content(TICKER)
    wait_for(page, "seen")

def test_after():
    end = time.monotonic() + 40
    while not (FLAGS / "checked").exists() and time.monotonic() < end:
        time.sleep(0.1)
"""


def rows(url: str, query: str, *params: object) -> list[dict[str, Any]]:
    with psycopg.connect(url) as conn, conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, params or None).fetchall()


def streaming_runs(url: str) -> list[dict[str, Any]]:
    """The seed's query, once the plugin has created the tables."""
    try:
        return [r for r in rows(url, SEED_STREAM_QUERY) if r["stream_status"] == "Streaming active"]
    except psycopg.errors.UndefinedTable:
        return []


def poll(check: Callable[[], Any], timeout: float, what: str) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(autouse=True)
def _no_ambient_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IRL_DATABASE_URL", raising=False)


@pytest.fixture(scope="module")
def viewer(playwright: Any) -> Iterator[Any]:
    """A second, real Chromium in this process: the person watching. Launched from
    pytest-playwright's session-wide Playwright, which other tests of the session may be using."""
    options: dict[str, Any] = {"headless": True}
    executable = find_system_chromium()
    if bundled_browser_missing(playwright.chromium) and executable:
        options = with_system_chromium(options, executable)
    # WebRTC over loopback only, and no mDNS names for its candidates.
    options["args"] = [*options.get("args", []), "--allow-loopback-in-peer-connection",
                       "--disable-features=WebRtcHideLocalIpsWithMdns"]
    browser = playwright.chromium.launch(**options)
    yield browser
    browser.close()


def start_pytest(path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=path,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def with_token(url: str, token: str | None) -> str:
    parts = urlsplit(url)
    query = "" if token is None else f"token={token}"
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_watch_a_running_test_live(pytester: pytest.Pytester, service_db_url: str, viewer: Any) -> None:
    flags = pytester.path / "flags"
    flags.mkdir()
    pytester.makepyfile(test_live=LIVE_SUITE.format(flags=str(flags), xss=XSS))
    proc = start_pytest(pytester.path, "--irl", "--irl-stream", "--irl-db", service_db_url)
    try:
        # The URL is in the database while the test is still running: the seed's query says so.
        active = poll(lambda: streaming_runs(service_db_url), 60, "a streaming run")
        url = active[0]["stream_url"]
        assert active[0]["status"] == "running"
        assert url.startswith("http://127.0.0.1:") and f"/stream/{active[0]['id']}?token=" in url
        uuid.UUID(str(active[0]["id"]))

        dialogs: list[str] = []
        context = viewer.new_context()
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url + "&mode=mjpeg")
        body = page.locator("body")
        poll(lambda: int(body.get_attribute("data-frames") or 0) >= 3, 20, "the first frames")
        first_seq = int(body.get_attribute("data-seq") or 0)
        first_steps = int(body.get_attribute("data-steps") or 0)
        shot = page.locator("#frame").screenshot()
        # The frames keep changing, and the steps keep coming, while the viewer watches.
        poll(lambda: int(body.get_attribute("data-seq") or 0) >= first_seq + 5, 20, "more frames")
        poll(lambda: int(body.get_attribute("data-steps") or 0) >= first_steps + 2, 20, "more steps")
        assert page.locator("#frame").screenshot() != shot
        assert page.locator("#steps li strong").first.text_content() == "click"
        assert page.locator("#steps li .sel").first.text_content() == " #b"
        assert page.locator("#status").text_content() == "running"
        # The test's name is shown as text; nothing in it ran.
        assert XSS in page.locator("#nodeid").text_content()
        assert page.locator("script").count() == 2
        assert dialogs == []
        # Several viewers at once: the raw MJPEG stream serves a second one.
        with urllib.request.urlopen(url.replace("?", "/mjpeg?"), timeout=10) as mjpeg:
            assert mjpeg.headers["Content-Type"].startswith("multipart/x-mixed-replace")
            head = mjpeg.read(400)
            assert b"Content-Type: image/jpeg" in head and b"\xff\xd8" in head
        # A wrong or missing token gets nothing but 403.
        assert status_of(with_token(url, "wrong")) == 403
        assert status_of(with_token(url, None)) == 403
        assert status_of(with_token(url.replace("?", "/state?"), "wrong")) == 403
        assert status_of(with_token(url, urlsplit(url).query.split("=", 1)[1])) == 200

        (flags / "seen").touch()
        # The test has ended; its page keeps its last frame and its whole step list.
        poll(lambda: page.locator("#status").text_content() == "passed", 20, "the test's end")
        query = "SELECT status, stream_url, steps FROM test_runs WHERE id = %s"
        # The page can know before the database does: the writer commits a moment later.
        run = poll(lambda: [r for r in rows(service_db_url, query, active[0]["id"])
                            if r["status"] == "passed"], 10, "the passed run in the database")[0]
        assert run["stream_url"] == url
        poll(lambda: int(body.get_attribute("data-steps") or 0) == len(run["steps"]), 10, "all steps")
        page.reload()
        poll(lambda: int(body.get_attribute("data-frames") or 0) >= 1, 10, "the last frame")
        assert dialogs == []
        context.close()
    finally:
        (flags / "seen").touch()
        (flags / "checked").touch()
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert "2 passed" in out, out
    problems = [line for line in out.splitlines() if "live stream" in line and "live streams of" not in line]
    assert problems == [], out


POPUP_SUITE = """
import time
from pathlib import Path

FLAGS = Path({flags!r})

def colored(rgb):
    return (f"<body style='margin:0;background:rgb({{rgb}})'><b id=n>0</b><script>let n = 0;"
            "setInterval(() => {{ document.getElementById('n').textContent = n++; }}, 50)</script></body>")

def wait_for(page, flag):
    end = time.monotonic() + 30
    while not (FLAGS / flag).exists() and time.monotonic() < end:
        page.wait_for_timeout(100)

def test_popup(page):
    page.set_content(colored("0,0,255"))
    wait_for(page, "main")
    with page.expect_popup() as info:
        page.evaluate("window.open('about:blank')")
    popup = info.value
    popup.set_content(colored("255,0,0"))
    wait_for(popup, "popup")
    popup.close()
    wait_for(page, "back")
"""

CENTER_PIXEL = """() => {
  const frame = document.getElementById('frame');
  if (!Number(document.body.dataset.frames || 0)) return null;
  const canvas = document.createElement('canvas');
  canvas.width = frame.width; canvas.height = frame.height;
  const g = canvas.getContext('2d');
  g.drawImage(frame, 0, 0);
  return Array.from(g.getImageData(canvas.width >> 1, canvas.height >> 1, 1, 1).data.slice(0, 3));
}"""


def test_the_stream_follows_popups(pytester: pytest.Pytester, service_db_url: str, viewer: Any) -> None:
    flags = pytester.path / "flags"
    flags.mkdir()
    pytester.makepyfile(test_popup=POPUP_SUITE.format(flags=str(flags)))
    proc = start_pytest(pytester.path, "--irl", "--irl-stream", "--irl-db", service_db_url)
    try:
        url = poll(lambda: streaming_runs(service_db_url), 60, "a streaming run")[0]["stream_url"]
        page = viewer.new_page()
        page.goto(url + "&mode=mjpeg")

        def shows(red: int, blue: int) -> bool:
            pixel = page.evaluate(CENTER_PIXEL)
            return bool(pixel) and abs(pixel[0] - red) < 60 and abs(pixel[2] - blue) < 60

        poll(lambda: shows(0, 255), 20, "the test's page")
        (flags / "main").touch()
        poll(lambda: shows(255, 0), 20, "the popup")
        (flags / "popup").touch()
        poll(lambda: shows(0, 255), 20, "the test's page again, once the popup closed")
        page.close()
    finally:
        for flag in ("main", "popup", "back"):
            (flags / flag).touch()
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out


def test_webrtc_offer_answer_from_chromium(pytester: pytest.Pytester, service_db_url: str,
                                           viewer: Any) -> None:
    pytest.importorskip("aiortc")
    flags = pytester.path / "flags"
    flags.mkdir()
    pytester.makepyfile(test_live=LIVE_SUITE.format(flags=str(flags), xss="live"))
    proc = start_pytest(pytester.path, "--irl", "--irl-stream", "--irl-db", service_db_url)
    try:
        active = poll(lambda: streaming_runs(service_db_url), 60, "a streaming run")
        page = viewer.new_page()
        page.goto(active[0]["stream_url"])
        body = page.locator("body")
        poll(lambda: (body.get_attribute("data-webrtc") or "").startswith(("connected", "failed")), 20,
             "the WebRTC connection")
        assert body.get_attribute("data-webrtc") == "connected"
        poll(lambda: int(body.get_attribute("data-frames") or 0) >= 5, 20, "video frames")
        assert page.evaluate("document.getElementById('video').videoWidth") > 0
        page.close()
    finally:
        (flags / "seen").touch()
        (flags / "checked").touch()
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out


def test_port_taken_gives_one_warning_and_the_test_passes(
    pytester: pytest.Pytester, service_db_url: str,
) -> None:
    pytester.makepyfile(test_one="""
        def test_one(page):
            page.set_content("<button>Go</button>")
            page.get_by_role("button", name="Go").click()
    """)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = pytester.runpytest_subprocess("--irl", "--irl-stream", "--irl-stream-port", str(port),
                                               "--irl-db", service_db_url)
    result.assert_outcomes(passed=1)
    assert result.ret == 0
    warnings = [line for line in result.outlines if "live stream" in line]
    assert len(warnings) == 1 and f"127.0.0.1:{port}" in warnings[0], result.outlines
    assert rows(service_db_url, "SELECT stream_url FROM test_runs") == [{"stream_url": None}]


def test_each_xdist_worker_has_its_own_server(pytester: pytest.Pytester, service_db_url: str) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile(test_many="""
        import pytest

        @pytest.mark.parametrize("n", range(4))
        def test_page(page, n):
            page.set_content(f"<h1>{n}</h1>")
            page.locator("h1").text_content()
    """)
    result = pytester.runpytest_subprocess("-n", "2", "--irl", "--irl-stream", "--irl-db", service_db_url)
    result.assert_outcomes(passed=4)
    runs = rows(service_db_url, "SELECT worker, stream_url FROM test_runs")
    assert len(runs) == 4 and all(r["stream_url"] for r in runs)
    ports: dict[str, set[int]] = {}
    for run in runs:
        ports.setdefault(run["worker"], set()).add(urlsplit(run["stream_url"]).port or 0)
    assert set(ports) == {"gw0", "gw1"}
    assert all(len(p) == 1 for p in ports.values()) and ports["gw0"] != ports["gw1"]


def test_streaming_off_imports_nothing_of_it() -> None:
    code = ("import sys, pytest_irl.plugin; "
            "print(any(m.startswith('pytest_irl.stream') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ})
    assert out.stdout.strip() == "False"


def test_server_refuses_without_the_token_and_escapes_everything() -> None:
    from pytest_irl.models import Step, TestRun
    from pytest_irl.stream import Hub, StreamServer

    hub = Hub()
    run = TestRun(session_id=uuid.uuid4(), nodeid=f"test_x.py::test_x[{XSS}]")
    run.steps.append(Step(step_number=1, action="click", selector='<img src=x onerror="alert(1)">'))
    stream = hub.add(run)
    stream.publish(b"\xff\xd8jpeg\xff\xd9", 1.0)
    server = StreamServer(hub)
    server.start()
    try:
        url = server.url_for(str(run.id))
        base = f"http://127.0.0.1:{server.port}"
        for path in ("/", f"/stream/{run.id}", f"/stream/{run.id}/state", f"/stream/{run.id}/mjpeg",
                     f"/stream/{run.id}/frame", "/nothing", f"/stream/{uuid.uuid4()}"):
            assert status_of(base + path) == 403, path
            assert status_of(base + path + "?token=x" + server.token) == 403, path
        assert status_of(url) == 200 and status_of(server.index_url()) == 200
        assert status_of(with_token(f"{base}/stream/{uuid.uuid4()}", server.token)) == 404
        html = urllib.request.urlopen(url, timeout=5).read().decode()
        assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        index = urllib.request.urlopen(server.index_url(), timeout=5).read().decode()
        assert XSS not in index and "&lt;script&gt;" in index
        state = json.loads(urllib.request.urlopen(url.replace("?", "/state?"), timeout=5).read())
        assert state["nodeid"] == run.nodeid and state["steps"][0]["selector"].startswith("<img")
        with urllib.request.urlopen(url.replace("?", "/frame?"), timeout=5) as frame:
            assert frame.read() == b"\xff\xd8jpeg\xff\xd9" and frame.headers["X-Frame-Seq"] == "1"
    finally:
        server.stop()


def test_a_slow_viewer_only_ever_gets_the_latest_frame() -> None:
    from pytest_irl.models import TestRun
    from pytest_irl.stream import Hub

    stream = Hub().add(TestRun(session_id=uuid.uuid4(), nodeid="t"))
    for i in range(1000):
        stream.publish(bytes([i % 256]) * 10)
    frame = stream.next_frame(0, 0.1)
    assert frame is not None and frame.seq == 1000 and frame.data == bytes([999 % 256]) * 10
    assert stream.next_frame(1000, 0.05) is None


def test_a_browser_without_screencast_is_one_clear_problem() -> None:
    from pytest_irl.stream.screencast import Caster, ScreencastUnsupported

    class BrowserType:
        name = "firefox"

    class Browser:
        browser_type = BrowserType()

    class Context:
        browser = Browser()

    class OldPlaywrightPage:  # no page.screencast, and not Chromium: no CDP either
        context = Context()

    with pytest.raises(ScreencastUnsupported, match="firefox has no screencast"):
        Caster(OldPlaywrightPage(), lambda *frame: None).start()


UNWATCHED_SUITE = """
import time
from pathlib import Path

FLAGS = Path({flags!r})

def test_unwatched(page):
    page.set_content('''<h1 id=n>0</h1><script>let n = 0;
      setInterval(() => {{ document.getElementById('n').textContent = ++n; }}, 30);</script>''')
    page.wait_for_timeout(1500)

def test_after():
    end = time.monotonic() + 40
    while not (FLAGS / "checked").exists() and time.monotonic() < end:
        time.sleep(0.1)
"""


def test_a_run_nobody_watches_captures_nothing_until_its_last_frame(
    pytester: pytest.Pytester, service_db_url: str,
) -> None:
    flags = pytester.path / "flags"
    flags.mkdir()
    pytester.makepyfile(test_quiet=UNWATCHED_SUITE.format(flags=str(flags)))
    proc = start_pytest(pytester.path, "--irl", "--irl-stream", "--irl-db", service_db_url)
    try:
        def finished_run() -> list[dict[str, Any]]:
            try:
                return rows(service_db_url, "SELECT stream_url FROM test_runs"
                            " WHERE status = 'passed' AND nodeid LIKE %s", "%test_unwatched%")
            except psycopg.errors.UndefinedTable:  # the plugin has not created its tables yet
                return []

        finished = poll(finished_run, 60, "the unwatched run's end")
        parts = urlsplit(finished[0]["stream_url"])
        state_url = urlunsplit((parts.scheme, parts.netloc, parts.path + "/state", parts.query, ""))
        with urllib.request.urlopen(state_url, timeout=10) as response:
            state = json.loads(response.read())
        # 1.5 s of a page changing every 30 ms, and one frame: the screencast never ran unwatched,
        # and the run's page still shows how the test left it.
        assert state["finished"] is True and state["frameSeq"] == 1
    finally:
        (flags / "checked").touch()
        out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out


def test_a_viewer_gets_only_the_steps_from_the_last_one_it_has() -> None:
    from pytest_irl.models import Step, TestRun
    from pytest_irl.stream import Hub

    run = TestRun(session_id=uuid.uuid4(), nodeid="t")
    stream = Hub().add(run)
    for number in (1, 2, 3):
        run.steps.append(Step(step_number=number, action="click", selector=f"#s{number}"))
    state = stream.state(since=2)
    assert state["stepsFrom"] == 2 and state["stepCount"] == 3
    assert [step["selector"] for step in state["steps"]] == ["#s3"]
    run.steps[-1].duration_ms = 12.5  # the running step ends: the viewer sees it on its next poll
    assert stream.state(since=2)["steps"][0]["durationMs"] == 12.5
    assert stream.state(since=99)["steps"] == [] and stream.state(since=-5)["stepsFrom"] == 0
    run.steps[0].error = "touched at the end of the run"
    stream.finish()  # the finished run's list is the whole list as it ended
    assert stream.state()["steps"][0]["error"] == "touched at the end of the run"


def test_frames_come_only_while_watched_and_a_still_page_repeats_none(viewer: Any) -> None:
    from pytest_irl.stream.screencast import Caster

    page = viewer.new_page()
    page.set_content("<h1 id=n>still</h1>")
    frames: list[bytes] = []
    watching = [True]
    caster = Caster(page, lambda data, *rest: frames.append(data), watched=lambda: watching[0])
    try:
        assert caster.start() == "cdp"
        page.wait_for_timeout(1500)
        assert len(frames) == 1 and frames[0].startswith(b"\xff\xd8")
        page.evaluate("document.getElementById('n').textContent = 'changed'")
        page.wait_for_timeout(800)
        assert len(frames) == 2 and frames[1] != frames[0]
        page.evaluate("setInterval(() => { document.getElementById('n').textContent = Date.now(); }, 20)")
        before = len(frames)
        page.wait_for_timeout(1000)
        assert 4 <= len(frames) - before <= 14  # a page changing at 50 Hz, sent at up to 12 fps
        watching[0] = False
        page.wait_for_timeout(300)
        before = len(frames)
        page.wait_for_timeout(700)
        assert len(frames) == before  # nobody watching: no screenshots at all
        watching[0] = True
        caster.wake()
        page.wait_for_timeout(500)
        assert len(frames) > before
    finally:
        caster.stop()
        page.close()
