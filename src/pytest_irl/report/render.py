"""One self-contained HTML page from a ``model.Report``: inline CSS and JS, no request of any kind.

The page is a shell; the report's data is embedded once as JSON (``<script type="application/json">``,
never executed) and ``report.js`` builds the list of tests from it, and a test's runs and steps
only when the test is opened: a session of 500 tests and 20,000 steps opens at once. Every
string reaches the page as text (``textContent``), never as markup, and a Content-Security-Policy
allows only this page's own script and style (by hash) and ``data:`` images: no network request,
no inline handler, no other script can run. ``render`` is a pure function of the report, so a
server can call it per request.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import shlex
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .model import Heal, Report, Run, Shot, Step, Test


@cache
def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _time(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if isinstance(value, datetime) else None


# the embedded data: short keys, absent when empty (20,000 steps are most of a report's bytes) ---
def _compact(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if not (v is None or v is False or v == "" or v == [])}


def _shot(shot: Shot | None) -> dict[str, Any] | None:
    if shot is None:
        return None
    return _compact({"src": shot.data_uri, "w": shot.width, "h": shot.height, "box": shot.box,
                     "kind": shot.kind, "omitted": shot.data_uri is None})


def _heal(heal: Heal) -> dict[str, Any]:
    return _compact({
        "kind": heal.kind, "strategy": heal.strategy, "from": heal.original_python,
        "fromSel": heal.original_selector, "to": heal.healed_python, "toSel": heal.healed_selector,
        "conf": heal.confidence, "note": heal.note,
        "cands": [_compact({"py": c.python, "sel": c.selector, "score": c.score}) for c in heal.candidates],
        "changes": [asdict(c) for c in heal.changes],
    })


def _step(step: Step) -> dict[str, Any]:
    value = step.value if step.value is None or isinstance(step.value, str) else json.dumps(step.value)
    return _compact({
        "n": step.number, "a": step.action, "py": step.python, "fail": not step.success,
        "ms": round(step.duration_ms, 1) or None, "url": step.url, "loc": step.location, "v": value,
        "err": step.error, "heals": [_heal(h) for h in step.heals], "shot": _shot(step.shot),
    })


def file_href(run: Run) -> str | None:
    """The link to a run's trace from a report opened from disk: a ``file:`` URL (traces.py
    records absolute paths); a relative path stays relative to the report, quoted so that no
    character of it can make a scheme, a query or markup of it."""
    if not run.trace_path:
        return None
    path = Path(run.trace_path)
    return path.as_uri() if path.is_absolute() else "./" + quote(path.as_posix())


TraceHref = Callable[[Run], str | None]


def _run(run: Run, trace_href: TraceHref) -> dict[str, Any]:
    trace = run.trace_path
    return _compact({
        "id": run.id, "status": run.status, "attempt": run.attempt, "flaky": run.flaky,
        "started": _time(run.started_at), "ms": run.duration_ms, "error": run.error,
        "shot": _shot(run.failure_shot), "steps": [_step(s) for s in run.steps],
        # Playwright's own viewer opens it; the command is shown to copy, quoted for a shell.
        "trace": trace, "traceHref": trace_href(run) if trace else None,
        "traceCmd": f"playwright show-trace {shlex.quote(trace)}" if trace else None,
    })


def _test(test: Test, trace_href: TraceHref) -> dict[str, Any]:
    flags = [name for name, on in (("failed", test.failed), ("healed", test.healed), ("flaky", test.flaky),
                                   ("refused", test.refused)) if on]
    return _compact({
        "id": test.nodeid, "status": test.status, "flags": flags, "healed": test.healed,
        "refused": test.refused, "ms": sum(r.duration_ms or 0.0 for r in test.runs) or None,
        "runs": [_run(r, trace_href) for r in test.runs],
    })


def report_data(report: Report, trace_href: TraceHref = file_href) -> dict[str, Any]:
    """The report as the JSON the page reads (what ``report.js`` expects). ``trace_href`` makes
    the link to a run's trace (``irl serve`` links its own download of it)."""
    return {
        "generated": _time(report.generated_at),
        "shotsLeftOut": report.shots_left_out,
        "sessions": [
            _compact({
                "id": s.id, "started": _time(s.started_at), "finished": _time(s.finished_at),
                "status": s.status, "exit": s.exit_status, "host": s.host, "args": s.args,
                "tests": [_test(t, trace_href) for t in s.tests],
            })
            for s in report.sessions
        ],
    }


def _embedded_json(data: dict[str, Any]) -> str:
    # Inside <script>, only "</script" or "<!--" could end or change the element: no "<" at all.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render(report: Report, *, title: str = "pytest-irl report", trace_href: TraceHref = file_href) -> str:
    """The whole HTML page of ``report``."""
    css, js = _asset("report.css"), _asset("report.js")
    data = _embedded_json(report_data(report, trace_href))
    policy = "; ".join((
        "default-src 'none'", "img-src data:", f"style-src {_csp_hash(css)}", f"script-src {_csp_hash(js)}",
        "base-uri 'none'", "form-action 'none'",
    ))
    return "".join((
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n",
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{html.escape(policy, quote=False)}\">\n",
        "<meta name=\"referrer\" content=\"no-referrer\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        f"<title>{html.escape(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n",
        f"<header><h1>{html.escape(title)}</h1><p id=\"meta\"></p></header>\n",
        "<nav id=\"controls\" aria-label=\"Filters\"></nav>\n<main id=\"sessions\"></main>\n",
        "<noscript>This report builds its list with JavaScript; allow scripts for this file.</noscript>\n",
        f"<script type=\"application/json\" id=\"irl-data\">{data}</script>\n",
        f"<script>{js}</script>\n</body></html>\n",
    ))
