#!/usr/bin/env bash
# Prints the page weight of dist/: what a visit loads (wasm, js, css, html, the script runner's
# and the editor's page sides), raw, gzip -9 and brotli q11 (what `make serve` sends a browser
# that accepts it: scripts/compress-dist.mjs); then what loads later: the wasm chunks of the
# command families (scripts/build-wasm.sh: one when a command of its family first runs, with
# the small chunks it shares with other families), the editor (CodeMirror, when the pointer or
# focus first reaches the editor; the share codec, when a link is made or opened) and the
# script runner's worker modules (when a script first runs).
set -euo pipefail
dir=${1:-dist}
brotli() { # file → its size compressed with brotli q11 (Node's zlib: no brotli binary needed)
  node -e "const z=require('zlib');process.stdout.write(String(z.brotliCompressSync(require('fs').readFileSync(process.argv[1]),{params:{[z.constants.BROTLI_PARAM_QUALITY]:11}}).length))" "$1"
}
row() { # file → prints a row, adds to the totals named by $2
  local f=$1 raw gz br
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  br=$(brotli "$f")
  printf '%-40s %10d %10d %10d\n' "${f#"$dir"/}" "$raw" "$gz" "$br"
  eval "$2_raw=\$(( $2_raw + raw )); $2_gz=\$(( $2_gz + gz )); $2_br=\$(( $2_br + br ))"
}
printf '%-40s %10s %10s %10s\n' file raw gzip brotli
page_raw=0 page_gz=0 page_br=0 lazy_raw=0 lazy_gz=0 lazy_br=0
# What index.html loads: the app (wasm, its JS, CSS, the page) and the module scripts it names
# (with what they import at once). embed.js and course-demo.html serve course pages, not this one.
for f in "$dir"/wasm-*/app_bg.wasm "$dir"/wasm-*/app.js "$dir"/wasm-*/__wasm_split.js "$dir"/*.css "$dir"/index.html "$dir"/js/runner/host.js "$dir"/js/runner/clock.js "$dir"/js/editor/editor-host.js "$dir"/js/lessons/host.js "$dir"/js/embed/bridge.js "$dir"/js/embed/protocol.js; do
  [ -f "$f" ] && row "$f" page
done
printf '%-40s %10d %10d %10d   (%d KB gzip, %d KB brotli; goal ≤ 350 KB compressed)\n' total "$page_raw" "$page_gz" "$page_br" $(((page_gz + 1023) / 1024)) $(((page_br + 1023) / 1024))
shopt -s nullglob
for f in "$dir"/wasm-*/split_*.wasm; do
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  br=$(brotli "$f")
  family=${f##*/split_}
  printf '%-40s %10d %10d %10d   (loaded when a %s command first runs)\n' "${f#"$dir"/}" "$raw" "$gz" "$br" "${family%.wasm}"
done
shared=("$dir"/wasm-*/chunk_*.wasm)
if [ ${#shared[@]} -gt 0 ]; then
  sraw=0 sgz=0 sbr=0
  for f in "${shared[@]}"; do
    sraw=$((sraw + $(stat -c %s "$f")))
    sgz=$((sgz + $(gzip -9 -c "$f" | wc -c)))
    sbr=$((sbr + $(brotli "$f")))
  done
  printf '%-40s %10d %10d %10d   (%d files shared by families, loaded with the first that needs each)\n' 'wasm chunks shared (chunk_*.wasm)' "$sraw" "$sgz" "$sbr" ${#shared[@]}
fi
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
  br=$(brotli "$f")
  case "$f" in
    */codemirror.js) when='loaded when the learner first reaches for the editor' ;;
    *) when='loaded on first use' ;;
  esac
  printf '%-40s %10d %10d %10d   (%s)\n' "${f#"$dir"/}" "$raw" "$gz" "$br" "$when"
done
if [ ${#lazy[@]} -gt 0 ]; then
  for f in "${lazy[@]}"; do
    raw=$(stat -c %s "$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    br=$(brotli "$f")
    lazy_raw=$((lazy_raw + raw))
    lazy_gz=$((lazy_gz + gz))
    lazy_br=$((lazy_br + br))
  done
  printf '%-40s %10d %10d %10d   (%d files, loaded on first use: a script run, a lesson)\n' 'script worker (js/)' "$lazy_raw" "$lazy_gz" "$lazy_br" ${#lazy[@]}
fi
