"""Low-level readers for Playwright selector strings (no browser needed).

Covers what ``Locator._selector`` contains: ``>>``-separated clauses named ``engine=body``
(``internal:role``, ``internal:text``, ``internal:attr``, ``internal:testid``, ``internal:label``,
``internal:has*``, ``internal:and``/``or``/``chain`` with JSON-quoted nested selectors, ``nth``,
``visible``, ``internal:control=enter-frame``), the legacy ``text=``/``id=``/``data-testid=``
engines, plain CSS and XPath. Parsing is best-effort: a body we cannot read is reported, never
raised, because hints are only a fallback aid.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

_ENGINE_NAME = re.compile(r"^[a-zA-Z_0-9\-+:*]+$")
_XPATH_START = re.compile(r"^\(*//")


@dataclass(frozen=True, slots=True)
class Clause:
    engine: str
    body: str
    source: str


def split_clauses(selector: str) -> list[Clause]:
    """Split at ``>>`` outside quotes, naming each clause's engine as Playwright does."""
    pieces: list[str] = []
    if ">>" not in selector:
        pieces.append(selector)
    else:
        index, start, quote = 0, 0, ""
        while index < len(selector):
            char = selector[index]
            if char == "\\" and index + 1 < len(selector):
                index += 2
            elif quote and char == quote:
                quote = ""
                index += 1
            elif not quote and char in "\"'`" and not _in_unquoted_text(selector[start:index]):
                quote = char
                index += 1
            elif not quote and selector.startswith(">>", index):
                pieces.append(selector[start:index])
                index += 2
                start = index
            else:
                index += 1
        pieces.append(selector[start:])
    return [_name_clause(piece.strip()) for piece in pieces if piece.strip()]


def _in_unquoted_text(prefix: str) -> bool:
    # `text=foo "bar"`: once unquoted text has begun, later quotes are literal characters.
    match = re.match(r"^\s*text\s*=(.*)$", prefix, re.S)
    return bool(match and match.group(1))


def _name_clause(part: str) -> Clause:
    eq = part.find("=")
    if eq != -1 and _ENGINE_NAME.match(part[:eq].strip()):
        engine, body = part[:eq].strip(), part[eq + 1 :]
    elif len(part) > 1 and part[0] == part[-1] and part[0] in "\"'":
        engine, body = "text", part
    elif _XPATH_START.match(part) or part.startswith(".."):
        engine, body = "xpath", part
    else:
        engine, body = "css", part
    return Clause(engine.lstrip("*"), body.strip(), part)


@dataclass(frozen=True, slots=True)
class TextValue:
    value: str
    exact: bool = False
    regex: bool = False
    flags: str = ""


def read_text_body(body: str, *, quoted_means_exact: bool = False) -> TextValue:
    """``"x"i`` / ``"x"s`` (JSON string + flag), ``/re/flags``, legacy quotes or plain text."""
    body = body.strip()
    if body.startswith("/") and body.rfind("/") > 0:
        end = body.rfind("/")
        return TextValue(body[1:end].replace("\\>\\>", ">>"), regex=True, flags=body[end + 1 :])
    if body.startswith('"'):
        try:
            value, end = json.JSONDecoder().raw_decode(body)
        except ValueError:
            return TextValue(body.strip('"'))
        suffix = body[end:].strip().lower()
        exact = suffix == "s" or (not suffix and quoted_means_exact)
        return TextValue(str(value), exact=exact)
    if len(body) > 1 and body[0] == body[-1] == "'":
        return TextValue(body[1:-1], exact=quoted_means_exact)
    return TextValue(body)


def read_json_string(body: str) -> str:
    """Nested selectors (``internal:has``, ``and``, ``or``, ``chain``) are JSON-encoded strings."""
    try:
        value = json.loads(body)
    except ValueError:
        return body.strip().strip('"')
    return value if isinstance(value, str) else str(value)


@dataclass(frozen=True, slots=True)
class AttrPart:
    name: str
    op: str  # "", "=", "*=", "^=", "$=", "|=", "~="; "" means the attribute is just present/truthy
    value: str = ""
    case_sensitive: bool = True
    regex: bool = False
    flags: str = ""


def read_attribute_selector(body: str) -> tuple[str, list[AttrPart]]:
    """``name[attr=value]...`` as used by the role/attr/testid engines."""
    pos = 0
    n = len(body)

    def skip_spaces() -> None:
        nonlocal pos
        while pos < n and body[pos].isspace():
            pos += 1

    def read_ident() -> str:
        nonlocal pos
        skip_spaces()
        start = pos
        while pos < n and (body[pos].isalnum() or body[pos] in "_-" or body[pos] >= "\u0080"):
            pos += 1
        return body[start:pos]

    def read_quoted() -> str:
        nonlocal pos
        quote = body[pos]
        pos += 1
        out: list[str] = []
        while pos < n and body[pos] != quote:
            if body[pos] == "\\" and pos + 1 < n:
                pos += 1
            out.append(body[pos])
            pos += 1
        pos += 1
        return "".join(out)

    name = read_ident()
    parts: list[AttrPart] = []
    skip_spaces()
    while pos < n and body[pos] == "[":
        pos += 1
        skip_spaces()
        attr = read_quoted() if pos < n and body[pos] in "\"'" else read_ident()
        skip_spaces()
        if pos < n and body[pos] == "]":
            pos += 1
            parts.append(AttrPart(attr, ""))
            skip_spaces()
            continue
        op = body[pos : pos + 1] if body[pos : pos + 1] == "=" else body[pos : pos + 2]
        pos += len(op)
        skip_spaces()
        if pos < n and body[pos] == "/":
            end = _regex_end(body, pos)
            flags_start = end + 1
            flags_end = flags_start
            while flags_end < n and body[flags_end] in "dgimsuy":
                flags_end += 1
            flags = body[flags_start:flags_end]
            parts.append(AttrPart(attr, op, body[pos + 1 : end], regex=True, flags=flags))
            pos = flags_end
        elif pos < n and body[pos] in "\"'":
            value = read_quoted()
            skip_spaces()
            case_sensitive = True
            if pos < n and body[pos] in "iIsS":
                case_sensitive = body[pos] in "sS"
                pos += 1
            parts.append(AttrPart(attr, op, value, case_sensitive))
        else:
            start = pos
            while pos < n and body[pos] not in "]" and not body[pos].isspace():
                pos += 1
            parts.append(AttrPart(attr, op, body[start:pos]))
        skip_spaces()
        while pos < n and body[pos] != "]":
            pos += 1
        pos += 1
        skip_spaces()
    return name, parts


def _regex_end(body: str, start: int) -> int:
    pos, in_class = start + 1, False
    while pos < len(body):
        char = body[pos]
        if char == "\\":
            pos += 2
            continue
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "/" and not in_class:
            return pos
        pos += 1
    return len(body) - 1


def split_top_level(value: str, separators: str) -> list[str]:
    """Split outside quotes, brackets and parentheses (CSS lists, compounds, XPath steps)."""
    out: list[str] = []
    depth, quote, start, index = 0, "", 0, 0
    while index < len(value):
        char = value[index]
        if char == "\\":
            index += 2
            continue
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif depth == 0 and char in separators:
            out.append(value[start:index])
            start = index + 1
        index += 1
    out.append(value[start:])
    return out


@dataclass
class Compound:
    """What one CSS compound selector (the subject, e.g. ``button.primary[name=go]``) says."""

    tag: str = ""
    ids: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    attrs: list[AttrPart] = field(default_factory=list)
    pseudos: list[tuple[str, str]] = field(default_factory=list)


_CSS_TOKEN = re.compile(
    r"(?P<tag>^(?:\*|[a-zA-Z][\w-]*))"
    r"|#(?P<id>(?:\\.|[\w-])+)"
    r"|\.(?P<cls>(?:\\.|[\w-])+)"
    r"|(?P<attr>\[(?:\"(?:\\.|[^\"])*\"|'(?:\\.|[^'])*'|[^\]])*\])"
    r"|::?(?P<pseudo>[\w-]+)(?:\((?P<arg>(?:\"(?:\\.|[^\"])*\"|'(?:\\.|[^'])*'|[^()]|\([^()]*\))*)\))?"
)
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6}\s?|.)")


def css_unescape(value: str) -> str:
    def repl(match: re.Match[str]) -> str:
        raw = match.group(1)
        if re.fullmatch(r"[0-9a-fA-F]{1,6}\s?", raw):
            return chr(int(raw.strip(), 16))
        return raw

    return _CSS_ESCAPE.sub(repl, value)


def read_css_subject(css: str) -> Compound:
    """The last compound of a complex CSS selector: the element the selector returns."""
    chain = [c for c in split_top_level(css.strip(), " >+~") if c.strip()]
    subject = chain[-1].strip() if chain else ""
    found = Compound()
    pos = 0
    while pos < len(subject):
        match = _CSS_TOKEN.match(subject, pos)
        if not match or match.end() == pos:
            pos += 1
            continue
        pos = match.end()
        if match.group("tag"):
            found.tag = "" if match.group("tag") == "*" else match.group("tag").lower()
        elif match.group("id"):
            found.ids.append(css_unescape(match.group("id")))
        elif match.group("cls"):
            found.classes.append(css_unescape(match.group("cls")))
        elif match.group("attr"):
            _, parts = read_attribute_selector(match.group("attr"))
            found.attrs.extend(parts)
        elif match.group("pseudo"):
            found.pseudos.append((match.group("pseudo").lower(), match.group("arg") or ""))
    return found


_XPATH_ATTR_EQ = re.compile(r"@([\w:-]+)\s*=\s*(\"[^\"]*\"|'[^']*')")
_XPATH_QUOTED = r"(\"[^\"]*\"|'[^']*')"
_XPATH_CONTAINS = re.compile(
    r"contains\(\s*(@[\w:-]+|text\(\)|\.|normalize-space\(\s*\.?\s*\))\s*,\s*" + _XPATH_QUOTED + r"\s*\)"
)
_XPATH_TEXT_EQ = re.compile(
    r"(?:text\(\)|normalize-space\(\s*(?:\.|text\(\))?\s*\)|\.)\s*=\s*" + _XPATH_QUOTED
)


def read_xpath_subject(xpath: str) -> tuple[str, list[tuple[str, str, str]]]:
    """Tag of the last step and its predicates as (kind, name, value): kind is attr/contains/text."""
    steps = [s for s in split_top_level(xpath.strip(), "/") if s.strip()]
    last = steps[-1].strip() if steps else ""
    head = re.match(r"^(?:[\w-]+::)?([\w*-]+)", last)
    tag = head.group(1).lower() if head and head.group(1) not in ("*", "node") else ""
    found: list[tuple[str, str, str]] = []
    for name, value in _XPATH_ATTR_EQ.findall(last):
        found.append(("attr", name, value[1:-1]))
    for what, value in _XPATH_CONTAINS.findall(last):
        found.append(("contains", what.lstrip("@") if what.startswith("@") else "text", value[1:-1]))
    for value in _XPATH_TEXT_EQ.findall(last):
        found.append(("text", "text", value[1:-1]))
    return tag, found
