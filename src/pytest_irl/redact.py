"""The one redaction step: every string pytest-irl stores, spools, streams or prints passes here.

What is masked is driven by what is *known* to be secret, not by the code path a string took:

- values typed into password, one-time-code and card fields during the test (the page observer
  reports them, see observer.js), and typed values the layer masked because nothing confirmed
  they were not secret (a failed ``fill``, a locator that names a password...);
- URLs' userinfo passwords and the values of query (or fragment) parameters whose names look
  secret (``token``, ``password``, ``secret``, ``key``, ``auth``, ``session``, ``code``...);
- the database password of ``--irl-db`` / ``IRL_DATABASE_URL``.

A known secret is masked wherever it appears, in the forms it takes on the way (URL-encoded,
JSON- or repr-escaped, HTML-escaped). Errors are redacted whole and cut short only afterwards,
so that a cut never leaves a piece of a secret unrecognised. The structural rules (userinfo,
secret-named parameters, ``password=`` of a libpq connection string) need no knowledge and
apply to every string.

Redaction never raises: a string that cannot be redacted is replaced by the mask as a whole
(dropping a suspect string is always allowed, storing it never is).
"""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus, unquote, unquote_plus

from .storable import storable

# What the existing masking of typed values stores (layer.py re-exports it as MASK).
MASK = "********"

# Secrets shorter than this are masked only where they are a whole value: a one-letter
# "password" masked inside every text would make errors unreadable and hide nothing real.
MIN_IN_TEXT = 3
# Secrets shorter than this are masked inside a text only as a whole token (not inside a word):
# "abc" is masked in `fill("abc")`, not in "abcdef".
BOUNDED_BELOW = 6
# A value longer than this is known by its head and its tail only: logs and errors show a long
# value cut short anyway, and a megabyte-long pattern would cost every redaction.
MAX_SECRET = 1024
LONG_SECRET_PART = 64

# Where a database URL may come from besides the command line (store/url.py's ENV_VAR).
DATABASE_URL_ENV = "IRL_DATABASE_URL"
# How many compiled patterns one scope keeps.
PATTERN_CACHE = 16
# How many texts one scope remembers having learned from.
LEARNED_TEXTS = 512

# Parameter names that carry credentials. Broad on purpose: masking a harmless ``?zipcode=``
# costs little, storing a ``?session_token=`` costs a leak.
SECRET_NAME = re.compile(
    r"pass|pwd|secret|token|key|auth|session|sid|code|otp|sig|credential|cookie|jwt|bearer|\bpin\b",
    re.I,
)
# scheme://user:PASSWORD@host -- the password runs to the last "@" before the path.
_USERINFO = re.compile(
    r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s/?#@:\"'<>\\]*:)(?P<value>[^\s/?#\"'<>\\]*)@"
)
# ?name=VALUE, &name=VALUE, #name=VALUE (OAuth puts tokens in the fragment), ;name=VALUE.
_PARAM = re.compile(r"(?P<head>[?&#;](?P<name>[^=&#?;\s\"'<>\\]+)=)(?P<value>[^&#;\s\"'<>\\]*)")
# password=VALUE of a libpq key=value connection string, quoted or not (an unterminated quote
# runs to the end: that is how a malformed string is echoed in an error).
_CONNINFO_PASSWORD = re.compile(
    r"(?P<head>\bpassword\s*=\s*)(?P<value>'(?:[^'\\]|\\.)*(?:'|$)|[^\s'\"]+)", re.I
)
# The same, also without "=": only for learning from the raw --irl-db text, where a malformed
# "password hunter2" is still a password (in prose, "password field" is not).
_LOOSE_CONNINFO_PASSWORD = re.compile(
    r"\bpassword\s*=?\s*(?P<value>'(?:[^'\\]|\\.)*(?:'|$)|[^\s'\"=]+)", re.I
)
_BEARER = re.compile(r"(?P<head>\bBearer\s+)(?P<value>[A-Za-z0-9\-._~+/]{8,}=*)")

# Step fields that are never free text: left alone, so that a secret such as "2026" cannot
# turn a timestamp into something the store refuses.
_NOT_TEXT = frozenset({
    "step_number", "stepNumber", "started_at", "startedAt", "duration_ms", "durationMs", "success",
    "outcome", "strategy", "action", "score",
})
_WORD = "A-Za-z0-9"


class Secrets:
    """The secrets known in one scope (a session, or one test run on top of its session's), and
    the redaction of text and records with them. Safe to use from several threads (the live
    stream redacts from its server threads while the test's thread learns)."""

    def __init__(self, parent: Secrets | None = None) -> None:
        self.parent = parent
        self._lock = threading.Lock()
        self._known: set[str] = set()
        # The value last typed into each secret field (by the observer's field key): typing
        # reports every prefix ("h", "hu", ...), and only values that were whole count.
        self._fields: dict[str, str] = {}
        # Compiled patterns by the secrets they mask: the stored record and the live stream (a
        # step's own value added) ask for a few different sets, over and over.
        self._patterns: dict[frozenset[str], re.Pattern[str] | None] = {}
        # Texts already learned from: a test's steps repeat the same URL hundreds of times, and
        # learning from a text twice learns nothing new.
        self._learned: set[str] = set()

    # learning ------------------------------------------------------------------------------
    def add(self, value: Any) -> None:
        """Know ``value`` (a string, or a list of them) as a secret."""
        try:
            values = value if isinstance(value, list | tuple) else [value]
            with self._lock:
                for item in values:
                    if isinstance(item, str) and item and item != MASK:
                        self._known.update(_pieces(item))
        except Exception:
            pass  # learning is best effort; redaction of what is known goes on

    def typed(self, field: str | None, value: str) -> None:
        """``value`` is now in the secret field ``field``: the previous value counts as a secret of
        its own unless this one merely extends it (the next key typed)."""
        if not isinstance(value, str):
            return
        if not field:
            self.add(value)
            return
        with self._lock:
            previous = self._fields.get(field)
            self._fields[field] = value
        if previous and previous != value and not value.startswith(previous):
            self.add(previous)  # cleared, edited or deleted back: it was a whole value once

    def learn(self, text: Any) -> None:
        """Know the secrets that ``text`` shows by its structure: URL passwords, secret-named
        parameters, a connection string's password."""
        if not isinstance(text, str) or not text or text in self._learned:
            return
        try:
            found: list[str] = []
            for match in _USERINFO.finditer(text):
                found += _decoded(match["value"])
            for match in _PARAM.finditer(text):
                if _secret_name(match["name"]):
                    found += _decoded(match["value"])
            for match in _CONNINFO_PASSWORD.finditer(text):
                found += _unquoted_conninfo(match["value"])
            self.add(found)
            with self._lock:
                if len(self._learned) >= LEARNED_TEXTS:
                    self._learned.clear()
                self._learned.add(text)
        except Exception:
            pass

    def learn_database_url(self, url: str | None) -> None:
        """Know the password of a database URL or connection string, even a malformed one. Read
        without psycopg (slow to import, and only the writer's thread needs it): a URL's
        userinfo or ``?password=``, a connection string's ``password=``, quoted or not."""
        if not url:
            return
        self.learn(url)
        try:
            found: list[str] = []
            for match in _LOOSE_CONNINFO_PASSWORD.finditer(url):
                found += _unquoted_conninfo(match["value"])
            self.add(found)
        except Exception:
            pass

    def known(self) -> frozenset[str]:
        """Every secret of this scope and its parents, with the values of secret fields."""
        with self._lock:
            mine = set(self._known)
            for value in self._fields.values():
                mine.update(_pieces(value))
        if self.parent is not None:
            mine |= self.parent.known()
        return frozenset(mine)

    # redacting -----------------------------------------------------------------------------
    def text(self, text: str, extra: Iterable[str] = ()) -> str:
        """``text`` with every secret masked; ``extra``: more secrets, for this text only."""
        if not isinstance(text, str) or not text:
            return text
        try:
            known, pattern = self._matcher(extra)
            return _redact(text, known, pattern)
        except Exception:
            return MASK  # could not tell what is in it: not stored

    def shows(self, text: str) -> bool:
        """Does ``text`` show a known secret (not merely something secret by its structure)?"""
        try:
            known, pattern = self._matcher(())
            return text in known or (pattern is not None and pattern.search(text) is not None)
        except Exception:
            return True  # cannot tell: treated as showing one

    def value(self, value: Any, extra: Iterable[str] = ()) -> Any:
        """Every string in ``value`` (a JSON-like structure) redacted; keys and non-text fields kept."""
        try:
            known, pattern = self._matcher(extra)
        except Exception:
            return MASK
        return _walk(value, known, pattern)

    def step(self, data: dict[str, Any], extra: Iterable[str] = ()) -> dict[str, Any]:
        """A step as stored or streamed (either key style), redacted. URLs seen in it are learned
        first, so that a token in a step's URL is masked in its error too."""
        try:
            self._learn_all(data)
            redacted = self.value(data, extra)
            if isinstance(redacted, dict):
                return redacted
        except Exception:
            pass
        # Nothing of it can be trusted: keep only what cannot hold a secret.
        return {k: data[k] for k in ("stepNumber", "step_number", "action", "success") if k in data}

    def steps(self, steps: list[dict[str, Any]]) -> list[dict[str, Any] | str]:
        """Steps (either key style) redacted with what all of them show: a token in step 9's URL
        is masked in step 2's error too. One matcher for all, not one per step."""
        for step in steps:
            if isinstance(step, dict):
                self._learn_all(step)
        try:
            known, pattern = self._matcher(())
        except Exception:
            return [MASK for _ in steps]
        out: list[dict[str, Any] | str] = []
        for step in steps:
            redacted = _walk(step, known, pattern) if isinstance(step, dict) else MASK
            out.append(redacted if isinstance(redacted, dict) else MASK)
        return out

    def run(self, data: dict[str, Any], steps_redacted_under: frozenset[str] | None = None) -> dict[str, Any]:
        """A test run as written (``TestRun.model_dump(mode="json")``), with its steps and error
        redacted. Its nodeid is left as it is: it is the test's identity across runs.

        ``steps_redacted_under``: the secrets the steps were already redacted with (at the end of
        the run, ``RunRecorder.finish_values``); they are redacted again only if more are known now.
        """
        out = dict(data)
        if isinstance(data.get("error"), str):
            self.learn(data["error"])
        steps = data.get("steps")
        if isinstance(steps, list) and (steps_redacted_under is None or self.known() != steps_redacted_under):
            out["steps"] = self.steps(steps)
        if isinstance(data.get("error"), str):
            out["error"] = self.text(data["error"])
        return out

    def args(self, args: Iterable[Any]) -> list[Any]:
        """Command-line arguments, redacted one by one (``--irl-db URL`` and ``--irl-db=URL``)."""
        return [self.text(arg) if isinstance(arg, str) else arg for arg in args]

    # internals -----------------------------------------------------------------------------
    def _learn_all(self, value: Any) -> None:
        if isinstance(value, str):
            self.learn(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                if key not in _NOT_TEXT:
                    self._learn_all(item)
        elif isinstance(value, list | tuple):
            for item in value:
                self._learn_all(item)

    def _matcher(self, extra: Iterable[str]) -> tuple[frozenset[str], re.Pattern[str] | None]:
        """The secrets to mask (known ones and ``extra``) and one pattern for all of them, compiled
        again only when they changed."""
        known = self.known() | _all_pieces(extra)
        with self._lock:
            if known in self._patterns:
                return known, self._patterns[known]
        pattern = _pattern(known)
        with self._lock:
            if len(self._patterns) >= PATTERN_CACHE:
                self._patterns.pop(next(iter(self._patterns)))  # the oldest
            self._patterns[known] = pattern
        return known, pattern


def database_error(exc: BaseException, *urls: str | None) -> str:
    """The message of a bad database URL without the password it may echo: a malformed
    ``key=value`` string cannot be parsed, so its password is masked as it would read."""
    import os

    secrets = Secrets()
    for url in (*urls, os.environ.get(DATABASE_URL_ENV)):
        secrets.learn_database_url(url)
    return secrets.text(str(exc))


def _walk(value: Any, known: frozenset[str], pattern: re.Pattern[str] | None) -> Any:
    if isinstance(value, str):
        try:
            return _redact(value, known, pattern)
        except Exception:
            return MASK
    if isinstance(value, dict):
        return {k: (v if k in _NOT_TEXT else _walk(v, known, pattern)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_walk(v, known, pattern) for v in value]
    return value


def _pieces(value: str) -> set[str]:
    """What is kept of a secret value: itself, or the head and tail of a very long one."""
    if len(value) <= MAX_SECRET:
        return {value}
    return {value[:LONG_SECRET_PART], value[-LONG_SECRET_PART:]}


def _all_pieces(values: Iterable[str]) -> frozenset[str]:
    return frozenset(piece for value in values if isinstance(value, str) and value
                     for piece in _pieces(value))


def _forms(secret: str) -> set[str]:
    """The forms ``secret`` takes in the texts it may reach. Each is made on its own: a value that
    has no URL form (a lone surrogate cannot be encoded) still has all the others."""
    makers = (
        lambda s: s,
        lambda s: quote(s, safe=""),
        lambda s: quote_plus(s, safe=""),
        html.escape,
        lambda s: json.dumps(s)[1:-1],  # Playwright's call logs and messages
        lambda s: json.dumps(s, ensure_ascii=False)[1:-1],
        lambda s: repr(s)[1:-1],  # Python's messages ("received 'hunter2'")
        storable,  # as the store keeps it: NUL and lone surrogates made U+FFFD
    )
    forms = set()
    for make in makers:
        try:
            forms.add(make(secret))
        except Exception:
            continue
    return {form for form in forms if form}


def _pattern(known: frozenset[str]) -> re.Pattern[str] | None:
    parts: list[tuple[int, str]] = []
    for secret in known:
        if len(secret) < MIN_IN_TEXT:
            continue
        for form in _forms(secret):
            escaped = re.escape(form)
            if len(form) < BOUNDED_BELOW:
                escaped = f"(?<![{_WORD}]){escaped}(?![{_WORD}])"
            parts.append((len(form), escaped))
    if not parts:
        return None
    parts.sort(key=lambda part: -part[0])  # the longest form first: "hunter22" before "hunter2"
    return re.compile("|".join(part for _, part in parts))


def _redact(text: str, known: frozenset[str], pattern: re.Pattern[str] | None) -> str:
    if text in known:
        return MASK  # a whole value, however short
    if pattern is not None:
        text = pattern.sub(MASK, text)
    text = _USERINFO.sub(lambda m: m["head"] + (MASK if m["value"] else "") + "@", text)
    text = _PARAM.sub(_masked_param, text)
    text = _CONNINFO_PASSWORD.sub(lambda m: m["head"] + MASK, text)
    text = _BEARER.sub(lambda m: m["head"] + MASK, text)
    return text


def _masked_param(match: re.Match[str]) -> str:
    if match["value"] and _secret_name(match["name"]):
        return match["head"] + MASK
    return match[0]


def _secret_name(name: str) -> bool:
    try:
        name = unquote_plus(name)
    except Exception:
        pass
    return SECRET_NAME.search(name) is not None


def _decoded(value: str) -> list[str]:
    """A value as written in a URL and as it reads decoded (both may reach a text)."""
    if not value or value == MASK:
        return []
    found = [value]
    for decode in (unquote, unquote_plus):
        try:
            found.append(decode(value))
        except Exception:
            pass
    return found


def _unquoted_conninfo(value: str) -> list[str]:
    found = [value]
    if value.startswith("'"):
        inner = value[1:-1] if len(value) > 1 and value.endswith("'") else value[1:]
        found.append(inner.replace("\\'", "'").replace("\\\\", "\\"))
    return [v for v in found if v]
