#!/usr/bin/env bash
# Run every migsquash check, exactly as CI does (.ci/run calls this script).
#
#   scripts/test-all.sh
#
# 1. builds/refreshes the Python test environment (.testenv/venv, see setup-test-env.sh)
# 2. cargo fmt --check
# 3. cargo clippy --all-targets -- -D warnings
# 4. cargo test --all-targets   (integration tests use $MIGSQUASH_TEST_PYTHON;
#    tests/packaging.rs builds the wheel in release mode, reusing target/)
#
# Needs: a Rust toolchain with rustfmt and clippy, python3 (>= 3.11) with venv,
# git, network access to PyPI on the first run.  Works from any directory.
# Extra arguments are passed to `cargo test` (e.g. a test name filter).
set -euo pipefail

script_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd -- "${script_dir}/.." && pwd -P)"
cd "${repo_root}"

section() { printf '\n==> %s\n' "$*"; }
die() { printf '\ntest-all: error: %s\n' "$*" >&2; exit 1; }

section "Python test environment (scripts/setup-test-env.sh)"
"${script_dir}/setup-test-env.sh" >/dev/null
export MIGSQUASH_TEST_PYTHON="${repo_root}/.testenv/venv/bin/python"
[[ -x "${MIGSQUASH_TEST_PYTHON}" ]] || die "setup-test-env.sh did not produce ${MIGSQUASH_TEST_PYTHON}"
printf 'MIGSQUASH_TEST_PYTHON=%s\n' "${MIGSQUASH_TEST_PYTHON}"

section "Rust toolchain"
command -v cargo >/dev/null 2>&1 \
    || die "cargo not found. Install Rust 1.95 or newer from https://rustup.rs"
cargo --version
if ! cargo fmt --version >/dev/null 2>&1; then
    die "rustfmt is not installed. Run: rustup component add rustfmt"
fi
if ! cargo clippy --version >/dev/null 2>&1; then
    die "clippy is not installed. Run: rustup component add clippy"
fi

section "cargo fmt --check"
cargo fmt --check || die "formatting differs; run 'cargo fmt' and commit the result"

section "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets -- -D warnings

section "cargo test --all-targets"
cargo test --all-targets "$@"

section "all checks passed"
