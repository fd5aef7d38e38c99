#!/usr/bin/env bash
# Runs every test suite, one after the other, and prints each runner's summary and a total.
# Run through `make test`, which installs what is missing first. Exit code: non-zero if any suite failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$(pwd)/.venv/bin:$PATH"
logs=$(mktemp -d)
failed=()
passed_total=0
failed_total=0
skipped_total=0

# The last lines of a runner's output hold its summary (jest "Tests: 1 failed, 9 passed",
# pytest "9 passed, 1 skipped", Playwright "9 passed"): add them up for the closing line.
count_in_summary() {
  local word=$1 log=$2
  tail -n 15 "$log" | grep -oE "[0-9]+ $word" | tail -n 1 | grep -oE '^[0-9]+' || echo 0
}

run_suite() {
  local name=$1; shift
  local log="$logs/$(echo "$name" | tr -c 'a-z' '_').log"
  local started=$SECONDS
  echo; echo "===== $name: $*"
  if "$@" 2>&1 | tee "$log"; then
    echo "===== $name: ok in $((SECONDS - started)) s"
  else
    echo "===== $name: FAILED in $((SECONDS - started)) s"; failed+=("$name")
  fi
  local p f s
  p=$(count_in_summary passed "$log"); f=$(count_in_summary failed "$log"); s=$(count_in_summary skipped "$log")
  passed_total=$((passed_total + p)); failed_total=$((failed_total + f)); skipped_total=$((skipped_total + s))
}

run_suite "server (jest)" npm --prefix server test
run_suite "extension (jest)" npm test
run_suite "python client and server extension (pytest)" python -m pytest -q -p no:cacheprovider python_client/tests jupyterlab_modelreg/tests
run_suite "mlflow client (pytest)" python -m pytest -q -p no:cacheprovider mlflow_tests
run_suite "reliability (pytest)" python -m pytest -q -p no:cacheprovider tests/reliability/tests
run_suite "end to end (galata)" bash -c 'cd ui-tests && npx playwright test'

echo
[ ${#failed[@]} -gt 0 ] && echo "FAILED suites: ${failed[*]}"
echo "total: $passed_total passed, $failed_total failed, $skipped_total skipped"
[ ${#failed[@]} -eq 0 ]
