"""Planning `irl fix`: for each heal, the chain at its call site, the definition to rewrite, and
one rewrite per definition (heals that disagree about one definition are all skipped)."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, ParentNodeProvider

from .model import Disagreement, FilePlan, Fix, Outcome, Plan
from .project import NEWLINE, ParsedFile, Project
from .resolve import Chain, Resolver, Static, dotted
from .rewrite import SUGGESTION_RECEIVER, Edit, Skip, edits_for

_SUGGESTION_START = re.compile(rf"{SUGGESTION_RECEIVER}\s*\.")
CHANGED_SINCE_RUN = ("the file changed since the run that healed it:"
                     " run the tests with --irl again, then `irl fix`")


@dataclass(frozen=True)
class _Found:
    """One heal, resolved: the edits it needs, or the outcome that skips it."""

    index: int
    edits: tuple[Edit, ...] = ()
    skipped: Outcome | None = None


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
    chain = Resolver(dict(wrapper.resolve(ParentNodeProvider))).value(statement.body[0].value)
    if not isinstance(chain, Chain) or dotted(chain.root) != SUGGESTION_RECEIVER:
        return None
    return chain


def _edits(chain: Chain, suggestion: Chain, fix: Fix, project: Project) -> list[Edit]:
    receivers = project.file_of(chain.root).goto_receivers
    return edits_for(chain, suggestion, fix.original_selector, project.parents, receivers)


def _resolve(fix: Fix, index: int, parsed: ParsedFile, project: Project) -> _Found:
    def skip(reason: str, before: str | None = None, after: str | None = None) -> _Found:
        return _Found(index, skipped=Outcome(fix, False, reason, before, after))

    line = fix.line
    if not 1 <= line <= parsed.line_count:
        return skip(f"line {line} is out of range (the file has {parsed.line_count} lines)")
    suggestion = suggestion_chain(fix.suggested)
    if suggestion is None:
        return skip(f"suggestion is not a one-line locator on `{SUGGESTION_RECEIVER}`")
    candidates = parsed.chains_on(line, project)
    if not candidates:
        return skip(f"no locator chain on line {line}")
    ranked = sorted(candidates, key=lambda c: _relation(c[1], fix.original_selector), reverse=True)
    best = _relation(ranked[0][1], fix.original_selector)
    if best[1] > 0 and (len(ranked) == 1 or _relation(ranked[1][1], fix.original_selector) < best):
        chain = ranked[0][1]
    else:
        for _, candidate in candidates:
            try:
                _edits(candidate, suggestion, fix, project)
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
        edits = _edits(chain, suggestion, fix, project)
    except Skip as reason:
        return skip(str(reason))
    for edit in edits:
        # The call site's file is checked against its recorded hash; a definition in another file
        # against the time of the run.
        where = project.file_of(edit.node)
        if where is not parsed and fix.seen_at is not None and where.path.stat().st_mtime > fix.seen_at:
            return skip(f"{where.display} changed since the run that healed it: run the tests with --irl"
                        " again, then `irl fix`", edit.before, edit.after)
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
        ast.parse("\n".join(NEWLINE.split(text)))
    except (SyntaxError, ValueError):
        return False
    return True


def _where(project: Project, node: cst.CSTNode) -> str:
    parsed = project.file_of(node)
    return f"{parsed.display}:{parsed.line_of(node)}"


def _disagreements(found: list[_Found], fixes: list[Fix], project: Project) -> dict[int, Disagreement]:
    """Heal index -> the disagreement it is part of: heals whose edits of one definition (or of
    nested parts of it) differ."""
    edits = [(result.index, edit) for result in found for edit in result.edits]
    outer: dict[int, cst.CSTNode] = {}  # each edited node -> the outermost edited node around it
    for _, edit in edits:
        top = edit.node
        for _, other in edits:
            if project.inside(top, other.node):
                top = other.node
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
        parsed = project.file_of(node)
        line = parsed.line_of(node)
        definition = f"{parsed.display}:{line} `{parsed.lines[line - 1].strip()}`"
        suggestions = tuple((after, tuple(dict.fromkeys(sites))) for (_, after), sites in variants.items())
        disagreement = Disagreement(definition, suggestions)
        for index, _ in members:
            result[index] = disagreement
    return result


def plan(fixes: Iterable[Fix], root: Path) -> Plan:
    """What applying ``fixes`` would do; relative paths are resolved against ``root``."""
    project = Project(Path(root).resolve())
    fixes = list(fixes)
    outcomes: list[Outcome | None] = [None] * len(fixes)
    found: list[_Found] = []
    touched: dict[Path, ParsedFile] = {}  # the files the fixes name, then those they rewrite
    seen: set[tuple[str, int, str, str]] = set()
    for index, fix in enumerate(fixes):
        path = Path(fix.path)
        parsed = project.load(path if path.is_absolute() else project.root / path)
        if isinstance(parsed, str):
            outcomes[index] = Outcome(fix, False, parsed)
            continue
        touched.setdefault(parsed.path, parsed)
        key = (parsed.display, fix.line, fix.original_selector, fix.suggested)
        if fix.source_sha256 is not None and fix.source_sha256 != parsed.sha256:
            outcomes[index] = Outcome(fix, False, CHANGED_SINCE_RUN)
        elif key in seen:
            outcomes[index] = Outcome(fix, False, "duplicate")
        else:
            seen.add(key)
            result = _resolve(fix, index, parsed, project)
            if result.skipped is not None:
                outcomes[index] = result.skipped
            else:
                found.append(result)

    disagreements = _disagreements(found, fixes, project)
    replacements: dict[Path, dict[int, cst.BaseExpression]] = {}
    applied: dict[Path, list[int]] = {}
    for result in found:
        fix = fixes[result.index]
        before = "; ".join(e.before for e in result.edits)
        after = "; ".join(e.after for e in result.edits)
        where = ", ".join(_where(project, e.node) for e in result.edits)
        disagreement = disagreements.get(result.index)
        if disagreement is not None:
            reason = f"heals of {disagreement.definition} disagree (listed below)"
            outcomes[result.index] = Outcome(fix, False, reason, before, after, where, disagreement)
            continue
        for edit in result.edits:
            parsed = project.file_of(edit.node)
            touched.setdefault(parsed.path, parsed)
            replacements.setdefault(parsed.path, {})[id(edit.node)] = edit.new
            applied.setdefault(parsed.path, []).append(result.index)
        outcomes[result.index] = Outcome(fix, True, "", before, after, where)

    files: list[FilePlan] = []
    for path, parsed in touched.items():
        new_text = parsed.text
        if path in replacements:
            new_text = parsed.module.visit(_Replace(replacements[path])).code
        if not _parses(new_text):
            new_text = parsed.text
            for index in applied.get(path, []):
                done = outcomes[index]
                assert done is not None
                outcomes[index] = Outcome(done.fix, False, "the result would not parse", done.before,
                                          done.after, done.definition)
        files.append(FilePlan(path, parsed.display, parsed.text, new_text, parsed.bom))
    listed = list({id(d): d for d in disagreements.values()}.values())
    return Plan(files, [o for o in outcomes if o is not None], listed)
