"""What a report shows, as plain data: sessions -> tests -> runs (attempts) -> steps.

``build`` turns rows as the database API returns them (dicts) into these dataclasses, and does
no I/O, so that a server can call it per request with rows of its own; ``load`` reads the rows
from a ``Database``. Locators are shown as a person writes them in Python
(``healed_locator.python_of``); the selfHealing info a step holds is read as it is stored, older
steps (without ``changes``) included.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..engine.healed_locator import python_of

if TYPE_CHECKING:
    from ..store.db import Database

# A report is one file that is mailed and opened anywhere: what it embeds is bounded. Each
# screenshot is at most screenshot.MAX_BYTES already; past this many in one report the rest are
# named, not embedded.
MAX_SHOTS = 120
# A step's error and a run's error, as shown (the run's whole error is at most 4000 characters).
MAX_STEP_ERROR = 1500
MAX_RUN_ERROR = 4000


@dataclass
class Shot:
    kind: str  # "heal" or "failure"
    step_number: int
    width: int
    height: int
    box: dict[str, float] | None  # the element outlined, in the image's pixels
    data_uri: str | None  # None: over the report's MAX_SHOTS, not embedded


@dataclass
class Candidate:
    python: str
    selector: str
    score: float | None


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class Heal:
    """A heal applied (``kind="healed"``), refused, suggested (``--irl-heal=suggest``) or a drift
    warning: what was asked for, what was (or would have been) used, and why."""

    kind: str
    strategy: str
    original_selector: str
    original_python: str
    healed_selector: str | None = None
    healed_python: str | None = None
    confidence: float | None = None
    note: str = ""
    candidates: list[Candidate] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)


@dataclass
class Step:
    number: int
    action: str
    selector: str | None
    python: str | None  # the selector as Python code
    success: bool
    duration_ms: float
    url: str | None = None
    location: str | None = None
    value: Any = None
    error: str | None = None
    heals: list[Heal] = field(default_factory=list)
    shot: Shot | None = None  # taken at its heal

    @property
    def healed(self) -> bool:
        return any(h.kind == "healed" for h in self.heals)

    @property
    def refused(self) -> bool:
        return any(h.kind == "refused" for h in self.heals)


@dataclass
class Run:
    id: str
    status: str
    attempt: int
    flaky: bool
    started_at: datetime | None
    duration_ms: float | None
    error: str | None
    steps: list[Step]
    failure_shot: Shot | None = None
    trace_path: str | None = None  # the Playwright trace pytest-playwright kept (pw/traces.py)

    @property
    def healed(self) -> int:
        return sum(1 for s in self.steps if s.healed)

    @property
    def refused(self) -> int:
        return sum(1 for s in self.steps if s.refused)


@dataclass
class Test:
    """One test of a session and its attempts (a rerun is another attempt)."""

    nodeid: str
    runs: list[Run]

    @property
    def status(self) -> str:
        return self.runs[-1].status

    @property
    def failed(self) -> bool:
        return self.status in ("failed", "error", "interrupted")

    @property
    def flaky(self) -> bool:
        # Passed on a rerun, or attempts that disagree.
        return any(r.flaky for r in self.runs) or len({r.status for r in self.runs}) > 1

    @property
    def healed(self) -> int:
        return sum(r.healed for r in self.runs)

    @property
    def refused(self) -> int:
        return sum(r.refused for r in self.runs)


@dataclass
class Session:
    id: str
    started_at: datetime | None
    finished_at: datetime | None
    status: str
    exit_status: int | None
    host: str
    args: list[str]
    tests: list[Test]


@dataclass
class Report:
    sessions: list[Session]
    generated_at: datetime
    shots_left_out: int = 0  # screenshots over MAX_SHOTS, named but not embedded


# building -------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=8192)
def written(selector: str) -> str:
    """``selector`` as Python code (cached: a suite repeats its locators thousands of times)."""
    return python_of(selector)


def _cut(text: Any, limit: int) -> str | None:
    if text is None:
        return None
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _float(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def _candidates(raw: Any) -> list[Candidate]:
    out = []
    for c in raw if isinstance(raw, list) else []:
        if isinstance(c, Mapping) and c.get("selector"):
            out.append(Candidate(written(str(c["selector"])), str(c["selector"]), _float(c.get("score"))))
    return out


def _changes(raw: Any) -> list[Change]:
    return [Change(str(c.get("field", "")), str(c.get("before", "")), str(c.get("after", "")))
            for c in (raw if isinstance(raw, list) else []) if isinstance(c, Mapping)]


def _heal(kind: str, raw: Any, selector: str | None) -> Heal | None:
    if not isinstance(raw, Mapping):
        return None
    original = str(raw.get("originalSelector") or selector or "")
    healed = raw.get("healedSelector")
    python = raw.get("suggestedLocator") or (written(str(healed)) if healed else None)
    return Heal(
        kind=kind, strategy=str(raw.get("strategy") or ""), original_selector=original,
        original_python=written(original) if original else "", healed_selector=healed,
        healed_python=python, confidence=_float(raw.get("score")), note=str(raw.get("note") or ""),
        candidates=_candidates(raw.get("candidates")), changes=_changes(raw.get("changes")),
    )


def _step(raw: Mapping[str, Any]) -> Step:
    selector = raw.get("selector")
    heals = [
        heal for kind, key in (("healed", "selfHealing"), ("refused", "healRefused"),
                               ("suggested", "healSuggestion"), ("drift", "driftWarning"))
        if (heal := _heal(kind, raw.get(key), selector)) is not None
    ]
    return Step(
        number=int(raw.get("stepNumber") or 0), action=str(raw.get("action") or ""), selector=selector,
        python=written(selector) if selector else None, success=bool(raw.get("success", True)),
        duration_ms=_float(raw.get("durationMs")) or 0.0, url=raw.get("url"), location=raw.get("location"),
        value=raw.get("value"), error=_cut(raw.get("error"), MAX_STEP_ERROR), heals=heals,
    )


class _Shots:
    """Screenshot rows by (run, step, kind), embedded as data: URIs up to MAX_SHOTS."""

    def __init__(self, rows: Iterable[Mapping[str, Any]], limit: int) -> None:
        self.rows = {(str(r["run_id"]), int(r["step_number"]), str(r["kind"])): r for r in rows}
        self.limit = limit
        self.embedded = 0
        self.left_out = 0

    def take(self, run_id: str, step_number: int | None, kind: str) -> Shot | None:
        """The screenshot of this step, or with ``step_number`` None the run's last of ``kind``."""
        if step_number is None:
            found = [key for key in self.rows if key[0] == run_id and key[2] == kind]
            if not found:
                return None
            step_number = max(found)[1]
        row = self.rows.get((run_id, step_number, kind))
        if row is None:
            return None
        data_uri = None
        if self.embedded < self.limit:
            self.embedded += 1
            mime = str(row.get("mime") or "image/jpeg")
            data_uri = f"data:{mime};base64,{base64.b64encode(bytes(row['image'])).decode('ascii')}"
        else:
            self.left_out += 1
        return Shot(kind, step_number, int(row["width"]), int(row["height"]), row.get("box"), data_uri)


def build(
    sessions: Iterable[Mapping[str, Any]], runs: Iterable[Mapping[str, Any]],
    shots: Iterable[Mapping[str, Any]] = (), *, generated_at: datetime | None = None,
    max_shots: int = MAX_SHOTS,
) -> Report:
    """The report of ``sessions`` (rows of test_sessions), their ``runs`` (rows of test_runs,
    steps included) and their ``shots`` (rows of step_screenshots). Failures' screenshots are
    embedded first, then heals', newest session first."""
    by_session: dict[str, list[Mapping[str, Any]]] = {}
    for run in runs:
        by_session.setdefault(str(run["session_id"]), []).append(run)
    store = _Shots(shots, max_shots)
    out: list[Session] = []
    for s in sessions:
        tests: dict[str, Test] = {}
        for raw in sorted(by_session.get(str(s["id"]), []), key=_run_order):
            run = Run(
                id=str(raw["id"]), status=str(raw.get("status") or ""), attempt=int(raw.get("attempt") or 1),
                flaky=bool(raw.get("flaky")), started_at=raw.get("started_at"),
                duration_ms=_float(raw.get("duration_ms")), error=_cut(raw.get("error"), MAX_RUN_ERROR),
                steps=[_step(step) for step in raw.get("steps") or [] if isinstance(step, Mapping)],
                trace_path=str(raw["trace_path"]) if raw.get("trace_path") else None,
            )
            tests.setdefault(str(raw["nodeid"]), Test(str(raw["nodeid"]), [])).runs.append(run)
        out.append(Session(
            id=str(s["id"]), started_at=s.get("started_at"), finished_at=s.get("finished_at"),
            status=str(s.get("status") or ""), exit_status=s.get("exit_status"),
            host=str(s.get("host") or ""), args=[str(a) for a in s.get("args") or []],
            tests=list(tests.values()),
        ))
    _attach_shots(out, store)
    return Report(out, generated_at or datetime.now().astimezone(), store.left_out)


def _run_order(run: Mapping[str, Any]) -> tuple[int, float]:
    # First attempts in the order they started, then reruns: a test's place is its first run's.
    started = run.get("started_at")
    return int(run.get("attempt") or 1), started.timestamp() if isinstance(started, datetime) else 0.0


def _attach_shots(sessions: list[Session], store: _Shots) -> None:
    runs = [run for session in sessions for test in session.tests for run in test.runs]
    for run in runs:  # failures first: a failed run's last screen matters most
        if run.status in ("failed", "error"):
            run.failure_shot = store.take(run.id, None, "failure")
    for run in runs:
        for step in run.steps:
            if step.healed:
                step.shot = store.take(run.id, step.number, "heal")


# loading --------------------------------------------------------------------------------------
def load(db: Database, *, session: str | None = None, last: int = 1, max_shots: int = MAX_SHOTS) -> Report:
    """The report of one session (an id or its first characters) or of the ``last`` sessions,
    newest first. An unknown session raises LookupError."""
    from ..store.screenshots import ScreenshotStore

    if session is not None:
        found = db.find_session(session)
        if found is None:
            raise LookupError(f"no session {session!r}")
        sessions = [found]
    else:
        sessions = db.recent_sessions(limit=max(1, last))
    runs = db.runs_with_steps([s["id"] for s in sessions])
    shots = ScreenshotStore(db).of_runs([r["id"] for r in runs])
    return build(sessions, runs, shots, max_shots=max_shots)
