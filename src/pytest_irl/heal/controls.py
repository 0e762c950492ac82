"""One thing to act on: a ``<label>`` and the control it labels are the same target.

Low in the import order (it needs only the fingerprint): ranking, look-alikes and the decision
all ask it.
"""

from __future__ import annotations

from .fingerprint import Fingerprint


def same_control(a: Fingerprint, b: Fingerprint) -> bool:
    """A ``<label>`` and the control it labels (by ``for`` or by nesting) are one thing to act on."""
    if a.tag != "label":
        a, b = b, a
    if a.tag != "label" or b.tag == "label" or a.frame_path != b.frame_path:
        return False
    target = a.attrs.get("for")
    if target:
        return bool(b.id) and b.id == target
    return bool(a.css_path) and b.css_path.startswith(a.css_path + " > ")
