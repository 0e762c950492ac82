"""What the live stream server and ``irl serve`` share: a threaded HTTP server meant for loopback,
that answers only requests carrying its token, bounds its connections and their idle time, and
sends every response with the same defensive headers.

- The token is random (``secrets.token_urlsafe``) unless given, compared in constant time, and
  taken from the URL (``?token=...``): anything without it gets 403.
- At most ``max_connections`` are served at once (one thread each); the next ones get a 503
  without a thread. A connection idle for ``idle_timeout`` seconds is closed.
- Every response is ``no-store``, ``nosniff`` and ``no-referrer`` (unless a handler says
  otherwise); HTML pages add their Content-Security-Policy.
"""

from __future__ import annotations

import hmac
import secrets
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

# A connection that sends nothing (or reads nothing) for this long is closed: a half-open or idle
# one would otherwise hold its thread for as long as the server runs.
IDLE_TIMEOUT_S = 30.0
# At most this many connections are served at once, one thread each; the next ones get a 503.
MAX_CONNECTIONS = 64
_BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
         b"Connection: close\r\nRetry-After: 1\r\n\r\nbusy\n")


class LocalServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    # Connections waiting to be accepted: beyond it the kernel drops them and clients retry after
    # seconds, so that a page opening a few requests at once would stall behind idle sockets.
    request_queue_size = 128
    thread_name = "irl-http-server"

    def __init__(self, handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1", port: int = 0,
                 token: str | None = None, *, idle_timeout: float = IDLE_TIMEOUT_S,
                 max_connections: int = MAX_CONNECTIONS) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), handler)
        self.idle_timeout = idle_timeout
        self._slots = threading.BoundedSemaphore(max_connections)
        self.token = token or secrets.token_urlsafe(24)
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
        # A viewer that goes away mid-response is normal; nothing of it belongs in anyone's output.
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

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2},
                                        name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.closing.set()
        if self._thread is not None:
            self.shutdown()
            self._thread.join(5)
        self.server_close()


class TokenHandler(BaseHTTPRequestHandler):
    server: LocalServer
    protocol_version = "HTTP/1.1"
    server_version = "pytest-irl"
    sys_version = ""
    referrer_policy = "no-referrer"

    def setup(self) -> None:
        self.timeout = self.server.idle_timeout  # applied to the socket by StreamRequestHandler.setup
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def authorized(self, query: dict[str, list[str]]) -> bool:
        """Whether the request carries the server's token; answers 403 itself when not."""
        given = (query.get("token") or [""])[0]
        if hmac.compare_digest(given.encode(), self.server.token.encode()):
            return True
        self._plain(403, "forbidden: a valid token is required")
        return False

    def _plain(self, status: int, text: str) -> None:
        self._send(status, "text/plain; charset=utf-8", text.encode())

    def _send(self, status: int, ctype: str, body: bytes | str, *, csp: str | None = None,
              headers: dict[str, str] | None = None) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", self.referrer_policy)
        if csp:
            self.send_header("Content-Security-Policy", csp)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


def int_or_zero(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0
