"""The calibrated decision on hand-made fingerprints: what generalises, and what must refuse."""

from __future__ import annotations

import json

import pytest

from pytest_irl.heal import Fingerprint, decide, look_alikes, rank, rank_by_hints, same_control
from pytest_irl.heal.affordance import able, can_take
from pytest_irl.heal.calibration import (
    FEATURES,
    BoostedTrees,
    DecisionModel,
    LogisticModel,
    default_model,
    explain,
)
from pytest_irl.heal.changes import named_changes
from pytest_irl.heal.drift import drift_suspected
from pytest_irl.heal.locator_hints import parse_locator


def button(text: str, **changes: object) -> Fingerprint:
    data: dict[str, object] = {
        "tag": "button", "type": "submit", "role": "button", "is_button": True,
        "text": text, "accessible_name": text,
        "classes": ["btn", "btn-primary"],
        "xpath": "/html/body/main/form/div[3]/button[1]",
        "css_path": "main > form > div:nth-of-type(3) > button:nth-of-type(1)",
        "box": {"x": 400, "y": 300, "width": 120, "height": 32},
        "neighbours": {"above": "Notify me by e-mail", "right": "Cancel"},
        "context": "Profile settings Display name Notify me by e-mail Save changes Cancel",
    }
    data.update(changes)
    return Fingerprint.model_validate(data)


def changed(fp: Fingerprint, **changes: object) -> Fingerprint:
    return Fingerprint.model_validate({**fp.model_dump(), **changes})


def link(text: str, **changes: object) -> Fingerprint:
    data: dict[str, object] = {
        "tag": "a", "role": "link", "is_link": True, "text": text, "accessible_name": text,
        "classes": ["small", "text-muted"], "href": "#",
        "xpath": "/html/body/main/form/p[1]/a", "css_path": "main > form > p:nth-of-type(1) > a",
        "box": {"x": 300, "y": 400, "width": 140, "height": 18},
        "neighbours": {"above": "Sign in"}, "context": "Login",
    }
    data.update(changes)
    return Fingerprint.model_validate(data)


def test_a_reworded_button_with_its_structure_kept_heals() -> None:
    # A designer rewords "Save changes" to "Keep changes" (a synonym no list of ours knows): its
    # id, form, classes, position and neighbours stayed.
    learned = button("Save changes", id="save-profile")
    cancel = button("Cancel", id="cancel-2b", classes=["btn", "btn-secondary"],
                    xpath="/html/body/main/form/div[3]/button[2]",
                    css_path="main > form > div:nth-of-type(3) > button:nth-of-type(2)",
                    box={"x": 530, "y": 300, "width": 80, "height": 32},
                    neighbours={"above": "Notify me by e-mail", "left": "Save changes"})
    learned = learned.model_copy(update={"look_alikes": look_alikes(learned, [cancel])})
    page = [
        link("Back to dashboard", xpath="/html/body/nav/a", css_path="nav > a"),
        button("Keep changes", id="save-profile",
               context="Profile settings Display name Notify me by e-mail Keep changes Cancel"),
        cancel.model_copy(update={"id": "cancel-9x"}),
    ]
    decision = decide(rank(learned, page), look_alikes=learned.look_alikes)
    assert decision.chosen is not None and decision.chosen.index == 1, decision.reason
    assert decision.confidence is not None and decision.confidence >= (decision.accept_at or 0)
    # The accessible name says the same as the text: one line, not two.
    assert named_changes(learned, decision.chosen.candidate) == ['text "Save changes" -> "Keep changes"']


def test_a_removed_target_refuses_when_its_look_alike_claims_its_counterpart() -> None:
    # "Forgot password?" is gone; "Forgot username?", learned as its look-alike, is still there.
    learned = link("Forgot password?", id="forgot-pw")
    sibling = link("Forgot username?", id="forgot-user", xpath="/html/body/main/form/p[2]/a",
                   css_path="main > form > p:nth-of-type(2) > a", box={"x": 300, "y": 424, "width": 140,
                                                                       "height": 18})
    learned = learned.model_copy(update={"look_alikes": look_alikes(learned, [sibling])})
    after = [changed(sibling, xpath="/html/body/main/form/p[1]/a",
                     css_path="main > form > p:nth-of-type(1) > a",
                     box={"x": 300, "y": 400, "width": 140, "height": 18}),
             button("Sign in")]
    decision = decide(rank(learned, after), look_alikes=learned.look_alikes)
    assert decision.chosen is None, decision.reason
    # The sibling is its own look-alike's counterpart and is set aside before choosing; the
    # unrelated button is left, and weighed too low.
    assert "1 set aside as learned look-alikes' counterparts" in decision.reason
    assert decision.confidence is not None and decision.confidence < 0.2, decision.reason


def test_without_look_alikes_a_conflicting_name_still_refuses() -> None:
    # "Forgot username?" was not on the learned page: no look-alike can claim it; the conflicting
    # name weighs against it (and, cold, refuses outright).
    learned = link("Forgot password?", id="forgot-pw")
    sibling = link("Forgot username?", id="forgot-user")
    with_pool = decide(rank(learned, [sibling]), look_alikes=[sibling])
    without = decide(rank(learned, [sibling]), look_alikes=[])
    assert with_pool.chosen is None and with_pool.reason.startswith("a learned look-alike")
    assert without.chosen is None and without.features["unidentified"] == 1.0
    assert "contrast" not in without.features


def test_a_label_and_its_control_are_one_candidate() -> None:
    learned = Fingerprint(tag="input", type="email", id="email", name="email", label="Email",
                          accessible_name="Email", is_input=True, xpath="/html/body/form/input[1]",
                          css_path="#email", context="Sign in Email Password")
    control = Fingerprint(tag="input", type="email", id="user-mail", name="email", label="Email",
                          accessible_name="Email", is_input=True, xpath="/html/body/form/div/input",
                          css_path="#user-mail", context="Sign in Email Password")
    label = Fingerprint(tag="label", text="Email", attrs={"for": "user-mail"},
                        xpath="/html/body/form/div/label", css_path="form > div > label",
                        context="Sign in Email Password")
    assert same_control(label, control) and same_control(control, label)
    assert not same_control(label, learned)
    # Nested: <label>Remember me <input type=checkbox></label>
    wrapper = Fingerprint(tag="label", text="Remember me", css_path="form > label")
    nested = Fingerprint(tag="input", type="checkbox", css_path="form > label > input")
    assert same_control(wrapper, nested)
    decision = decide(rank(learned, [label, control]))
    assert decision.chosen is not None and decision.chosen.candidate is control, decision.reason
    assert decision.features["alone"] == 1.0  # the label is not the runner-up


def test_drift_is_suspected_when_only_the_context_changed() -> None:
    # An identical "Add" button, same text and look, now in the next card / under another heading.
    learned = button("Add", context="Backlog 3 cards Add", neighbours={"above": "Backlog"})
    same = button("Add", context="Backlog 3 cards Add", neighbours={"above": "Backlog"})
    moved_card = button("Add", context="In progress 1 card Add", neighbours={"above": "Backlog"})
    moved_column = button("Add", context="Backlog 3 cards Add", neighbours={"above": "In progress"})
    assert not drift_suspected(learned, same)
    assert drift_suspected(learned, moved_card)
    assert drift_suspected(learned, moved_column)


def test_the_drifted_element_loses_to_the_one_in_the_learned_place() -> None:
    learned = button("Add", context="Backlog 3 cards Add", neighbours={"above": "Backlog"},
                     xpath="/html/body/main/div[1]/button")
    drifted = button("Add", context="In progress 1 card Add", neighbours={"above": "In progress"},
                     xpath="/html/body/main/div[1]/button")
    original = button("Add", context="Backlog 3 cards Add", neighbours={"above": "Backlog"},
                      xpath="/html/body/main/div[2]/button")
    decision = decide(rank(learned, [drifted, original]))
    assert decision.chosen is not None and decision.chosen.candidate is original, decision.reason


def test_the_operating_point_and_the_model_are_parameters() -> None:
    learned = button("Save changes", id="save")
    matches = rank(learned, [button("Save changes", id="save-2"), button("Cancel")])
    assert decide(matches).chosen is not None
    assert decide(matches, accept_at=1.0).chosen is None
    never = DecisionModel({s: LogisticModel({}, -20.0, 0.5) for s in ("fingerprint", "hints")})
    refused = decide(matches, model=never)
    assert refused.chosen is None and refused.reason.startswith("confidence 0.00 < 0.50")


def test_the_shipped_model_is_fitted_and_complete() -> None:
    model = default_model()
    assert model.meta.get("fitted") is True
    for source in ("fingerprint", "hints"):
        calibrated = model.for_source(source)
        if isinstance(calibrated, BoostedTrees):
            assert calibrated.names == FEATURES and len(calibrated.trees) >= 10
        else:
            assert set(calibrated.weights) == set(FEATURES)
        assert 0.5 <= calibrated.accept < 1.0


# Two trees on the log-odds scale: "score" splits at 0.5, then "conflicts" at 0 on the high side.
_TREES = {
    "kind": "trees", "names": ["score", "conflicts"], "base": -1.0, "accept": 0.6,
    "trees": [
        [[0, 0.5, 1, 2, 0.0], [-1, 0, 0, 0, -1.0], [1, 0.0, 3, 4, 1.0], [-1, 0, 0, 0, 2.0],
         [-1, 0, 0, 0, -0.5]],
        [[-1, 0, 0, 0, 0.25]],
    ],
}


def test_boosted_trees_walk_each_tree_and_add_the_leaves() -> None:
    trees = BoostedTrees.from_json(_TREES)
    assert trees.raw({"score": 0.4}) == pytest.approx(-1.0 - 1.0 + 0.25)
    assert trees.raw({"score": 0.9}) == pytest.approx(-1.0 + 2.0 + 0.25)  # no conflict: left at <= 0
    assert trees.raw({"score": 0.9, "conflicts": 0.33}) == pytest.approx(-1.0 - 0.5 + 0.25)
    assert 0.5 < trees.confidence({"score": 0.9}) < 1.0
    # What moved it: the splits along the path, per feature (they add up to leaf - root value).
    moved = trees.contributions({"score": 0.9, "conflicts": 0.33})
    assert moved == {"score": pytest.approx(1.0), "conflicts": pytest.approx(-1.5)}
    assert explain({"score": 0.9, "conflicts": 0.33}, trees).startswith("conflicts -1.5, score +1.0")
    assert BoostedTrees.from_json(json.loads(json.dumps(trees.to_json()))) == trees


def test_a_model_file_whose_trees_point_outside_is_refused() -> None:
    broken = {**_TREES, "trees": [[[0, 0.5, 1, 7, 0.0], [-1, 0, 0, 0, 1.0]]]}
    with pytest.raises(ValueError):
        BoostedTrees.from_json(broken)
    model = DecisionModel.from_json({"models": {"fingerprint": _TREES, "hints": _TREES}})
    assert isinstance(model.for_source("hints"), BoostedTrees)


def test_cold_heals_say_what_the_locator_asked_for_and_what_was_used() -> None:
    hints = parse_locator('internal:role=button[name="Save changes"i]')
    assert named_changes(hints, button("Update profile")) == [
        'accessible_name "Save changes" -> "Update profile"'
    ]
    assert named_changes(hints, button("Save changes now")) == []


def test_a_drifted_locator_on_another_element_is_told_apart_from_the_element_itself() -> None:
    from pytest_irl.heal.drift import another_element

    # A copied XPath now reaches the "Delete" of the row (a new column pushed it over): its own
    # name contradicts the learned "Edit".
    learned = button("Edit", context="Alice Admin Edit Delete", neighbours={"above": "Actions"})
    delete = button("Delete", context="Alice Admin Edit Delete", neighbours={"above": "Actions"})
    assert another_element(learned, delete) is not None
    # The same "Edit" in the next row, learned beside it as a look-alike.
    bob = button("Edit", context="Bob Editor Edit Delete", neighbours={"above": "Actions"})
    with_pool = learned.model_copy(update={"look_alikes": [bob]})
    assert another_element(with_pool, bob) is not None
    assert another_element(with_pool, learned) is None
    # Content-identical look-alikes tie with the learned element: refused, unless the page says
    # the locator still reaches the very node it was learned on (its surroundings changed value).
    plus = button("+", neighbours={"left": "1"}, node="k3:1")
    twin = button("+", neighbours={"left": "1"})
    still = button("+", neighbours={"left": "2"}, node="k3:1")
    assert another_element(plus.model_copy(update={"look_alikes": [twin]}), still) is None
    moved = still.model_copy(update={"node": "k3:2"})
    assert another_element(plus.model_copy(update={"look_alikes": [twin]}), moved) is not None
    # A new row's "Edit" (never learned): the page's best match, Alice's, resembles it more.
    carol = button("Edit", context="Carol Viewer Edit Delete", neighbours={"above": "Carol"},
                   css_path="tr:nth-of-type(3) > td > button", xpath="/html/body/table/tr[3]/td/button")
    best = rank(learned, [carol, learned])[0]
    assert best.candidate is learned
    assert another_element(learned, carol) is None
    assert another_element(learned, carol, best) is not None


def test_a_look_alike_claiming_its_own_row_leaves_the_element_alone() -> None:
    # "Edit" in Alice's row was learned; "Edit" in Bob's row is its look-alike. Alice's row text
    # is then edited (a new surname and role) and her button gets a generated id: on the row text
    # no row agrees with the learned one any more, so the two "Edit" buttons could not be told
    # apart. Bob's button is its own look-alike's counterpart and is set aside before choosing,
    # which leaves Alice's.
    def edit(row: int, context: str, **changes: object) -> Fingerprint:
        return button("Edit", classes=["btn", "btn-sm"], context=context, neighbours={"left": context[:20]},
                      xpath=f"/html/body/main/table/tbody/tr[{row}]/td[4]/button",
                      css_path=f"main > table > tbody > tr:nth-of-type({row}) > td:nth-of-type(4) > button",
                      box={"x": 600, "y": 200 + 40 * row, "width": 50, "height": 28}, **changes)

    learned = edit(1, "Alice Smith alice@example.com Editor Edit", id="edit-alice")
    bob = edit(2, "Bob Jones bob@example.com Viewer Edit", id="edit-bob")
    learned = learned.model_copy(update={"look_alikes": look_alikes(learned, [bob])})
    page = [edit(1, "Alice Smyth-Rowe alice@example.com Administrator Edit", id="edit-r4k"), bob]
    without = decide(rank(learned, page))
    assert without.chosen is None, without.reason
    decision = decide(rank(learned, page), look_alikes=learned.look_alikes)
    assert decision.chosen is not None and decision.chosen.index == 0, decision.reason
    assert "1 set aside as learned look-alikes' counterparts" in decision.reason


def _twin_links() -> tuple[Fingerprint, Fingerprint]:
    """The same "Help" link in the page header and in the footer: alike in everything but place."""
    header = link("Help", href="/help", context="", neighbours={"left": "Account"},
                  xpath="/html/body/header/nav/a[3]", css_path="header > nav > a:nth-of-type(3)",
                  box={"x": 900, "y": 20, "width": 40, "height": 18})
    footer = link("Help", href="/help", context="", neighbours={"left": "Privacy"},
                  xpath="/html/body/footer/p/a[2]", css_path="footer > p > a:nth-of-type(2)",
                  box={"x": 300, "y": 1400, "width": 40, "height": 18})
    return header, footer


def test_of_twins_the_one_left_in_the_learned_place_heals_and_the_other_refuses() -> None:
    # The footer's "Help" was learned; the header's is its look-alike, alike in content. Content
    # cannot say whose counterpart a "Help" link is; where each was can.
    header, footer = _twin_links()
    learned = footer.model_copy(update={"look_alikes": look_alikes(footer, [header])})
    # The header's link is removed and the locator (a copied XPath) breaks when the footer gains
    # a wrapper: the link left is the footer's own.
    moved = changed(footer, xpath="/html/body/footer/div/p/a[2]",
                    css_path="footer > div > p > a:nth-of-type(2)")
    kept = decide(rank(learned, [moved]), look_alikes=learned.look_alikes)
    assert kept.chosen is not None, kept.reason
    # The footer's link is removed instead: the header's is its look-alike's counterpart.
    gone = decide(rank(learned, [header]), look_alikes=learned.look_alikes)
    assert gone.chosen is None and gone.reason.startswith("a learned look-alike"), gone.reason


@pytest.mark.parametrize(
    ("action", "element", "takes"),
    [
        ("fill", {"tag": "input", "type": "email", "is_input": True}, True),
        ("fill", {"tag": "input", "is_input": True}, True),  # no type: a text input
        ("fill", {"tag": "textarea", "is_input": True}, True),
        ("fill", {"tag": "div", "attrs": {"contenteditable": "true"}, "is_input": True}, True),
        ("fill", {"tag": "input", "type": "checkbox", "is_input": True}, False),
        ("fill", {"tag": "select", "is_input": True}, False),
        ("fill", {"tag": "div", "id": "email-info"}, False),
        ("fill", {"tag": "button", "is_button": True}, False),
        ("check", {"tag": "input", "type": "radio", "is_input": True}, True),
        ("check", {"tag": "div", "role": "switch"}, True),
        ("check", {"tag": "button", "is_button": True}, False),
        ("select_option", {"tag": "select", "is_input": True}, True),
        ("select_option", {"tag": "input", "is_input": True}, False),
        ("fill", {"tag": "label", "text": "Email"}, True),  # Playwright fills the control it labels
        ("click", {"tag": "div"}, True),
        ("hover", {"tag": "span"}, True),
    ],
)
def test_a_heal_lands_only_on_an_element_that_can_take_the_action(
    action: str, element: dict[str, object], takes: bool
) -> None:
    assert can_take(action, Fingerprint.model_validate(element)) is takes


def test_a_cold_fill_is_not_healed_to_the_hint_beside_the_field() -> None:
    # "#description" broke when the textarea's id got a build suffix; the hint below it keeps the
    # old id as a prefix. On the locator's words the two tie; only the field can be filled.
    label = Fingerprint.model_validate({"tag": "label", "text": "Description",
                                        "attrs": {"for": "description-x7f3a"}})
    field = Fingerprint.model_validate({"tag": "textarea", "id": "description-x7f3a", "is_input": True,
                                        "role": "textbox", "label": "Description",
                                        "accessible_name": "Description"})
    hint = Fingerprint.model_validate({"tag": "div", "id": "description-info",
                                       "text": "You can enter up to 200 characters"})
    ranked = rank_by_hints(parse_locator("#description"), [label, field, hint])
    assert decide(ranked).chosen is None  # the hint is too close a runner-up
    decision = decide(able("fill", ranked))
    assert decision.chosen is not None and decision.chosen.candidate is field, decision.reason


def test_a_cold_id_heals_to_the_field_whose_form_name_it_spells() -> None:
    # "#contact-phone" broke when the build regenerated the field's id; the field still posts as
    # "contact-phone" (its name attribute: what the server receives), the field beside it as
    # "contact-email". Neither has a visible name of its own to go by.
    def field(id_: str, name: str, y: int) -> Fingerprint:
        return Fingerprint.model_validate({
            "tag": "input", "id": id_, "name": name, "is_input": True, "role": "textbox",
            "classes": ["govuk-input"], "box": {"x": 20, "y": y, "width": 300, "height": 40}})
    phone, email = field(":r4k:", "contact-phone", 100), field("contact-email", "contact-email", 200)
    decision = decide(rank_by_hints(parse_locator("#contact-phone"), [email, phone]))
    assert decision.chosen is not None and decision.chosen.candidate is phone, decision.reason
    # Only a form control's name is a field name: a div's name attribute says nothing of the kind.
    other = Fingerprint.model_validate({"tag": "div", "id": ":r5k:", "name": "contact-phone"})
    assert decide(rank_by_hints(parse_locator("#contact-phone"), [email, other])).chosen is None


def _textarea(placeholder: str, **changes: object) -> Fingerprint:
    data: dict[str, object] = {
        "tag": "textarea", "is_input": True, "role": "textbox", "placeholder": placeholder,
        "accessible_name": placeholder, "classes": ["form-control"],
        "xpath": "/html/body/main/form/div[2]/textarea",
        "css_path": "main > form > div:nth-of-type(2) > textarea",
        "box": {"x": 300, "y": 200, "width": 400, "height": 80}, "context": "Feedback",
        "neighbours": {"above": "Your message"},
    }
    data.update(changes)
    return Fingerprint.model_validate(data)


def test_the_only_field_with_its_placeholder_reworded_is_weighed_and_another_name_is_not() -> None:
    # No look-alike was learned (the form's only textarea). A placeholder reworded in other words
    # that mean the same is weighed by the model; one whose word became another thing is refused
    # outright, as before ("Describe the problem" -> "Describe the export").
    learned = _textarea("Describe the problem")
    reworded = decide(rank(learned, [_textarea("Describe the trouble")]), look_alikes=[])
    assert reworded.features["names_reworded"] == 1.0
    assert reworded.chosen is not None, reworded.reason
    other = decide(rank(learned, [_textarea("Describe the export")]), look_alikes=[])
    assert other.features["names_reworded"] == 0.0
    assert other.chosen is None and other.reason.startswith("no identity evidence"), other.reason


def test_a_look_alike_that_differed_only_in_its_id_ties_and_place_settles_it() -> None:
    # The same form twice on the page (sign-up at the top and the bottom), ids "email" and
    # "email-2". A release regenerates every id: content can no longer tell the two fields apart,
    # so where each one was does. Before, a tie with a look-alike that was not a twin of the
    # element refused the heal even for the field left in the learned place.
    def field(id_: str, y: int, section: int) -> Fingerprint:
        return Fingerprint.model_validate({
            "tag": "input", "type": "email", "is_input": True, "role": "textbox", "id": id_,
            "name": "email", "label": "Email address", "accessible_name": "Email address",
            "classes": ["form-control"], "context": "Sign up for news",
            "xpath": f"/html/body/section[{section}]/form/input",
            "css_path": f"section:nth-of-type({section}) > form > input",
            "box": {"x": 300, "y": y, "width": 300, "height": 32},
        })
    top, bottom = field("email", 200, 1), field("email-2", 1600, 4)
    learned = top.model_copy(update={"look_alikes": look_alikes(top, [bottom])})
    page = [changed(top, id="f-83ka2"), changed(bottom, id="f-19dq7")]
    decision = decide(rank(learned, page), look_alikes=learned.look_alikes)
    assert decision.chosen is not None and decision.chosen.index == 0, decision.reason
    # The top form is removed: the bottom one's field is its look-alike's counterpart.
    gone = decide(rank(learned, [changed(bottom, id="f-19dq7")]), look_alikes=learned.look_alikes)
    assert gone.chosen is None, gone.reason
