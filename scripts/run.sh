#!/usr/bin/env bash
# Builds and runs the app on SQLite with demo data at http://127.0.0.1:3000.
# Settings come from the environment (see README); DATA_DIR defaults to ./data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
cargo leptos build --split
exec target/debug/server serve --demo "$@"
