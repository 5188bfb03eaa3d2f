#!/usr/bin/env bash
# Release build, then the gzip size of what the login page and the shell load
# (wasm + js + css), recorded in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"   # wasm-opt from npm binaryen
cargo leptos build --release
pkg=target/site/pkg
gz() { gzip -9 -c "$1" | wc -c; }
wasm=$(gz $pkg/bhly.wasm); js=$(gz $pkg/bhly.js); css=$(gz $pkg/bhly.css)
total=$((wasm + js + css))
floor=$((130 * 1024))
ratio=$(awk "BEGIN { printf \"%.2f\", $total / $floor }")
line="| $(date -u +%Y-%m-%d) | $(git rev-parse --short HEAD) | $((wasm / 1024)) | $((js / 1024)) | $((css / 1024)) | **$((total / 1024))** | ${ratio}× |"
echo "$line"
doc=docs/benchmarks.md
grep -q '^| date | commit | wasm' "$doc" || { echo "docs/benchmarks.md lacks the size table" >&2; exit 1; }
# Append the row under the table header.
awk -v row="$line" '{ print } /^\|---\|---\|---\|---\|---\|---\|---\|$/ && !done { print row; done=1 }' "$doc" > "$doc.tmp" && mv "$doc.tmp" "$doc"
