"""JPEG frames of a page: Playwright's screencast where it has one, CDP's on Chromium otherwise."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Callable
from typing import Any

# Frames arrive as fast as the page repaints (60/s on an animation). Holding the acknowledgement
# of a frame that came sooner than this makes the browser send fewer, so the test pays less.
MAX_FPS = 30.0
QUALITY = 70
SIZE = {"width": 800, "height": 800}

OnFrame = Callable[[bytes, float, int, int], None]  # data, captured (ms since epoch), width, height


class ScreencastUnsupported(Exception):
    """The browser (or the installed Playwright) cannot screencast this page."""


class Caster:
    """Screencasts one page into ``on_frame`` until ``stop``."""

    def __init__(self, page: Any, on_frame: OnFrame, max_fps: float = MAX_FPS) -> None:
        self.page = page
        self.on_frame = on_frame
        self.min_gap = 1.0 / max_fps if max_fps > 0 else 0.0
        self.source: str | None = None
        self._last = 0.0
        self._cdp: Any = None

    def start(self) -> str:
        """Start; returns the source used ("screencast" or "cdp"), or raises ScreencastUnsupported."""
        screencast = getattr(self.page, "screencast", None)
        if screencast is not None and hasattr(screencast, "start"):
            try:
                screencast.start(on_frame=self._on_playwright_frame, quality=QUALITY, size=SIZE)
                self.source = "screencast"
                return self.source
            except Exception as exc:
                if not self._is_chromium():
                    raise ScreencastUnsupported(_first_line(exc)) from exc
        if not self._is_chromium():
            raise ScreencastUnsupported(f"{self.browser_name()} has no screencast in this Playwright")
        self._start_cdp()
        self.source = "cdp"
        return self.source

    def stop(self) -> None:
        try:
            if self.source == "screencast":
                self.page.screencast.stop()
            elif self.source == "cdp" and self._cdp is not None:
                self._cdp.send("Page.stopScreencast")
                self._cdp.detach()
        except Exception:
            pass  # the page or its browser is gone already
        self.source = None
        self._cdp = None

    # Playwright's screencast ---------------------------------------------------------------
    def _on_playwright_frame(self, frame: dict[str, Any]) -> Any:
        self.on_frame(frame["data"], float(frame.get("timestamp") or 0.0),
                      int(frame.get("viewportWidth") or 0), int(frame.get("viewportHeight") or 0))
        wait = self._throttle()
        # An awaitable returned here delays the frame's acknowledgement, and so the next frame.
        return asyncio.sleep(wait) if wait > 0 else None

    # CDP -----------------------------------------------------------------------------------
    def _start_cdp(self) -> None:
        try:
            cdp = self.page.context.new_cdp_session(self.page)
            cdp.on("Page.screencastFrame", self._on_cdp_frame)
            cdp.send("Page.startScreencast", {
                "format": "jpeg", "quality": QUALITY,
                "maxWidth": SIZE["width"], "maxHeight": SIZE["height"], "everyNthFrame": 1,
            })
        except Exception as exc:
            raise ScreencastUnsupported(_first_line(exc)) from exc
        self._cdp = cdp

    def _on_cdp_frame(self, params: dict[str, Any]) -> None:
        meta = params.get("metadata") or {}
        stamp = float(meta.get("timestamp") or 0.0) * 1000.0  # CDP: seconds since the epoch
        try:
            self.on_frame(base64.b64decode(params["data"]), stamp,
                          int(meta.get("deviceWidth") or 0), int(meta.get("deviceHeight") or 0))
        finally:
            # Acknowledged at once: sleeping here would stall the test's own thread.
            cdp = self._cdp
            if cdp is not None:
                try:
                    cdp.send("Page.screencastFrameAck", {"sessionId": params.get("sessionId")})
                except Exception:
                    pass

    # helpers -------------------------------------------------------------------------------
    def _throttle(self) -> float:
        now = time.monotonic()
        wait = self.min_gap - (now - self._last)
        self._last = now + max(wait, 0.0)
        return max(wait, 0.0)

    def browser_name(self) -> str:
        try:
            return str(self.page.context.browser.browser_type.name)
        except Exception:
            return "this browser"

    def _is_chromium(self) -> bool:
        return self.browser_name() == "chromium"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
