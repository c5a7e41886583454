# Redis Playground. The two commands a newcomer needs: `make serve` and `make test`.
# Every target installs what it lacks first (scripts/setup.sh), skipping what is present.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

PORT ?= 8080

.PHONY: serve test dist setup setup-test lint test-native test-wasm test-e2e clean

## serve: install what is missing, build the release page, serve it on http://127.0.0.1:$(PORT)
serve: setup dist
	node web/tools/static-server.mjs dist $(PORT) 127.0.0.1

## test: install what tests need, then run every test
test: setup-test lint test-native test-wasm test-e2e
	@echo "make test: all green"

## dist: build the release page into dist/ and print its weight
dist: setup
	trunk build index.html --release
	scripts/dist-size.sh dist

setup:
	scripts/setup.sh build

setup-test:
	scripts/setup.sh test

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown -p app -p bindings --all-targets -- -D warnings

test-native:
	cargo test --workspace

test-wasm:
	cargo test --target wasm32-unknown-unknown -p app -p bindings

test-e2e: dist
	node --test --test-concurrency=1 web/e2e/*.spec.mjs

clean:
	cargo clean
	rm -rf dist
