"""The lexicon: which everyday words mean the same (WordNet, restricted; pure, no browser)."""

from __future__ import annotations

import pytest

from pytest_irl.heal import lexicon
from pytest_irl.heal.identity import words


@pytest.mark.parametrize(
    ("a", "b"),
    [("begin", "start"), ("choose", "pick"), ("erase", "delete"), ("buy", "purchase"),
     ("show", "display"), ("reply", "answer")],
)
def test_words_that_mean_the_same_are_related(a: str, b: str) -> None:
    assert lexicon.related(a, b) and lexicon.related(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    # Other features a page puts in the element's place, and opposites: siblings under one
    # broader sense are not each other.
    [("delete", "archive"), ("share", "save"), ("print", "help"), ("upload", "download"),
     ("open", "close"), ("accept", "reject"), ("first", "last"), ("import", "export")],
)
def test_other_features_and_opposites_are_not_related(a: str, b: str) -> None:
    assert not lexicon.related(a, b)


def test_inflected_forms_find_their_base_word() -> None:
    assert lexicon.related("choosing", "picked")
    assert lexicon.related("answers", "replies")


def test_rewording_is_the_share_of_the_words_that_went_and_came_back_in_other_words() -> None:
    assert lexicon.rewording(words("Begin checkout"), words("Start checkout")) == 1.0
    assert lexicon.rewording(words("Begin checkout"), words("Archive checkout")) == 0.0
    assert lexicon.rewording(words("Choose a plan today"), words("Pick a plan tomorrow")) == 0.5
    # Nothing went: the words were only added to ("Begin" -> "Begin checkout").
    assert lexicon.rewording(words("Begin"), words("Begin checkout")) == 0.0
    # A phrase of two words can stand for one.
    assert lexicon.rewording(words("Go back to the list"), words("Return to the list")) == 1.0
    assert lexicon.rewording(words("Go back to the list"), words("Export to the list")) == 0.0


def test_without_the_table_every_word_is_unrelated(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setattr(lexicon, "LEXICON_FILE", tmp_path / "missing.txt.gz")
    for cached in (lexicon._table, lexicon._entry, lexicon.related):
        cached.cache_clear()
    try:
        assert not lexicon.related("begin", "start")
        assert lexicon.related("begin", "begin")  # the same word still is
    finally:
        monkeypatch.undo()
        for cached in (lexicon._table, lexicon._entry, lexicon.related):
            cached.cache_clear()
    assert lexicon.related("begin", "start")
