#!/usr/bin/env bash
# Runs every test: format, lints (server and wasm), unit tests, service and
# HTTP tests on SQLite and PostgreSQL, the first load's size against its
# budget, and browser tests in Chromium. Prints how long each step took (CI
# has 90 minutes for all of it).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}"
laps=(); began=$SECONDS; at=$SECONDS; doing=""
lap() { [ -z "$doing" ] || laps+=("$(printf '%6ds  %s' $((SECONDS - at)) "$doing")"); at=$SECONDS; }
step() { lap; doing="$*"; printf '\n\033[1;34m== %s\033[0m\n' "$*"; }
report() {
  lap; printf '\n\033[1;34m== time per step\033[0m\n'; printf '%s\n' "${laps[@]}"
  printf '%6ds  in all\n' $((SECONDS - began))
}
trap report EXIT

step "set-up (skips what is installed)"
scripts/setup.sh test
step "rustfmt"
cargo fmt --all --check
# app and server in one invocation: their dependencies' features unify once
# (one at a time, tracing-core, tower, hyper-util … differ, and the whole
# dependency tree was checked and built twice).
step "clippy (server)"
cargo clippy -p app -p server --features app/ssr --all-targets -- -D warnings
step "clippy (wasm)"
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings
step "unit, service and HTTP tests (SQLite and PostgreSQL)"
cargo test -p app -p server --features app/ssr
step "first load within its budget (release build of the browser side)"
BHLY_SETUP_DONE=1 scripts/bench-size.sh --check
# The browser tests run against the release build of the browser side that
# the size step just made (what is deployed; a debug build of it would cost
# another full wasm compile) and the server binary the tests above built
# (target/debug/server; its only extra is the desk's test hook, which
# nothing in the binary calls).
step "browser tests (that browser side, the tests' debug server)"
(cd end2end && npx playwright test)
