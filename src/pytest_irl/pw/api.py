"""What the layer does with each public member of Playwright's page-facing classes.

Every public member of ``Page``, ``Frame``, ``Locator``, ``FrameLocator``, ``Keyboard``, ``Mouse``
and ``BrowserContext`` is one of:

- **step**: recorded, retried, and healed where a locator is involved (``actions.py`` lists them;
  list queries such as ``count()`` learn their list and become steps when it is healed);
- **chain**: returns (or hands to a callback) wrapped objects, so what the test does next goes
  through the layer (``proxy._install`` finds them by their return type);
- **pass-through**: Playwright's own, unchanged, for the reason ``PASS_THROUGH`` gives.

``tests/test_api_classification.py`` enumerates the installed Playwright's public API and fails on
a member this table does not know, so that an upgrade never lets a new method bypass the layer in
silence.
"""

from __future__ import annotations

# Why a member is passed through, each with the members it covers (of any of the classes).
_REASONS: dict[str, tuple[str, ...]] = {
    "answers at once about the current state; False or None is a legitimate answer, so it is "
    "neither retried nor healed": (
        "is_checked", "is_closed", "is_detached", "is_disabled", "is_editable", "is_enabled",
        "is_hidden", "is_visible", "bounding_box", "content", "title", "url", "name", "viewport_size",
        "description", "cookies", "storage_state", "credentials", "local_storage", "session_storage",
    ),
    "runs the test's own script or binding, whose effect the layer cannot know": (
        "evaluate", "evaluate_all", "evaluate_handle", "eval_on_selector", "eval_on_selector_all",
        "wait_for_function", "add_script_tag", "add_style_tag", "add_init_script", "expose_binding",
        "expose_function",
    ),
    "element handles, Playwright's legacy API (not locators): acted on as Playwright does": (
        "query_selector", "query_selector_all", "wait_for_selector", "element_handle",
        "element_handles", "frame_element",
    ),
    "configures the page or context, or routes its traffic": (
        "set_default_timeout", "set_default_navigation_timeout", "set_viewport_size", "emulate_media",
        "set_extra_http_headers", "set_geolocation", "set_offline", "set_storage_state",
        "grant_permissions", "clear_permissions", "add_cookies", "clear_cookies", "route",
        "route_from_har", "route_web_socket", "unroute", "unroute_all", "add_locator_handler",
        "remove_locator_handler", "clock", "request", "tracing", "debugger", "webmcp",
    ),
    "debugging, inspection and artifacts": (
        "pause", "highlight", "hide_highlight", "pick_locator", "cancel_pick_locator", "aria_snapshot",
        "screenshot", "pdf", "video", "console_messages", "clear_console_messages", "page_errors",
        "clear_page_errors", "request_gc", "requests", "new_cdp_session", "service_workers",
        "background_pages", "workers", "touchscreen", "accessibility",
    ),
    "waits for time or for the document, not for an element: nothing to heal": (
        "wait_for_timeout", "wait_for_load_state",
    ),
    "closes or focuses; close first lets the layer's learning questions finish": (
        "close", "bring_to_front",
    ),
    "event listeners of an object that has no events of its own (Playwright's base class)": (
        "on", "once", "remove_listener",
    ),
}
PASS_THROUGH: dict[str, str] = {name: reason for reason, names in _REASONS.items() for name in names}

# The listeners of pages and contexts hand their callbacks wrapped objects: chains there.
_LISTENERS = frozenset({"on", "once", "remove_listener"})
_EMITTERS = frozenset({"Page", "BrowserContext", "Browser"})


def public_members(cls: type) -> list[str]:
    return sorted(name for name in dir(cls) if not name.startswith("_"))


def classify(base: type, wrapper: type, steps: frozenset[str]) -> dict[str, str]:
    """Each public member of ``base`` (Playwright's class) as "step", "chain", "pass" or
    "unknown", given the members ``wrapper`` (the layer's class) records as ``steps``."""
    kinds: dict[str, str] = {}
    for name in public_members(base):
        if name in steps:
            kinds[name] = "step"
        elif name in _LISTENERS and base.__name__ in _EMITTERS:
            kinds[name] = "chain"  # callbacks receive wrapped objects (events.py)
        elif name in PASS_THROUGH:
            kinds[name] = "pass"
        elif name in wrapper.__dict__:
            kinds[name] = "chain"
        else:
            kinds[name] = "unknown"
    return kinds


__all__ = ["PASS_THROUGH", "classify", "public_members"]
