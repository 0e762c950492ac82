"""Live streams of running tests (``--irl-stream``): imported only when streaming is on."""

from .hub import Hub, RunStream
from .live import Streamer
from .server import StreamServer

__all__ = ["Hub", "RunStream", "StreamServer", "Streamer"]
