#!/usr/bin/env bash
# Sets everything up and runs the project's tests (lint included). With IRL_TEST_DATABASE_URL set
# to a Postgres server, the store tests run against it as well as against the embedded server.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
"$VENV/bin/ruff" check src tests examples benchmarks scripts
"$VENV/bin/mypy"
"$PY" -m pytest tests -p no:cacheprovider "$@"
# The behaviour tests again on the oldest declared Playwright / pytest-playwright and on 1.49.
bash "$ROOT/scripts/versions.sh"
