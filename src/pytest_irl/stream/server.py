"""The stream server: a threaded HTTP server on loopback (by default) that serves every run's page.

Routes, each refused with 403 without the session's token (``?token=...``):

- ``/`` : the runs this process has streamed, as links
- ``/stream/<run-id>`` : the stream page (the browser live, the steps as they happen)
- ``/stream/<run-id>/state?since=N`` : the run and its steps from number N on, as JSON
- ``/stream/<run-id>/frame?after=N`` : the latest frame newer than N (JPEG; waits for one)
- ``/stream/<run-id>/mjpeg`` : the raw stream, ``multipart/x-mixed-replace``
- ``POST /stream/<run-id>/offer`` : WebRTC SDP exchange, with the ``webrtc`` extra installed
"""

from __future__ import annotations

import json
import re
import socket
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from ..local_http import IDLE_TIMEOUT_S, MAX_CONNECTIONS, LocalServer, TokenHandler
from ..local_http import int_or_zero as _int
from . import page
from .hub import Hub, RunStream

BOUNDARY = "irlframe"
FRAME_WAIT_S = 10.0
MJPEG_SEND_BUFFER = 64 * 1024
MAX_OFFER_BYTES = 64 * 1024
_ROUTE = re.compile(r"^/stream/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:/([a-z]+))?$")


class StreamServer(LocalServer):
    """The loopback server of ``local_http`` (token, bounded connections, idle timeout) with the
    session's hub of run streams."""

    thread_name = "irl-stream-server"

    def __init__(self, hub: Hub, host: str = "127.0.0.1", port: int = 0, token: str | None = None,
                 webrtc: Any = None, *, idle_timeout: float = IDLE_TIMEOUT_S,
                 max_connections: int = MAX_CONNECTIONS) -> None:
        super().__init__(_Handler, host, port, token, idle_timeout=idle_timeout,
                         max_connections=max_connections)
        self.hub = hub
        self.webrtc = webrtc

    def url_for(self, run_id: str) -> str:
        return f"{self.base_url}/stream/{run_id}?token={quote(self.token)}"

    def stop(self) -> None:
        self.closing.set()
        self.hub.close()
        if self.webrtc is not None:
            self.webrtc.close()
        super().stop()


class _Handler(TokenHandler):
    server: StreamServer

    # dispatch ------------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if not self.authorized(query):
            return
        if parts.path == "/" and method != "POST":
            self._send(200, "text/html; charset=utf-8", page.index(self.server.hub.runs()),
                       csp=page.CSP)
            return
        match = _ROUTE.match(parts.path)
        stream = self.server.hub.get(match.group(1)) if match else None
        if stream is None:
            self._plain(404, "no such run")
            return
        what = match.group(2) if match else None
        if method == "POST":
            if what == "offer":
                self._offer(stream)
            else:
                self._plain(405, "method not allowed")
        elif what is None:
            webrtc = self.server.webrtc is not None
            self._send(200, "text/html; charset=utf-8", page.stream_page(stream, webrtc), csp=page.CSP)
        elif what == "state":
            state = stream.state(_int((query.get("since") or ["0"])[0]))
            state["webrtc"] = self.server.webrtc is not None
            self._send(200, "application/json", json.dumps(state).encode())
        elif what == "frame":
            self._frame(stream, _int((query.get("after") or ["0"])[0]))
        elif what == "mjpeg":
            self._mjpeg(stream)
        else:
            self._plain(404, "not found")

    # endpoints -----------------------------------------------------------------------------
    def _frame(self, stream: RunStream, after: int) -> None:
        frame = stream.next_frame(after, FRAME_WAIT_S)
        if frame is None:
            self._send(204, "text/plain", b"")
            return
        self._send(200, "image/jpeg", frame.data, headers={
            "X-Frame-Seq": str(frame.seq), "X-Frame-Captured": f"{frame.captured_ms:.1f}",
        })

    def _mjpeg(self, stream: RunStream) -> None:
        self.send_response(200)
        self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if self.command == "HEAD":
            return
        # A small send buffer: what a slow viewer has not read yet is at most a frame or two,
        # so when it catches up it gets the newest frame, not a backlog of old ones.
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, MJPEG_SEND_BUFFER)
        except OSError:
            pass
        seq = 0
        try:
            while not self.server.closing.is_set():
                # Each viewer takes the latest frame when it is ready for one: a slow viewer skips
                # frames (its socket write blocks only its own thread), nothing queues up.
                frame = stream.next_frame(seq, 1.0)
                if frame is None:
                    continue
                seq = frame.seq
                head = (f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(frame.data)}\r\n"
                        f"X-Frame-Seq: {frame.seq}\r\nX-Frame-Captured: {frame.captured_ms:.1f}\r\n"
                        "\r\n").encode()
                self.wfile.write(head + frame.data + b"\r\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, TimeoutError, OSError):
            pass

    def _offer(self, stream: RunStream) -> None:
        webrtc = self.server.webrtc
        if webrtc is None:
            self._plain(501, "WebRTC is not available: pip install 'pytest-irl[webrtc]'")
            return
        length = _int(self.headers.get("Content-Length", "0"))
        if length <= 0 or length > MAX_OFFER_BYTES:
            self._plain(400, "bad offer")
            return
        try:
            offer = json.loads(self.rfile.read(length))
            if not isinstance(offer, dict) or offer.get("type") != "offer" \
                    or not isinstance(offer.get("sdp"), str):
                raise ValueError("not an SDP offer")
            answer = webrtc.answer(stream, offer)
        except Exception as exc:
            self._plain(400, f"bad offer: {str(exc)[:200]}")
            return
        self._send(200, "application/json", json.dumps(answer).encode())
