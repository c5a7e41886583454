#!/usr/bin/env bash
# Prints the page weight of dist/: wasm, js and css, raw and gzip-compressed.
set -euo pipefail
dir=${1:-dist}
printf '%-40s %10s %10s\n' file raw gzip
total_raw=0
total_gz=0
for f in "$dir"/*.wasm "$dir"/*.js "$dir"/*.css "$dir"/*.html; do
  [ -f "$f" ] || continue
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw))
  total_gz=$((total_gz + gz))
  printf '%-40s %10d %10d\n' "$(basename "$f")" "$raw" "$gz"
done
printf '%-40s %10d %10d   (%d KB compressed; goal ≤ 350 KB)\n' total "$total_raw" "$total_gz" $(((total_gz + 1023) / 1024))
