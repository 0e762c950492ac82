"""Identity evidence: does a candidate carry something that names the *same* element?

Resemblance (``score.rank``) says how alike two elements are, and a look-alike sibling resembles
its target closely: a "Forgot username?" link next to a removed "Forgot password?" link shares
tag, role, classes and neighbourhood. What sets one element apart is what a person or developer
gave *that* element: visible text / accessible name, label, placeholder, title, alt, href, id,
name and test ids. Each such attribute present on both sides gets a verdict:

* ``AGREE``: equal after normalisation (case, whitespace, punctuation, camelCase, common
  abbreviations, word order), so "Log in" = "Login" and "btn-login" = "loginButton";
* ``PARTIAL``: an id / name / test id whose generated part (hash or number) changed while a
  descriptive rest stayed (``btn-login-x7f3a`` -> ``btn-login-k2j9q``), or a text that kept all
  its words and grew by at most a third ("Sign in" -> "Sign in now"). Supporting, never decisive
  alone against a conflict;
* ``CONFLICT``: the reference's value lost a content word ("Forgot password?" -> "Forgot
  username?", "Apply coupon" -> "Apply"): a different element, whatever else it shares;
* ``NEUTRAL``: missing on a side, purely generated, or a one-word label that grew.

The balance (two per agreement, one per partial, minus two per conflict) must be positive for a
candidate to count as *identified*; ``decide`` demands that (or a much higher score) before it
acts. Generated-looking ids never count as strong evidence either way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from .fingerprint import Fingerprint
from .similarity import tokenize

CONFLICT, NEUTRAL, PARTIAL, AGREE = -1, 0, 1, 2

# A text that grew keeps its identity only if its own words still make up this share of it.
GROWTH_COVERAGE = 2 / 3
# A match is distinctive enough to be unique evidence with at least this many words.
DISTINCT_MIN_WORDS = 2

# Attributes whose exact, page-unique agreement is strong evidence on its own (user-facing names).
UNIQUE_ATTRS = ("name", "label", "placeholder")

CLICKABLE_TAGS = frozenset({"a", "button"})
CLICKABLE_ROLES = frozenset({"button", "link"})
BUTTON_INPUT_TYPES = frozenset({"submit", "button", "reset", "image"})
INPUT_TAGS = frozenset({"input", "select", "textarea"})
INPUT_ROLES = frozenset({"textbox", "searchbox", "combobox", "spinbutton", "listbox"})


@dataclass(frozen=True, slots=True)
class Evidence:
    """Identity verdicts for one candidate.

    ``unstable`` names similarity keys (ids, test ids) that look generated on either side, so a
    tie-break must not use them.
    """

    agree: tuple[str, ...] = ()
    partial: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    unique: tuple[str, ...] = ()
    unstable: frozenset[str] = frozenset()

    @property
    def balance(self) -> int:
        return 2 * len(self.agree) + len(self.partial) - 2 * len(self.conflicts)

    @property
    def strength(self) -> int:
        """Firm agreements minus conflicts: equal strength means equally well identified."""
        return len(self.agree) - len(self.conflicts)

    @property
    def identified(self) -> bool:
        return self.balance > 0

    def summary(self) -> str:
        parts = []
        if self.unique:
            parts.append("unique " + ", ".join(self.unique))
        if self.agree:
            parts.append("agrees on " + ", ".join(self.agree))
        if self.partial:
            parts.append("partly on " + ", ".join(self.partial))
        if self.conflicts:
            parts.append("differs in " + ", ".join(self.conflicts))
        return "; ".join(parts) or "no identity attribute to compare"

    def to_dict(self) -> dict[str, list[str]]:
        return {
            "agree": list(self.agree),
            "partial": list(self.partial),
            "conflicts": list(self.conflicts),
            "unique": list(self.unique),
        }


# --- words and verdicts ---------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def words(value: str) -> tuple[str, ...]:
    """Content words of a visible text, in order (numbers and codes are content in a text)."""
    return tuple(t.lstrip("#") for t in tokenize(value))


@lru_cache(maxsize=65536)
def stable_words(value: str) -> tuple[str, ...]:
    """Words of an id-like value without its generated parts (hashes, numbers)."""
    return tuple(t for t in tokenize(value) if not t.startswith("#") and not t.isdigit())


@lru_cache(maxsize=65536)
def looks_generated(value: str) -> bool:
    return any(t.startswith("#") or t.isdigit() for t in tokenize(value))


def _literal(value: str) -> str:
    return " ".join(value.lower().split())


def _compare_words(a: tuple[str, ...], b: tuple[str, ...], same: int) -> int:
    if not a or not b:
        return NEUTRAL
    if "".join(a) == "".join(b) or sorted(a) == sorted(b):
        return same
    mine, theirs = set(a), set(b)
    if mine - theirs and "".join(a) not in "".join(b):
        return CONFLICT
    return PARTIAL if len(mine) / len(mine | theirs) >= GROWTH_COVERAGE and len(mine) > 1 else NEUTRAL


@lru_cache(maxsize=65536)
def text_verdict(ref: str, cand: str) -> int:
    """Verdict for user-facing texts (name, label, placeholder, title, alt, href)."""
    if not ref or not cand:
        return NEUTRAL
    return _compare_words(words(ref), words(cand), AGREE)


@lru_cache(maxsize=65536)
def id_verdict(ref: str, cand: str) -> int:
    """Verdict for developer identifiers (id, name, test ids): generated parts are ignored.

    A generated-looking id (``edit-17``, ``btn-login-x7f3a``) is at most supporting evidence, and
    only while what is left of it still describes something (two words or more): ``row-3`` may be
    reassigned to another row by the next render, ``btn-login-*`` hardly to another button.
    """
    if not ref or not cand:
        return NEUTRAL
    if not (looks_generated(ref) or looks_generated(cand)):
        return AGREE if _literal(ref) == _literal(cand) else _compare_words(
            stable_words(ref), stable_words(cand), AGREE
        )
    mine, theirs = stable_words(ref), stable_words(cand)
    verdict = _compare_words(mine, theirs, PARTIAL)
    if verdict == PARTIAL and len(set(mine)) < 2:
        return NEUTRAL
    return verdict


def best_verdict(verdicts: Iterable[int]) -> int:
    return max(verdicts, default=NEUTRAL)


def _href(value: str) -> str:
    # In-page anchors and script links say nothing about which element it is.
    return "" if value.startswith(("#", "javascript:")) else value


# --- element families -----------------------------------------------------------------------------


def family(fp: Fingerprint) -> str:
    """Coarse kind: links and buttons are one "clickable" family, form fields another."""
    if fp.is_input or (fp.tag in INPUT_TAGS and fp.type not in BUTTON_INPUT_TYPES):
        return "input"
    if fp.is_button or fp.is_link or fp.tag in CLICKABLE_TAGS or fp.role in CLICKABLE_ROLES:
        return "clickable"
    return fp.role or fp.tag


def is_clickable(fp: Fingerprint) -> bool:
    return family(fp) == "clickable"


# --- a fingerprint against a recorded fingerprint ---------------------------------------------------

_TEXT_FIELDS = ("label", "placeholder", "title", "alt")
_ID_FIELDS = ("id", "name")


def testid_verdict(ref: Mapping[str, str], cand: Mapping[str, str]) -> int:
    if not ref or not cand:
        return NEUTRAL
    same_attr = [id_verdict(v, cand[k]) for k, v in ref.items() if k in cand]
    if same_attr:
        return best_verdict(same_attr)
    return best_verdict(id_verdict(a, b) for a in ref.values() for b in cand.values())


def fingerprint_verdicts(ref: Fingerprint, cand: Fingerprint) -> dict[str, int]:
    """Verdict per identity attribute present on both sides (text and accessible name as one)."""
    out: dict[str, int] = {}
    mine = [v for v in (ref.text, ref.accessible_name) if v]
    theirs = [v for v in (cand.text, cand.accessible_name) if v]
    if mine and theirs:
        out["name"] = best_verdict(text_verdict(a, b) for a in mine for b in theirs)
    for field in _TEXT_FIELDS:
        a, b = getattr(ref, field), getattr(cand, field)
        if a and b:
            out[field] = text_verdict(a, b)
    a, b = _href(ref.href), _href(cand.href)
    if a and b:
        out["href"] = text_verdict(a, b)
    for field in _ID_FIELDS:
        a, b = getattr(ref, field), getattr(cand, field)
        if a and b:
            out[field] = id_verdict(a, b)
    if ref.test_ids and cand.test_ids:
        out["test_ids"] = testid_verdict(ref.test_ids, cand.test_ids)
    return out


def unstable_keys(ref: Fingerprint, cand: Fingerprint) -> frozenset[str]:
    """Identifier keys that look generated on either side: never used to break a tie."""
    if not (ref.id or ref.name or ref.test_ids or cand.id or cand.name or cand.test_ids):
        return frozenset()
    keys = set()
    for field in _ID_FIELDS:
        if any(looks_generated(v) for v in (getattr(ref, field), getattr(cand, field)) if v):
            keys.add(field)
    if any(looks_generated(v) for v in (*ref.test_ids.values(), *cand.test_ids.values())):
        keys.add("test_ids")
    return frozenset(keys)


_NO_EVIDENCE = Evidence()


def evidence_from(verdicts: Mapping[str, int], unstable: frozenset[str] = frozenset()) -> Evidence:
    if not verdicts and not unstable:
        return _NO_EVIDENCE
    return Evidence(
        agree=tuple(k for k, v in verdicts.items() if v == AGREE),
        partial=tuple(k for k, v in verdicts.items() if v == PARTIAL),
        conflicts=tuple(k for k, v in verdicts.items() if v == CONFLICT),
        unstable=unstable,
    )


def distinctive(value: str) -> bool:
    """Specific enough that a unique exact match means something: several real words."""
    found = words(value)
    return len(found) >= DISTINCT_MIN_WORDS and max(len(w) for w in found) >= 3
