"""Which words mean the same: telling a reworded name from another element's name.

A designer rewords "Delete user" as "Remove user"; another feature put in the element's place
reads "Archive user". Both change one word of the name and keep everything else, so only what the
words mean tells them apart. ``lexicon.txt.gz`` (built by ``scripts/build_lexicon.py`` from
WordNet, restricted to everyday words) gives each word its three most common senses and the
senses one step broader; two words are **related** when they share a sense, or one's sense is
the other's broader one ("delete" -> "remove", "modify" -> "change"). Siblings under a broader
sense are not related: "password" and "username" are both identifiers, not each other.

The table is read on first use only (a heal that weighs a changed name), never on the happy path.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

LEXICON_FILE = Path(__file__).with_name("lexicon.txt.gz")

Senses = tuple[frozenset[int], frozenset[int]]  # (own senses, broader senses)


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    """Each word's line, unparsed: a heal looks up a handful of words (``_entry`` parses those)."""
    try:
        text = gzip.decompress(LEXICON_FILE.read_bytes()).decode()
    except OSError:  # a source checkout without the built table: every word unrelated, as before
        return {}
    return dict(line.split("\t", 1) for line in text.splitlines() if not line.startswith("#"))


@lru_cache(maxsize=4096)
def _entry(word: str) -> Senses | None:
    line = _table().get(word)
    if line is None:
        return None
    own, broader = line.split("\t")
    return _ints(own), _ints(broader)


def _ints(field: str) -> frozenset[int]:
    return frozenset(int(x) for x in field.split(",")) if field else frozenset()


def _senses(word: str) -> Senses | None:
    """The word's entry, or that of its base form (plural, past, -ing) when only that is listed."""
    found = _entry(word)
    if found is not None:
        return found
    for suffix, base in (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""),
                         ("ing", "e")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            found = _entry(word[: -len(suffix)] + base)
            if found is not None:
                return found
    return None


@lru_cache(maxsize=65536)
def related(a: str, b: str) -> bool:
    """Whether two words (or two-word phrases, "log in") mean the same in everyday use."""
    if a == b:
        return True
    sa, sb = _senses(a), _senses(b)
    if sa is None or sb is None:
        return False
    return bool(sa[0] & sb[0] or sa[0] & sb[1] or sa[1] & sb[0])


def _units(words: tuple[str, ...]) -> list[tuple[str, frozenset[int]]]:
    """Each word and each pair of neighbours, with the positions they cover."""
    out = [(w, frozenset({i})) for i, w in enumerate(words)]
    out += [(f"{a} {b}", frozenset({i, i + 1})) for i, (a, b) in enumerate(pairwise(words))]
    return out


def rewording(old: tuple[str, ...], new: tuple[str, ...]) -> float:
    """The share of the words only ``old`` has that something only ``new`` has means too.

    ``old`` and ``new`` are content words (``identity.words``: filler dropped, everyday UI phrases
    already made one word). 1.0: every word that went has a related word in its place ("Delete
    user" -> "Remove user"); 0.0: none has ("Delete user" -> "Archive user"), or no word went.
    """
    gone = [i for i, w in enumerate(old) if w not in new]
    if not gone:
        return 0.0
    came = {i for i, w in enumerate(new) if w not in old}
    fresh = [u for u, at in _units(new) if at & came]
    covered: set[int] = set()
    for unit, at in _units(old):
        if at.isdisjoint(gone) or at <= covered:
            continue
        if any(related(unit, other) for other in fresh):
            covered |= at
    return sum(i in covered for i in gone) / len(gone)
