//! The JSON reports (documented in docs/json.md). Revision ids are always
//! strings; every list is in a stable order. The document is streamed to
//! the writer from borrowed views: a 10k-revision history is never held
//! twice in memory. The outer levels are indented; operations and other
//! records nested deeper are written one per line, since indenting every
//! span and flag made the document several times the size of the history.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Write;

use serde::{Serialize, Serializer};

use super::{Counts, Locator, Position, display_path};
use crate::Analysis;
use crate::analysis::{Churn, SqlKindStats, Summary, TableStats};
use crate::diagnostic::{Diagnostic, Severity};
use crate::ir::{Argument, ColumnDef, OpContext, OpKind, Operation, Phase, RevisionFile, Spanned};
use crate::python::Span;
use crate::sql::SqlInfo;

/// Bumped when a key of `analyze`'s document changes meaning or
/// disappears. 2: an operation's `args` only with `Detail::Full`.
pub const SCHEMA_VERSION: u32 = 2;

/// The same for `check`'s document, which version 2 did not change.
pub const CHECK_SCHEMA_VERSION: u32 = 1;

/// How much of each operation `analyze` writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Detail {
    /// What each operation is, where, on what: no `args`.
    #[default]
    Compact,
    /// Every argument's source text as well (`args`): it is most of the
    /// document, and every revision file has to be read for it.
    Full,
}

/// Containers this deep or shallower are indented, one value a line;
/// deeper ones (an operation in `revisions[].operations`, a related
/// location, a churn step) are written on one line.
const INDENTED_DEPTH: usize = 4;

/// serde_json's pretty layout down to `INDENTED_DEPTH`, its compact one
/// below.
#[derive(Default)]
struct Layout {
    depth: usize,
    has_value: bool,
}

impl Layout {
    fn indented(&self) -> bool {
        self.depth <= INDENTED_DEPTH
    }

    fn newline<W: ?Sized + Write>(&self, writer: &mut W, depth: usize) -> std::io::Result<()> {
        writer.write_all(b"\n")?;
        for _ in 0..depth {
            writer.write_all(b"  ")?;
        }
        Ok(())
    }

    fn begin<W: ?Sized + Write>(&mut self, writer: &mut W, open: &[u8]) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(open)
    }

    fn end<W: ?Sized + Write>(&mut self, writer: &mut W, close: &[u8]) -> std::io::Result<()> {
        let indented = self.indented();
        self.depth -= 1;
        if indented && self.has_value {
            self.newline(writer, self.depth)?;
        }
        writer.write_all(close)
    }

    fn item<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> std::io::Result<()> {
        if !first {
            writer.write_all(b",")?;
        }
        if self.indented() {
            self.newline(writer, self.depth)?;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for Layout {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.begin(writer, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.end(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.begin(writer, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.end(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        writer.write_all(if self.indented() { b": " } else { b":" })
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

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
    #[serde(skip_serializing_if = "Option::is_none")]
    args: Option<Args>,
    span: Span,
    /// Where the call starts (`column` is the operation's column name).
    location: Position,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    unresolved: &'a [std::borrow::Cow<'static, str>],
}

fn operation<'a>(
    op: &'a Operation,
    file: &'a RevisionFile,
    index: usize,
    detail: Detail,
    locator: &Locator,
) -> OperationView<'a, impl Serialize + 'a> {
    let pos = locator.position(index, op.span.start);
    let args = (detail == Detail::Full).then(|| {
        let source = file.source();
        seq(op.args.iter().map(move |arg: &'a Argument| ArgumentView {
            keyword: arg.keyword.map(|k| k.text(source)),
            text: arg.span.text(source),
            span: arg.span,
        }))
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
        args,
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
    detail: Detail,
    locator: &'a Locator<'a>,
) -> RevisionView<'a, impl Serialize + 'a> {
    let id = file.revision_id().unwrap_or_default();
    let graph = &analysis.graph;
    let has = |list: &[String]| list.binary_search_by(|x| x.as_str().cmp(id)).is_ok();
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
            .map(move |op| operation(op, file, index, detail, locator))),
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
    table_renamed_to: Option<&'a str>,
    object: Option<&'a str>,
    steps: Vec<StepView<'a>>,
    cancelling_operations: usize,
}

fn churn<'a>(c: &'a Churn, locator: &Locator) -> ChurnView<'a> {
    ChurnView {
        kind: c.kind,
        description: c.kind.describe(),
        table: &c.table,
        table_renamed_to: c.table_renamed_to.as_deref(),
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
    revision: &'a str,
    kind: crate::analysis::DataMigrationKind,
    phase: crate::ir::Phase,
    detail: &'a str,
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
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, Layout::default());
    document.serialize(&mut serializer)?;
    out.write_all(b"\n")
}

/// `migsquash analyze --format json`.
pub fn analyze(analysis: &Analysis, detail: Detail, out: impl Write) -> std::io::Result<()> {
    if detail == Detail::Full {
        // Arguments are shown as written: read the sources the analysis
        // did not keep, in parallel, before writing in order.
        rayon::iter::ParallelIterator::for_each(
            rayon::iter::IntoParallelRefIterator::par_iter(&analysis.files),
            |file| {
                file.source();
            },
        );
    }
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
                revision: &data.revision,
                kind: data.kind,
                phase: data.phase,
                detail: &data.detail,
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
            .map(|i| revision(analysis, i, &analysis.files[i], detail, &locator))),
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
        schema_version: CHECK_SCHEMA_VERSION,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outer_levels_are_indented_and_deeper_records_take_one_line() {
        let value = serde_json::json!({
            "empty": [],
            "revisions": [{
                "revision": "a",
                "operations": [
                    {"kind": "add_column", "span": {"start": 1, "end": 2}, "none": {}},
                    {"kind": "drop_column", "list": [1, [2, 3]]}
                ]
            }]
        });
        let mut out = Vec::new();
        finish(&mut out, &value).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            value
        );
        assert_eq!(
            text,
            r#"{
  "empty": [],
  "revisions": [
    {
      "operations": [
        {"kind":"add_column","none":{},"span":{"end":2,"start":1}},
        {"kind":"drop_column","list":[1,[2,3]]}
      ],
      "revision": "a"
    }
  ]
}
"#
        );
    }
}
