"""Takes the README's pictures of `irl serve` (docs/serve.png, docs/serve-heals.png) from real runs.

    .venv/bin/python scripts/serve_screenshot.py [--out docs] [--db URL]

A small shop suite runs twice with ``--irl``: on version 1 of its page (learning), then on version
2 with ``--tracing retain-on-failure`` (a test passes, one is healed, one heal is refused, one
fails, one is flaky). The dashboard then serves that database, and a headless Chromium takes the
picture of the second session's page and of the healed locators awaiting review.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from pytest_irl.browser import chromium_launch_options  # noqa: E402

# Version 2 renames the sign-in button's id (healed), drops the coupon field's id for two
# look-alike buttons (refused: no single element to choose), and breaks the total (failed).
SUITE = r'''
import os
import pathlib

import pytest

PAGES = {
    "v1": """<h1>Shop</h1><button id="sign-in-7f3a">Sign in</button>
<div><button id="add-1">Add to cart</button></div><p id="total">Total: 12.00</p>""",
    "v2": """<h1>Shop</h1><nav><button id="sign-in-k2j9" class="primary">Sign in</button></nav>
<div><button class="add">Add to cart</button><button class="add">Add to cart</button></div>
<p id="total">Total: 0.00</p>""",
}


@pytest.fixture
def shop(page):
    page.route("http://shop.irl.test/**", lambda route: route.fulfill(
        content_type="text/html", body=PAGES[os.environ["SHOP_VERSION"]]))
    page.goto("http://shop.irl.test/")
    return page


def test_home_page_title(shop):
    assert shop.get_by_role("heading").text_content() == "Shop"


def test_sign_in(shop):
    shop.locator("#sign-in-7f3a").click(timeout=3000)


def test_add_to_cart(shop):
    shop.locator("#add-1").click(timeout=2000)


def test_total(shop):
    assert shop.locator("#total").text_content() == "Total: 12.00"


@pytest.mark.irl(reruns=1)
def test_search_suggestions(shop):
    mark = pathlib.Path(os.environ["FLAKY_MARK"] + os.environ["SHOP_VERSION"])
    first = not mark.exists()
    mark.touch()
    assert not first, "the suggestions came late"
'''


def record(work: Path, db: str) -> None:
    """Version 1, then version 2: the two sessions the dashboard shows."""
    for version, extra in (("v1", []), ("v2", ["--tracing", "retain-on-failure"])):
        env = {**os.environ, "SHOP_VERSION": version, "FLAKY_MARK": str(work / "flaky-")}
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--irl",
                        "--irl-db", db, *extra], cwd=work, env=env, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)


def picture(page: object, path: Path) -> None:
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    print(f"{path} ({path.stat().st_size // 1000} kB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "docs"))
    parser.add_argument("--db", help="Postgres URL (default: $IRL_DATABASE_URL, else an embedded one)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from pytest_irl.serve.server import DashboardServer
    from pytest_irl.store import Database

    out = Path(args.out)
    with tempfile.TemporaryDirectory(prefix="irl-serve-shot-") as tmp:
        work = Path(tmp)
        (work / "test_shop.py").write_text(SUITE)
        db_url = args.db or os.environ.get("IRL_DATABASE_URL")
        embedded_db = not db_url
        if embedded_db:
            from pytest_irl.store import embedded

            db_url = embedded.start(work / ".irl")
        try:
            record(work, db_url)
            with Database(db_url) as db:
                server = DashboardServer(db)
                server.start()
                try:
                    with sync_playwright() as pw:
                        browser = pw.chromium.launch(**chromium_launch_options(pw.chromium, headless=True))
                        page = browser.new_page(viewport={"width": 1200, "height": 400})
                        page.goto(server.index_url())
                        # The newest session: its tests, a heal counted, a flaky rerun, a trace.
                        page.locator("tbody tr").first.get_by_role("link").click()
                        page.get_by_role("link", name="trace.zip").first.wait_for()
                        picture(page, out / "serve.png")
                        page.get_by_role("link", name="Healed locators").click()
                        page.get_by_role("button", name="Accept").first.wait_for()
                        picture(page, out / "serve-heals.png")
                        browser.close()
                finally:
                    server.stop()
        finally:
            if embedded_db:
                embedded.stop(work / ".irl")


if __name__ == "__main__":
    main()
