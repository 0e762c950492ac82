"""Phase-1 overhead on the heal bench: its v1 pages (nothing broken) with ``--irl`` against raw.

    python benchmarks/phase1.py [--bench ../shared/heal-bench] [--rounds 5]

Uses the bench's own test file, conftest and page server (imported from ``bench.py``), and runs
phase 1 in fresh pytest processes, alternating the order each round. Every ``--irl`` run starts
in a new folder, so it pays what the bench's warm phase 1 pays: creating the embedded store and
learning every element. Prints the medians and their ratio (target, issue 3: at most 1.05).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from types import ModuleType, SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]


def load_bench(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("heal_bench", path / "bench.py")
    if spec is None or spec.loader is None:
        sys.exit(f"phase1: no bench.py in {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def prepared(bench: ModuleType, cases: list[dict]) -> Path:
    work = Path(tempfile.mkdtemp(prefix="irl-phase1-"))
    (work / "test_heal_bench.py").write_text(bench.TEST_FILE)
    (work / "conftest.py").write_text(bench.CONFTEST)
    (work / "cases.json").write_text(json.dumps([{k: v for k, v in c.items() if k != "dir"} for c in cases]))
    return work


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bench", type=Path, default=ROOT.parent / "shared" / "heal-bench")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--timeout-ms", type=int, default=5000)
    parser.add_argument("--db", help="record into this Postgres instead of a fresh embedded store")
    args = parser.parse_args()

    bench = load_bench(args.bench)
    cases = bench.load_cases([args.bench / "cases"])
    site = bench.Site(cases)
    options = SimpleNamespace(python=sys.executable, db=args.db, extra="", timeout_ms=args.timeout_ms,
                              phase_timeout=900)
    walls: dict[bool, list[float]] = {False: [], True: []}
    folders = []
    try:
        for round_no in range(args.rounds + 1):  # round 0 warms the OS caches and is not counted
            for irl in ((False, True) if round_no % 2 == 0 else (True, False)):
                work = prepared(bench, cases)
                folders.append(work)
                wall = bench.run_phase(options, work, site, cases, "v1", irl, work / "results.jsonl")
                if round_no:
                    walls[irl].append(wall)
    finally:
        for work in folders:
            _stop_embedded(work)
            shutil.rmtree(work, ignore_errors=True)
    raw, irl = statistics.median(walls[False]), statistics.median(walls[True])
    print(f"heal bench phase 1 (v1 pages, nothing broken), {len(cases)} tests, rounds: {args.rounds}")
    print("| run | median wall time | min | max |")
    print("|---|---|---|---|")
    print(f"| raw pytest-playwright | {raw:.2f} s | {min(walls[False]):.2f} s | {max(walls[False]):.2f} s |")
    store = "fresh store" if args.db is None else "given store"
    print(f"| --irl, {store} | {irl:.2f} s | {min(walls[True]):.2f} s | {max(walls[True]):.2f} s |")
    print(f"| ratio --irl / raw | {irl / raw:.3f}x | | |")


def _stop_embedded(work: Path) -> None:
    """The embedded server outlives its run by design; these throw-away folders' must not."""
    if (work / ".irl").is_dir():
        from pytest_irl.store import embedded

        try:
            embedded.stop(work / ".irl")
        except Exception:
            pass


if __name__ == "__main__":
    main()
