#!/usr/bin/env bash
# The check-in page on a weak signal (issue 17): the release build as
# deployed (precompressed assets), the demo county, and Chromium with Slow 4G
# (400 ms RTT, 400 kbit/s) and a 4x CPU slowdown; see end2end/bench/slow-phone.mjs.
# Writes docs/bench/<date>-phone.json. REUSE_SITE=1 keeps a release site
# already built (with --precompress) in target/site and builds only the server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
if [ -n "${REUSE_SITE:-}" ]; then
  cargo build --release -p server
else
  cargo leptos build --release --split --precompress
fi
data=$(mktemp -d)
port=3300
DATA_DIR="$data" LEPTOS_SITE_ADDR="127.0.0.1:$port" RUST_LOG=warn target/release/server serve --demo >"$data/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 120); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 1; done
out="docs/bench/$(date -u +%Y-%m-%d)-phone.json"
node end2end/bench/slow-phone.mjs "http://127.0.0.1:$port" "$out"
echo "recorded in $out"
