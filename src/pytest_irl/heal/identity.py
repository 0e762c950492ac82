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

Evidence is weighed, and must come out positive for a candidate to count as *identified*:

* an agreement counts 2 when it is *specific* (no other candidate of the same family agrees on
  it, and a text has at least ``DISTINCT_MIN_WORDS`` words), else 1: a repeated "Edit" or a bare
  "Save" says "a button of this kind", not "this button". A specific agreement on a stable
  developer identifier (an id, name or test id that does not look generated, exactly the same)
  counts 3: it outweighs a reworded label ("Save changes" -> "Save" on the same ``#save``);
* a partial agreement counts 1;
* a conflict counts -2 on a user-facing text, -1 on a developer identifier (id, name, test id,
  href), which refactors rename more freely than the words a user reads.

``decide`` demands an identified winner, or a much higher score when there is nothing to compare
at all; a candidate that is not identified and has conflicts is never healed to. Generated-looking
ids never count as strong evidence either way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from .fingerprint import Fingerprint
from .similarity import tokenize

CONFLICT, NEUTRAL, PARTIAL, AGREE = -1, 0, 1, 2

# A text that grew keeps its identity only if its own words still make up this share of it.
GROWTH_COVERAGE = 2 / 3
# A match is distinctive enough to be unique evidence with at least this many words.
DISTINCT_MIN_WORDS = 2

# Evidence keys of rank(): "text" is the visible text / accessible name pair. The names a user
# reads (their specific agreement earns decide's unique bonus), and the developer identifiers.
NAME_KEYS = frozenset({"text", "label", "placeholder"})
DEVELOPER_KEYS = frozenset({"id", "name", "test_ids", "href"})
STABLE_KEYS = frozenset({"id", "name", "test_ids"})

CLICKABLE_TAGS = frozenset({"a", "button"})
CLICKABLE_ROLES = frozenset({"button", "link"})
BUTTON_INPUT_TYPES = frozenset({"submit", "button", "reset", "image"})
INPUT_TAGS = frozenset({"input", "select", "textarea"})
INPUT_ROLES = frozenset({"textbox", "searchbox", "combobox", "spinbutton", "listbox"})


@dataclass(frozen=True, slots=True)
class Evidence:
    """Identity verdicts for one candidate (attribute keys per verdict).

    ``specific`` lists agreements nobody else on the page shares, ``unique`` those of them that
    are names a user reads; ``minor`` the keys whose conflicts weigh half (developer
    identifiers) and ``stable`` those whose specific agreement weighs most (ids, test ids);
    ``unstable`` the similarity keys that look generated on either side, which a tie-break must
    not use.
    """

    agree: tuple[str, ...] = ()
    partial: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    specific: tuple[str, ...] = ()
    unique: tuple[str, ...] = ()
    minor: frozenset[str] = frozenset()
    stable: frozenset[str] = frozenset()
    unstable: frozenset[str] = frozenset()

    @property
    def balance(self) -> int:
        agreed = sum(
            (3 if key in self.stable else 2) if key in self.specific else 1 for key in self.agree
        )
        against = sum(1 if key in self.minor else 2 for key in self.conflicts)
        return agreed + len(self.partial) - against

    @property
    def strength(self) -> int:
        """Firm agreements minus conflicts: equal strength means equally well identified."""
        return len(self.agree) - len(self.conflicts)

    @property
    def identified(self) -> bool:
        return self.balance > 0

    def summary(self) -> str:
        parts = []
        if self.specific:
            parts.append("unique " + ", ".join(self.specific))
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
            "specific": list(self.specific),
            "unique": list(self.unique),
        }


# --- words and verdicts ---------------------------------------------------------------------------


# Everyday UI wording that says the same thing: a designer rewording "Log in" as "Sign in" keeps
# the element's meaning, "Forgot password?" becoming "Forgot username?" does not. Phrases map to
# one canonical word before texts are compared; longer phrases are matched first.
UI_SYNONYMS: dict[tuple[str, ...], str] = {
    ("log", "in"): "login", ("sign", "in"): "login", ("signin",): "login", ("log", "on"): "login",
    ("logon",): "login",
    ("log", "out"): "logout", ("sign", "out"): "logout", ("signout",): "logout", ("log", "off"): "logout",
    ("sign", "up"): "signup", ("register",): "signup", ("create", "account"): "signup",
    ("create", "an", "account"): "signup", ("subscribe",): "signup",
    ("export",): "download",
    ("remove",): "delete", ("trash",): "delete",
    ("modify",): "edit",
    ("send",): "submit",
    ("next",): "continue", ("proceed",): "continue",
    ("previous",): "back", ("prev",): "back",
    ("dismiss",): "close",
    ("find",): "search",
    ("preferences",): "settings", ("options",): "settings",
    ("basket",): "cart", ("bag",): "cart",
    ("purchase",): "buy",
}
# Filler a visible text may gain or lose without naming another thing ("Contact us", "Pay now").
FILLER_WORDS = frozenset({"a", "an", "the", "us", "now", "here", "please", "your", "my"})
_LONGEST_SYNONYM = max(len(phrase) for phrase in UI_SYNONYMS)


def canonical_words(tokens: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for size in range(min(_LONGEST_SYNONYM, len(tokens) - i), 0, -1):
            canonical = UI_SYNONYMS.get(tuple(tokens[i:i + size]))
            if canonical is not None:
                out.append(canonical)
                i += size
                break
        else:
            out.append(tokens[i])
            i += 1
    return tuple(out)


@lru_cache(maxsize=65536)
def words(value: str) -> tuple[str, ...]:
    """Content words of a visible text, in order (numbers and codes are content in a text),
    with everyday UI synonyms made one word."""
    return canonical_words([t.lstrip("#") for t in tokenize(value) if t not in FILLER_WORDS])


@lru_cache(maxsize=65536)
def stable_words(value: str) -> tuple[str, ...]:
    """Words of an id-like value without its generated parts (hashes, numbers)."""
    return canonical_words([t for t in tokenize(value) if not t.startswith("#") and not t.isdigit()])


@lru_cache(maxsize=65536)
def looks_generated(value: str) -> bool:
    return any(t.startswith("#") or t.isdigit() for t in tokenize(value))


@lru_cache(maxsize=65536)
def _literal(value: str) -> str:
    return " ".join(value.lower().split())


def _compare_words(a: tuple[str, ...], b: tuple[str, ...], same: int, a_words: int | None = None) -> int:
    """``a_words``: how many words ``a`` had before synonyms joined some (a one-word label that
    grew is not evidence; "Sign in" is two words even when it compares as "login")."""
    if not a or not b:
        return NEUTRAL
    if "".join(a) == "".join(b) or sorted(a) == sorted(b):
        return same
    mine, theirs = set(a), set(b)
    if mine - theirs and "".join(a) not in "".join(b):
        return CONFLICT
    count = a_words if a_words is not None else len(mine)
    coverage = count / (count + len(theirs - mine))
    return PARTIAL if coverage >= GROWTH_COVERAGE and count > 1 else NEUTRAL


@lru_cache(maxsize=65536)
def text_verdict(ref: str, cand: str) -> int:
    """Verdict for user-facing texts (name, label, placeholder, title, alt, href)."""
    if not ref or not cand:
        return NEUTRAL
    return _compare_words(words(ref), words(cand), AGREE, len(tokenize(ref)))


@lru_cache(maxsize=65536)
def id_verdict(ref: str, cand: str) -> int:
    """Verdict for developer identifiers (id, name, test ids): generated parts are ignored.

    A generated-looking id (``edit-17``, ``btn-login-x7f3a``) is at most supporting evidence, and
    only while what is left of it still describes something (two words or more): ``row-3`` may be
    reassigned to another row by the next render, ``btn-login-*`` hardly to another button. It is
    never a conflict either.
    """
    if not ref or not cand:
        return NEUTRAL
    if not (looks_generated(ref) or looks_generated(cand)):
        return AGREE if _literal(ref) == _literal(cand) else _compare_words(
            stable_words(ref), stable_words(cand), AGREE
        )
    mine, theirs = stable_words(ref), stable_words(cand)
    verdict = _compare_words(mine, theirs, PARTIAL)
    # A rest of one word is not descriptive, and a generated id that changed is not counted
    # against an element either: the whole id scheme may have been regenerated.
    if verdict == CONFLICT or (verdict == PARTIAL and len(set(mine)) < 2):
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


def own_name(fp: Fingerprint) -> str:
    """The accessible name unless it merely repeats the label, placeholder, title or alt.

    A field named by its label or placeholder must not count that one change (or agreement) twice.
    """
    others = [v for v in (fp.label, fp.placeholder, fp.title, fp.alt) if v]
    if not others or not fp.accessible_name:
        return fp.accessible_name
    name = _literal(fp.accessible_name)
    return "" if any(_literal(v) == name for v in others) else fp.accessible_name


def name_verdict(ref: Fingerprint, cand: Fingerprint) -> int | None:
    """Visible text and accessible name judged as one, each against its own kind first.

    A conflict in either wins: "Delete" buttons whose accessible names read "Delete Dave" and
    "Delete Carol" are different buttons, whatever their shared text says.
    """
    ref_name, cand_name = own_name(ref), own_name(cand)
    same = [text_verdict(a, b) for a, b in ((ref.text, cand.text), (ref_name, cand_name)) if a and b]
    if same:
        return CONFLICT if CONFLICT in same else max(same)
    mine = [v for v in (ref.text, ref_name) if v]
    theirs = [v for v in (cand.text, cand_name) if v]
    if mine and theirs:
        return best_verdict(text_verdict(a, b) for a in mine for b in theirs)
    return None


def fingerprint_verdicts(ref: Fingerprint, cand: Fingerprint) -> dict[str, int]:
    """Verdict per identity attribute present on both sides (``text``: text and accessible name)."""
    out: dict[str, int] = {}
    name = name_verdict(ref, cand)
    if name is not None:
        out["text"] = name
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
    if moved_identifier(ref, cand) is not None:
        out["id"] = AGREE
    if ref.test_ids and cand.test_ids:
        out["test_ids"] = testid_verdict(ref.test_ids, cand.test_ids)
    return out


def moved_identifier(ref: Fingerprint, cand: Fingerprint) -> str | None:
    """The id that one side has as an id and the other as one of its classes (and not as an id):
    the same developer handle, moved by an "ids became classes" refactor (or its reverse)."""
    if ref.id and not cand.id and ref.id in cand.classes:
        return ref.id
    if cand.id and not ref.id and cand.id in ref.classes:
        return cand.id
    return None


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


def evidence_from(
    verdicts: Mapping[str, int],
    unstable: frozenset[str] = frozenset(),
    minor: frozenset[str] = DEVELOPER_KEYS,
    stable: frozenset[str] = STABLE_KEYS,
) -> Evidence:
    if not verdicts and not unstable:
        return _NO_EVIDENCE
    return Evidence(
        agree=tuple(k for k, v in verdicts.items() if v == AGREE),
        partial=tuple(k for k, v in verdicts.items() if v == PARTIAL),
        conflicts=tuple(k for k, v in verdicts.items() if v == CONFLICT),
        minor=minor,
        stable=stable,
        unstable=unstable,
    )


def distinctive(value: str) -> bool:
    """Specific enough that a unique exact match means something: several real words."""
    found = [t.lstrip("#") for t in tokenize(value)]  # as written: "Sign in" is two words
    return len(found) >= DISTINCT_MIN_WORDS and max(len(w) for w in found) >= 3


def with_specific(
    evidences: Sequence[Evidence],
    comparable: Sequence[bool],
    distinct: frozenset[str],
    names: frozenset[str],
) -> list[Evidence]:
    """Mark agreements that exactly one comparable candidate has (and that are ``distinct``).

    ``comparable`` says which candidates are of the reference's family (only they can share an
    agreement); ``names`` are the keys whose specific agreement also counts as ``unique``.
    """
    holders: dict[str, list[int]] = {}
    for index, evidence in enumerate(evidences):
        if comparable[index]:
            for key in evidence.agree:
                holders.setdefault(key, []).append(index)
    out = list(evidences)
    for key, indexes in holders.items():
        if len(indexes) != 1 or key not in distinct:
            continue
        evidence = out[indexes[0]]
        out[indexes[0]] = replace(
            evidence,
            specific=(*evidence.specific, key),
            unique=(*evidence.unique, key) if key in names else evidence.unique,
        )
    return out
