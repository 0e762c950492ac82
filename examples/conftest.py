"""Fixtures for the example suite: serve ``examples/app`` locally and point ``base_url`` at it."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

APP_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "app")
# IRL_EXAMPLES_APP=v2 serves version 2 of the tasks page (app_v2/: ids became classes, each task's
# markup reordered) in place of version 1; every other file comes from app/.
APP_V2_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "app_v2")


class _QuietHandler(SimpleHTTPRequestHandler):
    """Static file handler that keeps the test output clean and never serves stale files."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def translate_path(self, path: str) -> str:
        served = super().translate_path(path)
        if os.environ.get("IRL_EXAMPLES_APP") == "v2":
            newer = os.path.join(APP_V2_DIR, os.path.relpath(served, APP_DIR))
            if os.path.isfile(newer):
                return newer
        return served


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    """Serve the demo app on a free local port for the whole session (one server per xdist worker)."""
    handler = functools.partial(_QuietHandler, directory=APP_DIR)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="examples-app-server", daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# Local convenience only: when IRL_EXAMPLES_CHROMIUM points at a Chromium binary, launch that one
# instead of Playwright's bundled browser. Without the variable nothing is overridden.
_CHROMIUM = os.environ.get("IRL_EXAMPLES_CHROMIUM")

if _CHROMIUM:

    @pytest.fixture(scope="session")
    def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
        extra_args = ["--no-sandbox", "--disable-background-networking"]
        return {
            **browser_type_launch_args,
            "executable_path": _CHROMIUM,
            "args": [*browser_type_launch_args.get("args", []), *extra_args],
        }
