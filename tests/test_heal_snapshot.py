"""The page-side snapshot script against a real Chromium, plus an end-to-end heal on two page versions."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from pytest_irl.heal import (
    FINGERPRINT_JS,
    LEARN_JS,
    SNAPSHOT_JS,
    SNAPSHOT_JSON_JS,
    Fingerprint,
    decide,
    parse_locator,
    parse_snapshot,
    pool_from_snapshot,
    rank,
    suggest_locator,
)
from pytest_irl.heal.locator_hints import rank_by_hints
from pytest_irl.heal.look_alikes import POOL_EACH_SIDE

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("IRL_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

PAGE = """
<header><h1>Shop</h1>
  <nav><a href="/home">Home</a> <a href="/cart" data-testid="cart-link">Cart</a></nav>
</header>
<main>
  <form id="login" aria-label="Log in">
    <div><label for="email">Email</label> <input id="email" name="email" placeholder="you@example.com"></div>
    <div><label>Password <input type="password" name="pw"></label></div>
    <div>
      <button class="btn btn-primary" data-testid="submit" type="submit">Sign in</button>
      <button class="btn" type="button" aria-label="Close dialog">X</button>
    </div>
    <p>Forgot your password?</p>
  </form>
  <table><tr><td>Apple</td><td><button>Add</button></td></tr>
         <tr><td>Pear</td><td><button>Add</button></td></tr></table>
  <div id="host"></div>
  <iframe id="frame" srcdoc="<p>Inside</p><button id=buy>Buy now</button><a href='/terms'>Terms</a>"></iframe>
  <button style="display:none">Hidden</button>
</main>
<script>
  const root = document.getElementById('host').attachShadow({mode: 'open'});
  root.innerHTML = '<span>Newsletter</span><input placeholder="Your email">' +
    '<button class="sub">Subscribe</button>';
</script>
"""

V1 = """<main><h2>Welcome back</h2>
<form id="login-form" aria-label="Login">
  <label for="u">Username</label><input id="u" name="username">
  <label for="p">Password</label><input id="p" name="password" type="password">
  <button id="btn-login-x7f3a" class="btn btn-primary css-1x2y3z" type="submit">Sign in</button>
  <a href="/forgot">Forgot password?</a>
</form>
<section class="card"><h3>New here?</h3>
  <button class="btn btn-secondary" type="button">Create account</button>
</section></main>"""

# Banner shifts the layout, id and hash class regenerated, label reworded, a look-alike added.
V2 = """<div class="banner">We updated our terms</div><main><h2>Welcome back</h2>
<form id="login-form" aria-label="Login">
  <label for="u">Username</label><input id="u" name="username">
  <label for="p">Password</label><input id="p" name="password" type="password">
  <button class="btn btn-secondary" type="button">Sign up</button>
  <button id="btn-login-k2j9q" class="btn btn-primary css-9q8w7e" type="submit">Sign in now</button>
  <a href="/forgot">Forgot password?</a>
</form>
<section class="card"><h3>New here?</h3>
  <button class="btn btn-secondary" type="button">Create account</button>
</section></main>"""

# The sign-in button is gone; only look-alikes remain.
V3 = """<main><h2>Welcome back</h2>
<form id="login-form" aria-label="Login">
  <label for="u">Username</label><input id="u" name="username">
  <label for="p">Password</label><input id="p" name="password" type="password">
  <button class="btn btn-secondary" type="button">Sign up</button>
  <button class="btn btn-secondary" type="button">Register</button>
  <a href="/forgot">Forgot password?</a>
</form>
<section class="card"><h3>New here?</h3>
  <button class="btn btn-secondary" type="button">Create account</button>
</section></main>"""


@pytest.fixture(scope="module")
def chromium(playwright: Any) -> Iterator[Any]:
    # pytest-playwright's Playwright: one per session (a second sync one cannot start beside it).
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    launched = playwright.chromium.launch(
        executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"], headless=True
    )
    yield launched
    launched.close()


@pytest.fixture(scope="module")
def shop_page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_content(PAGE)
    pg.frame_locator("#frame").locator("#buy").wait_for()
    yield pg
    context.close()


@pytest.fixture(scope="module")
def snapshot(shop_page: Any) -> list[Fingerprint]:
    return parse_snapshot(shop_page.evaluate(SNAPSHOT_JS, {}))


def locate(shop_page: Any, fp: Fingerprint) -> Any:
    scope = shop_page
    for frame in fp.frame_path:
        scope = scope.frame_locator(frame)
    return scope.locator(fp.css_path)


def find(snapshot: list[Fingerprint], **fields: Any) -> Fingerprint:
    found = [fp for fp in snapshot if all(getattr(fp, k) == v for k, v in fields.items())]
    assert len(found) == 1, (fields, found)
    return found[0]


def test_buttons_links_and_inputs_are_described(snapshot: list[Fingerprint]) -> None:
    submit = find(snapshot, tag="button", text="Sign in")
    assert submit.role == "button" and submit.accessible_name == "Sign in" and submit.is_button
    assert submit.test_ids == {"data-testid": "submit"}
    assert submit.classes == ["btn", "btn-primary"] and submit.type == "submit"
    assert submit.context == "Log in"
    assert submit.neighbours.right == "X"
    assert submit.neighbours.above == "Password"
    assert submit.neighbours.below == "Forgot your password?"
    assert submit.box is not None and submit.box.width > 0 and submit.visible and submit.enabled

    close = find(snapshot, tag="button", text="X")
    assert close.accessible_name == "Close dialog" and close.neighbours.left == "Sign in"

    cart = find(snapshot, tag="a", text="Cart")
    assert cart.role == "link" and cart.is_link and cart.href == "/cart"
    assert cart.test_ids == {"data-testid": "cart-link"}
    assert cart.neighbours.left == "Home"

    email = find(snapshot, tag="input", id="email")
    assert email.role == "textbox" and email.is_input
    assert email.label == "Email" and email.accessible_name == "Email"
    assert email.placeholder == "you@example.com" and email.name == "email"
    assert email.neighbours.left == "Email"
    assert email.id_xpath == '//*[@id="email"]'

    password = find(snapshot, tag="input", name="pw")
    assert password.label == "Password" and password.role == ""  # no implicit ARIA role for passwords

    rows = [fp for fp in snapshot if fp.tag == "button" and fp.text == "Add"]
    assert [fp.context for fp in rows] == ["Apple Add", "Pear Add"]
    assert [fp.neighbours.left for fp in rows] == ["Apple", "Pear"]

    assert all(fp.text != "Hidden" for fp in snapshot)


def test_hidden_elements_on_request(shop_page: Any) -> None:
    everything = parse_snapshot(shop_page.evaluate(SNAPSHOT_JS, {"includeHidden": True}))
    hidden = find(everything, tag="button", text="Hidden")
    assert hidden.visible is False


def test_sees_into_open_shadow_roots_and_same_origin_iframes(snapshot: list[Fingerprint]) -> None:
    subscribe = find(snapshot, text="Subscribe")
    assert subscribe.shadow_path == ["#host"] and subscribe.role == "button"
    assert subscribe.neighbours.left == "Newsletter" or subscribe.neighbours.above == "Newsletter"
    shadow_input = find(snapshot, placeholder="Your email")
    assert shadow_input.accessible_name == "Your email"

    buy = find(snapshot, text="Buy now")
    assert buy.frame_path == ["#frame"] and buy.id == "buy"
    assert buy.neighbours.above == "Inside" or buy.neighbours.left == "Inside"
    assert buy.box is not None and buy.box.y > 0
    terms = find(snapshot, text="Terms")
    assert terms.frame_path == ["#frame"] and terms.role == "link"


def test_css_path_refinds_exactly_that_element(shop_page: Any, snapshot: list[Fingerprint]) -> None:
    assert len(snapshot) > 15
    for fp in snapshot:
        loc = locate(shop_page, fp)
        assert loc.count() == 1, fp.css_path
        assert Fingerprint.model_validate(loc.evaluate(FINGERPRINT_JS)) == fp, fp.css_path


def test_fingerprint_js_equals_the_snapshot_entry(shop_page: Any, snapshot: list[Fingerprint]) -> None:
    cases = [
        (shop_page.get_by_role("button", name="Sign in"), find(snapshot, text="Sign in")),
        (shop_page.get_by_label("Email"), find(snapshot, id="email")),
        (shop_page.get_by_role("button", name="Subscribe"), find(snapshot, text="Subscribe")),
        (
            shop_page.frame_locator("#frame").get_by_role("button", name="Buy now"),
            find(snapshot, text="Buy now"),
        ),
    ]
    for locator, expected in cases:
        raw = locator.evaluate(FINGERPRINT_JS)
        assert Fingerprint.model_validate(raw) == expected
        assert raw == expected.to_json_dict()


def test_json_variant_gives_the_same_snapshot(shop_page: Any, snapshot: list[Fingerprint]) -> None:
    payload = shop_page.evaluate(SNAPSHOT_JSON_JS, {})
    assert isinstance(payload, str)
    assert parse_snapshot(payload) == snapshot


def test_suggestions_select_exactly_the_element(shop_page: Any, snapshot: list[Fingerprint]) -> None:
    for fp in snapshot:
        suggestion = suggest_locator(fp, unique_among=snapshot)
        assert suggestion.unique, (fp.css_path, suggestion)
        loc = shop_page.locator(suggestion.selector)
        assert loc.count() == 1, suggestion
        assert Fingerprint.model_validate(loc.evaluate(FINGERPRINT_JS)) == fp, suggestion
    assert suggest_locator(find(snapshot, text="Sign in"), unique_among=snapshot).python == (
        'page.get_by_role("button", name="Sign in")'
    )
    assert suggest_locator(find(snapshot, text="Buy now"), unique_among=snapshot).python == (
        'page.frame_locator("#frame").get_by_role("button", name="Buy now")'
    )


def test_parse_locator_reads_real_locators(shop_page: Any) -> None:
    hints = parse_locator(shop_page.get_by_role("button", name="Sign in", exact=True).first)
    assert hints.role == "button" and hints.name is not None and hints.name.exact and hints.nth == 0
    framed = parse_locator(shop_page.frame_locator("#frame").get_by_text("Buy"))
    assert framed.frames == ["#frame"] and framed.text is not None and framed.text.value == "Buy"
    assert parse_locator(repr(shop_page.get_by_placeholder("Search"))).placeholder is not None


def _fingerprint(chromium: Any, html: str, selector: str) -> Fingerprint:
    pg = chromium.new_page()
    try:
        pg.set_content(html)
        return Fingerprint.model_validate(pg.locator(selector).evaluate(FINGERPRINT_JS))
    finally:
        pg.close()


def _snapshot(chromium: Any, html: str) -> list[Fingerprint]:
    pg = chromium.new_page()
    try:
        pg.set_content(html)
        return parse_snapshot(pg.evaluate(SNAPSHOT_JSON_JS, {}))
    finally:
        pg.close()


def test_end_to_end_heal_picks_the_changed_element(chromium: Any) -> None:
    recorded = _fingerprint(chromium, V1, "#btn-login-x7f3a")
    candidates = _snapshot(chromium, V2)
    decision = decide(rank(recorded, candidates))
    assert decision.chosen is not None, decision.reason
    assert decision.chosen.candidate.id == "btn-login-k2j9q"
    assert decision.chosen.candidate.text == "Sign in now"
    assert decision.top[1].candidate.text == "Sign up"
    suggestion = suggest_locator(decision.chosen.candidate, unique_among=candidates)
    assert suggestion.python == 'page.get_by_role("button", name="Sign in now")'


def test_end_to_end_refuses_when_only_look_alikes_remain(chromium: Any) -> None:
    recorded = _fingerprint(chromium, V1, "#btn-login-x7f3a")
    decision = decide(rank(recorded, _snapshot(chromium, V3)))
    assert decision.chosen is None
    assert any(word in decision.reason for word in ("no identity evidence", "ambiguous", "confidence"))


def test_cold_heal_from_the_locator_alone(chromium: Any) -> None:
    # No recording: the v1 test used get_by_role(..., exact=True); v2 reworded the button.
    hints = parse_locator('internal:role=button[name="Sign in"s]')
    ranked = rank_by_hints(hints, _snapshot(chromium, V2))
    assert ranked[0].candidate.text == "Sign in now"
    assert decide(ranked).chosen is not None


def test_the_page_side_look_alike_pool_is_the_one_the_corpus_takes_from_a_snapshot(chromium: Any) -> None:
    # A "Help" link in the header and its twin in the footer, 40 links apart: the twin is outside
    # the nearest-16 window on each side and still joins the pool, on the page as offline.
    links = "".join(f'<li><a href="/p{i}">Page {i}</a></li>' for i in range(40))
    html = (f'<header><a id="help" href="/help">Help</a></header><ul>{links}</ul>'
            f'<footer><a href="/help">  help </a><a href="/help-desk">Help desk</a></footer>')
    pg = chromium.new_page()
    try:
        pg.set_content(html)
        learned = Fingerprint.model_validate(pg.locator("#help").evaluate(LEARN_JS))
        snapshot = parse_snapshot(pg.evaluate(SNAPSHOT_JSON_JS, {}))
    finally:
        pg.close()
    index = next(i for i, fp in enumerate(snapshot) if fp.id == "help")
    offline = pool_from_snapshot(snapshot, index)
    assert learned.look_alikes is not None
    assert [fp.css_path for fp in learned.look_alikes] == [fp.css_path for fp in offline]
    assert len(offline) == POOL_EACH_SIDE + 1  # the nearest 16 after it, and the far twin
    assert offline[-1].text == "help" and offline[-1].href == "/help"
