"""Export a sample of corpus cases as heal-bench case folders (v1.html, v2.html, case.json).

The pages are regenerated from the cached packages with each case's recorded target and seed, so
the exported v2 is the page the case's candidates were taken from. Each exported selector is
checked on the written HTML: it must select exactly one element, the tracked target.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

from build import iter_cases
from locators import MATCHES_JS
from playwright.sync_api import Browser, Page, sync_playwright
from session import LoadedPage, PageSkipped, launch, open_page
from sources import SOURCES, PageRef

CHECK_JS = """([sel, tag, text]) => {
  const hits = document.querySelectorAll(sel);
  if (hits.length !== 1) return 'matches ' + hits.length;
  const el = hits[0], t = (el.textContent || '').replace(/\\s+/g, ' ').trim();
  if (el.localName !== tag || t !== text) return 'another element: ' + el.localName;
  window.__corpusTarget = el;
  return 'ok';
}"""


def stratum(case: dict[str, Any]) -> str:
    return "combo" if case["category"].startswith("combo:") else case["category"]


def sample(cases: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """Round-robin over categories, each in a fixed pseudo-random order (hash of the case id)."""
    by_cat: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in sorted(cases, key=lambda c: hashlib.sha1(c["id"].encode()).hexdigest()):
        by_cat[stratum(c)].append(c)
    order: list[dict[str, Any]] = []
    while any(by_cat.values()):
        for cat in sorted(by_cat):
            if by_cat[cat]:
                order.append(by_cat[cat].pop(0))
    return order[: n * 3]  # spares, for cases whose page no longer exports cleanly


def _page_ref(package: str, version: str, path: str) -> PageRef:
    from sources import pages_of

    source = next(s for s in SOURCES if s.package == package)
    return next(p for p in pages_of(source, version) if p.path == path)


def _exported(lp: LoadedPage) -> dict[str, Any]:
    return lp.page.evaluate("() => window.__corpus.exportHtml()")


def _verify(check: Page, html: str, got: dict[str, Any]) -> str:
    check.set_content(html, wait_until="domcontentloaded")
    if got["path"] is None:
        return "ok"
    return check.evaluate(CHECK_JS, [got["path"], got["tag"], got["text"]])


def _locator_ok(check: Page, case: dict[str, Any]) -> bool:
    """The case's locator still singles out the target in the exported v1.html."""
    hits = eval(case["locator"], {"page": check}).evaluate_all(MATCHES_JS)  # our own generated code
    return hits == [True]


def export_case(browser: Browser, check: Page, case: dict[str, Any], folder: Path) -> str:
    """Write one case folder; returns 'ok' or why the case could not be exported."""
    lp = open_page(browser, _page_ref(case["package"], case["version"], case["page"]))
    try:
        lp.track(case["target_xpath"])
        v1 = _exported(lp)
        if (why := _verify(check, v1["html"], v1)) != "ok" or not _locator_ok(check, case):
            return f"v1: {why}"
        if case["source"] == "version-pair":
            new = open_page(browser, _page_ref(case["package"], case["version_v2"], case["page"]))
            try:
                new.track(case["target_xpath_v2"])
                v2 = _exported(new)
            finally:
                new.close()
        else:
            lp.restore()
            lp.track(case["target_xpath"])
            if lp.mutate(case["mutations"], case["seed"]) != case["mutations"]:
                return "mutations did not replay"
            v2 = _exported(lp)
        if (why := _verify(check, v2["html"], v2)) != "ok":
            return f"v2: {why}"
    finally:
        lp.close()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "v1.html").write_text(v1["html"], encoding="utf-8")
    (folder / "v2.html").write_text(v2["html"], encoding="utf-8")
    spec = {"category": case["category"], "locator": case["locator"], "action": case["action"],
            "expect_v1": v1["path"], "expect": v2["path"], "corpus_id": case["id"]}
    (folder / "case.json").write_text(json.dumps(spec, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return "ok"


def export(out_dir: Path, n: int, split: str) -> None:
    cases = iter_cases(split, heads_only=True)
    if not cases:
        raise SystemExit(f"no {split} cases: run build.py first")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    written = 0
    with sync_playwright() as pw:
        browser = launch(pw)
        check = browser.new_page()
        check.route(lambda url: True, lambda route: route.abort())  # exported pages are self-contained
        for case in sample(cases, n):
            if written >= n:
                break
            name = f"{written:03d}-" + re.sub(r"[^a-z0-9]+", "-", stratum(case).lower()).strip("-")
            try:
                why = export_case(browser, check, case, out_dir / name)
            except PageSkipped as exc:
                why = str(exc)
            if why == "ok":
                written += 1
                print(f"{name}: {case['id']}", flush=True)
            else:
                print(f"  skipped {case['id']}: {why}", flush=True)
        browser.close()
    print(f"{written} cases written to {out_dir}")
