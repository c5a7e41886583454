#!/usr/bin/env bash
# Runs every fuzz target of fuzz/ for a bounded time (FUZZ_SECONDS each, default 60), on the
# nightly toolchain with cargo-fuzz (both installed when missing). Seeds come from the
# conformance scripts (crates/engine/tests/conformance/*.redis) and a few RESP replies; the
# corpus each run grows is kept in fuzz/corpus/<target> for the next run.
# Usage: scripts/fuzz.sh [target...]   (default: split_args exec resp rdb)
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(split_args exec resp rdb)

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz

seeds=fuzz/seeds
rm -rf "$seeds"
mkdir -p "$seeds/split_args" "$seeds/exec" "$seeds/resp" "$seeds/rdb"

# split_args: one typed line per seed. exec: up to 40 lines per seed, each as the generator's
# "typed line" step (byte 4, client, length, line); named connections go to client 1.
for script in crates/engine/tests/conformance/*.redis; do
  name=$(basename "$script" .redis)
  n=0
  chunk=0
  while IFS= read -r raw || [ -n "$raw" ]; do
    trimmed="${raw#"${raw%%[![:space:]]*}"}"
    [ -z "$trimmed" ] || [ "${trimmed:0:1}" = "#" ] && continue
    client=0
    line=$raw
    if [[ $raw =~ ^\[[^]]+\]\ (.*)$ ]]; then
      client=1
      line=${BASH_REMATCH[1]}
    fi
    n=$((n + 1))
    printf '%s' "$line" >"$seeds/split_args/$name-$n"
    len=${#line}
    [ "$len" -le 255 ] || continue
    printf "\\x04\\x$(printf %02x "$client")\\x$(printf %02x "$len")%s" "$line" \
      >>"$seeds/exec/$name-$chunk"
    [ $((n % 40)) -ne 0 ] || chunk=$((chunk + 1))
  done <"$script"
done

resp_seeds=(
  '+OK\r\n' '-ERR unknown command\r\n' ':-9223372036854775808\r\n' '$3\r\nfoo\r\n' '$-1\r\n'
  '*-1\r\n' '$0\r\n\r\n' '*2\r\n$1\r\na\r\n:1\r\n' ',1.5\r\n' ',-inf\r\n' ',nan\r\n' '#t\r\n'
  '_\r\n' '%%1\r\n+k\r\n~2\r\n:1\r\n:2\r\n' '=8\r\ntxt:some\r\n' '>3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n'
  '!10\r\nERR a\r\nb x\r\n' '*3\r\n*1\r\n*1\r\n:1\r\n_\r\n$2\r\nab\r\n'
)
i=0
for seed in "${resp_seeds[@]}"; do
  i=$((i + 1))
  printf -- "$seed" >"$seeds/resp/seed-$i"
done

# rdb: a mode byte (even: a DUMP payload's body; odd: a whole file), then the bytes: a string,
# a list, an intset, a hash listpack, a sorted set, a stream, and a small file.
rdb_seeds=(
  '\x00\x00\x05hello' '\x00\x12\x01\x02\x0c\x0c\x00\x00\x00\x02\x00\x81a\x02\x01\x01\xff'
  '\x00\x0b\x0c\x02\x00\x00\x00\x02\x00\x00\x00\x01\x00\x02\x00'
  '\x00\x10\x0c\x0c\x00\x00\x00\x02\x00\x81f\x02\x81v\x02\xff'
  '\x00\x05\x01\x01m\x00\x00\x00\x00\x00\x00\xf0\x3f'
  '\x00\x13\x01\x10\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x12\x12\x00\x00\x00\x0a\x00\x01\x01\x00\x01\x01\x01\x81f\x02\x00\x01\x02\x01\x00\x01\x00\x01\x81v\x02\x04\x01\xff\x01\x01\x00\x01\x00\x00\x00\x00\x00\x01\x00'
  '\x01REDIS0010\xfa\x05ctime\xc0\x01\xfe\x00\xfb\x01\x01\xfc\x00\x00\x00\x00\x00\x00\x00\x7f\x00\x01k\x01v\xff\x00\x00\x00\x00\x00\x00\x00\x00'
)
i=0
for seed in "${rdb_seeds[@]}"; do
  i=$((i + 1))
  printf -- "$seed" >"$seeds/rdb/seed-$i"
done

status=0
# A runaway script in an input runs its whole budget (20 million Lua instructions, twice: the
# exec target runs each input on two engines): a seed with four of them takes 12 s under the
# fuzzer's instrumentation, three times that on a busy machine. One input may take 60 s.
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target"
  echo "== fuzz $target for ${seconds}s"
  if ! cargo +nightly fuzz run "$target" "fuzz/corpus/$target" "$seeds/$target" -- \
    -max_total_time="$seconds" -timeout=60 -rss_limit_mb=2048 -print_final_stats=1; then
    echo "fuzz $target FAILED: the input is in fuzz/artifacts/$target/; replay it with" >&2
    echo "  FUZZ_TRACE=1 cargo +nightly fuzz run $target fuzz/artifacts/$target/<file>" >&2
    [ "$target" != exec ] || echo "  or on stable: FUZZ_FILE=\$PWD/fuzz/artifacts/exec/<file> FUZZ_TRACE=1" \
      "cargo test -p engine --test fuzz_exec -- --nocapture" >&2
    status=1
  fi
done
exit "$status"
