"""`irl fix`: rewriting test sources with the locators that healing suggested, where they are defined.

A heal is recorded against its call site; the locator there is followed back to where its broken
part is written (a literal at the call site, a module or class constant, an attribute set in a
page object's ``__init__``, a default argument, a fixture's or helper's return) and rewritten
there, once, with libcst so that formatting, comments and quotes survive. Arguments that vary
between calls are kept as written; anything uncertain is skipped with a reason rather than
guessed: a wrong rewrite of a test is worse than none. Pure: no Playwright, no pytest.
"""

from __future__ import annotations

from .model import Disagreement, FilePlan, Fix, Outcome, Plan, file_sha256
from .output import skipped_report, unified_diff, write
from .planner import plan

__all__ = [
    "Disagreement", "FilePlan", "Fix", "Outcome", "Plan", "file_sha256", "plan", "skipped_report",
    "unified_diff", "write",
]
