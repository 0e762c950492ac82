"""The README's Layout section matches the tree (issue #15): every module of the package's top
level, of engine/ and of heal/ is named there, and every module it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "pytest_irl"
LISTED_IN_FULL = ("", "engine", "heal")  # the other subpackages are described as a whole


def layout_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    return section.split("```", 2)[1]


def named_modules(block: str) -> set[str]:
    """``folder/module.py`` for each module the block lists (an entry's first column, before its
    description), by the folder it is listed under; continuation lines are description."""
    names: set[str] = set()
    folder = ""
    for line in block.splitlines():
        indent = len(line) - len(line.lstrip())
        if indent not in (2, 4):
            continue
        head = re.split(r"\s{2,}", line.strip())[0]
        if indent == 2:
            folder = head.rstrip("/") if head.endswith("/") else ""
        for name in re.findall(r"\b([a-z_]+\.py)\b", head):
            names.add(f"{folder}/{name}" if indent == 4 and folder else name)
    return names


def test_the_layout_names_every_module_and_only_modules_that_exist() -> None:
    named = named_modules(layout_block())
    on_disk = {
        (f"{sub}/{p.name}" if sub else p.name)
        for sub in LISTED_IN_FULL
        for p in (PACKAGE / sub).glob("*.py")
        if p.name != "__init__.py"
    }
    assert on_disk - named == set(), "not in the README's Layout"
    gone = {n for n in named if n.split("/")[0] in LISTED_IN_FULL[1:] or "/" not in n} - on_disk
    assert gone == set(), "named in the Layout, not in the tree"


def test_the_reader_sees_folders() -> None:
    block = ("x/\n  a.py   top, not f.py\n  engine/   e\n    b.py   in engine\n                 g.py said\n"
             "  heal/\n    c.py, d.py  two\n  e.py\n")
    assert named_modules(block) == {"a.py", "engine/b.py", "heal/c.py", "heal/d.py", "e.py"}
