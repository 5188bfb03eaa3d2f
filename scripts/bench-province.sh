#!/usr/bin/env bash
# Supervision views at province scale (issue 17; figures in docs/benchmarks.md):
#   scripts/bench-province.sh [sqlite|postgres|both]      (default: both)
# A fresh database per backend with PROJECTS projects (an area, a site with
# its town, a contract with its plan, monthly progress, 20 payments and 10
# changes each), PEOPLE key personnel and CHECKINS earlier check-ins; then the
# province's alert evaluation and each view, timed (p50/p95/max) through the
# same service functions the pages call. Writes docs/bench/<date>-province-<db>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
PEOPLE=${PEOPLE:-50000}
PROJECTS=${PROJECTS:-10000}
CHECKINS=${CHECKINS:-5000000}
RUNS=${RUNS:-20}
PG_ADMIN=${TEST_POSTGRES_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
which=${1:-both}
say() { printf '\033[1;34m[bench]\033[0m %s\n' "$*" >&2; }
say "building the bench tools (release)"
cargo build --release -q -p bench
bin=${CARGO_TARGET_DIR:-target}/release
pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }

run_one() {
  local backend=$1 work url
  work=$(mktemp -d /tmp/bhly-province-XXXX)
  export TRAIL_KEY_FILE=$work/trail.key
  if [ "$backend" = sqlite ]; then
    url="sqlite://$work/bhly.db"
  else
    pg_up || scripts/setup.sh test >&2
    url="${PG_ADMIN%/*}/bhly_province"
    psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS bhly_province" -c "CREATE DATABASE bhly_province" >&2
  fi
  say "$backend: seeding a province ($PROJECTS projects, $PEOPLE people, $CHECKINS check-ins)"
  /usr/bin/time -f '%e s, %M kB peak' "$bin/bench" province --db "$url" --people "$PEOPLE" --projects "$PROJECTS" --checkins "$CHECKINS" --out "$work/people.tsv" >&2
  say "$backend: the alert evaluation and the views"
  local out
  out="docs/bench/$(date -u +%Y-%m-%d)-province-$backend.json"
  "$bin/bench" views --db "$url" --runs "$RUNS" | python3 -m json.tool > "$out"
  cat "$out"
  rm -rf "$work"
}

case "$which" in
  sqlite|postgres) run_one "$which" ;;
  both) run_one sqlite; run_one postgres ;;
  *) echo "usage: $0 [sqlite|postgres|both]" >&2; exit 2 ;;
esac
