"""Assertion and list heals: how many, and how long a healed assertion takes.

    python benchmarks/assertions.py [--plain]

Copies ``examples/`` into a temporary directory (its own embedded store), runs the expect-heavy
tasks suite (``examples/test_tasks.py``) with ``--irl`` on version 1 of the Taskboard tasks page
(it learns), then on version 2 (``IRL_EXAMPLES_APP=v2``: ids renamed to classes, each task's markup
reordered), and reads the recorded steps: healed assertions (``expect.*``) and list queries
(``count``), by strategy, with the median and maximum duration of a healed assertion step.
``--plain`` also runs version 2 without ``--irl`` (plain Playwright: every test fails, each after
its full 30 s timeout, so it takes minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUITE = "examples/test_tasks.py"


def pytest_run(cwd: Path, *args: str, version: str) -> tuple[int, str]:
    env = {**os.environ, "IRL_EXAMPLES_APP": version}
    env.pop("IRL_DATABASE_URL", None)
    proc = subprocess.run([sys.executable, "-m", "pytest", SUITE, "-q", "-p", "no:cacheprovider", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=1800)
    out = proc.stdout.strip()
    return proc.returncode, out.splitlines()[-1] if out else proc.stderr[-500:]


def healed_steps(cwd: Path) -> list[dict]:
    import psycopg

    url = subprocess.run([sys.executable, "-m", "pytest_irl.cli", "db-url"], cwd=cwd, capture_output=True,
                         text=True, check=True).stdout.strip()
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT id FROM test_sessions ORDER BY started_at DESC LIMIT 1").fetchone()
        rows = conn.execute(
            "SELECT step FROM test_runs, jsonb_array_elements(steps) AS step"
            " WHERE session_id = %s AND step ? 'selfHealing'", (row[0],)).fetchall()
    return [r[0] for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plain", action="store_true", help="also run version 2 with plain Playwright")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="irl-assertions-") as tmp:
        work = Path(tmp)
        shutil.copytree(ROOT / "examples", work / "examples")
        try:
            learn = pytest_run(work, "--irl", version="v1")
            plain = pytest_run(work, version="v2") if options.plain else None
            heal = pytest_run(work, "--irl", version="v2")
            steps = healed_steps(work)
        finally:
            subprocess.run([sys.executable, "-m", "pytest_irl.cli", "db-stop"], cwd=work, capture_output=True)
    asserts = [s for s in steps if s["action"].startswith("expect.")]
    counts = [s for s in steps if s["action"] in ("count", "all")]
    by_strategy: dict[str, int] = {}
    for step in asserts:
        strategy = step["selfHealing"]["strategy"]
        by_strategy[strategy] = by_strategy.get(strategy, 0) + 1
    times = [s["durationMs"] / 1000.0 for s in asserts]
    # Heals that looked for the locator first (the presence wait, then one page call); the others
    # reuse a list this session already healed on that page, and are not waited for.
    looked = [s["durationMs"] / 1000.0 for s in asserts if s["attempts"]
              and s["attempts"][0]["outcome"] == "waiting" and s["attempts"][0]["durationMs"] >= 100]
    print(f"version 1 with --irl: {learn[1]}")
    if plain is not None:
        print(f"version 2, plain Playwright: {plain[1]}")
    print(f"version 2 with --irl: {heal[1]}")
    summary = {
        "healed_assertions": len(asserts), "by_strategy": by_strategy, "healed_list_queries": len(counts),
        "healed_actions": len(steps) - len(asserts) - len(counts),
        "median_healed_assertion_s": round(statistics.median(times), 3) if times else None,
        "max_healed_assertion_s": round(max(times), 3) if times else None,
        "heals_that_waited": len(looked),
        "median_heal_that_waited_s": round(statistics.median(looked), 3) if looked else None,
    }
    strategies = ", ".join(f"{k} {v}" for k, v in sorted(by_strategy.items()))
    print(f"assertion heals: {len(asserts)} healed assertions ({strategies}), {len(counts)} healed list"
          f" queries; median healed assertion {summary['median_healed_assertion_s']} s,"
          f" max {summary['max_healed_assertion_s']} s; {len(looked)} waited for the locator first"
          f" (median {summary['median_heal_that_waited_s']} s), the rest reused the session's heal")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
