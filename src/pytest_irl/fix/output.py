"""Showing a plan (a unified diff, the skipped sites) and writing it."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from .model import Plan
from .project import BOM

_LINE_WITH_END = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


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


def skipped_report(plan: Plan) -> list[str]:
    """One line per skipped call site with its reason, then each disagreement with every
    suggestion and the call sites that made it."""
    lines = [f"skipped {o.fix.location}: {o.reason}" for o in plan.skipped]
    for disagreement in plan.disagreements:
        lines.append(f"disagreeing heals of {disagreement.definition}:")
        for after, sites in disagreement.suggestions:
            lines.append(f"  {after}  <- {', '.join(sites)}")
    return lines


def write(plan: Plan) -> list[Path]:
    """Write the changed files and return their paths.

    A file that changed on disk since it was planned is left alone (and not returned), so a
    stale plan never overwrites someone's edits.
    """
    written: list[Path] = []
    for file in plan.files:
        if not file.changed:
            continue
        prefix = BOM if file.bom else ""
        try:
            if file.path.read_bytes() != (prefix + file.old_text).encode("utf-8"):
                continue
        except OSError:
            continue
        file.path.write_bytes((prefix + file.new_text).encode("utf-8"))
        written.append(file.path)
    return written
