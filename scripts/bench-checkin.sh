#!/usr/bin/env bash
# Check-in benchmark (figures in docs/benchmarks.md):
#   scripts/bench-checkin.sh [sqlite|postgres|both]      (default: both)
# BENCH_JSON_DIR=docs/bench also keeps each run's figures there as JSON.
# For each database: a fresh database with PEOPLE people over PROJECTS projects
# (one 20-vertex area each) and CHECKINS earlier check-ins; the raw insert
# ceiling through sqlx (1,000 rows per transaction); then the release server,
# driven over HTTP by the load generator: top rate (closed loop), latency at a
# fixed 1,000/s, overload (503 + Retry-After), peak RSS, the CPU a check-in
# costs at the top rate (server threads, load generator), and a kill -9 during
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
  # Where the CPU goes during it: the server's threads (by name), the
  # database's processes, the load generator (bash's time), and the
  # machine's idle share (/proc/stat).
  machine() { awk '/^cpu / {t=0; for (i=2; i<=NF; i++) t+=$i; print $5, t}' /proc/stat; }
  # PostgreSQL's backends are processes of their own: counted under "postgres".
  threads() {
    for t in /proc/$pid/task/*; do echo "$(tr ' ' _ <"$t/comm") $(awk '{print $14+$15}' "$t/stat") ${t##*/}"; done
    for p in /proc/[0-9]*; do
      if [ "$(cat "$p/comm" 2>/dev/null)" = postgres ]; then
        echo "postgres $(awk '{print $14+$15}' "$p/stat" 2>/dev/null || echo 0) p${p##*/}"
      fi
    done
  }
  threads >"$work/threads0"; machine >"$work/machine0"
  local TIMEFORMAT='%U %S'
  { time load --seconds "$SECONDS_MAX" --connections "$CONNECTIONS" --label max >"$work/max.json"; } 2>"$work/loadgen_cpu"
  threads >"$work/threads1"; machine >"$work/machine1"
  # Each PostgreSQL backend by what it last ran (the decider's, the writer's…).
  : >"$work/backends"
  if [ "$backend" = postgres ]; then
    psql -At -F '|' "$PG_ADMIN" -c "SELECT pid, left(regexp_replace(query, '\s+', ' ', 'g'), 60)
      FROM pg_stat_activity WHERE datname = 'bhly_bench'" >"$work/backends"
  fi
  cat "$work/max.json" >&2
  python3 - "$work" "$(getconf CLK_TCK)" >"$work/cpu.json" <<'PY'
import json, sys
w, tick = sys.argv[1], float(sys.argv[2])
read = lambda n: [l.split() for l in open(f"{w}/{n}")]
before = {t: int(c) for _, c, t in read("threads0")}
by_name = {}
for name, c, t in read("threads1"):
    by_name[name] = by_name.get(name, 0) + (int(c) - before.get(t, 0)) / tick
(i0, t0), (i1, t1) = [map(int, read(n)[0]) for n in ("machine0", "machine1")]
n = json.load(open(f"{w}/max.json"))["accepted"]
loadgen = sum(map(float, open(f"{w}/loadgen_cpu").read().split()))
us = lambda s: round(s * 1e6 / max(n, 1), 1)
server = sum(v for k, v in by_name.items() if k != "postgres")
ran = dict(l.rstrip("\n").split("|", 1) for l in open(f"{w}/backends") if "|" in l)
by_statement = {}
for name, c, t in read("threads1"):
    if name == "postgres" and t[1:] in ran:
        key = ran[t[1:]]
        by_statement[key] = by_statement.get(key, 0) + (int(c) - before.get(t, 0)) / tick
print(json.dumps({"mode": "cpu", "server_us_per_checkin": us(server),
                  "threads_us_per_checkin": {k: us(v) for k, v in sorted(by_name.items()) if v > 0},
                  "postgres_backends_by_last_statement_us": {k: us(v) for k, v in sorted(by_statement.items(), key=lambda kv: -kv[1]) if us(v) >= 1},
                  "loadgen_us_per_checkin": us(loadgen), "machine_idle": round((i1 - i0) / (t1 - t0), 3)}))
PY
  cat "$work/cpu.json" >&2
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
c, m, f, o, r, v, u = j("ceiling"), j("max"), j("fixed"), j("overload"), j("rss"), j("verify"), j("cpu")
if m["accepted"] == 0 or v["acknowledged"] == 0:
    sys.exit(f"{b}: no check-in was accepted (a broken seed or server): nothing recorded")
if out:
    day = datetime.date.today().isoformat()
    with open(f"{out}/{day}-checkin-{b}-{commit}.json", "w") as fh:
        json.dump({"backend": b, "commit": commit, "date": day, "ceiling": c, "max": m, "fixed_1000": f,
                   "overload": o, "rss": r, "killed": v, "cpu_at_top_rate": u}, fh, indent=1)
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
