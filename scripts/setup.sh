#!/usr/bin/env bash
# Installs what building, running and testing need; skips what is there.
#   scripts/setup.sh        Rust side only (wasm target, wasm-bindgen, cargo-leptos)
#   scripts/setup.sh test   also npm packages, Chromium and PostgreSQL
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

apt_install() {
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$@" >/dev/null 2>&1 || {
    $sudo apt-get update -q >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$@" >/dev/null
  }
}

# --- Rust toolchain pieces -------------------------------------------------
if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
  say "adding the wasm32 target"; rustup target add wasm32-unknown-unknown
fi

# The wasm-bindgen CLI must equal the wasm-bindgen crate in Cargo.lock.
want_wb=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
have_wb=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have_wb" != "$want_wb" ]; then
  # Without --locked: its lockfile names a crate the registry no longer has.
  say "installing wasm-bindgen-cli $want_wb (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "$want_wb" --force
fi

if ! cargo leptos --version 2>/dev/null | grep -q '0.3.10'; then
  # Its own release profile asks for fat LTO in one codegen unit: most of
  # the install's time, for a tool that mostly waits on cargo. The default
  # release profile builds it in a fraction of that.
  say "installing cargo-leptos 0.3.10 (several minutes, once)"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install cargo-leptos --version 0.3.10 --locked --features no_downloads
fi

# --- Browser libraries (npm; copied into the site, never committed) ---------
if [ ! -f public/vendor/leaflet/leaflet.js ] || [ package-lock.json -nt public/vendor/leaflet/leaflet.js ]; then
  say "installing Leaflet and Leaflet-Geoman (npm) into public/vendor"
  npm ci --no-audit --no-fund >/dev/null
  rm -rf public/vendor && mkdir -p public/vendor/leaflet public/vendor/geoman
  cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images public/vendor/leaflet/
  cp node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css public/vendor/geoman/
fi

[ "${1:-}" = "test" ] || exit 0

# --- Browser tests and release tools (npm) ---------------------------------
if [ ! -x end2end/node_modules/.bin/playwright ] || [ ! -x end2end/node_modules/.bin/wasm-opt ]; then
  say "installing npm packages (Playwright, binaryen)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi 'wenquanyi'; then
  say "installing Debian Chromium and Chinese fonts"
  apt_install chromium fonts-wqy-microhei
fi

# --- A local S3-compatible server for the storage tests (moto, PyPI) -------
if ! python3 -c 'import moto.server, flask' >/dev/null 2>&1; then
  say "installing moto (a local S3 server for the storage tests)"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore 'moto[server]==5.2.5'
fi

# --- PostgreSQL -------------------------------------------------------------
pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
if ! pg_up; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    say "installing PostgreSQL"; apt_install postgresql
  fi
  say "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  for _ in $(seq 30); do pg_up && break; sleep 1; done
  # A fresh Debian cluster uses password auth over TCP: give the test role one.
  su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" || true
fi
# pg_dump/pg_restore for `server backup` and its test.
command -v pg_dump >/dev/null || apt_install postgresql-client
