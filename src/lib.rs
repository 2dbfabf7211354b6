//! migsquash reads an Alembic history statically: no database, no import of
//! the application. The whole pipeline is [`analyze`]:
//!
//! discover → read + parse + extract (parallel) → graph → analysis → checks
//!
//! and the reporters (`report`) turn its result into text, JSON, Markdown,
//! GitHub annotations, DOT or Mermaid. See docs/ARCHITECTURE.md.

pub mod analysis;
pub mod cache;
pub mod checks;
pub mod config;
pub mod consolidate;
pub mod diagnostic;
pub mod discover;
pub mod extract;
pub mod fsio;
pub mod graph;
pub mod ir;
pub mod naming;
pub mod python;
pub mod rebase;
pub mod render;
pub mod replay;
pub mod report;
pub mod sql;
pub mod suppress;
pub mod verify;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::analysis::{HistoryReport, Summary};
use crate::checks::{CheckOptions, Context};
use crate::diagnostic::Diagnostic;
use crate::discover::{DiscoverError, DiscoverOptions, Layout};
use crate::graph::RevisionGraph;
use crate::ir::RevisionFile;

/// The stack every thread that parses or walks syntax trees needs. Their
/// recursion is bounded by `python::MAX_DEPTH`; this holds the deepest walk
/// at that depth with a wide margin, in debug builds too. The CLI gives it
/// to all its threads (rayon's default is 2 MiB), so that an input passes
/// or fails the same way whichever thread reads it.
pub const STACK_SIZE: usize = 64 << 20;

#[derive(Debug, Clone)]
pub struct Options {
    pub discover: DiscoverOptions,
    pub checks: CheckOptions,
    pub cache: CacheLocation,
    /// Compute the history report and summary (tables, churn, SQL, data
    /// migrations). `check` and `graph` do not show them and skip them,
    /// and so never decode a cached operation.
    pub report: bool,
    /// Prepare every file for replay (`consolidate`) while its syntax tree
    /// is alive: one parse serves extraction and replay.
    pub replay: bool,
    /// The dialect of `op.execute` SQL; `None`: the config's
    /// `sqlalchemy.url` decides, else PostgreSQL.
    pub dialect: Option<sql::Dialect>,
    /// Which findings are shown, and at which level (the configuration
    /// file's `select`, `ignore`, `per-file-ignores`, `severity`).
    pub rules: config::rules::Rules,
    /// The naming convention stated in the configuration; `None`: read
    /// from env.py.
    pub naming: Option<naming::NamingConvention>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            discover: DiscoverOptions::default(),
            checks: CheckOptions::default(),
            cache: CacheLocation::default(),
            report: true,
            replay: false,
            dialect: None,
            rules: config::rules::Rules::default(),
            naming: None,
        }
    }
}

/// Where the extraction cache lives.
#[derive(Debug, Clone, Default)]
pub enum CacheLocation {
    /// `.migsquash_cache` beside the Alembic config, or in the working
    /// directory when there is none.
    #[default]
    Default,
    At(PathBuf),
    Off,
}

impl CacheLocation {
    fn resolve(&self, layout: &Layout) -> Option<PathBuf> {
        match self {
            CacheLocation::Off => None,
            CacheLocation::At(dir) => Some(dir.clone()),
            CacheLocation::Default => {
                let root = layout
                    .config
                    .as_deref()
                    .and_then(Path::parent)
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                Some(root.join(".migsquash_cache"))
            }
        }
    }
}

/// Every finding migsquash reports, in code order: the checks', then
/// those of `consolidate` (MS2xx) and `rebase` (MS3xx).
pub fn all_findings() -> impl Iterator<Item = &'static checks::CheckMeta> {
    checks::ALL
        .iter()
        .map(|c| c.meta())
        .chain(consolidate::FINDINGS)
        .chain(rebase::FINDINGS)
}

/// Everything known about one history.
#[derive(Debug)]
pub struct Analysis {
    /// The PATH the user gave.
    pub input: PathBuf,
    pub layout: Layout,
    /// The dialect raw SQL was read in.
    pub dialect: sql::Dialect,
    /// The naming convention constraints and indexes are named by (read
    /// only for a report or a replay: else the default).
    pub naming: naming::NamingConvention,
    /// Every revision file, in Alembic's load order.
    pub files: Vec<RevisionFile>,
    pub graph: RevisionGraph,
    pub report: HistoryReport,
    /// Sorted: errors first, then by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// Findings that `# migsquash: ignore[…]` comments hide, and those the
    /// configuration does not select or ignores (not shown; at their own
    /// level).
    pub suppressed: Vec<Diagnostic>,
    /// What the configuration makes of findings; `consolidate` applies it
    /// to its own.
    pub rules: config::rules::Rules,
    pub summary: Summary,
    /// With `Options::replay`: every file ready for replay, indexed like
    /// `files` (`None` for a file that does not parse); else empty.
    pub prepared: Vec<Option<replay::PreparedFile>>,
}

/// Why a history could not be analysed at all (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Discover(#[from] DiscoverError),
    #[error("no revision files found in {}{hint}", .locations.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    NoRevisions {
        locations: Vec<PathBuf>,
        /// Where revision files are, if they are near: `; ...` or empty.
        hint: String,
    },
    #[error("version location {} does not exist{hint}", .location.display())]
    MissingLocation { location: PathBuf, hint: String },
}

pub fn analyze(path: &Path, options: &Options) -> Result<Analysis, RunError> {
    analyze_paths(std::slice::from_ref(&path.to_path_buf()), options)
}

/// `analyze` for the configuration file's `path`: one PATH as `analyze`
/// takes it, or several versions folders read as one history (as
/// Alembic's `version_locations`). The report names the first.
pub fn analyze_paths(paths: &[PathBuf], options: &Options) -> Result<Analysis, RunError> {
    let layout = discover::locate_all(paths, &options.discover)?;
    let path = paths.first().map_or(Path::new("."), PathBuf::as_path);
    // Alembic skips a missing version location; when all are missing the
    // path is wrong.
    if let [first, ..] = layout.version_locations.as_slice()
        && layout.version_locations.iter().all(|l| !l.is_dir())
    {
        return Err(RunError::MissingLocation {
            location: first.clone(),
            hint: nearby_hint(&layout, &[]),
        });
    }
    // Listing the folders and opening the cache are independent.
    let cache_dir = options.cache.resolve(&layout);
    let (candidates, cache) = rayon::join(
        || discover::revision_files(&layout),
        || {
            cache_dir
                .as_deref()
                .map(|dir| cache::Cache::open(dir, &layout.version_locations))
        },
    );
    let discover::Listing { candidates, unread } = candidates?;
    let dialect = options.dialect.or(layout.dialect).unwrap_or_default();
    // Only a replay names constraints (`check` and `graph` skip it).
    let naming = match &options.naming {
        Some(stated) => stated.clone(),
        None if options.report || options.replay => naming::env::read(&layout),
        None => naming::NamingConvention::Default,
    };
    if candidates.is_empty() {
        return Err(RunError::NoRevisions {
            hint: nearby_hint(&layout, &unread),
            locations: layout.version_locations.clone(),
        });
    }
    let Read {
        files,
        mut prepared,
        history,
        report: report_record,
    } = read_all(&candidates, cache, options, dialect, naming.fingerprint());
    // The report of exactly these files, if a run made it before; else
    // it needs every upgrade operation: decoded here, in parallel, not one
    // by one later.
    let known_report = report_record
        .as_ref()
        .filter(|_| options.report)
        .and_then(|record| HistoryReport::decode(&record.load()?));
    if options.report && known_report.is_none() {
        files.par_iter().for_each(|file| {
            file.upgrade_ops();
        });
    }
    let graph = RevisionGraph::build(&files);
    // The report, the checks and the replay only read the files and the
    // graph.
    let ((report, diagnostics), replayed) = rayon::join(
        || {
            rayon::join(
                || match known_report {
                    Some(report) => report,
                    None if options.report => {
                        let report = analysis::report(&files, &graph);
                        if let Some((record, bytes)) = report_record.zip(report.encode()) {
                            record.save(&bytes);
                        }
                        report
                    }
                    None => HistoryReport::default(),
                },
                || {
                    checks::run_all(&Context {
                        files: &files,
                        graph: &graph,
                        options: &options.checks,
                        layout: &layout,
                        unread: &unread,
                    })
                },
            )
        },
        || {
            options.report.then(|| {
                squash_by_replay(
                    &files,
                    &graph,
                    &naming,
                    &mut prepared,
                    options.replay,
                    history.as_ref(),
                )
            })
        },
    );
    // `# migsquash: ignore[…]` comments (docs/suppressions.md).
    let suppress::Applied {
        diagnostics,
        mut suppressed,
    } = suppress::apply(&files, diagnostics, suppress::computed_by_checks);
    // Then the configuration (docs/configuration.md): what it hides is
    // treated as a suppressed finding.
    let config::rules::Applied {
        shown: diagnostics,
        hidden,
    } = options.rules.apply(&files, diagnostics);
    suppressed.extend(hidden);
    let mut summary = if options.report {
        analysis::summary(&files, &graph, &report, &diagnostics)
    } else {
        Summary::default()
    };
    // A history with errors has no baseline (consolidate refuses it,
    // suppressed or not).
    if let Some(replayed) = replayed
        && !diagnostics
            .iter()
            .chain(&suppressed)
            .any(|d| d.own_severity == diagnostic::Severity::Error)
    {
        summary.squash.operations_after = replayed.operations_after;
        summary.squash.replay_blockers = replayed.blockers;
    }
    if !options.replay {
        prepared = Vec::new();
    }
    Ok(Analysis {
        input: path.to_path_buf(),
        layout,
        dialect,
        naming,
        files,
        graph,
        report,
        diagnostics,
        suppressed,
        rules: options.rules.clone(),
        summary,
        prepared,
    })
}

/// Where the revision files are when none were found where the config
/// says: in sub-folders not read, or in folders next to the location.
fn nearby_hint(layout: &Layout, unread: &[discover::UnreadFolder]) -> String {
    if !unread.is_empty() {
        let files: usize = unread.iter().map(|u| u.files).sum();
        return format!(
            "; {files} revision file{} sit in sub-folders ({}): {}",
            if files == 1 { "" } else { "s" },
            checks::unread_folder_list(layout, unread),
            checks::RECURSIVE_HELP
        );
    }
    let nearby = discover::nearby_revision_folders(layout);
    if nearby.is_empty() {
        return String::new();
    }
    let list: Vec<String> = nearby
        .iter()
        .map(|(path, files)| format!("{} ({files})", fsio::display_path(path)))
        .collect();
    format!(
        "; revision files sit next to it in {}: point `version_locations` (or `script_location`) there, or pass that folder as PATH",
        list.join(", ")
    )
}

/// What a squash of the whole history leaves, from replaying it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Replayed {
    /// Operations in the baseline; `None` when replay found what cannot
    /// be known statically.
    operations_after: Option<usize>,
    blockers: usize,
}

impl Replayed {
    fn encode(&self) -> Vec<u8> {
        let after = self.operations_after.map_or(u64::MAX, |n| n as u64);
        [after.to_le_bytes(), (self.blockers as u64).to_le_bytes()].concat()
    }

    fn decode(bytes: &[u8]) -> Option<Self> {
        let (after, rest) = bytes.split_first_chunk::<8>()?;
        let blockers = rest.first_chunk::<8>()?;
        let after = u64::from_le_bytes(*after);
        Some(Self {
            operations_after: (after != u64::MAX).then_some(after as usize),
            blockers: u64::from_le_bytes(*blockers) as usize,
        })
    }
}

/// Replays the whole history as `consolidate` would (every head), or
/// takes the result recorded for exactly these files.
fn squash_by_replay(
    files: &[RevisionFile],
    graph: &RevisionGraph,
    naming: &naming::NamingConvention,
    prepared: &mut Vec<Option<replay::PreparedFile>>,
    keep_prepared: bool,
    record: Option<&cache::HistoryRecord>,
) -> Replayed {
    if let Some(found) = record
        .and_then(|r| r.load())
        .and_then(|b| Replayed::decode(&b))
    {
        return found;
    }
    let revisions = replay::revisions_to_replay(graph, None);
    let replayed = if keep_prepared {
        replay::replay(files, &revisions, prepared, naming)
    } else {
        replay::replay_consuming(files, &revisions, std::mem::take(prepared), naming)
    };
    let blockers = replayed.blockers().count();
    let result = Replayed {
        operations_after: (blockers == 0).then(|| render::operation_count(&replayed)),
        blockers,
    };
    if let Some(record) = record {
        record.save(&result.encode());
    }
    result
}

/// What `read_all` yields.
struct Read {
    files: Vec<RevisionFile>,
    /// Indexed like `files` (empty unless a report or replay asked).
    prepared: Vec<Option<replay::PreparedFile>>,
    /// Where results for exactly these files are cached: what a squash
    /// leaves, and the report.
    history: Option<cache::HistoryRecord>,
    report: Option<cache::HistoryRecord>,
}

/// Reads every file and extracts those the cache does not know (and, for
/// a report, decodes their cached upgrade operations). Files parsed are
/// prepared for replay while their tree is at hand when a report or a
/// replay will need them; with `Options::replay`, so are the others.
/// Files are independent until the graph, so this runs in parallel; the
/// order stays Alembic's load order.
fn read_all(
    candidates: &[discover::Candidate],
    cache: Option<cache::Cache>,
    options: &Options,
    dialect: sql::Dialect,
    naming_fingerprint: u64,
) -> Read {
    let folders = cache
        .as_ref()
        .map(|_| cache::Folders::open(candidates.iter().map(|c| c.path.as_path())));
    let prepare = match (options.replay, options.report) {
        (true, _) => Prepare::All,
        (false, true) => Prepare::Parsed,
        (false, false) => Prepare::None,
    };
    let read: Vec<(RevisionFile, cache::Seen, Option<replay::PreparedFile>)> = candidates
        .par_iter()
        .enumerate()
        .map(|(index, candidate)| {
            let stamp = folders
                .as_ref()
                .and_then(|folders| folders.stamp(index, &candidate.path));
            read_one(candidate, cache.as_ref(), stamp, prepare, dialect)
        })
        .collect();
    let mut files = Vec::with_capacity(read.len());
    let mut seen = Vec::with_capacity(read.len());
    let mut prepared = Vec::with_capacity(if prepare == Prepare::None {
        0
    } else {
        read.len()
    });
    for (file, s, p) in read {
        files.push(file);
        seen.push(s);
        if prepare != Prepare::None {
            prepared.push(p);
        }
    }
    let mut history = None;
    let mut report = None;
    if let Some(cache) = cache {
        let ids: Vec<(usize, &str)> = candidates
            .iter()
            .map(|c| (c.location, c.rel_path.as_str()))
            .collect();
        let digest = cache::history_digest(
            ids.iter()
                .zip(&seen)
                .map(|(&(location, rel_path), s)| (location, rel_path, s.key)),
        );
        // What a squash leaves depends on the naming convention too.
        history = Some(cache.history_record(digest ^ naming_fingerprint));
        report = Some(cache.report_record(digest));
        cache.save(&files, &ids, &seen);
    }
    Read {
        files,
        prepared,
        history,
        report,
    }
}

/// Which files `read_one` prepares for replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prepare {
    None,
    /// Those it parses anyway.
    Parsed,
    /// Every file, parsing those the cache spared.
    All,
}

/// One file: from the cache without reading it when its stat record
/// vouches for it, else read, and from the cache or parsed. With `replay`,
/// also prepared for replay (parsed for that when the cache spared it).
fn read_one(
    candidate: &discover::Candidate,
    cache: Option<&cache::Cache>,
    stamp: Option<cache::Stamp>,
    prepare: Prepare,
    dialect: sql::Dialect,
) -> (RevisionFile, cache::Seen, Option<replay::PreparedFile>) {
    let mut seen = cache::Seen {
        stamp,
        ..Default::default()
    };
    if let Some(cache) = cache
        && let Some(stamp) = &seen.stamp
        && let Some(key) = cache.vouch(candidate.location, &candidate.rel_path, stamp)
        && key == cache::keyed_for(key, dialect)
    {
        let mut file = RevisionFile::unread(candidate.path.clone(), candidate.rel_path.clone());
        if cache.fill(key, &mut file) {
            seen.key = Some(key);
            seen.vouched = true;
            let prepared = (prepare == Prepare::All)
                .then(|| prepare_cached(&mut file))
                .flatten();
            return (file, seen, prepared);
        }
    }
    let (mut file, key) = extract::read(&candidate.path, candidate.rel_path.clone());
    let key = key.map(|key| cache::keyed_for(key, dialect));
    seen.key = key;
    let mut prepared = None;
    if file.problem.is_none() {
        let cached = match (cache, key) {
            (Some(cache), Some(key)) => cache.fill(key, &mut file),
            _ => false,
        };
        if cached {
            if prepare == Prepare::All {
                prepared = prepare_cached(&mut file);
            }
        } else {
            let module = extract::extract_parsed(&mut file, dialect);
            seen.parsed = true;
            if prepare != Prepare::None
                && file.problem.is_none()
                && let Some(module) = module
            {
                prepared = Some(replay::prepare(&file, file.source(), &module));
            }
        }
        // Reports need the text of a few files at most (JSON reads them
        // all again): a large history is not held in memory twice.
        file.forget_source();
        file.pack_downgrade();
    }
    (file, seen, prepared)
}

/// Prepares a file whose operations came from the cache: replay needs its
/// syntax tree, so it is parsed after all.
fn prepare_cached(file: &mut RevisionFile) -> Option<replay::PreparedFile> {
    let module = python::parse_module(file.source()).ok()?;
    let prepared = replay::prepare(file, file.source(), &module);
    file.forget_source();
    Some(prepared)
}
