#!/usr/bin/env bash
# Starts, for the end-to-end tests only, a JupyterLab configured by Galata on loopback, on the free port
# playwright.config.js chose (E2E_JUPYTER_PORT), pointed at the registry that e2e-registry.ts (Playwright's
# globalSetup) starts on E2E_REGISTRY_PORT with the admin token E2E_ADMIN_TOKEN. Playwright stops this
# script when the tests end.
set -euo pipefail
: "${E2E_JUPYTER_PORT:?run the suite with npx playwright test: playwright.config.js picks the ports}"
: "${E2E_REGISTRY_PORT:?}" "${E2E_ADMIN_TOKEN:?}"
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
state="$here/.e2e"
rm -rf "$state/notebooks" "$state/cache"
mkdir -p "$state/notebooks"

export MODELREG_URL="http://127.0.0.1:$E2E_REGISTRY_PORT"
export MODELREG_TOKEN="$E2E_ADMIN_TOKEN"
export MODELREG_CACHE="$state/cache"
export MODELREG_DISABLE_PROGRESS=1

cd "$here"
# --port-retries=0: fail rather than quietly take another port than the one the tests use.
exec "$root/.venv/bin/jupyter" lab --config "$here/jupyter_server_test_config.py" --port "$E2E_JUPYTER_PORT" \
  --port-retries=0 --ServerApp.ip=127.0.0.1 --ServerApp.root_dir="$state/notebooks"
