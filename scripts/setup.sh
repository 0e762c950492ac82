#!/usr/bin/env bash
# Sets up .venv with pytest-irl (editable, with test extras) and a Chromium that Playwright can drive.
# Sourced by demo.sh and test.sh; safe to run again (each step is skipped when already done).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

if [ ! -x "$PY" ]; then
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { echo "pytest-irl needs Python 3.10+" >&2; exit 1; }
  python3 -m venv "$VENV"
fi
"$PY" -m pip install --quiet --upgrade pip >/dev/null
"$PY" -m pip install --quiet -e "$ROOT[test]"
# The optional WebRTC player of the live stream (aiortc): its tests run where it installs and are
# skipped where it does not; the stream falls back to MJPEG without it.
"$PY" -m pip install --quiet "aiortc>=1.9" >/dev/null 2>&1 \
  || echo "note: the 'webrtc' extra (aiortc) did not install; its tests are skipped" >&2

playwright_chromium_present() {
  "$PY" - <<'PYEOF'
import os, sys
from playwright.sync_api import sync_playwright
with sync_playwright() as p:
    sys.exit(0 if os.path.exists(p.chromium.executable_path) else 1)
PYEOF
}

system_chromium_present() {
  command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
    || command -v google-chrome >/dev/null || command -v google-chrome-stable >/dev/null
}

if ! playwright_chromium_present && ! system_chromium_present; then
  # Playwright's own build first; where it cannot be downloaded, the distribution's Chromium
  # (pytest-irl finds and launches a system Chromium by itself).
  if ! "$VENV/bin/playwright" install chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
      echo "No Chromium: run '$VENV/bin/playwright install chromium' or install your distribution's chromium." >&2
      exit 1
    fi
  fi
fi
