"""The pure list-healing core (heal/sets.py) and the pure helpers around it: no browser."""

from __future__ import annotations

import time

from pytest_irl.assertions import kind_of, names_content
from pytest_irl.engine.lists import list_prefixes, python_chain
from pytest_irl.heal.sets import SetFingerprint, decide_set, rank_sets, selector_tokens

LEARNED = SetFingerprint(
    count=2, item_tag="li", item_role="listitem", item_classes=["todo"],
    item_texts=["Buy milk", "Write report"], item_shape=["button", "input", "span"], depth=1,
    container_tag="ul", container_id="todo-list",
    container_role="list", container_label="Todo items", heading="Todos", container_css="#todo-list",
    selector="#todo-list > li.todo", carries=["id:todo-list", "class:todo"],
)
SELECTOR = "#todo-list li"


def renamed(**changes: object) -> SetFingerprint:
    """The learned list after its container's id became a class."""
    base = LEARNED.model_copy(update={
        "container_id": "", "container_classes": ["todo-list"], "container_css": "ul.todo-list",
        "selector": "ul.todo-list > li.todo", "carries": ["class:todo-list", "class:todo"],
    })
    return base.model_copy(update=changes)


NAV = SetFingerprint(
    count=3, item_tag="li", item_role="listitem", item_texts=["Home", "Settings", "Help"], item_shape=["a"],
    depth=1, container_tag="ul", container_classes=["menu"], container_role="list", heading="",
    selector="ul.menu > li", carries=["class:menu"],
)


def test_identical_ranks_first_and_scores_fall_as_the_set_diverges() -> None:
    same = rank_sets(LEARNED, [LEARNED])[0]
    assert same.score > 0.99 and same.identified
    scores = [rank_sets(LEARNED, [c])[0].score for c in (
        renamed(), renamed(item_texts=["Buy milk", "Call the bank"]), renamed(item_texts=["x", "y"]), NAV)]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1] + 0.3
    ranked = rank_sets(LEARNED, [NAV, renamed()])
    assert ranked[0].candidate.selector == "ul.todo-list > li.todo"


def test_a_renamed_list_is_healed() -> None:
    decision = decide_set(LEARNED, rank_sets(LEARNED, [NAV, renamed()]), SELECTOR, on_page=[])
    assert decision.accepted and decision.chosen is not None
    assert decision.chosen.candidate.selector == "ul.todo-list > li.todo"
    assert "id:todo-list gone" in decision.reason
    # Fewer items and other texts (another state of the same list) still heal.
    other_state = renamed(count=1, item_texts=["Call the bank"])
    assert decide_set(LEARNED, rank_sets(LEARNED, [NAV, other_state]), SELECTOR, on_page=[]).accepted


def test_an_empty_or_filtered_list_is_never_healed() -> None:
    # The container is still there as learned: the items are gone (an empty or filtered list).
    unchanged = LEARNED.model_copy(update={"item_texts": ["Buy milk"], "count": 1})
    refused = decide_set(LEARNED, rank_sets(LEARNED, [unchanged]), "#todo-list li.completed",
                         on_page=["id:todo-list"])
    assert not refused.accepted and "container is there unchanged" in refused.reason
    there = decide_set(LEARNED, rank_sets(LEARNED, [renamed()]), SELECTOR, on_page=[], container_there=True)
    assert not there.accepted
    # Nothing the locator names has gone from the page: no evidence of a rename.
    kept = decide_set(LEARNED, rank_sets(LEARNED, [renamed()]), SELECTOR, on_page=["id:todo-list"])
    assert not kept.accepted and "nothing the locator names" in kept.reason
    roles = decide_set(LEARNED, rank_sets(LEARNED, [renamed()]), "internal:role=listitem", on_page=[])
    assert not roles.accepted


def test_refusals_weak_ambiguous_unidentified_and_none() -> None:
    assert decide_set(LEARNED, [], SELECTOR, on_page=[]).reason == "no candidate list on the page"
    weak = decide_set(LEARNED, rank_sets(LEARNED, [NAV]), SELECTOR, on_page=[])
    assert not weak.accepted and "below threshold" in weak.reason and weak.top
    twin = renamed(selector="ul.todo-list-2 > li.todo")
    ambiguous = decide_set(LEARNED, rank_sets(LEARNED, [renamed(), twin]), SELECTOR, on_page=[])
    assert not ambiguous.accepted and "ambiguous" in ambiguous.reason and len(ambiguous.top) == 2
    stranger = renamed(container_classes=["entries"], container_label="", heading="Other",
                       item_texts=["Alpha", "Beta"])
    unidentified = decide_set(LEARNED, rank_sets(LEARNED, [stranger]), SELECTOR, on_page=[], threshold=0.3)
    assert not unidentified.accepted and "no identity evidence" in unidentified.reason


def test_selector_tokens_are_the_names_a_locator_relies_on() -> None:
    assert selector_tokens("#todo-list li") == ["id:todo-list"]
    assert selector_tokens("#todo-list li >> nth=0 >> .toggle") == ["id:todo-list", "class:toggle"]
    assert selector_tokens('internal:testid=[data-testid="task-item"s] >> internal:has-text="Buy"i') == [
        "testid:task-item"]
    assert selector_tokens('ul.items > li[data-state="x.y"]:not(.done)') == ["class:items", "class:done"]
    assert selector_tokens('internal:role=button[name="Save.pdf"i]') == []


def test_list_prefixes_are_the_lists_a_chain_narrows() -> None:
    assert list_prefixes("#cart li >> nth=0 >> .remove") == ["#cart li"]
    assert list_prefixes('#cart li >> internal:has-text="Milk"i >> .remove') == ["#cart li"]
    assert list_prefixes("#cart li") == []
    assert list_prefixes("#a li >> nth=1 >> span >> nth=0") == ["#a li >> nth=1 >> span", "#a li"]
    assert list_prefixes("iframe >> internal:control=enter-frame >> li >> nth=0") == []


def test_a_follower_is_suggested_the_way_the_test_wrote_it() -> None:
    assert python_chain("ul.cart > li", " >> nth=1 >> .remove") == (
        'page.locator("ul.cart > li").nth(1).locator(".remove")')
    assert python_chain("ul.cart > li", ' >> internal:has-text="Milk"i') == (
        'page.locator("ul.cart > li").filter(has_text="Milk")')
    assert python_chain("ul.cart > li", " >> internal:has-text=/M/i") == (
        'page.locator("ul.cart > li >> internal:has-text=/M/i")')


def test_which_matchers_heal() -> None:
    assert kind_of("to.have.text", {"isNot": False}) == "element"
    assert kind_of("to.have.text", {"isNot": True}) is None
    assert kind_of("to.be.hidden", {"isNot": False}) is None
    assert kind_of("to.have.count", {"isNot": False, "expectedNumber": 2}) == "list"
    assert kind_of("to.have.count", {"isNot": False, "expectedNumber": 0}) is None
    assert kind_of("to.have.text.array", {"isNot": False, "expectedText": [{"string": "a"}]}) == "list"
    assert kind_of("to.have.text.array", {"isNot": False, "expectedText": []}) is None
    assert names_content('internal:text="Saved"i') and names_content('#list li >> internal:has-text="a"i')
    assert names_content('internal:role=button[name="Save"i]') and not names_content("#todo-count")


def test_ranking_a_thousand_candidate_sets_is_fast() -> None:
    candidates = [renamed(selector=f"ul.l{i} > li", container_classes=[f"l{i}"], item_texts=[f"t{i}"])
                  for i in range(1000)]
    t0 = time.perf_counter()
    decide_set(LEARNED, rank_sets(LEARNED, candidates), SELECTOR, on_page=[])
    assert time.perf_counter() - t0 < 1.0
