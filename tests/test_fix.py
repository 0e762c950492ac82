"""Applying healed locators to test sources (pure: temporary files only, no browser)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pytest_irl.fix import Fix, Outcome, Plan, plan, unified_diff, write

ROLE = 'page.get_by_role("button", name="Sign in")'
ROLE_SELECTOR = 'internal:role=button[name="Log in"i]'


def source(tmp_path: Path, text: str, name: str = "test_app.py") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def fix(line: int, selector: str = "#old", suggested: str = ROLE, path: str = "test_app.py") -> Fix:
    return Fix(path, line, selector, suggested)


def only(result: Plan) -> Outcome:
    assert len(result.outcomes) == 1
    return result.outcomes[0]


def new_text(result: Plan) -> str:
    assert len(result.files) == 1
    return result.files[0].new_text


def test_action_keeps_its_call(tmp_path: Path) -> None:
    source(tmp_path, 'def test_x(page):\n    page.locator("#old").click()\n')
    result = plan([fix(2)], tmp_path)
    assert only(result).applied and only(result).reason == ""
    assert only(result).before == 'page.locator("#old")' and only(result).after == ROLE
    assert new_text(result) == f"def test_x(page):\n    {ROLE}.click()\n"


def test_expect_argument(tmp_path: Path) -> None:
    source(tmp_path, 'def test_x(page):\n    expect(page.locator("#old")).to_have_text("x")\n')
    result = plan([fix(2)], tmp_path)
    assert new_text(result) == f'def test_x(page):\n    expect({ROLE}).to_have_text("x")\n'


def test_assignment(tmp_path: Path) -> None:
    source(tmp_path, 'def test_x(page):\n    btn = page.get_by_text("Log in")\n    btn.click()\n')
    result = plan([fix(2, 'internal:text="Log in"i', 'page.get_by_test_id("submit")')], tmp_path)
    assert new_text(result) == 'def test_x(page):\n    btn = page.get_by_test_id("submit")\n    btn.click()\n'


@pytest.mark.parametrize(
    ("prelude", "base"),
    [
        ("", "popup"),
        ("", "admin_page"),
        ("", "loginPage"),
        ('    tab.goto("https://example.com")\n', "tab"),
    ],
)
def test_page_like_bases_are_renamed(tmp_path: Path, prelude: str, base: str) -> None:
    source(tmp_path, f'def test_x({base}):\n{prelude}    {base}.locator("#old").click()\n')
    line = 3 if prelude else 2
    result = plan([fix(line)], tmp_path)
    assert only(result).applied
    assert f'    {base}.get_by_role("button", name="Sign in").click()\n' in new_text(result)


def test_self_page(tmp_path: Path) -> None:
    source(
        tmp_path,
        'class TestLogin:\n    def test_x(self):\n        self.page.locator("#old").fill("me")\n',
    )
    result = plan([fix(3, suggested='page.get_by_label("User")')], tmp_path)
    assert only(result).applied
    assert 'self.page.get_by_label("User").fill("me")' in new_text(result)


def test_frame_locator_chain(tmp_path: Path) -> None:
    source(tmp_path, 'def test_x(page):\n    page.frame_locator("#pay").locator("#cc").fill("4242")\n')
    suggested = 'page.frame_locator("#checkout").get_by_label("Card number")'
    result = plan([fix(2, "#pay >> internal:control=enter-frame >> #cc", suggested)], tmp_path)
    assert new_text(result) == f'def test_x(page):\n    {suggested}.fill("4242")\n'


def test_whole_chain_with_nested_locator_is_one_locator(tmp_path: Path) -> None:
    source(
        tmp_path,
        'def test_x(page):\n    page.locator("li").filter(has=page.get_by_text("Pear")).first.click()\n',
    )
    result = plan([fix(2, 'li >> internal:has="internal:text=\\"Pear\\"i" >> nth=0')], tmp_path)
    assert only(result).before == 'page.locator("li").filter(has=page.get_by_text("Pear")).first'
    assert new_text(result) == f"def test_x(page):\n    {ROLE}.click()\n"


def test_two_fixes_in_one_file_and_two_on_one_line(tmp_path: Path) -> None:
    source(
        tmp_path,
        "def test_x(page):\n"
        '    page.locator("#user").fill("me")\n'
        '    expect(page.locator("#a")).to_have_text(page.locator("#b").inner_text())\n'
        '    page.get_by_role("button", name="Log in").click()\n',
    )
    result = plan(
        [
            fix(3, "#b", 'page.get_by_test_id("b")'),
            fix(2, "#user", 'page.get_by_label("User")'),
            fix(4, ROLE_SELECTOR, ROLE),
            fix(3, "#a", 'page.get_by_test_id("a")'),
        ],
        tmp_path,
    )
    assert [o.applied for o in result.outcomes] == [True, True, True, True]
    assert new_text(result) == (
        "def test_x(page):\n"
        '    page.get_by_label("User").fill("me")\n'
        '    expect(page.get_by_test_id("a")).to_have_text(page.get_by_test_id("b").inner_text())\n'
        f"    {ROLE}.click()\n"
    )


def test_longest_explained_literal_wins(tmp_path: Path) -> None:
    source(
        tmp_path,
        'def test_x(page):\n    page.locator("#login").hover(); page.locator("#login-btn").click()\n',
    )
    result = plan([fix(2, "#login-btn")], tmp_path)
    assert only(result).before == 'page.locator("#login-btn")'


def test_undecidable_line_is_ambiguous(tmp_path: Path) -> None:
    source(tmp_path, 'def test_x(page):\n    page.locator("#a").click(); page.locator("#a").click()\n')
    result = plan([fix(2, "#a")], tmp_path)
    assert not only(result).applied and only(result).reason.startswith("ambiguous")
    assert not result.files[0].changed


def test_same_location_twice_applies_once(tmp_path: Path) -> None:
    source(tmp_path, 'def test_x(page):\n    page.locator("#old").click()\n')
    result = plan([fix(2), fix(2)], tmp_path)
    assert [o.applied for o in result.outcomes] == [True, False]
    assert result.outcomes[1].reason == "duplicate"
    assert new_text(result) == f"def test_x(page):\n    {ROLE}.click()\n"


def test_disagreeing_heals_of_one_call_site_are_all_skipped(tmp_path: Path) -> None:
    source(tmp_path, 'def test_x(page):\n    page.locator("#old").click()\n')
    low = Fix("test_app.py", 2, "#old", 'page.get_by_text("Sign in")', score=0.4)
    high = Fix("test_app.py", 2, "#old", ROLE, score=0.9)
    result = plan([low, high], tmp_path)
    assert [o.applied for o in result.outcomes] == [False, False]
    assert not result.files[0].changed
    [disagreement] = result.disagreements
    assert disagreement.suggestions == (
        ('page.get_by_text("Sign in")', ("test_app.py:2",)),
        (ROLE, ("test_app.py:2",)),
    )


@pytest.mark.parametrize(
    ("line_text", "reason"),
    [
        ('    card.locator("#old").click()', "receiver `card` is not page-like"),
        ('    page.main_frame.locator("#old").click()', "receiver `page.main_frame` is not page-like"),
        ("    assert True", "no locator chain on line 2"),
        ('    page.locator("#other").click()', "the locator on line 2 does not match the recorded selector"),
        (f"    {ROLE}.click()", "already applied"),
    ],
)
def test_skips_with_reason(tmp_path: Path, line_text: str, reason: str) -> None:
    source(tmp_path, f"def test_x(page, card):\n{line_text}\n")
    result = plan([fix(2)], tmp_path)
    assert only(result).applied is False
    assert only(result).reason == reason
    assert not result.files[0].changed


def test_locator_from_a_parameter_is_skipped(tmp_path: Path) -> None:
    source(tmp_path, "def test_x(page, sel):\n    page.locator(sel).click()\n")
    result = plan([fix(2)], tmp_path)
    assert only(result).reason == (
        "the healed part `.locator(sel)` varies between calls (`sel` is a parameter):"
        " a rewrite would replace it with the value of one call"
    )
    assert not result.files[0].changed


def test_missing_file_and_line_out_of_range(tmp_path: Path) -> None:
    source(tmp_path, 'def test_x(page):\n    page.locator("#old").click()\n')
    result = plan([fix(2, path="test_gone.py"), fix(3), fix(0)], tmp_path)
    reasons = [o.reason for o in result.outcomes]
    assert reasons == [
        "file not found: test_gone.py",
        "line 3 is out of range (the file has 2 lines)",
        "line 0 is out of range (the file has 2 lines)",
    ]
    assert not any(o.applied for o in result.outcomes)
    assert unified_diff(result) == ""


def test_bad_suggestion_is_skipped(tmp_path: Path) -> None:
    source(tmp_path, 'def test_x(page):\n    page.locator("#old").click()\n')
    result = plan([fix(2, suggested="page.get_by_role(")], tmp_path)
    assert only(result).reason == "suggestion is not a one-line locator on `page`"


def test_unicode_before_the_chain(tmp_path: Path) -> None:
    text = 'def test_x(page):\n    s = "héllo 🙂"; page.locator("#old").click()  # ünï\n'
    source(tmp_path, text)
    result = plan([fix(2)], tmp_path)
    assert new_text(result) == f'def test_x(page):\n    s = "héllo 🙂"; {ROLE}.click()  # ünï\n'


def test_multi_line_chain_becomes_one_line(tmp_path: Path) -> None:
    source(tmp_path, 'def test_x(page):\n    page.locator(\n        "#old"\n    ).click()\n')
    result = plan([fix(4)], tmp_path)
    assert new_text(result) == f"def test_x(page):\n    {ROLE}.click()\n"


def test_multi_line_chain_with_comment_is_skipped(tmp_path: Path) -> None:
    source(tmp_path, 'def test_x(page):\n    page.locator(\n        "#old"  # the old one\n    ).click()\n')
    result = plan([fix(2)], tmp_path)
    assert only(result).reason == "comment inside a multi-line locator chain"


def test_crlf_is_kept(tmp_path: Path) -> None:
    path = source(tmp_path, 'def test_x(page):\r\n    x = 1\r\n    page.locator("#old").click()\r\n')
    result = plan([fix(3)], tmp_path)
    assert write(result) == [path]
    assert path.read_bytes() == f"def test_x(page):\r\n    x = 1\r\n    {ROLE}.click()\r\n".encode()


def test_absolute_path_and_location(tmp_path: Path) -> None:
    path = source(tmp_path, 'def test_x(page):\n    page.locator("#old").click()\n')
    made = Fix.from_location(f"{path}:2", "#old", ROLE)
    assert made == Fix(str(path), 2, "#old", ROLE)
    assert plan([made], tmp_path / "elsewhere").outcomes[0].applied
    with pytest.raises(ValueError):
        Fix.from_location("test_app.py", "#old", ROLE)


def test_diff_format(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    source(tmp_path, 'def test_x(page):\n    page.locator("#old").click()\n', "tests/test_a.py")
    source(tmp_path, 'def test_y(page):\n    page.locator("#old").click()', "tests/test_b.py")
    result = plan([fix(2, path="tests/test_a.py"), fix(2, path="tests/test_b.py")], tmp_path)
    assert unified_diff(result) == (
        "--- a/tests/test_a.py\n"
        "+++ b/tests/test_a.py\n"
        "@@ -1,2 +1,2 @@\n"
        " def test_x(page):\n"
        '-    page.locator("#old").click()\n'
        f"+    {ROLE}.click()\n"
        "--- a/tests/test_b.py\n"
        "+++ b/tests/test_b.py\n"
        "@@ -1,2 +1,2 @@\n"
        " def test_y(page):\n"
        '-    page.locator("#old").click()\n'
        "\\ No newline at end of file\n"
        f"+    {ROLE}.click()\n"
        "\\ No newline at end of file\n"
    )


def test_write_only_changed_files_then_idempotent(tmp_path: Path) -> None:
    changed = source(tmp_path, 'def test_x(page):\n    page.locator("#old").click()\n', "test_a.py")
    untouched = source(tmp_path, 'def test_y(card):\n    card.locator("#old").click()\n', "test_b.py")
    before = untouched.stat().st_mtime_ns
    fixes = [fix(2, path="test_a.py"), fix(2, path="test_b.py")]
    assert write(plan(fixes, tmp_path)) == [changed]
    assert untouched.stat().st_mtime_ns == before
    assert ast.parse(changed.read_text(encoding="utf-8"))

    again = plan(fixes, tmp_path)
    assert [o.reason for o in again.outcomes] == ["already applied", "receiver `card` is not page-like"]
    assert not any(f.changed for f in again.files)
    assert unified_diff(again) == "" and write(again) == []


def test_stale_plan_is_not_written(tmp_path: Path) -> None:
    path = source(tmp_path, 'def test_x(page):\n    page.locator("#old").click()\n')
    result = plan([fix(2)], tmp_path)
    path.write_text('def test_x(page):\n    page.locator("#old").click()\n    pass\n', encoding="utf-8")
    assert write(result) == []
    assert "#old" in path.read_text(encoding="utf-8")


def test_unparsable_file_is_skipped(tmp_path: Path) -> None:
    source(tmp_path, 'def test_x(page):\n    page.locator("#old").click(\n')
    assert only(plan([fix(2)], tmp_path)).reason == "file does not parse"


def test_content_frame_and_nth_are_part_of_the_chain(tmp_path: Path) -> None:
    source(
        tmp_path, 'def test_x(page):\n    page.locator("iframe").content_frame.locator("li").nth(2).click()\n'
    )
    result = plan([fix(2, "iframe >> internal:control=enter-frame >> li >> nth=2")], tmp_path)
    assert only(result).before == 'page.locator("iframe").content_frame.locator("li").nth(2)'
    assert new_text(result) == f"def test_x(page):\n    {ROLE}.click()\n"


def test_byte_order_mark_is_kept(tmp_path: Path) -> None:
    path = source(tmp_path, '\ufeffdef test_x(page):\n    page.locator("#old").click()\n')
    assert write(plan([fix(2)], tmp_path)) == [path]
    assert path.read_bytes() == f"\ufeffdef test_x(page):\n    {ROLE}.click()\n".encode()


def test_result_that_would_not_parse_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pytest_irl.fix.planner as planner

    monkeypatch.setattr(planner, "_parses", lambda text: False)
    path = source(tmp_path, 'def test_x(page):\n    page.locator("#old").click()\n')
    result = plan([fix(2)], tmp_path)
    assert only(result).reason == "the result would not parse"
    assert not result.files[0].changed and write(result) == []
    assert "#old" in path.read_text(encoding="utf-8")
