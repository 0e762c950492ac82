"""Rewriting test sources with the locators that healing suggested (pure: no Playwright, no pytest).

A heal is recorded against its call site, so applying it means finding, on that line, the
expression that builds the locator and swapping it for the suggestion, with the suggestion's
``page`` receiver renamed to whatever the test calls its page. Anything uncertain is skipped
with a reason rather than guessed: a wrong rewrite of a test is worse than none.
"""

from __future__ import annotations

import ast
import difflib
import io
import json
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# Calls that can start a locator on a page; a chain must begin with one of them.
_GET_BY = ("role", "text", "label", "placeholder", "test_id", "alt_text", "title")
ENTRY_METHODS = frozenset({"locator", "frame_locator", *(f"get_by_{kind}" for kind in _GET_BY)})
CHAIN_METHODS = ENTRY_METHODS | {"nth", "filter", "and_", "or_"}
CHAIN_PROPERTIES = frozenset({"first", "last", "content_frame"})

# The receiver the suggestions are written against.
SUGGESTION_RECEIVER = "page"

# Python's own reader treats all three as line ends, so line numbers in records count them all.
_NEWLINE = re.compile(r"\r\n|\r|\n")
_LINE_WITH_END = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_SUGGESTION_START = re.compile(rf"{SUGGESTION_RECEIVER}\s*\.")
_BOM = "\ufeff"


@dataclass(frozen=True)
class Fix:
    path: str
    line: int
    original_selector: str
    suggested: str
    score: float | None = None

    @classmethod
    def from_location(
        cls, location: str, original_selector: str, suggested: str, score: float | None = None
    ) -> Fix:
        """A fix from a recorded ``path:LINE`` location."""
        path, sep, line = location.rpartition(":")
        if not sep or not path or not line.strip().isdigit():
            raise ValueError(f"not a path:LINE location: {location!r}")
        return cls(path, int(line), original_selector, suggested, score)


@dataclass(frozen=True)
class Outcome:
    fix: Fix
    applied: bool
    reason: str = ""  # why it was skipped; empty when applied
    before: str | None = None  # the locator source that was (or would have been) replaced
    after: str | None = None


@dataclass(frozen=True)
class FilePlan:
    path: Path
    display: str  # the path as shown in diffs: relative to the root when inside it
    old_text: str
    new_text: str
    bom: bool = False

    @property
    def changed(self) -> bool:
        return self.old_text != self.new_text


@dataclass(frozen=True)
class Plan:
    files: list[FilePlan]
    outcomes: list[Outcome]  # one per fix given, in the order given

    @property
    def applied(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.applied]

    @property
    def skipped(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.applied]


@dataclass(frozen=True)
class _Chain:
    node: ast.expr
    base: str  # dotted source of the receiver, e.g. ``page`` or ``self.page``
    start: int  # character offsets into the file's text
    end: int
    first_line: int
    last_line: int
    literals: tuple[str, ...]


@dataclass(frozen=True)
class _Edit:
    index: int  # the fix's position within its file's list
    start: int
    end: int
    before: str
    after: str


class _Source:
    """A file's text with the mapping from ast positions (UTF-8 byte columns) to character offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = _NEWLINE.split(text)
        self.starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
        self.line_count = len(self.lines) - (1 if self.lines[-1] == "" else 0)
        # Parsing the \n-joined lines keeps every line number and column of the original.
        self.normalized = "\n".join(self.lines)

    def offset(self, lineno: int, byte_col: int) -> int:
        line = self.lines[lineno - 1]
        return self.starts[lineno - 1] + len(line.encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    def comment_offsets(self) -> list[int]:
        found = []
        try:
            for tok in tokenize.generate_tokens(io.StringIO(self.normalized).readline):
                if tok.type == tokenize.COMMENT:
                    found.append(self.starts[tok.start[0] - 1] + tok.start[1])
        except (tokenize.TokenError, SyntaxError):
            return []
        return found


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return None if inner is None else f"{inner}.{node.attr}"
    return None


def _receiver(node: ast.AST) -> ast.expr | None:
    """The receiver when ``node`` is one locator-building step, else None."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.value if node.func.attr in CHAIN_METHODS else None
    if isinstance(node, ast.Attribute) and node.attr in CHAIN_PROPERTIES:
        return node.value
    return None


def _unwind(node: ast.AST) -> str | None:
    """The dotted base when ``node`` is a locator chain on a Name or Attribute base, else None."""
    innermost: ast.AST | None = None
    current: ast.AST = node
    while (receiver := _receiver(current)) is not None:
        innermost, current = current, receiver
    if not (
        isinstance(innermost, ast.Call)
        and isinstance(innermost.func, ast.Attribute)
        and innermost.func.attr in ENTRY_METHODS
        and isinstance(current, ast.expr)
    ):
        return None
    return _dotted(current)


def _walk(tree: ast.AST) -> Iterable[ast.AST]:
    # f-string internals have no reliable positions before Python 3.12, so they are never edited.
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.JoinedStr):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _string_literals(node: ast.AST) -> tuple[str, ...]:
    return tuple(n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str))


def _chains(tree: ast.AST, source: _Source) -> list[_Chain]:
    found: list[_Chain] = []
    for node in _walk(tree):
        base = _unwind(node)
        if base is None:
            continue
        assert isinstance(node, ast.expr) and node.end_lineno is not None and node.end_col_offset is not None
        found.append(
            _Chain(
                node=node,
                base=base,
                start=source.offset(node.lineno, node.col_offset),
                end=source.offset(node.end_lineno, node.end_col_offset),
                first_line=node.lineno,
                last_line=node.end_lineno,
                literals=_string_literals(node),
            )
        )
    # Only outermost chains: `page.locator("a").filter(has=page.get_by_text("b"))` is one locator.
    # Syntax nodes either nest or are disjoint, so one sweep in source order finds them.
    outermost: list[_Chain] = []
    for chain in sorted(found, key=lambda c: (c.start, -c.end)):
        if not outermost or chain.start >= outermost[-1].end:
            outermost.append(chain)
    return outermost


def _goto_receivers(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "goto":
            name = _dotted(node.func.value)
            if name is not None:
                names.add(name)
    return names


def _page_like(base: str, goto_receivers: set[str]) -> bool:
    if base == "self.page" or base in goto_receivers:
        return True
    last = base.rpartition(".")[2].lower()
    return last == "popup" or last.endswith("page")


def _relation(chain: _Chain, selector: str) -> tuple[int, int]:
    """How well the chain's string arguments explain the selector: (all explained, characters)."""
    wanted = selector.casefold()
    matched = [
        lit
        for lit in chain.literals
        if lit
        and (lit.casefold() in wanted or json.dumps(lit, ensure_ascii=False)[1:-1].casefold() in wanted)
    ]
    return int(bool(chain.literals) and len(matched) == len(chain.literals)), sum(map(len, matched))


def _suggestion_tail(suggested: str) -> str | None:
    """What follows the ``page`` receiver in a valid single-line suggestion, else None."""
    text = suggested.strip()
    if "\n" in text or "\r" in text or not _SUGGESTION_START.match(text):
        return None
    try:
        expr = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    if _unwind(expr) != SUGGESTION_RECEIVER:
        return None
    return text[len(SUGGESTION_RECEIVER) :]


def _same_code(node: ast.expr, code: str) -> bool:
    try:
        return ast.dump(node) == ast.dump(ast.parse(code, mode="eval").body)
    except SyntaxError:
        return False


def _locate(fix: Fix, index: int, source: _Source, chains: list[_Chain], goto: set[str]) -> _Edit | Outcome:
    line = fix.line
    if not 1 <= line <= source.line_count:
        return Outcome(fix, False, f"line {line} is out of range (the file has {source.line_count} lines)")
    tail = _suggestion_tail(fix.suggested)
    if tail is None:
        return Outcome(fix, False, f"suggestion is not a one-line locator on `{SUGGESTION_RECEIVER}`")
    candidates = [c for c in chains if c.first_line <= line <= c.last_line]
    if not candidates:
        return Outcome(fix, False, f"no locator chain on line {line}")

    def replacement(chain: _Chain) -> str:
        return chain.base + tail

    def snippet(chain: _Chain) -> str:
        return source.text[chain.start : chain.end]

    ranked = sorted(candidates, key=lambda c: _relation(c, fix.original_selector), reverse=True)
    best = _relation(ranked[0], fix.original_selector)
    chosen: _Chain | None = None
    if best[1] > 0 and (len(ranked) == 1 or _relation(ranked[1], fix.original_selector) < best):
        chosen = ranked[0]
    elif any(_same_code(c.node, replacement(c)) for c in candidates):
        done = next(c for c in candidates if _same_code(c.node, replacement(c)))
        return Outcome(fix, False, "already applied", snippet(done), replacement(done))
    elif len(candidates) == 1 and not candidates[0].literals:
        chosen = candidates[0]  # built from variables: nothing to compare with, and nothing else on the line
    elif len(candidates) == 1:
        return Outcome(fix, False, f"the locator on line {line} does not match the recorded selector")
    else:
        return Outcome(fix, False, f"ambiguous: {len(candidates)} locator chains on line {line}")

    before, after = snippet(chosen), replacement(chosen)
    if not _page_like(chosen.base, goto):
        return Outcome(fix, False, f"receiver `{chosen.base}` is not page-like", before, after)
    if _same_code(chosen.node, after):
        return Outcome(fix, False, "already applied", before, after)
    if chosen.first_line != chosen.last_line and any(
        chosen.start <= at < chosen.end for at in source.comment_offsets()
    ):
        return Outcome(fix, False, "comment inside a multi-line locator chain", before, after)
    return _Edit(index, chosen.start, chosen.end, before, after)


def _parses(text: str) -> bool:
    try:
        ast.parse("\n".join(_NEWLINE.split(text)))
    except (SyntaxError, ValueError):
        return False
    return True


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _plan_file(path: Path, fixes: list[Fix], root: Path) -> tuple[FilePlan | None, list[Outcome]]:
    def skip_all(reason: str) -> tuple[None, list[Outcome]]:
        return None, [Outcome(fix, False, reason) for fix in fixes]

    if not path.is_file():
        return skip_all(f"file not found: {_display(path, root)}")
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return skip_all(f"cannot read as UTF-8: {exc}")
    bom = text.startswith(_BOM)
    text = text.removeprefix(_BOM)
    source = _Source(text)
    try:
        tree = ast.parse(source.normalized)
    except (SyntaxError, ValueError):
        return skip_all("file does not parse")
    chains, goto = _chains(tree, source), _goto_receivers(tree)

    outcomes: list[Outcome | None] = [None] * len(fixes)
    by_span: dict[tuple[int, int], list[_Edit]] = {}
    for index, fix in enumerate(fixes):
        found = _locate(fix, index, source, chains, goto)
        if isinstance(found, Outcome):
            outcomes[index] = found
        else:
            by_span.setdefault((found.start, found.end), []).append(found)

    edits: list[_Edit] = []
    for group in by_span.values():
        # The same locator healed twice: keep the best-scored suggestion (the first on a tie).
        keep = max(group, key=lambda e: (fixes[e.index].score is not None, fixes[e.index].score or 0.0))
        edits.append(keep)
        for other in group:
            if other is not keep:
                reason = "duplicate" if other.after == keep.after else "another fix for this locator was kept"
                outcomes[other.index] = Outcome(fixes[other.index], False, reason, other.before, other.after)

    new_text = text
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        new_text = new_text[: edit.start] + edit.after + new_text[edit.end :]
    parses = _parses(new_text)
    for edit in edits:
        reason = "" if parses else "the result would not parse"
        outcomes[edit.index] = Outcome(fixes[edit.index], parses, reason, edit.before, edit.after)
    if not parses:
        new_text = text
    done = [o for o in outcomes if o is not None]
    assert len(done) == len(fixes)
    return FilePlan(path, _display(path, root), text, new_text, bom), done


def plan(fixes: Iterable[Fix], root: Path) -> Plan:
    """What applying ``fixes`` would do; relative paths are resolved against ``root``."""
    root = Path(root).resolve()
    fixes = list(fixes)
    by_file: dict[Path, list[int]] = {}
    for index, fix in enumerate(fixes):
        path = Path(fix.path)
        by_file.setdefault((path if path.is_absolute() else root / path).resolve(), []).append(index)

    files: list[FilePlan] = []
    outcomes: list[Outcome | None] = [None] * len(fixes)
    for path, indices in by_file.items():
        file_plan, results = _plan_file(path, [fixes[i] for i in indices], root)
        if file_plan is not None:
            files.append(file_plan)
        for index, result in zip(indices, results, strict=True):
            outcomes[index] = result
    return Plan(files, [o for o in outcomes if o is not None])


def unified_diff(plan: Plan) -> str:
    """The plan's changes as a unified diff with ``a/`` and ``b/`` headers, as git prints them."""
    out: list[str] = []
    for file in plan.files:
        if not file.changed:
            continue
        old, new = _LINE_WITH_END.findall(file.old_text), _LINE_WITH_END.findall(file.new_text)
        for line in difflib.unified_diff(old, new, f"a/{file.display}", f"b/{file.display}"):
            out.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def write(plan: Plan) -> list[Path]:
    """Write the changed files and return their paths.

    A file that changed on disk since it was planned is left alone (and not returned), so a
    stale plan never overwrites someone's edits.
    """
    written: list[Path] = []
    for file in plan.files:
        if not file.changed:
            continue
        prefix = _BOM if file.bom else ""
        try:
            if file.path.read_bytes() != (prefix + file.old_text).encode("utf-8"):
                continue
        except OSError:
            continue
        file.path.write_bytes((prefix + file.new_text).encode("utf-8"))
        written.append(file.path)
    return written
