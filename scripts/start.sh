#!/usr/bin/env bash
# Starts a local registry (SQLite + local blobs in .modelreg/) and JupyterLab with the extension.
# Ctrl-C stops both. Run through `make start`, which installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
data_dir=${MODELREG_DATA_DIR:-$root/.modelreg}
registry_port=${MODELREG_PORT:-8765}
lab_port=${JUPYTER_PORT:-8888}
registry_url="http://127.0.0.1:$registry_port"

registry_pid=""
stop_all() {
  trap - INT TERM EXIT
  [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null && wait "$registry_pid" 2>/dev/null
  exit 0
}
trap stop_all INT TERM EXIT

if curl -fsS "$registry_url/api/v1/health" >/dev/null 2>&1; then
  echo "modelreg: a registry already answers at $registry_url; using it."
else
  mkdir -p "$data_dir"
  # The server `make` built (as `npm start` runs it, with its V8 flag), not a recompile on every start.
  node --max-semi-space-size=2 server/dist/cli.js serve --port "$registry_port" --data-dir "$data_dir" \
    >>"$data_dir/server.log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 1 100); do
    curl -fsS "$registry_url/api/v1/health" >/dev/null 2>&1 && break
    kill -0 "$registry_pid" 2>/dev/null || { echo "modelreg: the registry did not start; see $data_dir/server.log" >&2; tail -20 "$data_dir/server.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "modelreg: registry at $registry_url (data in $data_dir, log in $data_dir/server.log)"
fi

# The admin token goes to the Jupyter server (and so to kernels) through the environment, never to the browser.
if [ -z "${MODELREG_TOKEN:-}" ] && [ -f "$data_dir/admin-token" ]; then
  MODELREG_TOKEN=$(cat "$data_dir/admin-token")
fi
export MODELREG_URL="$registry_url" MODELREG_TOKEN="${MODELREG_TOKEN:-}"

# The quickstart notebook logs to the group "demo": create it once (409 when it exists is fine).
curl -sS -o /dev/null -X POST "$registry_url/api/v1/groups" -H "Authorization: Bearer $MODELREG_TOKEN" \
  -H 'Content-Type: application/json' -d '{"name": "demo", "visibility": "private"}' || true

echo "modelreg: starting JupyterLab; open the URL it prints below (with its token)."
allow_root=""; [ "$(id -u)" = 0 ] && allow_root="--allow-root"
"$root/.venv/bin/jupyter" lab $allow_root --no-browser --port "$lab_port" --ServerApp.root_dir="$root/examples" &
lab_pid=$!
wait "$lab_pid"
