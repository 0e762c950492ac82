"""What the stream server serves: per run, the latest frame (only the latest) and the live steps."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ..models import Step, TestRun

# Finished runs stay viewable (last frame, full step list) until the session ends; past this many,
# the oldest finished ones are forgotten so that a long session's memory stays bounded.
KEEP_FINISHED = 1000
# Redacts a list of steps as ``Step.to_json()`` gives them (RunRecorder.steps_json).
Redact = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
# A run counts as watched while a viewer has asked for a frame within this many seconds.
WATCHED_FOR_S = 2.0


class Frame:
    """One JPEG frame: its sequence number, the bytes, and when the browser captured it."""

    __slots__ = ("captured_ms", "data", "height", "published", "seq", "width")

    def __init__(self, seq: int, data: bytes, captured_ms: float, width: int, height: int) -> None:
        self.seq = seq
        self.data = data
        self.captured_ms = captured_ms
        self.width = width
        self.height = height
        self.published = time.monotonic()


class RunStream:
    """The live state of one run: a one-frame slot that viewers read at their own pace.

    ``publish`` only replaces the slot and wakes the viewers, so the test never waits for a
    viewer, and a slow viewer simply misses frames: nothing queues up.
    """

    def __init__(self, run: TestRun, redact: Redact | None = None) -> None:
        self.run = run
        # The run's redaction (redact.py): applied to the steps on every answer, not once when a
        # step is serialized, since a secret may be learned after its step ended.
        self.redact = redact
        self.finished = False
        self.source: str | None = None  # where its frames come from: "screenshots", "screencast"...
        self._frame: Frame | None = None
        self._cond = threading.Condition()
        self._steps_lock = threading.Lock()
        self._done_json: list[dict[str, Any]] = []
        self._final = False
        self._viewed_at = float("-inf")
        # Called (from a viewer's thread) when someone starts watching: starts the frame source.
        self.on_watch: Callable[[], None] | None = None

    @property
    def run_id(self) -> str:
        return str(self.run.id)

    def publish(self, data: bytes, captured_ms: float | None = None, width: int = 0, height: int = 0) -> None:
        with self._cond:
            seq = self._frame.seq + 1 if self._frame is not None else 1
            stamp = captured_ms if captured_ms else time.time() * 1000.0
            self._frame = Frame(seq, data, stamp, width, height)
            self._cond.notify_all()

    def viewed(self) -> None:
        """A viewer asked for a frame (or is waiting for one)."""
        was_watched = self.watched()
        now = self._viewed_at = time.monotonic()
        on_watch = self.on_watch
        frame = self._frame
        # Someone starts watching, or the frames stopped coming (the source may have stepped
        # aside for a while): the source is asked to run; it does nothing if it is running.
        stale = frame is None or now - frame.published > WATCHED_FOR_S
        if on_watch is not None and (not was_watched or stale):
            on_watch()

    def watched(self) -> bool:
        return time.monotonic() - self._viewed_at < WATCHED_FOR_S

    def finish(self) -> None:
        with self._cond:
            self.finished = True
            self._cond.notify_all()

    @property
    def latest(self) -> Frame | None:
        return self._frame

    def next_frame(self, after: int, timeout: float) -> Frame | None:
        """The latest frame if it is newer than ``after``; else wait up to ``timeout`` for one."""
        deadline = time.monotonic() + timeout
        self.viewed()
        with self._cond:
            while True:
                frame = self._frame
                if frame is not None and frame.seq > after:
                    return frame
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(min(left, WATCHED_FOR_S / 2))
                self.viewed()

    def state(self, since: int = 0) -> dict[str, Any]:
        """The run as the stream page shows it, JSON-ready, with its steps from number ``since`` on.

        A viewer polls a few times a second and asks only for the steps from the last one it
        has (that one may have ended or been healed since): the response stays small however long
        the test, and a step is serialized once it is over, not on every poll.
        """
        run = self.run
        frame = self._frame
        steps = self._steps()
        since = min(max(0, since), len(steps))
        return {
            "runId": self.run_id,
            "nodeid": run.nodeid,
            "status": run.status,
            "finished": self.finished,
            "steps": self._shown(steps[since:]),
            "stepsFrom": since,
            "stepCount": len(steps),
            "frameSeq": frame.seq if frame is not None else 0,
            "source": self.source,
        }

    def _shown(self, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.redact is None:
            return steps
        try:
            return self.redact(steps)
        except Exception:  # nothing that could not be redacted is served
            return [{"stepNumber": s.get("stepNumber"), "action": s.get("action")} for s in steps]

    def _steps(self) -> list[dict[str, Any]]:
        # Every step but the last is over (the test's thread runs one action at a time) and is
        # serialized once; the last one again on each call, and all of them again once the run
        # has finished, in case the end of the run touched one.
        steps = list(self.run.steps)
        done = len(steps) if self.finished else max(0, len(steps) - 1)
        with self._steps_lock:
            if self.finished and not self._final:
                self._done_json = []
                self._final = True
            while len(self._done_json) < done:
                self._done_json.append(_step_json(steps[len(self._done_json)]))
            return self._done_json[:done] + [_step_json(step) for step in steps[done:]]


def _step_json(step: Step) -> dict[str, Any]:
    # The test's thread may be updating the step while a server thread serializes it: retry a
    # step caught in the middle of an update.
    for _ in range(3):
        try:
            return step.to_json()
        except RuntimeError:
            continue
    return {"stepNumber": step.step_number, "action": step.action}


class Hub:
    """Every run this process has streamed in the session, by run id."""

    def __init__(self, keep_finished: int = KEEP_FINISHED) -> None:
        self._runs: OrderedDict[str, RunStream] = OrderedDict()
        self._lock = threading.Lock()
        self._keep_finished = keep_finished

    def add(self, run: TestRun, redact: Redact | None = None) -> RunStream:
        with self._lock:
            stream = self._runs.get(str(run.id))
            if stream is None:
                stream = self._runs[str(run.id)] = RunStream(run, redact)
                self._forget_old()
            return stream

    def get(self, run_id: str) -> RunStream | None:
        with self._lock:
            return self._runs.get(run_id)

    def runs(self) -> list[RunStream]:
        with self._lock:
            return list(self._runs.values())

    def close(self) -> None:
        with self._lock:
            streams = list(self._runs.values())
        for stream in streams:
            stream.finish()

    def _forget_old(self) -> None:
        finished = [key for key, stream in self._runs.items() if stream.finished]
        for key in finished[: max(0, len(finished) - self._keep_finished)]:
            del self._runs[key]
