#!/usr/bin/env bash
# The plugin's behaviour tests on older Playwright / pytest-playwright releases, each in its own
# venv under .cache/versions/ (git ignores it), installed from the package index; the newest
# releases are what scripts/test.sh runs the whole suite on. Usage: bash scripts/versions.sh [NAME...]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# name -> the pins of that venv. "oldest" is exactly the floors pyproject.toml declares.
declare -A PINS=(
  [oldest]="playwright==1.45.0 pytest-playwright==0.5.0 pytest==8.0.2"
  [pw1.49]="playwright==1.49.1 pytest-playwright==0.7.0"
)
# A representative subset: wrapping and identity, expect healing and lists, steps and recording
# through pytester (with and without --irl), reruns, acting first (the call log's wording), and
# finding the trace pytest-playwright kept (its output folder differs between releases).
TESTS=(
  tests/test_proxy.py tests/test_proxy_identity.py tests/test_lists_and_assertions.py tests/test_api_classification.py
  tests/test_adapter_boundary.py tests/test_act_first.py
  tests/test_reruns.py "tests/test_plugin.py::test_records_each_playwright_test_with_its_outcome"
  "tests/test_healing.py::test_learns_on_success_and_heals_by_fingerprint"
  tests/test_traces.py
)

names=("$@")
[ ${#names[@]} -gt 0 ] || names=(oldest pw1.49)
for name in "${names[@]}"; do
  pins="${PINS[$name]:?unknown version set: $name}"
  venv="$ROOT/.cache/versions/$name"
  if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.pins" 2>/dev/null)" != "$pins" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    # shellcheck disable=SC2086  # the pins are words
    if ! "$venv/bin/pip" install --quiet $pins -e "$ROOT[test]" > "$venv.log" 2>&1; then
      cat "$venv.log" >&2
      exit 1
    fi
    echo "$pins" > "$venv/.pins"
  fi
  echo "== $name: $("$venv/bin/python" -c 'import importlib.metadata as m; print(", ".join(f"{p} {m.version(p)}" for p in ("playwright", "pytest-playwright", "pytest")))')"
  "$venv/bin/python" -m pytest -p no:cacheprovider -q "${TESTS[@]}"
done
