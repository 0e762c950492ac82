#!/usr/bin/env bash
# Sets everything up, runs the example suite with --irl, then shows the recorded runs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
"$PY" -m pytest examples --irl -p no:cacheprovider "$@"
"$VENV/bin/irl" runs -n 1
