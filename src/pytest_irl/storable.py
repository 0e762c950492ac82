"""Values as they are stored: text Postgres accepts (no NUL, no lone surrogate) and UTC time.

No pydantic here: the recording's start-up imports this; the models come later (``engine_loader``).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

# Postgres text and jsonb reject NUL, and UTF-8 cannot encode a lone surrogate; both are replaced
# by U+FFFD so that a hostile string is stored (visibly altered) instead of failing the write.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    if text.isascii() and "\x00" not in text:  # nearly every text, without the regex
        return text
    return _UNSTORABLE.sub("\ufffd", text)


def storable_json(value: Any) -> Any:
    """``value`` with every string in it (keys included) made storable."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {storable(str(k)): storable_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable_json(v) for v in value]
    return value


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
