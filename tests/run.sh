#!/usr/bin/env bash
# Runs every test of inclusif in every language, on a fresh machine: installs what is
# missing first. Called by .ci/run; safe to run again (each step is idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
started=$SECONDS
say() { printf '\n\033[1m== %s (%ds)\033[0m\n' "$*" "$((SECONDS - started))"; }

# --- Tools -------------------------------------------------------------------------
apt_ready=0
apt_install() {
  if [ "$apt_ready" = 0 ]; then
    if [ "$(id -u)" = 0 ]; then apt-get update -qq; else sudo apt-get update -qq; fi
    apt_ready=1
  fi
  if [ "$(id -u)" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
  else sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; fi
}
say "tools"
command -v cargo >/dev/null || { echo "cargo is required (the machine's Rust toolchain)"; exit 1; }
command -v cc >/dev/null || apt_install gcc libc6-dev
# libfuzzer-sys (fuzz/) compiles libFuzzer's C++ sources.
command -v c++ >/dev/null || apt_install g++
# pyo3's build script needs a Python interpreter (3.10+) even for `cargo build`.
command -v python3 >/dev/null || apt_install python3 python3-venv
cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
export PYO3_PYTHON="${PYO3_PYTHON:-$(command -v python3)}"
cargo --version; python3 --version

# --- Rust ----------------------------------------------------------------------------
say "format"
cargo fmt --all -- --check

say "clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

# The ledger's PostgreSQL tests (and its bench, run once by the step below) need a server:
# a throwaway cluster in a temporary directory, as an unprivileged user, on a unix socket
# only (no TCP listener, so the fixed port only names the socket file and cannot collide),
# stopped on exit. Without INCLUSIF_TEST_PG_URL those tests fail, they never skip.
say "postgresql: a throwaway cluster for the ledger tests"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ ! -x "${pg_bin:-/nonexistent}/initdb" ]; then
  apt_install postgresql
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
pg_user=postgres
if [ "$(id -u)" = 0 ] && ! id -u "$pg_user" >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin "$pg_user"
fi
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u "$pg_user" -- "$@"; else "$@"; fi; }
pg_dir=$(mktemp -d /tmp/inclusif-pg.XXXXXX) # short: a socket path must stay under 108 bytes
if [ "$(id -u)" = 0 ]; then chown "$pg_user": "$pg_dir"; fi
pg_stop() {
  as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap pg_stop EXIT
as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U ledger --auth=trust -E UTF8 --no-sync >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -t 60 \
  -o "-k $pg_dir -p 5432 -c listen_addresses='' -c max_connections=100" start >/dev/null
export INCLUSIF_TEST_PG_URL="postgresql://ledger@/postgres?host=$pg_dir&port=5432"
"$pg_bin/postgres" --version

say "tests: unit, property, conformance vectors, fuzz seed replay, command line, tour, ledger on SQLite and PostgreSQL; benches once"
cargo test --workspace --all-targets --locked

say "doc tests, and the docs build without a warning"
cargo test --workspace --doc --locked
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

# fuzz/ has its own Cargo.lock: after changing the core's dependencies, refresh it with
# `(cd fuzz && cargo metadata --format-version 1 >/dev/null)` and commit it.
say "fuzz workspace builds (stable, no sanitizer)"
if [ -f fuzz/Cargo.toml ]; then
  (cd fuzz && cargo check --locked --bins)
fi

# --- Python -------------------------------------------------------------------------
# The wheel is built by maturin, installed into a fresh virtual environment, and tested
# there: pytest imports the installed package, never bindings-python/python. pandas
# ships no type information, hence --ignore-missing-imports for the examples.
say "python: build the wheel, install it in a fresh venv"
venv="$root/target/python-venv"
wheels="$root/target/wheels/python"
rm -rf "$venv" "$wheels"
python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$venv"; }
"$venv/bin/pip" install -q --disable-pip-version-check -r bindings-python/requirements-test.txt
"$venv/bin/maturin" build --release --locked -q -m bindings-python/Cargo.toml -o "$wheels" \
  --interpreter "$venv/bin/python"
"$venv/bin/pip" install -q --disable-pip-version-check --no-deps "$wheels"/inclusif-*.whl

say "python: pytest on the installed wheel (conformance vectors, fuzz seeds, examples)"
(cd bindings-python/tests && "$venv/bin/python" -m pytest -q -p no:cacheprovider)

say "python: the hand-written stubs match the built module (mypy.stubtest), examples type-check"
(cd "$venv" && bin/python -m mypy.stubtest inclusif)
"$venv/bin/python" -m mypy --strict --ignore-missing-imports --cache-dir=/dev/null examples/python

# --- Kotlin / Swift ------------------------------------------------------------------
# Installs Debian's libjna-java and kotlinc (npm, into the git-ignored .tools/), generates
# Kotlin and Swift with the workspace's uniffi-bindgen, runs the Kotlin tests on the JVM.
say "mobile: Kotlin on the JVM over the shared vectors, Swift generated and checked"
tests/mobile.sh

say "done in $((SECONDS - started)) s"
