"""pytest entry point: options, markers, and the plugins registered for a run.

Importing this module is cheap: Playwright, psycopg and pydantic load only when a run uses them.
"""

from __future__ import annotations

import signal
import threading
import uuid
from typing import Any

import pytest

from .fixtures import RECORDING_PLUGIN

BROWSER_PLUGIN = "irl-system-browser"
RERUNS_PLUGIN = "irl-reruns"
STREAM_PLUGIN = "irl-stream"
STREAM_FRAMES = ("auto", "screenshots", "screencast")
SESSION_NAMESPACE = uuid.UUID("6f1c1f0e-6a8e-4d53-9f3e-2b1f4c9a7e10")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("irl", "Intelligent Retry Layer (pytest-irl)")
    group.addoption(
        "--irl", action="store_true", default=None,
        help="turn the retry-and-heal layer and step recording on for Playwright tests",
    )
    group.addoption(
        "--irl-db", metavar="URL", default=None,
        help="Postgres URL to record into (default: $IRL_DATABASE_URL, else an embedded server in .irl/)",
    )
    group.addoption(
        "--irl-session-id", metavar="UUID", default=None,
        help="record into this session (several CI shards can share one)",
    )
    group.addoption(
        "--irl-heal", choices=("on", "suggest", "off"), default=None,
        help="heal broken locators (on, the default), only record what would be healed (suggest), or not",
    )
    group.addoption(
        "--irl-drift", choices=("heal", "warn", "off"), default=None,
        help="when a fragile locator now matches another element than the one learned: act on the"
             " learned one (heal, the default), record a warning (warn), or don't check (off)",
    )
    group.addoption(
        "--irl-reruns", metavar="N", default=None,
        help="run a failing test up to N more times (also without --irl; the irl marker's"
             " reruns= wins for its tests)",
    )
    group.addoption(
        "--irl-stream", action="store_true", default=None,
        help="stream each running test's browser live; its URL goes into test_runs.stream_url",
    )
    group.addoption(
        "--irl-stream-host", metavar="HOST", default=None,
        help="address the live stream server listens on (default 127.0.0.1)",
    )
    group.addoption(
        "--irl-stream-port", metavar="PORT", default=None,
        help="port of the live stream server (default 0: a free port; xdist worker gwN uses PORT+N)",
    )
    group.addoption(
        "--irl-stream-frames", choices=STREAM_FRAMES, default=None,
        help="where live frames come from: CDP screenshots on Chromium and Playwright's screencast"
             " elsewhere (auto, the default), screenshots, or the browser's screencast everywhere",
    )
    group.addoption(
        "--irl-heal-fails", action="store_true", default=None,
        help="with --irl: exit non-zero when any test passed only through a heal (after recording"
             " everything), for suites whose heals must be reviewed before a merge",
    )
    parser.addini("irl", type="bool", default=False, help="same as --irl")
    parser.addini("irl_heal_fails", type="bool", default=False, help="same as --irl-heal-fails")
    parser.addini("irl_stream", type="bool", default=False, help="same as --irl-stream")
    parser.addini("irl_stream_host", default="127.0.0.1", help="same as --irl-stream-host")
    parser.addini("irl_stream_port", default="0", help="same as --irl-stream-port")
    parser.addini("irl_stream_frames", default="auto", help="same as --irl-stream-frames")
    parser.addini("irl_reruns", default="0", help="same as --irl-reruns")
    parser.addini("irl_heal", default="on", help="same as --irl-heal")
    parser.addini("irl_drift", default="heal", help="same as --irl-drift")
    parser.addini(
        "irl_system_browser", default="auto",
        help="'auto': use a system Chromium when Playwright's own is missing; 'never': don't",
    )


def irl_enabled(config: pytest.Config) -> bool:
    flag = config.getoption("irl")
    return bool(config.getini("irl")) if flag is None else bool(flag)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "irl(heal=True, reruns=0, reruns_delay=0, only_rerun=None): per-test settings of the"
        " Intelligent Retry Layer (heal=False: retry and record, but never heal this test's locators;"
        " reruns=N: run the test up to N more times while it fails, reruns_delay seconds apart, only"
        " when its error matches one of the only_rerun regular expressions, if given)",
    )
    # Always registered: reruns work without --irl (nothing is recorded then). Its import is cheap.
    from .reruns import Reruns

    config.pluginmanager.register(Reruns(config), RERUNS_PLUGIN)
    # Registered now, after pytest-playwright (an entry point, loaded earlier), so that these
    # fixtures override its own and can take them as their base.
    if str(config.getini("irl_system_browser")).lower() != "never":
        from . import system_browser

        config.pluginmanager.register(system_browser, BROWSER_PLUGIN)
    if not irl_enabled(config):
        if _stream_enabled(config):
            config.pluginmanager.register(_Notice(
                "--irl-stream streams nothing without --irl (a stream is part of a recorded run)"),
                "irl-notice")
        return
    recording = _make_recording(config)
    config.pluginmanager.register(recording, RECORDING_PLUGIN)
    from .healed_tests import HealedTests

    config.pluginmanager.register(HealedTests(config), "irl-healed-tests")
    if recording.is_controller:
        config.pluginmanager.register(_TermAsInterrupt(), "irl-sigterm")
    from . import fixtures

    config.pluginmanager.register(fixtures, "irl-fixtures")
    if config.pluginmanager.hasplugin("xdist"):
        from .xdist import XdistIntegration

        config.pluginmanager.register(XdistIntegration(recording), "irl-xdist")
    if _stream_enabled(config):
        # Only now: the stream package (an HTTP server, maybe aiortc) is never imported otherwise.
        from .stream.live import Streamer

        host, port = _stream_address(config)
        streamer = Streamer(config, recording, host, port, frames=_stream_frames(config))
        config.pluginmanager.register(streamer, STREAM_PLUGIN)


def pytest_sessionstart(session: pytest.Session) -> None:
    recording = session.config.pluginmanager.get_plugin(RECORDING_PLUGIN)
    if recording is not None:
        recording.start()


def _make_recording(config: pytest.Config) -> Any:
    from .recording import Recording
    from .store import BadDatabaseUrl, resolve

    try:
        location = resolve(config.getoption("irl_db"), config.rootpath)
    except BadDatabaseUrl as exc:
        from .redact import database_error

        raise pytest.UsageError(f"--irl-db: {database_error(exc, config.getoption('irl_db'))}") from None
    settings = _heal_settings(config)
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and "irl_session_id" in workerinput:
        session_id, worker = uuid.UUID(workerinput["irl_session_id"]), workerinput["workerid"]
        controller_id = uuid.UUID(workerinput["irl_controller_id"])
        return Recording(config, location, session_id, worker, settings, controller_id)
    return Recording(config, location, session_id_from(config.getoption("irl_session_id")), None, settings)


class _TermAsInterrupt:
    """SIGTERM (how CI cancels a job) handled like Ctrl-C: pytest stops as interrupted, and the
    runs cut short and the session are recorded as such instead of being left 'running'.

    Only in a recorded session's main process, only from the main thread (where Python runs
    signal handlers), and only when SIGTERM has its default action: a handler somebody else set
    is left alone. It acts once: a second SIGTERM kills as it always did.
    """

    def __init__(self) -> None:
        self.installed = False
        if threading.current_thread() is threading.main_thread() \
                and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, self._terminate)
            self.installed = True

    def _terminate(self, signum: int, frame: Any) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise KeyboardInterrupt

    def pytest_unconfigure(self) -> None:
        if self.installed and signal.getsignal(signal.SIGTERM) == self._terminate:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)


class _Notice:
    """One line at the end of the run about a setting that does nothing as given."""

    def __init__(self, message: str) -> None:
        self.message = message

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.write_line(f"irl: {self.message}", yellow=True)


def _stream_enabled(config: pytest.Config) -> bool:
    flag = config.getoption("irl_stream")
    return bool(config.getini("irl_stream")) if flag is None else bool(flag)


def _stream_address(config: pytest.Config) -> tuple[str, int]:
    host = config.getoption("irl_stream_host") or str(config.getini("irl_stream_host")).strip() or "127.0.0.1"
    given = config.getoption("irl_stream_port")
    text = str(config.getini("irl_stream_port") if given is None else given).strip() or "0"
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise pytest.UsageError(f"--irl-stream-port: {text!r} is not a port number (0-65535)")
    return host, port


def _stream_frames(config: pytest.Config) -> str:
    frames = config.getoption("irl_stream_frames") or str(config.getini("irl_stream_frames")).strip().lower()
    if frames not in STREAM_FRAMES:
        raise pytest.UsageError(f"irl_stream_frames: {frames!r} is not one of {', '.join(STREAM_FRAMES)}")
    return frames


def _heal_settings(config: pytest.Config) -> Any:
    from .engine.settings import HealSettings

    heal = config.getoption("irl_heal") or str(config.getini("irl_heal")).strip().lower()
    drift = config.getoption("irl_drift") or str(config.getini("irl_drift")).strip().lower()
    if heal not in ("on", "suggest", "off"):
        raise pytest.UsageError(f"irl_heal: {heal!r} is not one of on, suggest, off")
    if drift not in ("heal", "warn", "off"):
        raise pytest.UsageError(f"irl_drift: {drift!r} is not one of heal, warn, off")
    return HealSettings(mode=heal, drift=drift)


def session_id_from(given: str | None) -> uuid.UUID:
    """A new id, the UUID given, or one derived from any other text (a CI build number, say)."""
    if not given:
        return uuid.uuid4()
    try:
        return uuid.UUID(given)
    except ValueError:
        return uuid.uuid5(SESSION_NAMESPACE, given)
