#!/usr/bin/env bash
# Refresh the console's vendored front-end files from npm (no build step for users: the files are
# committed). Change a version below, run this script, look at the console, commit the result.
#   NL Design System: Utrecht component library CSS + the NL Design System example ("voorbeeld")
#   theme tokens (EUPL-1.2). @utrecht/design-tokens is NOT used: its licence keeps those tokens
#   proprietary to Gemeente Utrecht. htmx for the few in-page updates; axe-core for the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

COMPONENTS="@utrecht/component-library-css@9.0.4"
TOKENS="@nl-design-system-unstable/voorbeeld-design-tokens@7.4.1"
HTMX="htmx.org@2.0.11"
AXE="axe-core@4.14.1"

STATIC=api/console/static/vendor
AXE_DIR=tests/console/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() {  # fetch <package@version> -> unpacked in $work/<name>/package
  local spec=$1 name
  name=$(echo "$spec" | tr '/@' '__')
  mkdir -p "$work/$name"
  (cd "$work/$name" && npm pack --silent "$spec" >/dev/null && tar -xzf ./*.tgz)
  echo "$work/$name/package"
}

place() {  # place <package dir> <target dir> <spec> <file>...
  local pkg=$1 target=$2 spec=$3
  shift 3
  rm -rf "$target"
  mkdir -p "$target"
  for f in "$@"; do cp "$pkg/$f" "$target/"; done
  for lic in LICENSE LICENSE.md LICENSE.txt; do
    if [ -f "$pkg/$lic" ]; then cp "$pkg/$lic" "$target/"; fi
  done
  node -e 'const p=require(process.argv[1]);console.log(`${p.name} ${p.version} (${p.license})`)' \
    "$pkg/package.json" > "$target/VERSION"
  echo "== $spec -> $target"
}

pkg=$(fetch "$COMPONENTS")
place "$pkg" "$STATIC/utrecht-component-library-css" "$COMPONENTS" dist/index.css
pkg=$(fetch "$TOKENS")
place "$pkg" "$STATIC/voorbeeld-design-tokens" "$TOKENS" dist/theme.css
pkg=$(fetch "$HTMX")
place "$pkg" "$STATIC/htmx" "$HTMX" dist/htmx.min.js
pkg=$(fetch "$AXE")
place "$pkg" "$AXE_DIR/axe-core" "$AXE" axe.min.js
