"""Reading one module's syntax: the names a scope binds, what a function returns, literals."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst

from .values import Static

FIXTURE_DECORATORS = frozenset({"fixture", "pytest.fixture"})


@dataclass
class Bindings:
    """How one name is bound in one scope: the values assigned, and any other kind of binding."""

    values: list[cst.BaseExpression] = field(default_factory=list)
    loop: bool = False
    # ``from MODULE import NAME``: (relative level, MODULE, NAME), each time the name is imported.
    imported: list[tuple[int, str, str]] = field(default_factory=list)
    other: bool = False


def dotted(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        inner = dotted(node.value)
        return None if inner is None else f"{inner}.{node.attr.value}"
    return None


class _BindingCollector(cst.CSTVisitor):
    """The names bound directly in one scope's body (nested functions and classes are their own)."""

    def __init__(self, root: cst.CSTNode) -> None:
        self.root = root
        self.names: dict[str, Bindings] = {}

    def _get(self, name: str) -> Bindings:
        return self.names.setdefault(name, Bindings())

    def _mark(
        self, target: cst.BaseExpression, *, loop: bool = False, value: cst.BaseExpression | None = None
    ) -> None:
        if isinstance(target, cst.Name):
            bound = self._get(target.value)
            if loop:
                bound.loop = True
            elif value is not None:
                bound.values.append(value)
            else:
                bound.other = True
        elif isinstance(target, cst.Tuple | cst.List):
            for element in target.elements:
                self._mark(element.value, loop=loop)
        elif isinstance(target, cst.StarredElement):
            self._mark(target.value, loop=loop)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if node is not self.root:
            self._get(node.name.value).other = True
            return False
        return True

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        if node is not self.root:
            self._get(node.name.value).other = True
            return False
        return True

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        single = len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name)
        for target in node.targets:
            self._mark(target.target, value=node.value if single else None)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._mark(node.target, value=node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._mark(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._mark(node.target, loop=True)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._mark(node.target, loop=True)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._mark(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        if isinstance(node.name, cst.BaseExpression):
            self._mark(node.name)

    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            bound = alias.asname.name if alias.asname else alias.name
            name = dotted(bound) if isinstance(bound, cst.Name | cst.Attribute) else None
            if name:
                self._get(name.split(".")[0]).other = True
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        module = dotted(node.module) if node.module is not None else ""
        if isinstance(node.names, cst.ImportStar) or module is None:
            return False
        for alias in node.names:
            bound = alias.asname.name if alias.asname else alias.name
            if isinstance(bound, cst.Name) and isinstance(alias.name, cst.Name):
                self._get(bound.value).imported.append((len(node.relative), module, alias.name.value))
        return False

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self._get(item.name.value).other = True

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        for item in node.names:
            self._get(item.name.value).other = True


def bindings(scope: cst.CSTNode) -> dict[str, Bindings]:
    collector = _BindingCollector(scope)
    scope.visit(collector)
    return collector.names


def params(fn: cst.FunctionDef) -> list[cst.Param]:
    p = fn.params
    found = [*p.posonly_params, *p.params, *p.kwonly_params]
    for star in (p.star_arg, p.star_kwarg):
        if isinstance(star, cst.Param):
            found.append(star)
    return found


def returned(fn: cst.FunctionDef) -> list[cst.BaseExpression | None]:
    """The expressions ``fn`` returns (or, for a generator fixture, yields), nested scopes aside."""

    class Returns(cst.CSTVisitor):
        def __init__(self) -> None:
            self.found: list[cst.BaseExpression | None] = []

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is fn

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

        def visit_Return(self, node: cst.Return) -> None:
            self.found.append(node.value)

        def visit_Yield(self, node: cst.Yield) -> None:
            value = node.value
            self.found.append(value if isinstance(value, cst.BaseExpression) else None)

    visitor = Returns()
    fn.visit(visitor)
    return visitor.found


def is_fixture(fn: cst.FunctionDef) -> bool:
    for decorator in fn.decorators:
        target = decorator.decorator
        if isinstance(target, cst.Call):
            target = target.func
        if dotted(target) in FIXTURE_DECORATORS:
            return True
    return False


def fstring_pattern(node: cst.FormattedString) -> tuple[re.Pattern[str], list[str]]:
    pieces, names = [], []
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            pieces.append(re.escape(part.value))
        elif isinstance(part, cst.FormattedStringExpression):
            pieces.append(".*")
            names.append(cst.Module([]).code_for_node(part.expression))
    return re.compile("".join(pieces), re.S), names


class SelfAssignments(cst.CSTVisitor):
    """``self.X = value`` in one method (nested functions aside), added to ``found``."""

    def __init__(
        self, method: cst.FunctionDef, me: str,
        found: dict[str, list[tuple[cst.BaseExpression | None, cst.FunctionDef]]],
    ) -> None:
        self.method, self.me, self.found = method, me, found

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return node is self.method

    def _target(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        if isinstance(target, cst.Attribute) and dotted(target.value) == self.me:
            self.found.setdefault(target.attr.value, []).append((value, self.method))

    def visit_Assign(self, node: cst.Assign) -> None:
        single = len(node.targets) == 1
        for target in node.targets:
            self._target(target.target, node.value if single else None)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._target(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target, None)


def literal(node: cst.BaseExpression) -> Static | None:
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        value = node.evaluated_value
        return Static(value, node) if isinstance(value, str) else None
    if isinstance(node, cst.Integer | cst.Float):
        return Static(node.evaluated_value, node)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = node.expression
        if isinstance(inner, cst.Integer | cst.Float):
            return Static(-inner.evaluated_value, node)
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return Static({"True": True, "False": False, "None": None}[node.value], node)
    return None


def is_static(fn: cst.FunctionDef) -> bool:
    return any(dotted(d.decorator) == "staticmethod" for d in fn.decorators)


def is_classmethod(fn: cst.FunctionDef) -> bool:
    return any(dotted(d.decorator) == "classmethod" for d in fn.decorators)


def code(node: cst.CSTNode) -> str:
    return " ".join(cst.Module([]).code_for_node(node).split())
