#!/usr/bin/env bash
# Serve the API on HOST:PORT with waitress (api/server.py) and run the scheduler beside it.
# Rate limits are shared through Redis (REDIS_URL, default the local one; scripts/ensure-redis.sh).
# SCHEDULER=off serves without the scheduler (tests and benchmarks start the server alone).
set -euo pipefail
cd "$(dirname "$0")/.."
export HOST="${HOST:-127.0.0.1}"
export PORT="${PORT:-5000}"
export WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}"
export REDIS_URL="${REDIS_URL-redis://127.0.0.1:6379/0}"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait; }
trap cleanup EXIT
trap 'exit 0' INT TERM
if [ "${SCHEDULER:-on}" != "off" ] && .venv/bin/flask --app wsgi scheduler --help >/dev/null 2>&1; then
  .venv/bin/flask --app wsgi scheduler run &
  pids+=($!)
fi
.venv/bin/python -m api.server &
pids+=($!)
echo "Meedoen API on http://$HOST:$PORT/v1 (OpenAPI: /v1/openapi.json), console on http://$HOST:$PORT/console"
wait -n
