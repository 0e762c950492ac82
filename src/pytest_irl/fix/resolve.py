"""Following a locator expression back to where its parts are written (the source is read, never run).

A locator at a call site is often built elsewhere: ``board.tasks.filter(has_text=title)`` where
``board`` is a page object whose ``__init__`` set ``self.tasks = page.locator(TASKS)`` and
``TASKS`` is a module constant. :class:`Resolver` turns such an expression into a :class:`Chain`
of :class:`Segment` s, each holding its arguments as :class:`Static` (a value written once, with
the node it is written in) or :class:`Varying` (a value that can change between calls, and why).
Only what is certain is resolved; anything else is :class:`Unknown`, never a guess. With a
:class:`ModuleLoader`, ``from MODULE import NAME`` and fixtures of ``conftest.py`` files are
followed into the project's other files.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import libcst as cst

from .syntax import (
    Bindings,
    SelfAssignments,
    bindings,
    code,
    dotted,
    fstring_pattern,
    is_classmethod,
    is_fixture,
    is_static,
    literal,
    params,
    returned,
)
from .values import CHAIN_PROPERTIES, Chain, ClassRef, Instance, Segment, Static, Unknown, Value, Varying

__all__ = [
    "CHAIN_METHODS", "CHAIN_PROPERTIES", "ENTRY_METHODS", "Chain", "ClassRef", "Instance", "Resolver",
    "Segment", "Static", "Unknown", "Value", "Varying", "dotted",
]

# Calls that start a locator on a page; a chain must begin with one of them.
_GET_BY = ("role", "text", "label", "placeholder", "test_id", "alt_text", "title")
ENTRY_METHODS = frozenset({"locator", "frame_locator", *(f"get_by_{kind}" for kind in _GET_BY)})
CHAIN_METHODS = ENTRY_METHODS | {"nth", "filter", "and_", "or_"}
# Deeper than this, a definition is not followed (a cycle, or code too indirect to be sure of).
MAX_DEPTH = 24

Scope = cst.FunctionDef | cst.ClassDef | cst.Module


class ModuleLoader(Protocol):
    """The project's other files, parsed on demand (their nodes' parents added to the shared map)."""

    def imported(self, importer: cst.Module, level: int, module: str) -> cst.Module | None: ...

    def conftests(self, module: cst.Module) -> list[cst.Module]: ...


@dataclass(frozen=True)
class _Tables:
    classes: dict[str, cst.ClassDef]
    functions: dict[str, cst.FunctionDef]


class Resolver:
    """Resolves expressions of parsed modules; ``parents`` maps each node of them to its parent."""

    def __init__(self, parents: dict[cst.CSTNode, cst.CSTNode], loader: ModuleLoader | None = None) -> None:
        self.parents = parents
        self.loader = loader
        self._bindings: dict[int, dict[str, Bindings]] = {}
        self._self_attrs: dict[int, dict[str, list[tuple[cst.BaseExpression | None, cst.FunctionDef]]]] = {}
        self._tables: dict[int, _Tables] = {}

    # scopes ---------------------------------------------------------------------------------
    def scope_of(self, node: cst.CSTNode) -> Scope:
        current = self.parents.get(node)
        while current is not None:
            if isinstance(current, cst.FunctionDef | cst.ClassDef | cst.Module):
                return current
            current = self.parents.get(current)
        assert isinstance(node, cst.Module), "a node of a module the resolver was not given"
        return node

    def module_of(self, node: cst.CSTNode) -> cst.Module:
        scope = self.scope_of(node)
        while not isinstance(scope, cst.Module):
            scope = self.scope_of(scope)
        return scope

    def tables(self, module: cst.Module) -> _Tables:
        if id(module) not in self._tables:
            self._tables[id(module)] = _Tables(
                {s.name.value: s for s in module.body if isinstance(s, cst.ClassDef)},
                {s.name.value: s for s in module.body if isinstance(s, cst.FunctionDef)},
            )
        return self._tables[id(module)]

    def _names(self, scope: Scope) -> dict[str, Bindings]:
        if id(scope) not in self._bindings:
            self._bindings[id(scope)] = bindings(scope)
        return self._bindings[id(scope)]

    def _class_of_method(self, fn: cst.FunctionDef) -> cst.ClassDef | None:
        scope = self.scope_of(fn)
        return scope if isinstance(scope, cst.ClassDef) else None

    # values ---------------------------------------------------------------------------------
    def value(self, node: cst.BaseExpression, depth: int = 0) -> Value:
        if depth > MAX_DEPTH:
            return Unknown("defined too indirectly to follow")
        scope = self.scope_of(node)
        written = literal(node)
        if written is not None:
            return written
        if isinstance(node, cst.FormattedString):
            pattern, names = fstring_pattern(node)
            shown = ", ".join(f"`{n}`" for n in names)
            return Varying(f"an f-string with placeholder {shown}", pattern)
        if isinstance(node, cst.Name):
            return self._name(node.value, scope, depth)
        if isinstance(node, cst.Attribute):
            return self._attribute(node, depth)
        if isinstance(node, cst.Call):
            return self._call(node, depth)
        return Unknown(f"`{code(node)}` is not a value written in the source")

    def _name(self, name: str, scope: Scope, depth: int) -> Value:
        if isinstance(scope, cst.FunctionDef):
            bound = self._names(scope).get(name)
            if bound is not None:
                return self._bound(name, bound, depth, scope)
            for index, param in enumerate(params(scope)):
                if param.name.value == name:
                    return self._param(scope, index, param, depth)
            return self._name(name, self.scope_of(scope), depth)
        if isinstance(scope, cst.ClassDef):
            bound = self._names(scope).get(name)
            if bound is not None:
                return self._bound(name, bound, depth, scope)
            return self._name(name, self.scope_of(scope), depth)
        tables = self.tables(scope)
        if name in tables.classes:
            return ClassRef(tables.classes[name])
        if name in tables.functions:
            return Unknown(f"`{name}` is a function")
        bound = self._names(scope).get(name)
        if bound is None:
            return Unknown(f"`{name}` is not defined in this file")
        return self._bound(name, bound, depth, scope)

    def _bound(self, name: str, bound: Bindings, depth: int, scope: Scope) -> Value:
        if bound.loop:
            return Varying(f"`{name}` is a loop variable")
        if bound.imported and not (bound.values or bound.other) and len(bound.imported) == 1:
            return self._imported(name, *bound.imported[0], depth, self.module_of(scope))
        if bound.other or len(bound.values) + len(bound.imported) != 1:
            return Varying(f"`{name}` is assigned in more than one place")
        return self.value(bound.values[0], depth + 1)

    def _imported(self, name: str, level: int, module: str, original: str, depth: int,
                  importer: cst.Module) -> Value:
        found = self.loader.imported(importer, level, module) if self.loader is not None else None
        if found is None:
            shown = "." * level + module
            return Unknown(f"`{name}` is imported from `{shown}`, which is not a file of the project")
        return self._name(original, found, depth + 1)

    def _param(self, fn: cst.FunctionDef, index: int, param: cst.Param, depth: int) -> Value:
        name = param.name.value
        owner = self._class_of_method(fn)
        if index == 0 and owner is not None and not is_static(fn):
            return Instance(owner) if name == "self" or not is_classmethod(fn) else ClassRef(owner)
        fixture = self._fixture(name, self.module_of(fn))
        if fixture is not None and fixture is not fn:
            return self._returns_of(fixture, f"fixture `{name}`", depth)
        annotation = param.annotation.annotation if param.annotation is not None else None
        if isinstance(annotation, cst.Name):
            annotated = self._name(annotation.value, self.scope_of(fn), depth + 1)
            if isinstance(annotated, ClassRef):
                return Instance(annotated.cls)
        if param.default is not None:
            # A default argument is written once; whether a caller overrides it is checked by the
            # fix against the recorded selector, which names the value that was used.
            return self.value(param.default, depth + 1)
        return Varying(f"`{name}` is a parameter")

    def _fixture(self, name: str, module: cst.Module) -> cst.FunctionDef | None:
        """The fixture ``name`` of a test module: its own, else the nearest ``conftest.py``'s."""
        conftests = self.loader.conftests(module) if self.loader is not None else []
        for candidate in (module, *conftests):
            fixture = self.tables(candidate).functions.get(name)
            if fixture is not None and is_fixture(fixture):
                return fixture
        return None

    def _returns_of(self, fn: cst.FunctionDef, what: str, depth: int) -> Value:
        values = [r for r in returned(fn) if r is not None]
        if len(values) != 1:
            return Unknown(f"{what} does not return one expression")
        return self.value(values[0], depth + 1)

    def _attribute(self, node: cst.Attribute, depth: int) -> Value:
        attr = node.attr.value
        base = self.value(node.value, depth + 1)
        if isinstance(base, Chain) and attr in CHAIN_PROPERTIES:
            return Chain(base.root, (*base.segments, Segment(attr, (), (), node, node.value)))
        if isinstance(base, Instance | ClassRef):
            return self._member(base.cls, attr, isinstance(base, Instance), depth)
        return Unknown(f"`{code(node)}` cannot be followed")

    def _member(self, cls: cst.ClassDef, attr: str, on_instance: bool, depth: int) -> Value:
        for klass in self._mro(cls):
            found = self._own_member(klass, attr, on_instance, depth)
            if found is not None:
                return found
        return Unknown(f"`{cls.name.value}.{attr}` is not defined where it can be followed")

    def _mro(self, cls: cst.ClassDef) -> Iterator[cst.ClassDef]:
        seen: set[int] = set()
        queue = [cls]
        while queue:
            klass = queue.pop(0)
            if id(klass) in seen:
                continue
            seen.add(id(klass))
            yield klass
            for base in klass.bases:
                if isinstance(base.value, cst.Name):
                    found = self._name(base.value.value, self.scope_of(klass), 0)
                    if isinstance(found, ClassRef):
                        queue.append(found.cls)

    def _own_member(self, cls: cst.ClassDef, attr: str, on_instance: bool, depth: int) -> Value | None:
        body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
        for statement in body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value == attr:
                if any(dotted(d.decorator) in ("property", "functools.cached_property", "cached_property")
                       for d in statement.decorators):
                    return self._returns_of(statement, f"property `{attr}`", depth)
                return Unknown(f"`{attr}` is a method")
        assigned = self._self_assignments(cls).get(attr, []) if on_instance else []
        in_class = self._names(cls).get(attr)
        if assigned and in_class is not None:
            return Varying(f"`{attr}` is set on the class and in `{assigned[0][1].name.value}`")
        if in_class is not None:
            return self._bound(attr, in_class, depth, cls)
        if len(assigned) > 1:
            return Varying(f"`self.{attr}` is assigned in more than one place")
        if assigned:
            value = assigned[0][0]
            if value is None:
                return Varying(f"`self.{attr}` is not assigned one value")
            return self.value(value, depth + 1)
        return None

    def _self_assignments(
        self, cls: cst.ClassDef
    ) -> dict[str, list[tuple[cst.BaseExpression | None, cst.FunctionDef]]]:
        """``self.X = ...`` in the methods of ``cls``: X -> (value, or None when not one value; method)."""
        if id(cls) in self._self_attrs:
            return self._self_attrs[id(cls)]
        found: dict[str, list[tuple[cst.BaseExpression | None, cst.FunctionDef]]] = {}
        body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
        for method in body:
            taken = params(method) if isinstance(method, cst.FunctionDef) else []
            if isinstance(method, cst.FunctionDef) and taken and not is_static(method):
                method.visit(SelfAssignments(method, taken[0].name.value, found))
        self._self_attrs[id(cls)] = found
        return found

    def _call(self, node: cst.Call, depth: int) -> Value:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in CHAIN_METHODS:
            method = func.attr.value
            receiver = self.value(func.value, depth + 1)
            segment = self._segment(method, node, func.value, depth)
            if isinstance(segment, Unknown):
                return segment
            if isinstance(receiver, Chain):
                return Chain(receiver.root, (*receiver.segments, segment))
            if method in ENTRY_METHODS and not isinstance(receiver, Instance | ClassRef):
                return Chain(func.value, (segment,))
            return Unknown(f"`{code(func.value)}` is not a page or a locator")
        target = self.value(func, depth + 1) if isinstance(func, cst.Name | cst.Attribute) else None
        if isinstance(target, ClassRef):
            return Instance(target.cls)
        if isinstance(func, cst.Name) and isinstance(target, Unknown):
            helper = self._function(func.value, self.scope_of(node), depth)
            if helper is not None and not is_fixture(helper):
                return self._returns_of(helper, f"`{func.value}()`", depth)
        if isinstance(func, cst.Attribute):
            owner = self.value(func.value, depth + 1)
            if isinstance(owner, Instance):
                for klass in self._mro(owner.cls):
                    body = klass.body.body if isinstance(klass.body, cst.IndentedBlock) else ()
                    for statement in body:
                        if isinstance(statement, cst.FunctionDef) and statement.name.value == func.attr.value:
                            return self._returns_of(statement, f"`{func.attr.value}()`", depth)
        return Unknown(f"`{code(func)}(...)` cannot be followed")

    def _function(self, name: str, scope: Scope, depth: int) -> cst.FunctionDef | None:
        """The module-level function ``name`` seen from ``scope`` (its module's, or imported)."""
        module = self.module_of(scope)
        local = self._names(scope).get(name) if not isinstance(scope, cst.Module) else None
        if local is not None:
            return None  # a local name shadows it
        found = self.tables(module).functions.get(name)
        if found is not None:
            return found
        bound = self._names(module).get(name)
        if bound is not None and len(bound.imported) == 1 and not (bound.values or bound.other):
            level, source, original = bound.imported[0]
            target = self.loader.imported(module, level, source) if self.loader is not None else None
            if target is not None and depth < MAX_DEPTH:
                return self._function(original, target, depth + 1)
        return None

    def _segment(
        self, method: str, node: cst.Call, receiver: cst.BaseExpression, depth: int
    ) -> Segment | Unknown:
        args: list[Value] = []
        kwargs: list[tuple[str, Value]] = []
        for arg in node.args:
            if arg.star:
                return Unknown(f"`{code(node)}` passes arguments with `{arg.star}`")
            value = self.value(arg.value, depth + 1)
            if arg.keyword is None:
                args.append(value)
            else:
                kwargs.append((arg.keyword.value, value))
        return Segment(method, tuple(args), tuple(kwargs), node, receiver)
