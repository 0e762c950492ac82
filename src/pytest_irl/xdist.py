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
