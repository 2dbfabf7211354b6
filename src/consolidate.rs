//! `consolidate`: which revisions a baseline replaces, what id it takes,
//! and the baseline itself (replay, then render). Never prints; the CLI
//! reports what `Consolidation` holds.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::Analysis;
use crate::checks::CheckMeta;
use crate::diagnostic::{Diagnostic, Severity};
use crate::render::{self, Body, Header, RenderError};
use crate::replay::{self, FindingKind, Replay};

#[derive(Debug, Clone, Default)]
pub struct ConsolidateOptions {
    /// Squash base..REV only; later revisions stay.
    pub up_to: Option<String>,
    /// Squash several heads into one baseline (it then needs a new id).
    pub merge_heads: bool,
    /// Give the baseline a new id: `Some(None)` derives one from its
    /// content, `Some(Some(id))` takes that one.
    pub new_id: Option<Option<String>>,
    pub message: Option<String>,
    /// The template's text; the default follows Alembic's script.py.mako.
    pub template: Option<String>,
}

/// Why a baseline could not be made at all (exit 2), or was refused
/// because of the history (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum ConsolidateError {
    #[error(
        "the history has errors; consolidate needs them fixed first (an error hidden by a `# migsquash: ignore` comment or by the configuration too)"
    )]
    HistoryErrors(Vec<Diagnostic>),
    #[error(
        "the history has {} heads ({}); squash them into one baseline with --merge-heads, or squash one branch with --up-to REV",
        .0.len(),
        .0.join(", ")
    )]
    MultipleHeads(Vec<String>),
    #[error("--up-to: no revision `{0}` in the history")]
    UnknownRevision(String),
    #[error("--up-to: `{prefix}` matches several revisions: {}", .matches.join(", "))]
    AmbiguousRevision {
        prefix: String,
        matches: Vec<String>,
    },
    #[error("{0}")]
    Template(#[from] RenderError),
}

impl ConsolidateError {
    /// 1 when the history is the reason, 2 when the command could not run.
    pub fn exit_code(&self) -> u8 {
        match self {
            ConsolidateError::HistoryErrors(_) | ConsolidateError::MultipleHeads(_) => 1,
            _ => 2,
        }
    }
}

/// What `consolidate` made.
#[derive(Debug)]
pub struct Consolidation {
    pub replay: Replay,
    pub header: Header,
    pub body: Body,
    /// The baseline file's text (empty when blocked).
    pub text: String,
    /// Files the baseline replaces (indices into `Analysis::files`).
    pub replaced: Vec<usize>,
    /// Revisions that stay, in upgrade order.
    pub remaining: Vec<usize>,
    /// The heads the baseline replaces.
    pub replaced_heads: Vec<String>,
    /// Replay's findings as diagnostics, for the reporters.
    pub diagnostics: Vec<Diagnostic>,
}

impl Consolidation {
    pub fn blocked(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// MS201: an operation whose effect on the schema cannot be known.
pub const UNKNOWABLE: CheckMeta = CheckMeta {
    code: "MS201",
    name: "unknowable-schema-change",
    severity: Severity::Error,
    doc: " An operation whose effect on the schema cannot be known statically.\n\n ## What it finds\n SQL built when the migration runs (f-strings, `%`, `.format`), operations inside conditions or loops, arguments passed by a helper's caller, the connection used for anything but plain data statements, or an operation on an object the replay does not know.\n\n ## Why\n A baseline that differs from the history is worse than none: `consolidate` refuses rather than guess.\n\n ## How to fix\n Squash up to a revision before it (`--up-to`), or rewrite the operation with literal values.\n",
};

/// MS202: a data migration that a baseline does not replay.
pub const DATA_MIGRATION: CheckMeta = CheckMeta {
    code: "MS202",
    name: "data-migration-not-replayed",
    severity: Severity::Warning,
    doc: " A statement that changes existing rows; the baseline does not replay it.\n\n ## Why\n A fresh database has no rows to change. Databases that are already deployed ran it when they upgraded.\n\n ## How to fix\n Nothing, when the rows it changes only exist in deployed databases. Seed data (INSERT, `bulk_insert`) is kept.\n",
};

/// MS203: a statement carried over as written.
pub const VERBATIM: CheckMeta = CheckMeta {
    code: "MS203",
    name: "kept-verbatim",
    severity: Severity::Info,
    doc: " A statement or plugin operation carried into the baseline as written.\n\n ## Why\n migsquash does not model it (a DO block, a grant, an unknown plugin operation); it runs after the tables, in history order.\n\n ## How to fix\n Review it in the baseline; `migsquash verify` proves the result.\n",
};

pub const FINDINGS: [&CheckMeta; 3] = [&UNKNOWABLE, &DATA_MIGRATION, &VERBATIM];

pub fn consolidate(
    analysis: &Analysis,
    options: &ConsolidateOptions,
) -> Result<Consolidation, ConsolidateError> {
    // A suppressed error still stops a baseline: a comment never changes
    // what consolidate writes (docs/suppressions.md); nor does the
    // configuration, which may hide one or lower its level
    // (docs/configuration.md).
    let errors: Vec<Diagnostic> = analysis
        .diagnostics
        .iter()
        .chain(&analysis.suppressed)
        .filter(|d| d.own_severity == Severity::Error)
        .cloned()
        .collect();
    if !errors.is_empty() {
        return Err(ConsolidateError::HistoryErrors(errors));
    }
    let graph = &analysis.graph;
    let target = match &options.up_to {
        Some(rev) => Some(resolve(analysis, rev)?),
        None => None,
    };
    if target.is_none() && graph.heads.len() > 1 && !options.merge_heads {
        return Err(ConsolidateError::MultipleHeads(graph.heads.clone()));
    }
    let target_node = target.as_deref().and_then(|t| graph.node(t));
    let replaced = replay::revisions_to_replay(graph, target_node);
    let replaced_set: BTreeSet<usize> = replaced.iter().copied().collect();
    let remaining: Vec<usize> = graph
        .upgrade_nodes
        .iter()
        .map(|n| graph.dag[*n])
        .filter(|f| !replaced_set.contains(f))
        .collect();
    let replaced_heads = match &target {
        Some(t) => vec![t.clone()],
        None => graph.heads.clone(),
    };

    let replay = replay::replay(
        &analysis.files,
        &replaced,
        &analysis.prepared,
        &analysis.naming,
    );
    let mut diagnostics = findings_as_diagnostics(analysis, &replay, &replaced);
    diagnostics.extend(stranded_revisions(
        analysis,
        &replaced_set,
        &remaining,
        &replaced_heads,
    ));
    diagnostics.sort_by_cached_key(Diagnostic::sort_key);
    // MS202 and MS203 of the squashed revisions may be suppressed; MS201
    // never is (`suppress::resolve`).
    let diagnostics = crate::suppress::apply(&analysis.files, diagnostics, |file, code| {
        replaced_set.contains(&file) && matches!(code, "MS202" | "MS203")
    })
    .diagnostics;
    // The configuration may hide MS202 and MS203 or change their level
    // (an error stops the baseline); never MS201's.
    let diagnostics = analysis.rules.apply(&analysis.files, diagnostics).shown;

    let body = render::body(&replay);
    let new_id = match (&options.new_id, replaced_heads.len() > 1) {
        (Some(Some(id)), _) => Some(id.clone()),
        (Some(None), _) | (None, true) => Some(derived_id(&body)),
        (None, false) => None,
    };
    let revision = new_id.unwrap_or_else(|| replaced_heads[0].clone());
    let header = Header {
        message: options
            .message
            .clone()
            .unwrap_or_else(|| "squashed baseline".to_owned()),
        revision,
        down_revision: Vec::new(),
        branch_labels: replaced
            .iter()
            .flat_map(|&f| analysis.files[f].header.branch_labels.iter())
            .map(|l| l.value.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        depends_on: Vec::new(),
        create_date: create_date(&replay),
        notes: carried_notes(&replay)
            .into_iter()
            .chain(
                replay
                    .findings
                    .iter()
                    .filter(|f| f.kind == FindingKind::DataMigration)
                    .map(|f| {
                        let file = &analysis.files[f.file];
                        let (line, _) = file.line_table().line_col(f.span.start, || file.source());
                        format!("{}:{line}", file.rel_path)
                    }),
            )
            .collect(),
        squashed: replaced.len(),
    };
    let blocked = diagnostics.iter().any(|d| d.severity == Severity::Error);
    let text = if blocked {
        String::new()
    } else {
        let template = options
            .template
            .as_deref()
            .unwrap_or(render::DEFAULT_TEMPLATE);
        render::render(&header, &body, template)?
    };
    Ok(Consolidation {
        replay,
        header,
        body,
        text,
        replaced,
        remaining,
        replaced_heads,
        diagnostics,
    })
}

/// A revision id or a unique prefix of one, as Alembic accepts.
fn resolve(analysis: &Analysis, rev: &str) -> Result<String, ConsolidateError> {
    if analysis.graph.nodes.contains_key(rev) {
        return Ok(rev.to_owned());
    }
    let matches: Vec<String> = analysis
        .graph
        .nodes
        .keys()
        .filter(|id| id.starts_with(rev))
        .cloned()
        .collect();
    match matches.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(ConsolidateError::UnknownRevision(rev.to_owned())),
        _ => Err(ConsolidateError::AmbiguousRevision {
            prefix: rev.to_owned(),
            matches,
        }),
    }
}

/// A revision that stays but points at a replaced revision other than the
/// one the baseline takes the id of would lose its parent.
fn stranded_revisions(
    analysis: &Analysis,
    replaced: &BTreeSet<usize>,
    remaining: &[usize],
    heads: &[String],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for &f in remaining {
        let file = &analysis.files[f];
        for parent in file
            .header
            .down_revisions
            .iter()
            .chain(&file.header.depends_on)
        {
            let Some(pf) = analysis.graph.file_of(&parent.value) else {
                continue;
            };
            if replaced.contains(&pf) && !heads.contains(&parent.value) {
                out.push(
                    Diagnostic::new(
                        &UNKNOWABLE,
                        format!(
                            "revision {} stays, but its parent {} would be squashed into the baseline and lose its id",
                            file.revision_id().unwrap_or("?"),
                            parent.value
                        ),
                    )
                    .at(f, Some(parent.span))
                    .help("squash up to a revision that this one descends from, or merge the branch first"),
                );
            }
        }
    }
    out
}

fn findings_as_diagnostics(
    analysis: &Analysis,
    replay: &Replay,
    replaced: &[usize],
) -> Vec<Diagnostic> {
    replay
        .findings
        .iter()
        .map(|f| {
            let meta = match f.kind {
                FindingKind::Blocker => &UNKNOWABLE,
                FindingKind::DataMigration => &DATA_MIGRATION,
                FindingKind::Verbatim => &VERBATIM,
            };
            let file = &analysis.files[f.file];
            let mut d = Diagnostic::new(meta, f.message.clone()).at(f.file, Some(f.span));
            if let Some(id) = file.revision_id() {
                d = d.revision(id);
            }
            if f.kind == FindingKind::Blocker {
                d = d.help(
                    f.help
                        .clone()
                        .unwrap_or_else(|| up_to_help(analysis, replaced, f.file)),
                );
            }
            d
        })
        .collect()
}

/// "squash up to a revision before it": the parent of the blocking file.
fn up_to_help(analysis: &Analysis, replaced: &[usize], file: usize) -> String {
    let parents: Vec<&str> = analysis.files[file]
        .header
        .down_revisions
        .iter()
        .map(|p| p.value.as_str())
        .filter(|p| {
            analysis
                .graph
                .file_of(p)
                .is_some_and(|f| replaced.contains(&f))
        })
        .collect();
    match parents.as_slice() {
        [] => "this is the first revision; rewrite the operation with literal values".to_owned(),
        [one] => format!(
            "squash only the revisions before it: `migsquash consolidate --up-to {one}`, or rewrite the operation with literal values"
        ),
        many => format!(
            "squash only the revisions before it (`--up-to` one of {}), or rewrite the operation with literal values",
            many.join(", ")
        ),
    }
}

/// The "not replayed" list of an earlier baseline among the replaced
/// revisions: consolidating a baseline again keeps it.
fn carried_notes(replay: &Replay) -> Vec<String> {
    let mut out = Vec::new();
    for docstring in replay
        .revisions
        .iter()
        .filter_map(|f| replay.docstrings.get(f))
    {
        if let Some((_, block)) = docstring.split_once(render::NOT_REPLAYED_HEADING) {
            out.extend(
                block
                    .lines()
                    .filter_map(|l| l.strip_prefix("- "))
                    .map(str::to_owned),
            );
        }
    }
    out
}

/// The newest `Create Date:` among the replaced revisions' docstrings.
fn create_date(replay: &Replay) -> String {
    replay
        .docstrings
        .values()
        .filter_map(|docstring| {
            docstring
                .lines()
                .find_map(|l| l.trim().strip_prefix("Create Date:"))
                .map(|d| d.trim().to_owned())
        })
        .max()
        .unwrap_or_default()
}

/// A new revision id derived from the baseline's content: stable from run
/// to run, different for a different baseline.
fn derived_id(body: &Body) -> String {
    let mut text = String::new();
    for line in body.upgrade.iter().chain(&body.downgrade) {
        text.push_str(line);
        text.push('\n');
    }
    format!(
        "{:012x}",
        xxhash_rust::xxh3::xxh3_64(text.as_bytes()) & 0xffff_ffff_ffff
    )
}

/// The report `consolidate --format json` writes.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub revision: String,
    pub replaced_revisions: usize,
    pub replaced_heads: Vec<String>,
    pub operations_before: usize,
    pub operations_after: usize,
    pub tables: usize,
    pub kept_verbatim: usize,
    pub per_table: Vec<TableFold>,
    pub remaining_revisions: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct TableFold {
    pub table: String,
    /// Operations of the history on the table.
    pub operations: usize,
    /// Statements the baseline needs for it (the table and its indexes).
    pub statements: usize,
}

impl Consolidation {
    pub fn summary(&self, analysis: &Analysis) -> Summary {
        let schema = &self.replay.schema;
        let per_table = self
            .replay
            .per_table
            .iter()
            .map(|(table, operations)| TableFold {
                table: table.clone(),
                operations: *operations,
                statements: schema
                    .tables
                    .iter()
                    .find(|t| &t.name == table)
                    .map_or(0, |t| 1 + t.indexes.len()),
            })
            .collect();
        Summary {
            revision: self.header.revision.clone(),
            replaced_revisions: self.replaced.len(),
            replaced_heads: self.replaced_heads.clone(),
            operations_before: self.replay.operations,
            operations_after: self.body.operations,
            tables: schema.tables.len(),
            kept_verbatim: schema.units().len(),
            per_table,
            remaining_revisions: self
                .remaining
                .iter()
                .filter_map(|&f| analysis.files[f].revision_id().map(str::to_owned))
                .collect(),
        }
    }
}
