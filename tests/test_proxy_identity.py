"""Every Playwright object that reaches test code is the wrapped one, and the same one each time
(issue #16, points 2 and 3): event callbacks, ``expect_*`` values and predicates,
``wait_for_event``, the objects events carry, and pages from ``browser.new_page()``. A real
Chromium, no database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Page, Request

from pytest_irl.engine.layer import Layer
from pytest_irl.proxy import (
    IrlBrowserContext,
    IrlConsoleMessage,
    IrlDialog,
    IrlDownload,
    IrlFrame,
    IrlPage,
    IrlRequest,
    IrlResponse,
    _listener_for,
    wrap,
)

HOST = "http://app.irl.test"
FORM = (
    '<input id="name" placeholder="Your name">'
    '<button id="save" onclick="console.log(\'saved\')">Save</button>'
)
OPENER = '<a id="open" href="/popup" target="_blank">open</a>'



def _serve(context: BrowserContext) -> None:
    bodies = {f"{HOST}/": OPENER + FORM, f"{HOST}/popup": FORM}

    def fulfill(route: Any) -> None:
        if route.request.url.endswith("/file.txt"):
            route.fulfill(body="data", headers={"Content-Disposition": "attachment; filename=file.txt"})
        else:
            route.fulfill(content_type="text/html", body=bodies.get(route.request.url, "<p>404</p>"))

    context.route(f"{HOST}/**", fulfill)


@pytest.fixture
def irl_context(context: BrowserContext, layer: Layer) -> BrowserContext:
    _serve(context)
    return wrap(context, layer)


@pytest.fixture
def irl_page(irl_context: BrowserContext) -> Page:
    return irl_context.new_page()


def _steps(layer: Layer) -> list[tuple[str, str | None]]:
    assert layer.current is not None
    return [(s.action, s.selector) for s in layer.current.run.steps]


def test_load_callback_gets_the_test_page_itself(irl_page: Page, layer: Layer) -> None:
    seen: list[Any] = []

    def on_load(p: Page) -> None:
        seen.append(p)
        p.irl_marked = True  # type: ignore[attr-defined]  # as py-shiny marks a crashed page

    irl_page.on("load", on_load)
    irl_page.on("domcontentloaded", lambda: seen.append("no argument"))  # Playwright passes none
    irl_page.goto(f"{HOST}/")
    irl_page.wait_for_load_state("load")
    assert seen[0] == "no argument" and seen[1] is irl_page
    assert irl_page.irl_marked is True  # type: ignore[attr-defined]


def test_popup_is_one_object_from_every_source(irl_page: Page, irl_context: BrowserContext,
                                               layer: Layer) -> None:
    from_page: list[Page] = []
    from_context: list[Page] = []
    from_predicate: list[Page] = []
    # Lambdas: Playwright keeps its handler on the callback, which a builtin like list.append
    # cannot hold (refused with or without the layer).
    irl_page.on("popup", lambda p: from_page.append(p))
    irl_context.on("page", lambda p: from_context.append(p))
    irl_page.goto(f"{HOST}/")

    def predicate(p: Page) -> bool:
        from_predicate.append(p)
        return True

    with irl_page.expect_popup(predicate=predicate) as info:
        irl_page.locator("#open").click()
    popup = info.value
    popup.wait_for_load_state()
    assert type(popup) is IrlPage and info.value is popup
    assert from_page == [popup] and from_context == [popup] and from_predicate == [popup]
    assert from_page[0] is popup and from_context[0] is popup and from_predicate[0] is popup
    assert popup.opener() is irl_page and popup.context is irl_context
    assert irl_context.pages == [irl_page, popup]
    assert irl_context.pages[1] is popup
    # What a callback's page does goes through the layer like anything the test does.
    popup.locator("#name").fill("from the popup")
    assert _steps(layer)[-1] == ("fill", "#name")


def test_expect_page_and_wait_for_event(irl_page: Page, irl_context: BrowserContext) -> None:
    irl_page.goto(f"{HOST}/")
    with irl_context.expect_page() as info:
        irl_page.locator("#open").click()
    first = info.value
    assert type(first) is IrlPage and first in irl_context.pages
    assert [p for p in irl_context.pages if p is first]

    irl_page.evaluate("setTimeout(() => window.open('/popup'), 50)")
    second = irl_page.wait_for_event("popup", lambda p: isinstance(p, IrlPage))
    assert type(second) is IrlPage and second.opener() is irl_page
    assert [p for p in irl_context.pages if p is second]

    # The context's console events need a subscription, which a wait made after the message was
    # scheduled may miss on a loaded machine: the wait is set up first.
    with irl_context.expect_event("console", predicate=lambda m: m.text == "later") as console:
        irl_page.evaluate("console.log('later')")
    message = console.value
    assert type(message) is IrlConsoleMessage and message.page is irl_page


def test_console_messages_carry_the_test_page(irl_page: Page, irl_context: BrowserContext) -> None:
    on_page: list[ConsoleMessage] = []
    on_context: list[ConsoleMessage] = []
    irl_page.on("console", lambda m: on_page.append(m))
    irl_context.on("console", lambda m: on_context.append(m))
    irl_page.goto(f"{HOST}/")
    with irl_page.expect_console_message(lambda m: m.text == "saved") as info:
        irl_page.locator("#save").click()
    message = info.value
    assert type(message) is IrlConsoleMessage and isinstance(message, ConsoleMessage)
    assert message.text == "saved" and message.page is irl_page
    assert any(m is message for m in on_page) and any(m is message for m in on_context)
    if not hasattr(Page, "console_messages"):
        return  # Playwright < 1.5x cannot fetch them again
    # Fetched again from the browser: new messages (so in Playwright too), wrapped all the same.
    fetched = irl_page.console_messages()[-1]
    assert type(fetched) is IrlConsoleMessage and fetched.page is irl_page


def test_frames_locators_requests_responses_dialogs_downloads(irl_page: Page,
                                                              irl_context: BrowserContext) -> None:
    response = irl_page.goto(f"{HOST}/")
    assert type(response) is IrlResponse and response is not None
    assert response.frame is irl_page.main_frame and response.frame.page is irl_page
    assert type(response.request) is IrlRequest and response.request.frame.page is irl_page
    assert irl_page.context is irl_context and irl_page.context is irl_page.context
    assert irl_page.locator("#name").page is irl_page
    assert type(irl_page.main_frame) is IrlFrame and irl_page.main_frame.page is irl_page
    assert irl_page.frames[0] is irl_page.main_frame

    requests: list[Request] = []
    irl_page.on("request", lambda r: requests.append(r))
    with irl_page.expect_request(lambda r: isinstance(r, IrlRequest)) as request_info:
        irl_page.reload()
    assert request_info.value is requests[0] and requests[0].frame.page is irl_page

    dialogs: list[Any] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog)
        dialog.accept()

    irl_page.on("dialog", on_dialog)
    irl_page.evaluate("alert('hi')")
    assert type(dialogs[0]) is IrlDialog and dialogs[0].page is irl_page

    irl_page.set_content(f'<a id="file" href="{HOST}/file.txt" download>file</a>')
    with irl_page.expect_download() as download_info:
        irl_page.locator("#file").click()
    assert type(download_info.value) is IrlDownload and download_info.value.page is irl_page


def _listen_and_remove(page: Page, context: BrowserContext) -> tuple[list[str], list[str]]:
    """Registers and removes console callbacks on ``page`` and ``context``; what each heard."""
    texts: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        texts.append(message.text)

    class Listener:
        def __init__(self) -> None:
            self.texts: list[str] = []

        def on_console(self, message: ConsoleMessage) -> None:
            self.texts.append(message.text)

    def remove(target: Page | BrowserContext, callback: Callable[[ConsoleMessage], None]) -> None:
        try:
            target.remove_listener("console", callback)
        except Exception as exc:  # older Playwright: removing what is no longer there raises
            texts.append(f"error {type(exc).__name__}")

    listener = Listener()
    page.on("console", on_console)
    page.on("console", on_console)  # twice: Playwright calls it twice, and removes one at a time
    context.on("console", on_console)
    page.on("console", listener.on_console)
    page.evaluate("console.log('one')")
    remove(page, on_console)
    remove(page, listener.on_console)  # a new bound method: found all the same
    page.evaluate("console.log('two')")
    remove(context, on_console)
    page.evaluate("console.log('three')")
    remove(page, on_console)
    page.once("console", on_console)
    page.evaluate("console.log('four')")
    page.evaluate("console.log('five')")
    page.wait_for_timeout(200)  # lets the last messages arrive
    return texts, listener.texts


def test_callbacks_are_added_and_removed_as_without_the_layer(browser: Browser, layer: Layer) -> None:
    raw_context = browser.new_context()
    irl_context = wrap(browser.new_context(), layer)
    try:
        raw = _listen_and_remove(raw_context.new_page(), raw_context)
        wrapped = _listen_and_remove(irl_context.new_page(), irl_context)
    finally:
        raw_context.close()
        irl_context.close()
    # As Playwright itself does, whatever its version does (older ones keep one callback per event).
    assert sorted(wrapped[0]) == sorted(raw[0]) and wrapped[1] == raw[1] == ["one"]
    if not any(text.startswith("error") for text in raw[0]):
        assert sorted(raw[0]) == ["four", "one", "one", "one", "three", "two", "two"]


def _calls_of_on_and_once(page: Page) -> int:
    """How many times this Playwright calls a callback given to both ``on`` and ``once``."""
    calls: list[object] = []

    def callback(_page: object) -> None:
        calls.append(_page)

    page.on("load", callback)
    page.once("load", callback)
    page.goto(f"{HOST}/")
    page.wait_for_load_state("load")
    return len(calls)


def test_a_callback_has_one_handler(irl_page: Page, irl_context: BrowserContext, layer: Layer) -> None:
    raw_page = irl_context.new_page()._irl_inner  # type: ignore[attr-defined]
    expected = _calls_of_on_and_once(raw_page)
    raw_page.close()
    pages: list[Page] = []

    def on_load(page: Page) -> None:
        pages.append(page)

    handler = _listener_for(on_load, layer)
    assert _listener_for(on_load, layer) is handler
    assert _listener_for(handler, layer) is handler  # a handler is never wrapped again
    irl_page.on("load", on_load)
    irl_page.once("load", handler)  # even when handed back
    irl_page.goto(f"{HOST}/")
    irl_page.wait_for_load_state("load")
    assert len(pages) == expected and all(p is irl_page for p in pages)
    try:
        irl_page.remove_listener("load", on_load)
    except KeyError:
        assert expected == 1  # older Playwright: the once-called callback is gone already
    irl_page.reload()
    assert len(pages) == expected


def test_browser_new_page_is_instrumented_and_owns_its_context(browser: Browser, layer: Layer) -> None:
    irl_browser = wrap(browser, layer)
    page = irl_browser.new_page()
    assert type(page) is IrlPage and type(page.context) is IrlBrowserContext
    assert page.context.pages == [page] and page.context in irl_browser.contexts
    # The observer is in the page's first document already: set_content writes into it.
    page.set_content(FORM)
    assert page.evaluate("typeof window.__irlSettled") == "function"
    with pytest.raises(Error, match=r"browser\.new_context"):
        page.context.new_page()  # as with Playwright's own browser.new_page
    context = page.context
    page.close()  # closes the context made for it
    assert context not in irl_browser.contexts

    other = irl_browser.new_context().new_page()
    other.set_content(FORM)
    assert other.evaluate("typeof window.__irlSettled") == "function"
    other.context.close()


def test_a_page_wrapped_from_anywhere_gets_its_context_instrumented(browser: Browser, layer: Layer) -> None:
    raw = browser.new_page()  # made without the layer: a page the test reached another way
    try:
        page = wrap(raw, layer)
        assert getattr(raw.context, "_irl_instrumented", False)
        page.goto("data:text/html,<p>next document</p>")
        assert page.evaluate("typeof window.__irlSettled") == "function"
    finally:
        raw.close()
