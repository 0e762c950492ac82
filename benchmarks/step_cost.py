"""CPU and wall cost of one recorded step, on a step-dense test (issue #16, point 4).

    python benchmarks/step_cost.py [--steps 300] [--rounds 5] [--db URL] [--profile FILE]

A pytest file with one test doing ``--steps`` quick actions on a local page (``set_content`` with
a form; fill, click, text_content and ``expect(...).to_have_text`` in turn) is written into a temp
folder and run in fresh pytest processes, alternately without and with ``--irl`` (the embedded
store in that folder, or ``--db``), for several rounds. The table shows median wall time, the
ratio, and CPU time per step two ways:

- process tree: user+sys of the pytest process and everything it waited for (the Playwright
  driver, the browser), from ``resource.getrusage(RUSAGE_CHILDREN)`` deltas, divided by the steps;
- test loop: user+sys of the pytest process itself over the actions only (the test measures it
  with ``RUSAGE_SELF``), so start-up, the store and the browser's own work are left out. The
  difference between the two modes is the plugin's CPU per step, the figure to watch.

Python's bytecode cache is on in the child processes, as by default for every user (see
``overhead.py``; ``--no-bytecode-cache`` turns it off).

CPU time is the primary figure: on a loaded machine wall time mostly measures the neighbours.
``--profile FILE`` also runs the test once each way with its loop under cProfile (main-thread CPU
time; FILE.plain.prof, FILE.irl.prof) and prints the functions whose own time grows most with
``--irl``, per step.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from overhead import child_env  # benchmarks/ is on the path of a script run from it

TEST_FILE = '''\
import json
import os
import resource

from playwright.sync_api import expect

STEPS = {steps}
FORM = """
<form onsubmit="return false">
  <label for="name">Name</label><input id="name" name="name">
  <button id="save" type="button"
          onclick="document.querySelector('#out').textContent = document.querySelector('#name').value">
    Save</button>
  <p id="out"></p>
</form>
"""


def _cpu(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def test_many_quick_steps(page):
    page.set_content(FORM)
    name, save, out = page.locator("#name"), page.get_by_role("button", name="Save"), page.locator("#out")
    profile_to = os.environ.get("STEP_COST_PROFILE")
    if profile_to:
        import cProfile
        import time

        # The main thread's CPU time: waiting for the browser is nobody's CPU cost.
        profiler = cProfile.Profile(time.thread_time)
        profiler.enable()
    cpu0, thread0 = _cpu(), _cpu(resource.RUSAGE_THREAD)
    for i in range(STEPS):
        value = f"v{{i // 4}}"
        kind = i % 4
        if kind == 0:
            name.fill(value)
        elif kind == 1:
            save.click()
        elif kind == 2:
            assert out.text_content() == value
        else:
            expect(out).to_have_text(value)
    if profile_to:
        profiler.disable()
        profiler.dump_stats(profile_to)
    result = os.environ.get("STEP_COST_RESULT")
    if result:
        with open(result, "w") as fh:
            thread = _cpu(resource.RUSAGE_THREAD) - thread0
            json.dump({{"loop_cpu_s": _cpu() - cpu0, "thread_cpu_s": thread}}, fh)
'''


@dataclass
class Sample:
    wall_s: float
    tree_cpu_s: float  # the pytest process and all it waited for
    loop_cpu_s: float  # the pytest process, over the test's actions only
    thread_cpu_s: float  # of which its main thread (the rest: the store's writer, other threads)


def write_suite(folder: Path, steps: int) -> Path:
    test = folder / "test_step_cost.py"
    test.write_text(TEST_FILE.format(steps=steps), encoding="utf-8")
    # Its own rootdir: the embedded store lands in this folder's .irl/, never the project's.
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    return test


ENV = child_env(True)  # main() sets it from --no-bytecode-cache


def run_once(folder: Path, irl: bool, db: str | None) -> Sample:
    result = folder / "result.json"
    result.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "pytest", "test_step_cost.py", "-q", "-p", "no:cacheprovider"]
    if irl:
        cmd.append("--irl")
        if db:
            cmd += ["--irl-db", db]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=folder, capture_output=True, text=True,
                          env={**ENV, "STEP_COST_RESULT": str(result)})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"step_cost: the test failed ({'with' if irl else 'without'} --irl):\n{proc.stdout[-3000:]}")
    tree = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    measured = json.loads(result.read_text())
    return Sample(wall, tree, measured["loop_cpu_s"], measured["thread_cpu_s"])


def profile(folder: Path, db: str | None, out: Path, top: int, steps: int) -> None:
    """The test's loop under cProfile (main-thread CPU time) in one run each way; the functions
    whose own time grows the most with --irl, per step."""
    import pstats

    def own_times(irl: bool) -> dict[str, tuple[float, int]]:
        path = out.with_suffix(".irl.prof" if irl else ".plain.prof")
        cmd = [sys.executable, "-m", "pytest", "test_step_cost.py", "-q", "-p", "no:cacheprovider"]
        if irl:
            cmd += ["--irl", *(["--irl-db", db] if db else [])]
        proc = subprocess.run(cmd, cwd=folder, capture_output=True, text=True,
                              env={**ENV, "STEP_COST_PROFILE": str(path)})
        if proc.returncode != 0:
            sys.exit(f"step_cost: the profiled run failed:\n{proc.stdout[-3000:]}")
        stats = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]
        found: dict[str, tuple[float, int]] = {}
        for (filename, line, name), (_cc, calls, tottime, _cumtime, _callers) in stats.items():
            found[f"{_short(filename)}:{line}({name})"] = (tottime, calls)
        return found

    plain, irl = own_times(False), own_times(True)
    total_p = sum(t for t, _ in plain.values())
    total_i = sum(t for t, _ in irl.values())
    print(f"\nprofile of the test loop ({steps} steps; {out.with_suffix('.irl.prof')}):"
          f" main thread {total_p * 1000 / steps:.2f} ms/step without --irl,"
          f" {total_i * 1000 / steps:.2f} ms/step with it")
    print("| own time/step with --irl | without | calls with --irl | function |")
    print("|---|---|---|---|")
    growth = sorted(irl, key=lambda k: irl[k][0] - plain.get(k, (0.0, 0))[0], reverse=True)
    for key in growth[:top]:
        tottime, calls = irl[key]
        before = plain.get(key, (0.0, 0))[0]
        print(f"| {tottime * 1000 / steps:.3f} ms | {before * 1000 / steps:.3f} ms | {calls} | {key} |")


def _short(filename: str) -> str:
    """``pytest_irl/layer.py`` rather than the whole path: the package and the file."""
    parts = Path(filename).parts
    return "/".join(parts[-2:]) if len(parts) > 1 else filename


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--db", help="record into this Postgres (e.g. postgresql://postgres@127.0.0.1:5432/test)"
                                     " instead of an embedded store in a fresh folder")
    parser.add_argument("--profile", metavar="FILE", help="also profile one --irl run in-process into FILE")
    parser.add_argument("--top", type=int, default=30, help="rows of the profile table")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="compile every module in every run (PYTHONDONTWRITEBYTECODE=1)")
    args = parser.parse_args()
    global ENV
    ENV = child_env(not args.no_bytecode_cache)

    with tempfile.TemporaryDirectory(prefix="irl-step-cost-") as tmp:
        folder = Path(tmp)
        write_suite(folder, args.steps)
        try:
            run_once(folder, True, args.db)  # warm-up: creates the embedded store, fills OS caches
            run_once(folder, False, None)
            plain: list[Sample] = []
            irl: list[Sample] = []
            for round_no in range(args.rounds):
                order = (False, True) if round_no % 2 == 0 else (True, False)
                for with_irl in order:
                    (irl if with_irl else plain).append(run_once(folder, with_irl, args.db))
            if args.rounds > 0:  # --rounds 0 --profile FILE: only the profile
                report(plain, irl, args.steps, args.rounds, args.db)
            if args.profile:
                profile(folder, args.db, Path(args.profile).resolve(), args.top, args.steps)
        finally:
            if not args.db:
                from pytest_irl.store import embedded

                embedded.stop(folder / ".irl")  # the embedded server outlives its pytest process


def report(plain: list[Sample], irl: list[Sample], steps: int, rounds: int, db: str | None) -> None:
    def med(samples: list[Sample], field: str) -> float:
        return statistics.median(getattr(s, field) for s in samples)

    wall_p, wall_i = med(plain, "wall_s"), med(irl, "wall_s")
    tree_p, tree_i = med(plain, "tree_cpu_s"), med(irl, "tree_cpu_s")
    loop_p, loop_i = med(plain, "loop_cpu_s"), med(irl, "loop_cpu_s")
    main_p, main_i = med(plain, "thread_cpu_s"), med(irl, "thread_cpu_s")
    per = 1000.0 / steps
    print(f"bytecode cache: {'off' if ENV.get('PYTHONDONTWRITEBYTECODE') else 'on'}")
    print(f"steps: {steps}   rounds: {rounds}   store: {db or 'embedded (fresh folder)'}   (medians)")
    print("| run | wall | CPU/step, process tree | CPU/step, test loop | of which main thread |")
    print("|---|---|---|---|---|")
    print(f"| pytest | {wall_p:.2f} s | {tree_p * per:.2f} ms | {loop_p * per:.2f} ms |"
          f" {main_p * per:.2f} ms |")
    print(f"| pytest --irl | {wall_i:.2f} s | {tree_i * per:.2f} ms | {loop_i * per:.2f} ms |"
          f" {main_i * per:.2f} ms |")
    print(f"| --irl extra | {wall_i / wall_p:.3f}x | +{(tree_i - tree_p) * per:.2f} ms |"
          f" +{(loop_i - loop_p) * per:.2f} ms | +{(main_i - main_p) * per:.2f} ms |")


if __name__ == "__main__":
    main()
