#!/usr/bin/env bash
# Prints the page weight of dist/: what a visit loads (wasm, js, css, html, and the script
# runner's page side), raw and gzip-compressed; then the script runner's worker modules, loaded
# only when a script first runs.
set -euo pipefail
dir=${1:-dist}
row() { # file → prints a row, adds to the totals named by $2
  local f=$1 raw gz
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  printf '%-40s %10d %10d\n' "${f#"$dir"/}" "$raw" "$gz"
  eval "$2_raw=\$(( $2_raw + raw )); $2_gz=\$(( $2_gz + gz ))"
}
printf '%-40s %10s %10s\n' file raw gzip
page_raw=0 page_gz=0 lazy_raw=0 lazy_gz=0
for f in "$dir"/*.wasm "$dir"/*.js "$dir"/*.css "$dir"/*.html "$dir"/js/runner/host.js "$dir"/js/runner/clock.js "$dir"/js/lessons/host.js; do
  [ -f "$f" ] && row "$f" page
done
printf '%-40s %10d %10d   (%d KB compressed; goal ≤ 350 KB)\n' total "$page_raw" "$page_gz" $(((page_gz + 1023) / 1024))
shopt -s nullglob
lazy=()
for f in "$dir"/js/*/*.js; do
  case "$f" in */js/runner/host.js | */js/runner/clock.js | */js/lessons/host.js) ;; *) lazy+=("$f") ;; esac
done
if [ ${#lazy[@]} -gt 0 ]; then
  for f in "${lazy[@]}"; do
    raw=$(stat -c %s "$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    lazy_raw=$((lazy_raw + raw))
    lazy_gz=$((lazy_gz + gz))
  done
  printf '%-40s %10d %10d   (%d files, loaded on first use: a script run, a lesson)\n' 'script worker (js/)' "$lazy_raw" "$lazy_gz" ${#lazy[@]}
fi
