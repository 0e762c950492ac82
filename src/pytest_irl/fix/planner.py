"""Planning `irl fix`: for each heal, the chain at its call site, the definition to rewrite, and
one rewrite per definition (heals that disagree about one definition are all skipped)."""

from __future__ import annotations

import ast
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, ParentNodeProvider, PositionProvider

from .model import Disagreement, FilePlan, Fix, Outcome, Plan
from .resolve import Chain, Resolver, Static, dotted
from .rewrite import SUGGESTION_RECEIVER, Edit, Skip, edits_for

# Python's own reader treats all three as line ends, so line numbers in records count them all.
_NEWLINE = re.compile(r"\r\n|\r|\n")
_SUGGESTION_START = re.compile(rf"{SUGGESTION_RECEIVER}\s*\.")
BOM = "\ufeff"


@dataclass(frozen=True)
class _Found:
    """One heal, resolved: the edits it needs, or the outcome that skips it."""

    index: int
    edits: tuple[Edit, ...] = ()
    skipped: Outcome | None = None


class _ParsedFile:
    def __init__(self, text: str) -> None:
        wrapper = MetadataWrapper(cst.parse_module(text))
        self.module = wrapper.module
        self.positions: Mapping[cst.CSTNode, CodeRange] = wrapper.resolve(PositionProvider)
        self.parents: dict[cst.CSTNode, cst.CSTNode] = dict(wrapper.resolve(ParentNodeProvider))
        self.resolver = Resolver(self.module, self.parents)
        self.lines = _NEWLINE.split(text)
        self.line_count = len(self.lines) - (1 if self.lines[-1] == "" else 0)
        self.goto_receivers = {
            name
            for node in self.positions
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "goto" and (name := dotted(node.func.value)) is not None
        }
        self._expressions = [n for n in self.positions if isinstance(n, cst.Name | cst.Attribute | cst.Call)]

    def line_of(self, node: cst.CSTNode) -> int:
        return self.positions[node].start.line

    def inside(self, node: cst.CSTNode, container: cst.CSTNode) -> bool:
        current: cst.CSTNode | None = self.parents.get(node)
        while current is not None:
            if current is container:
                return True
            current = self.parents.get(current)
        return False

    def chains_on(self, line: int) -> list[tuple[cst.CSTNode, Chain]]:
        """The outermost locator chains an expression on ``line`` evaluates to, each once."""
        found: list[tuple[cst.CSTNode, Chain]] = []
        for node in self._expressions:
            where = self.positions[node]
            if where.start.line <= line <= where.end.line:
                value = self.resolver.value(node)
                if isinstance(value, Chain):
                    found.append((node, value))
        outermost = [(n, c) for n, c in found if not any(self.inside(n, other) for other, _ in found)]
        unique: dict[tuple[int, ...], tuple[cst.CSTNode, Chain]] = {}
        for expression, chain in outermost:  # `btn = page.locator(...)`: target and value are one locator
            unique.setdefault(tuple(id(s.node) for s in chain.segments), (expression, chain))
        return list(unique.values())


def _literals(chain: Chain) -> list[str]:
    found: list[str] = []
    for segment in chain.segments:
        for value in (*segment.args, *(v for _, v in segment.kwargs)):
            if isinstance(value, Static) and isinstance(value.value, str):
                found.append(value.value)
            elif isinstance(value, Chain):
                found.extend(_literals(value))
    return found


def _relation(chain: Chain, selector: str) -> tuple[int, int]:
    """How well the chain's strings explain the recorded selector: (all explained, characters)."""
    literals = _literals(chain)
    wanted = selector.casefold()
    matched = [
        lit for lit in literals
        if lit
        and (lit.casefold() in wanted or json.dumps(lit, ensure_ascii=False)[1:-1].casefold() in wanted)
    ]
    return int(bool(literals) and len(matched) == len(literals)), sum(map(len, matched))


def suggestion_chain(suggested: str) -> Chain | None:
    """The suggested locator as a chain on ``page`` with every argument written out, else None."""
    text = suggested.strip()
    if "\n" in text or "\r" in text or not _SUGGESTION_START.match(text):
        return None
    try:
        wrapper = MetadataWrapper(cst.parse_module(text + "\n"))
    except cst.ParserSyntaxError:
        return None
    module = wrapper.module
    statement = module.body[0] if len(module.body) == 1 else None
    if not (isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.Expr)):
        return None
    chain = Resolver(module, dict(wrapper.resolve(ParentNodeProvider))).value(statement.body[0].value)
    if not isinstance(chain, Chain) or dotted(chain.root) != SUGGESTION_RECEIVER:
        return None
    return chain


def _resolve(fix: Fix, index: int, parsed: _ParsedFile) -> _Found:
    def skip(reason: str, before: str | None = None, after: str | None = None) -> _Found:
        return _Found(index, skipped=Outcome(fix, False, reason, before, after))

    line = fix.line
    if not 1 <= line <= parsed.line_count:
        return skip(f"line {line} is out of range (the file has {parsed.line_count} lines)")
    suggestion = suggestion_chain(fix.suggested)
    if suggestion is None:
        return skip(f"suggestion is not a one-line locator on `{SUGGESTION_RECEIVER}`")
    candidates = parsed.chains_on(line)
    if not candidates:
        return skip(f"no locator chain on line {line}")
    ranked = sorted(candidates, key=lambda c: _relation(c[1], fix.original_selector), reverse=True)
    best = _relation(ranked[0][1], fix.original_selector)
    if best[1] > 0 and (len(ranked) == 1 or _relation(ranked[1][1], fix.original_selector) < best):
        chain = ranked[0][1]
    else:
        for _, candidate in candidates:
            try:
                edits_for(candidate, suggestion, fix.original_selector, parsed.parents, parsed.goto_receivers)
            except Skip as done:
                if str(done) == "already applied":
                    return skip("already applied")
        if len(candidates) == 1 and not _literals(candidates[0][1]):
            chain = candidates[0][1]  # built from variables only, and nothing else on the line
        elif len(candidates) == 1:
            return skip(f"the locator on line {line} does not match the recorded selector")
        else:
            return skip(f"ambiguous: {len(candidates)} locator chains on line {line}")
    try:
        edits = edits_for(chain, suggestion, fix.original_selector, parsed.parents,
                          parsed.goto_receivers)
    except Skip as reason:
        return skip(str(reason))
    return _Found(index, tuple(edits))


class _Replace(cst.CSTTransformer):
    def __init__(self, replacements: dict[int, cst.BaseExpression]) -> None:
        self.replacements = replacements

    def on_leave(  # type: ignore[override]
        self, original_node: cst.CSTNode, updated_node: cst.CSTNode
    ) -> cst.CSTNode:
        return self.replacements.get(id(original_node), updated_node)


def _parses(text: str) -> bool:
    try:
        ast.parse("\n".join(_NEWLINE.split(text)))
    except (SyntaxError, ValueError):
        return False
    return True


def display_path(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _plan_file(
    path: Path, fixes: list[Fix], root: Path
) -> tuple[FilePlan | None, list[Outcome], list[Disagreement]]:
    shown = display_path(path, root)

    def skip_all(reason: str) -> tuple[None, list[Outcome], list[Disagreement]]:
        return None, [Outcome(fix, False, reason) for fix in fixes], []

    if not path.is_file():
        return skip_all(f"file not found: {shown}")
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return skip_all(f"cannot read as UTF-8: {exc}")
    current_sha = hashlib.sha256(raw).hexdigest()
    bom = text.startswith(BOM)
    text = text.removeprefix(BOM)
    try:
        parsed = _ParsedFile(text)
    except (cst.ParserSyntaxError, RecursionError):
        return skip_all("file does not parse")

    outcomes: list[Outcome | None] = [None] * len(fixes)
    found: list[_Found] = []
    seen: dict[tuple[str, int, str, str], int] = {}
    for index, fix in enumerate(fixes):
        if fix.source_sha256 is not None and fix.source_sha256 != current_sha:
            outcomes[index] = Outcome(fix, False, "the file changed since the run that healed it:"
                                                  " run the tests with --irl again, then `irl fix`")
            continue
        key = (fix.path, fix.line, fix.original_selector, fix.suggested)
        if key in seen:
            outcomes[index] = Outcome(fix, False, "duplicate")
            continue
        seen[key] = index
        result = _resolve(fix, index, parsed)
        if result.skipped is not None:
            outcomes[index] = result.skipped
        else:
            found.append(result)

    disagreements = _disagreements(found, fixes, parsed, shown)
    replacements: dict[int, cst.BaseExpression] = {}
    for result in found:
        disagreement = disagreements.get(result.index)
        fix = fixes[result.index]
        before = "; ".join(e.before for e in result.edits)
        after = "; ".join(e.after for e in result.edits)
        where = ", ".join(f"{shown}:{parsed.line_of(e.node)}" for e in result.edits)
        if disagreement is not None:
            reason = f"heals of {disagreement.definition} disagree (listed below)"
            outcomes[result.index] = Outcome(fix, False, reason, before, after, where, disagreement)
            continue
        for edit in result.edits:
            replacements[id(edit.node)] = edit.new
        outcomes[result.index] = Outcome(fix, True, "", before, after, where)

    new_text = parsed.module.visit(_Replace(replacements)).code if replacements else text
    if not _parses(new_text):
        new_text = text
        outcomes = [
            Outcome(o.fix, False, "the result would not parse", o.before, o.after, o.definition)
            if o is not None and o.applied else o
            for o in outcomes
        ]
    done = [o for o in outcomes if o is not None]
    assert len(done) == len(fixes)
    listed = list({id(d): d for d in disagreements.values()}.values())
    return FilePlan(path, shown, text, new_text, bom), done, listed


def _disagreements(
    found: list[_Found], fixes: list[Fix], parsed: _ParsedFile, shown: str
) -> dict[int, Disagreement]:
    """Heal index -> the disagreement it is part of: heals whose edits of one definition (or of
    nested parts of it) differ."""
    edits = [(result.index, edit) for result in found for edit in result.edits]
    # Group the edits by the outermost edited node they touch.
    outer: dict[int, cst.CSTNode] = {}
    for _, edit in edits:
        containers = [
            e.node for _, e in edits if e.node is not edit.node and parsed.inside(edit.node, e.node)
        ]
        top = edit.node
        for container in containers:
            if not any(parsed.inside(container, c) for c in containers if c is not container):
                top = container
        outer[id(edit.node)] = top
    groups: dict[int, list[tuple[int, Edit]]] = {}
    for index, edit in edits:
        groups.setdefault(id(outer[id(edit.node)]), []).append((index, edit))
    result: dict[int, Disagreement] = {}
    for members in groups.values():
        variants: dict[tuple[int, str], list[str]] = {}
        for index, edit in members:
            variants.setdefault((id(edit.node), edit.after), []).append(fixes[index].location)
        if len(variants) < 2:
            continue
        node = outer[id(members[0][1].node)]
        line = parsed.line_of(node)
        definition = f"{shown}:{line} `{parsed.lines[line - 1].strip()}`"
        suggestions = tuple(
            (after, tuple(dict.fromkeys(sites))) for (_, after), sites in variants.items()
        )
        disagreement = Disagreement(definition, suggestions)
        for index, _ in members:
            result[index] = disagreement
    return result


def plan(fixes: Iterable[Fix], root: Path) -> Plan:
    """What applying ``fixes`` would do; relative paths are resolved against ``root``."""
    root = Path(root).resolve()
    fixes = list(fixes)
    by_file: dict[Path, list[int]] = {}
    for index, fix in enumerate(fixes):
        path = Path(fix.path)
        by_file.setdefault((path if path.is_absolute() else root / path).resolve(), []).append(index)

    files: list[FilePlan] = []
    disagreements: list[Disagreement] = []
    outcomes: list[Outcome | None] = [None] * len(fixes)
    for path, indices in by_file.items():
        file_plan, results, disagreed = _plan_file(path, [fixes[i] for i in indices], root)
        if file_plan is not None:
            files.append(file_plan)
        disagreements.extend(disagreed)
        for index, result in zip(indices, results, strict=True):
            outcomes[index] = result
    return Plan(files, [o for o in outcomes if o is not None], disagreements)
