"""pytest-xdist integration: workers record into the controller's session."""

from __future__ import annotations

from typing import Any

import pytest


class XdistIntegration:
    def __init__(self, recording: Any) -> None:
        self.recording = recording

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["irl_session_id"] = str(self.recording.session_id)
        node.workerinput["irl_controller_id"] = str(self.recording.controller_id)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        # A worker that crashed (SIGKILL, segfault) never finishes its current test's row.
        if error:
            self.recording.interrupt_runs(str(node.gateway.id))
        # A worker's terminal output is never shown: what its writer kept or lost is told here.
        outcome = getattr(node, "workeroutput", {}).get("irl_writer")
        writer = self.recording.writer
        if outcome and writer is not None:
            writer.absorb(str(node.gateway.id), outcome)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        # On a worker: after the recording closed its writer, before xdist sends workeroutput.
        workeroutput = getattr(session.config, "workeroutput", None)
        writer = self.recording.writer
        if workeroutput is not None and writer is not None:
            workeroutput["irl_writer"] = writer.outcome()
