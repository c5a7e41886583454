#!/usr/bin/env bash
# Builds the page's wasm (crates/app) cut into chunks: the main module, which the page loads at
# once, and one chunk per command family of the engine's `lazy` module (streams, geo, SORT, the
# RDB loader, …), fetched the first time a command of the family runs. Run by Trunk as a
# post_build hook (Trunk.toml), writing into its staging directory; or by hand:
#   TRUNK_PROFILE=release scripts/build-wasm.sh [out-dir]
#
# Trunk's own Rust pipeline cannot do this: the cut must happen between the link and
# wasm-bindgen (trunk-rs/trunk#1022). So, in order:
#   1. cargo: crates/app with feature `split`, linked with --emit-relocs (the splitter needs the
#      relocations to move code and data);
#   2. wasm-split-cli (crates.io `wasm_split_cli_support`, pinned in scripts/setup.sh): the main
#      module, the chunks, and __wasm_split.js, the loader the main module imports;
#   3. wasm-bindgen on the main module only (--keep-lld-exports: the chunks import its memory,
#      table and stack pointer through those exports);
#   4. release: wasm-opt -Oz on the main module and on every chunk.
# The result goes to <out>/wasm-<hash>/ (the hash of its files: a new build is a new URL), and
# the `./wasm/` URLs of <out>/index.html are rewritten to that directory.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

profile=${TRUNK_PROFILE:-release}
out=${1:-${TRUNK_STAGING_DIR:-dist}}
target=target/wasm32-unknown-unknown/$profile
work=target/split-web/$profile
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)

fail() {
  echo "build-wasm: $*" >&2
  exit 1
}
command -v wasm-split-cli >/dev/null || fail "wasm-split-cli is missing: run scripts/setup.sh"
wasm-bindgen --version | grep -qF "wasm-bindgen $bindgen_version" ||
  fail "wasm-bindgen $bindgen_version is needed (Cargo.lock): run scripts/setup.sh"
if [ "$profile" = release ]; then
  # binaryen 132 from npm; an old wasm-opt (Debian's 108) silently breaks the page.
  version=$(wasm-opt --version | grep -o 'version [0-9]*' | grep -o '[0-9]*$' || true)
  [ "${version:-0}" -ge 116 ] || fail "wasm-opt >= 116 is needed (npm ci installs binaryen 132)"
fi

release=()
[ "$profile" = release ] && release=(--release)
cargo rustc --offline "${release[@]}" --target wasm32-unknown-unknown -p app --bin app \
  --features split --quiet -- -C link-arg=--emit-relocs

rm -rf "$work"
mkdir -p "$work/split" "$work/web"
wasm-split-cli --out-name app "$target/app.wasm" "$work/split" 2>"$work/split.log" ||
  { cat "$work/split.log" >&2; fail "wasm-split-cli failed"; }
# A split point no code calls (its family unused) is only a warning of the splitter's; a build
# whose chunks are missing would load everything at once, which the size check would not see.
if grep -q 'No corresponding imports' "$work/split.log"; then
  cat "$work/split.log" >&2
  fail "some split points are never called: their code stayed in the main module"
fi
wasm-bindgen --target web --no-typescript --keep-lld-exports \
  --out-dir "$work/web" --out-name app "$work/split/app.wasm"
for f in "$work"/split/*.wasm; do
  [ "$(basename "$f")" = app.wasm ] || cp "$f" "$work/web/"
done
cp "$work/split/__wasm_split.js" "$work/web/"
if [ "$profile" = release ]; then
  for f in "$work"/web/*.wasm; do
    # Chunks carry a name subsection binaryen does not know: a harmless warning, not shown.
    wasm-opt -Oz "$f" -o "$f" 2>/dev/null
  done
fi

hash=$(cat "$work"/web/* | sha256sum | cut -c1-16)
rm -rf "$out"/wasm-*
mkdir -p "$out/wasm-$hash"
cp -r "$work"/web/* "$out/wasm-$hash/"
if [ -f "$out/index.html" ]; then
  sed -i "s#\\./wasm/#./wasm-$hash/#g" "$out/index.html"
fi
echo "build-wasm: $out/wasm-$hash ($(ls "$out/wasm-$hash" | wc -l) files)"
