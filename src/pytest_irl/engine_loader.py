"""The engine, imported in a thread while the first test's browser starts, and built once.

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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine.healing import Healer
    from .engine.layer import Layer
    from .reviews import Review

# What the recording uses once the first test's Playwright objects are wrapped, heaviest first.
MODULES = (
    "pytest_irl.models",
    "pytest_irl.engine.wiring",
    "pytest_irl.engine.context",
    "pytest_irl.engine.recorder",
    "pytest_irl.proxy",
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

            compat.unavailable()  # imported, and its probes of Playwright's files run (cached)
        except BaseException:
            pass  # the main thread imports it again and meets the error itself


@dataclass
class History:
    """What earlier sessions left for this one: learned elements and lists, heal reviews."""

    fingerprints: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)
    lists: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)


class LazyEngine:
    """The session's engine (the layer, its healers, what they learn): imported by an
    ``EngineLoader`` thread, built by ``build`` when first asked for, and loaded with what the
    store had (``History``), whether the store answers before it is built or after.

    ``get`` may be called from any thread (the writer's too); the history is loaded exactly once.
    """

    def __init__(self, build: Callable[[], Layer]) -> None:
        self._build = build
        self.loader = EngineLoader()
        self._layer: Layer | None = None
        self._lock = threading.Lock()
        self._history: History | None = None  # what the store had, once it has answered
        self._no_history = False  # a new embedded store: nothing to wait for

    @property
    def built(self) -> Layer | None:
        return self._layer

    def get(self) -> Layer:
        layer = self._layer
        return layer if layer is not None else self._build_once()

    def history_read(self, history: History) -> None:
        """The store's answer (in the writer's thread): loaded now if the engine is built."""
        with self._lock:
            self._history = history
            layer = self._layer
        if layer is not None:
            _load(layer, history)

    def nothing_to_read(self) -> None:
        """A new store: healing need not wait for its answer."""
        with self._lock:
            self._no_history = True
            layer = self._layer
        if layer is not None:
            _loaded(_healer(layer))

    def _build_once(self) -> Layer:
        self.loader.wait()
        with self._lock:
            if self._layer is not None:  # another thread was first
                return self._layer
            layer = self._build()
            if self._history is not None:  # the store answered first
                _load(layer, self._history)
            elif self._no_history:
                _loaded(_healer(layer))
            else:
                _healer(layer).reviews.loaded.clear()  # until the store has answered
            self._layer = layer
            return layer


def _healer(layer: Layer) -> Healer:
    assert layer.healer is not None  # wiring.build_layer made it
    return layer.healer


def _load(layer: Layer, history: History) -> None:
    healer = _healer(layer)
    assert layer.lists is not None  # wiring.build_layer made it
    try:
        healer.memory.load(history.fingerprints)
        layer.lists.memory.load(history.lists)
        healer.reviews.load(history.reviews)
    finally:
        _loaded(healer)


def _loaded(healer: Healer) -> None:
    healer.reviews.loaded.set()
    healer.memory.loaded.set()
