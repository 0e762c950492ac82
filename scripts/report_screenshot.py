"""Takes the README's pictures of `irl report` (docs/report.png, docs/report-failed.png) from a
report file, by default the demo's (``bash scripts/demo.sh`` writes ``.irl/report.html``).

    .venv/bin/python scripts/report_screenshot.py [--report .irl/report.html] [--out docs]

A headless Chromium opens the file, filters on healed tests, opens the first one and takes the
picture of its first heal; then filters on failed tests and takes one of the first failure.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from pytest_irl.browser import chromium_launch_options  # noqa: E402


def picture(page: Any, target: Any, path: Path) -> None:
    """The viewport with ``target`` at its top, under the sticky filter bar."""
    target.evaluate("(node) => window.scrollTo(0, node.getBoundingClientRect().top + window.scrollY"
                    " - document.getElementById('controls').offsetHeight - 8)")
    page.screenshot(path=str(path))
    print(f"{path} ({path.stat().st_size // 1000} kB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--report", default=str(ROOT / ".irl" / "report.html"))
    parser.add_argument("--out", default=str(ROOT / "docs"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    out = Path(args.out)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**chromium_launch_options(pw.chromium, headless=True))
        page = browser.new_page(viewport={"width": 1200, "height": 1300})
        page.goto(Path(args.report).resolve().as_uri())
        controls = page.locator("#controls")
        controls.get_by_role("button", name="healed").click()
        test = page.locator("details.test:not([hidden])").first
        test.locator("summary").click()
        card = test.locator(".heal.healed").first
        card.locator("img").evaluate("img => img.decode()")
        # From the session's heading: the test, its steps, then the heal's card.
        picture(page, page.locator("section.session:not([hidden]) h2").first, out / "report.png")
        controls.get_by_role("button", name="healed").click()
        controls.get_by_role("button", name="failed").click()
        failed = page.locator("details.test:not([hidden])")
        if failed.count():
            failed.first.locator("summary").click()
            picture(page, failed.first, out / "report-failed.png")
        browser.close()


if __name__ == "__main__":
    main()
