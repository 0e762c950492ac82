"""The pytest side of live streaming: one server per process, one stream per test run.

Registered by ``plugin.pytest_configure`` only with ``--irl --irl-stream``. Every browser context
the layer wraps reports its pages here; a page opened while a test runs (the test's page, a popup,
a new page) is streamed as that test's, the most recently opened page that is still open being
the one shown. Nothing here may change a test's outcome: failures become one warning line.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from .hub import Hub, RunStream
from .screencast import MAX_FPS, Caster, ScreencastUnsupported
from .server import StreamServer


class Streamer:
    def __init__(self, config: pytest.Config, recording: Any, host: str, port: int,
                 max_fps: float = MAX_FPS, frames: str = "auto") -> None:
        self.config = config
        self.recording = recording
        self.host = host
        self.port = port
        self.max_fps = max_fps
        self.frames = frames
        self.hub = Hub()
        self.server: StreamServer | None = None
        self._live: dict[str, RunStream] = {}  # runs whose test has not ended
        self._pages: dict[str, list[Any]] = {}  # run id -> its open pages, newest last
        self._casters: dict[str, Caster] = {}
        self._hook_layer(recording.layer)

    # session -------------------------------------------------------------------------------
    def start(self) -> None:
        recording = self.recording
        if recording.is_controller and recording._has_workers():
            return  # the xdist controller runs no test: each worker has its own server
        port = self.port
        if port and recording.worker:
            port += _worker_index(recording.worker)
        webrtc = None
        try:
            from .webrtc import load

            webrtc = load(self.host)
        except Exception as exc:  # a broken aiortc install: MJPEG still works
            self._problem(f"live stream: WebRTC unavailable ({_first_line(exc)}); MJPEG only")
        try:
            server = StreamServer(self.hub, self.host, port, webrtc=webrtc)
        except OSError as exc:
            if webrtc is not None:
                webrtc.close()
            reason = exc.strerror or _first_line(exc)
            self._problem(f"live stream server could not listen on {self.host}:{port} ({reason});"
                          " tests run without streaming")
            return
        server.start()
        self.server = server

    def stop(self) -> None:
        for run_id in list(self._live):
            self._end(run_id)
        if self.server is not None:
            self.server.stop()
            self.server = None

    # hooks ---------------------------------------------------------------------------------
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.start()

    def pytest_report_header(self, config: pytest.Config) -> str | None:
        if self.server is None:
            return None
        return f"irl: live streams of running tests at {self.server.index_url()}"

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> Any:
        # The test is over: its stream keeps its last frame (the page as the test left it), and
        # the fixtures' teardown, which closes its pages, is not streamed.
        for run_id, stream in list(self._live.items()):
            if stream.run.nodeid == item.nodeid:
                self._end(run_id)
        return (yield)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self.stop()

    # pages ---------------------------------------------------------------------------------
    def _hook_layer(self, layer: Any) -> None:
        # The layer instruments every browser context it wraps (the test's, a new_context()'s):
        # each is also watched for pages from then on.
        def on_context(context: Any) -> None:
            try:
                self.on_context(context)
            except Exception as exc:  # streaming must never break the test
                self._problem(f"live stream: {_first_line(exc)}")

        layer.context_listeners.append(on_context)
        layer.screencast_listeners.append(self._before_test_screencast)

    def _before_test_screencast(self, page: Any) -> None:
        for caster in list(self._casters.values()):
            if caster.page is page:
                caster.step_aside()

    def on_context(self, context: Any) -> None:
        """Watch ``context`` (a raw BrowserContext) for pages, once."""
        if getattr(context, "_irl_streamed", False):
            return
        context._irl_streamed = True
        context.on("page", self._on_page)
        for page in list(context.pages):
            self._on_page(page)

    def _on_page(self, page: Any) -> None:
        recorder = self.recording.layer.current
        if self.server is None or recorder is None:
            return
        run = recorder.run
        run_id = str(run.id)
        stream = self._live.get(run_id)
        if stream is None:
            known = self.hub.get(run_id)
            if known is not None and known.finished:
                return
            stream = self._live[run_id] = self.hub.add(run, redact=recorder.steps_json)
        pages = self._pages.setdefault(run_id, [])
        if any(p is page for p in pages):
            return
        pages.append(page)
        page.on("close", lambda closed: self._on_close(run_id, closed))
        self._cast(run_id, page)

    def _on_close(self, run_id: str, page: Any) -> None:
        pages = self._pages.get(run_id)
        if pages is None:
            return
        pages[:] = [p for p in pages if p is not page]
        caster = self._casters.get(run_id)
        if caster is not None and caster.page is page:
            del self._casters[run_id]
            if pages and run_id in self._live:
                self._cast(run_id, pages[-1])  # back to the page the closed one was opened from

    def _cast(self, run_id: str, page: Any) -> None:
        stream = self._live[run_id]
        previous = self._casters.pop(run_id, None)
        if previous is not None:
            previous.stop()
        caster = Caster(page, stream.publish, self.max_fps, watched=stream.watched, frames=self.frames)
        try:
            stream.source = caster.start()
        except ScreencastUnsupported as exc:
            self._problem(f"live stream unavailable for {caster.browser_name()}: {exc};"
                          " the tests run without it")
            return
        except Exception:
            return  # the page closed while the screencast started
        self._casters[run_id] = caster
        stream.on_watch = caster.wake
        run = stream.run
        if run.stream_url is None and self.server is not None:
            run.stream_url = self.server.url_for(run_id)
            writer = self.recording.writer
            if writer is not None:  # written now, while the run is still 'running'
                writer.submit("update", {"id": run_id, "fields": {"stream_url": run.stream_url}})

    def _end(self, run_id: str) -> None:
        stream = self._live.pop(run_id, None)
        caster = self._casters.pop(run_id, None)
        self._pages.pop(run_id, None)
        if caster is not None:
            if stream is not None and stream.latest is None:
                caster.final_frame()  # nobody watched while it ran: its page still shows how it ended
            caster.stop()
        if stream is not None:
            stream.finish()

    def _problem(self, message: str) -> None:
        self.recording._note_problem(message)


def _worker_index(worker: str) -> int:
    found = re.search(r"(\d+)$", worker)
    return int(found.group(1)) if found else 0


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:200]
