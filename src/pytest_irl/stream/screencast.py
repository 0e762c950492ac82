"""JPEG frames of a page: CDP screenshots on Chromium, Playwright's ``page.screencast`` elsewhere.

On Chromium, frames are CDP ``Page.captureScreenshot`` calls of the visible viewport, scaled down
in the browser, taken only while someone watches (``wake`` starts them, from the viewer's thread)
and at most ``max_fps`` a second. CDP's own screencast is not used: while it runs, Chromium
captures every frame the compositor draws, whatever rate the frames are acknowledged at, and on a
page that repaints all the time that alone cost about 0.4 of a CPU core and slowed a fast test by a
quarter. A scaled screenshot costs the browser about a third of that at the same frame rate. A page
that stops changing is asked less often (identical frames are not passed on), down to
``IDLE_FPS``, and back to full rate at its first change.

Playwright's screencast has no rate control; it is used for the other browsers, and on Chromium
when a CDP session cannot be opened, at whatever rate the page repaints.

Screenshots are requested from Playwright's event loop without blocking the test: the frame loop
is a task on that loop, so it runs while the test's thread waits on Playwright, and a frame only
replaces the run's one-frame slot.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Callable
from typing import Any

MAX_FPS = 12.0
IDLE_FPS = 4.0
QUALITY = 50
SIZE = {"width": 640, "height": 640}

OnFrame = Callable[[bytes, float, int, int], None]  # data, captured (ms since epoch), width, height


class ScreencastUnsupported(Exception):
    """The browser (or the installed Playwright) cannot screencast this page."""


class Caster:
    """Sends frames of one page to ``on_frame`` while ``watched()``, until ``stop``."""

    def __init__(self, page: Any, on_frame: OnFrame, max_fps: float = MAX_FPS,
                 watched: Callable[[], bool] | None = None) -> None:
        self.page = page
        self.on_frame = on_frame
        self.min_gap = 1.0 / max_fps if max_fps > 0 else 0.0
        self.idle_gap = max(self.min_gap, 1.0 / IDLE_FPS)
        self.watched = watched or (lambda: True)
        self.source: str | None = None
        self._cdp: Any = None
        self._shooting = False  # the screenshot loop is running or about to

    def start(self) -> str:
        """Start; returns the source used ("cdp" or "screencast"), or raises ScreencastUnsupported."""
        problem = f"{self.browser_name()} has no screencast in this Playwright"
        if self.browser_name() == "chromium":
            try:
                self._cdp = self.page.context.new_cdp_session(self.page)
                self.source = "cdp"
                if self.watched():
                    self.wake()
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
        self._cdp = None  # ends the screenshot loop at its next frame
        try:
            if source == "screencast":
                self.page.screencast.stop()
            elif source == "cdp" and cdp is not None:
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

    # CDP screenshots -----------------------------------------------------------------------
    def wake(self) -> None:
        """Someone started watching (any thread): start the screenshot loop if it is not running."""
        cdp = self._cdp
        loop = getattr(cdp, "_loop", None)
        if cdp is None or loop is None or getattr(cdp, "_impl_obj", None) is None or self._shooting:
            return
        self._shooting = True
        try:
            loop.call_soon_threadsafe(lambda: asyncio.ensure_future(self._shoot(cdp)))
        except RuntimeError:
            self._shooting = False  # Playwright's loop is closed: the run is over

    async def _shoot(self, cdp: Any) -> None:
        impl = cdp._impl_obj
        previous = b""
        gap = self.min_gap
        try:
            while cdp is self._cdp and self.watched():
                began = time.monotonic()
                try:
                    data, captured, width, height = await _screenshot(impl)
                except Exception:
                    if cdp is not self._cdp:
                        return
                    await asyncio.sleep(self.idle_gap)  # navigation in flight, a page not painted yet
                    continue
                if data == previous:  # nothing changed: ask less often until something does
                    gap = min(self.idle_gap, gap * 1.5)
                else:
                    gap = self.min_gap
                    previous = data
                    self.on_frame(data, captured, width, height)
                await asyncio.sleep(max(0.0, began + gap - time.monotonic()))
        finally:
            self._shooting = False


async def _screenshot(impl: Any) -> tuple[bytes, float, int, int]:
    """The visible part of the page, scaled to fit ``SIZE``, as JPEG."""
    metrics = await _send(impl, "Page.getLayoutMetrics")
    view = metrics["cssVisualViewport"]
    width, height = float(view["clientWidth"]), float(view["clientHeight"])
    scale = min(1.0, SIZE["width"] / width, SIZE["height"] / height) if width and height else 1.0
    clip = {"x": view["pageX"], "y": view["pageY"], "width": width, "height": height, "scale": scale}
    captured = time.time() * 1000.0
    shot = await _send(impl, "Page.captureScreenshot", {
        "format": "jpeg", "quality": QUALITY, "optimizeForSpeed": True, "clip": clip})
    return base64.b64decode(shot["data"]), captured, int(width), int(height)


async def _send(impl: Any, method: str, params: dict[str, Any] | None = None) -> Any:
    try:
        return await impl.send(method, params, None)
    except TypeError:  # Playwright before the timeout argument
        return await impl.send(method, params)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
