"""JPEG frames of a page: CDP's screencast on Chromium, Playwright's ``page.screencast`` elsewhere.

On Chromium the CDP screencast is used first, because it can be run only while someone watches
and its rate held at the source. A running screencast makes Chromium composite and capture every
frame, which on a page that repaints all the time slowed a fast test by 20-30 % even at 2 frames
a second; so it runs only while a viewer asks for frames (``wake`` starts it, from the viewer's
thread; the first frame nobody asked for stops it), and then a frame is acknowledged no sooner
than ``1 / max_fps`` after the previous one (the browser captures nothing while a frame is
unacknowledged). Playwright's screencast has no such control; it is used for the other browsers,
and on Chromium when a CDP session cannot be opened, at whatever rate the page repaints.

Frame callbacks run on the test's own thread (Playwright's sync API): they only hand the frame
to the run's one-frame slot, and CDP commands are sent on Playwright's event loop without waiting
for their answer.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Callable
from typing import Any

MAX_FPS = 12.0
QUALITY = 50
SIZE = {"width": 640, "height": 640}

OnFrame = Callable[[bytes, float, int, int], None]  # data, captured (ms since epoch), width, height


class ScreencastUnsupported(Exception):
    """The browser (or the installed Playwright) cannot screencast this page."""


class Caster:
    """Screencasts one page into ``on_frame`` until ``stop``."""

    def __init__(self, page: Any, on_frame: OnFrame, max_fps: float = MAX_FPS,
                 watched: Callable[[], bool] | None = None) -> None:
        self.page = page
        self.on_frame = on_frame
        self.min_gap = 1.0 / max_fps if max_fps > 0 else 0.0
        self.watched = watched or (lambda: True)
        self.source: str | None = None
        self._next_ack = 0.0
        self._cdp: Any = None
        self._casting = False  # the CDP screencast is running (started, not yet stopped)

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

    def final_frame(self) -> None:
        """One frame of the page as it is now (a run nobody watched ends with it on its page)."""
        try:
            if self.source == "cdp" and self._cdp is not None:
                shot = self._cdp.send("Page.captureScreenshot", {"format": "jpeg", "quality": QUALITY})
                data = base64.b64decode(shot["data"])
            else:
                data = self.page.screenshot(type="jpeg", quality=QUALITY, timeout=2000)
        except Exception:
            return  # the page is closing: the run keeps what it has
        self.on_frame(data, time.time() * 1000.0, 0, 0)

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
        if self.watched():
            cdp.send("Page.startScreencast", _CDP_START)
            self._casting = True

    def wake(self) -> None:
        """A viewer started watching (any thread): start the CDP screencast if it is not running."""
        cdp = self._cdp
        loop = getattr(cdp, "_loop", None)
        if cdp is None or loop is None or self._casting:
            return
        try:
            loop.call_soon_threadsafe(lambda: asyncio.ensure_future(self._send(cdp, "Page.startScreencast")))
        except RuntimeError:
            pass  # Playwright's loop is closed: the run is over

    def _on_cdp_frame(self, params: dict[str, Any]) -> None:
        cdp = self._cdp
        meta = params.get("metadata") or {}
        stamp = float(meta.get("timestamp") or 0.0) * 1000.0  # CDP: seconds since the epoch
        try:
            self.on_frame(base64.b64decode(params["data"]), stamp,
                          int(meta.get("deviceWidth") or 0), int(meta.get("deviceHeight") or 0))
        finally:
            if cdp is not None and cdp is self._cdp:
                if self.watched():
                    self._ack_later(cdp, params.get("sessionId"))
                else:  # nobody asks for frames any more: stop capturing until someone does
                    self._schedule(cdp, 0.0, "Page.stopScreencast")

    def _ack_later(self, cdp: Any, session_id: Any) -> None:
        now = time.monotonic()
        wait = max(0.0, self._next_ack - now)
        self._next_ack = now + wait + self.min_gap
        self._schedule(cdp, wait, "Page.screencastFrameAck", {"sessionId": session_id})

    def _schedule(self, cdp: Any, wait: float, method: str, params: dict[str, Any] | None = None) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if getattr(cdp, "_impl_obj", None) is None or loop is None:
            # Not Playwright's sync API as we know it: send at once (a stop is then left undone).
            if method == "Page.screencastFrameAck":
                try:
                    cdp.send(method, params)
                except Exception:
                    pass
            return
        if method == "Page.stopScreencast":
            self._casting = False
        loop.call_later(wait, lambda: asyncio.ensure_future(self._send(cdp, method, params)))

    async def _send(self, cdp: Any, method: str, params: dict[str, Any] | None = None) -> None:
        if cdp is not self._cdp:
            return  # stopped meanwhile
        if method == "Page.startScreencast":
            if self._casting:
                return
            self._casting = True
            params = _CDP_START
        impl = cdp._impl_obj
        try:
            try:
                await impl.send(method, params, None)
            except TypeError:  # Playwright before the timeout argument
                await impl.send(method, params)
        except Exception:
            if method == "Page.startScreencast":
                self._casting = False


_CDP_START = {"format": "jpeg", "quality": QUALITY, "maxWidth": SIZE["width"], "maxHeight": SIZE["height"]}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
