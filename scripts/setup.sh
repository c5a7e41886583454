#!/usr/bin/env bash
# Installs what the build (`setup.sh build`) or the tests (`setup.sh test`) need, skipping every
# step whose right version is already present. Only package registries are used: crates.io,
# npm, Debian.
set -euo pipefail
cd "$(dirname "$0")/.."

want=${1:-build}
TRUNK_VERSION=0.21.14
# wasm-bindgen-cli must equal the wasm-bindgen that Cargo.lock pins.
BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }

have_version() { # command, expected substring of its --version output
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -qF "$2"
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if ! have_version trunk "trunk $TRUNK_VERSION"; then
  step "cargo install trunk $TRUNK_VERSION (about 10 minutes, once)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

if ! have_version wasm-bindgen "wasm-bindgen $BINDGEN_VERSION" ||
  ! have_version wasm-bindgen-test-runner "$BINDGEN_VERSION"; then
  step "cargo install wasm-bindgen-cli $BINDGEN_VERSION (about 3 minutes, once)"
  # Not --locked: its lockfile pins a crate version the registry no longer has.
  cargo install wasm-bindgen-cli --version "$BINDGEN_VERSION"
fi

# The splitter that cuts the page's wasm into chunks loaded on first use (scripts/build-wasm.sh).
SPLIT_VERSION=0.2.4
if ! cargo install --list | grep -qxF "wasm_split_cli_support v$SPLIT_VERSION:"; then
  step "cargo install wasm_split_cli_support $SPLIT_VERSION (about 4 minutes, once)"
  cargo install --locked wasm_split_cli_support --version "$SPLIT_VERSION" --features build-binary
fi

# npm packages (binaryen's wasm-opt, playwright-core, …), exactly as package-lock.json says.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci"
  npm ci --no-audit --no-fund
fi

if [ "$want" = test ]; then
  packages=(redis-server redis-tools chromium chromium-driver)
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}"
    if [ "$(id -u)" -eq 0 ]; then
      step "$cmd"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      step "sudo $cmd"
      sudo apt-get update -qq
      sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "The tests need Debian packages that are missing: ${missing[*]}" >&2
      echo "Run as root:  $cmd" >&2
      exit 1
    fi
  fi
fi

# Trunk builds offline, so every crate must be in the local registry first.
cargo fetch --quiet
