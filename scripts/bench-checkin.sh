#!/usr/bin/env bash
# Check-in benchmark (figures in docs/benchmarks.md):
#   scripts/bench-checkin.sh [sqlite|postgres|both]      (default: both)
# BENCH_JSON_DIR=docs/bench also keeps each run's figures there as JSON.
# For each database: a fresh database with PEOPLE people over PROJECTS projects
# (one 20-vertex area each) and CHECKINS earlier check-ins; the raw insert
# ceiling through sqlx (1,000 rows per transaction); then the release server,
# driven over HTTP by the load generator: top rate (closed loop), latency at a
# fixed 1,000/s, overload (503 + Retry-After), peak RSS, and a kill -9 during
# load after which every acknowledged check-in must be in the database.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
PEOPLE=${PEOPLE:-10000}
PROJECTS=${PROJECTS:-2000}
CHECKINS=${CHECKINS:-1000000}
SECONDS_MAX=${SECONDS_MAX:-20}
CONNECTIONS=${CONNECTIONS:-128}
PORT=${PORT:-3400}
PG_ADMIN=${TEST_POSTGRES_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
which=${1:-both}
say() { printf '\033[1;34m[bench]\033[0m %s\n' "$*" >&2; }

say "building the release server and the load generator"
cargo build --release -q -p server -p bench
bin=${CARGO_TARGET_DIR:-target}/release
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }

run_one() {
  local backend=$1 work url pid
  work=$(mktemp -d /tmp/bhly-bench-XXXX)
  export TRAIL_KEY_FILE=$work/trail.key
  if [ "$backend" = sqlite ]; then
    url="sqlite://$work/bhly.db"
  else
    pg_up || scripts/setup.sh test >&2
    url="${PG_ADMIN%/*}/bhly_bench"
    psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS bhly_bench" -c "CREATE DATABASE bhly_bench" >&2
  fi
  say "$backend: seeding $PEOPLE people, $PROJECTS projects, $CHECKINS check-ins"
  "$bin/bench" seed --db "$url" --people "$PEOPLE" --projects "$PROJECTS" --checkins "$CHECKINS" --out "$work/people.tsv" >&2
  say "$backend: raw insert ceiling"
  "$bin/bench" ceiling --db "$url" --people "$work/people.tsv" --rows 100000 | tee "$work/ceiling.json" >&2

  start_server() {
    # The load generator checks each person in many times a minute.
    DATA_DIR=$work DATABASE_URL=$url RUST_LOG=warn LEPTOS_SITE_ADDR=127.0.0.1:$PORT CHECKIN_ATTEMPTS_PER_MINUTE=1000000 \
      "$bin/server" serve >>"$work/server.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && return; sleep 0.2; done
    say "server did not start"; cat "$work/server.log" >&2; exit 1
  }
  load() { "$bin/bench" load --addr "127.0.0.1:$PORT" --people "$work/people.tsv" "$@"; }

  start_server
  sleep 3 # the alert rules run once at start
  load --seconds 3 --connections "$CONNECTIONS" --label warmup >/dev/null
  say "$backend: top rate for ${SECONDS_MAX}s, $CONNECTIONS connections"
  load --seconds "$SECONDS_MAX" --connections "$CONNECTIONS" --label max | tee "$work/max.json" >&2
  say "$backend: latency at a fixed 1,000/s"
  load --seconds 15 --connections 50 --rate 1000 --label fixed_1000 | tee "$work/fixed.json" >&2
  say "$backend: overload, 1,500 connections against MAX_IN_FLIGHT=512"
  load --seconds 5 --connections 1500 --label overload | tee "$work/overload.json" >&2
  local rss
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  echo "{\"mode\":\"rss\",\"peak_kb\":$rss}" | tee "$work/rss.json" >&2

  say "$backend: kill -9 during load, then every acknowledged check-in must be stored"
  load --seconds 8 --connections "$CONNECTIONS" --acks "$work/acks.txt" --label killed >"$work/killed.json" &
  local gen=$!
  sleep 4
  kill -9 "$pid"
  wait "$gen" || true
  cat "$work/killed.json" >&2
  "$bin/bench" verify --db "$url" --acks "$work/acks.txt" | tee "$work/verify.json" >&2

  python3 - "$backend" "$work" "${BENCH_JSON_DIR:-}" "$(git rev-parse --short HEAD)" <<'EOF'
import json, sys, datetime
b, w, out, commit = sys.argv[1:5]
j = lambda n: json.load(open(f"{w}/{n}.json"))
c, m, f, o, r, v = j("ceiling"), j("max"), j("fixed"), j("overload"), j("rss"), j("verify")
if m["accepted"] == 0 or v["acknowledged"] == 0:
    sys.exit(f"{b}: no check-in was accepted (a broken seed or server): nothing recorded")
if out:
    day = datetime.date.today().isoformat()
    with open(f"{out}/{day}-checkin-{b}-{commit}.json", "w") as fh:
        json.dump({"backend": b, "commit": commit, "date": day, "ceiling": c, "max": m, "fixed_1000": f,
                   "overload": o, "rss": r, "killed": v}, fh, indent=1)
print(f"| {b} | {m['accepted_per_s']:,.0f}/s | {c['rows_per_s']:,.0f}/s | {100*m['accepted_per_s']/c['rows_per_s']:.0f}% "
      f"| {m['p50_ms']:.1f} / {m['p99_ms']:.1f} ms | {f['p50_ms']:.1f} / {f['p99_ms']:.1f} ms | {r['peak_kb']/1024:.0f} MB "
      f"| {o['shed_503']:,} of {o['sent']:,} | {v['acknowledged']:,} acked, {v['missing']} missing |")
EOF
  rm -rf "$work"
}

echo "| database | accepted (top) | raw ceiling | ratio | top p50 / p99 | 1,000/s p50 / p99 | peak RSS | overload 503s | kill -9 |"
echo "|---|---|---|---|---|---|---|---|---|"
case $which in
  sqlite) run_one sqlite ;;
  postgres) run_one postgres ;;
  both) run_one sqlite; run_one postgres ;;
  *) echo "usage: $0 [sqlite|postgres|both]" >&2; exit 2 ;;
esac
