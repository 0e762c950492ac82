"""Where a timed-out action was when its time ran out, read from Playwright's call log.

The policy acts first, with a short timeout, instead of asking whether the element is there
before every action (a browser round trip each). When that first try times out, the call log
that Playwright's TimeoutError carries says how far the action got:

- ``ABSENT``: the locator never resolved to an element: nothing was done (the heal path);
- ``WAITING``: it resolved, but the action was not performed (actionability waits, retries):
  trying again with the rest of the budget is what Playwright itself would have done;
- ``NAVIGATING``: a pointer action was performed and Playwright had gone on to wait for the
  navigations it may have started (``waiting for scheduled navigations to finish``, logged
  whether or not there is one): never act again; the policy asks the page whether one started;
- ``PERFORMED``: performed, or it cannot be told: never act again.

The wording is Playwright's server-side log, the same in 1.45, 1.49 and 1.65 (the declared
range). ``probe`` checks that the installed driver still logs these phrases and that its
client still puts them under ``Call log:``; without them the policy looks before it acts.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

ABSENT, WAITING, NAVIGATING, PERFORMED = "absent", "waiting", "navigating", "performed"

# Actions whose log says whether their input was sent: pointer actions log "performing <x>
# action" just before it (check and uncheck click); a fill logs each wait that stops it.
POINTER_ACTIONS = frozenset({"click", "dblclick", "tap", "hover", "check", "uncheck", "set_checked"})
FILL_ACTIONS = frozenset({"fill", "clear"})
SPLIT_ACTIONS = POINTER_ACTIONS | FILL_ACTIONS

_HEADER = "Call log:"
_RESOLVED = "locator resolved to"
_NAVIGATIONS = "waiting for scheduled navigations to finish"
_ATTEMPT = ("attempting ", "retrying ")  # each try of Playwright's action retry loop starts so
_WAIT_MS = re.compile(r"^waiting \d+ms$")
_BULLETS = re.compile(r"^[\s-]+")
# Last lines of a fill that say its value was not set (yet): a wait, a retry, a verdict.
_FILL_NOT_DONE = (
    "element is not ", "element is inert", "element is outside of the viewport", "element was detached",
    "element is inside a hidden frame", "retrying ", _RESOLVED, "fill(",
)

# What the driver's source must contain (as written there) for the classification to hold.
DRIVER_PHRASES = (
    _RESOLVED, "performing ${", " action done`", _NAVIGATIONS, "attempting ${", "retrying ${",
    "waiting ${timeout}ms", "waiting for element to be visible, enabled and editable", "waiting for ${",
)


def lines_of(message: str) -> list[str] | None:
    """The call log's lines, without their bullets; None when the message has no call log."""
    at = message.rfind(_HEADER)
    if at < 0:
        return None
    # Bulleted by the client, and by the server too in some releases ("  -     - locator ...").
    lines = (_BULLETS.sub("", line).rstrip() for line in message[at + len(_HEADER):].splitlines())
    return [line for line in lines if line]


def _resolved(lines: list[str]) -> bool:
    return any(line.startswith(_RESOLVED) and not line.endswith(" 0 elements") for line in lines)


def classify(message: str, action: str) -> str:
    """``ABSENT``, ``WAITING``, ``NAVIGATING`` or ``PERFORMED`` for the TimeoutError ``message`` of
    a first try of ``action`` (one of SPLIT_ACTIONS)."""
    lines = lines_of(message)
    if not lines:
        return PERFORMED  # cannot tell
    if not _resolved(lines):
        return ABSENT
    if action in FILL_ACTIONS:
        return _fill_state(lines)
    starts = [i for i, line in enumerate(lines) if line.startswith(_ATTEMPT)]
    if not starts:
        return WAITING  # resolved; the action's tries had not begun
    # Only the last try counts: Playwright performs again after a try it saw blocked (another
    # element received the click), and so may the policy.
    last_try = lines[starts[-1]:]
    if not any(line.startswith("performing ") and line.endswith(" action") for line in last_try):
        return WAITING
    return NAVIGATING if lines[-1] == _NAVIGATIONS else PERFORMED


def _fill_state(lines: list[str]) -> str:
    last = lines[-1]
    if last.startswith(_FILL_NOT_DONE) or _WAIT_MS.match(last):
        return WAITING
    if last.startswith("waiting for ") and not last.startswith("waiting for element to be"):
        return WAITING  # waiting for the locator again (its element was replaced)
    return PERFORMED  # the check-and-fill was on its way to the page, or cannot be told


def probe() -> str | None:
    """None when the installed Playwright logs what ``classify`` reads, else what is missing."""
    client = _client_formats_call_log()
    if client is not None:
        return client
    missing = set(DRIVER_PHRASES)
    for source in _driver_sources():
        try:
            text = source.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        missing = {phrase for phrase in missing if phrase not in text}
        if not missing:
            return None
    return f"its driver does not log {sorted(missing)[0]!r}" if missing else "no driver source found"


def _client_formats_call_log() -> str | None:
    for name in ("playwright._impl.connection", "playwright._impl._connection"):
        try:
            formatter = importlib.import_module(name).format_call_log
        except (ImportError, AttributeError):
            continue
        return None if _HEADER in inspect.getsource(formatter) else "its errors have no 'Call log:'"
    return "its client's call log formatter was not found"


def _driver_sources() -> list[Path]:
    """The driver's server code: lib/server/*.js (up to 1.5x), or the bundles in lib/ (later)."""
    import playwright

    lib = Path(playwright.__file__).parent / "driver" / "package" / "lib"
    preferred = [lib / "server" / "dom.js", lib / "server" / "frames.js", lib / "coreBundle.js"]
    return [p for p in preferred if p.is_file()] + sorted(lib.glob("*.js"))
