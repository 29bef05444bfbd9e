# Gruppenbuch: the two commands (`make run`, `make test`) and the steps they are made of.
# See docs and shared DESIGN "The two commands". Every target is idempotent.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
# Steps depend on each other in order (setup before build, build before e2e); never
# run them side by side on a 2-core machine.
.NOTPARALLEL:

# wasm-opt must be binaryen 132 from npm (node_modules/.bin), never Debian's binaryen 108.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH):$(HOME)/.cargo/bin
# Read at compile time by leptos (option_env!): the same value for every cargo call,
# so `cargo leptos`, clippy and `cargo test` do not rebuild each other's artifacts.
export LEPTOS_OUTPUT_NAME := gruppenbuch
# Playwright must never download browsers: the tests use Debian's /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

SSR_FEATURES := gruppenbuch-app/ssr
TEST_LOG_DIR := $(CURDIR)/target/test-logs
SUBMAKE := $(MAKE) --no-print-directory

# $(call tee_log,NAME): also write the output to $GB_TEST_LOG_DIR/NAME.log (set by `make test`).
tee_log = $(if $(GB_TEST_LOG_DIR),2>&1 | tee $(GB_TEST_LOG_DIR)/$(1).log)
# $(call timed,NAME,COMMAND) (a recipe line of `make test`): runs COMMAND and appends
# "NAME MILLISECONDS EXIT_CODE" to the step times; a failed step prints the times so far.
timed = @echo "== $(1)"; start=$$(date +%s%N); rc=0; $(2) || rc=$$?; \
	echo "$(1) $$(( ($$(date +%s%N) - start) / 1000000 )) $$rc" >>$(TEST_LOG_DIR)/step-times; \
	if [[ $$rc -ne 0 ]]; then scripts/test-summary.sh --times $(TEST_LOG_DIR); exit $$rc; fi

.PHONY: help setup setup-run build run fmt-check lint test-unit test-integration test-e2e test bench clean-data

help:
	@echo "make run               install what is missing, build, serve http://127.0.0.1:3000 (demo data in data/)"
	@echo "make test              setup, fmt-check, lint, build, test-unit, test-integration, test-e2e; times each step"
	@echo "make setup             install missing tools (wasm target, cargo-leptos, wasm-bindgen, cargo-nextest, apt, npm)"
	@echo "make build             cargo leptos build --release --split, then precompress (.br/.gz)"
	@echo "make fmt-check | lint  rustfmt check; the policy check; clippy -D warnings (ssr and hydrate/wasm32)"
	@echo "make test-unit         unit tests of app and server (release, ssr); outbox.js sealing (node --test)"
	@echo "make test-integration  tests/ crate with cargo-nextest on SQLite, then PostgreSQL (TEST_POSTGRES_URL or a throwaway cluster)"
	@echo "make test-e2e          Playwright in Chromium against the release build"
	@echo "make bench             download size (brotli, 250 KB budget); Lighthouse (mobile, desktop for the feed);"
	@echo "                       outbox save and send times in Chromium;"
	@echo "                       feed page times at 10k/100k/1M entries on SQLite and PostgreSQL, backup/restore at 1M;"
	@echo "                       entries/s, latency and memory under 50 phones; 100 SIGKILLs under load (operations)"
	@echo "make clean-data        delete data/ (the local demo database)"

setup:
	scripts/setup.sh

# What `make run` needs: the same without the test runner (cargo-nextest).
setup-run:
	scripts/setup.sh --run

build:
	cargo leptos build --release --split
	scripts/precompress.sh

run: setup-run build
	scripts/run.sh

fmt-check:
	cargo fmt --all -- --check

lint:
	scripts/check-policy.sh
	cargo clippy -p gruppenbuch-app -p gruppenbuch-server -p gruppenbuch-tests -p gruppenbuch-pdf --all-targets \
		--features $(SSR_FEATURES) -- -D warnings
	cargo clippy -p gruppenbuch-app --no-default-features --features hydrate \
		--target wasm32-unknown-unknown -- -D warnings

# Unit tests (app/src/domain and friends). Release profile with the ssr features: the
# same artifacts as the server build and the integration tests.
test-unit:
	cargo test -p gruppenbuch-app -p gruppenbuch-server -p gruppenbuch-pdf --release --features $(SSR_FEATURES) --lib $(call tee_log,unit)
	node --test end2end/unit/ $(call tee_log,unit-js)

test-integration:
	scripts/test-integration.sh

test-e2e:
	scripts/e2e.sh

# Fail fast, in this order; at the end the wall time of each step, and a line that counts
# what the runners reported. The integration script times its two passes itself.
test:
	rm -rf $(TEST_LOG_DIR) && mkdir -p $(TEST_LOG_DIR)
	$(call timed,setup,$(SUBMAKE) setup)
	$(call timed,fmt-check,$(SUBMAKE) fmt-check)
	$(call timed,lint,$(SUBMAKE) lint)
	$(call timed,build,$(SUBMAKE) build)
	$(call timed,unit,GB_TEST_LOG_DIR=$(TEST_LOG_DIR) $(SUBMAKE) test-unit)
	@GB_TEST_LOG_DIR=$(TEST_LOG_DIR) $(SUBMAKE) test-integration || { scripts/test-summary.sh --times $(TEST_LOG_DIR); exit 1; }
	$(call timed,e2e,GB_TEST_LOG_DIR=$(TEST_LOG_DIR) $(SUBMAKE) test-e2e)
	@scripts/test-summary.sh $(TEST_LOG_DIR)

bench: build
	scripts/bench-size.sh
	scripts/bench-lighthouse.sh
	GB_BENCH=1 scripts/e2e.sh --project=bench
	scripts/bench-feed.sh
	scripts/bench-ops.sh

clean-data:
	rm -rf data
