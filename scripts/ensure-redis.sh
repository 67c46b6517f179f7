#!/usr/bin/env bash
# Make sure a local Redis answers on 127.0.0.1:6379 (shared rate-limit storage; the tests use it).
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
ping() { (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && head -c 5 <&3 | grep -q PONG) 2>/dev/null; }
if ping; then exit 0; fi
if ! command -v redis-server >/dev/null 2>&1; then
  echo "== installing redis-server"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq redis-server >/dev/null
fi
echo "== starting Redis"
mkdir -p /tmp/meedoen-redis
redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
  --dir /tmp/meedoen-redis --logfile /tmp/meedoen-redis/redis.log
for _ in $(seq 1 20); do ping && exit 0; sleep 0.5; done
echo "Redis did not start" >&2
exit 1
