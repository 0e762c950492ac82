"""WebRTC playback of a run's stream, with the ``webrtc`` extra (aiortc) installed.

A viewer POSTs its SDP offer to ``/stream/<run-id>/offer``; the answer sends one video track fed
from the run's latest frame (the same one-frame slot the MJPEG viewers read, so a slow peer
drops frames too). aiortc runs on its own asyncio loop in a daemon thread.
"""

from __future__ import annotations

import asyncio
import fractions
import importlib.util
import ipaddress
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .hub import RunStream

ANSWER_TIMEOUT_S = 10.0
CLOCK_RATE = 90_000
IDLE_RESEND_S = 1.0  # with no new frame, the last one is sent again this often (keeps the video up)


def load(host: str) -> LazyWebRTC | None:
    """A WebRTC answerer, or None when aiortc is not installed. aiortc itself is imported, and its
    thread started, only when the first viewer asks for WebRTC."""
    if importlib.util.find_spec("aiortc") is None or importlib.util.find_spec("av") is None:
        return None
    return LazyWebRTC(loopback_only=_is_loopback(host))


class LazyWebRTC:
    def __init__(self, loopback_only: bool) -> None:
        self.loopback_only = loopback_only
        self._real: WebRTC | None = None
        self._lock = threading.Lock()
        self._closed = False

    def answer(self, stream: RunStream, offer: dict[str, Any]) -> dict[str, str]:
        with self._lock:
            if self._closed:
                raise RuntimeError("the stream server is stopping")
            if self._real is None:
                self._real = WebRTC(self.loopback_only)
            real = self._real
        return real.answer(stream, offer)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            real, self._real = self._real, None
        if real is not None:
            real.close()


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class WebRTC:
    def __init__(self, loopback_only: bool = True) -> None:
        self.loopback_only = loopback_only
        self._loop = asyncio.new_event_loop()
        self._peers: set[Any] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, name="irl-webrtc", daemon=True)
        self._thread.start()

    def answer(self, stream: RunStream, offer: dict[str, Any]) -> dict[str, str]:
        future = asyncio.run_coroutine_threadsafe(self._answer(stream, offer), self._loop)
        return future.result(ANSWER_TIMEOUT_S)

    def close(self) -> None:
        if self._loop.is_closed():
            return
        try:
            asyncio.run_coroutine_threadsafe(self._close_all(), self._loop).result(5)
        except Exception:
            pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _close_all(self) -> None:
        for peer in list(self._peers):
            await peer.close()
        self._peers.clear()

    async def _answer(self, stream: RunStream, offer: dict[str, Any]) -> dict[str, str]:
        from aiortc import RTCPeerConnection, RTCSessionDescription

        if self.loopback_only:
            _gather_on_loopback_only()
        peer = RTCPeerConnection()
        self._peers.add(peer)

        @peer.on("connectionstatechange")
        async def on_state() -> None:
            if peer.connectionState in ("failed", "closed"):
                self._peers.discard(peer)
                await peer.close()

        peer.addTrack(_frame_track(stream))
        await peer.setRemoteDescription(RTCSessionDescription(sdp=offer["sdp"], type=offer["type"]))
        await peer.setLocalDescription(await peer.createAnswer())
        local = peer.localDescription
        return {"sdp": local.sdp, "type": local.type}


def _gather_on_loopback_only() -> None:
    # The server listens on loopback, so its media does too: aioice leaves 127.0.0.1 out of its
    # host candidates, and would otherwise offer (and send to) the machine's other interfaces.
    import aioice.ice

    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"] if use_ipv4 else ["::1"]


def _frame_track(stream: RunStream) -> Any:
    import av
    from aiortc import VideoStreamTrack

    class FrameTrack(VideoStreamTrack):
        """The run's newest frame, decoded from JPEG; the previous one again while none is new."""

        def __init__(self) -> None:
            super().__init__()
            self._seq = 0
            self._decoder = av.CodecContext.create("mjpeg", "r")
            self._last: Any = None
            self._start = time.monotonic()

        async def recv(self) -> Any:
            loop = asyncio.get_running_loop()
            while True:
                frame = await loop.run_in_executor(None, stream.next_frame, self._seq, IDLE_RESEND_S)
                if frame is not None:
                    self._seq = frame.seq
                    decoded = self._decoder.decode(av.Packet(frame.data))
                    if decoded:
                        self._last = decoded[-1].reformat(format="yuv420p")
                if self._last is not None:
                    break
            video = self._last
            video.pts = int((time.monotonic() - self._start) * CLOCK_RATE)
            video.time_base = fractions.Fraction(1, CLOCK_RATE)
            return video

    return FrameTrack()
