"""Real databases for the tests: the service Postgres and the embedded one, a fresh database each."""

from __future__ import annotations

import os
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from pytest_irl.engine.context import TestContext
from pytest_irl.engine.layer import Layer
from pytest_irl.engine.recorder import RunRecorder
from pytest_irl.models import TestRun

SERVICE_ENV = "IRL_TEST_DATABASE_URL"
PAGES = Path(__file__).parent / "pages"


@pytest.fixture(scope="session")
def embedded_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from pytest_irl.store import embedded

    folder = tmp_path_factory.mktemp("embedded")
    let_server_through(folder)
    state = folder / ".irl"
    yield embedded.start(state)
    embedded.stop(state)


def let_server_through(folder: Path) -> None:
    """As root, the embedded server runs as another user, and pytest-irl opens no folder for it
    (store/embedded.py): the suite lets it through its own temporary folders (0700) instead."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    root = Path(tempfile.gettempdir()).resolve()
    for path in (folder.resolve(), *folder.resolve().parents):
        if path == root or root not in path.parents:
            break
        path.chmod(path.stat().st_mode | 0o011)  # its processes keep our group


@pytest.fixture(autouse=True)
def _embedded_server_can_reach_test_folders(request: pytest.FixtureRequest) -> None:
    for name in ("pytester", "tmp_path"):
        if name in request.fixturenames:
            value = request.getfixturevalue(name)
            let_server_through(Path(getattr(value, "path", value)))


def _server_url(request: pytest.FixtureRequest, backend: str) -> str:
    if backend == "service":
        url = os.environ.get(SERVICE_ENV)
        if not url:
            pytest.skip(f"{SERVICE_ENV} is not set")
        return url
    return request.getfixturevalue("embedded_server_url")


def fresh_database(server_url: str) -> tuple[str, str]:
    """Create an empty database on ``server_url``; returns (its URL, its name)."""
    name = f"irl_test_{uuid.uuid4().hex[:12]}"
    for attempt in range(3):
        try:
            with psycopg.connect(server_url, autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            break
        except psycopg.errors.ObjectInUse:
            # CREATE DATABASE copies template1 and refuses while anything else is connected to it.
            if attempt == 2:
                raise
            time.sleep(0.5)
    params = conninfo_to_dict(server_url)
    params["dbname"] = name
    return make_conninfo(**params), name


def drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(params=["service", "embedded"])
def db_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A URL of an empty database, on each kind of server in turn."""
    server = _server_url(request, request.param)
    url, name = fresh_database(server)
    yield url
    drop_database(server, name)


@pytest.fixture
def service_db_url(request: pytest.FixtureRequest) -> Iterator[str]:
    server = _server_url(request, "service")
    url, name = fresh_database(server)
    yield url
    drop_database(server, name)


class _QuietHandler(SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, directory=str(PAGES), **kwargs)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def pages_url() -> Iterator[str]:
    """Base URL of tests/pages/, served on loopback."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def layer() -> Layer:
    """A layer recording into one in-memory run, for tests that wrap raw Playwright objects."""
    recording = Layer()
    run = TestRun(session_id="00000000-0000-4000-8000-000000000001", nodeid="t")
    recording.begin_test(TestContext("t", RunRecorder(run)))
    return recording
