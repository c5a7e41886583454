# Redis Playground. The two commands a newcomer needs: `make serve` and `make test`.
# Every target installs what it lacks first (scripts/setup.sh), skipping what is present.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

PORT ?= 8080

.PHONY: serve test dist setup setup-test lint test-native conformance record record-getkeys facts readme test-wasm test-e2e clean fuzz bench js test-js bench-js bench-page difftest

## serve: install what is missing, build the release page, serve it on http://127.0.0.1:$(PORT)
serve: setup dist
	node web/tools/static-server.mjs dist $(PORT) 127.0.0.1

## test: install what tests need, then run every test
test: setup-test lint test-native conformance test-wasm test-e2e test-js
	@echo "make test: all green"

## dist: build the release page into dist/ (with precompressed .br/.gz copies) and print its weight
dist: setup
	trunk build index.html --release
	node scripts/compress-dist.mjs dist
	scripts/dist-size.sh dist

setup:
	scripts/setup.sh build

setup-test:
	scripts/setup.sh test

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown -p app -p bindings --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown -p app --features split -- -D warnings

test-native:
	cargo test --workspace

## conformance: replay every script against a private redis-server and the engine, compare
## reply by reply; run 20,000 random commands on both (difftest) from a fixed seed, so that a
## run's verdict depends only on the commit (`make difftest` explores new seeds); then check the
## CLI byte for byte against redis-cli --no-raw
CONFORMANCE_SEED ?= 20261122
conformance:
	cargo build --release -p cli
	REQUIRE_LIVE_REDIS=1 scripts/with-redis.sh cargo test -p engine --test conformance -- --nocapture
	REQUIRE_LIVE_REDIS=1 DIFFTEST_SEED=$(CONFORMANCE_SEED) scripts/with-redis.sh \
	  cargo test -p engine --test difftest -- --nocapture
	scripts/with-redis.sh scripts/cli-diff.sh

## difftest: N random commands (default 200000) on the engine and a private redis-server, from
## SEED (default: a new one, printed); on a divergence, prints the shortest reproducing script
N ?= 200000
SEED ?=
difftest:
	REQUIRE_LIVE_REDIS=1 DIFFTEST_COMMANDS=$(N) DIFFTEST_SEED=$(SEED) scripts/with-redis.sh \
	  cargo test -p engine --test difftest -- --nocapture

## record: rewrite the conformance transcripts from the real server (review the diff!)
record:
	RECORD=1 scripts/with-redis.sh cargo test -p engine --test conformance live -- --nocapture

## record-getkeys: rewrite the COMMAND GETKEYSANDFLAGS expectations from the real server
record-getkeys:
	scripts/with-redis.sh scripts/record-getkeys.sh

## readme: rewrite the list of supported commands in README.md from the command table
readme:
	UPDATE_README=1 cargo test -p engine --test readme

## facts: regenerate the command facts from the real server's COMMAND INFO / COMMAND DOCS
facts:
	scripts/with-redis.sh sh -c 'node scripts/gen-command-facts.mjs "$$REDIS_PORT"'

test-wasm:
	cargo test --target wasm32-unknown-unknown -p app -p bindings

test-e2e: dist
	node --test --test-concurrency=1 web/e2e/*.spec.mjs

## fuzz: run each fuzz target (split_args, exec, resp) for FUZZ_SECONDS (default 60) on nightly
## with cargo-fuzz, seeded from the conformance scripts; not part of `make test`
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

## bench: W1 (cache-aside, 90 % hits) through the engine and a bare HashMap, measured with
## criterion; ends with a one-line summary of both throughputs and their ratio
bench:
	cargo bench -p bench --bench w1
	cargo bench -p bench --bench w3

clean:
	cargo clean
	rm -rf dist

## js: build the npm package of the JS client in target/npm (engine wasm + ioredis-compatible client)
js: setup
	cargo build --profile wasm-speed --target wasm32-unknown-unknown -p bindings
	wasm-bindgen --target web --out-dir target/npm --out-name engine \
	  target/wasm32-unknown-unknown/wasm-speed/bindings.wasm
	wasm-opt -O3 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
	  --enable-mutable-globals --enable-reference-types --enable-multivalue \
	  target/npm/engine_bg.wasm -o target/npm/engine_bg.wasm
	node scripts/build-npm.mjs

## test-js: the JS client's Node tests against the wasm engine, and the differential tests
## against real ioredis / node-redis and a private redis-server
test-js: js
	scripts/with-redis.sh node --test --test-concurrency=1 web/js/test/*.test.mjs

## bench-js: W1–W3 through this client and through ioredis-mock, ops/s and ratios
bench-js: js
	node web/js/bench/bench.mjs

## bench-page: in headless Chromium against dist/: the page weight of a first visit (gzip and
## brotli; goal ≤ 350 KB) and the time from navigation to an interactive console (median of
## fresh visits; goal ≤ 300 ms), then a learner script of 10,000 sequential awaited GET/SET
## through the script worker (target ≤ 1 s)
bench-page: setup-test dist
	node web/js/bench/page-bench.mjs
