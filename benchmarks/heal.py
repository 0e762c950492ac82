"""Healing figures in one table: the heal bench in warm, cold and raw mode, plus scoring speed.

    python benchmarks/heal.py [--bench ../shared/heal-bench] [--modes warm,cold,raw]

Runs ``bench.py`` (which runs pytest as a user would) once per mode with this interpreter, then
times ``rank`` + ``decide`` over 1,000 synthetic candidates. Targets (issue 3): warm >= 97 %
correct and 0 wrong; cold >= 60 % and 0 wrong; median healed action <= 1.0 s at a 5 s timeout;
phase-1 wall time <= 1.05x raw.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_bench(bench: Path, mode: str) -> dict:
    cmd = [sys.executable, str(bench / "bench.py"), str(bench / "cases"), "--mode", mode,
           "--python", sys.executable]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = proc.stdout[-2000:] + proc.stderr[-2000:]
        sys.exit(f"heal benchmark: bench.py failed in {mode} mode:\n{tail}")
    return json.loads(lines[-1])


def scoring_ms(n: int = 1000, rounds: int = 5) -> float:
    from pytest_irl.heal import Fingerprint, decide, look_alikes, rank
    from pytest_irl.heal.look_alikes import KEEP

    reference = Fingerprint(tag="button", id="login-7f3a", classes=["btn", "btn-primary"], role="button",
                            accessible_name="Sign in", text="Sign in", xpath="/html/body/main/form/button[1]",
                            context="Account Sign in to continue")
    candidates = [
        Fingerprint(tag="button" if i % 3 else "a", id=f"item-{i:04x}", classes=["btn", f"c{i % 7}"],
                    role="button" if i % 3 else "link", accessible_name=f"Action {i}", text=f"Action {i}",
                    xpath=f"/html/body/main/div[{i % 40}]/button[{i % 5}]", context=f"Card {i % 50}")
        for i in range(n)
    ]
    # What a warm heal has learned beside the element: its look-alikes (the contrastive test).
    learned_alikes = look_alikes(reference, candidates[:KEEP * 4])
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        decide(rank(reference, candidates), look_alikes=learned_alikes)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bench", type=Path, default=ROOT.parent / "shared" / "heal-bench")
    parser.add_argument("--modes", default="warm,cold,raw")
    args = parser.parse_args()
    results = {mode: run_bench(args.bench, mode) for mode in args.modes.split(",")}
    print("| mode | correct | wrong | failed | correct % | median healed action | phase-1 wall"
          " | phase-2 wall |")
    print("|---|---|---|---|---|---|---|---|")
    for mode, r in results.items():
        median = "-" if r["median_correct_action_s"] is None else f"{r['median_correct_action_s']:.2f} s"
        v1 = "-" if r["v1_wall_s"] is None else f"{r['v1_wall_s']:.1f} s"
        counts = f"{r['correct']}/{r['cases']} | {r['wrong']} | {r['failed']} | {r['correct_pct']} %"
        print(f"| {mode} | {counts} | {median} | {v1} | {r['v2_wall_s']:.1f} s |")
    if "warm" in results and "raw" in results and results["raw"]["v1_wall_s"]:
        ratio = results["warm"]["v1_wall_s"] / results["raw"]["v1_wall_s"]
        print(f"\nphase-1 (nothing broken) wall time, --irl / raw: {ratio:.3f}x")
    print(f"rank + decide over 1,000 candidates: {scoring_ms():.1f} ms (median of 5)")


if __name__ == "__main__":
    main()
