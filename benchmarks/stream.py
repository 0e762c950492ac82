"""Live streaming: what a viewer gets, and what it costs the test, in one run.

    python benchmarks/stream.py [--rounds 3] [--iterations 60] [--db URL]

A test drives a page that repaints all the time (a canvas animated on every animation frame, the
page's clock drawn into it as 24 black-or-white blocks) with fill / click / inner_text steps. Each
round runs it in fresh pytest processes, in rotating order:

- raw                            plain pytest-playwright, no pytest-irl
- ``--irl``                      no streaming
- ``--irl --irl-stream``         streaming, nobody watching
- ``--irl --irl-stream`` + viewer streaming (CDP screenshots, the default on Chromium), and a real
                                 Chromium watching the run's stream_url
- ``... --irl-stream-frames=screencast`` + viewer
                                 the same with the browser's screencast as the frame source

The viewer reads the stream_url from the database while the test runs and opens the stream page
(MJPEG player). It counts the frames it displays (fps), and for each displayed frame measures the
latency twice: end to end, from the page's clock in the frame (decoded from the blocks) to the
moment the viewer has drawn the frame; and from the moment the plugin asked the browser for that
frame to the same moment. CPU is the user+system time of the pytest process and everything it
started (Chromium, Playwright's driver). Wall time is the test body's, measured inside the test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from pytest_irl.browser import chromium_launch_options  # noqa: E402

SUITE = r'''
import json, os, time
from pathlib import Path

PAGE = """<body style="margin:0;font:20px sans-serif">
<canvas id=c width=1280 height=360></canvas><br>
<input id=i> <button id=b onclick="n.textContent = +n.textContent + 1">add</button> <span id=n>0</span>
<script>
const g = document.getElementById('c').getContext('2d');
function draw() {
  const now = Date.now(), t = now % 16777216;
  g.fillStyle = 'hsl(' + (now / 10 % 360) + ',70%,55%)';
  g.fillRect(0, 0, 1280, 360);
  for (let bit = 0; bit < 24; bit++) {
    g.fillStyle = (t >> bit) & 1 ? '#fff' : '#000';
    g.fillRect(bit * 52, 0, 52, 52);
  }
  g.fillStyle = '#000';
  g.fillText(String(now), 20, 120);
  requestAnimationFrame(draw);
}
requestAnimationFrame(draw);
</script></body>"""

def test_continuously_changing_page(page):
    page.set_content(PAGE)
    ready = os.environ.get("IRL_BENCH_READY")
    end = time.monotonic() + 30
    while ready and not Path(ready).exists() and time.monotonic() < end:
        page.wait_for_timeout(50)
    started = time.perf_counter()
    for i in range(int(os.environ["IRL_BENCH_ITERATIONS"])):
        page.fill("#i", f"value {i}")
        page.click("#b")
        assert page.inner_text("#n") == str(i + 1)
    Path(os.environ["IRL_BENCH_OUT"]).write_text(json.dumps({"body_s": time.perf_counter() - started}))
'''

# Runs in the viewer's stream page: for every frame it shows, the latency of that frame.
WATCH = r"""() => {
  // On every third frame the stream page shows, read the row of clock blocks off its canvas
  // (reading pixels back is the measurement's own cost, not the stream's: kept to a third).
  window.irlSamples = [];
  let frames = 0;
  const screen = document.getElementById('frame');
  const strip = document.createElement('canvas');
  const g = strip.getContext('2d', {willReadFrequently: true});
  screen.addEventListener('frame', (event) => {
    if (frames++ % 3) return;
    const shown = Date.now();
    const scale = screen.width / 1280;
    if (strip.width !== screen.width) { strip.width = screen.width; strip.height = 1; }
    g.drawImage(screen, 0, Math.round(26 * scale), screen.width, 1, 0, 0, screen.width, 1);
    const row = g.getImageData(0, 0, strip.width, 1).data;
    let t = 0;
    for (let bit = 0; bit < 24; bit++) {
      const x = Math.round((bit * 52 + 26) * scale) * 4;
      if (row[x] + row[x + 1] + row[x + 2] > 384) t |= (1 << bit);
    }
    const painted = shown - ((shown - t) % 16777216 + 16777216) % 16777216;
    window.irlSamples.push({shown, e2e: shown - painted, capture: shown - event.detail.captured});
  });
}"""


def viewer_cpu(exclude: int) -> dict[int, float]:
    """CPU seconds so far of every process this benchmark started (the viewer's Chromium and
    Playwright's driver), except the pytest process tree ``exclude``."""
    try:
        import psutil
    except ImportError:
        return {}
    skip = {exclude}
    try:
        skip |= {p.pid for p in psutil.Process(exclude).children(recursive=True)}
    except psutil.Error:
        pass
    seen = {}
    for proc in psutil.Process().children(recursive=True):
        if proc.pid in skip:
            continue
        try:
            times = proc.cpu_times()
            seen[proc.pid] = times.user + times.system
        except psutil.Error:
            pass
    return seen


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def stream_url_of_running_run(db: str, session: str, timeout: float = 60.0) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with psycopg.connect(db) as conn:
                row = conn.execute(
                    "SELECT stream_url FROM test_runs WHERE status = %s AND stream_url IS NOT NULL"
                    " AND session_id = %s", ("running", session)).fetchone()
            if row:
                return str(row[0])
        except psycopg.errors.UndefinedTable:
            pass
        time.sleep(0.05)
    raise SystemExit("stream: no running run got a stream_url")


# mode -> (pytest options, whether a viewer watches)
MODES: dict[str, tuple[list[str], bool]] = {
    "raw": ([], False),
    "off": (["--irl"], False),
    "stream": (["--irl", "--irl-stream"], False),
    "viewer": (["--irl", "--irl-stream"], True),
    "screencast": (["--irl", "--irl-stream", "--irl-stream-frames=screencast"], True),
}
LABELS = {
    "raw": "pytest-playwright alone",
    "off": "--irl",
    "stream": "--irl --irl-stream, nobody watching",
    "viewer": "--irl --irl-stream, one viewer",
    "screencast": "--irl --irl-stream --irl-stream-frames=screencast, one viewer",
}


def run_once(work: Path, mode: str, db: str, iterations: int, browser: Any) -> dict[str, Any]:
    out = work / f"out-{mode}.json"
    ready = work / "viewer-ready"
    out.unlink(missing_ok=True)
    ready.unlink(missing_ok=True)
    env = {**os.environ, "IRL_BENCH_OUT": str(out), "IRL_BENCH_ITERATIONS": str(iterations)}
    env.pop("IRL_BENCH_READY", None)
    options, watched = MODES[mode]
    if watched:
        env["IRL_BENCH_READY"] = str(ready)
    session = str(uuid.uuid4())
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options]
    if options:
        cmd += ["--irl-db", db, "--irl-session-id", session]
    cpu_before = children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    result: dict[str, Any] = {}
    if watched:
        url = stream_url_of_running_run(db, session)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url + "&mode=mjpeg")
        page.evaluate(WATCH)
        end = time.monotonic() + 20
        while not page.evaluate("Number(document.body.dataset.frames || 0)") and time.monotonic() < end:
            page.wait_for_timeout(20)
        ready.touch()
        viewer_before = viewer_cpu(proc.pid)
        watch_started = time.time() * 1000
        frames_before = int(page.evaluate("Number(document.body.dataset.frames || 0)"))
        while not out.exists() and proc.poll() is None:
            time.sleep(0.1)  # not page.wait_for_timeout: the harness sends the viewer nothing meanwhile
        watch_ended = time.time() * 1000
        viewer_after = viewer_cpu(proc.pid)
        result["viewer_cpu_s"] = sum(t - viewer_before.get(pid, 0.0) for pid, t in viewer_after.items())
        frames = int(page.evaluate("Number(document.body.dataset.frames || 0)")) - frames_before
        samples = [s for s in page.evaluate("window.irlSamples")
                   if watch_started <= s["shown"] <= watch_ended]
        page.close()
        result["fps"] = frames / ((watch_ended - watch_started) / 1000)
        result["e2e_ms"] = [s["e2e"] for s in samples if 0 <= s["e2e"] < 10_000]
        result["capture_ms"] = [s["capture"] for s in samples if s["capture"] == s["capture"]]
    output, _ = proc.communicate(timeout=300)
    result["process_s"] = time.perf_counter() - started
    result["cpu_s"] = children_cpu() - cpu_before
    if proc.returncode != 0 or not out.exists():
        raise SystemExit(f"stream: the benchmark test failed ({mode}):\n{output[-3000:]}")
    result["body_s"] = json.loads(out.read_text())["body_s"]
    return result


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def renice_viewer(niceness: int) -> None:
    """Give the viewer (every process this benchmark started so far but Postgres) ``niceness``."""
    import psutil

    for proc in psutil.Process().children(recursive=True):
        try:
            if "postgres" not in proc.name():
                proc.nice(niceness)
        except psutil.Error:
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=60, help="fill/click/read steps of the test")
    parser.add_argument("--db", help="Postgres URL (default: $IRL_DATABASE_URL, else an embedded one)")
    parser.add_argument("--viewer-nice", type=int, default=0,
                        help="run the viewer's Chromium and driver at this nice value, standing in for a"
                             " viewer on another machine (it then takes CPU only when the test leaves some)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="irl-stream-bench-") as tmp:
        work = Path(tmp)
        (work / "test_bench.py").write_text(SUITE)
        db = args.db or os.environ.get("IRL_DATABASE_URL")
        if not db:
            from pytest_irl.store import embedded

            db = embedded.start(work / ".irl")
        modes = tuple(MODES)
        results: dict[str, list[dict[str, Any]]] = {mode: [] for mode in modes}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**chromium_launch_options(pw.chromium, headless=True))
            if args.viewer_nice:
                renice_viewer(args.viewer_nice)
            run_once(work, "stream", db, 5, browser)  # warm-up
            for round_no in range(args.rounds):
                order = modes[round_no % len(modes):] + modes[:round_no % len(modes)]
                for mode in order:
                    results[mode].append(run_once(work, mode, db, args.iterations, browser))
            browser.close()
        if not args.db and not os.environ.get("IRL_DATABASE_URL"):
            embedded.stop(work / ".irl")
    report(results, args)


def report(results: dict[str, list[dict[str, Any]]], args: argparse.Namespace) -> None:
    def med(mode: str, key: str) -> float:
        return statistics.median(r[key] for r in results[mode])

    watched = [mode for mode, (_, viewer) in MODES.items() if viewer]
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f}")
    print(f"rounds: {args.rounds}   test: {args.iterations} x (fill, click, inner_text) on a page "
          f"repainting every animation frame   cpus: {os.cpu_count()}")
    if args.viewer_nice:
        print(f"viewer's processes at nice {args.viewer_nice}")
    print()
    print("| measure | " + " | ".join(f"frames: {'screenshots' if m == 'viewer' else m}" for m in watched)
          + " | target |")
    print("|---|" + "---|" * len(watched) + "---|")

    def row(label: str, cells: list[str], target: str = "") -> None:
        print(f"| {label} | " + " | ".join(cells) + f" | {target} |")

    row("fps delivered to the viewer (median of rounds)",
        [f"{statistics.median(r['fps'] for r in results[m]):.1f}" for m in watched], ">= 10")
    e2e = {m: [v for r in results[m] for v in r["e2e_ms"]] for m in watched}
    capture = {m: [v for r in results[m] for v in r["capture_ms"]] for m in watched}
    row("latency, page paint -> viewer shows it (median / p95)",
        [f"{percentile(e2e[m], 0.5):.0f} / {percentile(e2e[m], 0.95):.0f} ms ({len(e2e[m])} frames)"
         for m in watched], "<= 300 ms")
    row("latency, frame captured -> viewer shows it (median / p95)",
        [f"{percentile(capture[m], 0.5):.0f} / {percentile(capture[m], 0.95):.0f} ms" for m in watched])
    if all("viewer_cpu_s" in r for m in watched for r in results[m]):
        row("CPU time of the viewer (its Chromium and driver) while the test ran",
            [f"{statistics.median(r['viewer_cpu_s'] for r in results[m]):.2f} s" for m in watched])
    base_body, base_cpu = med("off", "body_s"), med("off", "cpu_s")
    row("test wall time, one viewer / --irl without streaming (medians)",
        [f"{med(m, 'body_s'):.2f} / {base_body:.2f} s = **{med(m, 'body_s') / base_body:.3f}x**"
         for m in watched], "<= 1.15x")
    row("CPU of the test's process tree, one viewer / --irl without streaming",
        [f"{med(m, 'cpu_s') / base_cpu:.3f}x" for m in watched])
    row("one viewer / without streaming, each round",
        [", ".join(f"{v['body_s'] / o['body_s']:.2f}"
                   for v, o in zip(results[m], results["off"], strict=True)) for m in watched])
    print()
    raw_body = med("raw", "body_s")
    print("| run | test wall time (median) | / --irl | / pytest-playwright alone | CPU of its process tree |")
    print("|---|---|---|---|---|")
    for mode in MODES:
        body = med(mode, "body_s")
        print(f"| {LABELS[mode]} | {body:.2f} s | {body / base_body:.3f}x | {body / raw_body:.3f}x | "
              f"{med(mode, 'cpu_s'):.2f} s |")


if __name__ == "__main__":
    main()
