"""Takes the README's picture of the stream page (docs/stream.png) from a real run.

    .venv/bin/python scripts/stream_screenshot.py [--out docs/stream.png] [--db URL]

A checkout test whose button id was regenerated runs with ``--irl --irl-stream``; a headless
Chromium reads the run's ``stream_url`` from the database while the test runs, opens it, waits
until the healed click is on the page, and takes the picture.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from stream import stream_url_of_running_run  # noqa: E402  (benchmarks/stream.py)

from pytest_irl.browser import chromium_launch_options  # noqa: E402

SUITE = r'''
import os, time
from pathlib import Path

PAGE = """<body style="font:15px sans-serif;background:#f4f6f8;margin:24px">
<form style="background:#fff;padding:8px 16px 16px;width:340px;border-radius:6px;box-shadow:0 1px 4px #0002"
 onsubmit="event.preventDefault()">
<h2>Checkout</h2>
<p><label>Email <input id=email-field type=email></label></p>
<p><label>Coupon <input name=coupon></label></p>
<div style="height:6px;background:#ddd"><div id=bar style="height:6px;width:0;background:#4a8"></div></div>
<p id=done></p>
<button id=place-order-7f3c type=button onclick="
  document.getElementById('done').textContent = 'Order placed \u2714'">Place order</button>
</form>
<script>let w = 0; setInterval(() => { w = (w + 1) % 100;
  document.getElementById('bar').style.width = w + '%'; }, 50);</script></body>"""

def test_checkout_as_guest(page):
    page.set_content(PAGE)
    page.wait_for_timeout(1500)
    page.fill("#email-field", "ada@example.com")
    page.fill("[name=coupon]", "SPRING")
    page.get_by_role("button", name="Place order").hover()
    page.click("#place-order-1a9d", timeout=3000)  # the id a build regenerated: healed
    page.get_by_text("Order placed").wait_for()
    end = time.monotonic() + 30
    while not Path(os.environ["IRL_SHOT_DONE"]).exists() and time.monotonic() < end:
        page.wait_for_timeout(100)
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "docs" / "stream.png"))
    parser.add_argument("--db", help="Postgres URL (default: $IRL_DATABASE_URL, else an embedded one)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="irl-shot-") as tmp:
        work = Path(tmp)
        (work / "test_checkout.py").write_text(SUITE)
        done = work / "done"
        db = args.db or os.environ.get("IRL_DATABASE_URL")
        embedded_db = not db
        if embedded_db:
            from pytest_irl.store import embedded

            db = embedded.start(work / ".irl")
        session = str(uuid.uuid4())
        proc = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--irl", "--irl-stream",
             "--irl-db", db, "--irl-session-id", session],
            cwd=work, env={**os.environ, "IRL_SHOT_DONE": str(done)},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            url = stream_url_of_running_run(db, session)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(**chromium_launch_options(pw.chromium, headless=True))
                page = browser.new_page(viewport={"width": 1280, "height": 560})
                page.goto(url + "&mode=mjpeg")
                page.locator("#steps li.healed").wait_for(timeout=30_000)
                page.locator("#steps li", has_text="wait_for").wait_for(timeout=30_000)
                page.wait_for_timeout(1500)  # a few more frames, and the header's figures
                page.screenshot(path=args.out)
                browser.close()
        finally:
            done.touch()
            out, _ = proc.communicate(timeout=120)
            if embedded_db:
                embedded.stop(work / ".irl")
        if proc.returncode != 0:
            raise SystemExit(f"the checkout test failed:\n{out[-3000:]}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
