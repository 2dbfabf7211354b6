//! `migsquash analyze --format markdown`: a report a team can commit to its
//! docs. Deterministic: no timestamps, stable order.

use std::fmt::Write;

use super::{Locator, display_path, printable};
use crate::Analysis;

/// Text from the history in a table cell: one line (control characters
/// escaped, see `printable`), `|` escaped so it cannot end the cell.
fn cell(text: &str) -> String {
    printable(text).replace('|', "\\|")
}

pub fn analyze(analysis: &Analysis) -> String {
    let locator = Locator::new(analysis);
    let graph = &analysis.graph;
    let summary = &analysis.summary;
    let report = &analysis.report;
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "# Alembic history report: `{}`\n",
        printable(&display_path(&analysis.input))
    );
    let _ = writeln!(w, "| | |\n|---|---|");
    let _ = writeln!(w, "| Revision files | {} |", summary.revision_files);
    let _ = writeln!(w, "| Revisions | {} |", summary.revisions);
    let _ = writeln!(w, "| Merge revisions | {} |", summary.merge_revisions);
    let code_list = |ids: &[String]| {
        ids.iter()
            .map(|i| format!("`{}`", cell(i)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(w, "| Heads | {} |", code_list(&graph.heads));
    let _ = writeln!(w, "| Bases | {} |", code_list(&graph.bases));
    let _ = writeln!(w, "| Branch points | {} |", graph.branch_points.len());
    let _ = writeln!(
        w,
        "| Longest chain | {} |",
        super::plural(summary.longest_chain, "revision")
    );
    let _ = writeln!(w, "| Upgrade operations | {} |", summary.upgrade_operations);
    let _ = writeln!(
        w,
        "| Raw SQL (`op.execute`) | {} ({} kept verbatim) |",
        summary.raw_sql, summary.raw_sql_unparsed
    );
    let _ = writeln!(w, "| Data migrations | {} |", summary.data_migrations);
    let squash = &summary.squash;
    let after = match squash.operations_after {
        Some(after) => after.to_string(),
        None => format!("at most {}", squash.operations_after_at_most),
    };
    let _ = writeln!(
        w,
        "| Squash | {} → 1; {} → {after} |",
        super::plural(squash.revision_files_before, "file"),
        super::plural(squash.operations_before, "operation"),
    );

    let _ = writeln!(w, "\n## Operations per table\n");
    let _ = writeln!(
        w,
        "| Table | Operations | Revisions | Most frequent |\n|---|---:|---:|---|"
    );
    for table in &report.tables {
        let kinds: Vec<String> = table
            .most_frequent(3)
            .iter()
            .map(|(k, n)| format!("`{k}` {n}"))
            .collect();
        let _ = writeln!(
            w,
            "| `{}` | {} | {} | {} |",
            cell(&table.table),
            table.operations,
            table.revisions,
            kinds.join(", ")
        );
    }

    let _ = writeln!(w, "\n## Churn\n");
    if report.churn.is_empty() {
        let _ = writeln!(w, "None found.");
    } else {
        let _ = writeln!(w, "| Object | What | Steps |\n|---|---|---|");
        for churn in &report.churn {
            let steps: Vec<String> = churn
                .steps
                .iter()
                .map(|s| {
                    let line = locator.position(s.file, s.span.start).line;
                    // `<br>` joins the steps: each is escaped on its own.
                    cell(&format!(
                        "{} in `{}` ({}:{line})",
                        s.action,
                        s.revision,
                        locator.path(s.file)
                    ))
                })
                .collect();
            let _ = writeln!(
                w,
                "| `{}` | {} | {} |",
                cell(&churn.subject()),
                churn.kind.describe(),
                steps.join("<br>")
            );
        }
    }

    let _ = writeln!(w, "\n## Raw SQL by statement kind\n");
    if report.raw_sql.is_empty() {
        let _ = writeln!(w, "None.");
    } else {
        let _ = writeln!(w, "| Kind | Count | Kept verbatim |\n|---|---:|---:|");
        for kind in &report.raw_sql {
            let _ = writeln!(
                w,
                "| `{}` | {} | {} |",
                cell(&kind.kind),
                kind.count,
                kind.unparsed
            );
        }
    }

    let _ = writeln!(w, "\n## Data migrations\n");
    if report.data_migrations.is_empty() {
        let _ = writeln!(w, "None.");
    } else {
        let _ = writeln!(w, "| Revision | Phase | What | Where |\n|---|---|---|---|");
        for data in &report.data_migrations {
            let line = locator.position(data.file, data.span.start).line;
            let _ = writeln!(
                w,
                "| `{}` | {} | {} | `{}:{line}` |",
                cell(&data.revision),
                format!("{:?}", data.phase).to_lowercase(),
                cell(&data.detail),
                cell(&locator.path(data.file))
            );
        }
    }

    let _ = writeln!(w, "\n## Diagnostics\n");
    if analysis.diagnostics.is_empty() {
        let _ = writeln!(w, "None.");
    } else {
        let _ = writeln!(
            w,
            "| Severity | Code | Message | Where |\n|---|---|---|---|"
        );
        for d in &analysis.diagnostics {
            let place = d
                .location
                .as_ref()
                .map(|loc| {
                    format!(
                        "`{}:{}`",
                        cell(&locator.path(loc.file)),
                        locator.start(loc).line
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(
                w,
                "| {} | `{}` {} | {} | {place} |",
                d.severity.as_str(),
                d.code,
                d.name,
                cell(&d.message)
            );
        }
    }
    out
}
