"""The Postgres store: database API, the background writer and its spool, the embedded server.

``Database`` and ``replay_spool`` are imported on first use: they pull in psycopg, which only
the writer's thread needs, so a test process does not pay for it before its first test.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .url import BadDatabaseUrl, StoreLocation, resolve
from .writer import Writer

if TYPE_CHECKING:
    from .db import Database
    from .replay import replay_spool

__all__ = ["BadDatabaseUrl", "Database", "StoreLocation", "Writer", "replay_spool", "resolve"]


def __getattr__(name: str) -> Any:
    if name == "Database":
        from .db import Database

        return Database
    if name == "replay_spool":
        from .replay import replay_spool

        return replay_spool
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
