"""Mutation cases: pick targets on a v1 page, write locators for them, mutate, record v2."""

from __future__ import annotations

import json
import random
import zlib
from collections import defaultdict
from typing import Any

from locators import Locator, action_for, choose
from session import LoadedPage

SEED = 20240301

# The mutations that break (or threaten) each kind of locator; a case's first mutation is one of
# these, so most cases exercise the locator they carry.
RELEVANT: dict[str, tuple[str, ...]] = {
    "id": ("id-regenerated", "id-regenerated", "tag-changed", "target-removed"),
    "test_id": ("testid-renamed", "testid-renamed", "target-removed"),
    "role": ("text-synonym", "text-paraphrase", "tag-changed", "decoy-added", "label-changed"),
    "text": ("text-synonym", "text-paraphrase", "decoy-added"),
    "label": ("label-changed", "label-changed", "id-regenerated"),
    "placeholder": ("placeholder-changed",),
    "class": ("class-hashed", "class-renamed", "decoy-added"),
    "xpath": ("wrapper-added", "wrapper-removed", "sibling-inserted", "sibling-reordered",
              "sibling-removed", "row-inserted", "tag-changed"),
    "nth": ("sibling-inserted", "sibling-removed", "row-inserted", "decoy-added", "sibling-reordered"),
}
ALL_MUTATIONS: tuple[str, ...] = (
    "id-regenerated", "class-hashed", "class-renamed", "text-synonym", "text-paraphrase",
    "label-changed", "placeholder-changed", "tag-changed", "wrapper-added", "wrapper-removed",
    "sibling-inserted", "sibling-reordered", "sibling-removed", "row-inserted", "testid-renamed",
    "target-removed", "decoy-added", "target-replaced",
)
GONE = ("target-removed", "target-replaced")  # the element meant is not on v2 (expected: null)
REMOVAL_RATE = 0.07  # share of first cases that remove the target instead (expected: null)
ATTEMPTS = 5
RETRY_HARMLESS = 0.7  # chance of trying another plan when the change left the locator working
TARGET_KINDS = ("button", "link", "input", "check", "select", "textarea")


def stable_seed(*parts: object) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode()) ^ SEED


def applies(name: str, f: dict[str, Any], lookalikes: int) -> bool:
    """Cheap pre-check on the v1 facts; mutate.js still reports what it could not apply."""
    return {
        "id-regenerated": bool(f["id"]),
        "testid-renamed": bool(f["testIds"]),
        "label-changed": bool(f["label"] or f["ariaLabel"]),
        "placeholder-changed": bool(f["placeholder"]),
        "class-hashed": bool(f["classes"]),
        "class-renamed": bool(f["classes"]),
        "text-synonym": bool(f["text"] or f["ariaLabel"]),
        "text-paraphrase": bool(f["text"] or f["ariaLabel"]),
        "tag-changed": f["tag"] in ("button", "a") or f["type"] in ("submit", "button"),
        "target-removed": lookalikes > 0,
        "target-replaced": bool(f["text"] or f["placeholder"]),
    }.get(name, True)


def plan(kind: str, f: dict[str, Any], variant: int, lookalikes: int, rng: random.Random) -> list[str]:
    """The mutations of one case: ``variant`` 0 targets the locator, 1 is random or a combination."""
    usable = [m for m in ALL_MUTATIONS if m not in GONE and applies(m, f, lookalikes)]
    relevant = [m for m in RELEVANT[kind] if applies(m, f, lookalikes)]
    if variant == 0:
        gone = [m for m in GONE if applies(m, f, lookalikes)]
        if gone and rng.random() < REMOVAL_RATE * len(gone):
            return [rng.choice(gone)]
        pool = [m for m in relevant if m not in GONE] or usable
        return [rng.choice(pool)]
    if rng.random() < 0.4:
        return [rng.choice(usable)]
    first = rng.choice([m for m in relevant if m not in GONE] or usable)
    others = [m for m in usable if m != first]
    extra = rng.sample(others, k=min(len(others), 1 if rng.random() < 0.7 else 2))
    return [first, *extra]


def category(mutations: list[str]) -> str:
    return mutations[0] if len(mutations) == 1 else "combo:" + "+".join(mutations)


def pick_targets(facts: list[dict[str, Any]], rng: random.Random, k: int) -> list[dict[str, Any]]:
    """Up to ``k`` targets, round-robin over control kinds so forms are not drowned by links."""
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in facts:
        if f["kind"] in TARGET_KINDS:
            by_kind[f["kind"]].append(f)
    for kind in by_kind:
        rng.shuffle(by_kind[kind])
    kinds = sorted(by_kind, key=lambda kd: rng.random())
    picked: list[dict[str, Any]] = []
    while len(picked) < k and any(by_kind.values()):
        for kind in kinds:
            if by_kind[kind] and len(picked) < k:
                picked.append(by_kind[kind].pop())
    return picked


def lookalike_count(f: dict[str, Any], facts: list[dict[str, Any]]) -> int:
    """Other controls of the same kind and tag that share a class: what a wrong heal could pick."""
    mine = set(f["classes"])
    return sum(1 for g in facts if g is not f and g["kind"] == f["kind"] and g["tag"] == f["tag"]
               and (not mine or mine & set(g["classes"])))


def case_record(lp: LoadedPage, *, case_no: int, split: str, source: str, mutations: list[str],
                cat: str, loc: Locator, action: str, reference: dict[str, Any], v1_index: int,
                expected: int | None, locator_v2: dict[str, Any], seed: int, target_xpath: str,
                v2_raw: str, extra: dict[str, Any] | None = None) -> str:
    """One JSONL line; the v2 snapshot is spliced in as the JSON string the page returned."""
    ref = lp.ref
    head = {
        "id": f"{ref.key}#{case_no}/{cat}", "package": ref.source.package, "version": ref.version,
        "page": ref.path, "split": split, "source": source, "category": cat, "mutations": mutations,
        "locator": loc.code(), "locator_kind": loc.kind, "action": action, "reference": reference,
        "v1_page": ref.key, "v1_index": v1_index, "expected": expected, "locator_v2": locator_v2,
        "seed": seed, "target_xpath": target_xpath, **(extra or {}),
    }
    return json.dumps(head, ensure_ascii=False)[:-1] + ', "candidates": ' + v2_raw + "}"


def _one_case(lp: LoadedPage, f: dict[str, Any], loc: Locator, variant: int, lookalikes: int,
              rng: random.Random, case_no: int) -> tuple[list[str], int, dict[str, Any]] | None:
    """Mutate the restored page until a plan applies; returns (mutations, seed, locator on v2).

    A change that leaves the locator working is kept only some of the time: the corpus is about
    broken locators, but a share of harmless changes shows whether an engine stays put.
    """
    for attempt in range(ATTEMPTS):
        wanted = plan(loc.kind, f, variant, lookalikes, rng)
        seed = stable_seed(lp.ref.key, case_no, attempt)
        lp.restore()
        lp.track(f["xpath"])
        if lp.mutate(wanted, seed) != wanted:
            continue
        after = loc.check(lp.page)
        harmless = after["count"] == 1 and after["matches_target"]
        if harmless and attempt < ATTEMPTS - 1 and rng.random() < RETRY_HARMLESS:
            continue
        return wanted, seed, after
    return None


def mutation_cases(lp: LoadedPage, split: str, per_page: int) -> list[str]:
    """Two cases per target (one aimed at its locator, one random or combined)."""
    page, ref = lp.page, lp.ref
    rng = random.Random(stable_seed(ref.key))
    facts = page.evaluate("() => window.__corpus.targets()")
    css_index = lp.css_index()
    lines: list[str] = []
    for f in pick_targets(facts, rng, per_page):
        lp.restore()
        if not lp.track(f["xpath"]):
            continue
        reference = lp.reference()
        v1_index = css_index.get(reference.get("cssPath", ""), -1)
        lookalikes = lookalike_count(f, facts)
        for variant, loc in enumerate(choose(page, f, rng, 2)):
            made = _one_case(lp, f, loc, variant, lookalikes, rng, len(lines))
            if made is None:
                continue
            applied, seed, locator_v2 = made
            v2_raw, v2 = lp.snapshot()
            removed = applied[-1] in GONE
            expected = None if removed else lp.index_of_target(v2)
            if expected == -1:  # the target left the snapshot (hidden by the change): not a fair case
                continue
            if locator_v2["count"] == 1 and not locator_v2["matches_target"]:
                locator_v2["matched_index"] = lp.index_of_match(loc.resolve(page), v2)
            cat = category(applied)
            lines.append(case_record(
                lp, case_no=len(lines), split=split, source="mutation", mutations=applied, cat=cat, loc=loc,
                action=action_for(f), reference=reference, v1_index=v1_index, expected=expected,
                locator_v2=locator_v2, seed=seed, target_xpath=f["xpath"], v2_raw=v2_raw))
    lp.restore()
    return lines
