#!/usr/bin/env bash
# Prints the page weight of dist/: what a visit loads (wasm, js, css, html, the script runner's
# and the editor's page sides), raw and gzip-compressed; then what loads later: the editor
# (CodeMirror, when the editor is first visible; the share codec, when a link is made or opened)
# and the script runner's worker modules (when a script first runs).
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
# What index.html loads: the app (wasm, its JS, CSS, the page) and the module scripts it names
# (with what they import at once). embed.js and course-demo.html serve course pages, not this one.
for f in "$dir"/app-*.wasm "$dir"/app-*.js "$dir"/*.css "$dir"/index.html "$dir"/js/runner/host.js "$dir"/js/runner/clock.js "$dir"/js/editor/editor-host.js "$dir"/js/lessons/host.js "$dir"/js/embed/bridge.js "$dir"/js/embed/protocol.js; do
  [ -f "$f" ] && row "$f" page
done
printf '%-40s %10d %10d   (%d KB compressed; goal ≤ 350 KB)\n' total "$page_raw" "$page_gz" $(((page_gz + 1023) / 1024))
shopt -s nullglob
lazy=()
editor=()
for f in "$dir"/js/*/*.js; do
  case "$f" in
    */js/runner/host.js | */js/runner/clock.js | */js/editor/editor-host.js | */js/lessons/host.js | */js/embed/*) ;;
    */js/editor/*) editor+=("$f") ;;
    *) lazy+=("$f") ;;
  esac
done
for f in "${editor[@]}"; do
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  printf '%-40s %10d %10d   (loaded on first use)\n' "${f#"$dir"/}" "$raw" "$gz"
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
