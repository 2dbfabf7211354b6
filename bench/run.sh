#!/usr/bin/env bash
# Build the release binary, make sure the test venv (with alembic) exists, and
# regenerate docs/benchmarks.md.  Extra arguments are passed on to run.py,
# e.g. `bench/run.sh --runs 10` or `bench/run.sh --sizes 400,1000`.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

echo "==> cargo build --release" >&2
cargo build --release

setup="scripts/setup-test-env.sh"
if [[ ! -f "$setup" ]]; then
    echo "error: $setup not found; it is needed to create .testenv/venv with alembic installed." >&2
    echo "       Create that venv yourself and run:" >&2
    echo "       python3 bench/run.py --migsquash target/release/migsquash --python .testenv/venv/bin/python" >&2
    exit 1
fi
echo "==> $setup" >&2
bash "$setup"

python=".testenv/venv/bin/python"
if [[ ! -x "$python" ]]; then
    echo "error: $setup did not create $python" >&2
    exit 1
fi

echo "==> bench/run.py" >&2
exec python3 bench/run.py \
    --migsquash target/release/migsquash \
    --python "$python" \
    --out docs/benchmarks.md \
    "$@"
