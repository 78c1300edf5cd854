# dipcalc: two commands do everything. `make serve` builds the page and serves it; `make test`
# runs every test. Both run `make setup` first, which installs only what is missing.
#
# Adding a target: make it depend on `setup` (and on `wasm` if it needs www/pkg), and for a new
# test part add a test-NAME target that runs through scripts/tally and list it in TEST_PARTS.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory
# Parts share one machine and cargo's lock; running them side by side only slows them down.
.NOTPARALLEL:

PORT ?= 8000
# Where `cargo install` puts wasm-bindgen; on PATH for every recipe.
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(CARGO_BIN):$(PATH)
# Used by wasm-bindgen-test-runner to drive headless Chromium.
export CHROMEDRIVER ?= /usr/bin/chromedriver

TEST_PARTS := native wasm e2e lint
TALLY := python3 scripts/tally

.PHONY: help setup wasm wasm-dev wasm-pack-check serve test fuzz bench backtest lint-js $(addprefix test-,$(TEST_PARTS))

help:
	@echo "make serve         build the page (release wasm) and serve www/ on http://127.0.0.1:$(PORT)/ (PORT=...)"
	@echo "make test          all tests: $(TEST_PARTS)"
	@echo "make test-native   cargo test, natively: the engine, records, policy, input, command line"
	@echo "make test-wasm     wasm-bindgen tests (tests/wasm_*.rs) in headless Chromium"
	@echo "make test-e2e      page tests (tests/e2e/*.test.mjs): the served page in headless Chromium"
	@echo "make test-lint     formatting and lints: cargo fmt --check, cargo clippy -D warnings (scripts/lint)"
	@echo "make wasm          build www/pkg as wasm-pack.toml says; make wasm-dev: unoptimised, faster"
	@echo "make wasm-pack-check  wasm-pack's own build gives make wasm's files byte for byte, and wasm-pack test runs the wasm tests"
	@echo "make fuzz          the input parsers under proptest, FUZZ_CASES=$(FUZZ_CASES) cases each (release), and a 1,000,000-row stream"
	@echo "make bench         native run, wasm in Chromium and a pandas reference on 1M synthetic cases (SIZES=\"100k 300k 1m city\" RUNS=3; city: 1.87M cases from a real-shaped city catalog)"
	@echo "make backtest      the year-end estimate against the exact year: seasonal regions cut at k = 3, 6, 9, 11 (SEEDS=\"$(SEEDS)\" SIZE=$(SIZE)), both interval methods"
	@echo "make lint-js       Biome: lint and format check of the page's JavaScript (www, tests/e2e, bench)"
	@echo "make setup         install what is missing (every target above runs it first)"

setup:
	@scripts/setup

# Also the page's other assets (scripts/page-assets): ECharts copied from node_modules into
# www/vendor/, and the demo city in www/demo/ (which needs the command line, a debug build); and the
# public page's sample bundle, www/demo/bundle.json (scripts/public-bundle: dipcalc publish).
wasm: setup
	@python3 scripts/build-wasm
	@python3 scripts/page-assets
	@python3 scripts/public-bundle

# wasm-pack's own commands (installed on demand) agree with make wasm and make test-wasm: the
# same module, byte for byte, and the same tests. Not part of make test (a second build).
WASM_PACK_OUT := target/wasm-pack-pkg
wasm-pack-check: wasm
	@scripts/setup wasm-pack
	@rm -rf $(WASM_PACK_OUT)
	@scripts/wasm-pack build --target web --out-dir $(WASM_PACK_OUT) --no-pack
	@for f in dipcalc_bg.wasm dipcalc.js dipcalc.d.ts dipcalc_bg.wasm.d.ts; do \
	  cmp www/pkg/$$f $(WASM_PACK_OUT)/$$f || exit 1; done; \
	  echo "wasm-pack-check: wasm-pack build gives www/pkg's files byte for byte"
	@scripts/wasm-pack test --headless --chrome

wasm-dev: setup
	@python3 scripts/build-wasm --profile dev
	@python3 scripts/page-assets
	@python3 scripts/public-bundle

serve: wasm
	@python3 scripts/serve.py --port $(PORT)

test: $(addprefix test-,$(TEST_PARTS))
	@$(TALLY) --summary $(TEST_PARTS)

# Native: every target (lib, bin, tests, benches in test mode, examples), then the doc tests.
# --no-fail-fast: run every test binary, so the counts cover everything.
test-native: setup
	@$(TALLY) native -- bash -c 'rc=0; cargo test --all-targets --no-fail-fast || rc=$$?; cargo test --doc || rc=$$?; exit $$rc'

# wasm32 in headless Chromium: only tests/wasm_*.rs (the binding layer as JavaScript sees it).
test-wasm: setup
	@$(TALLY) wasm -- python3 scripts/wasm-cargo test --target wasm32-unknown-unknown --no-fail-fast --test 'wasm_*'

# The page as a person gets it: served over loopback HTTP and driven with Playwright.
test-e2e: wasm
	@$(TALLY) e2e -- node --test --test-reporter=spec tests/e2e/*.test.mjs

# Formatting and lints are part of the tests (scripts/lint says which checks run).
test-lint: setup
	@$(TALLY) lint -- python3 scripts/lint

# The input parsers under proptest for a fixed budget (tests/input_fuzz.rs; `make test` runs
# 64 cases each), plus the 1,000,000-row CSV stream and every single-byte edit of the .xls
# fixture (none may reach a panic inside calamine: in the page it aborts the worker). About 5
# minutes on 2 cores.
# Under a 4 GiB address-space limit (ulimit -v, on the test run only, not on cargo's build):
# an input that makes a reader reserve gigabytes (the workbook bounds of src/input/bounds.rs
# exist because calamine did) then fails the run at once with an allocation abort, instead of
# succeeding on a machine with memory to spare or pushing a shared one into swap. A capping
# global allocator would abort the same way and would have to live in the test binary.
FUZZ_CASES ?= 20000
FUZZ_MEMORY_KB ?= 4194304
fuzz: setup
	@cargo test --release --test input_fuzz --no-run
	@DIPCALC_FUZZ_CASES=$(FUZZ_CASES) bash -c 'ulimit -v $(FUZZ_MEMORY_KB) && cargo test --release --test input_fuzz -- --include-ignored'

# Performance side by side on the same synthetic files (bench/run.py, BENCHMARKS.md): native
# `dipcalc run`, the wasm engine in headless Chromium fed as the page feeds it, and a pandas
# reference checked equal to the fen. Data goes to target/bench-data, pandas to target/bench-venv.
SIZES ?= 1m
RUNS ?= 3
bench: wasm
	@SIZES="$(SIZES)" RUNS="$(RUNS)" python3 bench/run.py

# The page's JavaScript: lint and format (Biome, pinned in package.json; biome.json). `npx biome
# check --write www tests/e2e bench` fixes what it can.
lint-js: setup
	@npx --no-install biome check www tests/e2e bench

# The year-end estimate (SPEC §11) against the exact settlement (bench/backtest.py): seasonal
# synthetic regions cut at k = 3, 6, 9, 11, whole region and own hospital + published figures;
# the accuracy table goes to BENCHMARKS.md. A measurement, not a test: not part of `make test`.
SEEDS ?= 1 2 3
SIZE ?= 20000
DRAWS ?= 2000
OWN ?= 4
METHODS ?= run_rate predictive
backtest: setup
	@cargo build --release --bin dipcalc
	@SEEDS="$(SEEDS)" SIZE="$(SIZE)" DRAWS="$(DRAWS)" OWN="$(OWN)" METHODS="$(METHODS)" python3 bench/backtest.py
