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

    @property
    def target(self) -> str:
        """This store's identity, without a password: what spooled writes are tagged with."""
        return target_identity(self)

    def describe(self) -> str:
        return "embedded Postgres in " + str(self.state_dir) if self.embedded else redact(self.url or "")


def ensure_state_dir(state_dir: Path) -> None:
    """Create ``state_dir`` (``.irl/``) if it is missing, with a ``.gitignore`` that keeps all of it
    (the embedded server's data, the spool) out of version control. A folder that exists already
    is the user's to arrange: nothing is added to it."""
    try:
        state_dir.mkdir(parents=True)
    except FileExistsError:
        return
    try:
        with open(state_dir / ".gitignore", "x", encoding="utf-8") as fh:
            fh.write("# created by pytest-irl: its embedded database and spool, never to commit\n*\n")
    except OSError:  # another process wrote it first, or a read-only place: never worth failing over
        pass


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


EMBEDDED_TARGET = "embedded:"


def target_identity(location: StoreLocation) -> str:
    """Which database ``location`` writes to, as spooled writes record it: never a password.

    A URL becomes ``postgresql://user@host:port/dbname`` (libpq's defaults and PG* variables
    filled in, so that two spellings of one database agree; a search_path in ``options`` is
    kept, since it decides which tables are written). The embedded store is
    ``embedded:<state dir>``.
    """
    if location.url is None:
        return EMBEDDED_TARGET + str(Path(location.state_dir).resolve())
    from urllib.parse import quote

    from psycopg.conninfo import conninfo_to_dict

    params = {k: str(v) for k, v in conninfo_to_dict(location.url).items() if v is not None}
    env = os.environ
    user = params.get("user") or env.get("PGUSER") or _os_user()
    host = (params.get("host") or params.get("hostaddr") or env.get("PGHOST") or env.get("PGHOSTADDR")
            or "local")
    port = params.get("port") or env.get("PGPORT") or "5432"
    dbname = params.get("dbname") or env.get("PGDATABASE") or user
    identity = (f"postgresql://{quote(user, safe='')}@{quote(host, safe='.,:[]')}:{port}"
                f"/{quote(dbname, safe='')}")
    service = params.get("service") or env.get("PGSERVICE")
    if service:
        identity += f"?service={quote(service, safe='')}"
    search_path = _search_path(params.get("options") or env.get("PGOPTIONS") or "")
    if search_path:
        identity += ("&" if "?" in identity else "?") + f"search_path={quote(search_path, safe=',')}"
    return identity


def same_target(spooled: str, current: str) -> bool:
    """Whether a write spooled for ``spooled`` belongs in the database ``current``.

    Any embedded target matches the embedded store: a spool always lives in the state folder of
    its embedded store, so a project folder that moved still finds its own writes.
    """
    if spooled.startswith(EMBEDDED_TARGET) and current.startswith(EMBEDDED_TARGET):
        return True
    return spooled == current


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no login name (a container with an unnamed uid): libpq would fail too
        return "?"


def _search_path(options: str) -> str:
    """The ``search_path`` set by ``-c search_path=...`` in libpq's ``options``, else ''."""
    import re

    match = re.search(r"(?:-c\s*|--)search_path=(\S+)", options)
    return match[1].replace("\\ ", " ").strip("'\"") if match else ""
