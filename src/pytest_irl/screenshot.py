"""Small, bounded screenshots of the page at a heal (the chosen element's box) and at a failure.

Bounds (README, "Screenshots"): the visible viewport only, clipped to at most ``MAX_WIDTH`` x
``MAX_HEIGHT`` CSS pixels around the element, JPEG at quality ``QUALITY`` (then
``FALLBACK_QUALITY``, then a ``SMALL`` clip), and dropped when still over ``MAX_BYTES``. At most
``HEALS_PER_RUN`` heal screenshots per run, and one at a failure.

Nothing here changes the page: no scrolling, no injected outline, no full-page capture (which
resizes the viewport and fires the page's resize handlers). The outline is drawn by the report
from the box stored with the image. Every failure is swallowed: a screenshot is never the reason a
test fails or slows down for long.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

MAX_WIDTH = 1000
MAX_HEIGHT = 750
SMALL = (640, 480)
QUALITY = 50
FALLBACK_QUALITY = 30
MAX_BYTES = 60_000
HEALS_PER_RUN = 5
TIMEOUT_MS = 2_000
BOX_TIMEOUT_MS = 500


@dataclass(frozen=True)
class Shot:
    image: bytes
    width: int
    height: int
    box: dict[str, float] | None  # the element, in the image's pixels; None when not in view

    def op_data(self, run_id: Any, step_number: int, kind: str, taken_at: Any) -> dict[str, Any]:
        """What the writer's ``screenshot`` op carries (JSON: the image as base64)."""
        return {
            "run_id": str(run_id), "step_number": int(step_number), "kind": kind, "taken_at": taken_at,
            "mime": "image/jpeg", "width": self.width, "height": self.height, "box": self.box,
            "image_b64": base64.b64encode(self.image).decode("ascii"),
        }


def _viewport(page: Any) -> tuple[float, float] | None:
    size = page.viewport_size
    if size:
        return float(size["width"]), float(size["height"])
    # A context made with no_viewport: the window's own size.
    width, height = page.evaluate("() => [window.innerWidth, window.innerHeight]")
    return (float(width), float(height)) if width and height else None


def _clip(view: tuple[float, float], size: tuple[int, int], box: dict[str, float] | None) -> dict[str, float]:
    """The region of the viewport to keep: ``size`` at most, centred on ``box`` where it can be."""
    width, height = min(view[0], size[0]), min(view[1], size[1])
    x = y = 0.0
    if box is not None:
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        x = min(max(0.0, cx - width / 2), view[0] - width)
        y = min(max(0.0, cy - height / 2), view[1] - height)
    return {"x": x, "y": y, "width": width, "height": height}


def _in_view(box: dict[str, float] | None, view: tuple[float, float]) -> dict[str, float] | None:
    if not box or box["width"] <= 0 or box["height"] <= 0:
        return None
    if (box["x"] + box["width"] <= 0 or box["y"] + box["height"] <= 0
            or box["x"] >= view[0] or box["y"] >= view[1]):
        return None  # out of view: the action would scroll to it, the screenshot does not
    return box


def capture(page: Any, element: Any = None) -> Shot | None:
    """A bounded JPEG of ``page``'s viewport, around ``element`` (a raw Locator) when given."""
    try:
        if page.is_closed():
            return None
        view = _viewport(page)
        if view is None:
            return None
        box = None
        if element is not None:
            try:
                box = _in_view(element.bounding_box(timeout=BOX_TIMEOUT_MS), view)
            except Exception:
                box = None
        for size, quality in (((MAX_WIDTH, MAX_HEIGHT), QUALITY), ((MAX_WIDTH, MAX_HEIGHT), FALLBACK_QUALITY),
                              (SMALL, FALLBACK_QUALITY)):
            clip = _clip(view, size, box)
            image = page.screenshot(type="jpeg", quality=quality, clip=clip, scale="css", timeout=TIMEOUT_MS)
            if len(image) <= MAX_BYTES:
                return Shot(image, round(clip["width"]), round(clip["height"]), _box_in(box, clip))
        return None
    except Exception:
        return None


def _box_in(box: dict[str, float] | None, clip: dict[str, float]) -> dict[str, float] | None:
    if box is None:
        return None
    return {"x": round(box["x"] - clip["x"], 1), "y": round(box["y"] - clip["y"], 1),
            "width": round(box["width"], 1), "height": round(box["height"], 1)}
