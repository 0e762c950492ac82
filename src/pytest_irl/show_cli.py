"""``irl show RUN``: the steps of one run, heals and refusals marked; ``--trace`` opens its trace."""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path
from typing import Any

from .cli import _clean, _ms, _table


def cmd_show(args: argparse.Namespace, db: Any) -> int:
    run = db.get_test_run(args.run_id) if _is_uuid(args.run_id) else None
    if run is None:
        matches = db.find_runs(args.run_id)
        if len(matches) != 1:
            print(f"irl: {'no run' if not matches else 'more than one run'} matches {args.run_id!r}",
                  file=sys.stderr)
            return 1
        run = db.get_test_run(matches[0])
    if args.trace:
        return open_trace(run.trace_path)
    print(f"{_clean(run.nodeid)}  [{run.status}]  attempt {run.attempt}  {_ms(run.duration_ms)}")
    print(f"run {run.id}  session {run.session_id}  browser {run.browser or '-'}")
    if run.stream_url:
        print(f"stream {run.stream_url}")
    if run.trace_path:
        print(f"trace {_clean(run.trace_path)}  (irl show {str(run.id)[:8]} --trace opens it)")
    rows = []
    for step in run.steps:
        mark = "ok" if step.success else "FAIL"
        if step.self_healing is not None:
            mark += " HEALED"
        value = "" if step.value is None else f" = {_clean(step.value, 40)}"
        rows.append([str(step.step_number), step.action, _clean((step.selector or "") + value, 70), mark,
                     _ms(step.duration_ms), str(len(step.attempts))])
        if step.self_healing is not None:
            heal = step.self_healing
            change = f"  {heal.strategy}: {heal.original_selector} -> {heal.healed_selector}"
            if heal.review:
                change += f"  ({heal.review.get('verdict')} in review)"
            rows.append(["", "", _clean(change, 70), "", "", ""])
        if step.heal_refused:
            note = step.heal_refused.get("note", "heal refused")
            rows.append(["", "", _clean(f"  {note}", 90), "", "", ""])
        if step.error:
            rows.append(["", "", _clean("  " + step.error.splitlines()[0], 70), "", "", ""])
    print(_table(rows, ["#", "ACTION", "TARGET", "RESULT", "TIME", "TRIES"]))
    if run.error:
        print("\n" + run.error.strip().splitlines()[-1])
    return 0


def show_trace_command(path: str) -> list[str]:
    """Playwright's own trace viewer, from the Playwright this Python has (no PATH needed)."""
    return [sys.executable, "-m", "playwright", "show-trace", path]


def open_trace(path: str | None) -> int:
    if not path:
        print("irl: show: this run has no trace (pytest-playwright's --tracing on|retain-on-failure"
              " keeps one)", file=sys.stderr)
        return 1
    if not Path(path).is_file():
        print(f"irl: show: the trace {_clean(path)} is gone (it is kept where the run was)", file=sys.stderr)
        return 1
    import subprocess

    return subprocess.run(show_trace_command(path), check=False).returncode


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
