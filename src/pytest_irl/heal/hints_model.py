"""The data a selector yields about its target: ``TextHint`` and ``LocatorHints`` (see locator_hints)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from .identity import AGREE, text_verdict
from .selector_grammar import TextValue
from .similarity import contains_ci, text_similarity

Strategy = Literal["all", "text", "role", "attribute"]

TEST_ID_ATTRS = frozenset(
    {
        "data-testid",
        "data-test-id",
        "data-test",
        "data-qa",
        "data-qa-id",
        "data-cy",
        "data-automation-id",
        "data-e2e",
        "data-pw",
        "data-test-subj",
        "data-tid",
    }
)
# Fuzzy credit stays below a real match so that an element the locator would still have matched
# always outranks one that merely resembles it.
FUZZY_CAP = 0.9


class TextHint(BaseModel):
    """A text the locator matches: Playwright semantics are substring+ignore-case unless exact."""

    value: str
    exact: bool = False
    regex: bool = False
    flags: str = ""

    @classmethod
    def of(cls, text: TextValue) -> TextHint:
        return cls(value=text.value, exact=text.exact, regex=text.regex, flags=text.flags)

    def matches(self, actual: str) -> bool:
        if not actual:
            return False
        if self.regex:
            flags = re.IGNORECASE if "i" in self.flags else 0
            try:
                return re.search(self.value, actual, flags | (re.S if "s" in self.flags else 0)) is not None
            except re.error:
                return False
        if self.exact:
            return " ".join(actual.split()) == " ".join(self.value.split())
        return contains_ci(actual, self.value)

    def score(self, actual: str) -> float:
        if not actual:
            return 0.0
        if self.matches(actual):
            return 1.0
        probe = re.sub(r"\\.|[\^$.*+?()\[\]{}|]", " ", self.value) if self.regex else self.value
        if not self.regex and text_verdict(self.value, actual) == AGREE:
            return FUZZY_CAP  # the same words once everyday UI synonyms are joined
        return FUZZY_CAP * text_similarity(probe, actual)


class LocatorHints(BaseModel):
    """Everything a selector constrains about its target; empty fields mean "not said"."""

    selector: str = ""
    role: str = ""
    role_props: dict[str, str] = Field(default_factory=dict)
    name: TextHint | None = None
    text: TextHint | None = None
    label: TextHint | None = None
    placeholder: TextHint | None = None
    alt: TextHint | None = None
    title: TextHint | None = None
    test_id: TextHint | None = None
    test_id_attr: str = ""
    has_text: list[TextHint] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    ids: list[str] = Field(default_factory=list)
    classes: list[str] = Field(default_factory=list)
    attributes: dict[str, str] = Field(default_factory=dict)
    xpath: str = ""
    css: str = ""
    nth: int | None = None
    frames: list[str] = Field(default_factory=list)
    scopes: list[str] = Field(default_factory=list)
    has: list[str] = Field(default_factory=list)
    alternatives: list[LocatorHints] = Field(default_factory=list)
    description: str = ""
    unparsed: list[str] = Field(default_factory=list)

    def is_subject_empty(self) -> bool:
        return not (
            self.role
            or self.name
            or self.text
            or self.label
            or self.placeholder
            or self.alt
            or self.title
            or self.test_id
            or self.tags
            or self.ids
            or self.classes
            or self.attributes
            or self.xpath
            or self.has_text
        )
