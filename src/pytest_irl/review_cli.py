"""``irl review``: the heals waiting for a person's verdict, and giving one."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .cli import _clean, _table

SHOWN_ID = 10  # hex digits of a heal id shown; any unique prefix is accepted


def cmd_review(args: argparse.Namespace, db: Any) -> int:
    from .store.reviews import ReviewStore, UnknownHeal

    store = ReviewStore(db)
    heals = store.heals()
    if args.verdict is None:
        if args.ids:
            print("irl: review: say `accept` or `reject` before the ids", file=sys.stderr)
            return 2
        return _list(heals, args.all)
    if not args.ids:
        print(f"irl: review {args.verdict}: which heal? (`irl review` lists them)", file=sys.stderr)
        return 2
    verdict = "accepted" if args.verdict == "accept" else "rejected"
    code = 0
    for given in args.ids:
        try:
            heal = store.find(given, heals)
        except UnknownHeal as exc:
            print(f"irl: review: {_clean(exc)}", file=sys.stderr)
            code = 1
            continue
        store.record(heal, verdict, via="cli")
        effect = ("`irl fix --accepted` applies it" if verdict == "accepted"
                  else "the next runs refuse it")
        print(f"{verdict} {heal['heal_id'][:SHOWN_ID]}: {_clean(heal['original'], 60)} ->"
              f" {_clean(heal['suggested'], 80)} ({effect})")
    return code


def _list(heals: list[dict[str, Any]], everything: bool) -> int:
    shown = [h for h in heals if everything or h["verdict"] is None]
    if not shown:
        print("no heals waiting for review" if heals else "no healed locators recorded")
        return 0
    rows = [
        [h["heal_id"][:SHOWN_ID], _clean(h["location"] or "?", 40), _clean(h["original"], 36),
         _clean(h["suggested"], 56), "-" if h["score"] is None else f"{h['score']:.2f}", str(h["times"]),
         *([h["verdict"] or "pending"] if everything else [])]
        for h in shown
    ]
    headers = ["ID", "WHERE", "ORIGINAL", "SUGGESTED", "SCORE", "TIMES", *(["VERDICT"] if everything else [])]
    print(_table(rows, headers))
    if not everything:
        print("\n`irl review accept ID` / `irl review reject ID` (an id's first characters are enough)")
    return 0
