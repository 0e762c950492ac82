"""Real version pairs: the same page in an older and the newest version of a package.

An element is followed across versions only when that is unambiguous: the same tag and id, each
unique in both pages, or else the same tag and visible text, unique in both. A case is kept only
when a locator that singled the element out in the old version no longer does in the new one.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from cases import case_record, stable_seed
from locators import action_for, candidates
from playwright.sync_api import Browser
from session import LoadedPage, open_page
from sources import PageRef

MAX_PER_PAGE = 4


def _unique(facts: list[dict[str, Any]], key: Any) -> dict[Any, dict[str, Any]]:
    counts = Counter(key(f) for f in facts)
    return {key(f): f for f in facts if key(f) and counts[key(f)] == 1}


def match_elements(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[tuple[dict, dict]]:
    """(old facts, new facts) of the controls identified with certainty in both versions."""
    def by_id(f: dict[str, Any]) -> tuple[str, str] | None:
        return (f["tag"], f["id"]) if f["id"] else None

    def by_text(f: dict[str, Any]) -> tuple[str, str] | None:
        return (f["tag"], f["text"]) if f["text"] else None

    old_id, new_id = _unique(old, by_id), _unique(new, by_id)
    old_text, new_text = _unique(old, by_text), _unique(new, by_text)
    pairs: list[tuple[dict, dict]] = []
    for f in old:
        a = new_id.get(by_id(f)) if old_id.get(by_id(f)) is f else None
        b = new_text.get(by_text(f)) if old_text.get(by_text(f)) is f else None
        if a is not None and b is not None and a is not b:
            continue  # id and text point at different elements: not sure, skip
        if (g := a or b) is not None:
            pairs.append((f, g))
    return pairs


def pair_cases(browser: Browser, old_ref: PageRef, new_ref: PageRef,
               split: str) -> tuple[LoadedPage, list[str]]:
    """Cases whose old-version locator is broken on the new version. Returns the old page too."""
    old = open_page(browser, old_ref)
    try:
        new = open_page(browser, new_ref)
    except Exception:
        old.close()
        raise
    try:
        return old, _cases(old, new, split)
    finally:
        new.close()


def _cases(old: LoadedPage, new: LoadedPage, split: str) -> list[str]:
    rng = random.Random(stable_seed("pair", old.ref.key, new.ref.version))
    old_facts = old.page.evaluate("() => window.__corpus.targets()")
    new_facts = new.page.evaluate("() => window.__corpus.targets()")
    matched = match_elements(old_facts, new_facts)
    rng.shuffle(matched)
    old_index = old.css_index()
    new_raw, new_snap = new.v1_raw, new.v1
    lines: list[str] = []
    for f, g in matched:
        if len(lines) >= MAX_PER_PAGE:
            break
        if not (old.track(f["xpath"]) and new.track(g["xpath"])):
            continue
        expected = new.index_of_target(new_snap)
        if expected < 0:
            continue
        broken = []
        for kind, locs in sorted(candidates(f).items()):
            if kind in ("nth", "test_id"):
                # Positional locators drift with any edit (xpath already covers position), and the
                # test ids are the builder's, not the package's: neither is a real version change.
                continue
            loc = locs[0]
            before = loc.check(old.page)
            if before["count"] != 1 or not before["matches_target"]:
                continue
            after = loc.check(new.page)
            if after["count"] != 1 or not after["matches_target"]:
                broken.append((loc, after))
        if not broken:
            continue
        loc, after = rng.choice(broken)
        reference = old.reference()
        lines.append(case_record(
            old, case_no=len(lines), split=split, source="version-pair", mutations=["version-pair"],
            cat="version-pair", loc=loc, action=action_for(f), reference=reference,
            v1_index=old_index.get(reference.get("cssPath", ""), -1), expected=expected, locator_v2=after,
            seed=0, target_xpath=f["xpath"], v2_raw=new_raw,
            extra={"id": f"{old.ref.key}~{new.ref.version}#{len(lines)}/version-pair",
                   "version_v2": new.ref.version, "target_xpath_v2": g["xpath"]}))
    return lines
