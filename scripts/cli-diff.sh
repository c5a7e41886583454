#!/usr/bin/env bash
# The CLI contract: for every conformance script whose output order is fully specified (no `#!`
# directive, one connection), `redis-playground` must print byte for byte what
# `redis-cli --no-raw` prints against the real server. Run under scripts/with-redis.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${REDIS_PORT:?run me under scripts/with-redis.sh}"
cli=target/release/redis-playground
cargo build --release -p cli --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
checked=0
failed=0
# Scripts may change configuration; each starts from the server's initial one, as in the
# conformance harness.
config() { redis-cli -p "$REDIS_PORT" --raw config get '*' | paste -d '\t' - - | sort; }
config >"$work/initial.cfg"
restore_config() {
  config >"$work/now.cfg"
  comm -23 "$work/initial.cfg" "$work/now.cfg" | while IFS=$'\t' read -r name value; do
    redis-cli -p "$REDIS_PORT" config set "$name" "$value" >/dev/null
  done
}
for script in crates/engine/tests/conformance/*.redis; do
  if grep -qE '^(#!|\[)' "$script"; then continue; fi
  grep -vE '^[[:space:]]*(#|$)' "$script" >"$work/in.txt"
  restore_config
  redis-cli -p "$REDIS_PORT" flushall >/dev/null
  redis-cli -p "$REDIS_PORT" function flush >/dev/null
  redis-cli -p "$REDIS_PORT" config resetstat >/dev/null
  # redis-cli prints how long a command took when it took half a second or more ("(0.50s)",
  # e.g. a FUNCTION LOAD stopped by its timeout): wall time, not part of the reply.
  redis-cli -p "$REDIS_PORT" --no-raw <"$work/in.txt" | sed -E '/^\([0-9]+\.[0-9]+s\)$/d' >"$work/redis.txt"
  "$cli" <"$work/in.txt" >"$work/ours.txt"
  checked=$((checked + 1))
  if ! cmp -s "$work/redis.txt" "$work/ours.txt"; then
    echo "redis-playground differs from redis-cli --no-raw on $script:" >&2
    diff "$work/redis.txt" "$work/ours.txt" | head -20 >&2
    failed=$((failed + 1))
  fi
done
echo "cli-diff: $checked scripts checked byte for byte, $failed differ"
[ "$failed" -eq 0 ]
