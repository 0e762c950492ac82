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

import hmac
import json
import re
import secrets
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from . import page
from .hub import Hub, RunStream

BOUNDARY = "irlframe"
FRAME_WAIT_S = 10.0
MJPEG_SEND_BUFFER = 64 * 1024
MAX_OFFER_BYTES = 64 * 1024
# A connection that sends nothing (or reads nothing) for this long is closed: a half-open or idle
# one would otherwise hold its thread for as long as the session lasts.
IDLE_TIMEOUT_S = 30.0
# At most this many connections are served at once, one thread each; the next ones get a 503.
MAX_CONNECTIONS = 64
_BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
         b"Connection: close\r\nRetry-After: 1\r\n\r\nbusy\n")
_ROUTE = re.compile(r"^/stream/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:/([a-z]+))?$")


class StreamServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    # Connections waiting to be accepted: beyond it the kernel drops them and clients retry after
    # seconds, so that a page opening a few requests at once would stall behind idle sockets.
    request_queue_size = 128

    def __init__(self, hub: Hub, host: str = "127.0.0.1", port: int = 0, token: str | None = None,
                 webrtc: Any = None, *, idle_timeout: float = IDLE_TIMEOUT_S,
                 max_connections: int = MAX_CONNECTIONS) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), _Handler)
        self.idle_timeout = idle_timeout
        self._slots = threading.BoundedSemaphore(max_connections)
        self.hub = hub
        self.token = token or secrets.token_urlsafe(24)
        self.webrtc = webrtc
        self.closing = threading.Event()
        self._thread: threading.Thread | None = None

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            # Full: answer from the accepting thread without waiting on the client (a socket
            # that does not read must not block the server), then hang up.
            try:
                request.setblocking(False)
                request.send(_BUSY)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:  # no thread started: its slot is free again
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A viewer that goes away mid-response is normal; nothing of it belongs in pytest's output.
        pass

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def base_url(self) -> str:
        host = str(self.server_address[0])
        if host in ("0.0.0.0", "::", ""):
            host = socket.gethostname()
        elif ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def index_url(self) -> str:
        return f"{self.base_url}/?token={quote(self.token)}"

    def url_for(self, run_id: str) -> str:
        return f"{self.base_url}/stream/{run_id}?token={quote(self.token)}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="irl-stream-server", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.closing.set()
        self.hub.close()
        if self.webrtc is not None:
            self.webrtc.close()
        if self._thread is not None:
            self.shutdown()
            self._thread.join(5)
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: StreamServer
    protocol_version = "HTTP/1.1"
    server_version = "pytest-irl"
    sys_version = ""

    def setup(self) -> None:
        self.timeout = self.server.idle_timeout  # applied to the socket by StreamRequestHandler.setup
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        pass

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
        given = (query.get("token") or [""])[0]
        if not hmac.compare_digest(given.encode(), self.server.token.encode()):
            self._plain(403, "forbidden: a valid token is required")
            return
        if parts.path == "/" and method != "POST":
            self._send(200, "text/html; charset=utf-8", page.index(self.server.hub.runs()),
                       csp=True)
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
            self._send(200, "text/html; charset=utf-8", page.stream_page(stream, webrtc), csp=True)
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

    # helpers -------------------------------------------------------------------------------
    def _plain(self, status: int, text: str) -> None:
        self._send(status, "text/plain; charset=utf-8", text.encode())

    def _send(self, status: int, ctype: str, body: bytes | str, *, csp: bool = False,
              headers: dict[str, str] | None = None) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if csp:
            self.send_header("Content-Security-Policy", page.CSP)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0
