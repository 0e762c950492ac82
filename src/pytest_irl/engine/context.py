"""One test's state, made when the test starts and kept in its item's stash.

What differs from one test to the next (which test it is, whether it may heal, the run being
recorded) lives here and is handed to whatever needs it (the runner, the healers, the recorder)
instead of being set on, and reset on, objects that live for the whole session.
"""

from __future__ import annotations

from dataclasses import dataclass

from .recorder import RunRecorder


@dataclass
class TestContext:
    __test__ = False  # not a pytest test class, whatever its name says

    nodeid: str
    recorder: RunRecorder | None = None  # None: steps run, but nothing records them
    heals: bool = True  # @pytest.mark.irl(heal=False): retry and learn, never heal


# Calls made while no test runs (a session fixture's, the tests' own bare layers).
NO_TEST = TestContext("")
