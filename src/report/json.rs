//! The JSON reports (documented in docs/json.md). Revision ids are always
//! strings; every list is in a stable order.

use serde::Serialize;
use serde_json::{Value, json};

use super::{Counts, Locator, display_path};
use crate::Analysis;
use crate::analysis::{Churn, DataMigration};
use crate::diagnostic::Diagnostic;
use crate::ir::{Operation, RevisionFile};

/// Bumped when a key changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

fn tool() -> Value {
    json!({ "name": "migsquash", "version": env!("CARGO_PKG_VERSION") })
}

pub fn diagnostics(analysis: &Analysis, locator: &Locator) -> Vec<Value> {
    analysis
        .diagnostics
        .iter()
        .map(|d| diagnostic(d, locator))
        .collect()
}

fn diagnostic(d: &Diagnostic, locator: &Locator) -> Value {
    let (path, start, end) = match &d.location {
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
    let related: Vec<Value> = d
        .related
        .iter()
        .map(|r| {
            let pos = locator.start(&r.location);
            json!({ "path": locator.path(r.location.file), "line": pos.line, "column": pos.column, "message": r.label })
        })
        .collect();
    json!({
        "code": d.code,
        "name": d.name,
        "severity": d.severity,
        "message": d.message,
        "path": path,
        "line": start.map(|p| p.line),
        "column": start.map(|p| p.column),
        "end_line": end.map(|p| p.line),
        "end_column": end.map(|p| p.column),
        "revision": d.revision,
        "help": d.help,
        "related": related,
    })
}

fn operation(op: &Operation, file: usize, locator: &Locator) -> Value {
    let mut value = serde_json::to_value(op).expect("operation serializes");
    let pos = locator.position(file, op.span.start);
    let object = value.as_object_mut().expect("object");
    object.insert("line".into(), pos.line.into());
    object.insert("column".into(), pos.column.into());
    value
}

fn revision(analysis: &Analysis, index: usize, file: &RevisionFile, locator: &Locator) -> Value {
    let id = file.revision_id().unwrap_or_default();
    let graph = &analysis.graph;
    let values = |list: &[crate::ir::Spanned<String>]| {
        list.iter().map(|s| s.value.clone()).collect::<Vec<_>>()
    };
    let has = |list: &[String]| list.binary_search_by(|x| x.as_str().cmp(id)).is_ok();
    json!({
        "revision": id,
        "down_revisions": values(&file.header.down_revisions),
        "depends_on": values(&file.header.depends_on),
        "branch_labels": values(&file.header.branch_labels),
        "path": locator.path(index),
        "message": file.header.message,
        "is_head": has(&graph.heads),
        "is_base": has(&graph.bases),
        "is_merge_point": has(&graph.merge_points),
        "is_branch_point": has(&graph.branch_points),
        "operations": file.operations.iter().map(|op| operation(op, index, locator)).collect::<Vec<_>>(),
    })
}

fn churn(c: &Churn, locator: &Locator) -> Value {
    let steps: Vec<Value> = c
        .steps
        .iter()
        .map(|s| {
            let pos = locator.position(s.file, s.span.start);
            json!({ "revision": s.revision, "path": locator.path(s.file), "line": pos.line, "action": s.action })
        })
        .collect();
    json!({
        "kind": c.kind,
        "description": c.kind.describe(),
        "table": c.table,
        "object": c.object,
        "steps": steps,
        "cancelling_operations": c.cancelling_operations,
    })
}

fn data_migration(d: &DataMigration, locator: &Locator) -> Value {
    let pos = locator.position(d.file, d.span.start);
    let mut value = serde_json::to_value(d).expect("serializes");
    let object = value.as_object_mut().expect("object");
    object.insert("path".into(), locator.path(d.file).into());
    object.insert("line".into(), pos.line.into());
    value
}

#[derive(Serialize)]
struct Opaque<'a> {
    method: &'a str,
    count: usize,
}

/// `migsquash analyze --format json`.
pub fn analyze(analysis: &Analysis) -> Value {
    let locator = Locator::new(analysis);
    let graph = &analysis.graph;
    let revisions: Vec<Value> = graph
        .nodes
        .values()
        .map(|&n| graph.dag[n])
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|i| revision(analysis, i, &analysis.files[i], &locator))
        .collect();
    let report = &analysis.report;
    json!({
        "schema_version": SCHEMA_VERSION,
        "tool": tool(),
        "input": display_path(&analysis.input),
        "config": analysis.layout.config.as_deref().map(display_path),
        "version_locations": analysis.layout.version_locations.iter().map(|p| display_path(p)).collect::<Vec<_>>(),
        "revisions": revisions,
        "heads": graph.heads,
        "bases": graph.bases,
        "merge_points": graph.merge_points,
        "branch_points": graph.branch_points,
        "upgrade_order": graph.upgrade_order,
        "cycles": graph.cycles,
        "branch_labels": graph.labels,
        "tables": report.tables,
        "churn": report.churn.iter().map(|c| churn(c, &locator)).collect::<Vec<_>>(),
        "raw_sql": report.raw_sql,
        "data_migrations": report.data_migrations.iter().map(|d| data_migration(d, &locator)).collect::<Vec<_>>(),
        "opaque_operations": report.opaque_operations.iter().map(|(m, c)| Opaque { method: m, count: *c }).collect::<Vec<_>>(),
        "diagnostics": diagnostics(analysis, &locator),
        "summary": analysis.summary,
    })
}

/// `migsquash check --format json`.
pub fn check(analysis: &Analysis) -> Value {
    let locator = Locator::new(analysis);
    json!({
        "schema_version": SCHEMA_VERSION,
        "tool": tool(),
        "input": display_path(&analysis.input),
        "heads": analysis.graph.heads,
        "diagnostics": diagnostics(analysis, &locator),
        "summary": {
            "revision_files": analysis.files.len(),
            "revisions": analysis.graph.nodes.len(),
            "counts": Counts::of(analysis),
        },
    })
}
