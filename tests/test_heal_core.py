"""Pure healing core: fingerprints, ranking, decisions, locator hints and suggestions (no browser)."""

from __future__ import annotations

import json

import pytest

from pytest_irl.heal import (
    DEFAULT_MARGIN,
    DEFAULT_THRESHOLD,
    Fingerprint,
    LocatorHints,
    decide,
    hint_score,
    parse_locator,
    rank,
    suggest_locator,
)
from pytest_irl.heal.locator_hints import rank_by_hints
from pytest_irl.heal.similarity import text_similarity, tokenize


def login_button(**changes: object) -> Fingerprint:
    base: dict[str, object] = {
        "tag": "button",
        "id": "btn-login-x7f3a",
        "classes": ["btn", "btn-primary", "css-1x2y3z"],
        "type": "submit",
        "role": "button",
        "accessible_name": "Sign in",
        "text": "Sign in",
        "test_ids": {},
        "xpath": "/html/body/main/form/button",
        "id_xpath": '//*[@id="btn-login-x7f3a"]',
        "box": {"x": 496, "y": 55, "width": 57, "height": 21},
        "is_button": True,
        "neighbours": {"above": "Welcome back", "left": "Password", "right": "Forgot password?"},
        "context": "Login",
    }
    base.update(changes)
    return Fingerprint.model_validate(base)


def other_button(text: str, **changes: object) -> Fingerprint:
    data: dict[str, object] = {
        "tag": "button",
        "classes": ["btn", "btn-secondary"],
        "type": "button",
        "role": "button",
        "accessible_name": text,
        "text": text,
        "xpath": "/html/body/main/form/button[1]",
        "box": {"x": 430, "y": 55, "width": 60, "height": 21},
        "is_button": True,
        "neighbours": {"above": "Welcome back", "left": "Password", "right": "Sign in"},
        "context": "Login",
    }
    data.update(changes)
    return Fingerprint.model_validate(data)


# --- fingerprint model -------------------------------------------------------------------------


def test_fingerprint_reads_camel_case_json_and_round_trips() -> None:
    raw = {
        "tag": "INPUT",
        "accessibleName": "Email",
        "testIds": {"data-testid": "email", "data-qa": 7},
        "idXpath": '//*[@id="f"]/input',
        "xpath": "/html/body/form/input",
        "cssPath": "#f > input",
        "isInput": True,
        "framePath": ["#frame"],
        "box": {"x": 1, "y": 2, "width": 3, "height": 4},
        "neighbours": {"left": "Email"},
        "unknownFutureKey": 1,
    }
    fp = Fingerprint.model_validate(raw)
    assert fp.tag == "input"
    assert fp.accessible_name == "Email"
    assert fp.test_ids == {"data-testid": "email", "data-qa": "7"}
    assert fp.is_input and fp.visible and fp.enabled
    assert fp.neighbours.left == "Email" and fp.neighbours.above == ""
    dumped = fp.to_json_dict()
    assert dumped["accessibleName"] == "Email" and dumped["framePath"] == ["#frame"]
    assert Fingerprint.model_validate(json.loads(json.dumps(dumped))) == fp
    # Python names work too, and an empty fingerprint is valid.
    assert Fingerprint(accessible_name="x").accessible_name == "x"
    assert Fingerprint().box is None


def test_missing_id_xpath_defaults_to_xpath_and_text_is_collapsed() -> None:
    fp = Fingerprint.model_validate({"xpath": "/html/body/a", "text": "  Sign \n in  " + "x" * 300})
    assert fp.id_xpath == "/html/body/a"
    assert fp.text.startswith("Sign in x") and len(fp.text) <= 200


def test_tokenizer_marks_generated_fragments() -> None:
    assert tokenize("btn-login-x7f3a") == ["button", "login", "#x7f3a"]
    assert tokenize("loginBtn") == tokenize("login-button")
    assert tokenize("loginButton") == ["login", "button"]
    assert tokenize("jsx-3512638811") == ["jsx", "#3512638811"]
    assert text_similarity("btn-login-x7f3a", "btn-login-k2j9q") > 0.7
    assert text_similarity("btn-login-x7f3a", "btn-signup-x7f3a") < 0.6


# --- ranking -------------------------------------------------------------------------------------


def test_identical_element_ranks_first_with_score_one() -> None:
    ref = login_button()
    candidates = [other_button("Cancel"), login_button(), other_button("Sign up")]
    matches = rank(ref, candidates)
    assert matches[0].index == 1
    assert matches[0].score == pytest.approx(1.0)
    assert sum(matches[0].breakdown.values()) == pytest.approx(matches[0].score, abs=1e-6)
    assert all(0.0 <= m.score <= 1.0 for m in matches)


def test_score_falls_monotonically_as_attributes_diverge() -> None:
    ref = login_button()
    steps = [
        login_button(),
        login_button(id="btn-login-k2j9q", id_xpath='//*[@id="btn-login-k2j9q"]'),
        login_button(
            id="btn-login-k2j9q",
            id_xpath='//*[@id="btn-login-k2j9q"]',
            text="Sign in now",
            accessible_name="Sign in now",
        ),
        login_button(
            id="btn-login-k2j9q",
            id_xpath='//*[@id="btn-login-k2j9q"]',
            text="Sign in now",
            accessible_name="Sign in now",
            classes=["btn", "btn-outline"],
        ),
        login_button(
            id="submit",
            id_xpath='//*[@id="submit"]',
            text="Continue",
            accessible_name="Continue",
            classes=["btn", "btn-outline"],
            box={"x": 100, "y": 400, "width": 120, "height": 40},
        ),
        login_button(
            id="submit",
            id_xpath='//*[@id="submit"]',
            text="Continue",
            accessible_name="Continue",
            classes=["link"],
            box={"x": 100, "y": 400, "width": 120, "height": 40},
            tag="a",
            role="link",
            is_button=False,
            is_link=True,
            type="",
            neighbours={"above": "Footer"},
            context="Footer",
        ),
    ]
    scores = [m.score for m in sorted(rank(ref, steps), key=lambda m: m.index)]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) == len(scores), scores


def test_regenerated_id_and_hash_class_still_rank_the_right_element_first() -> None:
    ref = login_button()
    healed = login_button(
        id="btn-login-k2j9q",
        id_xpath='//*[@id="btn-login-k2j9q"]',
        classes=["btn", "btn-primary", "css-9q8w7e"],
        xpath="/html/body/main/form/button[2]",
        box={"x": 520, "y": 80, "width": 57, "height": 21},
    )
    candidates = [other_button("Sign up"), healed, other_button("Create account", context="New here?")]
    decision = decide(rank(ref, candidates))
    assert decision.chosen is not None and decision.chosen.index == 1
    assert decision.chosen.breakdown["id"] > 0  # partial credit for the surviving id tokens


def test_attributes_missing_on_both_sides_do_not_count() -> None:
    sparse = Fingerprint(tag="a", text="Docs", role="link", is_link=True)
    assert rank(sparse, [Fingerprint(tag="a", text="Docs", role="link", is_link=True)])[0].score == 1.0
    # One-sided attributes do count (here: the candidate has an id the reference lacks).
    assert rank(sparse, [Fingerprint(tag="a", text="Docs", role="link", is_link=True, id="x")])[0].score < 1.0


def test_ranking_is_deterministic_and_ties_keep_document_order() -> None:
    ref = login_button()
    twins = [other_button("Sign up"), other_button("Sign up"), other_button("Sign up")]
    first = rank(ref, twins)
    assert [m.index for m in first] == [0, 1, 2]
    assert [(m.index, m.score) for m in rank(ref, twins)] == [(m.index, m.score) for m in first]


def test_custom_weights_change_the_balance() -> None:
    ref = login_button()
    cand = login_button(text="Other", accessible_name="Other")
    default = rank(ref, [cand])[0].score
    text_heavy = rank(ref, [cand], weights={"text": 10.0, "accessible_name": 10.0})[0].score
    assert text_heavy < default


# --- decisions -----------------------------------------------------------------------------------


def test_no_candidates_is_refused_with_reason() -> None:
    decision = decide(rank(login_button(), []))
    assert decision.chosen is None
    assert decision.reason == "no candidates"
    assert decision.top == []


def test_best_below_threshold_is_refused() -> None:
    ref = login_button()
    decision = decide(rank(ref, [other_button("Sign up"), other_button("Register")]))
    assert decision.chosen is None
    assert (
        decision.reason.startswith("best score ")
        and f"below threshold {DEFAULT_THRESHOLD:.2f}" in decision.reason
    )
    assert len(decision.top) == 2


def test_two_equal_look_alikes_are_refused_never_picked() -> None:
    ref = login_button()
    twin = login_button(xpath="/html/body/main/form/button[2]")
    decision = decide(rank(ref, [login_button(xpath="/html/body/main/form/button[1]"), twin]))
    assert decision.chosen is None
    assert decision.reason.startswith("ambiguous: ")
    assert f"(margin {DEFAULT_MARGIN:.2f})" in decision.reason


def test_margin_and_threshold_are_parameters() -> None:
    ref = login_button()
    matches = rank(ref, [login_button(), other_button("Sign up")])
    assert decide(matches).chosen is not None
    assert decide(matches, margin=0.9).chosen is None
    assert decide(matches, threshold=1.01).chosen is None
    only = decide(rank(ref, [login_button()]))
    assert only.chosen is not None and "only candidate" in only.reason
    assert only.to_dict()["chosen"] == 0


def test_top_holds_the_best_three() -> None:
    ref = login_button()
    cands = [other_button(t) for t in ("A", "Sign in", "B", "Sign up", "C")]
    decision = decide(rank(ref, cands))
    assert len(decision.top) == 3
    assert [m.score for m in decision.top] == sorted((m.score for m in decision.top), reverse=True)


# --- locator hints -------------------------------------------------------------------------------
# Literal selectors as Playwright builds them (playwright/_impl/isomorphic/locator_utils.py and
# string_utils.py): get_by_* -> internal:* with JSON-quoted text plus an i/s flag for exact.


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ('internal:role=button[name="Log in"i]', {"role": "button", "name": {"value": "Log in"}}),
        (
            'internal:role=button[name="Log in"s]',
            {"role": "button", "name": {"value": "Log in", "exact": True}},
        ),
        (
            "internal:role=heading[level=2][name=/log ?in/i]",
            {
                "role": "heading",
                "role_props": {"level": "2"},
                "name": {"value": "log ?in", "regex": True, "flags": "i"},
            },
        ),
        ("internal:role=checkbox[checked=true]", {"role": "checkbox", "role_props": {"checked": "true"}}),
        ('internal:role=button[name="say \\"hi\\""i]', {"role": "button", "name": {"value": 'say "hi"'}}),
        ('internal:text="Sign in"i', {"text": {"value": "Sign in"}}),
        ('internal:text="Sign in"s', {"text": {"value": "Sign in", "exact": True}}),
        ('internal:label="Email"i', {"label": {"value": "Email"}}),
        ('internal:attr=[placeholder="Search"i]', {"placeholder": {"value": "Search"}}),
        ('internal:attr=[title="x"i]', {"title": {"value": "x"}}),
        ('internal:attr=[alt="x"s]', {"alt": {"value": "x", "exact": True}}),
        (
            'internal:testid=[data-testid="submit"s]',
            {"test_id": {"value": "submit", "exact": True}, "test_id_attr": "data-testid"},
        ),
        ("#login-btn", {"ids": ["login-btn"], "css": "#login-btn"}),
        (
            ".card .btn-primary",
            {"classes": ["btn-primary"], "css": ".card .btn-primary", "scopes": [".card"]},
        ),
        (
            "button.primary[name=go]",
            {
                "tags": ["button"],
                "classes": ["primary"],
                "attributes": {"name": "go"},
                "css": "button.primary[name=go]",
            },
        ),
        ("xpath=/html/body/div[2]/button", {"tags": ["button"], "xpath": "/html/body/div[2]/button"}),
        ("//button[@id='x']", {"tags": ["button"], "ids": ["x"], "xpath": "//button[@id='x']"}),
        ('text="Exact"', {"text": {"value": "Exact", "exact": True}}),
        ("id=foo", {"ids": ["foo"]}),
        ("data-testid=bar", {"test_id": {"value": "bar", "exact": True}, "test_id_attr": "data-testid"}),
        (
            'button:has-text("Go")',
            {"tags": ["button"], "has_text": [{"value": "Go"}], "css": 'button:has-text("Go")'},
        ),
    ],
)
def test_parse_single_clause_selectors(selector: str, expected: dict[str, object]) -> None:
    hints = parse_locator(selector)
    assert hints.selector == selector
    assert hints.model_dump(exclude_defaults=True, exclude={"selector"}) == expected


def test_parse_chains_nth_and_has_text() -> None:
    hints = parse_locator('internal:text="x"i >> nth=0 >> internal:has-text="y"i')
    assert hints.text is not None and hints.text.value == "x"
    assert hints.nth == 0
    assert [h.value for h in hints.has_text] == ["y"]


def test_parse_nested_json_selectors() -> None:
    has = parse_locator('div >> internal:has="internal:text=\\"a \\\\\\"q\\\\\\"\\"i"')
    assert has.tags == ["div"]
    assert has.has == ['internal:text="a \\"q\\""i']
    assert parse_locator(has.has[0]).text.value == 'a "q"'  # type: ignore[union-attr]

    both = parse_locator('a >> internal:and=".b" >> internal:or="internal:testid=[data-testid=\\"c\\"s]"')
    assert both.tags == ["a"] and both.classes == ["b"]
    assert both.alternatives[0].test_id is not None and both.alternatives[0].test_id.value == "c"

    chained = parse_locator('.card >> internal:chain="internal:attr=[alt=\\"x\\"i]"')
    assert chained.alt is not None and chained.alt.value == "x"
    assert chained.scopes == [".card"]


def test_parse_frames_and_locator_repr() -> None:
    framed = parse_locator('#f >> internal:control=enter-frame >> internal:label="Email"i')
    assert framed.frames == ["#f"]
    assert framed.label is not None and framed.label.value == "Email"
    printed = "<Locator frame=<Frame name= url='about:blank'> selector='internal:role=button[name=\"Hi\"i]'>"
    hints = parse_locator(printed)
    assert hints.role == "button" and hints.name is not None and hints.name.value == "Hi"
    assert hints.selector == 'internal:role=button[name="Hi"i]'

    class FakeImpl:
        _selector = 'internal:label="Name"s'

    class FakeLocator:
        _impl_obj = FakeImpl()

    assert parse_locator(FakeLocator()).label.exact is True  # type: ignore[union-attr]


def test_parse_css_list_is_an_or_and_garbage_never_raises() -> None:
    hints = parse_locator("a, button.x")
    assert hints.tags == ["a"]
    assert hints.alternatives[0].tags == ["button"] and hints.alternatives[0].classes == ["x"]
    for junk in ("", ">>", "internal:role=", 'internal:text="unterminated', "[[[", "nth=abc", "xpath="):
        assert isinstance(parse_locator(junk), LocatorHints)


def test_selectors_match_playwright_builders_when_available() -> None:
    utils = pytest.importorskip("playwright._impl.isomorphic.locator_utils")
    assert utils.get_by_role_selector("button", name="Log in") == 'internal:role=button[name="Log in"i]'
    assert utils.get_by_text_selector("Sign in", exact=True) == 'internal:text="Sign in"s'
    assert utils.get_by_label_selector("Email") == 'internal:label="Email"i'
    assert utils.get_by_placeholder_selector("Search") == 'internal:attr=[placeholder="Search"i]'
    assert utils.get_by_test_id_selector("data-testid", "submit") == 'internal:testid=[data-testid="submit"s]'


def test_hint_score_strategies() -> None:
    sign_in = login_button(id="login-button", test_ids={"data-testid": "login"})
    cancel = other_button("Cancel", id="cancel")
    email = Fingerprint(
        tag="input", role="textbox", label="Email", placeholder="you@example.com", is_input=True
    )

    role = parse_locator('internal:role=button[name="Sign in"i]')
    assert hint_score(role, sign_in).score == 1.0
    assert hint_score(role, cancel).score < 0.7
    assert hint_score(role, email, strategy="role").score < 0.3

    reworded = parse_locator('internal:text="Sign in now"s')
    assert (
        hint_score(reworded, sign_in, strategy="text").score
        > hint_score(reworded, cancel, strategy="text").score
    )

    by_id = parse_locator("#login-btn")
    scored = hint_score(by_id, sign_in, strategy="attribute")
    assert 0.5 < scored.score < 1.0 and set(scored.breakdown) == {"id"}
    assert hint_score(by_id, sign_in, strategy="text").score == 0.0  # nothing textual was asked

    assert hint_score(parse_locator('internal:label="email"i'), email).score == 1.0
    assert hint_score(parse_locator('internal:testid=[data-testid="login"s]'), sign_in).score == 1.0

    ranked = rank_by_hints(parse_locator('internal:role=button[name="Sign  in"s]'), [cancel, email, sign_in])
    assert ranked[0].candidate is sign_in
    assert decide(ranked).chosen is not None


def test_hint_score_takes_the_best_or_branch() -> None:
    email = Fingerprint(tag="input", role="textbox", label="Email", is_input=True)
    either = parse_locator('internal:text="nope"i >> internal:or="internal:label=\\"Email\\"i"')
    assert hint_score(either, email).score == 1.0


# --- suggestions ---------------------------------------------------------------------------------


def test_suggest_prefers_role_and_name() -> None:
    fp = login_button(test_ids={"data-testid": "login"}, label="")
    s = suggest_locator(fp)
    assert s.python == 'page.get_by_role("button", name="Sign in")'
    assert s.selector == 'internal:role=button[name="Sign in"i]'
    assert s.strategy == "role" and s.unique


def test_suggest_uses_exact_then_falls_through_the_preference_order() -> None:
    fp = login_button(test_ids={"data-testid": "login"})
    longer = other_button("Sign in with Google")
    s = suggest_locator(fp, unique_among=[fp, longer])
    assert s.python == 'page.get_by_role("button", name="Sign in", exact=True)'
    assert s.selector == 'internal:role=button[name="Sign in"s]'

    twin = login_button(test_ids={"data-testid": "login-2"}, id="other")
    s = suggest_locator(fp, unique_among=[fp, twin])
    assert s.python == 'page.get_by_test_id("login")'
    assert s.selector == 'internal:testid=[data-testid="login"s]'
    assert s.checked_against == 1


def test_suggest_label_placeholder_text_id_css_order() -> None:
    field = Fingerprint(
        tag="input",
        role="textbox",
        accessible_name="Email",
        label="Email",
        placeholder="you@example.com",
        id="email",
        is_input=True,
    )
    same_name = Fingerprint(tag="input", role="textbox", accessible_name="Email", is_input=True)
    assert suggest_locator(field, unique_among=[same_name]).python == 'page.get_by_label("Email")'
    same_label = same_name.model_copy(update={"label": "Email"})
    s = suggest_locator(field, unique_among=[same_label])
    assert s.python == 'page.get_by_placeholder("you@example.com")'
    assert s.selector == 'internal:attr=[placeholder="you@example.com"i]'
    same_placeholder = same_label.model_copy(update={"placeholder": "you@example.com"})
    assert suggest_locator(field, unique_among=[same_placeholder]).python == 'page.locator("#email")'

    para = Fingerprint(tag="p", role="paragraph", text="Welcome back")
    s = suggest_locator(para, unique_among=[Fingerprint(tag="h1", role="heading", accessible_name="Hi")])
    assert s.python == 'page.get_by_text("Welcome back")' and s.selector == 'internal:text="Welcome back"i'

    hashed = Fingerprint(tag="button", id="btn-x7f3a9", classes=["primary", "css-1x2y3z"], role="button")
    assert suggest_locator(hashed).python == 'page.locator("button.primary")'


def test_suggest_falls_back_to_the_css_path_when_nothing_is_unique() -> None:
    a = Fingerprint(
        tag="button", text="Add", role="button", accessible_name="Add", css_path="#row-1 > button"
    )
    b = a.model_copy(update={"css_path": "#row-2 > button"})
    s = suggest_locator(a, unique_among=[a, b])
    assert s.strategy == "path" and s.selector == "#row-1 > button"
    assert s.python == 'page.locator("#row-1 > button")'


def test_suggest_scopes_frames_and_quotes_strings() -> None:
    fp = Fingerprint(tag="button", role="button", accessible_name='Say "hi"', frame_path=["#outer", "iframe"])
    elsewhere = fp.model_copy(update={"frame_path": []})
    s = suggest_locator(fp, unique_among=[elsewhere])
    assert (
        s.python
        == 'page.frame_locator("#outer").frame_locator("iframe").get_by_role("button", name="Say \\"hi\\"")'
    )
    assert s.selector == (
        "#outer >> internal:control=enter-frame >> iframe >> internal:control=enter-frame"
        ' >> internal:role=button[name="Say \\"hi\\""i]'
    )
    qa = Fingerprint(tag="div", test_ids={"data-qa": "menu"})
    assert suggest_locator(qa).python == 'page.locator("[data-qa=\\"menu\\"]")'
