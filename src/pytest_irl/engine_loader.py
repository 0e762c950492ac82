"""The engine, imported in a thread while the first test's browser starts.

Importing the engine, the healing core and their pydantic models costs about 0.2 s of CPU, which
a short test of quick actions would otherwise feel on top of its run (issue #15, point 6).
Nothing needs them before the first Playwright object is wrapped, and until then the main thread
mostly waits: for the Playwright driver to start and for Chromium to launch. So the recording
starts this thread when the test loop starts and joins it when it first needs the engine.

Not earlier than the test loop: pytest's assertion-rewriting import hook skips any module that is
imported while another thread writes a rewritten module's cache, and collection imports the test
modules, whose asserts must be rewritten. Python's import lock makes the rest safe: a module the
thread has imported is in ``sys.modules``; one it is still importing, the main thread waits for.
"""

from __future__ import annotations

import importlib
import threading

# What the recording uses once the first test's Playwright objects are wrapped, heaviest first.
MODULES = (
    "pytest_irl.models",
    "pytest_irl.engine.wiring",
    "pytest_irl.engine.context",
    "pytest_irl.engine.recorder",
    "pytest_irl.proxy",
    "pytest_irl.pw.compat",
)


class EngineLoader:
    def __init__(self) -> None:
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._load, name="irl-engine-import", daemon=True)
            self._thread.start()

    def wait(self) -> None:
        """Until the thread is done (at once when it was never started)."""
        if self._thread is not None:
            self._thread.join()

    @staticmethod
    def _load() -> None:
        try:
            for name in MODULES:
                importlib.import_module(name)
            from .pw import compat

            compat.unavailable()  # probes Playwright's files once (cached)
        except BaseException:
            pass  # the main thread imports it again and meets the error itself
