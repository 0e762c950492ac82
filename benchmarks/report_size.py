"""How big the report of a long session is, and how fast it opens (#14: a 500-test session with
20,000 steps opens in under 2 s and stays under ~20 MB).

A synthetic session is written into a fresh database through the store's own API: 500 tests of
40 steps each; one test in ten healed twice (each heal with its candidates, what changed and a
screenshot), one in twenty failed (with its failure screenshot), one in twenty-five with a
refused heal and one in twenty-five flaky (a failed attempt, then a passing one). Every
screenshot is the same worst-case image: a noisy page captured through ``screenshot.capture``,
so at its bound. Then ``irl report``'s two halves are timed (``model.load``: the rows into plain
data; ``render.render``: the page), the file is opened in Chromium from disk and timed until
its list of tests is built, and one test is opened (its 40 steps built on demand).

    python benchmarks/report_size.py [--db URL] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from pytest_irl import screenshot  # noqa: E402
from pytest_irl.browser import chromium_launch_options  # noqa: E402

TESTS, STEPS = 500, 40
NOISE = """<canvas id=c width=1280 height=720></canvas><button id=b style="position:absolute;left:600px;
top:300px">Place order</button><script>
const g = document.getElementById('c').getContext('2d'), cell = CELL;
for (let y = 0; y < 720; y += cell) for (let x = 0; x < 1280; x += cell) {
  g.fillStyle = `rgb(${Math.random()*255|0},${Math.random()*255|0},${Math.random()*255|0})`;
  g.fillRect(x, y, cell, cell); }</script>"""


def worst_case_shot(browser: Any) -> screenshot.Shot:
    """The biggest screenshot ``capture`` keeps: noise, finer and finer until one is dropped."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    kept: list[screenshot.Shot] = []
    for cell in (24, 16, 12, 8, 6, 4):
        page.set_content(NOISE.replace("CELL", str(cell)))
        shot = screenshot.capture(page, page.locator("#b"))
        if shot is not None:
            kept.append(shot)
    page.close()
    return max(kept, key=lambda shot: len(shot.image))


FORM = """<main style="font:16px sans-serif;margin:40px"><h1>Checkout</h1>
<p><label>Email <input id=email></label></p><p><label>Coupon <input name=coupon></label></p>
<button id=place-order-7f3c>Place order</button></main>"""


def capture_ms(browser: Any, times: int = 15) -> float:
    """What one screenshot at a heal costs the test: ``capture`` on an ordinary form, median."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.set_content(FORM)
    took = []
    for _ in range(times):
        began = time.perf_counter()
        screenshot.capture(page, page.locator("#place-order-7f3c"))
        took.append((time.perf_counter() - began) * 1000)
    page.close()
    return statistics.median(took)


def heal_info(i: int) -> dict[str, Any]:
    return {
        "strategy": "fingerprint", "originalSelector": f"#place-order-{i:04x}",
        "healedSelector": 'internal:role=button[name="Place order"i]',
        "suggestedLocator": 'page.get_by_role("button", name="Place order")', "score": 0.91,
        "note": "matched the element learned on earlier runs by text, role, neighbours; changed: id",
        "candidates": [{"selector": 'internal:role=button[name="Place order"i]', "score": 0.91},
                       {"selector": 'internal:role=button[name="Save for later"i]', "score": 0.42},
                       {"selector": "#cart .remove >> nth=0", "score": 0.21}],
        "changes": [{"field": "id", "before": f"place-order-{i:04x}", "after": f"place-order-{i + 1:04x}"},
                    {"field": "classes", "before": "btn primary", "after": "btn btn-primary"}],
    }


def steps_of(i: int, healed: bool, refused: bool, failed: bool, start: datetime) -> list[dict[str, Any]]:
    steps = []
    for n in range(1, STEPS + 1):
        step: dict[str, Any] = {
            "stepNumber": n, "action": ("goto", "fill", "click", "expect.to_have_text")[n % 4],
            "selector": None if n % 4 == 0 else f'internal:role=textbox[name="Field {n}"i]',
            "success": True, "durationMs": 12.5,
            "startedAt": (start + timedelta(milliseconds=20 * n)).isoformat(),
            "url": f"http://127.0.0.1:8000/shop/{i}/step/{n}",
            "location": f"tests/test_shop_{i // 50}.py:{10 + n}",
            "attempts": [{"strategy": "original", "selector": "x", "outcome": "ok", "durationMs": 12.4}],
        }
        if n % 4 == 1:
            step["value"] = f"value {n}"
        if healed and n in (7, 23):
            step["selfHealing"] = heal_info(i)
        if refused and n == 31:
            step["healRefused"] = {"strategy": "role", "originalSelector": "#gone",
                                   "note": "refused: two look-alikes tie",
                                   "candidates": heal_info(i)["candidates"]}
        steps.append(step)
    if failed:
        steps[-1]["success"] = False
        steps[-1]["error"] = "Locator.click: Timeout 5000ms exceeded.\nCall log:\n  - waiting for #pay\n" * 3
    return steps


def write_session(url: str, shot: screenshot.Shot) -> str:
    from pytest_irl.store import Database
    from pytest_irl.store.screenshots import ScreenshotStore

    session_id = str(uuid.uuid4())
    started = datetime.now(timezone.utc)
    with Database(url) as db:
        db.upsert_session({"id": session_id, "started_at": started, "host": "bench", "args": ["--irl"]})
        store = ScreenshotStore(db)
        with db.transaction():
            for i in range(TESTS):
                healed, failed = i % 10 == 3, i % 20 == 7
                refused, flaky = i % 25 == 11, i % 25 == 19
                when = started + timedelta(seconds=i)
                attempts = [("failed", 1), ("passed", 2)] if flaky else [
                    ("failed" if failed else "passed", 1)]
                first = None
                for status, attempt in attempts:
                    run_id = uuid.uuid4()
                    first = first or run_id
                    db.create_test_run({
                        "id": run_id, "session_id": session_id,
                        "nodeid": f"tests/test_shop_{i // 50}.py::test_{i}",
                        "status": status, "attempt": attempt, "flaky": flaky and attempt == 2,
                        "first_run_id": first if attempt > 1 else None, "started_at": when,
                        "finished_at": when + timedelta(seconds=1), "duration_ms": 1000.0,
                        "error": "AssertionError: total is 0\n" * 20 if status == "failed" else None,
                        "steps": steps_of(i, healed, refused, status == "failed", when),
                    })
                    if healed:
                        for n in (7, 23):
                            store.upsert(shot.op_data(run_id, n, "heal", when))
                    if status == "failed":
                        store.upsert(shot.op_data(run_id, STEPS, "failure", when))
        db.finish_session(session_id, started + timedelta(seconds=TESTS), 1)
    return session_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="Postgres URL (default: $IRL_TEST_DATABASE_URL, else an embedded store)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from pytest_irl.report import model, render
    from pytest_irl.store import Database

    work = Path(tempfile.mkdtemp(prefix="irl-report-bench-"))
    server = url = args.db or os.environ.get("IRL_TEST_DATABASE_URL")
    embedded_dir = name = None
    if url is None:
        from pytest_irl.store import embedded

        embedded_dir = work / ".irl"
        url = embedded.start(embedded_dir)
    else:
        import psycopg
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        name = f"irl_report_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = make_conninfo(**{**conninfo_to_dict(url), "dbname": name})
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**chromium_launch_options(pw.chromium, headless=True))
            shot = worst_case_shot(browser)
            capture = capture_ms(browser)
            began = time.perf_counter()
            session = write_session(url, shot)
            written_s = time.perf_counter() - began
            loads, renders, opens, expands = [], [], [], []
            out = work / "report.html"
            for _ in range(args.rounds):
                with Database(url) as db:
                    began = time.perf_counter()
                    report = model.load(db, session=session)
                    loads.append(time.perf_counter() - began)
                began = time.perf_counter()
                out.write_text(render.render(report), encoding="utf-8")
                renders.append(time.perf_counter() - began)
                page = browser.new_page()
                began = time.perf_counter()
                page.goto(out.as_uri(), wait_until="load")
                page.wait_for_function("() => document.getElementById('shown').textContent !== ''")
                opens.append(time.perf_counter() - began)
                test = page.locator("details.test").nth(3)  # test_3: healed twice
                began = time.perf_counter()
                test.locator("summary").click()
                test.locator("table.steps tbody tr").first.wait_for()
                expands.append(time.perf_counter() - began)
                page.close()
            browser.close()
        steps = sum(len(r.steps) for s in report.sessions for t in s.tests for r in t.runs)
        for run in (r for s in report.sessions for t in s.tests for r in t.runs):
            for taken in (run.failure_shot, *(step.shot for step in run.steps)):
                if taken is not None:
                    taken.data_uri = None
        bare = len(render.render(report).encode("utf-8"))  # the same report without its images
        size = out.stat().st_size
        med = statistics.median
        print(f"session: {TESTS} tests, {steps} steps (written in {written_s:.1f} s); screenshot "
              f"{len(shot.image) / 1000:.1f} kB each, {model.MAX_SHOTS} embedded at most,"
              f" {report.shots_left_out} left out")
        print(f"report: {size / 1e6:.1f} MB   load {med(loads):.2f} s   render {med(renders):.2f} s   "
              f"open in Chromium {med(opens):.2f} s   open one test (40 steps) {med(expands) * 1000:.0f} ms"
              f"   (medians of {args.rounds}); without its screenshots {bare / 1e6:.1f} MB")
        print(f"one screenshot at a heal (capture, an ordinary form): {capture:.0f} ms (median of 15)")
    finally:
        if embedded_dir is not None:
            from pytest_irl.store import embedded

            embedded.stop(embedded_dir)
        elif server and name:
            import psycopg

            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
