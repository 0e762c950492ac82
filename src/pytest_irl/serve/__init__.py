"""``irl serve``: a small dashboard of the recorded runs, live from Postgres (see server.py)."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def cmd_serve(args: argparse.Namespace, db: Any) -> int:
    from .server import DashboardServer

    try:
        server = DashboardServer(db, args.host, args.port, sessions=args.sessions)
    except OSError as exc:
        reason = exc.strerror or exc
        print(f"irl: serve: could not listen on {args.host}:{args.port} ({reason})", file=sys.stderr)
        return 1
    if args.host not in LOOPBACK:
        print(f"irl: serve: listening on {args.host}, not only on this machine: anyone who has the URL"
              " with its token can read the runs and review heals", file=sys.stderr)
    server.start()
    # The URL with its token, on a line of its own: whoever started the server opens it.
    print(f"irl: dashboard at {server.index_url()}  (Ctrl-C stops it)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
