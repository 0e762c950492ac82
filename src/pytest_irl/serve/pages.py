"""The dashboard's pages, as HTML. Every value from the database goes through ``escape`` (a test
named ``<script>alert(1)</script>`` is shown as that text), a link is made only of an http(s) URL,
and the one script is static, allowed by its hash in the Content-Security-Policy. The token is
not written into the HTML: the script adds it to the page's own links and forms, as on the stream
page, so a copied page source does not carry it.
"""

from __future__ import annotations

import base64
import hashlib
import shlex
from collections.abc import Iterable
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

STYLE = """
body{margin:0;font:14px/1.45 system-ui,sans-serif;background:#fafafa;color:#222}
nav{background:#1d2733;padding:8px 14px;display:flex;gap:16px;align-items:baseline}
nav a{color:#cde;text-decoration:none}nav b{color:#fff}
main{padding:12px 16px}h1{font-size:17px;margin:6px 0 12px;word-break:break-all}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #e3e3e3;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f2f5;font-weight:600;font-size:12px;color:#555}
.mono{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
.st{padding:0 7px;border-radius:8px;font-size:12px;background:#ddd}
.passed{background:#cfeccf}.failed,.error,.interrupted{background:#f6cccc}.running{background:#cde3fb}
.healed{background:#fff0b8}.refused{background:#f3d9f7}.accepted{background:#cfeccf}.rejected{background:#f6cccc}
.meta{color:#777;font-size:12px}.err{color:#a11;white-space:pre-wrap;font-family:ui-monospace,monospace;font-size:12px}
form{display:inline}button{font:inherit;font-size:12px;padding:1px 8px;margin-right:4px;cursor:pointer}
"""

# Adds the token (from this page's own URL) to its links and forms: the HTML never contains it.
# A page of something still running (``<main data-refresh="S">``) fetches itself again every S
# seconds and swaps in its new <main>: no reload, so the scroll position and an open page stay,
# and the new <main> says whether to go on (a finished session's has no data-refresh). What is
# swapped in is this server's own escaped HTML, parsed inertly (DOMParser runs no script).
SCRIPT = r"""
(() => {
  const token = new URLSearchParams(location.search).get("token") || "";
  const withToken = (href) => {
    const url = new URL(href, location.href);
    url.searchParams.set("token", token);
    return url.pathname + url.search;
  };
  const addToken = (root) => {
    for (const a of root.querySelectorAll("a[href^='/']")) {
      a.href = withToken(a.getAttribute("href"));
    }
    for (const f of root.querySelectorAll("form[action^='/']")) {
      f.action = withToken(f.getAttribute("action"));
    }
  };
  addToken(document);
  const later = () => {
    const main = document.querySelector("main[data-refresh]");
    if (main) setTimeout(refresh, 1000 * Math.max(1, Number(main.dataset.refresh) || 5));
  };
  const refresh = async () => {
    try {
      const response = await fetch(location.href, { cache: "no-store", credentials: "same-origin" });
      if (response.ok) {
        const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
        const main = fresh.querySelector("main");
        if (main) {
          document.querySelector("main").replaceWith(document.adoptNode(main));
          addToken(document.querySelector("main"));
        }
      }
    } catch (error) {
      // The server is gone or busy for now: the next turn tries again.
    }
    later();
  };
  later();
})();
"""


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


CSP = (
    f"default-src 'none'; script-src {_hash(SCRIPT)}; style-src {_hash(STYLE)}; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

NAV = [("/", "Sessions"), ("/flaky", "Flaky tests"), ("/heals", "Healed locators")]


def page(title: str, body: str, *, refresh_s: int | None = None) -> str:
    """A whole page; with ``refresh_s`` (something still running) its script fetches it again
    every ``refresh_s`` seconds, and without scripts a <meta> refresh reloads it."""
    live, fallback = "", ""
    if refresh_s:
        live = f' data-refresh="{int(refresh_s)}"'
        fallback = f'<noscript><meta http-equiv="refresh" content="{int(refresh_s)}"></noscript>'
    links = " ".join(f'<a href="{href}">{name}</a>' for href, name in NAV)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="same-origin">{fallback}
<title>{escape(title)} · pytest-irl</title><style>{STYLE}</style></head>
<body><nav><b>pytest-irl</b> {links}</nav><main{live}><h1>{escape(title)}</h1>
{body}
</main><script>{SCRIPT}</script></body></html>
"""


def text(value: Any, empty: str = "–") -> str:
    return empty if value is None or value == "" else escape(str(value))


def when(value: datetime | None) -> str:
    return "–" if value is None else escape(f"{value:%Y-%m-%d %H:%M:%S}")


def ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def mono(value: Any, empty: str = "–") -> str:
    return f'<span class="mono">{text(value, empty)}</span>'


def badge(kind: str, label: str | None = None) -> str:
    return f'<span class="st {escape(kind)}">{escape(label or kind)}</span>'


def status(value: str | None) -> str:
    shown = value or "?"
    return f'<span class="st {escape(shown)}">{escape(shown)}</span>'


def external_link(url: str | None, label: str) -> str:
    """A link only for an http(s) URL; anything else (``javascript:``...) is shown as text."""
    if not url:
        return "–"
    if url.startswith(("http://", "https://")):
        return f'<a href="{escape(url)}" rel="noopener noreferrer" target="_blank">{escape(label)}</a>'
    return f'<span class="mono">{escape(url)}</span>'


def trace_link(run_id: Any, path: str | None) -> str:
    """A run's Playwright trace: this server's download of it (a browser does not follow a
    ``file:`` link from an http page), named by its path."""
    if not path:
        return "–"
    return (f'<a class="trace" href="/run/{quote(str(run_id))}/trace" title="{escape(path)}" download>'
            f'{escape(Path(path).name)}</a>')


def table(headers: Iterable[str], rows: list[list[str]], empty: str) -> str:
    """Cells are HTML already escaped by their makers; headers are constants."""
    if not rows:
        return f'<p class="meta">{escape(empty)}</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "\n".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"


def sessions_page(sessions: list[dict[str, Any]]) -> str:
    rows = []
    for s in sessions:
        sid = str(s["id"])
        finished = s["status"] if s["finished_at"] is None else f"exit {s['exit_status']}"
        rows.append([
            f'<a class="mono" href="/session/{quote(sid)}">{escape(sid[:8])}</a>', when(s["started_at"]),
            status(s["status"]) + f' <span class="meta">{escape(str(finished))}</span>',
            str(int(s["runs"])), str(int(s["passed"])), str(int(s["failed"])), text(s.get("host")),
        ])
    running = any(s["status"] == "running" for s in sessions)
    return page("Sessions", table(["SESSION", "STARTED", "STATUS", "RUNS", "PASSED", "FAILED", "HOST"], rows,
                                  "No recorded sessions."), refresh_s=10 if running else None)


def session_page(session: dict[str, Any], runs: list[dict[str, Any]]) -> str:
    rows = []
    for r in runs:
        rid = str(r["id"])
        live = external_link(r["stream_url"], "watch live") if r["status"] == "running" else "–"
        healed = int(r["healed_steps"] or 0)
        rows.append([
            f'<a href="/run/{quote(rid)}">{escape(r["nodeid"])}</a>',
            status(r["status"]) + (' <span class="st healed">flaky</span>' if r.get("flaky") else ""),
            str(int(r["attempt"])), ms(r["duration_ms"]), str(int(r["total_steps"] or 0)),
            f'<span class="st healed">{healed}</span>' if healed else "0", live,
            trace_link(rid, r.get("trace_path")),
        ])
    title = f"Session {session['id']}"
    sid = quote(str(session["id"]))
    meta = (f'<p class="meta">started {when(session["started_at"])} · {status(session["status"])} · '
            f'{text(session.get("host"))} · {text(session.get("rootdir"))} · '
            f'<a href="/session/{sid}/report">report view</a> (screenshots, filters, search)</p>')
    body = meta + table(["TEST", "STATUS", "TRY", "TIME", "STEPS", "HEALED", "LIVE", "TRACE"], rows,
                        "No runs recorded in this session.")
    return page(title, body, refresh_s=5 if session["status"] == "running" else None)


def run_page(run: Any) -> str:
    rows = []
    for step in run.steps:
        result = badge("passed", "ok") if step.success else badge("failed", "FAIL")
        detail = []
        heal = step.self_healing
        if heal is not None:
            result += " " + badge("healed")
            review = (heal.review or {}).get("verdict")
            if review:
                result += " " + badge(str(review))
            detail.append(f"{escape(heal.strategy)}: {mono(heal.original_selector)} → "
                          f"{mono(heal.suggested_locator or heal.healed_selector)} (score {text(heal.score)})"
                          f'<br><span class="meta">{escape(heal.note)}</span>')
        if step.heal_refused:
            result += " " + badge("refused")
            detail.append(f'<span class="meta">{text(step.heal_refused.get("note"))}</span>')
        if step.error:
            detail.append(f'<div class="err">{escape(step.error.splitlines()[0])}</div>')
        target = mono(step.selector, "") + "".join(f"<br>{d}" for d in detail)
        rows.append([str(step.step_number), escape(step.action), target, result, ms(step.duration_ms),
                     text(step.location)])
    meta = (f'<p class="meta">{status(run.status)} · attempt {int(run.attempt)} · {ms(run.duration_ms)} · '
            f'<a href="/session/{quote(str(run.session_id))}">session {escape(str(run.session_id)[:8])}</a>'
            + (f" · live: {external_link(run.stream_url, 'stream')}" if run.status == "running" else "")
            + "</p>" + (_trace_meta(run) if run.trace_path else ""))
    error = f'<div class="err">{escape(run.error.strip().splitlines()[-1])}</div>' if run.error else ""
    body = meta + error + table(["#", "ACTION", "TARGET", "RESULT", "TIME", "WHERE"], rows, "No steps.")
    return page(run.nodeid, body, refresh_s=2 if run.status == "running" else None)


def _trace_meta(run: Any) -> str:
    # The path as recorded, and the two ways to open it where it was recorded.
    command = f"playwright show-trace {shlex.quote(run.trace_path)}"
    return (f'<p class="meta">Playwright trace: {trace_link(run.id, run.trace_path)} · '
            f'{mono(run.trace_path)} · open it with {mono(command)} or '
            f'{mono(f"irl show {str(run.id)[:8]} --trace")}</p>')


def flaky_page(rows: list[dict[str, Any]], sessions: int) -> str:
    cells = [[escape(r["nodeid"]), str(int(r["flips"])), str(int(r["flaky_runs"])), str(int(r["passed"])),
              str(int(r["failed"])), str(int(r["sessions"])), status(r["last_status"]), when(r["last_seen"])]
             for r in rows]
    body = (f'<p class="meta">Tests whose outcome changed over the last {int(sessions)} session(s)'
            f' (<a href="/flaky?sessions=10">10</a>, <a href="/flaky?sessions=30">30</a>,'
            f' <a href="/flaky?sessions=100">100</a>), most flaky first.</p>')
    return page("Flaky tests", body + table(
        ["TEST", "FLIPS", "FLAKY RUNS", "PASSED", "FAILED", "SESSIONS", "LAST", "LAST SEEN"], cells,
        "No flaky tests in these sessions."))


def heals_page(heals: list[dict[str, Any]]) -> str:
    rows = []
    for h in heals:
        hid = h["heal_id"]
        verdict = h["verdict"]
        buttons = "".join(
            f'<form method="post" action="/heals/{quote(hid)}/{action}">'
            f'<button type="submit" name="verdict" value="{action}">{label}</button></form>'
            for action, label in (("accept", "Accept"), ("reject", "Reject"))
            if verdict != f"{action}ed"
        )
        shown = badge(verdict) if verdict else "pending"
        more = len(h["nodeids"]) - 5
        tests = "<br>".join(escape(n) for n in h["nodeids"][:5]) + (
            f'<br><span class="meta">and {more} more</span>' if more > 0 else "")
        rows.append([
            f'<span class="mono" id="heal-{escape(hid)}">{escape(hid[:10])}</span>', text(h["location"]),
            mono(h["original"]), mono(h["suggested"]),
            text(h.get("strategy")), "–" if h["score"] is None else f"{h['score']:.2f}", str(int(h["times"])),
            when(h["first_seen"]), when(h["last_seen"]), tests or "–", shown, buttons,
        ])
    intro = ('<p class="meta">Every healed locator across sessions, newest first. Accept: the heal is right'
             ' (<span class="mono">irl fix --accepted</span> rewrites it, its element is learned). Reject:'
             ' the next runs refuse it.</p>')
    return page("Healed locators", intro + table(
        ["ID", "WHERE", "ORIGINAL", "SUGGESTED", "STRATEGY", "SCORE", "TIMES", "FIRST SEEN", "LAST SEEN",
         "TESTS", "VERDICT", ""], rows, "No healed locators recorded."))
