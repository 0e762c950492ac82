"""Finding a Chromium to launch when Playwright's own build is not installed."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# Debian/Ubuntu package names first, then Google Chrome.
SYSTEM_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# Without these, a system Chromium run as root refuses to start (sandbox) and, on a closed
# network, stalls on background connections to Google's services.
SYSTEM_CHROMIUM_ARGS = ("--disable-background-networking",)
ROOT_ARGS = ("--no-sandbox",)


def find_system_chromium() -> str | None:
    """The path of a Chromium or Chrome installed by the system, or None."""
    for name in SYSTEM_CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def bundled_browser_missing(browser_type: Any) -> bool:
    """True when Playwright's own build for ``browser_type`` is not on disk."""
    try:
        return not Path(browser_type.executable_path).exists()
    except Exception:
        return True


def with_system_chromium(launch_args: Mapping[str, Any], executable: str) -> dict[str, Any]:
    """``launch_args`` plus what a system Chromium needs; the user's own args are kept."""
    args = list(launch_args.get("args") or [])
    extra = list(SYSTEM_CHROMIUM_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        extra += ROOT_ARGS
    args += [flag for flag in extra if flag not in args]
    return {**launch_args, "executable_path": executable, "args": args}


def user_chose_browser(launch_args: Mapping[str, Any]) -> bool:
    """An explicit executable or channel from the user always wins over the fallback."""
    return bool(launch_args.get("executable_path") or launch_args.get("channel"))


def chromium_launch_options(browser_type: Any, **launch_args: Any) -> dict[str, Any]:
    """``launch_args`` for ``browser_type.launch``, with the system Chromium when Playwright's own
    build is missing (for scripts and tests that launch a browser of their own)."""
    executable = find_system_chromium()
    if bundled_browser_missing(browser_type) and executable:
        return with_system_chromium(launch_args, executable)
    return launch_args
