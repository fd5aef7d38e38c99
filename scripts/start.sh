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
lab_pid=""
# Ctrl-C, a `kill` of this script or its end stops JupyterLab and the registry it started. JupyterLab is
# told with SIGTERM: a Ctrl-C reaches it too, but then it only asks "Shutdown this Jupyter server?" and,
# unanswered, went on running after this script had exited.
stop_all() {
  trap - INT TERM EXIT
  local pid
  for pid in $lab_pid $registry_pid; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

if curl -fsS "$registry_url/api/v1/health" >/dev/null 2>&1; then
  echo "modelreg: a registry already answers at $registry_url; using it."
else
  mkdir -p "$data_dir"
  # The server `make` built (as `npm start` runs it, with its V8 flags), not a recompile on every start.
  # shellcheck disable=SC2046 # one flag per line
  node $(grep -v '^#' server/v8-flags) server/dist/cli.js serve --port "$registry_port" --data-dir "$data_dir" \
    >>"$data_dir/server.log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 1 100); do
    curl -fsS "$registry_url/api/v1/health" >/dev/null 2>&1 && break
    kill -0 "$registry_pid" 2>/dev/null || { echo "modelreg: the registry did not start; see $data_dir/server.log" >&2; tail -20 "$data_dir/server.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "modelreg: registry at $registry_url (data in $data_dir, log in $data_dir/server.log)"
fi

# JupyterLab (its proxy and its kernels) acts as the non-admin user "demo", a maintainer of the group "demo"
# (maintainer, so the quickstart can promote from the panel). The admin token stays here: it sets demo up
# and is never handed to Jupyter. A MODELREG_TOKEN of your own, or your `modelreg login`, wins over demo's.
admin_token=${MODELREG_ADMIN_TOKEN:-}
if [ -z "$admin_token" ] && [ -f "$data_dir/admin-token" ]; then
  admin_token=$(cat "$data_dir/admin-token")
fi
as_admin() { # method path [json] -> the body on stdout (a 409 for what exists already is fine)
  curl -sS -X "$1" "$registry_url/api/v1/$2" -H "Authorization: Bearer $admin_token" \
    -H 'Content-Type: application/json' ${3:+-d "$3"}
}
demo_token_file="$data_dir/demo-token"
demo_token=""
[ -f "$demo_token_file" ] && demo_token=$(cat "$demo_token_file")
if [ -n "$demo_token" ] && curl -fsS -o /dev/null "$registry_url/api/v1/user" -H "Authorization: Bearer $demo_token"; then
  : # still valid
elif [ -n "$admin_token" ]; then
  as_admin POST users '{"username": "demo"}' >/dev/null
  as_admin POST groups '{"name": "demo", "visibility": "private"}' >/dev/null
  as_admin PUT groups/demo/members/demo '{"role": "maintainer"}' >/dev/null
  demo_token=$(as_admin POST users/demo/tokens '{"name": "jupyterlab (make start)"}' \
    | "$root/.venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin).get("token", ""))')
  (umask 077 && printf '%s\n' "$demo_token" >"$demo_token_file")
  echo "modelreg: JupyterLab acts as the user \"demo\" (maintainer of group demo; token in $demo_token_file)"
else
  echo "modelreg: no admin token for $registry_url (set MODELREG_ADMIN_TOKEN); JupyterLab connects anonymously" >&2
fi
unset admin_token MODELREG_ADMIN_TOKEN
saved_token=$("$root/.venv/bin/python" -c 'import sys; from modelreg.config import resolve; print(resolve(sys.argv[1]).token or "")' "$registry_url")
if [ -z "$saved_token" ]; then
  MODELREG_TOKEN=$demo_token # neither MODELREG_TOKEN nor a `modelreg login` for this registry
fi
export MODELREG_URL="$registry_url"
if [ -n "${MODELREG_TOKEN:-}" ]; then export MODELREG_TOKEN; else unset MODELREG_TOKEN; fi

echo "modelreg: starting JupyterLab; open the URL it prints below (with its token)."
allow_root=""; [ "$(id -u)" = 0 ] && allow_root="--allow-root"
"$root/.venv/bin/jupyter" lab $allow_root --no-browser --port "$lab_port" --ServerApp.root_dir="$root/examples" &
lab_pid=$!
wait "$lab_pid"
