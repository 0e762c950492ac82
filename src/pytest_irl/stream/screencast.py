"""JPEG frames of a page: CDP's screencast on Chromium, Playwright's ``page.screencast`` elsewhere.

On Chromium the CDP screencast is used first, because it lets the frame rate be held at the
source: a frame is acknowledged no sooner than ``1 / max_fps`` after the previous one (``1 /
idle_fps`` while nobody watches the run), and the browser captures and encodes nothing while a
frame is unacknowledged. Playwright's screencast
(1.5x and later) has no such control and acknowledges as fast as the page repaints; on a page
that repaints all the time that cost a fast test 30-70 % of its wall time here, the capped CDP
screencast about 5 %. Playwright's screencast is used for the other browsers, and on Chromium
when a CDP session cannot be opened.

Frame callbacks run on the test's own thread (Playwright's sync API): they only hand the frame
to the run's one-frame slot, and acknowledgements are sent without waiting for their answer.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Callable
from typing import Any

MAX_FPS = 15.0
# While nobody watches a run, its frames are taken this often: a viewer who opens the page gets
# a recent frame at once, and the full rate within 1 / IDLE_FPS seconds.
IDLE_FPS = 2.0
QUALITY = 60
SIZE = {"width": 800, "height": 800}

OnFrame = Callable[[bytes, float, int, int], None]  # data, captured (ms since epoch), width, height


class ScreencastUnsupported(Exception):
    """The browser (or the installed Playwright) cannot screencast this page."""


class Caster:
    """Screencasts one page into ``on_frame`` until ``stop``."""

    def __init__(self, page: Any, on_frame: OnFrame, max_fps: float = MAX_FPS,
                 watched: Callable[[], bool] | None = None, idle_fps: float = IDLE_FPS) -> None:
        self.page = page
        self.on_frame = on_frame
        self.min_gap = 1.0 / max_fps if max_fps > 0 else 0.0
        self.idle_gap = max(self.min_gap, 1.0 / idle_fps if idle_fps > 0 else 0.0)
        self.watched = watched or (lambda: True)
        self.source: str | None = None
        self._next_ack = 0.0
        self._cdp: Any = None

    def start(self) -> str:
        """Start; returns the source used ("cdp" or "screencast"), or raises ScreencastUnsupported."""
        problem = f"{self.browser_name()} has no screencast in this Playwright"
        if self.browser_name() == "chromium":
            try:
                self._start_cdp()
                self.source = "cdp"
                return self.source
            except Exception as exc:
                problem = _first_line(exc)
        screencast = getattr(self.page, "screencast", None)
        if screencast is not None and hasattr(screencast, "start"):
            try:
                screencast.start(on_frame=self._on_playwright_frame, quality=QUALITY, size=SIZE)
                self.source = "screencast"
                return self.source
            except Exception as exc:
                problem = _first_line(exc)
        raise ScreencastUnsupported(problem)

    def stop(self) -> None:
        source, cdp = self.source, self._cdp
        self.source = None
        self._cdp = None
        try:
            if source == "screencast":
                self.page.screencast.stop()
            elif source == "cdp" and cdp is not None:
                cdp.send("Page.stopScreencast")
                cdp.detach()
        except Exception:
            pass  # the page or its browser is gone already

    def browser_name(self) -> str:
        try:
            return str(self.page.context.browser.browser_type.name)
        except Exception:
            return "this browser"

    # Playwright's screencast ---------------------------------------------------------------
    def _on_playwright_frame(self, frame: dict[str, Any]) -> None:
        self.on_frame(frame["data"], float(frame.get("timestamp") or 0.0),
                      int(frame.get("viewportWidth") or 0), int(frame.get("viewportHeight") or 0))

    # CDP -----------------------------------------------------------------------------------
    def _start_cdp(self) -> None:
        cdp = self.page.context.new_cdp_session(self.page)
        self._cdp = cdp
        cdp.on("Page.screencastFrame", self._on_cdp_frame)
        cdp.send("Page.startScreencast", {
            "format": "jpeg", "quality": QUALITY, "maxWidth": SIZE["width"], "maxHeight": SIZE["height"],
        })

    def _on_cdp_frame(self, params: dict[str, Any]) -> None:
        cdp = self._cdp
        meta = params.get("metadata") or {}
        stamp = float(meta.get("timestamp") or 0.0) * 1000.0  # CDP: seconds since the epoch
        try:
            self.on_frame(base64.b64decode(params["data"]), stamp,
                          int(meta.get("deviceWidth") or 0), int(meta.get("deviceHeight") or 0))
        finally:
            if cdp is not None and cdp is self._cdp:
                self._ack_later(cdp, params.get("sessionId"))

    def _ack_later(self, cdp: Any, session_id: Any) -> None:
        now = time.monotonic()
        wait = max(0.0, self._next_ack - now)
        self._next_ack = now + wait + (self.min_gap if self.watched() else self.idle_gap)
        impl = getattr(cdp, "_impl_obj", None)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if impl is None or loop is None:  # not Playwright's sync API as we know it: ack at once
            try:
                cdp.send("Page.screencastFrameAck", {"sessionId": session_id})
            except Exception:
                pass
            return

        async def ack() -> None:
            if cdp is not self._cdp:
                return  # stopped meanwhile
            params = {"sessionId": session_id}
            try:
                try:
                    await impl.send("Page.screencastFrameAck", params, None)
                except TypeError:  # Playwright before the timeout argument
                    await impl.send("Page.screencastFrameAck", params)
            except Exception:
                pass

        loop.call_later(wait, lambda: asyncio.ensure_future(ack()))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
