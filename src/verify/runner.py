"""``migsquash verify``: build a history and its baseline on PostgreSQL and dump both schemas.

The migsquash binary embeds this file and ``pg.py``, writes them to a temporary
folder and runs ``python runner.py SPEC.json``.  It can also be run by hand.

It runs Alembic in-process, WITHOUT the project's ``env.py``: it writes its own script
directory (a minimal online-only ``env.py`` and ``script.py.mako``) whose
``version_locations`` are the folders given in the spec, with ``target_metadata`` a ``MetaData`` carrying the spec's
``naming_convention`` (``None`` without one)
and ``transaction_per_migration=True``.  The generated ``env.py`` imports
``alembic_postgresql_enum`` and ``alembic_utils.replaceable_entity`` when they are
installed, so that ``op.sync_enum_values``, ``op.create_entity``,
``op.replace_entity``... exist.

Spec (a JSON object)::

    {
      "project_root": "/abs/project",   # put first on sys.path (``from myapp.db import X``)
      "database_url": null,             # null: start a throwaway PostgreSQL (pg.py);
                                        # else a SQLAlchemy/libpq URL of a server where the
                                        # two scratch databases are created (and dropped)
      "progress": false,                # true: progress events on stderr (below)
      "history":  {"version_locations": ["/abs/versions", ...], "recursive": false},
      "baseline": {"version_locations": ["/abs/baseline_versions"], "recursive": false},
      "naming_convention": null,        # or {"pk": "pk_%(table_name)s", ...}: the
                                        # project's, which names what operations leave
                                        # unnamed
      "deployed_at": null               # or a revision the baseline keeps (an --up-to
                                        # baseline's id): a third database is upgraded
                                        # to it with the history's files, then to the
                                        # heads with the baseline's, and dumped
    }

For each of the two runs a fresh database is created
(``migsquash_verify_<pid>_<random>_history`` / ``..._baseline``), ``upgrade heads`` is
run and timed, and the schema is dumped (see ``dump_schema``).  The baseline is then
downgraded to ``base`` and dumped again; what is left, compared with the empty
database it started from, is ``downgrade_leftover`` (``alembic_version`` is never
listed).

Output: ONE JSON object on stdout at the end (anything the migrations print goes to
stderr)::

    {"ok": true,
     "server": {"kind": "embedded" | "local" | "url", "version": "18.6",
                "start_seconds": 0.9},
     "history":  {"schema": ["table public.users", ...], "seconds": 1.2, "steps": 52},
     "baseline": {"schema": [...], "seconds": 0.1, "steps": 1,
                  "downgrade_seconds": 0.05, "downgrade_steps": 1},
     "downgrade_leftover": [],
     "deployed": {"schema": [...], "seconds": 0.1, "steps": 21}}   # with deployed_at

or ``{"ok": false, "error": {"kind": KIND, "message": "...", ...}}`` where KIND is

* ``python_import``: ``module`` (the missing module), ``file`` (the revision file
  importing it, or null), ``revision`` (its id, or null), ``run``, ``traceback``;
* ``connection``: ``url`` (password hidden), the database URL that failed;
* ``alembic``: ``run`` ("history" / "baseline"), ``phase`` ("upgrade" / "downgrade"),
  ``revision`` and ``file`` (the revision being applied, or null), ``traceback`` (its
  last lines), ``server_log`` (PostgreSQL log lines about a crash, or "");
* ``server``: the throwaway PostgreSQL could not start (``log``: its last log lines);
* ``interrupted``: Ctrl-C / SIGTERM / SIGHUP (``signal``);
* ``internal``: anything else (``traceback``).

Exit status: 0 ok, 1 error, 130 / 128+N interrupted, 2 bad usage.

Progress events (only with ``"progress": true``): JSON objects, one a line, on stderr;
other stderr lines are ordinary output::

    {"event": "server_starting"}
    {"event": "server_ready", "kind": "embedded", "seconds": 0.9}
    {"event": "run", "run": "history", "phase": "upgrade", "total": 52}
    {"event": "step", "run": "history", "phase": "upgrade", "step": 3, "total": 52,
     "revision": "653a8cc6695e"}
    {"event": "dump", "run": "history", "phase": "upgrade"}

Cleanup: the scratch databases are dropped (``WITH (FORCE)``) on a given server, or
the throwaway server is stopped and its directory deleted, also on failure, Ctrl-C,
SIGTERM and SIGHUP.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import textwrap
import time
import traceback
from pathlib import Path
from typing import Any, Callable

sys.dont_write_bytecode = True  # nothing written next to the user's revision files

_HERE = os.path.dirname(os.path.realpath(__file__))


def _load_pg() -> Any:
    """Import pg.py from beside this file under a private name.

    A project module called ``pg`` (the project root goes first on sys.path) must
    neither shadow it nor be shadowed by it.
    """
    spec = importlib.util.spec_from_file_location("_migsquash_pg", os.path.join(_HERE, "pg.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


pg = _load_pg()
# Our own folder must not be importable by the migrations.
sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != _HERE]

TRACEBACK_TAIL = 30
_OWN_FILES = (os.path.realpath(__file__), os.path.join(_HERE, "pg.py"))
# Folders of generated code (the script directory), left out of tracebacks.
_GENERATED: tuple[str, ...] = ()
# The spec's naming convention (set by ``verify``); empty: SQLAlchemy's default.
NAMING_CONVENTION: dict[str, str] = {}
PG_IDENTIFIER_MAX = 63

ENV_PY = '''\
"""Minimal online-only env.py written by migsquash verify (the project's env.py is not used)."""
from alembic import context
from sqlalchemy import create_engine, pool

# Plugins that register operations (op.sync_enum_values, op.create_entity,
# op.replace_entity, ...) when they are installed.
try:
    import alembic_postgresql_enum  # noqa: F401
except ImportError:
    pass
try:
    import alembic_utils  # noqa: F401
    import alembic_utils.replaceable_entity  # noqa: F401
except ImportError:
    pass

config = context.config
hooks = config.attributes.get("migsquash_hooks")


def run_migrations_online() -> None:
    callbacks = []
    if hooks is not None:
        hooks.begin(context.script)
        callbacks.append(hooks.on_version_apply)
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=config.attributes.get("migsquash_metadata"),
                transaction_per_migration=True,
                on_version_apply=callbacks,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("migsquash verify runs Alembic online only")
run_migrations_online()
'''

SCRIPT_PY_MAKO = '''\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
'''


# -- errors -----------------------------------------------------------------------------


class Failure(Exception):
    """A failure the caller can act on; ``error`` is the JSON error object."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("message", ""))
        self.error = error


def tail(text: str, lines: int = TRACEBACK_TAIL) -> str:
    return "\n".join(text.rstrip("\n").splitlines()[-lines:])


def exception_message(exc: BaseException) -> str:
    """``Class: message`` without SQLAlchemy's "Background on this error" link."""
    text = str(exc)
    text = re.sub(r"\n?\(Background on this error at: [^)]*\)", "", text).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _library_paths() -> tuple[str, ...]:
    """Where the standard library and installed packages live (not the user's code)."""
    import sysconfig

    paths = set()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        try:
            paths.add(os.path.realpath(sysconfig.get_paths()[key]))
        except KeyError:
            pass
    return tuple(p + os.sep for p in paths)


def traceback_text(exc: BaseException) -> str:
    """The traceback's frames in the user's code (revision files, the project), then the
    exception; the library frames between them are left out.  The whole traceback's
    tail when no frame is the user's.
    """
    libraries = _library_paths()
    frames = []
    for frame in traceback.extract_tb(exc.__traceback__):
        path = os.path.realpath(frame.filename)
        if (frame.filename.startswith("<") or path.startswith(libraries)
                or path in _OWN_FILES or path.startswith(_GENERATED)):
            continue
        frames.append(frame)
    if not frames:
        return tail("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    text = ("Traceback (most recent call last, library frames left out):\n"
            + "".join(traceback.format_list(frames))
            + "".join(traceback.format_exception_only(type(exc), exc)))
    text = re.sub(r"\n?\(Background on this error at: [^)]*\)", "", text)
    return tail(text)


_REVISION_RE = re.compile(r"""^revision\s*(?::[^=\n]*)?=\s*[uU]?['"]([^'"]+)['"]""", re.M)


def revision_of_file(path: str) -> str | None:
    """The ``revision = "..."`` of a file that may not have loaded (for messages)."""
    try:
        text = Path(path).read_text("utf-8", "replace")
    except OSError:
        return None
    match = _REVISION_RE.search(text)
    return match.group(1) if match else None


def blamed_file(exc: BaseException, hooks: "RunHooks") -> str | None:
    """The innermost traceback frame in a revision file (or a version folder)."""
    frames: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    # The chain too: SQLAlchemy re-raises DBAPI errors "from" the original.
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = [f.filename for f in traceback.extract_tb(current.__traceback__)] + frames
        current = current.__context__
    for filename in reversed(frames):
        path = os.path.realpath(filename)
        if path in hooks.paths or any(path.startswith(loc + os.sep) for loc in hooks.locations):
            return path
    return None


# -- progress -----------------------------------------------------------------------------


class Progress:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, event: str, **fields: Any) -> None:
        if self.enabled:
            sys.stderr.write(json.dumps({"event": event, **fields}) + "\n")
            sys.stderr.flush()


class RunHooks:
    """What the generated env.py calls: counts and reports steps, tracks the revision."""

    def __init__(self, run: str, phase: str, locations: list[str], progress: Progress) -> None:
        self.run = run
        self.phase = phase
        self.locations = [os.path.realpath(loc) for loc in locations]
        self.progress = progress
        self.total: int | None = None
        self.done = 0
        self.current: str | None = None  # the revision whose upgrade()/downgrade() runs
        self.paths: dict[str, str] = {}  # real path of a revision file -> revision id

    def begin(self, script: Any) -> None:
        revisions = list(script.walk_revisions())  # loads (imports) every file
        self.total = len(revisions)
        name = "upgrade" if self.phase == "upgrade" else "downgrade"
        for rev in revisions:
            self.paths[os.path.realpath(rev.path)] = rev.revision
            module = rev.module
            original = getattr(module, name, None)
            if callable(original):
                setattr(module, name, self._tracking(original, rev.revision))
        self.progress("run", run=self.run, phase=self.phase, total=self.total)

    def _tracking(self, fn: Callable[..., Any], revision: str) -> Callable[..., Any]:
        def tracked(*args: Any, **kwargs: Any) -> Any:
            self.current = revision
            return fn(*args, **kwargs)

        tracked.__name__ = getattr(fn, "__name__", "upgrade")
        tracked.__doc__ = getattr(fn, "__doc__", None)
        return tracked

    def on_version_apply(self, *, ctx: Any, step: Any, heads: Any, run_args: Any) -> None:
        self.done += 1
        self.current = None
        self.progress("step", run=self.run, phase=self.phase, step=self.done,
                      total=self.total, revision=step.up_revision_id)


# -- databases ----------------------------------------------------------------------------


def pick_driver() -> str:
    for module, driver in (("psycopg", "psycopg"), ("psycopg2", "psycopg2")):
        if importlib.util.find_spec(module) is not None:
            return driver
    exc = ModuleNotFoundError("No module named 'psycopg'", name="psycopg")
    raise Failure({"kind": "python_import", "module": "psycopg", "file": None,
                   "revision": None, "run": None, "message": exception_message(exc),
                   "traceback": ""})


def hide_password(url: str) -> str:
    return re.sub(r"(://[^/@:]*:)[^/@]*@", r"\1***@", url)


class Databases:
    """Creates the scratch databases, on a throwaway server or on a given one."""

    def __init__(self, database_url: str | None, progress: Progress) -> None:
        self.given_url = database_url
        self.progress = progress
        self.server: Any = None
        self.engine: Any = None
        self.created: list[str] = []
        self.base_url: Any = None  # sqlalchemy URL of the maintenance database
        self.info: dict[str, Any] = {}
        self.prefix = f"migsquash_verify_{os.getpid()}_{secrets.token_hex(3)}"

    def open(self) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url
        from sqlalchemy.pool import NullPool

        driver = pick_driver()
        if self.given_url is None:
            # A throwaway server: the environment must not redirect libpq elsewhere.
            for key in [k for k in os.environ if k.startswith("PG")]:
                del os.environ[key]
            self.progress("server_starting")
            started = time.perf_counter()
            try:
                self.server = pg.new_server()
                self.server.start()
            except BaseException as exc:
                log = ""
                if self.server is not None:
                    log = self.server.log_tail()
                    self.server.close()
                    self.server = None
                if not isinstance(exc, Exception):
                    raise
                message = (str(exc) if isinstance(exc, pg.ServerUnavailable)
                           else exception_message(exc))
                raise Failure({"kind": "server", "message": message, "log": log}) from exc
            seconds = time.perf_counter() - started
            self.info = {"kind": self.server.kind, "start_seconds": round(seconds, 3)}
            self.base_url = make_url(self.server.sqlalchemy_url("postgres", driver))
            self.progress("server_ready", kind=self.server.kind, seconds=round(seconds, 3))
        else:
            text = self.given_url
            if text.startswith("postgres://"):
                text = "postgresql://" + text[len("postgres://"):]
            try:
                url = make_url(text)
            except Exception as exc:  # noqa: BLE001 - ArgumentError
                raise Failure({"kind": "connection", "url": hide_password(self.given_url),
                               "message": f"not a database URL: {exc}"}) from exc
            if url.get_backend_name() != "postgresql":
                raise Failure({"kind": "connection", "url": hide_password(self.given_url),
                               "message": f"verify needs PostgreSQL, not "
                                          f"{url.get_backend_name()}"})
            if "+" not in url.drivername or url.get_driver_name() in ("asyncpg", "psycopg_async"):
                url = url.set(drivername=f"postgresql+{driver}")
            if not url.database:
                url = url.set(database="postgres")
            self.base_url = url
            self.info = {"kind": "url", "start_seconds": 0.0}
        try:
            self.engine = create_engine(self.base_url, poolclass=NullPool,
                                        isolation_level="AUTOCOMMIT")
            with self.engine.connect() as conn:
                version = conn.exec_driver_sql("SHOW server_version").scalar()
        except ImportError as exc:  # the URL names a driver that is not installed
            raise Failure({"kind": "python_import", "module": exc.name or str(exc),
                           "file": None, "revision": None, "run": None,
                           "message": exception_message(exc),
                           "traceback": traceback_text(exc)}) from exc
        except Exception as exc:  # noqa: BLE001
            raise Failure({"kind": "connection", "url": self.display_url(),
                           "message": exception_message(getattr(exc, "orig", None) or exc)}) from exc
        self.info["version"] = str(version).split(" ")[0]
        if self.server is not None:
            self._tune_throwaway()

    def _tune_throwaway(self) -> None:
        """The data is thrown away: no need to wait for the disk."""
        with self.engine.connect() as conn:
            for setting in ("fsync", "full_page_writes", "synchronous_commit"):
                conn.exec_driver_sql(f"ALTER SYSTEM SET {setting} = off")
            conn.exec_driver_sql("SELECT pg_reload_conf()")

    def display_url(self) -> str:
        if self.given_url is not None:
            return hide_password(self.given_url)
        return self.base_url.render_as_string(hide_password=True)

    def create(self, suffix: str) -> str:
        """A new empty database; returns its SQLAlchemy URL (password included)."""
        name = f"{self.prefix}_{suffix}"[:PG_IDENTIFIER_MAX]
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        except Exception as exc:  # noqa: BLE001
            raise Failure({"kind": "connection", "url": self.display_url(),
                           "message": f"could not create the scratch database {name}: "
                                      + exception_message(getattr(exc, "orig", None) or exc)}
                          ) from exc
        self.created.append(name)
        return self.base_url.set(database=name).render_as_string(hide_password=False)

    def server_log_size(self) -> int:
        return self.server.log_size() if self.server is not None else 0

    def server_log_problems(self, since: int) -> str:
        """Server-log lines about a crash since ``since`` ("" when nothing crashed)."""
        if self.server is None:
            return ""
        text = self.server.log_problems(since)
        if re.search(r"\b(PANIC|FATAL|terminated by signal|was terminated)\b", text):
            return text
        return ""

    def close(self) -> None:
        with pg.signals_ignored():
            if self.server is not None:
                # The whole server goes: no need to drop the databases one by one.
                if self.engine is not None:
                    self.engine.dispose()
                self.server.close()
                return
            if self.engine is None:
                return
            for name in self.created:
                try:
                    with self.engine.connect() as conn:
                        try:
                            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                        except Exception:  # noqa: BLE001 - PostgreSQL < 13
                            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
                except Exception as exc:  # noqa: BLE001
                    sys.stderr.write(f"migsquash verify: could not drop database {name}: "
                                     f"{exception_message(exc)}\n")
            self.engine.dispose()


# -- schema dump --------------------------------------------------------------------------

# Schemas that are not the user's; pg_toast*, pg_temp_* start with "pg_" too.
USER_SCHEMA = "({n}.nspname <> 'information_schema' AND {n}.nspname !~ '^pg_')"


def not_extension_member(catalog: str, oid: str) -> str:
    return (f"NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep "
            f"WHERE dep.classid = '{catalog}'::regclass AND dep.objid = {oid} "
            f"AND dep.deptype = 'e')")


def lit(value: str | None) -> str:
    """A string as an SQL literal, for comments."""
    if value is None:
        return "null"
    return "'" + value.replace("'", "''") + "'"


def acl_lines(acl: list[str] | None, indent: str = "  ") -> list[str]:
    return [f"{indent}grant {item}" for item in sorted(acl or [])]


def comment_lines(comment: str | None, indent: str = "  ") -> list[str]:
    return [] if comment is None else [f"{indent}comment {lit(comment)}"]


def body_lines(text: str, indent: str = "  | ") -> list[str]:
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return [f"{indent}{line}" if line else indent.rstrip() for line in lines]


def normalise_function_source(source: str) -> str:
    """Trailing spaces, leading/trailing blank lines and common indentation removed.

    A function body is stored as written; the history and the baseline may quote it
    with different indentation (a Python string in a differently indented block).
    """
    lines = [line.rstrip() for line in source.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n" + textwrap.dedent("\n".join(lines)) + "\n"


RELKINDS = {"r": "table", "p": "partitioned table", "f": "foreign table", "v": "view",
            "m": "materialized view", "c": "type"}
IDENTITY = {"a": "generated always as identity", "d": "generated by default as identity"}
TRIGGER_ENABLED = {"D": "disabled", "R": "enabled replica", "A": "enabled always"}
REPLICA_IDENTITY = {"n": "nothing", "f": "full", "i": "index"}


def query(conn: Any, sql: str) -> list[Any]:
    return list(conn.exec_driver_sql(sql).fetchall())


def dump_schema(url: str) -> list[list[str]]:
    """The schema of the database at ``url`` as blocks of lines, one block per object.

    Every non-system schema (not pg_catalog, information_schema, pg_toast*, pg_temp*);
    objects that belong to an extension are left out (the extension is listed).  The
    ``public.alembic_version`` table is left out.  Names are schema-qualified and
    quoted as PostgreSQL quotes them; expressions are PostgreSQL's own rendering
    (``pg_get_*def``, ``pg_get_expr``, ``format_type``) with search_path = pg_catalog,
    so that every user object is schema-qualified.  Blocks are in a fixed order of
    kinds, then sorted by name; the lines inside a block in a fixed order too.
    """
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SET search_path = pg_catalog, pg_temp")
            version = int(conn.exec_driver_sql("SHOW server_version_num").scalar())
            blocks = _dump(conn, version)
            conn.rollback()
    finally:
        engine.dispose()
    return blocks


def _dump(conn: Any, version: int) -> list[list[str]]:
    blocks: list[list[str]] = []

    # Schemas.
    for name, comment, acl in query(conn, f"""
            SELECT quote_ident(n.nspname), obj_description(n.oid, 'pg_namespace'),
                   n.nspacl::text[]
            FROM pg_namespace n
            WHERE {USER_SCHEMA.format(n='n')}
              AND {not_extension_member('pg_namespace', 'n.oid')}
            ORDER BY 1"""):
        blocks.append([f"schema {name}", *comment_lines(comment), *acl_lines(acl)])

    # Extensions (by name; their version is not compared).
    for name, schema in query(conn, """
            SELECT quote_ident(e.extname), quote_ident(n.nspname)
            FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
            ORDER BY 1"""):
        blocks.append([f"extension {name} (schema {schema})"])

    # Relations, with their columns, constraints, indexes, triggers, rules, policies.
    relations = {}
    for row in query(conn, f"""
            SELECT c.oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relkind,
                   c.relpersistence, c.reloptions::text[], c.relrowsecurity,
                   c.relforcerowsecurity, c.relreplident, c.relispopulated,
                   obj_description(c.oid, 'pg_class'), c.relacl::text[],
                   CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
                   CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid, true) END,
                   CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END,
                   (SELECT array_agg(quote_ident(pn.nspname) || '.' || quote_ident(pc.relname)
                                     ORDER BY i.inhseqno)
                    FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent
                    JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                    WHERE i.inhrelid = c.oid)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'c')
              AND {USER_SCHEMA.format(n='n')}
              AND {not_extension_member('pg_class', 'c.oid')}
              AND {not_extension_member('pg_type', 'c.reltype')}
              AND NOT (n.nspname = 'public' AND c.relname = 'alembic_version')"""):
        relations[row[0]] = {"row": row, "columns": [], "constraints": [], "indexes": [],
                             "triggers": [], "rules": [], "policies": []}
    if relations:
        oids = ",".join(str(oid) for oid in relations)
        for (relid, position, name, type_, notnull, default, identity, generated, collation,
             storage, comment, acl) in query(conn, f"""
                SELECT a.attrelid, row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum),
                       quote_ident(a.attname), format_type(a.atttypid, a.atttypmod),
                       a.attnotnull, pg_get_expr(d.adbin, d.adrelid, true), a.attidentity,
                       a.attgenerated,
                       CASE WHEN a.attcollation <> t.typcollation THEN
                           (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                            FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                            WHERE co.oid = a.attcollation) END,
                       CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage END,
                       col_description(a.attrelid, a.attnum), a.attacl::text[]
                FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE a.attrelid IN ({oids}) AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attrelid, a.attnum"""):
            parts = [f"  column {position} {name} {type_}"]
            if collation:
                parts.append(f"collate {collation}")
            if notnull:
                parts.append("not null")
            if generated in ("s", "v"):
                parts.append(f"generated always as ({default}) "
                             + ("stored" if generated == "s" else "virtual"))
            elif default is not None:
                parts.append(f"default {default}")
            if identity in IDENTITY:
                parts.append(IDENTITY[identity])
            if storage:
                parts.append(f"storage {storage}")
            relations[relid]["columns"].append(" ".join(parts))
            relations[relid]["columns"] += comment_lines(comment, "    ")
            relations[relid]["columns"] += acl_lines(acl, "    ")

        for relid, name, definition, comment in query(conn, f"""
                SELECT c.conrelid, quote_ident(c.conname), pg_get_constraintdef(c.oid, true),
                       obj_description(c.oid, 'pg_constraint')
                FROM pg_constraint c
                WHERE c.conrelid IN ({oids}) AND c.contype <> 'n'"""):
            relations[relid]["constraints"].append(
                (name, [f"  constraint {name}: {definition}", *comment_lines(comment, "    ")]))

        for relid, name, definition, valid, clustered, comment in query(conn, f"""
                SELECT i.indrelid, quote_ident(ic.relname), pg_get_indexdef(i.indexrelid, 0, true),
                       i.indisvalid, i.indisclustered, obj_description(i.indexrelid, 'pg_class')
                FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                WHERE i.indrelid IN ({oids})
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint k
                                  WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid
                                    AND k.contype IN ('p', 'u', 'x'))"""):
            flags = ("" if valid else " (invalid)") + (" (clustered)" if clustered else "")
            relations[relid]["indexes"].append(
                (name, [f"  index {name}: {definition}{flags}", *comment_lines(comment, "    ")]))

        for relid, name, definition, enabled, comment in query(conn, f"""
                SELECT t.tgrelid, quote_ident(t.tgname), pg_get_triggerdef(t.oid, true),
                       t.tgenabled, obj_description(t.oid, 'pg_trigger')
                FROM pg_trigger t
                WHERE t.tgrelid IN ({oids}) AND NOT t.tgisinternal"""):
            state = f" ({TRIGGER_ENABLED[enabled]})" if enabled in TRIGGER_ENABLED else ""
            relations[relid]["triggers"].append(
                (name, [f"  trigger {name}: {definition}{state}", *comment_lines(comment, "    ")]))

        for relid, name, definition in query(conn, f"""
                SELECT r.ev_class, quote_ident(r.rulename), pg_get_ruledef(r.oid, true)
                FROM pg_rewrite r
                WHERE r.ev_class IN ({oids}) AND r.rulename <> '_RETURN'"""):
            relations[relid]["rules"].append((name, [f"  rule {name}: {definition}"]))

        for relid, name, permissive, command, roles, using, check in query(conn, f"""
                SELECT p.polrelid, quote_ident(p.polname), p.polpermissive, p.polcmd,
                       ARRAY(SELECT CASE WHEN r = 0 THEN 'public'
                                         ELSE quote_ident(pg_get_userbyid(r)) END
                             FROM unnest(p.polroles) AS r ORDER BY 1),
                       pg_get_expr(p.polqual, p.polrelid, true),
                       pg_get_expr(p.polwithcheck, p.polrelid, true)
                FROM pg_policy p WHERE p.polrelid IN ({oids})"""):
            commands = {"r": "select", "a": "insert", "w": "update", "d": "delete", "*": "all"}
            text = (f"  policy {name}: {'permissive' if permissive else 'restrictive'} "
                    f"for {commands.get(command, command)} to {', '.join(roles)}")
            if using is not None:
                text += f" using ({using})"
            if check is not None:
                text += f" with check ({check})"
            relations[relid]["policies"].append((name, [text]))

    relation_blocks: dict[str, list[tuple[str, list[str]]]] = {k: [] for k in RELKINDS}
    for rel in relations.values():
        (_oid, name, kind, persistence, options, rls, rls_forced, replident, populated,
         comment, acl, partkey, partbound, viewdef, parents) = rel["row"]
        header = f"{RELKINDS[kind]} {name}"
        if kind == "c":
            header = f"type {name} as composite"
        if persistence == "u":
            header = "unlogged " + header
        lines = [header]
        if partbound is not None and parents:
            lines.append(f"  partition of {parents[0]} {partbound}")
        elif parents:
            lines.append(f"  inherits {', '.join(parents)}")
        if partkey is not None:
            lines.append(f"  partition by {partkey}")
        if options:
            lines.append(f"  with ({', '.join(sorted(options))})")
        lines += rel["columns"]
        for _name, item in sorted(rel["constraints"]):
            lines += item
        for _name, item in sorted(rel["indexes"]):
            lines += item
        for _name, item in sorted(rel["triggers"]):
            lines += item
        for _name, item in sorted(rel["rules"]):
            lines += item
        for _name, item in sorted(rel["policies"]):
            lines += item
        if rls:
            lines.append("  row level security" + (" forced" if rls_forced else ""))
        elif rls_forced:
            lines.append("  row level security forced (not enabled)")
        if kind in ("r", "p", "m") and replident in REPLICA_IDENTITY:
            lines.append(f"  replica identity {REPLICA_IDENTITY[replident]}")
        if kind == "m" and not populated:
            lines.append("  not populated")
        if viewdef is not None:
            lines.append("  definition:")
            lines += body_lines(viewdef)
        lines += comment_lines(comment)
        lines += acl_lines(acl)
        relation_blocks[kind].append((name, lines))

    # Types: enums, domains, ranges, base types (composite types are relations above).
    types = []
    for (oid, name, typtype, labels, base, notnull, default, collation, subtype, comment,
         acl) in query(conn, f"""
            SELECT t.oid, quote_ident(n.nspname) || '.' || quote_ident(t.typname), t.typtype,
                   ARRAY(SELECT quote_literal(e.enumlabel) FROM pg_enum e
                         WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder),
                   CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END,
                   t.typnotnull, t.typdefault,
                   CASE WHEN t.typtype = 'd' AND t.typcollation <> 0 AND t.typcollation <>
                            (SELECT b.typcollation FROM pg_type b WHERE b.oid = t.typbasetype)
                        THEN (SELECT quote_ident(co.collname) FROM pg_collation co
                              WHERE co.oid = t.typcollation) END,
                   (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r
                    WHERE r.rngtypid = t.oid),
                   obj_description(t.oid, 'pg_type'), t.typacl::text[]
            FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE t.typtype IN ('e', 'd', 'r', 'b')
              AND {USER_SCHEMA.format(n='n')}
              AND {not_extension_member('pg_type', 't.oid')}
              AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)"""):
        if typtype == "e":
            lines = [f"type {name} as enum ({', '.join(labels)})"]
        elif typtype == "d":
            text = f"domain {name} as {base}"
            if collation:
                text += f" collate {collation}"
            if notnull:
                text += " not null"
            if default is not None:
                text += f" default {default}"
            lines = [text]
            for cname, cdef in query(conn, f"""
                    SELECT quote_ident(c.conname), pg_get_constraintdef(c.oid, true)
                    FROM pg_constraint c WHERE c.contypid = {oid} AND c.contype <> 'n'
                    ORDER BY 1"""):
                lines.append(f"  constraint {cname}: {cdef}")
        elif typtype == "r":
            lines = [f"type {name} as range (subtype {subtype})"]
        else:
            lines = [f"type {name} (base type)"]
        lines += comment_lines(comment)
        lines += acl_lines(acl)
        types.append((name, lines))

    # Sequences (those behind serial and identity columns too).
    sequences = []
    for (name, type_, start, increment, minimum, maximum, cache, cycle, owner, persistence,
         comment, acl) in query(conn, f"""
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname),
                   format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin,
                   s.seqmax, s.seqcache, s.seqcycle,
                   (SELECT quote_ident(rn.nspname) || '.' || quote_ident(rc.relname) || '.'
                           || quote_ident(ra.attname)
                           || CASE WHEN d.deptype = 'i' THEN ' (identity)' ELSE '' END
                    FROM pg_depend d JOIN pg_class rc ON rc.oid = d.refobjid
                    JOIN pg_namespace rn ON rn.oid = rc.relnamespace
                    JOIN pg_attribute ra ON ra.attrelid = d.refobjid AND ra.attnum = d.refobjsubid
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0
                      AND d.deptype IN ('a', 'i')
                    LIMIT 1),
                   c.relpersistence, obj_description(c.oid, 'pg_class'), c.relacl::text[]
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_sequence s ON s.seqrelid = c.oid
            WHERE c.relkind = 'S' AND {USER_SCHEMA.format(n='n')}
              AND {not_extension_member('pg_class', 'c.oid')}"""):
        text = (f"sequence {name} as {type_} start {start} increment {increment} "
                f"minvalue {minimum} maxvalue {maximum} cache {cache} "
                f"{'cycle' if cycle else 'no cycle'}")
        if owner:
            text += f" owned by {owner}"
        if persistence == "u":
            text = "unlogged " + text
        sequences.append((name, [text, *comment_lines(comment), *acl_lines(acl)]))

    # Functions, procedures, aggregates.
    sqlbody = "p.prosqlbody IS NOT NULL" if version >= 140000 else "false"
    functions = []
    for (name, args, kind, definition, source, has_sqlbody, comment, acl) in query(conn, f"""
            SELECT quote_ident(n.nspname) || '.' || quote_ident(p.proname),
                   pg_get_function_identity_arguments(p.oid), p.prokind,
                   CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END,
                   p.prosrc, {sqlbody},
                   obj_description(p.oid, 'pg_proc'), p.proacl::text[]
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE {USER_SCHEMA.format(n='n')}
              AND {not_extension_member('pg_proc', 'p.oid')}"""):
        label = {"p": "procedure", "a": "aggregate", "w": "window function"}.get(kind, "function")
        lines = [f"{label} {name}({args})"]
        if definition is not None:
            if source and not has_sqlbody and source in definition:
                at = definition.rfind(source)
                definition = (definition[:at] + normalise_function_source(source)
                              + definition[at + len(source):])
            lines += body_lines(definition)
        lines += comment_lines(comment)
        lines += acl_lines(acl)
        functions.append((f"{name}({args})", lines))

    # Event triggers (database-wide).
    event_triggers = []
    for name, event, function, enabled, tags in query(conn, f"""
            SELECT quote_ident(e.evtname), e.evtevent, e.evtfoid::regprocedure::text,
                   e.evtenabled, e.evttags
            FROM pg_event_trigger e
            WHERE {not_extension_member('pg_event_trigger', 'e.oid')}"""):
        text = f"event trigger {name} on {event} execute {function}"
        if tags:
            text += f" when tag in ({', '.join(sorted(tags))})"
        if enabled in TRIGGER_ENABLED:
            text += f" ({TRIGGER_ENABLED[enabled]})"
        event_triggers.append((name, [text]))

    # Less common objects, by name.
    others = []
    for kind, name in query(conn, f"""
            SELECT 'operator', quote_ident(n.nspname) || '.' || o.oprname || '('
                   || coalesce(format_type(o.oprleft, NULL), 'none') || ', '
                   || coalesce(format_type(o.oprright, NULL), 'none') || ')'
            FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace
            WHERE {USER_SCHEMA.format(n='n')} AND {not_extension_member('pg_operator', 'o.oid')}
            UNION ALL
            SELECT 'collation', quote_ident(n.nspname) || '.' || quote_ident(c.collname)
                   || ' provider ' || c.collprovider::text
                   || CASE WHEN c.collisdeterministic THEN '' ELSE ' nondeterministic' END
            FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace
            WHERE {USER_SCHEMA.format(n='n')} AND {not_extension_member('pg_collation', 'c.oid')}
            UNION ALL
            SELECT 'statistics', pg_get_statisticsobjdef(s.oid)
            FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
            WHERE {USER_SCHEMA.format(n='n')}
            UNION ALL
            SELECT 'text search configuration',
                   quote_ident(n.nspname) || '.' || quote_ident(c.cfgname)
            FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace
            WHERE {USER_SCHEMA.format(n='n')} AND {not_extension_member('pg_ts_config', 'c.oid')}
            UNION ALL
            SELECT 'text search dictionary',
                   quote_ident(n.nspname) || '.' || quote_ident(d.dictname)
            FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace
            WHERE {USER_SCHEMA.format(n='n')} AND {not_extension_member('pg_ts_dict', 'd.oid')}
            UNION ALL
            SELECT 'operator class', quote_ident(n.nspname) || '.' || quote_ident(c.opcname)
            FROM pg_opclass c JOIN pg_namespace n ON n.oid = c.opcnamespace
            WHERE {USER_SCHEMA.format(n='n')} AND {not_extension_member('pg_opclass', 'c.oid')}
            UNION ALL
            SELECT 'operator family', quote_ident(n.nspname) || '.' || quote_ident(f.opfname)
            FROM pg_opfamily f JOIN pg_namespace n ON n.oid = f.opfnamespace
            WHERE {USER_SCHEMA.format(n='n')} AND {not_extension_member('pg_opfamily', 'f.oid')}
            """):
        others.append((f"{kind} {name}", [f"{kind} {name}"]))

    # Default privileges (ALTER DEFAULT PRIVILEGES).
    defaults = []
    for role, schema, objtype, acl in query(conn, """
            SELECT quote_ident(pg_get_userbyid(d.defaclrole)),
                   (SELECT quote_ident(n.nspname) FROM pg_namespace n
                    WHERE n.oid = d.defaclnamespace),
                   d.defaclobjtype, d.defaclacl::text[]
            FROM pg_default_acl d"""):
        objects = {"r": "tables", "S": "sequences", "f": "functions", "T": "types",
                   "n": "schemas", "L": "large objects"}.get(objtype, objtype)
        where = f" in schema {schema}" if schema else ""
        header = f"default privileges for role {role}{where} on {objects}"
        defaults.append((header, [header, *acl_lines(acl)]))

    for group in (types, sequences, relation_blocks["c"], relation_blocks["r"],
                  relation_blocks["p"], relation_blocks["f"], relation_blocks["v"],
                  relation_blocks["m"], functions, event_triggers, others, defaults):
        blocks += [lines for _key, lines in sorted(group, key=lambda item: item[0])]
    return blocks


def flatten(blocks: list[list[str]]) -> list[str]:
    return [line for block in blocks for line in block]


# -- the runs -----------------------------------------------------------------------------


def write_script_directory(root: Path) -> Path:
    global _GENERATED
    script_dir = root / "alembic"
    _GENERATED = (os.path.realpath(script_dir) + os.sep,)
    script_dir.mkdir(parents=True)
    (script_dir / "env.py").write_text(ENV_PY, "utf-8")
    (script_dir / "script.py.mako").write_text(SCRIPT_PY_MAKO, "utf-8")
    return script_dir


def make_config(script_dir: Path, run: dict[str, Any], url: str, hooks: RunHooks) -> Any:
    from alembic.config import Config

    def escape(value: str) -> str:  # configparser interpolation
        return value.replace("%", "%%")

    for location in run["version_locations"]:
        if "\n" in location:
            raise Failure({"kind": "internal", "message": f"a version location holds a "
                                                          f"newline: {location!r}",
                           "traceback": ""})
    cfg = Config(stdout=sys.stderr)
    cfg.set_main_option("script_location", escape(str(script_dir)))
    cfg.set_main_option("path_separator", "newline")
    cfg.set_main_option("version_locations",
                        escape("\n".join(str(loc) for loc in run["version_locations"])))
    cfg.set_main_option("recursive_version_locations", "true" if run["recursive"] else "false")
    cfg.set_main_option("sqlalchemy.url", escape(url))
    cfg.attributes["migsquash_hooks"] = hooks
    if NAMING_CONVENTION:
        from sqlalchemy import MetaData

        # The project's convention names what its operations leave unnamed.
        cfg.attributes["migsquash_metadata"] = MetaData(naming_convention=NAMING_CONVENTION)
    return cfg


def alembic_command(name: str, script_dir: Path, run_name: str, run: dict[str, Any],
                    url: str, databases: Databases, progress: Progress,
                    target: str | None = None) -> tuple[float, int]:
    """``alembic upgrade heads`` / ``downgrade base`` (or to ``target``); returns
    (seconds, steps)."""
    from alembic import command

    phase = "upgrade" if name == "upgrade" else "downgrade"
    hooks = RunHooks(run_name, phase, run["version_locations"], progress)
    cfg = make_config(script_dir, run, url, hooks)
    log_offset = databases.server_log_size()
    started = time.perf_counter()
    try:
        if phase == "upgrade":
            command.upgrade(cfg, target or "heads")
        else:
            command.downgrade(cfg, target or "base")
    except Exception as exc:  # noqa: BLE001
        raise classify(exc, hooks, databases.server_log_problems(log_offset)) from exc
    return time.perf_counter() - started, hooks.done


def classify(exc: Exception, hooks: RunHooks, server_log: str) -> Failure:
    path = blamed_file(exc, hooks)
    revision = hooks.current
    if revision is None and path is not None:
        revision = hooks.paths.get(path) or revision_of_file(path)
    if isinstance(exc, ImportError) and exc.name:
        return Failure({"kind": "python_import", "module": exc.name, "file": path,
                        "revision": revision, "run": hooks.run,
                        "message": exception_message(exc), "traceback": traceback_text(exc)})
    if hooks.current is not None:
        # The revision whose upgrade()/downgrade() was running: its file is the one.
        path = next((p for p, r in hooks.paths.items() if r == hooks.current), path)
    return Failure({"kind": "alembic", "run": hooks.run, "phase": hooks.phase,
                    "revision": revision, "file": path, "message": exception_message(exc),
                    "traceback": traceback_text(exc), "server_log": server_log})


def verify(spec: dict[str, Any], progress: Progress) -> dict[str, Any]:
    try:
        # Before the project root goes on sys.path: a project folder called
        # `alembic/` (with an __init__.py) must not shadow the real one.
        import alembic  # noqa: F401
        import alembic.command  # noqa: F401
        import alembic.config  # noqa: F401
        import sqlalchemy  # noqa: F401
        import sqlalchemy.engine  # noqa: F401
    except ImportError as exc:
        raise Failure({"kind": "python_import", "module": exc.name or "alembic", "file": None,
                       "revision": None, "run": None, "message": exception_message(exc),
                       "traceback": traceback_text(exc)}) from exc
    NAMING_CONVENTION.clear()
    NAMING_CONVENTION.update(spec.get("naming_convention") or {})
    project_root = spec.get("project_root")
    if project_root:
        sys.path.insert(0, str(project_root))

    workdir = Path(tempfile.mkdtemp(prefix="migsquash-verify-"))
    databases = Databases(spec.get("database_url"), progress)
    try:
        script_dir = write_script_directory(workdir)
        databases.open()
        history_url = databases.create("history")
        baseline_url = databases.create("baseline")

        seconds, steps = alembic_command("upgrade", script_dir, "history", spec["history"],
                                         history_url, databases, progress)
        progress("dump", run="history", phase="upgrade")
        history = {"schema": flatten(dump_schema(history_url)), "seconds": round(seconds, 3),
                   "steps": steps}

        pristine = dump_schema(baseline_url)
        seconds, steps = alembic_command("upgrade", script_dir, "baseline", spec["baseline"],
                                         baseline_url, databases, progress)
        progress("dump", run="baseline", phase="upgrade")
        baseline = {"schema": flatten(dump_schema(baseline_url)), "seconds": round(seconds, 3),
                    "steps": steps}
        seconds, steps = alembic_command("downgrade", script_dir, "baseline", spec["baseline"],
                                         baseline_url, databases, progress)
        baseline["downgrade_seconds"] = round(seconds, 3)
        baseline["downgrade_steps"] = steps
        progress("dump", run="baseline", phase="downgrade")
        known = {tuple(block) for block in pristine}
        leftover = [block for block in dump_schema(baseline_url) if tuple(block) not in known]
        result = {"ok": True, "server": databases.info, "history": history,
                  "baseline": baseline, "downgrade_leftover": flatten(leftover)}
        deployed_at = spec.get("deployed_at")
        if deployed_at:
            # A database deployed at a revision the baseline keeps: upgraded
            # to it with the old files, then to the heads with the new ones.
            deployed_url = databases.create("deployed")
            alembic_command("upgrade", script_dir, "deployed", spec["history"], deployed_url,
                            databases, progress, target=deployed_at)
            seconds, steps = alembic_command("upgrade", script_dir, "deployed",
                                             spec["baseline"], deployed_url, databases,
                                             progress)
            progress("dump", run="deployed", phase="upgrade")
            result["deployed"] = {"schema": flatten(dump_schema(deployed_url)),
                                  "seconds": round(seconds, 3), "steps": steps}
        return result
    finally:
        databases.close()
        shutil.rmtree(workdir, ignore_errors=True)


def load_spec(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        spec = json.load(fh)
    for run in ("history", "baseline"):
        value = spec.get(run)
        if not isinstance(value, dict) or not isinstance(value.get("version_locations"), list):
            raise ValueError(f"spec: {run}.version_locations must be a list of folders")
        value["version_locations"] = [os.path.abspath(p) for p in value["version_locations"]]
        value["recursive"] = bool(value.get("recursive", False))
    return spec


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: runner.py SPEC.json", file=sys.stderr)
        return 2
    # The JSON result is the only thing on stdout: whatever migrations print (Python or
    # C level) goes to stderr.
    sys.stdout.flush()
    result_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    pg.exit_on_termination_signals()  # SIGTERM/SIGHUP unwind, so cleanup runs

    try:
        spec = load_spec(argv[1])
    except (OSError, ValueError) as exc:
        print(f"runner.py: cannot read the spec: {exc}", file=sys.stderr)
        return 2
    progress = Progress(bool(spec.get("progress")))
    status = 0
    try:
        result = verify(spec, progress)
    except Failure as failure:
        result, status = {"ok": False, "error": failure.error}, 1
    except KeyboardInterrupt:
        result, status = {"ok": False, "error": {"kind": "interrupted", "signal": "SIGINT",
                                                 "message": "interrupted"}}, 130
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
        result = {"ok": False, "error": {"kind": "interrupted", "signal": code - 128,
                                         "message": "terminated by a signal"}}
        status = code
    except Exception as exc:  # noqa: BLE001
        result = {"ok": False, "error": {"kind": "internal", "message": exception_message(exc),
                                         "traceback": traceback_text(exc)}}
        status = 1
    data = (json.dumps(result) + "\n").encode("utf-8")
    with pg.signals_ignored():
        try:
            view = memoryview(data)
            while view:
                written = os.write(result_fd, view)
                view = view[written:]
        except OSError:
            pass  # nobody is reading any more
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
