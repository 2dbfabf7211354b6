//! migsquash reads an Alembic history statically: no database, no import of
//! the application. The whole pipeline is [`analyze`]:
//!
//! discover → read + parse + extract (parallel) → graph → analysis → checks
//!
//! and the reporters (`report`) turn its result into text, JSON, Markdown,
//! GitHub annotations, DOT or Mermaid. See docs/ARCHITECTURE.md.

pub mod analysis;
pub mod checks;
pub mod diagnostic;
pub mod discover;
pub mod extract;
pub mod graph;
pub mod ir;
pub mod python;
pub mod report;
pub mod sql;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::analysis::{HistoryReport, Summary};
use crate::checks::{CheckOptions, Context};
use crate::diagnostic::Diagnostic;
use crate::discover::{DiscoverError, DiscoverOptions, Layout};
use crate::graph::RevisionGraph;
use crate::ir::RevisionFile;

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub discover: DiscoverOptions,
    pub checks: CheckOptions,
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
    if let Some(missing) = layout.version_locations.iter().find(|l| !l.is_dir())
        && layout.version_locations.iter().all(|l| !l.is_dir())
    {
        return Err(RunError::MissingLocation(missing.clone()));
    }
    let candidates = discover::revision_files(&layout)?;
    if candidates.is_empty() {
        return Err(RunError::NoRevisions {
            locations: layout.version_locations.clone(),
        });
    }
    // Files are independent until the graph: read and parse them in parallel;
    // `collect` keeps Alembic's load order.
    let files: Vec<RevisionFile> = candidates
        .par_iter()
        .map(|c| extract::read_revision_file(&c.path, c.rel_path.clone()))
        .collect();
    let graph = RevisionGraph::build(&files);
    let report = analysis::report(&files, &graph);
    let diagnostics = checks::run_all(&Context {
        files: &files,
        graph: &graph,
        options: &options.checks,
    });
    let summary = analysis::summary(&files, &graph, &report, &diagnostics);
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
