"""Which assertions may be healed, and what a step records about one (pure: no browser)."""

from __future__ import annotations

from typing import Any

from ..heal import parse_locator

# Matchers that say an element is there and how it is: healed when their locator broke.
ELEMENT_EXPRESSIONS = frozenset({
    "to.be.visible", "to.be.enabled", "to.be.disabled", "to.be.checked", "to.be.attached",
    "to.be.unchecked",  # Playwright < 1.5x: to_be_checked(checked=False)
    "to.be.editable", "to.have.text", "to.contain.text", "to.have.value", "to.have.values",
    "to.have.class", "to.contain.class", "to.have.attribute", "to.have.attribute.value",
    "to.have.accessible.name",
})
# Matchers about a set of elements.
LIST_EXPRESSIONS = frozenset({
    "to.have.count", "to.have.text.array", "to.contain.text.array", "to.have.class.array",
    "to.contain.class.array",
})



def kind_of(expression: str, options: dict[str, Any]) -> str | None:
    """"element", "list", or None for matchers that are never healed (negative ones included)."""
    if options.get("isNot"):
        return None
    if expression == "to.have.count":
        return "list" if (options.get("expectedNumber") or 0) > 0 else None
    if expression in LIST_EXPRESSIONS:
        return "list" if options.get("expectedText") else None
    return "element" if expression in ELEMENT_EXPRESSIONS else None


def matcher_name(expression: str, options: dict[str, Any], title: str | None) -> str:
    if title and '"' in title:
        return "expect." + title.split('"')[1]
    name = expression.replace(".array", "").replace(".", "_")
    texts = options.get("expectedText") or []
    if name == "to_have_text" and any(isinstance(t, dict) and t.get("matchSubstring") for t in texts):
        name = "to_contain_text"  # what older Playwright (no title) calls to_contain_text
    return "expect." + ("not_" + name if options.get("isNot") else name)


def expected_value(options: dict[str, Any]) -> Any:
    if "expectedNumber" in options and options["expectedNumber"] is not None:
        return options["expectedNumber"]
    texts = options.get("expectedText") or []
    values = [t.get("string") if t.get("string") is not None else t.get("regexSource") for t in texts
              if isinstance(t, dict)]
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def names_content(selector: str) -> bool:
    """Does the locator name content (a text, role name, label...)? Then that content is part of
    what an assertion checks, and the element is not healed."""
    hints = parse_locator(selector)
    return bool(hints.text or hints.name or hints.label or hints.placeholder or hints.alt or hints.title
                or hints.has_text)
