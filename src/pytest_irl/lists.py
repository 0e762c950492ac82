"""The Playwright side of list healing: learn the set a locator matched, find it again after a rename.

A list locator (``count()``, ``all()``, ``nth(i)``, ``filter(...)``, ``to_have_count``, a list
``to_have_text``) learns a :class:`~pytest_irl.heal.sets.SetFingerprint` on success. When it
later matches nothing, :meth:`Lists.heal` asks the page for every candidate set and lets the pure
core (``heal.sets``) decide; a chained locator (``locator("#cart li").nth(0).locator(".remove")``)
follows its healed parent: the healed list's selector with the rest of the chain kept as written.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .heal.selector_grammar import split_clauses
from .heal.sets import SetDecision, SetFingerprint, decide_set, rank_sets, selector_tokens
from .memory import KeyedMemory, url_path
from .models import SelfHealing, Step

# The page side (an expression whose value has ``learn`` and ``candidates``); the page observer
# keeps one per document, which ``observer.ask`` questions by name.
LISTS_LIBRARY_JS = (Path(__file__).parent / "lists.js").read_text(encoding="utf-8")
LEARN_JS = f"(elements) => (\n{LISTS_LIBRARY_JS}\n).learn(elements)"
CANDIDATES_JS = f"(opts) => (\n{LISTS_LIBRARY_JS}\n).candidates(opts)"
# Parts of a chain that narrow a list to some of its items: what comes before them is a list.
_NARROWING = ("nth", "internal:has-text", "internal:has", "internal:has-not-text", "internal:has-not",
              "visible")
SAME_HEAL = "same list heal as earlier in this session"


@dataclass
class ListHeal:
    """A healed list locator: ``selector`` stands for ``info.original_selector``."""

    selector: str
    info: SelfHealing


class SetMemory(KeyedMemory[SetFingerprint, ListHeal]):
    """Learned sets of list locators (the element memory's lookup), and what this session learned."""

    def __init__(self) -> None:
        super().__init__(SetFingerprint)
        self.learned_now: set[tuple[str, str, str]] = set()

    def learn(self, selector: str, path: str, nodeid: str, learned: SetFingerprint) -> None:
        super().learn(selector, path, nodeid, learned)
        self.learned_now.add((selector, path, nodeid))

    def has_history(self, selector: str, path: str, nodeid: str) -> bool:
        """A set was learned, or a heal found, for ``selector`` or a list it starts with."""
        return any(self.lookup(s, path, nodeid) is not None or self.cached_heal(s, path) is not None
                   for s in (selector, *list_prefixes(selector)))

    def healed_before(self, selector: str, path: str) -> bool:
        """A heal was found in this session for ``selector`` or a list it starts with."""
        return any(self.cached_heal(s, path) is not None for s in (selector, *list_prefixes(selector)))


def list_prefixes(selector: str) -> list[str]:
    """The parts of ``selector`` that are lists, longest first: the part before each narrowing
    clause (``nth=``, ``internal:has-text=``...), and never across a frame boundary."""
    return list(_list_prefixes(selector))


@functools.lru_cache(maxsize=4096)
def _list_prefixes(selector: str) -> tuple[str, ...]:
    # Asked before every action on every locator (the list-following drift check): parsing the
    # selector each time cost more than the rest of that check.
    clauses = split_clauses(selector)
    out: list[str] = []
    for i in range(1, len(clauses)):
        if clauses[i].engine in _NARROWING and clauses[i - 1].engine not in _NARROWING:
            out.append(" >> ".join(c.source for c in clauses[:i]))
    return tuple(p for p in reversed(out) if "enter-frame" not in p)


def python_locator(selector: str) -> str:
    return f"page.locator({json.dumps(selector, ensure_ascii=False)})"


def python_chain(base: str, rest: str) -> str:
    """Python for the healed list ``base`` narrowed as ``rest`` (`` >> nth=0 >> .remove``) says,
    written the way the test wrote it (``.nth(0).locator(".remove")``) where every part has a
    plain Python form, else one selector string."""
    code = python_locator(base)
    for clause in split_clauses(rest):
        if clause.engine == "nth" and clause.body.lstrip("-").isdigit():
            index = int(clause.body)
            code += ".first" if index == 0 else ".last" if index == -1 else f".nth({index})"
        elif clause.engine == "css":
            code += f".locator({json.dumps(clause.body, ensure_ascii=False)})"
        elif clause.engine == "internal:has-text" and clause.body[:1] == '"' and clause.body[-2:] == '"i':
            try:
                text = json.loads(clause.body[:-1])
            except ValueError:
                return python_locator(base + rest)
            code += f".filter(has_text={json.dumps(text, ensure_ascii=False)})"
        else:
            return python_locator(base + rest)
    return code


class Lists:
    """One per layer: learned sets, this session's list heals, and the heal itself."""

    def __init__(self, healer: Any, persist: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.healer = healer  # the element Healer: its settings, nodeid and end-of-session list
        self.persist = persist
        self.memory = SetMemory()

    # learning --------------------------------------------------------------------------------
    def learn(self, locator: Any, selector: str, url: str | None) -> None:
        """Remember the set ``locator`` matches now (once per locator, page and test a session)."""
        if not selector or "enter-frame" in selector or list_prefixes(selector):
            return  # a narrowed list is learned as its list (learn_parents)
        path, nodeid = url_path(url), self.healer.nodeid
        key = (selector, path, nodeid)
        questions = self.healer.questions
        if key in self.memory.learned_now or questions.asking(key):
            return

        def answered(data: Any) -> None:
            if not data:
                return
            fp = SetFingerprint.model_validate(data)
            self.memory.learn(selector, path, nodeid, fp)
            if self.persist is not None:
                self.persist({"selector": selector, "url_path": path, "nodeid": nodeid,
                              "fingerprint": fp.model_dump(by_alias=True, exclude_defaults=True)})

        # The question goes out with the test's next call: learning costs the step no wait.
        questions.ask_later(key, locator, "lists", "learn", LEARN_JS, answered)

    def learn_parents(self, page: Any, selector: str, url: str | None) -> None:
        """Learn the lists a chained locator narrows (``S`` of ``S >> nth=0 >> .remove``)."""
        for prefix in list_prefixes(selector):
            self.learn(page.locator(prefix), prefix, url)

    # healing ---------------------------------------------------------------------------------
    @property
    def heals(self) -> bool:
        return bool(self.healer.heals)

    def heal(self, page: Any, selector: str, step: Step | None, direct: bool = True) -> ListHeal | None:
        """A healed selector for ``selector`` (a list, or with ``direct`` False only a chain on a
        list), else None."""
        if not self.heals or "enter-frame" in selector:
            return None
        path = url_path(page.url)
        # A narrowed list (``S >> nth=0``, ``S >> internal:has-text=...``) is never replaced whole:
        # only its list ``S`` is healed, and the narrowing is kept as written.
        prefixes = list_prefixes(selector)
        healed = self._heal_list(page, selector, path, step) if direct and not prefixes else None
        if healed is not None:
            return healed
        for prefix in prefixes:
            parent = self._heal_list(page, prefix, path, None)
            if parent is None:
                continue
            rewritten = parent.selector + selector[len(prefix):]
            try:
                if page.locator(rewritten).count() == 0:
                    continue
            except Exception:
                continue
            info = parent.info.model_copy(update={
                "original_selector": selector, "healed_selector": rewritten,
                "suggested_locator": python_chain(parent.selector, selector[len(prefix):]),
                "note": f"follows its healed list {prefix!r} -> {parent.selector!r}",
            })
            return self._accept(step, ListHeal(rewritten, info), page)
        return None

    def _heal_list(self, page: Any, selector: str, path: str, step: Step | None) -> ListHeal | None:
        cached = self.memory.cached_heal(selector, path)
        if cached is not None:
            try:
                if page.locator(cached.selector).count() > 0:
                    info = cached.info.model_copy(update={"note": SAME_HEAL})
                    return self._accept(step, ListHeal(cached.selector, info), page)
            except Exception:
                pass
            self.memory.forget_heal(selector, path)
        learned = self.memory.lookup(selector, path, self.healer.nodeid)
        if learned is None:
            return None
        decision = self.probe(page, selector, learned)
        if decision is None:
            return None
        if not decision.accepted:
            if step is not None and decision.top:
                step.heal_refused = {
                    "strategy": "list", "originalSelector": selector, "note": f"refused: {decision.reason}",
                    "candidates": [m.summary() for m in decision.top],
                }
            return None
        chosen = decision.chosen
        assert chosen is not None
        healed = chosen.candidate.selector
        info = SelfHealing(
            strategy="list", original_selector=selector, healed_selector=healed,
            note=f"matched the list learned on earlier runs; {decision.reason}",
            score=round(chosen.score, 3), candidates=[m.summary() for m in decision.top],
            suggested_locator=python_locator(healed), element=chosen.candidate.container_css,
        )
        reviewed = self.healer.review_gate(step, info)
        if reviewed is None:
            return None  # a person rejected this heal: the step's healRefused says so
        info = reviewed
        heal = ListHeal(healed, info)
        if self.healer.settings.mode == "suggest":
            if step is not None:
                step.heal_suggestion = info
            return None
        self.memory.remember_heal(selector, path, heal)
        return self._accept(step, heal, page)

    def probe(self, page: Any, selector: str, learned: SetFingerprint) -> SetDecision | None:
        tokens = selector_tokens(selector)
        try:
            payload = json.loads(page.evaluate(CANDIDATES_JS, {
                "itemTag": learned.item_tag, "depth": learned.depth, "tokens": tokens,
                "container": {"css": learned.container_css, "tag": learned.container_tag,
                              "id": learned.container_id, "classes": learned.container_classes},
            }))
        except Exception:
            return None
        candidates = [SetFingerprint.model_validate(c) for c in payload.get("candidates") or []]
        return decide_set(learned, rank_sets(learned, candidates), selector, payload.get("onPage") or [],
                          container_there=bool(payload.get("containerThere")))

    def _accept(self, step: Step | None, heal: ListHeal, page: Any) -> ListHeal:
        from .healed_list import heal_record

        info = heal.info
        if self.healer.on_heal is not None and step is not None:
            # The list's container, outlined in the heal's screenshot.
            self.healer.on_heal(page.locator(info.element or heal.selector).first, step)
        if step is not None:
            shown = info.suggested_locator or info.healed_selector
            self.healer.note_healed(step.location, heal_record(step.location, info, shown, "list"))
        return heal


class ListFollowingHealer:
    """The element healer, plus: an action on a chained locator whose list was renamed
    (``locator("#cart li").nth(0).locator(".remove")``) follows the healed list first, keeping
    the rest of the chain as written; and the lists such a locator narrows are learned while it
    works. Everything else is the element healer's (attributes included)."""

    def __init__(self, healer: Any, lists: Lists) -> None:
        self._healer = healer
        self._lists = lists

    def __getattr__(self, name: str) -> Any:
        return getattr(self._healer, name)

    def heal(self, action: Any, deadline: float, step: Step | None) -> Any:
        from .policy import Heal

        selector = action.selector or ""
        if action.target is not None and list_prefixes(selector):
            try:
                page = action.target.page
                followed = self._lists.heal(page, selector, step, direct=False)
            except Exception:
                followed = None
            if followed is not None:
                return Heal(page.locator(followed.selector), followed.info)
        return self._healer.heal(action, deadline, step)

    def check_drift(self, action: Any, step: Step | None, deadline: float) -> Any:
        if action.target is not None and list_prefixes(action.selector or ""):
            try:
                page = action.target.page
                self._lists.learn_parents(page, action.selector or "", page.url)
            except Exception:
                pass  # learning never changes an outcome
        return self._healer.check_drift(action, step, deadline)
