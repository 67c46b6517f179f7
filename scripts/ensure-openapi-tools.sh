#!/usr/bin/env bash
# Install the Node tools the contract tests run on /v1/openapi.json (openapi-typescript, Spectral)
# into tools/openapi/node_modules, exactly as package-lock.json pins them. Needs node >= 20 and npm.
set -euo pipefail
cd "$(dirname "$0")/../tools/openapi"
if ! command -v npm >/dev/null 2>&1; then
  echo "!! npm is missing: install Node.js 20 (apt-get install nodejs npm)" >&2
  exit 1
fi
stamp=node_modules/.installed-lock
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
  exit 0
fi
echo "== installing the OpenAPI tools (tools/openapi)"
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
cp package-lock.json "$stamp"
