"""`irl fix` rewrites a healed locator where it is defined, once, and never flattens what varies
(pure: real files in a temporary folder, no browser)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from pytest_irl.fix import Fix, Plan, plan, skipped_report, unified_diff, write

LIST = '[data-testid="task-list"] > li.task'
LIST_CODE = 'page.locator("[data-testid=\\"task-list\\"] > li.task")'
ADD_ROLE = 'page.get_by_role("button", name="Add")'


def suite(tmp_path: Path, text: str, name: str = "test_tasks.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def line_of(path: Path, needle: str, nth: int = 0) -> int:
    lines = [i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in text]
    return lines[nth]


def new_text(result: Plan) -> str:
    assert len(result.files) == 1
    return result.files[0].new_text


def changed_lines(result: Plan) -> list[str]:
    return [line for line in unified_diff(result).splitlines()
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


CONSTANT_SUITE = """
    from playwright.sync_api import expect

    TASKS = "#task-list li"  # every row of the list


    def open_tasks(page, *titles):
        for title in titles:
            page.locator("#new-task").fill(title)
            expect(page.locator(TASKS).filter(has_text=title)).to_have_count(1)


    def test_two(page):
        open_tasks(page, "Buy milk", "Write report")
        expect(page.locator(TASKS)).to_have_count(2)
        page.locator(TASKS).nth(0).locator(".toggle").check()
"""


def test_constant_is_rewritten_once_and_the_loop_variable_is_kept(tmp_path: Path) -> None:
    path = suite(tmp_path, CONSTANT_SUITE)
    fixes = [
        Fix(path.name, line_of(path, "has_text=title"), '#task-list li >> internal:has-text="Buy milk"i',
            f'{LIST_CODE}.filter(has_text="Buy milk")'),
        Fix(path.name, line_of(path, "to_have_count(2)"), "#task-list li", LIST_CODE),
        Fix(path.name, line_of(path, ".toggle"), "#task-list li >> nth=0 >> .toggle",
            f'{LIST_CODE}.first.locator(".toggle")'),
    ]
    result = plan(fixes, tmp_path)
    assert [o.applied for o in result.outcomes] == [True, True, True]
    assert {o.definition for o in result.outcomes} == {f"{path.name}:3"}
    # One line changes: the constant, with its comment; every call site stays as written.
    assert changed_lines(result) == [
        '-TASKS = "#task-list li"  # every row of the list',
        "+TASKS = '[data-testid=\"task-list\"] > li.task'  # every row of the list",
    ]
    assert "expect(page.locator(TASKS).filter(has_text=title)).to_have_count(1)" in new_text(result)


def test_the_issue_example_never_flattens_the_loop_variable(tmp_path: Path) -> None:
    # The heal recorded in the loop names one iteration's title; the rewrite must not.
    path = suite(tmp_path, CONSTANT_SUITE)
    heal = Fix(path.name, line_of(path, "has_text=title"), '#task-list li >> internal:has-text="Buy milk"i',
               f'{LIST_CODE}.filter(has_text="Buy milk")')
    text = new_text(plan([heal], tmp_path))
    assert "Buy milk" not in text.split("def test_two")[0]
    assert "filter(has_text=title)" in text


def test_a_loop_variable_that_is_the_healed_part_is_skipped(tmp_path: Path) -> None:
    path = suite(tmp_path, """
        def test_x(page):
            for field in ["#user", "#email"]:
                page.locator(field).fill("me")
    """)
    result = plan([Fix(path.name, 3, "#user", 'page.get_by_label("User")')], tmp_path)
    [outcome] = result.outcomes
    assert not outcome.applied
    assert outcome.reason == ("the healed part `.locator(field)` varies between calls (`field` is a loop"
                              " variable): a rewrite would replace it with the value of one call")
    assert not result.files[0].changed


PAGE_OBJECT_SUITE = """
    import pytest
    from playwright.sync_api import Page, expect

    TASKS = "#task-list li"


    class TasksPage:
        COUNTER = "#task-count"

        def __init__(self, page: Page) -> None:
            self.page = page
            self.add_button = page.locator('#add-task')  # the form's submit button
            self.tasks = page.locator(TASKS)

        @property
        def counter(self):
            return self.page.locator(self.COUNTER)

        def add(self, title):
            self.add_button.click()
            expect(self.tasks.filter(has_text=title)).to_have_count(1)

        def task(self, index):
            return self.tasks.nth(index)


    @pytest.fixture
    def board(page: Page) -> TasksPage:
        return TasksPage(page)


    def test_fixture(board: TasksPage) -> None:
        board.add("Buy milk")
        expect(board.counter).to_have_text("1 item left")
        board.task(0).locator(".delete").click()


    def test_local(page: Page) -> None:
        tasks = TasksPage(page)
        tasks.add_button.click()
        expect(tasks.tasks).to_have_count(0)
"""


def test_page_object_init_attribute_class_attribute_and_constant(tmp_path: Path) -> None:
    path = suite(tmp_path, PAGE_OBJECT_SUITE)
    fixes = [
        Fix(path.name, line_of(path, "self.add_button.click()"), "#add-task", ADD_ROLE),
        Fix(path.name, line_of(path, "tasks.add_button.click()"), "#add-task", ADD_ROLE),
        Fix(path.name, line_of(path, "board.counter"), "#task-count", 'page.get_by_test_id("task-count")'),
        Fix(path.name, line_of(path, ".delete"), "#task-list li >> nth=0 >> .delete",
            f'{LIST_CODE}.first.locator(".delete")'),
        Fix(path.name, line_of(path, "has_text=title"), '#task-list li >> internal:has-text="Buy milk"i',
            f'{LIST_CODE}.filter(has_text="Buy milk")'),
    ]
    result = plan(fixes, tmp_path)
    assert [o.reason for o in result.outcomes] == [""] * 5
    assert changed_lines(result) == [
        '-TASKS = "#task-list li"',
        "+TASKS = '[data-testid=\"task-list\"] > li.task'",
        '-    COUNTER = "#task-count"',
        "+    COUNTER = '[data-testid=\"task-count\"]'",
        "-        self.add_button = page.locator('#add-task')  # the form's submit button",
        '+        self.add_button = page.get_by_role("button", name="Add")  # the form\'s submit button',
    ]
    path.write_text(new_text(result), encoding="utf-8")
    again = plan(fixes, tmp_path)
    assert {o.reason for o in again.outcomes} == {"already applied"}


def test_default_argument_fixture_return_and_helper(tmp_path: Path) -> None:
    path = suite(tmp_path, """
        import pytest

        ROWS = "#task-list li"


        def row(page, title):
            return page.locator(ROWS).filter(has_text=title)


        def fill_title(page, title, field="#new-task"):
            page.locator(field).fill(title)


        @pytest.fixture
        def save(page):
            return page.locator("#save")


        def test_x(page, save):
            fill_title(page, "Buy milk")
            row(page, "Buy milk").click()
            save.click()
    """)
    fixes = [
        Fix(path.name, line_of(path, "page.locator(field)"), "#new-task", 'page.get_by_placeholder("Title")'),
        Fix(path.name, line_of(path, 'row(page, "Buy milk")'),
            '#task-list li >> internal:has-text="Buy milk"i',
            'page.locator("li.task").filter(has_text="Buy milk")'),
        Fix(path.name, line_of(path, "save.click()"), "#save", 'page.get_by_role("button", name="Save")'),
    ]
    result = plan(fixes, tmp_path)
    assert [o.reason for o in result.outcomes] == ["", "", ""]
    assert changed_lines(result) == [
        '-ROWS = "#task-list li"',
        '+ROWS = "li.task"',
        '-def fill_title(page, title, field="#new-task"):',
        "+def fill_title(page, title, field='internal:attr=[placeholder=\"Title\"i]'):",
        '-    return page.locator("#save")',
        '+    return page.get_by_role("button", name="Save")',
    ]


def test_fstring_placeholder_in_the_healed_part_is_skipped_not_flattened(tmp_path: Path) -> None:
    path = suite(tmp_path, """
        def test_x(page):
            for n in range(3):
                page.locator(f"#task-{n} .title").click()
    """)
    result = plan([Fix(path.name, 3, "#task-0 .title", 'page.get_by_test_id("task-0-title")')], tmp_path)
    [outcome] = result.outcomes
    assert not outcome.applied and "an f-string with placeholder `n`" in outcome.reason
    assert not result.files[0].changed


def test_fstring_placeholder_outside_the_healed_part_is_kept(tmp_path: Path) -> None:
    path = suite(tmp_path, """
        TASKS = "#task-list li"


        def test_x(page):
            for n in range(3):
                page.locator(TASKS).filter(has_text=f"Task {n}").click()
    """)
    heal = Fix(path.name, 6, '#task-list li >> internal:has-text="Task 2"i',
               'page.locator("li.task").filter(has_text="Task 2")')
    result = plan([heal], tmp_path)
    assert result.outcomes[0].applied
    assert changed_lines(result) == ['-TASKS = "#task-list li"', '+TASKS = "li.task"']
    assert 'filter(has_text=f"Task {n}")' in new_text(result)


def test_disagreeing_heals_of_one_constant_are_all_listed_and_skipped(tmp_path: Path) -> None:
    path = suite(tmp_path, CONSTANT_SUITE)
    first, second = line_of(path, "to_have_count(2)"), line_of(path, ".toggle")
    fixes = [
        Fix(path.name, first, "#task-list li", LIST_CODE),
        Fix(path.name, second, "#task-list li >> nth=0 >> .toggle",
            'page.locator("ul.tasks > li").first.locator(".toggle")'),
        Fix(path.name, line_of(path, "#new-task"), "#new-task", 'page.get_by_label("New task")'),
    ]
    result = plan(fixes, tmp_path)
    assert [o.applied for o in result.outcomes] == [False, False, True]
    assert changed_lines(result) == [
        '-        page.locator("#new-task").fill(title)',
        '+        page.get_by_label("New task").fill(title)',
    ]
    [disagreement] = result.disagreements
    assert disagreement.definition == f'{path.name}:3 `TASKS = "#task-list li"  # every row of the list`'
    assert disagreement.suggestions == (
        ("'[data-testid=\"task-list\"] > li.task'", (f"{path.name}:{first}",)),
        ('"ul.tasks > li"', (f"{path.name}:{second}",)),
    )
    report = skipped_report(result)
    assert report == [
        f"skipped {path.name}:{first}: heals of {disagreement.definition} disagree (listed below)",
        f"skipped {path.name}:{second}: heals of {disagreement.definition} disagree (listed below)",
        f"disagreeing heals of {disagreement.definition}:",
        f"  '[data-testid=\"task-list\"] > li.task'  <- {path.name}:{first}",
        f'  "ul.tasks > li"  <- {path.name}:{second}',
    ]


def test_agreeing_heals_of_one_definition_make_one_rewrite(tmp_path: Path) -> None:
    path = suite(tmp_path, CONSTANT_SUITE)
    fixes = [Fix(path.name, line_of(path, "to_have_count(2)"), "#task-list li", LIST_CODE, score=0.9),
             Fix(path.name, line_of(path, "to_have_count(2)"), "#task-list li", LIST_CODE, score=0.9)]
    result = plan(fixes, tmp_path)
    assert [o.reason for o in result.outcomes] == ["", "duplicate"]
    assert len(changed_lines(result)) == 2


def test_file_changed_since_the_run_is_refused(tmp_path: Path) -> None:
    path = suite(tmp_path, CONSTANT_SUITE)
    recorded = hashlib.sha256(path.read_bytes()).hexdigest()
    heal = Fix.from_location(f"{path.name}:{line_of(path, 'to_have_count(2)')}", "#task-list li", LIST_CODE,
                             source_sha256=recorded)
    assert plan([heal], tmp_path).outcomes[0].applied  # the file as it was run

    path.write_text("# edited since\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    result = plan([heal], tmp_path)
    [outcome] = result.outcomes
    assert not outcome.applied and outcome.reason.startswith("the file changed since the run that healed it")
    assert write(result) == [] and path.read_text(encoding="utf-8").startswith("# edited since")


def test_unresolvable_definitions_are_skipped_with_their_reason(tmp_path: Path) -> None:
    path = suite(tmp_path, """
        from pages import TASKS

        ROW = "#row"
        ROW = "#row-2"


        class Board:
            def __init__(self, page):
                self.page = page
                self.tasks = page.locator("#task-list li")


        def test_x(page):
            page.locator(TASKS).click()
            page.locator(ROW).click()
            Board(page).tasks.locator(".delete").click()
    """)
    fixes = [
        Fix(path.name, line_of(path, "locator(TASKS)"), "#task-list li", LIST_CODE),
        Fix(path.name, line_of(path, "locator(ROW)"), "#row-2", 'page.get_by_test_id("row")'),
        Fix(path.name, line_of(path, ".delete"), "#task-list li >> .delete",
            'page.get_by_role("button", name="Delete")'),
    ]
    reasons = [o.reason for o in plan(fixes, tmp_path).outcomes]
    assert reasons[0] == ("the healed part `.locator(TASKS)` cannot be followed to where it is written"
                          " (`TASKS` is imported from `pages`, which is not a file of the project)")
    assert "(`ROW` is assigned in more than one place)" in reasons[1]
    assert reasons[2] == ('the healed part is built in more than one place (`page.locator("#task-list li")`'
                          ' and `.locator(".delete")`): no single definition to rewrite')


def test_definitions_in_imported_modules_and_conftest_fixtures(tmp_path: Path) -> None:
    (tmp_path / "tests" / "pages").mkdir(parents=True)
    suite(tmp_path, """
        TASKS = "#task-list li"
    """, "tests/pages/selectors.py")
    suite(tmp_path, """
        from playwright.sync_api import Page

        from .selectors import TASKS


        class TasksPage:
            def __init__(self, page: Page) -> None:
                self.page = page
                self.add_button = page.locator("#add-task")
                self.tasks = page.locator(TASKS)
    """, "tests/pages/__init__.py")
    suite(tmp_path, """
        import pytest

        from pages import TasksPage


        @pytest.fixture
        def board(page):
            return TasksPage(page)
    """, "tests/conftest.py")
    suite(tmp_path, """
        from playwright.sync_api import expect


        def test_x(board):
            board.add_button.click()
            expect(board.tasks.filter(has_text="Buy milk")).to_have_count(1)
    """, "tests/test_board.py")
    fixes = [
        Fix("tests/test_board.py", 5, "#add-task", ADD_ROLE),
        Fix("tests/test_board.py", 6, '#task-list li >> internal:has-text="Buy milk"i',
            f'{LIST_CODE}.filter(has_text="Buy milk")'),
    ]
    result = plan(fixes, tmp_path)
    assert [(o.reason, o.definition) for o in result.outcomes] == [
        ("", "tests/pages/__init__.py:9"), ("", "tests/pages/selectors.py:1"),
    ]
    assert not result.files[0].changed  # the test file: its call sites stay as written
    assert changed_lines(result) == [
        '-        self.add_button = page.locator("#add-task")',
        f"+        self.add_button = {ADD_ROLE}",
        '-TASKS = "#task-list li"',
        "+TASKS = '[data-testid=\"task-list\"] > li.task'",
    ]
    assert write(result) == [tmp_path / "tests/pages/__init__.py", tmp_path / "tests/pages/selectors.py"]

    # A definition in another file that changed after the run is left alone.
    selectors = tmp_path / "tests/pages/selectors.py"
    os.utime(selectors, (2_000_000_000, 2_000_000_000))
    late = Fix("tests/test_board.py", 6, '#task-list li >> internal:has-text="Buy milk"i',
               'page.locator("li.task").filter(has_text="Buy milk")', seen_at=1_900_000_000)
    [outcome] = plan([late], tmp_path).outcomes
    assert outcome.reason.startswith("tests/pages/selectors.py changed since the run that healed it")


def test_quotes_and_formatting_survive(tmp_path: Path) -> None:
    path = suite(tmp_path, """
        SAVE = (
            '#save'  # the toolbar's
        )


        def test_x(page):
            page.locator(SAVE).click(
                timeout=1_000,
            )
    """)
    result = plan([Fix(path.name, 7, "#save", 'page.locator("button.save")')], tmp_path)
    assert new_text(result) == path.read_text(encoding="utf-8").replace("'#save'", "'button.save'")


def test_the_plugin_does_not_import_libcst() -> None:
    code = "import sys, pytest_irl.plugin, pytest_irl.cli; sys.exit('libcst' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


def _record_heals(url: str, heals: list[tuple[str, str, str, str | None]]) -> None:
    """One stored run whose steps healed (location, original, suggested, sourceSha256)."""
    import uuid

    from pytest_irl.models import SelfHealing, Step, TestRun
    from pytest_irl.store import Database

    steps = [
        Step(step_number=n, action="click", selector=original, location=location, source_sha256=sha,
             self_healing=SelfHealing(strategy="list", original_selector=original, healed_selector=suggested,
                                      suggested_locator=suggested, score=0.9))
        for n, (location, original, suggested, sha) in enumerate(heals, 1)
    ]
    with Database(url) as db:
        session_id = uuid.uuid4()
        db.upsert_session({"id": session_id, "started_at": "2026-11-30T10:00:00Z", "args": ["--irl"]})
        db.create_test_run(TestRun(session_id=session_id, nodeid="test_tasks.py::test_two", status="passed",
                                   steps=steps))


def test_cli_prints_the_diff_the_skipped_sites_and_the_disagreements(
    tmp_path: Path, service_db_url: str
) -> None:
    path = suite(tmp_path, CONSTANT_SUITE)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    first, second = line_of(path, "to_have_count(2)"), line_of(path, ".toggle")
    new_task = line_of(path, "#new-task")
    _record_heals(service_db_url, [
        (f"{path.name}:{first}", "#task-list li", LIST_CODE, sha),
        (f"{path.name}:{second}", "#task-list li >> nth=0 >> .toggle",
         'page.locator("ul.tasks > li").first.locator(".toggle")', sha),
        (f"{path.name}:{new_task}", "#new-task", 'page.get_by_label("New task")', sha),
    ])

    def irl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pytest_irl.cli", "--db", service_db_url, "fix", *args],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120)

    shown = irl()
    assert shown.returncode == 0, shown.stderr
    assert '+        page.get_by_label("New task").fill(title)' in shown.stdout
    assert "\n-TASKS" not in shown.stdout and "\n+TASKS" not in shown.stdout
    definition = f'{path.name}:3 `TASKS = "#task-list li"  # every row of the list`'
    # The store gives heals of one run in no set order: the lines are compared as a set.
    lines = shown.stderr.splitlines()
    assert sorted(lines) == sorted([
        f"skipped {path.name}:{second}: heals of {definition} disagree (listed below)",
        f"skipped {path.name}:{first}: heals of {definition} disagree (listed below)",
        f"disagreeing heals of {definition}:",
        f'  "ul.tasks > li"  <- {path.name}:{second}',
        f"  '[data-testid=\"task-list\"] > li.task'  <- {path.name}:{first}",
    ])
    assert lines.index(f"disagreeing heals of {definition}:") == 2  # the suggestions follow it

    path.write_text(path.read_text(encoding="utf-8") + "\n# edited after the run\n", encoding="utf-8")
    refused = irl("--write")
    assert "rewrote" not in refused.stdout and "#new-task" in path.read_text(encoding="utf-8")
    assert f"skipped {path.name}:{new_task}: the file changed since the run that healed it" in refused.stderr


def test_a_healed_step_records_the_hash_of_its_file(tmp_path: Path) -> None:
    from pytest_irl.engine.recorder import RunRecorder
    from pytest_irl.models import SelfHealing, Step, TestRun

    path = suite(tmp_path, CONSTANT_SUITE)
    run = TestRun(session_id="00000000-0000-4000-8000-000000000001", nodeid="t")
    heal = SelfHealing(strategy="list", original_selector="#task-list li", healed_selector="li.task")
    run.steps = [Step(step_number=1, action="click", location=f"{path.name}:12", self_healing=heal),
                 Step(step_number=2, action="click", location=f"{path.name}:13")]
    recorder = RunRecorder(run, root=str(tmp_path))
    recorder.finish_values()
    healed, plain = (step.to_json() for step in run.steps)
    assert healed["sourceSha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "sourceSha256" not in plain
