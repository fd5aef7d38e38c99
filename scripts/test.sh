#!/usr/bin/env bash
# Runs every test suite, one after the other, and prints each runner's summary.
# Run through `make test`, which installs what is missing first. Exit code: non-zero if any suite failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$(pwd)/.venv/bin:$PATH"
failed=()

run_suite() {
  local name=$1; shift
  echo; echo "===== $name: $*"
  if "$@"; then echo "===== $name: ok"; else echo "===== $name: FAILED"; failed+=("$name"); fi
}

run_suite "server (jest)" npm --prefix server test
run_suite "extension (jest)" npm test
run_suite "python client, server extension, mlflow (pytest)" python -m pytest -q -p no:cacheprovider python_client/tests jupyterlab_modelreg/tests
run_suite "end to end (galata)" bash -c 'cd ui-tests && npx playwright test'

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED suites: ${failed[*]}"; exit 1
fi
echo "all suites passed"
