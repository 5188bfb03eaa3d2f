#!/usr/bin/env bash
# The first load (issue 17): a release build of the browser side, then what
# the login page and the shell load (bhly.wasm + bhly.js + the split loader +
# bhly.css) two ways: gzip -9 (the goal's unit) and brotli at quality 11, which
# is what a deployed server sends (`--precompress` writes the same brotli
# beside each file; tests/it/assets.rs holds the server to sending it; its
# gzip copy is libflate's, larger than gzip -9). Precompressing every chunk
# takes minutes, so this build skips it and compresses here. Writes
# target/bench-size.json.
#   scripts/bench-size.sh            measure
#   scripts/bench-size.sh --check    also fail when the first load (gzip -9)
#                                    outgrows docs/bench/size-budget.json
#   scripts/bench-size.sh --record   also keep it as docs/bench/<date>-size.json
#                                    and add a row to docs/benchmarks.md
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-}"
[ -n "${BHLY_SETUP_DONE:-}" ] || scripts/setup.sh test
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"   # wasm-opt from npm binaryen
cargo leptos build --release --split --frontend-only
pkg=target/site/pkg
kb() { awk "BEGIN { printf \"%.1f\", $1 / 1024 }"; }
gz9() { gzip -9 -c "$1" | wc -c; }
br11() { node -e 'const z=require("zlib");process.stdout.write(String(z.brotliCompressSync(require("fs").readFileSync(process.argv[1])).length))' "$1"; }
first=("$pkg/bhly.wasm" "$pkg/bhly.js" "$pkg/bhly.css")
for f in "$pkg"/__wasm_split*.js; do [ -f "$f" ] && first+=("$f"); done
g=0; b=0; raw=0
declare -A part_g part_b
for f in "${first[@]}"; do
  fg=$(gz9 "$f"); fb=$(br11 "$f"); fr=$(wc -c < "$f")
  g=$((g + fg)); b=$((b + fb)); raw=$((raw + fr))
  case "$f" in *.wasm) k=wasm ;; *.css) k=css ;; *) k=js ;; esac
  part_g[$k]=$(( ${part_g[$k]:-0} + fg )); part_b[$k]=$(( ${part_b[$k]:-0} + fb ))
done
chunks=0; for f in "$pkg"/chunk_*.wasm; do [ -f "$f" ] && chunks=$((chunks + $(gz9 "$f"))); done
floor=$((130 * 1024))
ratio=$(awk "BEGIN { printf \"%.2f\", $g / $floor }")
commit=$(git rev-parse --short HEAD)
cat > target/bench-size.json <<JSON
{
  "date": "$(date -u +%Y-%m-%d)",
  "commit": "$commit",
  "first_load_raw_kb": $(kb $raw),
  "first_load_gzip9_kb": $(kb $g),
  "first_load_brotli_kb": $(kb $b),
  "parts_gzip9_kb": { "wasm": $(kb ${part_g[wasm]}), "js": $(kb ${part_g[js]}), "css": $(kb ${part_g[css]}) },
  "parts_brotli_kb": { "wasm": $(kb ${part_b[wasm]}), "js": $(kb ${part_b[js]}), "css": $(kb ${part_b[css]}) },
  "lazy_chunks_gzip9_kb": $(kb $chunks),
  "floor_gzip9_kb": 130,
  "ratio_to_floor": $ratio
}
JSON
cat target/bench-size.json
if [ "$mode" = "--check" ]; then
  max=$(sed -n 's/.*"first_load_gzip9_kb_max": *\([0-9.]*\).*/\1/p' docs/bench/size-budget.json)
  if awk "BEGIN { exit !($g / 1024 > $max) }"; then
    echo "The first load grew to $(kb $g) KB gzip, over its budget of $max KB (docs/bench/size-budget.json)." >&2
    echo "Find what grew it (a page outside a lazy route? a crate in the wasm?) or raise the budget in the same commit, saying why." >&2
    exit 1
  fi
  echo "first load $(kb $g) KB gzip -9 (budget $max KB), $(kb $b) KB brotli as sent"
fi
if [ "$mode" = "--record" ]; then
  line="| $(date -u +%Y-%m-%d) | $commit | $(kb ${part_g[wasm]}) | $(kb ${part_g[js]}) | $(kb ${part_g[css]}) | **$(kb $g)** | ${ratio}× | $(kb $b) |"
  cp target/bench-size.json "docs/bench/$(date -u +%Y-%m-%d)-size.json"
  doc=docs/benchmarks.md
  awk -v row="$line" '{ print } /^\|---\|---\|---\|---\|---\|---\|---\|---\|$/ && !done { print row; done=1 }' "$doc" > "$doc.tmp" && mv "$doc.tmp" "$doc"
  echo "$line"
fi
