"""Screenshots taken at heals and failures, in table step_screenshots (migration 009).

A write arrives through the writer (and may wait in a spool) as JSON: the image is base64 there,
bytes here. Keyed by run, step number and kind, so that a replayed write replaces itself.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from ..storable import storable_json

if TYPE_CHECKING:
    from .db import Database


class ScreenshotStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def upsert(self, data: Mapping[str, Any]) -> None:
        """Store one screenshot given as the writer's op data (``image_b64``)."""
        image = base64.b64decode(str(data["image_b64"]), validate=True)
        box = data.get("box")
        self.db.conn.execute(
            "INSERT INTO step_screenshots"
            " (run_id, step_number, kind, taken_at, mime, width, height, box, image)"
            " VALUES (%s, %s, %s, COALESCE(%s::timestamptz, now()), %s, %s, %s, %s, %s)"
            " ON CONFLICT (run_id, step_number, kind) DO UPDATE SET taken_at = excluded.taken_at,"
            " mime = excluded.mime, width = excluded.width, height = excluded.height,"
            " box = excluded.box, image = excluded.image",
            (
                uuid.UUID(str(data["run_id"])), int(data["step_number"]), str(data["kind"]),
                data.get("taken_at"), str(data.get("mime") or "image/jpeg"), int(data["width"]),
                int(data["height"]), Jsonb(storable_json(box)) if box is not None else None, image,
            ),
        )

    def of_runs(self, run_ids: Iterable[uuid.UUID | str]) -> list[dict[str, Any]]:
        """Every screenshot of these runs (``image`` as bytes), in run and step order."""
        ids = [uuid.UUID(str(r)) for r in run_ids]
        if not ids:
            return []
        with self.db.conn.cursor(row_factory=dict_row) as cur:
            return cur.execute(
                "SELECT run_id, step_number, kind, taken_at, mime, width, height, box, image"
                " FROM step_screenshots WHERE run_id = ANY(%s) ORDER BY run_id, step_number, kind",
                (ids,),
            ).fetchall()
