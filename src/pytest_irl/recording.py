"""The pytest side of a recorded session: one run row per test, the writer, the summary line."""

from __future__ import annotations

import os
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from . import healed_tests, screenshot
from .engine.settings import HealSettings
from .engine_loader import History, LazyEngine
from .pw import traces
from .redact import Secrets
from .reruns import ATTEMPT
from .reviews import unreviewed_heals
from .storable import utcnow
from .store import StoreLocation, Writer, shards
from .store.embedded import PGDATA
from .store.url import ENV_VAR

if TYPE_CHECKING:
    from .engine.context import TestContext
    from .engine.healing import Healer
    from .engine.layer import Layer
    from .models import TestRun
    from .store.db import Database

# A test is recorded when it uses any of these (pytest-playwright's browser fixtures).
PLAYWRIGHT_FIXTURES = frozenset({"page", "context", "new_context", "browser"})
# A recorded test's context (engine/context.py): what the engine knows of the test while it runs.
TEST_CONTEXT: pytest.StashKey[TestContext] = pytest.StashKey()

_ERROR_CHARS = 4000


class Recording:
    """Registered as a plugin when ``--irl`` is on; its fixtures override pytest-playwright's."""

    def __init__(self, config: pytest.Config, location: StoreLocation, session_id: uuid.UUID,
                 worker: str | None, settings: HealSettings | None = None,
                 controller_id: uuid.UUID | None = None) -> None:
        self.config = config
        self.location = location
        self.session_id = session_id
        self.worker = worker
        self.controller_id = controller_id or uuid.uuid4()
        self.settings = settings
        # The engine (the layer, its healers and what they learn) is built when first needed, after
        # a thread has imported it while the first test's browser started (engine_loader.py).
        self._engine = LazyEngine(self._build_layer)
        self._heal_shots: dict[uuid.UUID, int] = {}  # heal screenshots taken, per run
        # The session's secrets: the database password, however it was given (also malformed).
        self.secrets = Secrets()
        self.secrets.learn_database_url(config.getoption("irl_db", None))
        self.secrets.learn_database_url(location.url)
        self.secrets.learn_database_url(os.environ.get(ENV_VAR))
        self.writer: Writer | None = None
        self.runs_recorded = 0
        # Features this Playwright does not allow (off, said once in the summary; added when the
        # engine is built), and what went wrong while recording.
        self.problems: list[str] = []
        # Tests whose run starts when their first Playwright object is wrapped (_begin).
        self._pending: dict[str, _Pending] = {}
        self._runs: dict[str, TestRun] = {}
        self._started: dict[str, float] = {}
        self._first_run_ids: dict[str, uuid.UUID] = {}
        # pytest-playwright's --tracing: each running test's artifact folder and wall-clock start.
        self._tracing = traces.tracing_on(config)
        self._trace_folders: dict[str, tuple[Path | None, float, traces.Seen]] = {}

    # the engine ------------------------------------------------------------------------------
    @property
    def layer(self) -> Layer:
        return self._engine.get()

    @property
    def healer(self) -> Healer:
        healer = self.layer.healer
        assert healer is not None  # wiring.build_layer made it
        return healer

    def _build_layer(self) -> Layer:
        from .engine.memory import Memory
        from .engine.wiring import build_layer
        from .pw import compat

        layer = build_layer(Memory(), self.settings, persist_fingerprint=self._persist_fingerprint,
                            persist_list=self._persist_list, on_error=self._note_problem)
        assert layer.healer is not None  # wiring.build_layer made it
        layer.healer.log.on_heal = self._heal_screenshot
        self.problems[:0] = [line for line in compat.unavailable_lines() if line not in self.problems]
        return layer

    def wrap(self, value: Any) -> Any:
        """``value`` (a pytest-playwright fixture's) as the test sees it: wrapped for the layer.

        The first object a test wraps starts its run (``_begin``): nothing of the test can act
        through the layer before that.
        """
        from .proxy import wrap

        layer = self.layer
        self._begin_pending()
        return wrap(value, layer)

    @property
    def is_controller(self) -> bool:
        return self.worker is None

    # lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        stem = f"{self.session_id}-{self.worker or 'main'}-{os.getpid()}"
        if self.location.url is None and not (self.location.state_dir / PGDATA / "PG_VERSION").exists():
            # A new embedded store holds no history: nothing waits for it to start and load.
            self._engine.nothing_to_read()
        heartbeat = self._heartbeat if self.is_controller else None
        self.writer = Writer(self.location, stem=stem, on_ready=self._on_ready, heartbeat=heartbeat)
        started = utcnow()
        # Every process writes the session row (idempotent), so a worker's runs never wait for it.
        self.writer.submit("session", {
            "id": self.session_id, "started_at": started, "host": socket.gethostname(),
            "rootdir": str(self.config.rootpath),
            # --irl-db's password (the README's CI pattern) must not be stored with the arguments.
            "args": self.secrets.args(self.config.invocation_params.args),
        })
        if self.is_controller:
            # The process that owns this session's runs (one per CI shard): a later session can
            # tell when it is gone, and the session ends when all its shards have (shards.py).
            self.writer.submit("shard", {
                "controller_id": self.controller_id, "session_id": self.session_id, "started_at": started,
                **shards.this_process(),
            })

    def finish(self, exitstatus: int) -> None:
        if self.writer is None:
            return
        if self.is_controller:
            # Workers have written everything by now; what is still 'running' can never finish.
            self.interrupt_runs(None)
            self.writer.submit("session_finish", {
                "id": self.session_id, "controller_id": self.controller_id, "finished_at": utcnow(),
                "exit_status": int(exitstatus),
            })
        self.writer.close()
        for line in self.writer.notices:
            self._note_problem(line)

    def interrupt_runs(self, worker: str | None) -> None:
        """Mark this controller's unfinished runs (of ``worker``, or all) as interrupted."""
        if self.writer is not None:
            self.writer.submit("interrupt", {
                "session_id": self.session_id, "controller_id": self.controller_id, "worker": worker,
            })

    def summary_line(self) -> tuple[str, dict[str, bool]] | None:
        writer = self.writer
        if writer is None:
            return None
        summary = writer.summary()  # what was kept and what was lost, when not all was stored
        if summary is not None:
            return summary, {"yellow": True}
        if not self.is_controller or (not self.runs_recorded and not self._has_workers()):
            return None
        where = self.location.describe()
        return f"irl: session {self.session_id} recorded in {where} -- `irl runs` shows it", {}

    def _on_ready(self, db: Database | None) -> None:
        if db is not None and self.is_controller:
            try:
                # Runs left 'running' by sessions whose process is gone (killed) end here.
                shards.sweep(db)
            except Exception as exc:  # never the reason this session cannot record
                self._note_problem(f"could not look for sessions that were killed: {exc}"[:300])
        self._load_memory(db)

    def _heartbeat(self, db: Database) -> None:
        shards.heartbeat(db, self.controller_id)

    def _load_memory(self, db: Database | None) -> None:
        """In the writer's thread: what earlier sessions learned and reviewed, read once; loaded
        into the engine now if it is built, else when it is (a session without Playwright tests
        never imports it)."""
        history = History()
        try:
            if db is not None:
                from .store.db import FingerprintStore  # in the writer's thread
                from .store.reviews import ReviewStore
                from .store.sets import ListStore

                history = History(FingerprintStore(db).all(), ListStore(db).all(),
                                  ReviewStore(db).reviews())  # one query each, for the session
        finally:
            self._engine.history_read(history)

    def _persist_fingerprint(self, data: dict[str, Any]) -> None:
        if self.writer is not None:
            self.writer.submit("fingerprint", data)

    def _persist_list(self, data: dict[str, Any]) -> None:
        if self.writer is not None:
            self.writer.submit("list_fingerprint", data)

    # screenshots (screenshot.py: what is taken, and its bounds) ---------------------------------
    def _heal_screenshot(self, element: Any, step: Any) -> None:
        """Called by the healer in the middle of an action: never raises into it."""
        recorder = self.layer.current
        if self.writer is None or recorder is None:
            return
        try:
            run_id = recorder.run.id
            taken = self._heal_shots.get(run_id, 0)
            if taken >= screenshot.HEALS_PER_RUN:
                return
            shot = screenshot.capture(element.page, element)
            if shot is not None:
                self._heal_shots[run_id] = taken + 1
                self.writer.submit("screenshot", shot.op_data(run_id, step.step_number, "heal", utcnow()))
        except Exception as exc:
            self._note_problem(f"could not take a heal's screenshot: {exc!r}"[:300])

    def _failure_screenshot(self, item: pytest.Item, run: TestRun) -> None:
        """The page the test was on when it failed: its ``page``, else its context's last page."""
        if self.writer is None:
            return
        from .wrapping import unwrap

        page = unwrap(item.funcargs.get("page")) if hasattr(item, "funcargs") else None
        if page is None and hasattr(item, "funcargs"):
            context = unwrap(item.funcargs.get("context"))
            pages = [p for p in getattr(context, "pages", None) or [] if not p.is_closed()]
            page = pages[-1] if pages else None
        if page is None:
            return
        shot = screenshot.capture(page)
        if shot is not None:
            number = run.steps[-1].step_number if run.steps else 0
            self.writer.submit("screenshot", shot.op_data(run.id, number, "failure", utcnow()))

    def _has_workers(self) -> bool:
        return bool(getattr(self.config.option, "numprocesses", None))

    def _note_problem(self, message: str) -> None:
        if message not in self.problems:
            self.problems.append(message)

    # hooks -----------------------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> None:
        if session.config.option.collectonly:
            return
        if any(_uses_playwright(item) for item in session.items):
            self._engine.loader.start()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        if not _uses_playwright(item):
            return
        self._started[item.nodeid] = time.perf_counter()
        if self._tracing:
            self._trace_folders[item.nodeid] = (None, time.time(), frozenset())
        pending = _Pending(item, utcnow())
        if self._engine.built is None:
            # The engine is still being imported (the session's first Playwright test): the run
            # starts when the test's first Playwright object is wrapped, after the browser launched.
            self._pending[item.nodeid] = pending
        else:
            self._begin(pending)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> None:
        # A test whose fixtures wrapped nothing (a conftest's own `page`) still has its run.
        self._begin_pending()

    def _begin_pending(self) -> None:
        while self._pending:
            self._begin(self._pending.popitem()[1])

    def _begin(self, pending: _Pending) -> None:
        """Start the run of ``pending``'s test: its row, its recorder, the layer's current test."""
        from .engine.context import TestContext
        from .engine.recorder import RunRecorder
        from .models import TestRun

        item = pending.item
        run = TestRun(
            session_id=self.session_id, nodeid=item.nodeid, browser=_browser_name(item),
            worker=self.worker, controller_id=self.controller_id, started_at=pending.started_at,
        )
        attempt = item.stash.get(ATTEMPT, None)
        if attempt is not None:  # the test has reruns: each attempt is its own row, linked to the first
            run.attempt = attempt.number
            if attempt.number == 1:
                run.id = attempt.first_run_id
            else:
                run.first_run_id = attempt.first_run_id
        else:
            # pytest-rerunfailures counts its attempts on the item; they are linked the same way.
            number = getattr(item, "execution_count", 1)
            if isinstance(number, int) and number > 1 and item.nodeid in self._first_run_ids:
                run.attempt = number
                run.first_run_id = self._first_run_ids[item.nodeid]
            else:
                self._first_run_ids[item.nodeid] = run.id
        self._runs[item.nodeid] = run
        marker = item.get_closest_marker("irl")
        recorder = RunRecorder(run, root=str(self.config.rootpath), secrets=Secrets(self.secrets))
        test = TestContext(
            nodeid=item.nodeid, recorder=recorder,
            heals=bool(marker.kwargs.get("heal", True)) if marker is not None else True,
        )
        item.stash[TEST_CONTEXT] = test
        self.layer.begin_test(test)
        self._submit_run(run, recorder.secrets)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        report = yield
        pending = self._pending.pop(item.nodeid, None)
        if pending is not None:  # its setup failed before anything was wrapped: recorded all the same
            try:
                self._begin(pending)
            except Exception as exc:  # recording must never change a test's outcome
                self._note_problem(f"recording error: {exc!r}"[:300])
        run = self._runs.get(item.nodeid)
        if run is not None:
            try:
                if self._tracing:
                    self._note_trace(item, report, run)
                if report.when == "call":
                    if report.failed:
                        self._failure_screenshot(item, run)  # before the page fixtures close the pages
                    self.layer.settle_learning()
                    heals = unreviewed_heals(run.steps)  # an accepted heal was reviewed
                    if report.passed and heals:
                        healed_tests.mark(item, report, heals)
                self._apply_report(run, report)
                if report.when == "teardown":
                    self._finish_run(item.nodeid, run)
            except Exception as exc:  # recording must never change a test's outcome
                self._note_problem(f"recording error: {exc!r}"[:300])
        return report

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        # A test cut short (Ctrl-C, a crash in a fixture) never reached its teardown report.
        try:
            self._begin_pending()  # cut short while its browser started
        except Exception as exc:
            self._note_problem(f"recording error: {exc!r}"[:300])
        for nodeid, run in list(self._runs.items()):
            run.status = "interrupted"
            self._finish_run(nodeid, run)
        self.finish(exitstatus)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self._engine.built is not None and self.healer.log.records:
            terminalreporter.section("irl: healed locators (fix them in the test source; `irl fix`)")
            for record in self.healer.log.records:
                score = "" if record.score is None else f"  (score {record.score:.2f}, {record.strategy})"
                where = record.location or "?"
                terminalreporter.write_line(f"{where}: {record.original} -> {record.suggested}{score}"
                                            f"{record.mark()}")
        # Printed lines pass the same redaction as stored ones (a CI log is kept and shared too).
        line = self.summary_line()
        if line is not None:
            terminalreporter.write_line(self.secrets.text(line[0]), **line[1])
        for problem in self.problems[:3]:
            terminalreporter.write_line(self.secrets.text(f"irl: {problem}"), yellow=True)

    # internals -------------------------------------------------------------------------------
    def _note_trace(self, item: pytest.Item, report: pytest.TestReport, run: TestRun) -> None:
        """The trace pytest-playwright kept for this run: its folder is known while the fixtures
        are up, the file once its teardown has decided (the teardown report)."""
        folder, since, before = self._trace_folders.get(item.nodeid, (None, time.time(), frozenset()))
        if folder is None and report.when in ("setup", "call"):
            folder = traces.test_folder(item)
            # What is there before this run's teardown can keep a trace: an earlier attempt's.
            self._trace_folders[item.nodeid] = (folder, since, traces.traces_in(folder))
        elif report.when == "teardown":
            self._trace_folders.pop(item.nodeid, None)
            run.trace_path = traces.kept_trace(item, report, folder, since, before)

    def _apply_report(self, run: TestRun, report: pytest.TestReport) -> None:
        if report.failed:
            if run.status not in ("failed", "error"):
                run.status = "failed" if report.when == "call" else "error"
                run.error = _error_text(report)
        elif report.skipped:
            if run.status == "running":
                run.status = "skipped"
                run.error = _error_text(report) if hasattr(report, "wasxfail") else None
        elif report.when == "call" and run.status == "running":
            run.status = "passed"

    def _finish_run(self, nodeid: str, run: TestRun) -> None:
        self._runs.pop(nodeid, None)
        self._heal_shots.pop(run.id, None)
        started = self._started.pop(nodeid, time.perf_counter())
        layer = self.layer  # a run exists only once the layer does (_begin)
        recorder = layer.current
        layer.settle_learning()
        secrets = Secrets(self.secrets)
        redacted_under = None
        if recorder is not None and recorder.run is run:
            recorder.finish_values()
            secrets, redacted_under = recorder.secrets, recorder.redacted_under
            layer.end_test()
        if run.status == "running":  # setup and teardown passed but the test body never ran
            run.status = "passed"
        # A later attempt exists only because an earlier one failed, so passing now is flaky.
        run.flaky = run.status == "passed" and run.attempt > 1
        run.finished_at = utcnow()
        run.duration_ms = round((time.perf_counter() - started) * 1000.0, 1)
        self._submit_run(run, secrets, redacted_under)
        self.runs_recorded += 1

    def _submit_run(self, run: TestRun, secrets: Secrets,
                    steps_redacted_under: frozenset[str] | None = None) -> None:
        """Hand ``run`` to the writer, redacted: what the database, the spool and ``irl`` see."""
        if self.writer is None:
            return
        data = secrets.run(run.model_dump(mode="json"), steps_redacted_under)
        if isinstance(data.get("error"), str):
            data["error"] = data["error"][-_ERROR_CHARS:]  # cut after redaction, never before
        self.writer.submit("run", data)


@dataclass
class _Pending:
    """A test whose run has not started yet (``Recording._begin``)."""

    item: pytest.Item
    started_at: datetime


def _uses_playwright(item: pytest.Item) -> bool:
    return bool(PLAYWRIGHT_FIXTURES.intersection(getattr(item, "fixturenames", ())))


def _browser_name(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "browser_name" in callspec.params:
        return str(callspec.params["browser_name"])
    browsers = item.config.getoption("browser", None)
    return browsers[0] if browsers else "chromium"


def _error_text(report: pytest.TestReport) -> str:
    """The report's whole text: it is cut to its last _ERROR_CHARS once it has been redacted."""
    text = getattr(report, "longreprtext", "") or ""
    if hasattr(report, "wasxfail") and not text:
        text = f"xfail: {report.wasxfail}"
    return text
