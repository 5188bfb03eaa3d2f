#!/usr/bin/env bash
# Release build, then the gzip size of what the login page and the shell load
# (wasm + js + css), recorded in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"   # wasm-opt from npm binaryen
cargo leptos build --release --split
pkg=target/site/pkg
gz() { gzip -9 -c "$1" | wc -c; }
# The first load: main wasm, its JS glue and the split loader, the CSS. Page
# chunks (chunk_*.wasm) load only when their page is opened.
wasm=$(gz $pkg/bhly.wasm); css=$(gz $pkg/bhly.css)
js=0; for f in $pkg/bhly.js $pkg/__wasm_split*.js; do [ -f "$f" ] && js=$((js + $(gz "$f"))); done
chunks=0; for f in $pkg/chunk_*.wasm; do [ -f "$f" ] && chunks=$((chunks + $(gz "$f"))); done
echo "lazy page chunks (not in the first load): $((chunks / 1024)) KB gzip"
total=$((wasm + js + css))
floor=$((130 * 1024))
ratio=$(awk "BEGIN { printf \"%.2f\", $total / $floor }")
line="| $(date -u +%Y-%m-%d) | $(git rev-parse --short HEAD) | $((wasm / 1024)) | $((js / 1024)) | $((css / 1024)) | **$((total / 1024))** | ${ratio}× |"
echo "$line"
doc=docs/benchmarks.md
grep -q '^| date | commit | wasm' "$doc" || { echo "docs/benchmarks.md lacks the size table" >&2; exit 1; }
# Append the row under the table header.
awk -v row="$line" '{ print } /^\|---\|---\|---\|---\|---\|---\|---\|$/ && !done { print row; done=1 }' "$doc" > "$doc.tmp" && mv "$doc.tmp" "$doc"
