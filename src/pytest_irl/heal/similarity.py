"""String similarity tuned for DOM attributes and short UI texts.

Two signals are mixed: weighted token overlap (robust to word order and to regenerated
hash-like fragments, which get a small weight) and character-trigram overlap (robust to small
rewordings such as "Log in" / "Login"). Both are set operations on values prepared once and
cached, so comparing against a thousand candidates stays in the low milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Tokens that carry little identity: build hashes and counters change between deploys, so they
# must not decide a match, but keeping a small weight still prefers an exact survivor.
HASH_WEIGHT = 0.15
NUMBER_WEIGHT = 0.35
SHORT_WEIGHT = 0.5

# Abbreviations developers use interchangeably in ids and classes (login-btn / login-button).
ABBREVIATIONS = {
    "btn": "button",
    "img": "image",
    "nav": "navigation",
    "msg": "message",
    "pwd": "password",
    "passwd": "password",
    "usr": "user",
    "txt": "text",
    "lbl": "label",
    "chk": "checkbox",
    "cb": "checkbox",
    "dlg": "dialog",
    "desc": "description",
    "num": "number",
    "qty": "quantity",
    "addr": "address",
    "tel": "phone",
    "srch": "search",
    "ddl": "dropdown",
    "col": "column",
    "hdr": "header",
    "ftr": "footer",
    "err": "error",
}

_WORD = re.compile(r"[^\W_]+")
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_TWO_DIGITS = re.compile(r"\d\D*\d")
_HEX = re.compile(r"[0-9a-fA-F]{8,}")


def _is_hashy(chunk: str) -> bool:
    # Called for every word of every candidate string, so the common cases exit early.
    if chunk.isalpha():
        return len(chunk) >= 8 and _HEX.fullmatch(chunk) is not None
    if chunk.isdigit():
        return len(chunk) >= 5
    return len(chunk) >= 4 and _TWO_DIGITS.search(chunk) is not None


@lru_cache(maxsize=65536)
def token_weight(token: str) -> float:
    if token.startswith("#"):
        return HASH_WEIGHT
    if token.isdigit():
        return NUMBER_WEIGHT
    if len(token) == 1:
        return SHORT_WEIGHT
    return 1.0


def tokenize(value: str) -> list[str]:
    """Lower-case word tokens; camelCase split; hash-like chunks kept whole and marked with '#'."""
    out: list[str] = []
    for chunk in _WORD.findall(value):
        if _is_hashy(chunk):
            # Marked so it never equals a real word, and so all hashes share the low weight.
            out.append("#" + chunk.lower())
        elif (chunk.isalpha() and chunk.islower()) or not chunk.isascii():
            out.append(ABBREVIATIONS.get(chunk, chunk.lower()))
        else:
            for part in _CAMEL.findall(chunk):
                lower = part.lower()
                out.append(ABBREVIATIONS.get(lower, lower))
    return out


@dataclass(frozen=True, slots=True)
class Prepared:
    """A string with its comparison features computed once."""

    norm: str
    tokens: frozenset[str]
    weight: float
    trigrams: frozenset[str]


EMPTY = Prepared("", frozenset(), 0.0, frozenset())


@lru_cache(maxsize=65536)
def prepare(value: str) -> Prepared:
    norm = " ".join(value.lower().split())
    if not norm:
        return EMPTY
    tokens = frozenset(tokenize(value))
    weight = sum(map(token_weight, tokens))
    padded = f" {norm} "
    trigrams = frozenset({padded[i : i + 3] for i in range(len(padded) - 2)})
    return Prepared(norm, tokens, weight, trigrams)


def token_similarity(a: Prepared, b: Prepared) -> float:
    if not a.tokens or not b.tokens:
        return 0.0
    common = a.tokens & b.tokens
    if not common:
        return 0.0
    inter = sum(map(token_weight, common))
    union = a.weight + b.weight - inter
    return inter / union if union > 0 else 0.0


def token_set_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Weighted Jaccard of two token sets; 1 when both are empty (nothing tells them apart)."""
    if not a and not b:
        return 1.0
    common = a & b
    inter = sum(map(token_weight, common))
    union = sum(map(token_weight, a)) + sum(map(token_weight, b)) - inter
    return inter / union if union > 0 else 0.0


def trigram_similarity(a: Prepared, b: Prepared) -> float:
    if not a.trigrams or not b.trigrams:
        return 0.0
    return 2 * len(a.trigrams & b.trigrams) / (len(a.trigrams) + len(b.trigrams))


def similarity(a: Prepared, b: Prepared) -> float:
    """0..1; 1 only for equal normalized strings. Empty on either side gives 0."""
    if a.norm == b.norm:
        return 1.0 if a.norm else 0.0
    tok = token_similarity(a, b)
    tri = trigram_similarity(a, b)
    # The stronger signal leads: tokens catch reordering/hash churn, trigrams catch respelling.
    # Capped below 1 so that an exact string always outranks a fuzzy one.
    hi, lo = (tok, tri) if tok >= tri else (tri, tok)
    return min(0.7 * hi + 0.3 * lo, 0.98)


def text_similarity(a: str, b: str) -> float:
    return similarity(prepare(a), prepare(b))


def contains_ci(haystack: str, needle: str) -> bool:
    """Playwright's default (non-exact) text match: case-insensitive, whitespace-normalized substring."""
    return prepare(needle).norm in prepare(haystack).norm


def hash_free(value: str) -> bool:
    """True when no token of the value looks generated (usable in a human-written selector)."""
    return all(not t.startswith("#") for t in tokenize(value))
