"""A real third-party pytest-playwright suite with and without ``--irl``: outcomes and wall time.

    python benchmarks/real_suite.py [--rounds 3] [--subset PATH ...] [-k EXPR] [--keep]

The suite is py-shiny's Playwright UI tests for its inputs, from the sdist of ``shiny`` at
SHINY_VERSION: by default a fixed, step-dense subset of ``tests/playwright/shiny/inputs/`` (19 tests,
about 34 steps each); ``--subset tests/playwright/shiny/inputs`` runs the whole folder (67 tests).
Its conftest replaces ``page`` with one page shared by the whole session (made by
``browser.new_context().new_page()``), monkeypatches that page's ``goto`` and listens to its
``crash`` event, and its ``pytest.ini`` turns every warning into an error: a layer that leaks shows
up here.

Everything third-party lives in ``.cache/real-suite/`` (ignored by git): a venv with shiny, the
suite's test dependencies and this repo (editable, so the working tree is what is measured), and
the suite's files unpacked from the sdist. The first run needs the package registry; later runs
reuse the cache and work offline.

Each round runs the subset once without and once with ``--irl`` (the order alternates), in fresh
pytest processes, each with its own JUnit XML. Each ``--irl`` run records into a fresh, empty
database of one embedded Postgres server kept under the cache folder, so no run learns from
another and the server's start-up is not timed. The report lists every test whose outcome differs
between the two modes, the median wall and CPU times with their ratio, and the steps recorded per
test. Exit status 0 when the check holds: no outcome changed by ``--irl`` and a median wall ratio
of at most WALL_TARGET.

The browser: Playwright's own Chromium build is not needed. pytest-irl's system-browser fallback
(active with and without ``--irl``; ini ``irl_system_browser``) makes pytest-playwright's
``browser`` fixture, which the suite's conftest uses, launch a system Chromium (``chromium`` on
PATH) with ``--no-sandbox`` when run as root; ``--browser chromium`` is passed to both modes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "real-suite"
VENV = CACHE / "venv"
DOWNLOADS = CACHE / "dl"
RUNS = CACHE / "runs"
STORE = CACHE / "store"

SHINY_VERSION = "1.8.0"
SUITE = CACHE / f"shiny-{SHINY_VERSION}"
# What the inputs tests and their apps import besides shiny and pytest-playwright, and
# the plugins the suite's pytest.ini needs to parse its options (asyncio_mode, --numprocesses).
# pytest-base-url: without it, pytest-playwright >= 0.8 registers its own ``base_url`` fixture as a
# method of a plugin object, which pytest >= 9.2 warns about, and the suite's ``filterwarnings =
# error`` turns that warning into a setup error of every test, with or without --irl.
TEST_DEPS = (
    "pytest-asyncio", "pytest-xdist", "pytest-timeout", "pytest-rerunfailures", "pytest-base-url",
    "faicons", "python-dateutil", "pandas", "jinja2",  # jinja2: pandas' DataFrame.style (input_file app)
)
# Unpacked from the sdist: the Playwright tests, the example apps some of them serve, and the
# pytest.ini that makes the sdist's root the rootdir (and turns warnings into errors).
SDIST_PARTS = ("tests/playwright/", "examples/", "pytest.ini")
# The fixed subset: the most step-dense test files of tests/playwright/shiny/inputs/ (by steps per
# second of plain run time), 19 tests, about 33 steps each. ``--subset tests/playwright/shiny/inputs``
# runs the whole folder (67 tests that can run from a release, about 19 steps each).
DEFAULT_SUBSET = tuple(f"tests/playwright/shiny/inputs/{name}" for name in (
    "input_slider", "input_selectize", "input_radio_checkbox_group", "input_kitchensink/input_selectize",
    "test_inputs_update.py", "sidebar_kitchensink", "input_daterange",
))
# Apps under shiny/api-examples/ are in neither the sdist nor the wheel: the test files that serve
# them (through conftest's create_doc_example_* fixtures) cannot run from a release and are left out.
NEEDS_API_EXAMPLES = "create_doc_example"
# The suite's own per-test limit is set by its Makefile; this one only stops a hung run.
TEST_TIMEOUT_S = 180

# Issue 16: paired median wall with --irl at most this times the plain run's.
WALL_TARGET = 1.05

KEY_PACKAGES = ("shiny", "playwright", "pytest-playwright", "pytest", "pytest-irl")


# --------------------------------------------------------------------------- set-up


def venv_python() -> Path:
    return VENV / "bin" / "python"


def run_checked(cmd: Sequence[str | Path], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        sys.exit(f"real_suite: {' '.join(map(str, cmd))} failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    return proc


def install_stamp() -> str:
    """What the venv was built from: a change to any of it rebuilds the install."""
    digest = hashlib.sha256()
    digest.update(f"shiny=={SHINY_VERSION}\n".encode())
    digest.update("\n".join(TEST_DEPS).encode())
    digest.update((ROOT / "pyproject.toml").read_bytes())
    return digest.hexdigest()


def ensure_venv() -> None:
    stamp_file = VENV / ".real-suite-stamp"
    stamp = install_stamp()
    if stamp_file.exists() and stamp_file.read_text() == stamp and venv_python().exists():
        return
    print(f"real_suite: installing shiny=={SHINY_VERSION}, its test dependencies and pytest-irl into {VENV}")
    if not venv_python().exists():
        base = getattr(sys, "_base_executable", sys.executable)
        run_checked([base, "-m", "venv", VENV])
    run_checked([
        venv_python(), "-m", "pip", "install", "--quiet",
        f"shiny=={SHINY_VERSION}", *TEST_DEPS, "-e", f"{ROOT}[test]",
    ])
    stamp_file.write_text(stamp)


def ensure_suite() -> None:
    """The suite's files, unpacked from the sdist of the pinned release (downloaded once)."""
    if (SUITE / "pytest.ini").exists():
        return
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    sdist = DOWNLOADS / f"shiny-{SHINY_VERSION}.tar.gz"
    if not sdist.exists():
        print(f"real_suite: downloading the sdist of shiny=={SHINY_VERSION}")
        run_checked([
            venv_python(), "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
            f"shiny=={SHINY_VERSION}", "--dest", DOWNLOADS,
        ])
    prefix = f"shiny-{SHINY_VERSION}/"
    with tarfile.open(sdist) as archive:
        members = [
            m for m in archive.getmembers()
            if m.name.startswith(prefix) and m.name[len(prefix):].startswith(SDIST_PARTS)
        ]
        if hasattr(tarfile, "data_filter"):
            archive.extractall(CACHE, members=members, filter="data")
        else:  # Python without the extraction filters (before 3.10.12 / 3.11.4)
            archive.extractall(CACHE, members=members)  # paths checked by prefix above
    if not (SUITE / "pytest.ini").exists():
        sys.exit(f"real_suite: {sdist.name} has no pytest.ini where expected")


def package_versions() -> dict[str, str]:
    proc = run_checked([venv_python(), "-m", "pip", "list", "--format=json"])
    versions = {row["name"].lower(): row["version"] for row in json.loads(proc.stdout)}
    return {name: versions.get(name, "?") for name in KEY_PACKAGES}


def git_revision() -> str:
    proc = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"],
                           capture_output=True, text=True)
    rev = proc.stdout.strip() or "?"
    return rev + (" + uncommitted changes in src/" if dirty.stdout.strip() else "")


# --------------------------------------------------------------------------- the store
# These run inside the suite's venv (which has psycopg and pytest-irl), called as
# ``venv/bin/python real_suite.py --store-helper ACTION [ARG]``.

STEP_QUERY = """
SELECT nodeid, attempt, status,
       jsonb_array_length(steps) AS steps,
       (SELECT count(*) FROM jsonb_array_elements(steps) s
         WHERE jsonb_typeof(s->'selfHealing') = 'object') AS healed,
       (SELECT count(*) FROM jsonb_array_elements(steps) s
         WHERE jsonb_typeof(s->'driftWarning') = 'object') AS drift,
       (SELECT count(*) FROM jsonb_array_elements(steps) s
         WHERE jsonb_typeof(s->'healRefused') = 'object') AS refused,
       (SELECT count(*) FROM jsonb_array_elements(steps) s
         WHERE (s->>'success')::boolean IS FALSE) AS failed_steps,
       (SELECT coalesce(jsonb_agg(s->>'location'), '[]'::jsonb) FROM jsonb_array_elements(steps) s)
         AS locations
FROM test_runs ORDER BY started_at
"""


def store_helper(action: str, arg: str | None) -> None:
    import psycopg

    from pytest_irl.store import embedded

    if action == "stop":
        embedded.stop(STORE)
        return
    url = embedded.start(STORE)
    if action in ("create", "drop"):
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{arg}"')
            if action == "create":
                conn.execute(f'CREATE DATABASE "{arg}"')
                print(database_url(url, str(arg)))
    elif action == "steps":
        with psycopg.connect(database_url(url, str(arg))) as conn:
            try:
                rows = conn.execute(STEP_QUERY).fetchall()
            except psycopg.errors.UndefinedTable:
                rows = []
        print(json.dumps([
            {"nodeid": r[0], "attempt": r[1], "status": r[2], "steps": r[3], "healed": r[4],
             "drift": r[5], "refused": r[6], "failed_steps": r[7], "locations": r[8]}
            for r in rows
        ]))
    elif action != "start":

        raise SystemExit(f"unknown store action {action!r}")


def database_url(server_url: str, name: str) -> str:
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    return make_conninfo(**{**conninfo_to_dict(server_url), "dbname": name})


def store(action: str, arg: str | None = None) -> str:
    cmd = [venv_python(), Path(__file__).resolve(), "--store-helper", action]
    if arg is not None:
        cmd.append(arg)
    return run_checked(cmd).stdout.strip()


# --------------------------------------------------------------------------- one run


@dataclass
class RunResult:
    irl: bool
    round_no: int
    wall_s: float
    cpu_s: float
    exit_code: int
    outcomes: dict[str, str]
    messages: dict[str, str]
    steps: list[dict[str, Any]] = field(default_factory=list)
    log: Path | None = None


def subset_files(subset: Sequence[str]) -> tuple[list[str], list[str]]:
    """The paths to run and the test files under them to leave out (they need api-examples).

    A file named on its own is dropped from the paths (pytest runs a path given as an argument
    even when ``--ignore`` names it)."""
    paths: list[str] = []
    ignored: list[str] = []
    for entry in subset:
        target = SUITE / entry
        if not target.exists():
            sys.exit(f"real_suite: {entry} is not in the suite (paths are relative to {SUITE})")
        files: Iterable[Path] = [target] if target.is_file() else sorted(target.rglob("test_*.py"))
        for file in files:
            if NEEDS_API_EXAMPLES in file.read_text(encoding="utf-8", errors="replace"):
                ignored.append(str(file.relative_to(SUITE)))
        if not (target.is_file() and str(target.relative_to(SUITE)) in ignored):
            paths.append(entry)
    if not paths:
        sys.exit("real_suite: every test file of the subset needs shiny/api-examples, which no release ships")
    return paths, ignored


def smallest_file(paths: Sequence[str], ignored: Sequence[str]) -> list[str]:
    """The test file under ``paths`` with the fewest tests, as a one-item list (else ``paths``)."""
    files = [
        f for p in paths
        for f in ([SUITE / p] if (SUITE / p).is_file() else sorted((SUITE / p).rglob("test_*.py")))
        if str(f.relative_to(SUITE)) not in ignored
    ]
    if not files:
        return list(paths)
    fewest = min(files, key=lambda f: f.read_text(encoding="utf-8", errors="replace").count("\ndef test_"))
    return [str(fewest.relative_to(SUITE))]


def pytest_command(paths: Sequence[str], ignored: Sequence[str], keyword: str | None, run_dir: Path,
                   db_url: str | None, irl_args: Sequence[str] = ()) -> list[str]:
    cmd = [
        str(VENV / "bin" / "pytest"), *paths, *(f"--ignore={p}" for p in ignored),
        "-p", "no:cacheprovider",
        "-n", "0",  # the suite's pytest.ini asks for --numprocesses auto: one process, for timing
        "--browser", "chromium",
        f"--timeout={TEST_TIMEOUT_S}",
        f"--junitxml={run_dir / 'junit.xml'}",
        f"--output={run_dir / 'test-results'}",
        "-rA",
    ]
    if keyword:
        cmd += ["-k", keyword]
    if db_url is not None:
        cmd += ["--irl", "--irl-db", db_url, *irl_args]
    return cmd


def junit_outcomes(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    outcomes: dict[str, str] = {}
    messages: dict[str, str] = {}
    if not path.exists():
        return outcomes, messages
    for case in ET.parse(path).getroot().iter("testcase"):
        key = f"{case.get('classname')}::{case.get('name')}"
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed", "error": "error", "skipped": "skipped"}[child.tag]
                message = (child.get("message") or "").strip().splitlines()[0:1]
                message = message[0] if message else ""
                break
        # A test that fails in teardown has two entries: the worse one counts.
        if outcomes.get(key) in ("failed", "error") and outcome == "passed":
            continue
        outcomes[key], messages[key] = outcome, message
    return outcomes, messages


def junit_key(nodeid: str) -> str:
    """A pytest node id in the form JUnit XML names a test (``classname::name``)."""
    path, _, rest = nodeid.partition("::")
    parts = rest.split("::")
    module = path.removesuffix(".py").replace("/", ".")
    return ".".join([module, *parts[:-1]]) + "::" + parts[-1]


def run_once(irl: bool, round_no: int, paths: Sequence[str], ignored: Sequence[str], keyword: str | None,
             irl_args: Sequence[str] = ()) -> RunResult:
    name = f"r{round_no}-{'irl' if irl else 'plain'}"
    run_dir = RUNS / name
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    db_name = f"real_suite_{name.replace('-', '_')}"
    db_url = store("create", db_name) if irl else None
    cmd = pytest_command(paths, ignored, keyword, run_dir, db_url, irl_args)
    env = {k: v for k, v in os.environ.items() if k != "IRL_DATABASE_URL"}
    log = run_dir / "pytest.log"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.run(cmd, cwd=SUITE, stdout=out, stderr=subprocess.STDOUT, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    outcomes, messages = junit_outcomes(run_dir / "junit.xml")
    result = RunResult(irl, round_no, wall, cpu, proc.returncode, outcomes, messages, log=log)
    if irl:
        result.steps = json.loads(store("steps", db_name) or "[]")
    mode = "--irl" if irl else "plain"
    counts = {o: list(outcomes.values()).count(o) for o in ("passed", "failed", "error", "skipped")}
    print(f"  round {round_no} {mode:>5}: {wall:7.1f} s wall, {cpu:7.1f} s CPU, exit {proc.returncode}, "
          + ", ".join(f"{n} {o}" for o, n in counts.items() if n), flush=True)
    if not outcomes:
        print(f"    no JUnit XML: see {log}", flush=True)
    return result


# --------------------------------------------------------------------------- the report


def outcome_differences(results: Sequence[RunResult]) -> list[tuple[str, str, str, str, str]]:
    """Tests whose outcome is not the same in every run, as (test, kind, plain, --irl, message).

    kind: "by mode" when no outcome of the plain runs is an outcome of the --irl runs (the layer
    changed it), else "flaky" (it varies within a mode too)."""
    keys = sorted({k for r in results for k in r.outcomes})
    rows = []
    for key in keys:
        plain = [r.outcomes.get(key, "missing") for r in results if not r.irl]
        with_irl = [r.outcomes.get(key, "missing") for r in results if r.irl]
        if len(set(plain + with_irl)) > 1:
            kind = "by mode" if not set(plain) & set(with_irl) else "flaky"
            message = next((r.messages.get(key, "") for r in results
                            if r.outcomes.get(key, "passed") != "passed" and r.messages.get(key)), "")
            rows.append((key, kind, ",".join(plain), ",".join(with_irl), message))
    return rows


def step_table(results: Sequence[RunResult], suite_prefix: str) -> tuple[list[list[str]], dict[str, int]]:
    """Per test: median steps recorded; heals, drift warnings and refusals over all --irl runs; and
    where the steps of the first --irl run were located."""
    per_test: dict[str, list[dict[str, Any]]] = {}
    where = {"test files": 0, "shiny controller": 0, "pytest": 0, "other": 0, "none": 0}
    first_irl = next((r for r in results if r.irl), None)
    for result in results:
        if not result.irl:
            continue
        for row in result.steps:
            per_test.setdefault(junit_key(row["nodeid"]), []).append(row)
            if result is not first_irl:
                continue
            for location in row["locations"]:
                if location is None:
                    where["none"] += 1
                elif location.startswith(suite_prefix):
                    where["test files"] += 1
                elif "/shiny/playwright/" in location or location.startswith("shiny/"):
                    where["shiny controller"] += 1
                elif "_pytest/" in location or "pluggy/" in location:
                    where["pytest"] += 1
                else:
                    where["other"] += 1
    rows = []
    for key in sorted(per_test):
        runs = per_test[key]
        rows.append([
            key,
            f"{statistics.median(r['steps'] for r in runs):g}",
            str(sum(r["healed"] for r in runs)),
            str(sum(r["drift"] for r in runs)),
            str(sum(r.get("refused", 0) for r in runs)),
        ])
    return rows, where


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def report(
    results: Sequence[RunResult], args: argparse.Namespace, ignored: Sequence[str]
) -> tuple[str, bool]:
    """The report as Markdown, and whether the check holds (no outcome changed by mode, and the
    median wall ratio within WALL_TARGET)."""
    plain = [r for r in results if not r.irl]
    with_irl = [r for r in results if r.irl]
    out: list[str] = []
    versions = package_versions()
    tests = sorted({k for r in results for k in r.outcomes})
    out.append(
        f"suite: py-shiny {SHINY_VERSION} (sdist), {' '.join(args.subset)}"
        + (f" -k {args.keyword!r}" if args.keyword else "")
        + (f"; --irl runs with {' '.join(args.irl_arg)}" if args.irl_arg else "")
        + f"; {len(tests)} tests, {len(ignored)} files left out (they need shiny/api-examples)"
    )
    out.append("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items())
               + f"; pytest-irl at {git_revision()}")
    out.append(f"rounds: {len(plain)} paired (order alternates), one pytest process each, -n 0, "
               f"--browser chromium (system Chromium)")
    out.append("")

    def stats(rs: Sequence[RunResult], attr: str) -> tuple[float, float, float]:
        values = [getattr(r, attr) for r in rs]
        return statistics.median(values), min(values), max(values)

    rows = []
    for label, rs in (("pytest (plain)", plain), ("pytest --irl", with_irl)):
        wall, cpu = stats(rs, "wall_s"), stats(rs, "cpu_s")
        rows.append([label, f"{wall[0]:.1f} s", f"{wall[1]:.1f}–{wall[2]:.1f} s", f"{cpu[0]:.1f} s"])
    wall_ratio = stats(with_irl, "wall_s")[0] / stats(plain, "wall_s")[0]
    cpu_ratio = stats(with_irl, "cpu_s")[0] / stats(plain, "cpu_s")[0]
    paired = [i.wall_s / p.wall_s for p, i in zip(plain, with_irl, strict=False)]
    rows.append(["ratio --irl / plain", f"**{wall_ratio:.3f}×**",
                 "paired: " + ", ".join(f"{x:.3f}" for x in paired), f"{cpu_ratio:.3f}×"])
    out.append(markdown_table(["run", "median wall", "range / per round", "median CPU (pytest tree)"], rows))
    out.append("")

    step_rows, where = step_table(results, "tests/playwright/")
    total_steps = sum(float(r[1]) for r in step_rows)
    n_recorded = len(step_rows)
    outcome_counts = {}
    for mode, rs in (("plain", plain), ("--irl", with_irl)):
        values = list(rs[0].outcomes.values())
        outcome_counts[mode] = ", ".join(
            f"{values.count(o)} {o}" for o in ("passed", "failed", "error", "skipped") if o in values
        )
    out.append(f"outcomes (round 1): plain {outcome_counts['plain']}; --irl {outcome_counts['--irl']}")
    diffs = outcome_differences(results)
    if diffs:
        out.append(f"tests whose outcome is not the same in every run ({len(diffs)}):")
        out.append(markdown_table(["test", "differs", "plain", "--irl", "first failure message"],
                                  [(k, kind, p, i, m[:160]) for k, kind, p, i, m in diffs]))
    else:
        out.append("tests whose outcome differs between runs: none")
    out.append("")
    if n_recorded:
        delta = statistics.median(i.wall_s - p.wall_s for p, i in zip(plain, with_irl, strict=False))
        out.append(
            f"steps recorded: {total_steps:g} per --irl run over {n_recorded} tests "
            f"({total_steps / n_recorded:.1f} per test); median paired extra wall "
            f"{delta:+.1f} s = {1000 * delta / max(total_steps, 1):+.1f} ms per step; "
            f"over all --irl runs: heals {sum(int(r[2]) for r in step_rows)}, drift warnings"
            f" {sum(int(r[3]) for r in step_rows)}, refusals {sum(int(r[4]) for r in step_rows)}"
        )
        out.append("step locations (first --irl run): "
                   + ", ".join(f"{n} in {w}" for w, n in where.items() if n))
        out.append("")
        out.append(markdown_table(["test", "steps", "heals", "drift warnings", "refused"], step_rows))
    else:
        out.append("steps recorded: none (did the --irl runs record? see their pytest.log)")
    by_mode = sum(1 for d in diffs if d[1] == "by mode")
    holds = by_mode == 0 and wall_ratio <= WALL_TARGET
    out.append("")
    out.append(f"check: {'holds' if holds else 'does not hold'} ({by_mode} outcomes changed by --irl;"
               f" wall {wall_ratio:.3f}x against a target of {WALL_TARGET}x; timing is only as good as"
               f" the machine is quiet)")
    return "\n".join(out), holds


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3, help="paired rounds (default 3)")
    parser.add_argument("--subset", nargs="+", default=list(DEFAULT_SUBSET), metavar="PATH",
                        help="test paths, relative to the sdist's root (default: %(default)s)")
    parser.add_argument("-k", dest="keyword", help="pytest -k expression to narrow the subset")
    parser.add_argument("--keep", action="store_true",
                        help="keep each run's folder (log, JUnit XML) and database, and leave the"
                             " embedded server running; by default they are removed at the end")
    parser.add_argument("--no-warmup", action="store_true", help="skip the untimed warm-up runs")
    parser.add_argument("--irl-arg", action="append", default=[], metavar="ARG",
                        help="one more argument for the --irl runs only, e.g. --irl-arg=--irl-drift=off")
    parser.add_argument("--store-helper", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.store_helper:
        store_helper(args.store_helper[0], args.store_helper[1] if len(args.store_helper) > 1 else None)
        return

    ensure_venv()
    ensure_suite()
    paths, ignored = subset_files(args.subset)
    store("start")
    RUNS.mkdir(parents=True, exist_ok=True)
    print(f"real_suite: py-shiny {SHINY_VERSION}, {' '.join(paths)}; {args.rounds} paired rounds", flush=True)
    results: list[RunResult] = []
    try:
        if not args.no_warmup:
            # Untimed, on the subset's smallest test file: fills the OS caches (Chromium, each
            # mode's imports) and starts nothing that the timed runs reuse.
            warm = smallest_file(paths, ignored)
            print(f"  warm-up, untimed ({warm[0]})", flush=True)
            for irl in (False, True):
                run_once(irl, 0, warm, [], None, args.irl_arg)
        for round_no in range(1, args.rounds + 1):
            order = (False, True) if round_no % 2 else (True, False)
            for irl in order:
                results.append(run_once(irl, round_no, paths, ignored, args.keyword, args.irl_arg))
    finally:
        if not args.keep:
            for round_no in range(args.rounds + 1):
                store("drop", f"real_suite_r{round_no}_irl")
    text, holds = report(results, args, ignored)
    print()
    print(text)
    (CACHE / "report.md").write_text(text + "\n")
    print(f"\n(report also in {CACHE / 'report.md'})")
    if not args.keep:
        shutil.rmtree(RUNS, ignore_errors=True)
        store("stop")
    sys.exit(0 if holds else 1)


if __name__ == "__main__":
    main()
