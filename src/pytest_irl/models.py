"""The record: a test run and its steps, in the seed's camelCase JSON shape.

Python attributes are snake_case; ``model_dump(by_alias=True)`` gives the JSON stored in
``test_runs.steps`` (``stepNumber``, ``selfHealing``, ``originalSelector`` ...).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from .storable import storable_json, utcnow

RunStatus = Literal["running", "passed", "failed", "skipped", "error", "interrupted"]

class _Camel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")


class SelfHealing(_Camel):
    """How a step's locator was healed: present on a step only when a heal happened."""

    strategy: str
    original_selector: str
    healed_selector: str
    note: str = ""
    score: float | None = None
    candidates: list[dict[str, Any]] | None = None
    suggested_locator: str | None = None  # the locator to write instead, as Python code
    element: str | None = None  # CSS path of the element acted on
    review: dict[str, Any] | None = None  # a person accepted this heal (reviews.py): id, verdict, when
    # The attributes that differ between the element meant (learned, or what the locator said)
    # and the one used: ``[{"field", "before", "after"}]`` (heal.changes.attribute_changes).
    changes: list[dict[str, str]] | None = None


class Attempt(_Camel):
    """One try of an action: the original locator, a retry, or a healed candidate."""

    strategy: str = "original"
    selector: str | None = None
    outcome: Literal["ok", "error", "waiting"] = "ok"
    error: str | None = None
    duration_ms: float = 0.0


class Step(_Camel):
    step_number: int
    action: str
    selector: str | None = None
    success: bool = True
    duration_ms: float = 0.0
    started_at: datetime = Field(default_factory=utcnow)
    url: str | None = None
    value: Any = None
    error: str | None = None
    location: str | None = None
    # SHA-256 of the location's file as it was run, on healed steps: `irl fix` refuses to rewrite
    # a file that has changed since (its line numbers and code may no longer be the healed ones).
    source_sha256: str | None = None
    attempts: list[Attempt] = Field(default_factory=list)
    self_healing: SelfHealing | None = None
    # Present only when something was found but not acted on: a refused heal (with its
    # candidates), what --irl-heal=suggest would have healed, a drift seen with --irl-drift=warn.
    heal_refused: dict[str, Any] | None = None
    heal_suggestion: SelfHealing | None = None
    drift_warning: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        data = self.model_dump(by_alias=True, mode="json", exclude_none=True)
        return storable_json(data)


class TestRun(_Camel):
    """One attempt of one test, as stored in ``test_runs``."""

    __test__ = False  # not a pytest test class, despite the name

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    session_id: uuid.UUID
    nodeid: str
    status: RunStatus = "running"
    attempt: int = 1
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    duration_ms: float | None = None
    error: str | None = None
    browser: str | None = None
    stream_url: str | None = None
    worker: str | None = None
    steps: list[Step] = Field(default_factory=list)
    first_run_id: uuid.UUID | None = None  # a rerun: the row of the test's first attempt
    flaky: bool = False  # the passing rerun of a test that failed first
    controller_id: uuid.UUID | None = None  # the pytest process (xdist controller) that ran it
    trace_path: str | None = None  # the trace pytest-playwright's --tracing kept for it (pw/traces.py)
