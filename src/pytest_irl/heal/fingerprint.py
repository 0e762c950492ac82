"""The fingerprint of one DOM element: everything the healer may later compare.

The page-side script (``snapshot.js``) emits camelCase JSON and omits empty values to keep the
payload small; every field here therefore has a default, and the alias generator maps the
snake_case Python names onto the camelCase keys, so ``Fingerprint.model_validate(obj)`` takes the
script's output as it comes and ``model_dump(by_alias=True)`` gives the same shape back.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

TEXT_CAP = 200

_CONFIG = ConfigDict(
    alias_generator=to_camel,
    populate_by_name=True,
    # Older or newer snapshot scripts may add keys; a stored fingerprint must still load.
    extra="ignore",
)


class Box(BaseModel):
    """Border box in top-document CSS pixels (scroll and iframe offsets already added)."""

    model_config = _CONFIG

    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    height: float = 0.0

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.width / 2, self.y + self.height / 2)


class Neighbours(BaseModel):
    """Nearest visible texts around the element, one per direction."""

    model_config = _CONFIG

    above: str = ""
    below: str = ""
    left: str = ""
    right: str = ""

    def items(self) -> list[tuple[str, str]]:
        return [("above", self.above), ("below", self.below), ("left", self.left), ("right", self.right)]


def _collapse(value: str, cap: int) -> str:
    value = " ".join(value.split())
    return value[:cap].rstrip() if len(value) > cap else value


class Fingerprint(BaseModel):
    """A recorded description of one element; partial data is fine, every field is optional."""

    model_config = _CONFIG

    tag: str = ""
    id: str = ""
    name: str = ""
    classes: list[str] = Field(default_factory=list)
    type: str = ""
    role: str = ""
    accessible_name: str = ""
    text: str = ""
    label: str = ""
    placeholder: str = ""
    title: str = ""
    alt: str = ""
    href: str = ""
    test_ids: dict[str, str] = Field(default_factory=dict)
    attrs: dict[str, str] = Field(default_factory=dict)
    xpath: str = ""
    id_xpath: str = ""
    css_path: str = ""
    box: Box | None = None
    is_button: bool = False
    is_link: bool = False
    is_input: bool = False
    neighbours: Neighbours = Field(default_factory=Neighbours)
    context: str = ""
    frame_path: list[str] = Field(default_factory=list)
    shadow_path: list[str] = Field(default_factory=list)
    visible: bool = True
    enabled: bool = True
    # The page's token for the DOM node it was learned from (``snapshot.js`` ``nodeToken``): equal
    # only for the very same node of the same window. Never scored; a drift check reads it.
    node: str = ""
    # Only on a learned reference: the elements of its page most like it (``look_alikes``), for the
    # contrastive test of a later heal; [] when it had none, None when they were never looked for
    # (a snapshot candidate, or a fingerprint learned before they were kept).
    look_alikes: list[Fingerprint] | None = None

    @field_validator(
        "tag",
        "id",
        "name",
        "type",
        "role",
        "accessible_name",
        "label",
        "placeholder",
        "title",
        "alt",
        "href",
        "xpath",
        "id_xpath",
        "css_path",
        "context",
        mode="before",
    )
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        # JSON from other tools (or older rows) may carry null where we use "".
        return "" if value is None else value

    @field_validator("text", mode="before")
    @classmethod
    def _visible_text(cls, value: Any) -> Any:
        # Hand-made fingerprints may pass raw text; keep the same shape the script produces.
        if value is None:
            return ""
        if isinstance(value, str):
            return _collapse(value, TEXT_CAP)
        return value

    @field_validator("tag", "role", "type", mode="after")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()

    @field_validator("test_ids", "attrs", mode="before")
    @classmethod
    def _str_values(cls, value: Any) -> Any:
        # Attributes are strings in the DOM; tolerate numbers/None from hand-written JSON.
        if isinstance(value, dict):
            return {str(k): "" if v is None else str(v) for k, v in value.items()}
        return {} if value is None else value

    @model_validator(mode="after")
    def _id_xpath_default(self) -> Fingerprint:
        # The script omits idXpath when no ancestor has an id (it would equal xpath).
        if not self.id_xpath and self.xpath:
            self.id_xpath = self.xpath
        return self

    def to_json_dict(self) -> dict[str, Any]:
        """The compact camelCase form the snapshot script produces (defaults left out)."""
        data = self.model_dump(by_alias=True, exclude_defaults=True)
        if self.id_xpath == self.xpath:
            data.pop("idXpath", None)
        return data
