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

say "tests: unit, property, conformance vectors, fuzz seed replay, command line, tour; benches once"
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

say "done in $((SECONDS - started)) s"
