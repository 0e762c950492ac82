"""Learned list (set) fingerprints, read and written through a Database (table list_fingerprints)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from psycopg.types.json import Jsonb

from ..models import storable, storable_json
from .db import Database, fingerprint_key


class ListStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def upsert(self, data: Mapping[str, Any]) -> None:
        selector, url_path, nodeid = (storable(str(data[k])) for k in ("selector", "url_path", "nodeid"))
        self.db.conn.execute(
            "INSERT INTO list_fingerprints (key, selector, url_path, nodeid, fingerprint)"
            " VALUES (%s, %s, %s, %s, %s)"
            " ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint,"
            " seen = list_fingerprints.seen + 1, last_seen = now()",
            (fingerprint_key(selector, url_path, nodeid), selector, url_path, nodeid,
             Jsonb(storable_json(data["fingerprint"]))),
        )

    def all(self, limit: int = 50_000) -> list[tuple[str, str, str, dict[str, Any]]]:
        rows = self.db.conn.execute(
            "SELECT selector, url_path, nodeid, fingerprint FROM list_fingerprints"
            " ORDER BY last_seen DESC LIMIT %s",
            (limit,),
        ).fetchall()
        return [(r[0], r[1], r[2], r[3]) for r in rows]
