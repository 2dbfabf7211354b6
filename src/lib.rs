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
pub mod consolidate;
pub mod diagnostic;
pub mod discover;
pub mod extract;
pub mod graph;
pub mod ir;
pub mod python;
pub mod render;
pub mod replay;
pub mod report;
pub mod sql;
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
}

impl Default for Options {
    fn default() -> Self {
        Self {
            discover: DiscoverOptions::default(),
            checks: CheckOptions::default(),
            cache: CacheLocation::default(),
            report: true,
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

/// Everything known about one history.
#[derive(Debug)]
pub struct Analysis {
    /// The PATH the user gave.
    pub input: PathBuf,
    pub layout: Layout,
    /// Every revision file, in Alembic's load order.
    pub files: Vec<RevisionFile>,
    pub graph: RevisionGraph,
    pub report: HistoryReport,
    /// Sorted: errors first, then by file and position.
    pub diagnostics: Vec<Diagnostic>,
    pub summary: Summary,
}

/// Why a history could not be analysed at all (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Discover(#[from] DiscoverError),
    #[error("no revision files found in {}", .locations.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    NoRevisions { locations: Vec<PathBuf> },
    #[error("version location {} does not exist", .0.display())]
    MissingLocation(PathBuf),
}

pub fn analyze(path: &Path, options: &Options) -> Result<Analysis, RunError> {
    let layout = discover::locate(path, &options.discover)?;
    // Alembic skips a missing version location; when all are missing the
    // path is wrong.
    if let [first, ..] = layout.version_locations.as_slice()
        && layout.version_locations.iter().all(|l| !l.is_dir())
    {
        return Err(RunError::MissingLocation(first.clone()));
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
    let candidates = candidates?;
    if candidates.is_empty() {
        return Err(RunError::NoRevisions {
            locations: layout.version_locations.clone(),
        });
    }
    let files = read_all(&candidates, cache, options.report);
    let graph = RevisionGraph::build(&files);
    // The report and the checks only read the files and the graph.
    let (report, diagnostics) = rayon::join(
        || {
            if options.report {
                analysis::report(&files, &graph)
            } else {
                HistoryReport::default()
            }
        },
        || {
            checks::run_all(&Context {
                files: &files,
                graph: &graph,
                options: &options.checks,
            })
        },
    );
    let summary = if options.report {
        analysis::summary(&files, &graph, &report, &diagnostics)
    } else {
        Summary::default()
    };
    Ok(Analysis {
        input: path.to_path_buf(),
        layout,
        files,
        graph,
        report,
        diagnostics,
        summary,
    })
}

/// Reads every file and extracts those the cache does not know (and, with
/// `upgrades`, decodes their cached upgrade operations). Files are
/// independent until the graph, so this runs in parallel; the order stays
/// Alembic's load order.
fn read_all(
    candidates: &[discover::Candidate],
    cache: Option<cache::Cache>,
    upgrades: bool,
) -> Vec<RevisionFile> {
    let folders = cache
        .as_ref()
        .map(|_| cache::Folders::open(candidates.iter().map(|c| c.path.as_path())));
    let (files, seen): (Vec<RevisionFile>, Vec<cache::Seen>) = candidates
        .par_iter()
        .enumerate()
        .map(|(index, candidate)| {
            let stamp = folders
                .as_ref()
                .and_then(|folders| folders.stamp(index, &candidate.path));
            let (file, seen) = read_one(candidate, cache.as_ref(), stamp);
            if upgrades {
                // The report needs every upgrade operation: decode them
                // here, in parallel, not one by one later.
                file.upgrade_ops();
            }
            (file, seen)
        })
        .unzip();
    if let Some(cache) = cache {
        let ids: Vec<(usize, &str)> = candidates
            .iter()
            .map(|c| (c.location, c.rel_path.as_str()))
            .collect();
        cache.save(&files, &ids, &seen);
    }
    files
}

/// One file: from the cache without reading it when its stat record
/// vouches for it, else read, and from the cache or parsed.
fn read_one(
    candidate: &discover::Candidate,
    cache: Option<&cache::Cache>,
    stamp: Option<cache::Stamp>,
) -> (RevisionFile, cache::Seen) {
    let mut seen = cache::Seen {
        stamp,
        ..Default::default()
    };
    if let Some(cache) = cache
        && let Some(stamp) = &seen.stamp
        && let Some(key) = cache.vouch(candidate.location, &candidate.rel_path, stamp)
    {
        let mut file = RevisionFile::unread(candidate.path.clone(), candidate.rel_path.clone());
        if cache.fill(key, &mut file) {
            seen.key = Some(key);
            seen.vouched = true;
            return (file, seen);
        }
    }
    let (mut file, key) = extract::read(&candidate.path, candidate.rel_path.clone());
    seen.key = key;
    if file.problem.is_none() {
        let cached = match (cache, key) {
            (Some(cache), Some(key)) => cache.fill(key, &mut file),
            _ => false,
        };
        if !cached {
            extract::extract_source(&mut file);
            seen.parsed = true;
        }
        // Reports need the text of a few files at most (JSON reads them
        // all again): a large history is not held in memory twice.
        file.forget_source();
    }
    (file, seen)
}
