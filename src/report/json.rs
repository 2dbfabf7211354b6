//! The JSON reports (documented in docs/json.md). Revision ids are always
//! strings; every list is in a stable order. The document is streamed to
//! the writer from borrowed views: a 10k-revision history is never held
//! twice in memory.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Write;

use serde::{Serialize, Serializer};

use super::{Counts, Locator, Position, display_path};
use crate::Analysis;
use crate::analysis::{Churn, DataMigration, SqlKindStats, Summary, TableStats};
use crate::diagnostic::{Diagnostic, Severity};
use crate::ir::{Argument, ColumnDef, OpContext, OpKind, Operation, Phase, RevisionFile, Spanned};
use crate::python::Span;
use crate::sql::SqlInfo;

/// Bumped when a key changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

const TOOL: Tool = Tool {
    name: "migsquash",
    version: env!("CARGO_PKG_VERSION"),
};

/// Serializes an iterator as a JSON array without collecting it.
struct Seq<I>(RefCell<Option<I>>);

fn seq<I>(iter: I) -> Seq<I> {
    Seq(RefCell::new(Some(iter)))
}

impl<I, T> Serialize for Seq<I>
where
    I: Iterator<Item = T>,
    T: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let iter = self
            .0
            .borrow_mut()
            .take()
            .expect("a Seq is serialized once");
        serializer.collect_seq(iter)
    }
}

#[derive(Serialize)]
struct RelatedView {
    path: String,
    line: usize,
    column: usize,
    message: String,
}

#[derive(Serialize)]
struct DiagnosticView<'a> {
    code: &'static str,
    name: &'static str,
    severity: Severity,
    message: &'a str,
    path: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    revision: Option<&'a str>,
    help: Option<&'a str>,
    related: Vec<RelatedView>,
}

fn diagnostic<'a>(d: &'a Diagnostic, locator: &Locator) -> DiagnosticView<'a> {
    let (path, start, end): (_, Option<Position>, Option<Position>) = match &d.location {
        Some(loc) => {
            let start = locator.start(loc);
            let end = loc
                .span
                .map(|s| locator.position(loc.file, s.end))
                .unwrap_or(start);
            (Some(locator.path(loc.file)), Some(start), Some(end))
        }
        None => (None, None, None),
    };
    DiagnosticView {
        code: d.code,
        name: d.name,
        severity: d.severity,
        message: &d.message,
        path,
        line: start.map(|p| p.line),
        column: start.map(|p| p.column),
        end_line: end.map(|p| p.line),
        end_column: end.map(|p| p.column),
        revision: d.revision.as_deref(),
        help: d.help.as_deref(),
        related: d
            .related
            .iter()
            .map(|r| {
                let pos = locator.start(&r.location);
                RelatedView {
                    path: locator.path(r.location.file),
                    line: pos.line,
                    column: pos.column,
                    message: r.label.clone(),
                }
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct ArgumentView<'a> {
    keyword: Option<&'a str>,
    text: &'a str,
    span: Span,
}

/// An operation as documented in docs/json.md: absent values are left out.
#[derive(Serialize)]
struct OperationView<'a, Args: Serialize> {
    kind: OpKind,
    method: &'a str,
    phase: Phase,
    #[serde(skip_serializing_if = "Option::is_none")]
    table: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    schema: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new_name: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    columns: &'a [ColumnDef],
    #[serde(skip_serializing_if = "Option::is_none")]
    new_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new_nullable: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sql: Option<&'a SqlInfo>,
    context: &'a OpContext,
    args: Args,
    span: Span,
    /// Where the call starts (`column` is the operation's column name).
    location: Position,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    unresolved: &'a [std::borrow::Cow<'static, str>],
}

fn operation<'a>(
    op: &'a Operation,
    file: usize,
    source: &'a str,
    locator: &Locator,
) -> OperationView<'a, impl Serialize + 'a> {
    let pos = locator.position(file, op.span.start);
    let args = op.args.iter().map(move |arg: &'a Argument| ArgumentView {
        keyword: arg.keyword.map(|k| k.text(source)),
        text: arg.span.text(source),
        span: arg.span,
    });
    OperationView {
        kind: op.kind,
        method: op.method(),
        phase: op.phase,
        table: op.table.as_deref(),
        schema: op.schema.as_deref(),
        column: op.column.as_deref(),
        name: op.name.as_deref(),
        new_name: op.new_name.as_deref(),
        columns: &op.columns,
        new_type: op.new_type.as_deref(),
        new_nullable: op.new_nullable,
        sql: op.sql.as_deref(),
        context: &op.context,
        args: seq(args),
        span: op.span,
        location: pos,
        unresolved: &op.unresolved,
    }
}

fn values(list: &[Spanned<String>]) -> Vec<&str> {
    list.iter().map(|s| s.value.as_str()).collect()
}

#[derive(Serialize)]
struct RevisionView<'a, Ops: Serialize> {
    revision: &'a str,
    down_revisions: Vec<&'a str>,
    depends_on: Vec<&'a str>,
    branch_labels: Vec<&'a str>,
    path: String,
    message: Option<&'a str>,
    is_head: bool,
    is_base: bool,
    is_merge_point: bool,
    is_branch_point: bool,
    operations: Ops,
}

fn revision<'a>(
    analysis: &'a Analysis,
    index: usize,
    file: &'a RevisionFile,
    locator: &'a Locator<'a>,
) -> RevisionView<'a, impl Serialize + 'a> {
    let id = file.revision_id().unwrap_or_default();
    let graph = &analysis.graph;
    let has = |list: &[String]| list.binary_search_by(|x| x.as_str().cmp(id)).is_ok();
    let source = file.source();
    RevisionView {
        revision: id,
        down_revisions: values(&file.header.down_revisions),
        depends_on: values(&file.header.depends_on),
        branch_labels: values(&file.header.branch_labels),
        path: locator.path(index),
        message: file.header.message.as_deref(),
        is_head: has(&graph.heads),
        is_base: has(&graph.bases),
        is_merge_point: has(&graph.merge_points),
        is_branch_point: has(&graph.branch_points),
        operations: seq(file
            .operations()
            .map(move |op| operation(op, index, source, locator))),
    }
}

#[derive(Serialize)]
struct StepView<'a> {
    revision: &'a str,
    path: String,
    line: usize,
    action: &'a str,
}

#[derive(Serialize)]
struct ChurnView<'a> {
    kind: crate::analysis::ChurnKind,
    description: &'static str,
    table: &'a str,
    object: Option<&'a str>,
    steps: Vec<StepView<'a>>,
    cancelling_operations: usize,
}

fn churn<'a>(c: &'a Churn, locator: &Locator) -> ChurnView<'a> {
    ChurnView {
        kind: c.kind,
        description: c.kind.describe(),
        table: &c.table,
        object: c.object.as_deref(),
        steps: c
            .steps
            .iter()
            .map(|s| StepView {
                revision: &s.revision,
                path: locator.path(s.file),
                line: locator.position(s.file, s.span.start).line,
                action: &s.action,
            })
            .collect(),
        cancelling_operations: c.cancelling_operations,
    }
}

#[derive(Serialize)]
struct DataMigrationView<'a> {
    #[serde(flatten)]
    data: &'a DataMigration,
    path: String,
    line: usize,
}

#[derive(Serialize)]
struct Opaque<'a> {
    method: &'a str,
    count: usize,
}

#[derive(Serialize)]
struct AnalyzeDocument<'a, Revisions: Serialize, Diagnostics: Serialize> {
    schema_version: u32,
    tool: &'a Tool,
    input: String,
    config: Option<String>,
    version_locations: Vec<String>,
    summary: &'a Summary,
    heads: &'a [String],
    bases: &'a [String],
    merge_points: &'a [String],
    branch_points: &'a [String],
    cycles: &'a [Vec<String>],
    branch_labels: &'a BTreeMap<String, String>,
    diagnostics: Diagnostics,
    tables: &'a [TableStats],
    churn: Vec<ChurnView<'a>>,
    raw_sql: &'a [SqlKindStats],
    data_migrations: Vec<DataMigrationView<'a>>,
    opaque_operations: Vec<Opaque<'a>>,
    upgrade_order: &'a [String],
    revisions: Revisions,
}

fn finish(mut out: impl Write, document: &impl Serialize) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut out, document)?;
    out.write_all(b"\n")
}

/// `migsquash analyze --format json`.
pub fn analyze(analysis: &Analysis, out: impl Write) -> std::io::Result<()> {
    // Every operation's arguments are shown as written: read the sources
    // the analysis did not keep, in parallel, before writing in order.
    rayon::iter::ParallelIterator::for_each(
        rayon::iter::IntoParallelRefIterator::par_iter(&analysis.files),
        |file| {
            file.source();
        },
    );
    let locator = Locator::new(analysis);
    let graph = &analysis.graph;
    let report = &analysis.report;
    // Revisions Alembic keeps, in file order.
    let kept: std::collections::BTreeSet<usize> =
        graph.nodes.values().map(|&n| graph.dag[n]).collect();
    let document = AnalyzeDocument {
        schema_version: SCHEMA_VERSION,
        tool: &TOOL,
        input: display_path(&analysis.input),
        config: analysis.layout.config.as_deref().map(display_path),
        version_locations: analysis
            .layout
            .version_locations
            .iter()
            .map(|p| display_path(p))
            .collect(),
        summary: &analysis.summary,
        heads: &graph.heads,
        bases: &graph.bases,
        merge_points: &graph.merge_points,
        branch_points: &graph.branch_points,
        cycles: &graph.cycles,
        branch_labels: &graph.labels,
        diagnostics: seq(analysis.diagnostics.iter().map(|d| diagnostic(d, &locator))),
        tables: &report.tables,
        churn: report.churn.iter().map(|c| churn(c, &locator)).collect(),
        raw_sql: &report.raw_sql,
        data_migrations: report
            .data_migrations
            .iter()
            .map(|data| DataMigrationView {
                data,
                path: locator.path(data.file),
                line: locator.position(data.file, data.span.start).line,
            })
            .collect(),
        opaque_operations: report
            .opaque_operations
            .iter()
            .map(|(method, count)| Opaque {
                method,
                count: *count,
            })
            .collect(),
        upgrade_order: &graph.upgrade_order,
        revisions: seq(kept
            .into_iter()
            .map(|i| revision(analysis, i, &analysis.files[i], &locator))),
    };
    finish(out, &document)
}

#[derive(Serialize)]
struct CheckSummary {
    revision_files: usize,
    revisions: usize,
    counts: Counts,
}

#[derive(Serialize)]
struct CheckDocument<'a, Diagnostics: Serialize> {
    schema_version: u32,
    tool: &'a Tool,
    input: String,
    summary: CheckSummary,
    heads: &'a [String],
    diagnostics: Diagnostics,
}

/// `migsquash check --format json`.
pub fn check(analysis: &Analysis, out: impl Write) -> std::io::Result<()> {
    let locator = Locator::new(analysis);
    let document = CheckDocument {
        schema_version: SCHEMA_VERSION,
        tool: &TOOL,
        input: display_path(&analysis.input),
        summary: CheckSummary {
            revision_files: analysis.files.len(),
            revisions: analysis.graph.nodes.len(),
            counts: Counts::of(analysis),
        },
        heads: &analysis.graph.heads,
        diagnostics: seq(analysis.diagnostics.iter().map(|d| diagnostic(d, &locator))),
    };
    finish(out, &document)
}
