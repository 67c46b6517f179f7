#!/usr/bin/env bash
# Serve the API with gunicorn on HOST:PORT (and the scheduler beside it once it exists).
set -euo pipefail
cd "$(dirname "$0")/.."
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-5000}"
WORKERS="${WEB_CONCURRENCY:-2}"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
if .venv/bin/flask --app wsgi scheduler --help >/dev/null 2>&1; then
  .venv/bin/flask --app wsgi scheduler run &
  pids+=($!)
fi
.venv/bin/gunicorn --workers "$WORKERS" --bind "$HOST:$PORT" --access-logfile - wsgi:app &
pids+=($!)
echo "Meedoen API on http://$HOST:$PORT/v1 (OpenAPI: /v1/openapi.json), console on http://$HOST:$PORT/console"
wait -n
