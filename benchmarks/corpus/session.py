"""Loading a corpus page in Chromium the same way every time, with the page-side scripts installed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, Playwright
from playwright.sync_api import Error as PlaywrightError
from sources import PageRef
from wordings import as_js

from pytest_irl.browser import chromium_launch_options
from pytest_irl.heal import FINGERPRINT_JS, SNAPSHOT_JSON_JS

MUTATE_JS = (Path(__file__).parent / "mutate.js").read_text(encoding="utf-8")
LOAD_TIMEOUT_MS = 15_000
# Pages whose snapshot is larger than this (icon galleries, huge tables) are skipped: each case
# stores the whole v2 snapshot, and such pages add size more than variety.
MAX_CANDIDATES = 1500
VIEWPORT = {"width": 1280, "height": 900}
# A fixed clock: date pickers and "x minutes ago" widgets render the same on every build, and page
# timers (carousels, animations) only run when the loader advances the clock.
FIXED_TIME = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)


def launch(pw: Playwright) -> Browser:
    # File pages may read their own stylesheets' rules only with file access across files; the
    # class-rename mutations copy those rules to the new class names.
    options = chromium_launch_options(pw.chromium, args=["--allow-file-access-from-files"])
    return pw.chromium.launch(**options)


class PageSkipped(Exception):
    """The page cannot be used (too slow to load, too large, or broken)."""


@dataclass
class LoadedPage:
    """A page at its prepared v1 state, with the v1 snapshot taken."""

    ref: PageRef
    page: Page
    v1_raw: str
    v1: list[dict[str, Any]]

    def css_index(self) -> dict[str, int]:
        return {c["cssPath"]: i for i, c in enumerate(self.v1)
                if not c.get("framePath") and not c.get("shadowPath")}

    def restore(self) -> None:
        self.page.evaluate("() => window.__corpus.restore()")

    def track(self, xpath: str) -> bool:
        return bool(self.page.evaluate("(xp) => window.__corpus.track(xp)", xpath))

    def reference(self) -> dict[str, Any]:
        handle = self.page.evaluate_handle("() => window.__corpusTarget")
        try:
            return handle.as_element().evaluate(FINGERPRINT_JS)
        finally:
            handle.dispose()

    def mutate(self, names: list[str], seed: int) -> list[str]:
        return self.page.evaluate("([n, s]) => window.__corpus.mutate(n, s)", [names, seed])

    def snapshot(self) -> tuple[str, list[dict[str, Any]]]:
        raw = self.page.evaluate(SNAPSHOT_JSON_JS, {"force": True})
        return raw, json.loads(raw)

    def index_of_target(self, candidates: list[dict[str, Any]]) -> int:
        paths = [None if c.get("framePath") or c.get("shadowPath") else c.get("cssPath") for c in candidates]
        return int(self.page.evaluate("(p) => window.__corpus.indexIn(p)", paths))

    def index_of_match(self, locator: Any, candidates: list[dict[str, Any]]) -> int:
        """Where the one element ``locator`` (a Playwright locator) matches sits in ``candidates``:
        the element a still-matching locator acts on, which the drift check weighs."""
        locator.evaluate_all("(els) => { window.__corpusSaved = window.__corpusTarget;"
                             " window.__corpusTarget = els[0]; }")
        try:
            return self.index_of_target(candidates)
        finally:
            self.page.evaluate("() => { window.__corpusTarget = window.__corpusSaved; }")

    def close(self) -> None:
        self.page.context.close()


def open_page(browser: Browser, ref: PageRef) -> LoadedPage:
    """Load ``ref`` from disk (only file:// requests go through), settle it, take the v1 snapshot."""
    context = browser.new_context(viewport=VIEWPORT, reduced_motion="reduce", locale="en-GB",
                                  timezone_id="UTC", service_workers="block")
    page = context.new_page()
    try:
        page.route(lambda url: not url.startswith("file:"), lambda route: route.abort())
        page.clock.install(time=FIXED_TIME)
        page.goto(ref.file.as_uri(), wait_until="load", timeout=LOAD_TIMEOUT_MS)
        page.clock.run_for(1500)  # let the page's start-up timers run, then time stands still
        page.evaluate(MUTATE_JS)
        page.evaluate("(w) => window.__corpus.setWords(w)", as_js())
        page.evaluate("() => window.__corpus.prepare()")
        # Every case starts from a copy of the prepared body; the v1 snapshot is taken on one too.
        page.evaluate("() => window.__corpus.restore()")
        raw = page.evaluate(SNAPSHOT_JSON_JS, {"force": True})
        v1 = json.loads(raw)
    except PlaywrightError as exc:
        context.close()
        raise PageSkipped(f"{ref.key}: {str(exc).splitlines()[0]}") from exc
    if len(v1) > MAX_CANDIDATES or not v1:
        context.close()
        raise PageSkipped(f"{ref.key}: {len(v1)} candidates")
    return LoadedPage(ref, page, raw, v1)
