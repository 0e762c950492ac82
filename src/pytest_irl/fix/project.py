"""The files `irl fix` reads: each parsed once, with positions; imports and ``conftest.py`` files
found inside the project root (never outside it: a library's code is not the suite's to fix)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, ParentNodeProvider, PositionProvider

from .resolve import Chain, Resolver, dotted

# Python's own reader treats all three as line ends, so line numbers in records count them all.
NEWLINE = re.compile(r"\r\n|\r|\n")
BOM = "\ufeff"


class ParsedFile:
    def __init__(self, path: Path, display: str, raw: bytes) -> None:
        self.path, self.display = path, display
        self.sha256 = hashlib.sha256(raw).hexdigest()
        text = raw.decode("utf-8")
        self.bom = text.startswith(BOM)
        self.text = text.removeprefix(BOM)
        wrapper = MetadataWrapper(cst.parse_module(self.text))
        self.module = wrapper.module
        self.positions: Mapping[cst.CSTNode, CodeRange] = wrapper.resolve(PositionProvider)
        self.parents: Mapping[cst.CSTNode, cst.CSTNode] = wrapper.resolve(ParentNodeProvider)
        self.lines = NEWLINE.split(self.text)
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

    def chains_on(self, line: int, project: Project) -> list[tuple[cst.CSTNode, Chain]]:
        """The outermost locator chains an expression on ``line`` evaluates to, each once."""
        found: list[tuple[cst.CSTNode, Chain]] = []
        for node in self._expressions:
            where = self.positions[node]
            if where.start.line <= line <= where.end.line:
                value = project.resolver.value(node)
                if isinstance(value, Chain):
                    found.append((node, value))
        outermost = [(n, c) for n, c in found if not any(project.inside(n, other) for other, _ in found)]
        unique: dict[tuple[int, ...], tuple[cst.CSTNode, Chain]] = {}
        for expression, chain in outermost:  # `btn = page.locator(...)`: target and value are one locator
            unique.setdefault(tuple(id(s.node) for s in chain.segments), (expression, chain))
        return list(unique.values())


class Project:
    """The parsed files under ``root`` and one resolver over all of them (a ModuleLoader)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.parents: dict[cst.CSTNode, cst.CSTNode] = {}
        self.resolver = Resolver(self.parents, self)
        self._files: dict[Path, ParsedFile | str] = {}
        self._by_module: dict[int, ParsedFile] = {}

    def display(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def load(self, path: Path) -> ParsedFile | str:
        """The parsed file, or the reason it cannot be read."""
        path = path.resolve()
        if path not in self._files:
            self._files[path] = self._parse(path)
        return self._files[path]

    def _parse(self, path: Path) -> ParsedFile | str:
        if not path.is_file():
            return f"file not found: {self.display(path)}"
        try:
            parsed = ParsedFile(path, self.display(path), path.read_bytes())
        except (OSError, UnicodeDecodeError) as exc:
            return f"cannot read as UTF-8: {exc}"
        except (cst.ParserSyntaxError, RecursionError):
            return "file does not parse"
        self.parents.update(parsed.parents)
        self._by_module[id(parsed.module)] = parsed
        return parsed

    def file_of(self, node: cst.CSTNode) -> ParsedFile:
        return self._by_module[id(self.resolver.module_of(node))]

    def inside(self, node: cst.CSTNode, container: cst.CSTNode) -> bool:
        current = self.parents.get(node)
        while current is not None:
            if current is container:
                return True
            current = self.parents.get(current)
        return False

    def _within_root(self, path: Path) -> bool:
        return path.is_relative_to(self.root)

    def _module_in(self, folder: Path, module: str) -> cst.Module | None:
        base = folder.joinpath(*module.split(".")) if module else folder
        for candidate in (base.with_name(base.name + ".py"), base / "__init__.py"):
            if candidate.is_file() and self._within_root(candidate.resolve()):
                parsed = self.load(candidate)
                return parsed.module if isinstance(parsed, ParsedFile) else None
        return None

    def imported(self, importer: cst.Module, level: int, module: str) -> cst.Module | None:
        """The module ``from ('.' * level + module) import ...`` in ``importer`` names, in the project.

        An absolute import is looked for beside the importing file and in each folder above it up
        to the root: where pytest's default import mode and a root conftest put test helpers."""
        source = self._by_module.get(id(importer))
        if source is None:
            return None
        folder = source.path.parent
        if level:
            for _ in range(level - 1):
                folder = folder.parent
            return self._module_in(folder, module) if module else self._module_in(folder, "")
        while self._within_root(folder):
            found = self._module_in(folder, module)
            if found is not None:
                return found
            if folder == self.root:
                break
            folder = folder.parent
        return None

    def conftests(self, module: cst.Module) -> list[cst.Module]:
        """The ``conftest.py`` modules that give fixtures to ``module``, nearest first."""
        source = self._by_module.get(id(module))
        if source is None:
            return []
        found: list[cst.Module] = []
        folder = source.path.parent
        while self._within_root(folder):
            candidate = folder / "conftest.py"
            if candidate.is_file() and candidate.resolve() != source.path:
                parsed = self.load(candidate)
                if isinstance(parsed, ParsedFile):
                    found.append(parsed.module)
            if folder == self.root:
                break
            folder = folder.parent
        return found
