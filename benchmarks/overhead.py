"""Wall time of a green suite with ``--irl`` against the same suite without it, in one run.

    python benchmarks/overhead.py [--suite examples] [--rounds 5] [--db URL]

Each round runs the suite once each way, in alternating order, in fresh pytest processes; the
table shows the medians and their ratio (target: at most 1.05).

Python's bytecode cache is on in the child processes, as it is by default for every user:
``PYTHONDONTWRITEBYTECODE`` (set on some CI machines and containers) is removed from their
environment, so that the warm-up run leaves each module compiled. Without the cache every run
compiles pytest-irl's source again (about 0.1 s more here); ``--no-bytecode-cache`` measures that.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child_env(bytecode_cache: bool) -> dict[str, str]:
    """The environment of a measured process (step_cost.py uses it too)."""
    if bytecode_cache:
        return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}


def run_suite(suite: str, irl: bool, db: str | None, env: dict[str, str]) -> float:
    cmd = [sys.executable, "-m", "pytest", suite, "-q", "-p", "no:cacheprovider"]
    if irl:
        cmd.append("--irl")
        if db:
            cmd += ["--irl-db", db]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"overhead: the suite failed ({'with' if irl else 'without'} --irl):\n{proc.stdout[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--suite", default="examples")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--db", help="record into this Postgres instead of the embedded default")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="compile every module in every run (PYTHONDONTWRITEBYTECODE=1)")
    args = parser.parse_args()
    env = child_env(not args.no_bytecode_cache)

    run_suite(args.suite, True, args.db, env)  # warm-up: starts the embedded server, fills caches
    run_suite(args.suite, False, None, env)
    plain, irl = [], []
    for round_no in range(args.rounds):
        order = (False, True) if round_no % 2 == 0 else (True, False)
        for with_irl in order:
            (irl if with_irl else plain).append(run_suite(args.suite, with_irl, args.db, env))
    plain_s, irl_s = statistics.median(plain), statistics.median(irl)
    cache = "off" if args.no_bytecode_cache else "on"
    print(f"suite: {args.suite}   rounds: {args.rounds}   store: {args.db or 'embedded'}"
          f"   bytecode cache: {cache}")
    print("| run | median wall time | min | max |")
    print("|---|---|---|---|")
    print(f"| pytest (raw pytest-playwright) | {plain_s:.2f} s | {min(plain):.2f} s | {max(plain):.2f} s |")
    print(f"| pytest --irl | {irl_s:.2f} s | {min(irl):.2f} s | {max(irl):.2f} s |")
    print(f"| ratio --irl / raw | {irl_s / plain_s:.3f}x | | |")


if __name__ == "__main__":
    main()
