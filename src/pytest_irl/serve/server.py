"""``irl serve``: the recorded sessions, live from Postgres, in a browser.

Routes (each refused with 403 without the server's token, ``?token=...``):

- ``/`` : recent sessions (reloads itself while one runs)
- ``/session/<id>`` : its runs; a running test links its live stream (``stream_url``)
- ``/session/<id>/report`` : the session as ``irl report`` renders it (report/render.py): tests,
  steps, heals with their screenshots, filters and search
- ``/run/<id>`` : the steps of one run, heals and refusals with their notes
- ``/run/<id>/trace`` : the run's Playwright trace (``trace_path``), as a download for
  ``playwright show-trace`` (a browser does not follow a ``file:`` link from an http page)
- ``/flaky?sessions=N`` : the ``irl_flaky_tests`` view over the last N sessions
- ``/heals`` : every healed locator (first and last seen, how often, which tests) and its verdict
- ``POST /heals/<heal-id>/accept|reject`` : review a heal, then back to ``/heals``

The server, its token, its bounded connections and its headers are ``local_http``'s, as for the
live stream. A POST is CSRF-safe: it needs the token (another site cannot know it), and a browser's
``Origin`` header, when sent, must be this server's own.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import uuid
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from ..local_http import LocalServer, TokenHandler, int_or_zero
from . import pages

_UUID = r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
_SESSION = re.compile(rf"^/session/{_UUID}$")
_REPORT = re.compile(rf"^/session/{_UUID}/report$")
# The report page carries its own policy (hashes of its inlined script and style) in a meta tag;
# the server sends the same one as a header.
_META_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')
_RUN = re.compile(rf"^/run/{_UUID}$")
_TRACE = re.compile(rf"^/run/{_UUID}/trace$")
_ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 1 << 16
_REVIEW = re.compile(r"^/heals/([0-9a-f]{16})/(accept|reject)$")
MAX_BODY_BYTES = 4096
DEFAULT_SESSIONS = 30


class DashboardServer(LocalServer):
    """One database connection for the server, used by one request at a time (psycopg connections
    are not for concurrent use; the pages are small)."""

    thread_name = "irl-serve"

    def __init__(self, db: Any, host: str = "127.0.0.1", port: int = 0, token: str | None = None,
                 sessions: int = DEFAULT_SESSIONS) -> None:
        super().__init__(_Handler, host, port, token)
        self.db = db
        self.db_lock = threading.Lock()
        self.sessions = sessions


class _Handler(TokenHandler):
    server: DashboardServer
    # Not "no-referrer": with it a browser sends ``Origin: null`` on a form's POST, and the
    # same-origin check below could not tell our pages from any other. Other origins (a live
    # stream's link) still get no referrer, and those links are rel="noreferrer" besides.
    referrer_policy = "same-origin"

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if not self.authorized(query):
            return
        try:
            match = _TRACE.match(parts.path)
            if match and method == "GET":
                self._trace(match.group(1))
                return
            with self.server.db_lock:
                if method == "POST":
                    self._post(parts.path)
                else:
                    self._get(parts.path, query)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as exc:  # a database that went away: say so, keep serving
            self._plain(503, f"the database could not answer: {type(exc).__name__}")

    def _html(self, body: str, status: int = 200) -> None:
        self._send(status, "text/html; charset=utf-8", body, csp=pages.CSP)

    def _get(self, path: str, query: dict[str, list[str]]) -> None:
        db = self.server.db
        if path == "/":
            self._html(pages.sessions_page(db.recent_sessions(self.server.sessions)))
            return
        if path == "/flaky":
            sessions = int_or_zero((query.get("sessions") or [""])[0]) or self.server.sessions
            sessions = max(1, min(sessions, 10_000))
            self._html(pages.flaky_page(db.flaky_tests(sessions), sessions))
            return
        if path == "/heals":
            from ..store.reviews import ReviewStore

            self._html(pages.heals_page(ReviewStore(db).heals()))
            return
        match = _SESSION.match(path)
        if match:
            session = db.find_session(match.group(1))
            if session is None:
                self._plain(404, "no such session")
                return
            self._html(pages.session_page(session, db.runs_of_session(uuid.UUID(match.group(1)))))
            return
        match = _REPORT.match(path)
        if match:
            self._report(match.group(1))
            return
        match = _RUN.match(path)
        if match:
            run = db.get_test_run(match.group(1))
            if run is None:
                self._plain(404, "no such run")
                return
            self._html(pages.run_page(run))
            return
        self._plain(404, "not found")

    def _report(self, session_id: str) -> None:
        from ..report import model, render

        try:
            report = model.load(self.server.db, session=session_id)
        except LookupError:
            self._plain(404, "no such session")
            return
        # The report's trace links go to this server's download (report.js adds the token).
        html = render.render(report, title=f"pytest-irl session {session_id[:8]}",
                             trace_href=lambda run: f"/run/{quote(run.id)}/trace")
        found = _META_CSP.search(html)
        policy = unescape(found.group(1)) if found else "default-src 'none'"
        self._send(200, "text/html; charset=utf-8", html, csp=policy)

    def _trace(self, run_id: str) -> None:
        """Sends the run's trace. Only a file as traces.py records one: named ``trace*.zip`` and
        a zip, so that a path written into the database by anyone cannot make this server hand
        out another of this machine's files. Read outside the database lock: a trace can be
        large, and other pages go on meanwhile."""
        from ..pw.traces import TRACE_FILE

        with self.server.db_lock:
            run = self.server.db.get_test_run(run_id)
        if run is None or not run.trace_path:
            self._plain(404, "this run has no trace")
            return
        path = Path(run.trace_path)
        try:
            with path.open("rb") as file:
                size = os.fstat(file.fileno()).st_size
                if not TRACE_FILE.match(path.name) or file.read(4) != _ZIP_MAGIC:
                    self._plain(403, "forbidden: not a Playwright trace")
                    return
                file.seek(0)
                self.send_response(200)
                for name, value in (("Content-Type", "application/zip"), ("Content-Length", str(size)),
                                    ("Content-Disposition", f'attachment; filename="trace-{run_id[:8]}.zip"'),
                                    ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"),
                                    ("Referrer-Policy", self.referrer_policy)):
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    shutil.copyfileobj(file, self.wfile, _CHUNK)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            self._plain(404, "the trace is gone (it is kept where the run was)")

    def _post(self, path: str) -> None:
        match = _REVIEW.match(path)
        if match is None:
            self._plain(404, "not found")
            return
        if not self._same_origin():
            self._plain(403, "forbidden: a review must come from this dashboard's own pages")
            return
        length = int_or_zero(self.headers.get("Content-Length", "0"))
        if length > MAX_BODY_BYTES:
            self._plain(413, "too large")
            return
        if length > 0:
            self.rfile.read(length)  # the form's button; the path says everything
        from ..store.reviews import ReviewStore, UnknownHeal

        store = ReviewStore(self.server.db)
        try:
            heal = store.find(match.group(1))
        except UnknownHeal:
            self._plain(404, "no such heal")
            return
        store.record(heal, "accepted" if match.group(2) == "accept" else "rejected", via="serve")
        # Post/redirect/get: a reload of the list does not send the verdict again.
        location = f"/heals?token={quote(self.server.token)}#heal-{heal['heal_id']}"
        self._send(303, "text/plain; charset=utf-8", b"", headers={"Location": location})

    def _same_origin(self) -> bool:
        """A browser names the page a POST comes from in ``Origin``; it must be one of ours (the
        Host the request was sent to). Non-browser clients send none: the token is their check."""
        origin = self.headers.get("Origin")
        if origin is None:
            return True
        host = self.headers.get("Host", "")
        return bool(host) and origin in (f"http://{host}", f"https://{host}")
