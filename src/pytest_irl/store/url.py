"""Which database a run writes to: ``--irl-db`` / ``--db``, then ``IRL_DATABASE_URL``, then embedded."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "IRL_DATABASE_URL"
STATE_DIR = ".irl"


class BadDatabaseUrl(ValueError):
    """The configured database URL cannot be parsed."""


@dataclass(frozen=True)
class StoreLocation:
    """Where the store lives: an explicit URL, or an embedded server under ``state_dir``."""

    url: str | None
    state_dir: Path

    @property
    def embedded(self) -> bool:
        return self.url is None

    @property
    def spool_dir(self) -> Path:
        return self.state_dir / "spool"

    def describe(self) -> str:
        return "embedded Postgres in " + str(self.state_dir) if self.embedded else redact(self.url or "")


def check_url(url: str) -> str:
    """``url`` if it is a Postgres connection string psycopg can use, else BadDatabaseUrl."""
    from psycopg.conninfo import conninfo_to_dict

    text = url.strip()
    if not text:
        raise BadDatabaseUrl("the database URL is empty")
    if "://" in text and not text.startswith(("postgresql://", "postgres://")):
        raise BadDatabaseUrl(f"{redact(text)!r} is not a postgresql:// URL")
    try:
        conninfo_to_dict(text)
    except Exception as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BadDatabaseUrl(f"{redact(text)!r} is not a valid Postgres URL ({first_line})") from None
    return text


def redact(url: str) -> str:
    """``url`` with any password replaced, for messages."""
    try:
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        params = conninfo_to_dict(url)
    except Exception:
        return url.split("@")[-1] if "@" in url else url
    if "password" in params:
        params["password"] = "***"
        return make_conninfo(**params)
    return url


def resolve(explicit: str | None, base_dir: Path) -> StoreLocation:
    """The store for a run whose state (embedded server, spool) belongs under ``base_dir``."""
    state_dir = Path(base_dir) / STATE_DIR
    url = explicit if explicit is not None else os.environ.get(ENV_VAR) or None
    if url is None:
        return StoreLocation(None, state_dir)
    return StoreLocation(check_url(url), state_dir)
