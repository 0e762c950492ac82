#!/usr/bin/env bash
# Sets everything up, then shows what pytest-irl does: the example suite on version 1 of its app
# (it passes, and the layer learns every element it touches), on version 2 (ids became classes,
# markup reordered: plain Playwright fails 5 tests, the layer heals them), the heals, and a report
# to open in a browser. Arguments go to both pytest runs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
REPORT="$ROOT/.irl/report.html"

echo "== 1/3  version 1 of the example app: the suite passes, --irl learns its elements"
"$PY" -m pytest examples --irl -p no:cacheprovider -q "$@"

echo
echo "== 2/3  version 2 of the tasks page (ids renamed, markup reordered): --irl heals"
# A failure here is part of what the report shows: the demo goes on to write it.
status=0
IRL_EXAMPLES_APP=v2 "$PY" -m pytest examples/test_tasks.py --irl -p no:cacheprovider -q "$@" || status=$?

echo
echo "== 3/3  the heals, and the report of both sessions"
"$VENV/bin/irl" runs -n 1
"$VENV/bin/irl" report --last 2 -o "$REPORT"
echo "open it in a browser: $REPORT (one file, no network; \`irl report --help\` for more)"
exit "$status"
