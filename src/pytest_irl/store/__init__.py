"""The Postgres store: database API, the background writer and its spool, the embedded server."""

from .db import Database
from .url import BadDatabaseUrl, StoreLocation, resolve
from .writer import Writer, replay_spool

__all__ = ["BadDatabaseUrl", "Database", "StoreLocation", "Writer", "replay_spool", "resolve"]
