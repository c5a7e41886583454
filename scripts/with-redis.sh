#!/usr/bin/env bash
# Runs a command with a private redis-server (Debian's 7.0, the oracle) on a free loopback port
# and a unix socket, exported as REDIS_PORT and REDIS_SOCKET; stops the server afterwards.
# Usage: scripts/with-redis.sh <command> [args...]
set -euo pipefail

command -v redis-server >/dev/null || { echo "redis-server is missing: run make setup-test" >&2; exit 1; }
dir=$(mktemp -d /tmp/redis-playground-oracle.XXXXXX)
port=""
for candidate in $(shuf -i 20000-60000 -n 50); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
    port=$candidate
    break
  fi
done
[ -n "$port" ] || { echo "no free port found" >&2; exit 1; }

redis-server --port "$port" --bind 127.0.0.1 --unixsocket "$dir/redis.sock" --unixsocketperm 700 \
  --save '' --appendonly no --dir "$dir" --enable-debug-command yes --daemonize no \
  --logfile "$dir/redis.log" &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

for _ in $(seq 100); do
  redis-cli -s "$dir/redis.sock" ping >/dev/null 2>&1 && break
  sleep 0.05
done
redis-cli -s "$dir/redis.sock" ping >/dev/null || { cat "$dir/redis.log" >&2; exit 1; }

export REDIS_PORT=$port REDIS_SOCKET=$dir/redis.sock
"$@"
