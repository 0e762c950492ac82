"""JPEG frames of a page, taken only while someone watches, at most ``max_fps`` a second.

``--irl-stream-frames`` picks where frames come from:

- ``screenshots`` (what ``auto``, the default, uses on Chromium): CDP ``Page.captureScreenshot``
  of the visible viewport, scaled down in the browser. A page that stops changing is asked less
  often (identical frames are not passed on), down to ``IDLE_FPS``, and back to full rate at its
  first change.
- ``screencast`` (what ``auto`` uses on the other browsers): Playwright's
  ``page.screencast.start(on_frame=...)`` where the installed Playwright has it, else CDP's
  ``Page.startScreencast`` on Chromium. Each frame is acknowledged no sooner than ``1 / max_fps``
  after the previous one, so no more reach the test's process.

Why screenshots by default on Chromium: while a screencast runs, Chromium captures every frame it
draws, however slowly the frames are acknowledged, and on a page that repaints all the time that
alone cost about 0.4 of a CPU core and slowed a fast test by a quarter. A scaled screenshot costs
the browser about a third of that at the same frame rate (``benchmarks/stream.py`` measures both).

Everything runs on Playwright's event loop without blocking the test: ``wake`` (called from a
viewer's thread) schedules the source there, so it runs while the test's thread waits on
Playwright, and a frame only replaces the run's one-frame slot.
"""

from __future__ import annotations

import asyncio
import base64
import inspect
import threading
import time
from collections.abc import Callable
from typing import Any

from ..pw import compat

MAX_FPS = 12.0
IDLE_FPS = 4.0
QUALITY = 50
SIZE = {"width": 640, "height": 640}
# After the test asked for the page's own screencast, ours does not start again for this long
# (the test's start is on its way) nor while the test's runs.
ASIDE_GRACE_S = 1.0

OnFrame = Callable[[bytes, float, int, int], None]  # data, captured (ms since epoch), width, height


class ScreencastUnsupported(Exception):
    """The browser (or the installed Playwright) cannot screencast this page."""


class Caster:
    """Sends frames of one page to ``on_frame`` while ``watched()``, until ``stop``."""

    def __init__(self, page: Any, on_frame: OnFrame, max_fps: float = MAX_FPS,
                 watched: Callable[[], bool] | None = None, frames: str = "auto") -> None:
        self.page = page
        self.on_frame = on_frame
        self.min_gap = 1.0 / max_fps if max_fps > 0 else 0.0
        self.idle_gap = max(self.min_gap, 1.0 / IDLE_FPS)
        self.watched = watched or (lambda: True)
        self.frames = frames
        self._source: _Source | None = None

    def start(self) -> str:
        """Start; returns the source's name, or raises ScreencastUnsupported."""
        problem = f"{self.browser_name()} has no screencast in this Playwright"
        for kind in self._candidates():
            source = kind(self)
            try:
                source.open()
            except Exception as exc:
                problem = _first_line(exc)
                continue
            self._source = source
            if self.watched():
                source.wake()
            return source.name
        raise ScreencastUnsupported(problem)

    def wake(self) -> None:
        """Someone started watching (any thread): start taking frames if that has stopped."""
        source = self._source
        if source is not None:
            source.wake()

    def step_aside(self) -> None:
        """The test is about to start the page's own screencast (test thread): a source that uses
        it stops; ``wake`` starts it again once the test's has stopped."""
        source = self._source
        if source is not None:
            source.step_aside()

    def stop(self) -> None:
        source, self._source = self._source, None
        if source is not None:
            try:
                source.close()
            except Exception:
                pass  # the page or its browser is gone already

    def final_frame(self) -> None:
        """One frame of the page as it is now (a run nobody watched ends with it on its page)."""
        try:
            cdp = getattr(self._source, "cdp", None)
            if cdp is not None:
                shot = cdp.send("Page.captureScreenshot", {"format": "jpeg", "quality": QUALITY})
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

    def _candidates(self) -> list[type[_Source]]:
        if self.frames == "screencast":
            wanted: list[type[_Source]] = [PlaywrightScreencast, CdpScreencast]
        elif self.frames in ("auto", "screenshots"):
            wanted = [Screenshots, PlaywrightScreencast, CdpScreencast]
        else:  # one source by its name (tests use this to reach the CDP screencast)
            wanted = [_BY_NAME[self.frames]]
        chromium = self.browser_name() == "chromium"
        return [kind for kind in wanted if chromium or not kind.needs_cdp]


class _Source:
    name = ""
    needs_cdp = False

    def __init__(self, caster: Caster) -> None:
        self.caster = caster
        self.loop: Any = None
        self.running = False  # taking frames, or about to
        self.closed = False
        self._tasks: set[asyncio.Future[Any]] = set()
        self._waking = threading.Lock()

    def open(self) -> None:
        raise NotImplementedError

    def wake(self) -> None:
        with self._waking:  # several viewers' threads may ask at once: one run at a time
            if self.running or self.closed or self.loop is None:
                return
            self.running = True
        try:
            self.loop.call_soon_threadsafe(lambda: self.spawn(self.run()))
        except RuntimeError:
            self.running = False  # Playwright's loop is closed: the run is over

    async def run(self) -> None:
        raise NotImplementedError

    def step_aside(self) -> None:
        """Only the page's own screencast is the test's too; the other sources go on."""

    def spawn(self, work: Any) -> None:
        """Run ``work`` as a task on Playwright's loop (referenced until it ends)."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def close(self) -> None:
        self.closed = True


class _CdpSource(_Source):
    needs_cdp = True

    def open(self) -> None:
        self.cdp = self.caster.page.context.new_cdp_session(self.caster.page)
        self.impl, self.loop = compat.async_side(self.cdp) or (None, None)
        if self.impl is None or self.loop is None:
            self.cdp.detach()
            raise ScreencastUnsupported("not Playwright's sync API as pytest-irl knows it")

    def close(self) -> None:
        super().close()
        self.cdp.detach()

    async def send(self, method: str, params: dict[str, Any] | None = None) -> Any:
        try:
            return await self.impl.send(method, params, None)
        except TypeError:  # Playwright before the timeout argument
            return await self.impl.send(method, params)


class Screenshots(_CdpSource):
    name = "screenshots"

    async def run(self) -> None:
        caster = self.caster
        previous = b""
        gap = caster.min_gap
        try:
            while not self.closed and caster.watched():
                began = time.monotonic()
                try:
                    data, captured, width, height = await self._screenshot()
                except Exception:
                    if self.closed:
                        return
                    await asyncio.sleep(caster.idle_gap)  # navigation in flight, a page not painted yet
                    continue
                if data == previous:  # nothing changed: ask less often until something does
                    gap = min(caster.idle_gap, gap * 1.5)
                else:
                    gap = caster.min_gap
                    previous = data
                    caster.on_frame(data, captured, width, height)
                await asyncio.sleep(max(0.0, began + gap - time.monotonic()))
        finally:
            self.running = False

    async def _screenshot(self) -> tuple[bytes, float, int, int]:
        """The visible part of the page, scaled to fit ``SIZE``, as JPEG."""
        view = (await self.send("Page.getLayoutMetrics"))["cssVisualViewport"]
        width, height = float(view["clientWidth"]), float(view["clientHeight"])
        scale = min(1.0, SIZE["width"] / width, SIZE["height"] / height) if width and height else 1.0
        clip = {"x": view["pageX"], "y": view["pageY"], "width": width, "height": height, "scale": scale}
        captured = time.time() * 1000.0
        shot = await self.send("Page.captureScreenshot", {
            "format": "jpeg", "quality": QUALITY, "optimizeForSpeed": True, "clip": clip})
        return base64.b64decode(shot["data"]), captured, int(width), int(height)


class _Paced:
    """When the next frame may be acknowledged: no sooner than ``gap`` after the previous one."""

    def __init__(self, gap: float) -> None:
        self.gap = gap
        self._next = 0.0

    def wait(self) -> float:
        now = time.monotonic()
        wait = max(0.0, self._next - now)
        self._next = now + wait + self.gap
        return wait


class PlaywrightScreencast(_Source):
    name = "screencast"

    def open(self) -> None:
        caster = self.caster
        screencast = getattr(caster.page, "screencast", None)
        if screencast is None or not hasattr(screencast, "start"):
            raise ScreencastUnsupported(f"{caster.browser_name()} has no screencast in this Playwright")
        self.sync = screencast
        self.impl, self.loop = compat.async_side(screencast) or (None, None)
        self.pace = _Paced(caster.min_gap)
        self.aside_at = float("-inf")
        if self.impl is None or self.loop is None:
            # Not Playwright's sync API as we know it: run at the page's own rate, watched or not.
            screencast.start(on_frame=self._deliver, quality=QUALITY, size=SIZE)
            self.running = True

    def step_aside(self) -> None:
        # A start already on its way to the loop must not win the race with the test's own.
        self.aside_at = time.monotonic()
        if self.running and self.impl is not None:
            self.running = False
            try:
                self.sync.stop()
            except Exception:
                pass  # it had not started yet

    def _test_has_it(self) -> bool:
        """The test's own screencast of the page runs, or is about to."""
        return bool(getattr(self.impl, "_started", False)) or time.monotonic() - self.aside_at < ASIDE_GRACE_S

    async def run(self) -> None:
        options = {"on_frame": self._on_frame, "path": None, "size": SIZE, "quality": QUALITY, "fps": None}
        accepted = inspect.signature(self.impl.start).parameters
        try:
            if self.closed or self._test_has_it():
                raise asyncio.CancelledError
            await self.impl.start(**{key: value for key, value in options.items() if key in accepted})
        except BaseException:
            self.running = False
            return
        if self.closed:
            await self._stop()

    def _deliver(self, frame: dict[str, Any]) -> None:
        self.caster.on_frame(frame["data"], float(frame.get("timestamp") or 0.0),
                             int(frame.get("viewportWidth") or 0), int(frame.get("viewportHeight") or 0))

    def _on_frame(self, frame: dict[str, Any]) -> Any:
        # Runs on Playwright's loop; Playwright acknowledges the frame when the returned sleep ends.
        self._deliver(frame)
        if self.closed or not self.caster.watched():
            self.spawn(self._stop())  # nobody asks for frames any more
            return None
        return asyncio.sleep(self.pace.wait())

    async def _stop(self) -> None:
        if not self.running:
            return
        self.running = False
        try:
            await self.impl.stop()
        except Exception:
            pass

    def close(self) -> None:
        super().close()
        if self.running:
            self.running = False
            self.sync.stop()


class CdpScreencast(_CdpSource):
    name = "cdp-screencast"

    def open(self) -> None:
        super().open()
        self.pace = _Paced(self.caster.min_gap)
        self.impl.on("Page.screencastFrame", self._on_frame)

    async def run(self) -> None:
        try:
            if self.closed:
                raise asyncio.CancelledError
            await self.send("Page.startScreencast", {
                "format": "jpeg", "quality": QUALITY, "maxWidth": SIZE["width"], "maxHeight": SIZE["height"]})
        except BaseException:
            self.running = False

    def _on_frame(self, params: dict[str, Any]) -> None:
        # Runs on Playwright's loop. Chromium sends no next frame until this one is acknowledged.
        meta = params.get("metadata") or {}
        self.caster.on_frame(base64.b64decode(params["data"]), float(meta.get("timestamp") or 0.0) * 1000.0,
                             int(meta.get("deviceWidth") or 0), int(meta.get("deviceHeight") or 0))
        if self.closed:
            return
        if not self.caster.watched():
            self.running = False
            self.spawn(self._quietly("Page.stopScreencast"))
            return
        ack = {"sessionId": params.get("sessionId")}
        self.loop.call_later(self.pace.wait(),
                             lambda: self.spawn(self._quietly("Page.screencastFrameAck", ack)))

    async def _quietly(self, method: str, params: dict[str, Any] | None = None) -> None:
        if self.closed:
            return
        try:
            await self.send(method, params)
        except Exception:
            pass  # the page is gone


_BY_NAME: dict[str, type[_Source]] = {kind.name: kind for kind in (Screenshots, PlaywrightScreencast,
                                                                  CdpScreencast)}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
