#!/usr/bin/env bash
# Runs every test: format, lints (server and wasm), unit tests, service and
# HTTP tests on SQLite and PostgreSQL, the first load's size against its
# budget, and browser tests in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PATH"
export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}"
step() { printf '\n\033[1;34m== %s\033[0m\n' "$*"; }

step "rustfmt"
cargo fmt --all --check
step "clippy (server)"
cargo clippy -p app --features ssr --all-targets -- -D warnings
cargo clippy -p server --all-targets -- -D warnings
step "clippy (wasm)"
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings
step "unit tests"
cargo test -p app --features ssr
step "service and HTTP tests (SQLite and PostgreSQL)"
cargo test -p server
step "first load within its budget (release build of the browser side)"
BHLY_SETUP_DONE=1 scripts/bench-size.sh --check
step "browser tests"
cargo leptos build --split
(cd end2end && npx playwright test)
