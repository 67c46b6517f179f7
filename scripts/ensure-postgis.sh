#!/usr/bin/env bash
# Make sure a local PostgreSQL with PostGIS runs and the given database exists with the extension.
# Usage: scripts/ensure-postgis.sh DATABASE_URL
set -euo pipefail
url="${1:?DATABASE_URL required}"
fresh="${2:-}"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

pgver() { ls /etc/postgresql 2>/dev/null | sort -V | tail -n1; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(pgver)" ]; then
  echo "== installing PostgreSQL 15 + PostGIS"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql-15 postgresql-15-postgis-3 >/dev/null
fi
ver="$(pgver)"
if ! ls /usr/share/postgresql/"$ver"/extension/postgis.control >/dev/null 2>&1; then
  echo "== installing postgresql-$ver-postgis-3"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "postgresql-$ver-postgis-3" >/dev/null
fi

host_is_local() {
  case "$url" in *@127.0.0.1*|*@localhost*|*//127.0.0.1*|*//localhost*|*@/*|*:///*) return 0;; *) return 1;; esac
}

if host_is_local; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "== starting PostgreSQL $ver"
    as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
fi

# Split the URL: database name is the path; connect to the maintenance db to create it.
dbname="$(python3 - "$url" <<'PY'
import sys
from urllib.parse import urlsplit
print(urlsplit(sys.argv[1]).path.lstrip("/"))
PY
)"
admin_url="$(python3 - "$url" <<'PY'
import sys
from urllib.parse import urlsplit, urlunsplit
u = urlsplit(sys.argv[1].replace("postgresql+psycopg://", "postgresql://"))
print(urlunsplit((u.scheme, u.netloc, "/postgres", u.query, "")))
PY
)"
plain_url="${url/postgresql+psycopg:/postgresql:}"

psql_() { psql -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$fresh" = "--fresh" ]; then
  psql_ "$admin_url" -c "drop database if exists \"$dbname\" with (force)"
fi
if [ "$(psql_ "$admin_url" -c "select 1 from pg_database where datname='$dbname'")" != "1" ]; then
  echo "== creating database $dbname"
  psql_ "$admin_url" -c "create database \"$dbname\""
fi
psql_ "$plain_url" -c "create extension if not exists postgis" >/dev/null
echo "== PostGIS ready in $dbname"
