//! The `migsquash` command line. Parses arguments, runs the pipeline
//! (`migsquash::analyze`), and prints what a reporter rendered.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use migsquash::checks::{self, CheckOptions};
use migsquash::diagnostic::Severity;
use migsquash::discover::DiscoverOptions;
use migsquash::report;
use migsquash::{Analysis, CacheLocation, Options};

// Reading thousands of files on several threads allocates many small,
// short-lived objects; jemalloc is faster at that than the system allocator
// while keeping the resident size low (see docs/benchmarks.md).
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc options: transparent huge pages for the heap, where the kernel
/// allows them on request, turn thousands of page faults into a few.
#[allow(non_upper_case_globals)]
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static malloc_conf: &[u8; 31] = b"thp:always,metadata_thp:always\0";

/// Exit codes: 0 clean, 1 findings, 2 could not run.
const EXIT_FINDINGS: u8 = 1;
const EXIT_FAILURE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "migsquash",
    version,
    about = "Static analysis, CI gate and consolidation for Alembic migration histories",
    long_about = "migsquash reads an Alembic history statically (no database, no import of your \
application), builds the revision graph exactly as Alembic does, and reports what is wrong \
with it and how much a squash would save.\n\n\
PATH may be a versions directory, a project directory (with alembic.ini, a pyproject.toml \
with [tool.alembic], or env.py + versions/), or a config file. It defaults to the current \
directory.",
    after_help = "Examples:\n  \
migsquash analyze                       # report on the project in the current directory\n  \
migsquash check alembic.ini             # CI gate: exit 1 on multiple heads, missing parents, ...\n  \
migsquash graph --format mermaid        # the revision DAG for a README or PR\n  \
migsquash explain MS001                 # what a diagnostic means and how to fix it\n\n\
Exit codes: 0 clean, 1 findings (check), 2 could not run."
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
    /// Versions directory, project directory or config file [default: .]
    #[arg(default_value = ".")]
    path: PathBuf,

    /// Read sub-folders of a bare versions directory (Alembic's
    /// `recursive_version_locations`; a config file's setting is used as is).
    #[arg(long)]
    recursive: bool,

    /// The ini section to read, like `alembic -n NAME`.
    #[arg(long, short = 'n', value_name = "NAME")]
    name: Option<String>,

    /// Parse every file again instead of reusing what the cache knows.
    #[arg(long, env = "MIGSQUASH_NO_CACHE", value_parser = clap::builder::BoolishValueParser::new())]
    no_cache: bool,

    /// Where to keep the cache [default: .migsquash_cache beside the Alembic
    /// config, or in the current directory]
    #[arg(long, env = "MIGSQUASH_CACHE_DIR", value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

#[derive(clap::Args)]
struct HeadOptions {
    /// How many heads are fine. Tips of separately labeled branches never count.
    #[arg(long, value_name = "N", default_value_t = 1)]
    max_heads: usize,

    /// Allow any number of heads.
    #[arg(long, conflicts_with = "max_heads")]
    allow_multiple_heads: bool,
}

#[derive(clap::Args)]
struct OutputFile {
    /// Write to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,

    /// Overwrite FILE if it exists.
    #[arg(long, requires = "out")]
    force: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Report on a history: graph shape, operations per table, churn, raw SQL,
    /// data migrations, what a squash would save, and every diagnostic.
    #[command(after_help = "Examples:\n  migsquash analyze alembic/versions\n  \
migsquash analyze --format markdown --out docs/migrations.md\n  migsquash analyze --format json | jq .heads")]
    Analyze {
        #[command(flatten)]
        input: Input,
        #[arg(long, short = 'f', value_enum, default_value_t = AnalyzeFormat::Text)]
        format: AnalyzeFormat,
        #[command(flatten)]
        heads: HeadOptions,
        #[command(flatten)]
        output: OutputFile,
    },
    /// The pre-merge gate: exit 1 when the history has an error-level problem
    /// (multiple heads, missing parent, duplicate id, cycle, unparsable file, ...).
    #[command(
        after_help = "Examples:\n  migsquash check                     # in the project root\n  \
migsquash check --format github     # annotations on the pull request (default under GitHub Actions)\n  \
migsquash check --max-heads 2       # two heads are intended\n\n\
Exit codes: 0 clean, 1 errors found (or warnings with --deny-warnings), 2 could not run."
    )]
    Check {
        #[command(flatten)]
        input: Input,
        /// Output format [default: github when GITHUB_ACTIONS=true, else text]
        #[arg(long, short = 'f', value_enum)]
        format: Option<CheckFormat>,
        #[command(flatten)]
        heads: HeadOptions,
        /// Exit 1 on warnings too.
        #[arg(long)]
        deny_warnings: bool,
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
    /// Explain a diagnostic code, or list them all.
    Explain {
        /// A code (MS001) or name (multiple-heads); omit to list every check.
        code: Option<String>,
        /// Print every check's documentation as Markdown (docs/checks.md).
        #[arg(long, conflicts_with = "code")]
        all: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum AnalyzeFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    Text,
    Json,
    Github,
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphFormat {
    Dot,
    Mermaid,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let choice = match cli.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
    // The main thread works in the pool instead of waiting for it: one
    // thread (and allocator arena) fewer to start.
    let _ = rayon::ThreadPoolBuilder::new()
        .use_current_thread()
        .build_global();
    match run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let mut stderr = anstream::stderr();
            let _ = writeln!(
                stderr,
                "{}error:{} {err:#}",
                anstyle::AnsiColor::Red.on_default().bold().render(),
                anstyle::Reset.render()
            );
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

fn options(input: &Input, heads: Option<&HeadOptions>, report: bool) -> Options {
    let max_heads = match heads {
        Some(h) if h.allow_multiple_heads => usize::MAX,
        Some(h) => h.max_heads,
        None => 1,
    };
    Options {
        discover: DiscoverOptions {
            recursive: input.recursive,
            section: input.name.clone(),
        },
        checks: CheckOptions { max_heads },
        cache: match (&input.cache_dir, input.no_cache) {
            (_, true) => CacheLocation::Off,
            (Some(dir), false) => CacheLocation::At(dir.clone()),
            (None, false) => CacheLocation::Default,
        },
        report,
    }
}

fn load(input: &Input, heads: Option<&HeadOptions>, report: bool) -> anyhow::Result<Analysis> {
    Ok(migsquash::analyze(
        &input.path,
        &options(input, heads, report),
    )?)
}

/// The analysis lives until the process exits; freeing a large history
/// piece by piece only to exit right after is measurable work.
fn exit_without_drop(analysis: Analysis) -> &'static Analysis {
    Box::leak(Box::new(analysis))
}

fn run(command: Command) -> anyhow::Result<u8> {
    match command {
        Command::Analyze {
            input,
            format,
            heads,
            output,
        } => {
            let analysis = load(&input, Some(&heads), true)?;
            let analysis = exit_without_drop(analysis);
            match format {
                AnalyzeFormat::Text => emit(
                    &output,
                    text(&report::text::analyze(analysis, color(&output))),
                )?,
                AnalyzeFormat::Json => emit(&output, |w| report::json::analyze(analysis, w))?,
                AnalyzeFormat::Markdown => {
                    emit(&output, text(&report::markdown::analyze(analysis)))?
                }
            }
            Ok(0)
        }
        Command::Check {
            input,
            format,
            heads,
            deny_warnings,
        } => {
            let analysis = exit_without_drop(load(&input, Some(&heads), false)?);
            let format = format.unwrap_or(
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
            }
            let threshold = if deny_warnings {
                Severity::Warning
            } else {
                Severity::Error
            };
            let failed = analysis.diagnostics.iter().any(|d| d.severity >= threshold);
            Ok(if failed { EXIT_FINDINGS } else { 0 })
        }
        Command::Graph {
            input,
            format,
            output,
        } => {
            let analysis = exit_without_drop(load(&input, None, false)?);
            let rendered = match format {
                GraphFormat::Dot => report::graph::dot(analysis),
                GraphFormat::Mermaid => report::graph::mermaid(analysis),
            };
            emit(&output, text(&rendered))?;
            Ok(0)
        }
        Command::Explain { code, all } => explain(code.as_deref(), all),
    }
}

fn explain(code: Option<&str>, all: bool) -> anyhow::Result<u8> {
    if all {
        print(&checks::docs_markdown())?;
        return Ok(0);
    }
    match code {
        None => {
            let mut out = String::new();
            for check in checks::ALL {
                let meta = check.meta();
                out.push_str(&format!(
                    "{}  {:<24} {:<8} {}\n",
                    meta.code,
                    meta.name,
                    meta.severity.as_str(),
                    meta.summary()
                ));
            }
            print(&out)?;
            Ok(0)
        }
        Some(code) => match checks::find(code) {
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
            write_atomically(path, output.force, |file| {
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

/// Writes through a temporary file in the same directory and renames it
/// into place, so a reader never sees half a file; refuses to replace an
/// existing file unless `force`.
fn write_atomically(
    path: &Path,
    force: bool,
    write: impl FnOnce(std::fs::File) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    if path.exists() && !force {
        anyhow::bail!(
            "{} already exists; pass --force to overwrite it",
            path.display()
        );
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let temp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    write(temp.as_file().try_clone()?)?;
    temp.as_file().sync_all()?;
    temp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
