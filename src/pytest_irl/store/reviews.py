"""Heal review, the store's side: the heals a person can review, and their verdicts (heal_reviews).

A heal has no row of its own until it is reviewed: the heals come from the recorded steps (the
same query as ``irl healed``), merged by ``heal_id``; ``heal_reviews`` holds the verdicts. Used by
``irl review``, ``irl fix --accepted`` and ``irl serve``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from psycopg.rows import dict_row

from ..reviews import VERDICTS, Review, Verdict, heal_id
from ..storable import storable
from .db import Database, FingerprintStore


class UnknownHeal(LookupError):
    """No heal, or more than one, has an id starting with what was given."""


def _merged(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """``healed_locators`` rows (one per strategy too) merged into one per heal, newest first."""
    heals: dict[str, dict[str, Any]] = {}
    for row in rows:
        if not row["original"] or not row["suggested"]:
            continue
        key = heal_id(row["location"], row["original"], row["suggested"])
        found = heals.get(key)
        if found is None:
            heals[key] = {**row, "heal_id": key, "nodeids": sorted(row.get("nodeids") or [])}
            continue
        found["times"] += row["times"]
        found["first_seen"] = min(found["first_seen"], row["first_seen"])
        found["nodeids"] = sorted({*found["nodeids"], *(row.get("nodeids") or [])})
        if row["score"] is not None and (found["score"] is None or row["score"] > found["score"]):
            found["score"] = row["score"]
    return sorted(heals.values(), key=lambda h: h["last_seen"], reverse=True)


class ReviewStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def reviews(self) -> list[Review]:
        """Every verdict: what the engine reads once at session start."""
        rows = self.db.conn.execute("SELECT heal_id, verdict, reviewed_at FROM heal_reviews").fetchall()
        return [Review(r[0], r[1], r[2]) for r in rows if r[1] in VERDICTS]

    def heals(self, limit: int = 500) -> list[dict[str, Any]]:
        """Every recorded heal (newest first), each with its ``verdict`` (None: pending) and
        ``reviewed_at``; reviewed heals whose runs are gone are listed from their review."""
        heals = _merged(self.db.healed_locators(limit))
        with self.db.conn.cursor(row_factory=dict_row) as cur:
            verdicts = {r["heal_id"]: r for r in cur.execute("SELECT * FROM heal_reviews").fetchall()}
        for heal in heals:
            review = verdicts.pop(heal["heal_id"], None)
            heal["verdict"] = review["verdict"] if review else None
            heal["reviewed_at"] = review["reviewed_at"] if review else None
        for review in verdicts.values():
            heals.append({
                "heal_id": review["heal_id"], "location": review["location"] or None,
                "original": review["original"], "suggested": review["suggested"],
                "healed_selector": review["healed_selector"], "verdict": review["verdict"],
                "reviewed_at": review["reviewed_at"], "score": None, "times": 0, "nodeids": [],
                "strategy": None, "first_seen": None, "last_seen": None, "source_sha256": None,
            })
        return heals

    def find(self, prefix: str, heals: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        prefix = prefix.strip().lower()
        known = self.heals() if heals is None else heals
        found = [h for h in known if prefix and h["heal_id"].startswith(prefix)]
        if len(found) != 1:
            raise UnknownHeal(f"{'no heal' if not found else 'more than one heal'} has an id starting with"
                              f" {prefix!r} (`irl review` lists them)")
        return found[0]

    def record(self, heal: dict[str, Any], verdict: Verdict, via: str = "cli") -> None:
        """Store a verdict (a later one replaces it). Accepting also makes the healed element what
        is learned for the original locator in the tests that healed it, so its next heal is the
        same element, sure of itself."""
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}")
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO heal_reviews (heal_id, location, original, suggested, healed_selector, verdict,"
                " reviewed_via) VALUES (%s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (heal_id) DO UPDATE SET verdict = excluded.verdict, reviewed_at = now(),"
                " reviewed_via = excluded.reviewed_via,"
                " healed_selector = COALESCE(excluded.healed_selector, heal_reviews.healed_selector)",
                (heal["heal_id"], storable(heal["location"] or ""), storable(heal["original"]),
                 storable(heal["suggested"]), heal.get("healed_selector"), verdict, via),
            )
            if verdict == "accepted":
                self._learn_accepted(heal)

    def _learn_accepted(self, heal: dict[str, Any]) -> None:
        selector, nodeids = heal.get("healed_selector"), list(heal.get("nodeids") or [])
        if not selector or not nodeids:
            return
        rows = self.db.conn.execute(
            "SELECT url_path, nodeid, fingerprint FROM element_fingerprints"
            " WHERE selector = %s AND nodeid = ANY(%s)",
            (selector, nodeids),
        ).fetchall()
        learned = FingerprintStore(self.db)
        for url_path, nodeid, fingerprint in rows:
            learned.upsert({"selector": heal["original"], "url_path": url_path, "nodeid": nodeid,
                            "fingerprint": fingerprint})

    def accepted_ids(self) -> set[str]:
        rows = self.db.conn.execute("SELECT heal_id FROM heal_reviews WHERE verdict = 'accepted'").fetchall()
        return {r[0] for r in rows}
