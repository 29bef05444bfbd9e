#!/usr/bin/env bash
# Installs what `make build`, `make run` and `make test` need, and nothing that is
# already there. Idempotent; takes about a second when everything is present.
# `--run` (for `make run`) leaves out what only the tests need (cargo-nextest), so a
# fresh machine serves sooner.
# Every tool comes from rustup, crates.io, Debian apt or npm; nothing downloads
# browsers or binaries from elsewhere (Playwright uses Debian's /usr/bin/chromium).
set -euo pipefail

for_tests=1
if [[ "${1:-}" == --run ]]; then for_tests=0; fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$PATH:$HOME/.cargo/bin"

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130
# Runs the integration tests (scripts/test-integration.sh); any installed version will do.
NEXTEST_VERSION=0.9.143
WASM_OPT_MAJOR=132
# curl: health check in scripts/e2e.sh; poppler-utils: the tests read report PDFs back (pdftotext)
APT_PACKAGES=(chromium brotli fonts-dejavu-core curl poppler-utils)

log() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

# "1.2.3" appears as a whole version (not as a prefix of 1.2.30) in the text.
has_version() { grep -Eq "(^|[^0-9.])${2//./\\.}([^0-9.]|$)" <<<"$1"; }

# Tools are built with a release profile that compiles fast: the crates' own
# `lto = true, codegen-units = 1` make `cargo install cargo-leptos` take ~17 minutes
# on 2 cores, for a build tool whose speed at run time does not matter here.
fast_install() {
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
        CARGO_PROFILE_RELEASE_OPT_LEVEL=2 cargo install "$@"
}

# If another `cargo install <crate>` is already running (for example a background
# provisioning job), wait for it instead of compiling the same crate twice on 2 cores.
wait_for_other_cargo_install() {
    local crate="$1" waited=0
    while pgrep -f "(^|/)cargo install (.* )?${crate}( |$)" >/dev/null 2>&1; do
        if [[ $waited -eq 0 ]]; then log "another 'cargo install $crate' is running; waiting for it"; fi
        sleep 5
        waited=$((waited + 5))
        [[ $waited -ge 3600 ]] && die "waited an hour for another 'cargo install $crate'"
    done
    return 0
}

SUDO=()
if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null 2>&1; then SUDO=(sudo); fi

# --- Rust: wasm target ------------------------------------------------------------
command -v rustup >/dev/null || die "rustup not found (need the stable Rust toolchain with rustup)"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "installing rustup target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
fi

# --- cargo-leptos -----------------------------------------------------------------
if ! has_version "$(cargo leptos --version 2>/dev/null || true)" "$CARGO_LEPTOS_VERSION"; then
    wait_for_other_cargo_install cargo-leptos
    if ! has_version "$(cargo leptos --version 2>/dev/null || true)" "$CARGO_LEPTOS_VERSION"; then
        log "installing cargo-leptos $CARGO_LEPTOS_VERSION (takes several minutes on 2 cores)"
        fast_install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
    fi
fi

# --- wasm-bindgen-cli (must match the wasm-bindgen crate pin exactly) --------------
if ! has_version "$(wasm-bindgen --version 2>/dev/null || true)" "$WASM_BINDGEN_VERSION"; then
    wait_for_other_cargo_install wasm-bindgen-cli
    if ! has_version "$(wasm-bindgen --version 2>/dev/null || true)" "$WASM_BINDGEN_VERSION"; then
        log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
        fast_install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
    fi
fi

# --- cargo-nextest (the integration tests' runner) ---------------------------------
if [[ $for_tests -eq 1 ]] && ! cargo nextest --version >/dev/null 2>&1; then
    wait_for_other_cargo_install cargo-nextest
    if ! cargo nextest --version >/dev/null 2>&1; then
        log "installing cargo-nextest $NEXTEST_VERSION"
        fast_install cargo-nextest --version "$NEXTEST_VERSION" --locked
    fi
fi

# --- Debian packages --------------------------------------------------------------
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$pkg")
    fi
done
if ! command -v npm >/dev/null 2>&1; then missing+=(nodejs npm); fi
# python3 picks free ports in scripts/e2e.sh and scripts/pg-throwaway.sh
if ! command -v python3 >/dev/null 2>&1; then missing+=(python3); fi
if [[ ${#missing[@]} -gt 0 ]]; then
    [[ $(id -u) -eq 0 || ${#SUDO[@]} -gt 0 ]] || die "need root or sudo to install: ${missing[*]}"
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update
    "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi
[[ -x /usr/bin/chromium ]] || die "/usr/bin/chromium missing after installing the chromium package"

# --- npm packages (wasm-opt from binaryen, Playwright, axe) -------------------------
# Playwright must never download its own browsers; the tests use /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
need_npm=0
if [[ ! -f node_modules/.package-lock.json ]]; then
    need_npm=1
elif [[ -f package-lock.json && package-lock.json -nt node_modules/.package-lock.json ]]; then
    need_npm=1
elif [[ package.json -nt node_modules/.package-lock.json ]]; then
    need_npm=1
fi
if [[ $need_npm -eq 1 ]]; then
    if [[ -f package-lock.json ]]; then
        log "npm ci (node_modules missing or older than package-lock.json)"
        npm ci --no-audit --no-fund
    else
        log "npm install (no package-lock.json yet)"
        npm install --no-audit --no-fund
    fi
fi
wasm_opt_version="$(node_modules/.bin/wasm-opt --version 2>/dev/null || true)"
[[ "$wasm_opt_version" == *"version ${WASM_OPT_MAJOR}"* ]] \
    || die "node_modules/.bin/wasm-opt reports '$wasm_opt_version', expected version $WASM_OPT_MAJOR"

log "ok: $(cargo leptos --version 2>/dev/null), $(wasm-bindgen --version), $(cargo nextest --version 2>/dev/null | head -n 1 || true), ${wasm_opt_version}, $(chromium --version 2>/dev/null | head -n 1)"
