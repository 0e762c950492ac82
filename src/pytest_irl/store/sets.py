"""Learned list (set) fingerprints: the element store's shape, in table list_fingerprints."""

from __future__ import annotations

from .db import FingerprintStore


class ListStore(FingerprintStore):
    table = "list_fingerprints"
    limit = 50_000
