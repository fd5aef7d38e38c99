#!/usr/bin/env bash
# Starts, for the end-to-end tests only, a registry with a fresh data dir and a JupyterLab
# configured by Galata, both on loopback. Playwright stops this script when the tests end.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
state="$here/.e2e"
rm -rf "$state"; mkdir -p "$state/data" "$state/notebooks"
registry_port=${E2E_REGISTRY_PORT:-18765}

cd "$root"
npm --prefix server run --silent build
# The registry runs under a small supervisor so that a spec can take it away and bring it back
# (the "registry unreachable" spec): it kills .e2e/registry.pid while .e2e/registry.paused exists,
# and the loop restarts the registry, on the same data, once that file is gone.
(
  while true; do
    while [ -f "$state/registry.paused" ]; do sleep 0.2; done
    # node itself, not npm, so that the pid in registry.pid is the registry's.
    node server/dist/cli.js serve --port "$registry_port" --data-dir "$state/data" >>"$state/registry.log" 2>&1 &
    echo $! >"$state/registry.pid"
    wait $! || true
    [ -f "$state/stop" ] && break
    sleep 0.2
  done
) &
supervisor_pid=$!
trap 'touch "$state/stop"; kill $supervisor_pid $(cat "$state/registry.pid" 2>/dev/null) 2>/dev/null' EXIT
for _ in $(seq 1 150); do
  curl -fsS "http://127.0.0.1:$registry_port/api/v1/health" >/dev/null 2>&1 && break
  sleep 0.2
done
export MODELREG_URL="http://127.0.0.1:$registry_port"
export MODELREG_TOKEN=$(cat "$state/data/admin-token")
export MODELREG_CACHE="$state/cache"
export MODELREG_DISABLE_PROGRESS=1
# The specs read these to check the registry directly.
printf '{"url": "%s", "token": "%s"}\n' "$MODELREG_URL" "$MODELREG_TOKEN" >"$state/registry.json"

cd "$here"
"$root/.venv/bin/jupyter" lab --config "$here/jupyter_server_test_config.py" --port 8899 \
  --ServerApp.ip=127.0.0.1 --ServerApp.root_dir="$state/notebooks"
