#!/usr/bin/env bash
# `make run`: the manager (with its embedded MQTT broker and SQLite under data/) and one local
# proplet, in the foreground with their logs interleaved. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# The proplet runs tasks in-process (embedded engine) unless an external runtime is chosen: a wasmtime
# on PATH, or PROPLET_EXTERNAL_WASM_RUNTIME (e.g. build/propeller-wasm), or PROPLET_RUNTIME=host.
if [ -z "${PROPLET_EXTERNAL_WASM_RUNTIME:-}" ] && command -v wasmtime >/dev/null 2>&1; then
  export PROPLET_EXTERNAL_WASM_RUNTIME=wasmtime
fi
echo "proplet runtime: ${PROPLET_RUNTIME:-auto} (external: ${PROPLET_EXTERNAL_WASM_RUNTIME:-none, so tasks run embedded})"

mkdir -p data
export MANAGER_SQLITE_PATH="${MANAGER_SQLITE_PATH:-$root/data/propeller.db}"
port="${MANAGER_HTTP_PORT:-7070}"
broker_port="${MANAGER_EMBEDDED_BROKER_PORT:-1883}"
export PROPLET_MQTT_ADDRESS="${PROPLET_MQTT_ADDRESS:-${MANAGER_MQTT_ADDRESS:-tcp://127.0.0.1:$broker_port}}"
export PROPLET_CLIENT_ID="${PROPLET_CLIENT_ID:-proplet-local}"
export PROPLET_NAME="${PROPLET_NAME:-local}"
# The host directories tasks may map (--dir, -S nn-graph): what the docs' examples map, the wasi-nn
# example's fixture (docs/wasi-nn.md) and /tmp/fixture (README.md, docs/cli.md). See docs/security.md.
export PROPLET_ALLOWED_DIRS="${PROPLET_ALLOWED_DIRS:-$root/examples/wasi-nn/fixture,/tmp/fixture}"
echo "tasks may map: $PROPLET_ALLOWED_DIRS (PROPLET_ALLOWED_DIRS)"

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

"$root/build/propeller-manager" &
pids+=($!)

# The proplet connects to the manager's broker: wait until the manager answers.
for _ in $(seq 1 100); do
  if curl -fsS "http://localhost:$port/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "${pids[0]}" 2>/dev/null; then echo "the manager exited; see its log above" >&2; exit 1; fi
  sleep 0.1
done

"$root/build/propeller-proplet" &
pids+=($!)
echo "Propeller is up: http://localhost:$port (Ctrl-C stops it)"
wait -n
