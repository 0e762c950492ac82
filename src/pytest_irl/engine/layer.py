"""The step runner's one entry: each step (an action, an assertion, a list query) is recorded in the
running test's run and run by its strategy (``runner.Policy`` for actions, ``assertion_steps`` for
assertions and queries); a successful one teaches the healer its element. Also where the page
observer is installed in each browser context, and where its reports arrive."""

from __future__ import annotations

import functools
import time
import weakref
from collections.abc import Callable
from typing import Any, Protocol

from ..heal import Fingerprint
from ..models import Step
from .action import Action, first_line
from .context import NO_TEST, TestContext
from .healing import Healer
from .lists import Lists
from .observer import REPORT_BINDING, observer_script, take_reports
from .recorder import RunRecorder
from .runner import Policy


class StepStrategy(Protocol):
    """How one kind of step is run: its tries go into ``step.attempts`` (step None: not recorded)."""

    def execute(self, action: Action, step: Step | None, test: TestContext) -> Any: ...


class Layer:
    """One per pytest process: the healers, the step runner, and the test that is running."""

    def __init__(self, healer: Healer | None = None, lists: Lists | None = None,
                 on_error: Callable[[str], None] | None = None) -> None:
        self.healer = healer
        # The list healer: learned sets, list heals (``wiring.build_layer`` makes both).
        self.lists = lists
        self.policy = Policy(healer)
        # The running test's context (its item's stash holds it): the one way from a Playwright
        # call, which knows nothing of pytest, to the test it belongs to. None between tests.
        self.test: TestContext | None = None
        self._on_error = on_error
        self._script: str | None = None
        # The contexts with the observer: where settle_learning takes the reports still queued.
        self._contexts: weakref.WeakSet[Any] = weakref.WeakSet()
        # Called with each browser context the layer instruments (the live stream watches them).
        self.context_listeners: list[Callable[[Any], None]] = []
        # Called with a page (raw) just before the test starts that page's own screencast: the live
        # stream's screencast steps aside, since a page has one.
        self.screencast_listeners: list[Callable[[Any], None]] = []

    def begin_test(self, test: TestContext) -> None:
        self.test = test

    def end_test(self) -> None:
        self.test = None

    @property
    def current(self) -> RunRecorder | None:
        """The run being recorded, if any."""
        return self.test.recorder if self.test is not None else None

    def before_test_screencast(self, page: Any) -> None:
        for listener in self.screencast_listeners:
            try:
                listener(page)
            except Exception:
                pass  # the stream's trouble, never the test's

    def run(self, action: Action, strategy: StepStrategy | None = None) -> Any:
        """``action`` as one step of the running test, run by ``strategy`` (an action's: the
        retry-and-heal policy)."""
        test = self.test or NO_TEST
        runner = strategy or self.policy
        recorder = test.recorder
        if recorder is None:
            return runner.execute(action, None, test)
        step = self._safely(lambda: recorder.begin(action))
        recorder.in_flight = step
        started = time.perf_counter()
        error: BaseException | None = None
        try:
            return runner.execute(action, step, test)
        except BaseException as exc:
            error = exc
            raise
        finally:
            recorder.in_flight = None
            if step is not None:
                url = self._url_of(action)
                self._safely(lambda: recorder.end(step, started, url, error))
                if error is None:
                    self._safely(lambda: self._learn(test, recorder, step, action, url))

    def _learn(self, test: TestContext, recorder: RunRecorder, step: Step, action: Action,
               url: str | None) -> None:
        """Teach the healer the element this successful step acted on."""
        healer = self.healer
        if healer is None or action.target is None or not action.learns_element \
                or step.self_healing is not None:
            return
        reached = recorder.reached.get(step.step_number)
        if reached is not None:
            healer.learn(step.selector, url, reached, test)
        else:
            # No report (yet): a read, a no-op check(), an element reported under another locator,
            # a document whose observer was cut off. One query, only while nothing is known.
            healer.learn_by_query(action, url, test)

    def settle_learning(self) -> None:
        """Let the learning questions still on their way be answered (the test body is over, its
        pages still open), briefly: the last steps of a test are learned too."""
        healer = self.healer
        if healer is not None:
            self._safely(healer.questions.settle)
        recorder = self.current
        if recorder is not None and recorder.awaits_typed_reports():
            # Values whose "no secret" confirmation is still queued in the page (observer.js):
            # taken now, or the record would mask them.
            for context in list(self._contexts):
                self._safely(functools.partial(self._take_reports, context))

    def _on_element(self, data: Any) -> None:
        test, healer = self.test, self.healer
        recorder = test.recorder if test is not None else None
        if test is None or recorder is None or healer is None or not isinstance(data, dict):
            return
        fingerprint = Fingerprint.model_validate(data)
        # Whose report it is: the step whose locator matches the element, not merely the one in
        # flight (a late report would otherwise be taken for the next step's and both lost).
        step = next((s for s in recorder.steps_for_report() if healer.agrees(s.selector, fingerprint)), None)
        if step is None:
            return
        recorder.reached[step.step_number] = fingerprint
        if step is not recorder.in_flight and step.self_healing is None:
            # The report came after its step ended: learn now, as the step's end would have.
            healer.learn(step.selector, step.url, fingerprint, test)

    def instrument_context(self, context: Any) -> None:
        """Install the page observer in ``context`` (a raw BrowserContext), once."""
        if getattr(context, "_irl_instrumented", False):
            return
        context._irl_instrumented = True

        def on_report(_source: Any, payload: Any) -> None:
            for one in payload if isinstance(payload, list) else [payload]:  # a batch (observer.js)
                self._on_report(one)

        if self._script is None:
            self._script = observer_script()
        try:
            context.expose_binding(REPORT_BINDING, on_report)
            context.add_init_script(script=self._script)
            self._contexts.add(context)
        except Exception as exc:  # a closed or remote context: record without the observer
            self._report(f"page observer not installed: {first_line(exc)}")
        for listener in self.context_listeners:
            listener(context)

    def _take_reports(self, context: Any) -> None:
        for payload in take_reports(context):
            self._on_report(payload)

    def _on_report(self, payload: Any) -> None:
        """One report of the page observer (observer.js), for the running test."""
        recorder = self.current
        if recorder is None or not isinstance(payload, dict):
            return
        if payload.get("kind") == "typed":
            self._safely(lambda: recorder.on_typed(
                str(payload.get("shape")), bool(payload.get("secret")), payload.get("value"),
                payload.get("field")))
        elif payload.get("kind") == "element":
            self._safely(lambda: self._on_element(payload.get("fingerprint")))

    def _url_of(self, action: Action) -> str | None:
        if action.owner is not None:
            try:
                return str(action.owner.url)
            except Exception:
                return None
        try:
            return str(action.target.page.url) if action.target is not None else None
        except Exception:
            return None

    def _safely(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except Exception as exc:  # recording must never change a test's outcome
            self._report(f"recording error: {first_line(exc)}")
            return None

    def _report(self, message: str) -> None:
        if self._on_error is not None:
            self._on_error(message)
