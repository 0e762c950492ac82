"""Where pytest-playwright kept a test's trace (``--tracing on|retain-on-failure``).

Nothing of Playwright's tracing is done here: pytest-playwright starts and stops the trace and
moves it into the test's output folder (``--output``, one folder per test) when it decides to keep
it. This only finds the file afterwards, at the test's teardown report, which every release makes
after its fixture teardown has kept or dropped the trace:

- releases that attach their artifacts to the teardown report name it in the report's user
  properties (``playwright_trace``, relative to where pytest was started);
- otherwise the test's folder is looked in for ``trace.zip`` (or ``trace-1.zip``... with several
  browser contexts): the folder is pytest-playwright's ``output_path`` fixture where it has one
  (0.6 and later), else what its own ``_build_artifact_test_folder`` helper names (0.5).

A file older than the test's start is another run's and is not this run's trace; so is one that
was already in the folder when the test's fixtures were up (``traces_in``, compared by inode and
modification time): an earlier attempt of a rerun test wrote it less than a second before this
attempt started, within the slack a coarse file clock needs.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

_PROPERTY = "playwright_trace"
TRACE_FILE = re.compile(r"^trace(-(\d+))?\.zip$")


def tracing_on(config: Any) -> bool:
    """Whether pytest-playwright may keep traces in this session."""
    try:
        return config.getoption("--tracing") in ("on", "retain-on-failure")
    except (ValueError, AttributeError):
        return False  # pytest-playwright is not installed (or too old to trace)


def test_folder(item: Any) -> Path | None:
    """The folder pytest-playwright writes ``item``'s artifacts into, while the test runs (the
    ``output_path`` fixture's value is gone once its teardown has run)."""
    funcargs = getattr(item, "funcargs", None) or {}
    folder = funcargs.get("output_path")
    if not isinstance(folder, str):
        folder = _folder_from_fixture(item)
    if not isinstance(folder, str):
        folder = _folder_from_helper(item)
    if not folder:
        return None
    return Path(folder).absolute()  # as pytest-playwright resolves it: against the current folder


def _folder_from_fixture(item: Any) -> str | None:
    """The ``output_path`` fixture's value where ``item.funcargs`` does not hold it: asked of the
    test's fixture request while its fixtures are up, it is the value already made
    (pytest-playwright's context depends on it)."""
    # Not looked up in ``item.fixturenames``: pytest computes that closure from the overriding
    # definition only (``--irl``'s page), so the fixtures pytest-playwright's page pulls in
    # dynamically are not named there. The fixture only computes a path.
    request = getattr(item, "_request", None)
    try:
        value = request.getfixturevalue("output_path") if request else None
    except Exception:
        return None
    return value if isinstance(value, str) else None


def _folder_from_helper(item: Any) -> str | None:
    """pytest-playwright 0.5 has no ``output_path`` fixture: its module-level helper names the
    folder (given an empty file name, the folder itself)."""
    try:
        from pytest_playwright import pytest_playwright as plugin
    except ImportError:
        return None
    helper = getattr(plugin, "_build_artifact_test_folder", None)
    if helper is None:
        return None
    try:
        return str(helper(item.config, SimpleNamespace(node=item), "")).rstrip("/\\") or None
    except Exception:
        return None


Seen = frozenset[tuple[str, int, int]]


def traces_in(folder: Path | None) -> Seen:
    """The trace files in ``folder`` now: name, inode and modification time of each."""
    seen = set()
    if folder is not None and folder.is_dir():
        for path in folder.iterdir():
            if TRACE_FILE.match(path.name):
                try:
                    stat = path.stat()
                except OSError:
                    continue
                seen.add((path.name, stat.st_ino, stat.st_mtime_ns))
    return frozenset(seen)


def kept_trace(
    item: Any, report: Any, folder: Path | None, since: float, before: Seen = frozenset(),
) -> str | None:
    """The absolute path of the trace pytest-playwright kept for this run of ``item``, else None.

    ``report`` is the teardown report; ``folder`` what ``test_folder`` said while the test ran;
    ``since`` the run's start (``time.time()``); ``before`` what ``traces_in`` found in the folder
    then (an earlier attempt's trace, unchanged, is not this run's)."""
    for name, value in getattr(report, "user_properties", ()):
        if name == _PROPERTY and isinstance(value, str):
            path = Path(value)
            if not path.is_absolute():
                path = Path(item.config.invocation_params.dir) / path
            return str(path)
    if folder is None or not folder.is_dir():
        return None
    found = []
    for path in folder.iterdir():
        match = TRACE_FILE.match(path.name)
        try:
            stat = path.stat()
        except OSError:
            continue
        fresh = (match is not None and stat.st_mtime >= since - 1.0  # coarse file clocks
                 and (path.name, stat.st_ino, stat.st_mtime_ns) not in before)
        if fresh and match is not None:
            found.append((int(match[2] or 0), path))
    return str(min(found)[1]) if found else None
