"""Proposing the locator a person would write for a (healed) element.

Preference is what a person writes, user-facing first: role+name, label, test id, placeholder,
text, then id and a short CSS; a role whose name is long comes after those, and a structural CSS
path only when nothing else is unique. A strategy is taken only if no *other* fingerprint in
``unique_among`` would also match it under Playwright's matching rules (non-exact = case-insensitive
substring); a non-unique non-exact form is retried as ``exact=True`` before moving on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from functools import partial

from pydantic import BaseModel

from .fingerprint import Fingerprint
from .similarity import contains_ci, hash_free

# Roles Playwright's get_by_role accepts (ARIA 1.2); anything else cannot be suggested as a role.
ARIA_ROLES = frozenset(
    "alert alertdialog application article banner blockquote button caption cell checkbox code "
    "columnheader combobox complementary contentinfo definition deletion dialog directory document "
    "emphasis feed figure form generic grid gridcell group heading img insertion link list listbox "
    "listitem log main marquee math meter menu menubar menuitem menuitemcheckbox menuitemradio "
    "navigation none note option paragraph presentation progressbar radio radiogroup region row "
    "rowgroup rowheader scrollbar search searchbox separator slider spinbutton status strong "
    "subscript superscript switch tab table tablist tabpanel term textbox time timer toolbar tooltip "
    "tree treegrid treeitem".split()
)
DEFAULT_TEST_ID_ATTR = "data-testid"
# Long names make brittle, unreadable locators; past this, prefer the next strategy.
MAX_TEXT = 60

_CSS_IDENT = re.compile(r"^-?[A-Za-z_][\w-]*$")


class Suggestion(BaseModel):
    python: str
    selector: str
    strategy: str
    unique: bool
    checked_against: int = 0


def _py(value: str) -> str:
    # JSON string escapes are all valid Python escapes, and non-ASCII stays readable.
    return json.dumps(value, ensure_ascii=False)


def _attr_literal(value: str, exact: bool) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"' + ("s" if exact else "i")


def _text_literal(value: str, exact: bool) -> str:
    return json.dumps(value, ensure_ascii=False) + ("s" if exact else "i")


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def _text_matches(actual: str, wanted: str, exact: bool) -> bool:
    if not actual:
        return False
    return _same_text(actual, wanted) if exact else contains_ci(actual, wanted)


# What each kind of suggestion matches, bound with ``partial`` per suggestion.
def _role_is(o: Fingerprint, *, role: str, name: str, exact: bool) -> bool:
    return o.role == role and _text_matches(o.accessible_name, name, exact)


def _test_id_is(o: Fingerprint, *, attr: str, value: str) -> bool:
    return o.test_ids.get(attr) == value


def _label_is(o: Fingerprint, *, value: str, exact: bool) -> bool:
    return _text_matches(o.label, value, exact) or _text_matches(o.attrs.get("aria-label", ""), value, exact)


def _placeholder_is(o: Fingerprint, *, value: str, exact: bool) -> bool:
    return _text_matches(o.placeholder, value, exact)


def _text_is(o: Fingerprint, *, value: str, exact: bool) -> bool:
    return _text_matches(o.text, value, exact)


# The selector Playwright builds for get_by_label / get_by_placeholder / get_by_text.
def _label_selector(value: str, exact: bool) -> str:
    return f"internal:label={_text_literal(value, exact)}"


def _placeholder_selector(value: str, exact: bool) -> str:
    return f"internal:attr=[placeholder={_attr_literal(value, exact)}]"


def _text_selector(value: str, exact: bool) -> str:
    return f"internal:text={_text_literal(value, exact)}"


class _Option:
    def __init__(self, strategy: str, python: str, selector: str, matches: Callable[[Fingerprint], bool]):
        self.strategy, self.python, self.selector, self.matches = strategy, python, selector, matches


def _worded(
    page: str, strategy: str, method: str, value: str, selector: Callable[[str, bool], str],
    matches: Callable[..., bool],
) -> list[_Option]:
    """``page.<method>(value)`` and its ``exact=True`` form, for a label, placeholder or text."""
    return [
        _Option(strategy, f"{page}.{method}({_py(value)}{', exact=True' if exact else ''})",
                selector(value, exact), partial(matches, value=value, exact=exact))
        for exact in (False, True)
    ]


def _options(fp: Fingerprint, page: str) -> list[_Option]:
    options: list[_Option] = []
    name = " ".join(fp.accessible_name.split())
    if fp.role in ARIA_ROLES and name and len(name) <= MAX_TEXT:
        for exact in (False, True):
            options.append(
                _Option(
                    "role",
                    f"{page}.get_by_role({_py(fp.role)}, name={_py(name)}{', exact=True' if exact else ''})",
                    f"internal:role={fp.role}[name={_attr_literal(name, exact)}]",
                    partial(_role_is, role=fp.role, name=name, exact=exact),
                )
            )
    label = " ".join(fp.label.split())
    if label and len(label) <= MAX_TEXT:
        options += _worded(page, "label", "get_by_label", label, _label_selector, _label_is)
    for attr, value in sorted(fp.test_ids.items(), key=lambda kv: kv[0] != DEFAULT_TEST_ID_ATTR):
        if not value:
            continue
        if attr == DEFAULT_TEST_ID_ATTR:
            python = f"{page}.get_by_test_id({_py(value)})"
            selector = f"internal:testid=[{attr}={_attr_literal(value, True)}]"
        else:
            selector = f"[{attr}={_py(value)}]"
            python = f"{page}.locator({_py(selector)})"
        options.append(
            _Option(
                "test_id", python, selector, partial(_test_id_is, attr=attr, value=value)
            )
        )
    placeholder = " ".join(fp.placeholder.split())
    if placeholder and len(placeholder) <= MAX_TEXT:
        options += _worded(page, "placeholder", "get_by_placeholder", placeholder, _placeholder_selector,
                           _placeholder_is)
    text = fp.text
    if text and len(text) <= MAX_TEXT and not fp.is_input:
        options += _worded(page, "text", "get_by_text", text, _text_selector, _text_is)
    if fp.id and hash_free(fp.id):
        selector = f"#{fp.id}" if _CSS_IDENT.match(fp.id) else f"[id={_py(fp.id)}]"
        options.append(_Option("id", f"{page}.locator({_py(selector)})", selector, lambda o: o.id == fp.id))
    options.extend(_css_options(fp, page))
    if fp.role in ARIA_ROLES and len(name) > MAX_TEXT:
        # Long, but a person still writes a unique role and name before a structural path.
        options.append(
            _Option(
                "role",
                f"{page}.get_by_role({_py(fp.role)}, name={_py(name)}, exact=True)",
                f"internal:role={fp.role}[name={_attr_literal(name, True)}]",
                partial(_role_is, role=fp.role, name=name, exact=True),
            )
        )
    return options


def _css_options(fp: Fingerprint, page: str) -> list[_Option]:
    if not fp.tag or not _CSS_IDENT.match(fp.tag):
        return []
    stable = [c for c in fp.classes if _CSS_IDENT.match(c) and hash_free(c)][:2]
    out: list[_Option] = []
    selector = fp.tag + "".join(f".{c}" for c in stable)
    out.append(
        _Option(
            "css",
            f"{page}.locator({_py(selector)})",
            selector,
            lambda o: o.tag == fp.tag and set(stable) <= set(o.classes),
        )
    )
    if fp.name:
        named = f"{fp.tag}[name={_py(fp.name)}]"
        out.append(
            _Option(
                "css", f"{page}.locator({_py(named)})", named, lambda o: o.tag == fp.tag and o.name == fp.name
            )
        )
    return out


def _scoped(fp: Fingerprint, option: _Option, page: str, unique: bool, checked: int) -> Suggestion:
    python, selector = option.python, option.selector
    if fp.frame_path:
        frames = "".join(f".frame_locator({_py(f)})" for f in fp.frame_path)
        python = python.replace(f"{page}.", f"{page}{frames}.", 1)
        selector = " >> ".join([*(f"{f} >> internal:control=enter-frame" for f in fp.frame_path), selector])
    return Suggestion(
        python=python, selector=selector, strategy=option.strategy, unique=unique, checked_against=checked
    )


def suggest_locator(
    fp: Fingerprint, *, unique_among: Sequence[Fingerprint] = (), page: str = "page"
) -> Suggestion:
    """The most readable locator for ``fp`` that no other fingerprint in ``unique_among`` matches.

    ``unique_among`` is typically the page snapshot (it may include ``fp`` itself). Fingerprints
    in other frames never conflict: a frame is its own search scope. When nothing is unique, the
    element's CSS path (or XPath) from the snapshot is returned with ``unique=False``.
    """
    others = [o for o in unique_among if o is not fp and o != fp and o.frame_path == fp.frame_path]
    checked = len(others)
    options = _options(fp, page)
    for option in options:
        if not any(option.matches(o) for o in others):
            return _scoped(fp, option, page, True, checked)
    if fp.css_path:
        fallback = _Option("path", f"{page}.locator({_py(fp.css_path)})", fp.css_path, lambda o: False)
        return _scoped(fp, fallback, page, True, checked)
    if fp.xpath:
        selector = f"xpath={fp.xpath}"
        fallback = _Option("xpath", f"{page}.locator({_py(selector)})", selector, lambda o: False)
        # Shadow-root and frame XPaths are relative to their own root, so uniqueness is unknown.
        return _scoped(fp, fallback, page, False, checked)
    if options:
        return _scoped(fp, options[0], page, False, checked)
    return Suggestion(
        python=f'{page}.locator("*")', selector="*", strategy="none", unique=False, checked_against=checked
    )
