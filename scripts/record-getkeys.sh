#!/usr/bin/env bash
# Records crates/engine/tests/getkeys/getkeys.out: each line of getkeys.redis sent to the real
# server by redis-cli --no-raw, as `> line` followed by what redis-cli printed. The key-extraction
# unit test (crates/engine/src/command/keys.rs) replays them against every command's facts.
# Usage: scripts/with-redis.sh scripts/record-getkeys.sh   (the Makefile target is
# `make record-getkeys`)
set -euo pipefail
dir=crates/engine/tests/getkeys
: "${REDIS_SOCKET:?run through scripts/with-redis.sh}"
tmp=$(mktemp)
while IFS= read -r line; do
  case "$line" in '' | '#'*) continue ;; esac
  printf '> %s\n' "$line" >>"$tmp"
  printf '%s\n' "$line" | redis-cli -s "$REDIS_SOCKET" --no-raw >>"$tmp"
done <"$dir/getkeys.redis"
mv "$tmp" "$dir/getkeys.out"
