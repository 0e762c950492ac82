"""The engine's imports go one way (issue #15): the wrappers (proxy, actions, assertions) use the
engine, the engine uses the healing core, and nothing imports back up. Read from the source with
``ast`` (every import statement, at any depth, ``TYPE_CHECKING`` ones included), so a circle
cannot hide behind an import inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "pytest_irl"
ENGINE = "pytest_irl.engine"


def in_engine(module: str) -> bool:
    return module == ENGINE or module.startswith(ENGINE + ".")  # not engine_loader, its caller's helper

# What the engine may use outside itself: the pure core, the Playwright adapter, and the plain
# data and redaction modules below everything.
ENGINE_MAY_USE = ("pytest_irl.heal", "pytest_irl.pw", "pytest_irl.models", "pytest_irl.redact",
                  "pytest_irl.reviews")
# The wrappers and the pytest shell: the step runner's callers, with the engine below them.
WRAPPERS = ("pytest_irl.proxy", "pytest_irl.actions", "pytest_irl.assertions", "pytest_irl.events",
            "pytest_irl.wrapping", "pytest_irl.recording", "pytest_irl.fixtures")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".")
    is_package = MODULES[module].name == "__init__.py"
    base = package[: len(package) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str) -> list[tuple[str, int, bool]]:
    """(imported module of this package, line, whether at the module's top level) for each import."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    top = {id(n) for n in tree.body}
    found: list[tuple[str, int, bool]] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, node)
            # ``from . import x``: the submodule x when there is one, else the package itself.
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        for name in names:
            if name.split(".")[0] == "pytest_irl" and name in MODULES and name != module:
                found.append((name, node.lineno, id(node) in top))
    return found


def graph(modules: list[str]) -> dict[str, set[str]]:
    chosen = set(modules)
    return {m: {n for n, _, _ in imports_of(m) if n in chosen} for m in modules}


def cycle_in(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``edges`` (as the modules along it), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_the_engine_modules_do_not_import_each_other_in_a_circle() -> None:
    engine = [m for m in MODULES if in_engine(m)]
    assert len(engine) > 10
    assert cycle_in(graph(engine)) is None, " -> ".join(cycle_in(graph(engine)) or [])


def test_the_wrappers_and_the_engine_together_have_no_circle() -> None:
    modules = [m for m in MODULES if m.startswith((ENGINE, *WRAPPERS))]
    found = cycle_in(graph(modules))
    assert found is None, " -> ".join(found or [])


def test_the_engine_imports_nothing_above_it() -> None:
    wrong = [
        f"{m}:{line} imports {name}"
        for m in MODULES if in_engine(m)
        for name, line, _ in imports_of(m)
        if not name.startswith((ENGINE, *ENGINE_MAY_USE))
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_of_the_package_hides_inside_a_function() -> None:
    """In the engine and the wrappers, every import of the package is at the top of its module
    (an import inside a function is how the old circle was hidden). The recording plugin's
    imports wait on purpose: the store's for the store's thread (psycopg is loaded there), the
    engine's for the thread that imports it while the browser starts (engine_loader.py)."""
    hidden = [
        f"{m}:{line} imports {name}"
        for m in MODULES if (in_engine(m) or m.startswith(WRAPPERS)) and m != "pytest_irl.recording"
        for name, line, at_top in imports_of(m) if not at_top
    ]
    assert not hidden, "\n".join(hidden)


def test_the_graph_sees_the_engine_imports() -> None:
    edges = graph([m for m in MODULES if in_engine(m)])
    assert {"pytest_irl.engine.runner", "pytest_irl.engine.healing"} <= edges["pytest_irl.engine.layer"]
    assert "pytest_irl.engine.layer" in graph(list(MODULES))["pytest_irl.proxy"]


def test_the_check_finds_a_circle() -> None:
    assert cycle_in({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle_in({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


HEAL = "pytest_irl.heal"


def test_the_pure_core_has_no_circle_and_no_hidden_import() -> None:
    """heal/ is read bottom-up (fingerprint, similarity, identity, score, then the decision): no
    circle among its modules, none hidden inside a function, and nothing of the package above it
    (no browser, no pytest, no engine)."""
    core = [m for m in MODULES if m.startswith(HEAL)]
    assert len(core) > 15
    found = cycle_in(graph(core))
    assert found is None, " -> ".join(found or [])
    problems = [
        f"{m}:{line} imports {name}" + ("" if at_top else " inside a function")
        for m in core
        for name, line, at_top in imports_of(m)
        if not name.startswith(HEAL) or not at_top
    ]
    assert not problems, "\n".join(problems)
