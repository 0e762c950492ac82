"""Locators as people write them, checked with real Playwright against the tracked target."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator as PwLocator
from playwright.sync_api import Page

# How often each kind is tried first: roughly how common each is in real test suites.
KIND_WEIGHTS: dict[str, float] = {
    "id": 4, "test_id": 4, "role": 4, "label": 4, "text": 3, "placeholder": 3, "class": 2,
    "xpath": 1.2, "nth": 0.8,
}
ROLES = {"button", "link", "textbox", "checkbox", "radio", "combobox", "searchbox", "tab", "menuitem",
         "switch", "spinbutton", "listbox"}
# Classes that describe state or layout rather than the control; people do not select by them.
STATE_CLASSES = re.compile(r"^(active|show|open|collapsed|disabled|selected|focus|hover|in|fade|"
                           r"(m|p)[trblxy]?-\d|float-.*|d-.*|text-.*|w-\d+|col-.*)$")
SAFE_ID = re.compile(r"^[A-Za-z][\w-]*$")
MATCHES_JS = "(els) => els.map((e) => e === window.__corpusTarget)"
MAX_NAME = 40


@dataclass(frozen=True)
class Locator:
    """A Playwright call chain: ``page.METHOD(*args, **kwargs)`` then ``.nth(nth)`` if given."""

    kind: str
    method: str
    args: tuple[str, ...]
    kwargs: tuple[tuple[str, str | bool], ...] = ()
    nth: int | None = None

    def code(self) -> str:
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs]
        text = f"page.{self.method}({', '.join(parts)})"
        return text if self.nth is None else f"{text}.nth({self.nth})"

    def resolve(self, page: Page) -> PwLocator:
        loc = getattr(page, self.method)(*self.args, **dict(self.kwargs))
        return loc if self.nth is None else loc.nth(self.nth)

    def check(self, page: Page) -> dict[str, Any]:
        """How many elements it matches now, and whether the tracked target is one of them."""
        try:
            hits = self.resolve(page).evaluate_all(MATCHES_JS)
        except PlaywrightError:
            return {"count": 0, "matches_target": False}
        return {"count": len(hits), "matches_target": any(hits)}


def _short(text: str) -> str:
    return text if 0 < len(text) <= MAX_NAME else ""


def _css_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def candidates(f: dict[str, Any]) -> dict[str, list[Locator]]:
    """Every locator kind that applies to the target described by ``f`` (mutate.js ``facts``)."""
    out: dict[str, list[Locator]] = {}
    if f["id"] and SAFE_ID.match(f["id"]):
        out["id"] = [Locator("id", "locator", (f"#{f['id']}",))]
    test_ids = f["testIds"]
    if "data-testid" in test_ids:
        out["test_id"] = [Locator("test_id", "get_by_test_id", (test_ids["data-testid"],))]
    elif test_ids:
        attr, value = sorted(test_ids.items())[0]
        out["test_id"] = [Locator("test_id", "locator", (f"[{attr}={_css_string(value)}]",))]
    name = _short(f["ariaLabel"] or f["label"] or f["text"] or f["title"])
    if f["role"] in ROLES and name:
        out["role"] = [Locator("role", "get_by_role", (f["role"],), (("name", name),)),
                       Locator("role", "get_by_role", (f["role"],), (("name", name), ("exact", True)))]
    if f["kind"] in ("button", "link") and _short(f["text"]):
        out["text"] = [Locator("text", "get_by_text", (f["text"],)),
                       Locator("text", "get_by_text", (f["text"],), (("exact", True),))]
    if f["kind"] in ("input", "textarea", "select", "check") and _short(f["label"]):
        out["label"] = [Locator("label", "get_by_label", (f["label"],))]
    if _short(f["placeholder"]):
        out["placeholder"] = [Locator("placeholder", "get_by_placeholder", (f["placeholder"],))]
    classes = [c for c in f["classes"] if not STATE_CLASSES.match(c) and re.match(r"^[A-Za-z_][\w-]*$", c)]
    if classes:
        joined = "".join(f".{c}" for c in classes[:3])
        out["class"] = [Locator("class", "locator", (joined,)),
                        Locator("class", "locator", (f["tag"] + joined,))]
    out["xpath"] = [Locator("xpath", "locator", (f"xpath={f['xpath']}",))]
    base = f"{f['tag']}[type={f['type']}]" if f["type"] in ("checkbox", "radio") else f["tag"]
    out["nth"] = [Locator("nth", "locator", (base,))]
    if classes:
        out["nth"].append(Locator("nth", "locator", (f".{classes[0]}",)))
    return out


def _with_nth(page: Page, loc: Locator) -> Locator | None:
    """``loc`` with the target's position among its matches, as people copy it from a list."""
    try:
        hits = loc.resolve(page).evaluate_all(MATCHES_JS)
    except PlaywrightError:
        return None
    if len(hits) < 2 or len(hits) > 300 or True not in hits:
        return None
    return Locator(loc.kind, loc.method, loc.args, loc.kwargs, hits.index(True))


def choose(page: Page, f: dict[str, Any], rng: random.Random, how_many: int) -> list[Locator]:
    """Up to ``how_many`` locators of different kinds that single out the target in v1."""
    options = candidates(f)
    kinds = sorted(options)
    # Weighted order without replacement: Efraimidis-Spirakis keys, reproducible with the seeded rng.
    order = sorted(kinds, key=lambda k: rng.random() ** (1.0 / KIND_WEIGHTS[k]), reverse=True)
    chosen: list[Locator] = []
    for kind in order:
        for loc in options[kind]:
            final = _with_nth(page, loc) if kind == "nth" else loc
            if final is None:
                continue
            got = final.check(page)
            if got["count"] == 1 and got["matches_target"]:
                chosen.append(final)
                break
        if len(chosen) >= how_many:
            break
    return chosen


def action_for(f: dict[str, Any]) -> str:
    if f["kind"] == "check":
        return "check"
    if f["kind"] in ("input", "textarea"):
        return "fill"
    return "click"
