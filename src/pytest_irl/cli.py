"""The ``irl`` command: look at recorded runs, and manage the store."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .store.url import STATE_DIR, BadDatabaseUrl, StoreLocation, resolve


def find_base_dir(start: Path) -> Path:
    """The nearest folder at or above ``start`` that holds ``.irl/``, else ``start``."""
    for folder in (start, *start.parents):
        if (folder / STATE_DIR).is_dir():
            return folder
    return start


def location_from(args: argparse.Namespace) -> StoreLocation:
    base = Path(args.dir).resolve() if args.dir else find_base_dir(Path.cwd())
    return resolve(args.db, base)


def store_url(location: StoreLocation) -> str:
    if location.url is not None:
        return location.url
    from .store import embedded

    return embedded.start(location.state_dir)


def _clean(text: Any, width: int | None = None) -> str:
    """``text`` safe for a terminal: control characters shown escaped, cut to ``width``."""
    shown = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(text))
    if width is not None and len(shown) > width:
        shown = shown[: max(1, width - 1)] + "…"
    return shown


def _table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def _ms(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def cmd_runs(args: argparse.Namespace, db: Any) -> int:
    if args.session:
        found = db.find_session(_session_prefix(args.session))
        sessions = [found] if found else []
    else:
        sessions = db.recent_sessions(args.limit)
    if not sessions:
        print("no recorded sessions")
        return 0
    for session in reversed(sessions):
        code = session["exit_status"]
        finished = session["status"] if session["finished_at"] is None else f"exit {code}"
        if session["status"] == "interrupted":  # a killed process has no exit status of its own
            finished = "interrupted" + ("" if code is None else f", exit {code}")
        print(
            f"session {session['id']}  {session['started_at']:%Y-%m-%d %H:%M:%S}  {finished}  "
            f"{session['runs']} runs: {session['passed']} passed, {session['failed']} failed"
        )
        rows = [
            [str(r["id"])[:8], r["status"] + (" (flaky)" if r.get("flaky") else ""), str(r["attempt"]),
             _ms(r["duration_ms"]),
             str(r["total_steps"] or 0), str(r["healed_steps"] or 0), _clean(r["nodeid"], 90)]
            for r in db.runs_of_session(session["id"])
        ]
        print(_table(rows, ["RUN", "STATUS", "TRY", "TIME", "STEPS", "HEALED", "TEST"]))
        print()
    return 0


def _session_prefix(given: str) -> str:
    """An id or its first characters as given; any other text is a --irl-session-id name."""
    if all(ch in "0123456789abcdefABCDEF-" for ch in given):
        return given
    from .plugin import session_id_from

    return str(session_id_from(given))


def cmd_healed(args: argparse.Namespace, db: Any) -> int:
    rows = _latest_per_site(db.healed_locators())
    if not rows:
        print("no healed locators recorded")
        return 0
    table = [[_clean(r["location"] or "?", 50), _clean(r["original"], 40), _clean(r["suggested"], 60),
              "-" if r["score"] is None else f"{r['score']:.2f}", str(r["times"])] for r in rows]
    print(_table(table, ["WHERE", "ORIGINAL", "SUGGESTED", "SCORE", "TIMES"]))
    return 0


def cmd_flaky(args: argparse.Namespace, db: Any) -> int:
    if args.sessions < 1:
        print("irl: flaky: --sessions must be at least 1", file=sys.stderr)
        return 2
    rows = db.flaky_tests(args.sessions)
    if not rows:
        print(f"no flaky tests in the last {args.sessions} session(s)")
        return 0
    table = [[str(r["flips"]), str(r["flaky_runs"]), str(r["passed"]), str(r["failed"]), str(r["sessions"]),
              r["last_status"], _clean(r["nodeid"], 90)] for r in rows]
    print(f"tests whose outcome changed over the last {args.sessions} session(s), most flaky first")
    print(_table(table, ["FLIPS", "FLAKY", "PASSED", "FAILED", "SESSIONS", "LAST", "TEST"]))
    return 0


def _latest_per_site(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (call site, original locator): the newest suggestion wins."""
    seen: set[tuple[Any, Any]] = set()
    kept = []
    for row in rows:
        key = (row["location"], row["original"])
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


def cmd_fix(args: argparse.Namespace, db: Any, base: Path) -> int:
    from .fix import Fix, plan, skipped_report, unified_diff, write

    root = Path(args.root).resolve() if args.root else base
    rows = db.healed_locators()
    if args.accepted:
        from .reviews import heal_id
        from .store.reviews import ReviewStore

        # Before picking the newest per call site: an accepted heal is not displaced by a newer,
        # unreviewed suggestion for the same site.
        accepted = ReviewStore(db).accepted_ids()
        rows = [r for r in rows if heal_id(r["location"], r["original"], r["suggested"] or "") in accepted]
    fixes = []
    for row in _latest_per_site(rows):
        if not row["location"] or not row["suggested"]:
            continue
        try:
            seen = row.get("last_seen")
            fixes.append(Fix.from_location(row["location"], row["original"], row["suggested"], row["score"],
                                           row.get("source_sha256"), seen.timestamp() if seen else None))
        except ValueError:
            continue
    if not fixes:
        print("nothing to fix: no accepted heals (`irl review accept ID`)" if args.accepted
              else "nothing to fix: no healed locators recorded")
        return 0
    result = plan(fixes, root)
    for line in skipped_report(result):
        print(_clean(line), file=sys.stderr)
    if args.write:
        for path in write(result):
            print(f"rewrote {path}")
    else:
        sys.stdout.write(unified_diff(result))
    return 0


def cmd_report(args: argparse.Namespace, db: Any) -> int:
    from .report import model, render

    try:
        session = _session_prefix(args.session) if args.session else None
        report = model.load(db, session=session, last=args.last)
    except LookupError:
        print(f"irl: report: no session matches {args.session!r}", file=sys.stderr)
        return 1
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render.render(report), encoding="utf-8")
    tests = sum(len(s.tests) for s in report.sessions)
    print(f"irl: report of {len(report.sessions)} session(s), {tests} test(s): {out.resolve().as_uri()}")
    return 0


def cmd_sync(args: argparse.Namespace, location: StoreLocation) -> int:
    """Store the spooled writes meant for this database; say what was left, and why.

    Exit 1 when something needs a look (a refused write, an unreadable line, a schema problem);
    writes left for another database are no failure of this one.
    """
    from .store import Database, replay_spool, shards

    with Database(store_url(location)) as db:
        report = replay_spool(db, location.spool_dir, target=location.target,
                              accept_untargeted=args.untargeted)
        # After the replay: a killed session's last writes may have been waiting in the spool.
        gone, interrupted = shards.sweep(db)
    print(f"synced {report.ops} write(s) from {report.files} spool file(s) into {location.describe()}")
    if gone:
        print(f"marked {interrupted} run(s) of {gone} pytest process(es) that are gone as interrupted")
    for line in report.notices():
        print(f"irl: {line}", file=sys.stderr)
    return 1 if report.rejected or report.bad or report.deferred else 0


def _store_options(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument("--db", default=default,
                        help="Postgres URL (default: $IRL_DATABASE_URL, else the embedded store)")
    parser.add_argument("--dir", default=default, help="the project folder whose .irl/ holds the embedded"
                                                       " store (default: found from the current folder)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="irl", description="Recorded runs of pytest-irl.")
    _store_options(parser, None)
    # The same options after the subcommand (`irl sync --db URL`). SUPPRESS: a subcommand that is
    # not given them leaves what was given before it in place instead of resetting it to None.
    after = argparse.ArgumentParser(add_help=False)
    _store_options(after, argparse.SUPPRESS)
    common = [after]
    sub = parser.add_subparsers(dest="command", required=True)
    runs = sub.add_parser("runs", parents=common, help="recent sessions and their tests")
    runs.add_argument("-n", "--limit", type=int, default=5, help="how many sessions (default 5)")
    runs.add_argument("--session", help="only this session (id or its first characters)")
    show = sub.add_parser("show", parents=common, help="the steps of one run, heals marked")
    show.add_argument("run_id", help="a run id, or its first characters")
    show.add_argument("--trace", action="store_true",
                      help="open the run's Playwright trace (playwright show-trace)")
    flaky = sub.add_parser("flaky", parents=common,
                           help="tests whose outcome flips between sessions, or that passed"
                                " only on a rerun (the irl_flaky_tests view)")
    flaky.add_argument("--sessions", type=int, default=30, metavar="N",
                       help="look at the last N sessions (default 30)")
    sub.add_parser("healed", parents=common,
                   help="every healed locator across sessions, with the locator to use instead")
    fix = sub.add_parser("fix", parents=common, help="rewrite test sources with the suggested locators"
                                                     " (prints a diff; --write applies it)")
    fix.add_argument("--write", action="store_true", help="change the files instead of printing a diff")
    fix.add_argument("--accepted", action="store_true",
                     help="only heals a person accepted (irl review accept / irl serve)")
    fix.add_argument("--root", help="the folder the recorded file paths are relative to"
                                    " (default: the project)")
    review = sub.add_parser("review", parents=common,
                            help="heals waiting for a verdict; `review accept ID` / `review reject ID`")
    review.add_argument("verdict", nargs="?", choices=("accept", "reject"),
                        help="accept: the heal is right (fix --accepted applies it); reject: never"
                             " apply it again")
    review.add_argument("ids", nargs="*", metavar="ID", help="heal ids (or their first characters)")
    review.add_argument("--all", action="store_true", help="list reviewed heals too")
    serve = sub.add_parser("serve", parents=common,
                           help="a dashboard in your browser: sessions live, flaky tests, healed locators"
                                " and their review")
    serve.add_argument("--host", default="127.0.0.1", help="where to listen (default 127.0.0.1: this"
                                                           " machine only)")
    serve.add_argument("--port", type=int, default=0, help="the port (default 0: a free one)")
    serve.add_argument("--sessions", type=int, default=30, metavar="N",
                       help="sessions listed, and the flaky table's window (default 30)")
    report = sub.add_parser("report", parents=common,
                            help="one self-contained HTML file: sessions, tests, steps, heals, screenshots")
    which = report.add_mutually_exclusive_group()
    which.add_argument("--session", help="this session (id or its first characters, or the"
                                         " --irl-session-id text)")
    which.add_argument("--last", type=int, default=1, metavar="N", help="the last N sessions (default 1)")
    report.add_argument("-o", "--output", default="report.html",
                        help="the file to write (default report.html)")
    sub.add_parser("db-url", parents=common,
                   help="print the URL of the store in use (psql \"$(irl db-url)\")")
    sub.add_parser("migrate", parents=common, help="apply the database migrations")
    sync = sub.add_parser("sync", parents=common,
                          help="write spooled runs into the database they were recorded for")
    sync.add_argument("--untargeted", action="store_true",
                      help="also store writes spooled by an older pytest-irl, which name no database")
    sub.add_parser("db-stop", parents=common, help="stop the embedded Postgres server")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        location = location_from(args)
    except BadDatabaseUrl as exc:
        from .redact import database_error

        print(f"irl: --db: {database_error(exc, args.db)}", file=sys.stderr)
        return 2
    try:
        code = _dispatch(args, location)
        sys.stdout.flush()  # here, not at exit: a reader that went away is handled below
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `irl runs | head`: the reader has all it wanted. Quiet, like any command line tool;
        # stdout now points to /dev/null so that Python's own flush at exit cannot complain.
        _detach_stdout()
        return 128 + signal.SIGPIPE
    except Exception as exc:
        from .store.replay import describe_error

        where = location.describe()
        print(f"irl: {args.command}: cannot use {where}: {describe_error(exc)}", file=sys.stderr)
        return 1


def _detach_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _dispatch(args: argparse.Namespace, location: StoreLocation) -> int:
    if args.command == "db-stop":
        from .store import embedded

        stopped = location.embedded and embedded.stop(location.state_dir)
        print("stopped" if stopped else "no embedded server running here")
        return 0
    if args.command == "sync":
        return cmd_sync(args, location)
    url = store_url(location)
    if args.command == "db-url":
        print(url)
        return 0
    from .store import Database

    with Database(url, migrate_on_connect=args.command != "migrate") as db:
        if args.command == "migrate":
            applied = db.migrate()
            print("applied: " + ", ".join(applied) if applied else "up to date")
            return 0
        if args.command == "runs":
            return cmd_runs(args, db)
        if args.command == "healed":
            return cmd_healed(args, db)
        if args.command == "flaky":
            return cmd_flaky(args, db)
        if args.command == "serve":
            from .serve import cmd_serve

            return cmd_serve(args, db)
        if args.command == "review":
            from .review_cli import cmd_review

            return cmd_review(args, db)
        if args.command == "fix":
            return cmd_fix(args, db, location.state_dir.parent)
        if args.command == "report":
            return cmd_report(args, db)
        from .show_cli import cmd_show

        return cmd_show(args, db)


if __name__ == "__main__":
    sys.exit(main())
