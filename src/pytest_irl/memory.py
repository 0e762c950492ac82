"""What the layer knows across actions: learned fingerprints and this session's heals."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .heal import Fingerprint
from .models import SelfHealing

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


class Memory:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._exact: dict[tuple[str, str, str], Fingerprint] = {}
        self._page: dict[tuple[str, str], Fingerprint] = {}
        self._any: dict[str, Fingerprint] = {}
        self._heals: dict[tuple[str, str], CachedHeal] = {}
        self.loaded = threading.Event()

    def load(self, rows: list[tuple[str, str, str, dict[str, Any]]]) -> None:
        """Rows newest first, as the store returns them; later learning overrides them."""
        with self._lock:
            for selector, path, nodeid, data in reversed(rows):
                try:
                    fp = Fingerprint.model_validate(data)
                except Exception:
                    continue
                self._put(selector, path, nodeid, fp)
        self.loaded.set()

    def learn(self, selector: str, path: str, nodeid: str, fp: Fingerprint) -> None:
        with self._lock:
            self._put(selector, path, nodeid, fp)

    def _put(self, selector: str, path: str, nodeid: str, fp: Fingerprint) -> None:
        self._exact[(selector, path, nodeid)] = fp
        self._page[(selector, path)] = fp
        self._any[selector] = fp

    def lookup(
        self, selector: str, path: str, nodeid: str, *, wait: bool = True, exact: bool = False,
    ) -> Fingerprint | None:
        """The best reference for ``selector``: same test and page, else (unless ``exact``) same
        page, else anywhere."""
        if wait:
            self.loaded.wait(LOAD_WAIT_S)
        with self._lock:
            found = self._exact.get((selector, path, nodeid))
            if found is not None or exact:
                return found
            return self._page.get((selector, path)) or self._any.get(selector)

    def knows(self, selector: str, path: str, nodeid: str) -> bool:
        with self._lock:
            return (selector, path, nodeid) in self._exact

    def cached_heal(self, selector: str, path: str) -> CachedHeal | None:
        with self._lock:
            return self._heals.get((selector, path))

    def remember_heal(self, selector: str, path: str, heal: CachedHeal) -> None:
        with self._lock:
            self._heals[(selector, path)] = heal

    def forget_heal(self, selector: str, path: str) -> None:
        with self._lock:
            self._heals.pop((selector, path), None)
