"""What the layer knows across actions: learned fingerprints and this session's heals."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel

from ..heal import Fingerprint
from ..models import SelfHealing

Learned = TypeVar("Learned", bound=BaseModel)
Cached = TypeVar("Cached")

# How long a heal may wait for the learned fingerprints to arrive from the database.
LOAD_WAIT_S = 3.0


def url_path(url: str | None) -> str:
    """The part of a URL that names a page of the app: no host or port (they change per run)."""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https", "file"):
        return parts.path or "/"
    return parts.scheme + ":"


@dataclass
class CachedHeal:
    """A heal found earlier in this session, tried first the next time the same locator breaks."""

    selector: str
    info: SelfHealing


class KeyedMemory(Generic[Learned, Cached]):
    """What was learned for a locator, by (selector, page path, test), falling back to the same
    page in any test, then anywhere; and the heals found in this session, by (selector, page path).

    Loaded rows are validated with ``model``; one that does not validate (an older shape) is skipped.
    """

    def __init__(self, model: type[Learned]) -> None:
        self.model = model
        self._lock = threading.Lock()
        self._exact: dict[tuple[str, str, str], Learned] = {}
        self._page: dict[tuple[str, str], Learned] = {}
        self._any: dict[str, Learned] = {}
        self._heals: dict[tuple[str, str], Cached] = {}

    def load(self, rows: list[tuple[str, str, str, dict[str, Any]]]) -> None:
        """Rows newest first, as the store returns them; later learning overrides them."""
        with self._lock:
            for selector, path, nodeid, data in reversed(rows):
                try:
                    learned = self.model.model_validate(data)
                except Exception:
                    continue
                self._put(selector, path, nodeid, learned)

    def learn(self, selector: str, path: str, nodeid: str, learned: Learned) -> None:
        with self._lock:
            self._put(selector, path, nodeid, learned)

    def _put(self, selector: str, path: str, nodeid: str, learned: Learned) -> None:
        self._exact[(selector, path, nodeid)] = learned
        self._page[(selector, path)] = learned
        self._any[selector] = learned

    def lookup(self, selector: str, path: str, nodeid: str, *, exact: bool = False) -> Learned | None:
        """The best reference for ``selector``: same test and page, else (unless ``exact``) same
        page, else anywhere."""
        with self._lock:
            found = self._exact.get((selector, path, nodeid))
            if found is not None or exact:
                return found
            return self._page.get((selector, path)) or self._any.get(selector)

    def knows(self, selector: str, path: str, nodeid: str) -> bool:
        with self._lock:
            return (selector, path, nodeid) in self._exact

    def cached_heal(self, selector: str, path: str) -> Cached | None:
        with self._lock:
            return self._heals.get((selector, path))

    def remember_heal(self, selector: str, path: str, heal: Cached) -> None:
        with self._lock:
            self._heals[(selector, path)] = heal

    def forget_heal(self, selector: str, path: str) -> None:
        with self._lock:
            self._heals.pop((selector, path), None)


class Memory(KeyedMemory[Fingerprint, CachedHeal]):
    """Learned element fingerprints, which a heal may wait for while they load from the store."""

    def __init__(self) -> None:
        super().__init__(Fingerprint)
        self.loaded = threading.Event()

    def load(self, rows: list[tuple[str, str, str, dict[str, Any]]]) -> None:
        super().load(rows)
        self.loaded.set()

    def lookup(
        self, selector: str, path: str, nodeid: str, *, wait: bool = True, exact: bool = False,
    ) -> Fingerprint | None:
        if wait:
            self.loaded.wait(LOAD_WAIT_S)
        return super().lookup(selector, path, nodeid, exact=exact)
