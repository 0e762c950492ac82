"""From a resolved call-site chain and the suggested locator to the edits at their definitions.

The suggestion keeps the parts of the chain that were not broken (``python_chain`` writes a list
heal's narrowing as the test wrote it), so lining the two chains up from both ends leaves the
broken part: the segment(s) in the middle. That part is rewritten where it is written: a string
or number that differs is replaced where it is defined (a constant, an ``__init__`` attribute, a
default argument, the call site); a call that must change (``locator("#a")`` to
``get_by_role(...)``) is replaced in the expression that builds it. A part that varies between
calls is never replaced by the value one call had.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

import libcst as cst

from .resolve import Chain, Segment, Static, Unknown, Value, Varying, dotted

# The receiver the suggestions are written against.
SUGGESTION_RECEIVER = "page"


@dataclass(frozen=True)
class Edit:
    """Replace ``node`` (as parsed) by ``new``; ``before``/``after`` are their code."""

    node: cst.CSTNode
    new: cst.BaseExpression
    before: str
    after: str


class Skip(Exception):
    """A heal that cannot be applied safely; the message is the reason shown."""


def code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _normalized(segment: Segment) -> tuple[str, tuple[Value, ...], dict[str, Value]]:
    # ``.first`` is ``.nth(0)`` and ``.last`` is ``.nth(-1)``: the suggestion may use either form.
    if segment.method == "first":
        return "nth", (Static(0, segment.node),), {}
    if segment.method == "last":
        return "nth", (Static(-1, segment.node),), {}
    return segment.method, segment.args, dict(segment.kwargs)


def _in_selector(value: object, selector: str) -> bool:
    shown = str(value).casefold()
    wanted = selector.casefold()
    return shown in wanted or json.dumps(str(value), ensure_ascii=False)[1:-1].casefold() in wanted


def _same_value(old: Value, new: Value, original: str) -> bool:
    if isinstance(new, Static):
        if isinstance(old, Static):
            return type(old.value) is type(new.value) and old.value == new.value
        if isinstance(old, Varying | Unknown):
            # A varying argument kept by the suggestion holds the value it had in the healed call,
            # which the recorded selector names; a value it does not name is a new one.
            if isinstance(old, Varying) and old.pattern is not None and not (
                isinstance(new.value, str) and old.pattern.fullmatch(new.value) is not None
            ):
                return False
            return _in_selector(new.value, original)
        return False
    if isinstance(new, Chain) and isinstance(old, Chain):
        return len(old.segments) == len(new.segments) and all(
            same_segment(o, n, original) for o, n in zip(old.segments, new.segments, strict=True)
        )
    return False


def same_segment(old: Segment, new: Segment, original: str) -> bool:
    """``new`` (from the suggestion) is ``old`` (from the source) as it ran for ``original``."""
    old_method, old_args, old_kwargs = _normalized(old)
    new_method, new_args, new_kwargs = _normalized(new)
    return (
        old_method == new_method
        and len(old_args) == len(new_args)
        and old_kwargs.keys() == new_kwargs.keys()
        and all(_same_value(o, n, original) for o, n in zip(old_args, new_args, strict=True))
        and all(_same_value(old_kwargs[k], new_kwargs[k], original) for k in old_kwargs)
    )


def _values(segment: Segment) -> list[Value]:
    return [*segment.args, *(v for _, v in segment.kwargs)]


def _first_varying(segments: tuple[Segment, ...]) -> Varying | Unknown | None:
    for segment in segments:
        for value in _values(segment):
            if isinstance(value, Varying | Unknown):
                return value
            if isinstance(value, Chain):
                inner = _first_varying(value.segments)
                if inner is not None:
                    return inner
    return None


def string_literal(value: str, like: cst.CSTNode | None = None) -> str:
    """``value`` as a Python string literal, in the quotes ``like`` uses where the value allows."""
    quote: str = like.quote if isinstance(like, cst.SimpleString) and len(like.quote) == 1 else '"'
    other = "'" if quote == '"' else '"'
    if quote in value and other not in value:
        quote = other
    escaped = json.dumps(value, ensure_ascii=False)[1:-1]  # JSON escapes are Python escapes
    if quote == "'":
        escaped = escaped.replace('\\"', '"').replace("'", "\\'")
    return f"{quote}{escaped}{quote}"


def _literal_code(value: object, like: cst.CSTNode) -> str:
    if isinstance(value, str):
        return string_literal(value, like)
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int | float):
        return repr(value)
    raise Skip(f"cannot write the value {value!r}")


def _attr_value(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def as_selector(segment: Segment) -> str | None:
    """The selector string a one-step locator stands for, when it has a plain form.

    A test id becomes the CSS a person writes; the user-facing ``get_by_*`` forms become the
    selector Playwright itself builds for them, which ``locator()`` accepts as written.
    """
    args, kwargs = segment.args, dict(segment.kwargs)
    if not all(isinstance(v, Static) for v in _values(segment)) or len(args) != 1:
        return None
    first = args[0].value  # type: ignore[union-attr]
    if not isinstance(first, str):
        return None
    exact = kwargs.pop("exact", None)
    flag = "s" if isinstance(exact, Static) and exact.value is True else "i"
    if segment.method == "locator" and not kwargs and exact is None:
        return first
    if segment.method == "get_by_test_id" and not kwargs and exact is None:
        return f"[data-testid={_attr_value(first)}]"
    if segment.method == "get_by_role" and set(kwargs) <= {"name"}:
        name = kwargs.get("name")
        if name is None:
            return f"internal:role={first}"
        if isinstance(name, Static) and isinstance(name.value, str):
            return f"internal:role={first}[name={_attr_value(name.value)}{flag}]"
        return None
    if kwargs:
        return None
    text = json.dumps(first, ensure_ascii=False) + flag
    return {
        "get_by_text": f"internal:text={text}",
        "get_by_label": f"internal:label={text}",
        "get_by_placeholder": f"internal:attr=[placeholder={_attr_value(first)}{flag}]",
        "get_by_alt_text": f"internal:attr=[alt={_attr_value(first)}{flag}]",
        "get_by_title": f"internal:attr=[title={_attr_value(first)}{flag}]",
    }.get(segment.method)


def _segment_code(segment: Segment) -> str:
    if segment.is_property:
        return f".{segment.method}"
    assert isinstance(segment.node, cst.Call)
    args = ", ".join(code(arg).strip().rstrip(",") for arg in segment.node.args)
    return f".{segment.method}({args})"


def _inside(node: cst.CSTNode, container: cst.CSTNode, parents: dict[cst.CSTNode, cst.CSTNode]) -> bool:
    current: cst.CSTNode | None = node
    while current is not None:
        if current is container:
            return True
        current = parents.get(current)
    return False


def page_like(base: str, goto_receivers: set[str]) -> bool:
    if base == "self.page" or base in goto_receivers:
        return True
    last = base.rpartition(".")[2].lower()
    return last == "popup" or last.endswith("page")


def edits_for(
    chain: Chain,
    suggestion: Chain,
    original: str,
    parents: dict[cst.CSTNode, cst.CSTNode],
    goto_receivers: set[str],
) -> list[Edit]:
    """The edits that make ``chain`` (recorded as ``original``) the ``suggestion``; raises Skip
    with the reason when that is not safe."""
    old, new = chain.segments, suggestion.segments
    tail = 0
    while tail < min(len(old), len(new)) and same_segment(old[-1 - tail], new[-1 - tail], original):
        tail += 1
    head = 0
    while head < min(len(old), len(new)) - tail and same_segment(old[head], new[head], original):
        head += 1
    old_mid, new_mid = old[head : len(old) - tail], new[head : len(new) - tail]
    if not old_mid and not new_mid:
        raise Skip("already applied")
    if len(old_mid) == len(new_mid) == 1:
        written = as_selector(old_mid[0])
        if written is not None and written == as_selector(new_mid[0]):
            raise Skip("already applied")  # as the suggestion's selector string, by an earlier fix
    if not old_mid:
        raise Skip("the suggestion only adds to the locator: there is nothing in it to replace")
    varying = _first_varying(old_mid)
    if varying is not None:
        part = "".join(_segment_code(s) for s in old_mid)
        if isinstance(varying, Varying):
            raise Skip(f"the healed part `{part}` varies between calls ({varying.reason}):"
                       " a rewrite would replace it with the value of one call")
        raise Skip(f"the healed part `{part}` cannot be followed to where it is written ({varying.reason})")
    if head == 0:
        base = dotted(chain.root)
        if base is None or not page_like(base, goto_receivers):
            raise Skip(f"receiver `{code(chain.root)}` is not page-like")

    if len(old_mid) == 1 and len(new_mid) == 1:
        edits = _same_call_edits(old_mid[0], new_mid[0], original)
        if edits is not None:
            return edits
        defined_elsewhere = _selector_defined_elsewhere(old_mid[0], parents)
        if defined_elsewhere is not None:
            selector = as_selector(new_mid[0])
            if selector is None:
                raise Skip(f"`{code(defined_elsewhere.node)}` holds a selector string, and"
                           f" `{_segment_code(new_mid[0])[1:]}` has no selector string form")
            return [_literal_edit(defined_elsewhere, selector)]
    return [_region_edit(old_mid, new_mid, parents)]


def _same_call_edits(old: Segment, new: Segment, original: str) -> list[Edit] | None:
    """Edits of the differing arguments, when only arguments differ; None when the call changes."""
    old_method, old_args, old_kwargs = _normalized(old)
    new_method, new_args, new_kwargs = _normalized(new)
    if old.is_property or new.is_property or old_method != new_method:
        return None
    if len(old_args) != len(new_args) or old_kwargs.keys() != new_kwargs.keys():
        return None
    pairs = [*zip(old_args, new_args, strict=True), *((old_kwargs[k], new_kwargs[k]) for k in old_kwargs)]
    edits = []
    for before, after in pairs:
        if _same_value(before, after, original):
            continue
        if not (isinstance(before, Static) and isinstance(after, Static)):
            return None  # a nested locator changed: the call is replaced whole
        edits.append(_literal_edit(before, after.value))
    return edits


def _selector_defined_elsewhere(
    segment: Segment, parents: dict[cst.CSTNode, cst.CSTNode]
) -> Static | None:
    if segment.method != "locator" or segment.kwargs or len(segment.args) != 1:
        return None
    arg = segment.args[0]
    written_here = isinstance(arg, Static) and _inside(arg.node, segment.node, parents)
    if isinstance(arg, Static) and isinstance(arg.value, str) and not written_here:
        return arg
    return None


def _replacement(node: cst.CSTNode, after: str) -> cst.BaseExpression:
    new = cst.parse_expression(after)
    # Parentheses around the old expression (and the comments inside them) are kept.
    lpar, rpar = getattr(node, "lpar", None), getattr(node, "rpar", None)
    if lpar and not new.lpar:
        new = new.with_changes(lpar=lpar, rpar=rpar)
    return new


def _literal_edit(before: Static, value: object) -> Edit:
    after = _literal_code(value, before.node)
    return Edit(before.node, _replacement(before.node, after), code(before.node), after)


def _region_edit(
    old_mid: tuple[Segment, ...], new_mid: tuple[Segment, ...], parents: dict[cst.CSTNode, cst.CSTNode]
) -> Edit:
    """Replace the expression that builds ``old_mid`` with ``new_mid`` on the same receiver."""
    for earlier, later in itertools.pairwise(old_mid):
        if later.receiver is not earlier.node:
            raise Skip(f"the healed part is built in more than one place (`{code(earlier.node)}`"
                       f" and `{_segment_code(later)}`): no single definition to rewrite")
    last = old_mid[-1].node
    for segment in old_mid:
        for value in _values(segment):
            if isinstance(value, Static) and not _inside(value.node, last, parents):
                raise Skip(f"the suggestion replaces `{_segment_code(segment)[1:]}`, whose"
                           f" `{code(value.node)}` is defined elsewhere: rewriting here would copy it")
    before = code(last)
    if "\n" in before and _comments(last):
        raise Skip("comment inside a multi-line locator chain")
    after = code(old_mid[0].receiver) + "".join(_segment_code(s) for s in new_mid)
    try:
        new = _replacement(last, after)
    except cst.ParserSyntaxError as exc:
        raise Skip("the result would not parse") from exc
    return Edit(last, new, before, after)


def _comments(node: cst.CSTNode) -> list[str]:
    class Comments(cst.CSTVisitor):
        def __init__(self) -> None:
            self.found: list[str] = []

        def visit_Comment(self, comment: cst.Comment) -> None:
            self.found.append(comment.value)

    visitor = Comments()
    node.visit(visitor)
    return visitor.found
