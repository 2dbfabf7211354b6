//! Human-readable output. Styled with ANSI escapes; the CLI prints through
//! `anstream`, which strips them when the output is not a terminal or
//! `NO_COLOR` is set.

use std::fmt::Write;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use anstyle::{AnsiColor, Style};

use super::{Counts, Locator, display_path, plural, printable};
use crate::Analysis;
use crate::diagnostic::{Diagnostic, Severity};

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const GREEN: Style = AnsiColor::Green.on_default().bold();
const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
const CYAN: Style = AnsiColor::Cyan.on_default();

/// Applies styles when colors are on; the CLI decides (terminal, NO_COLOR,
/// `--color`), so nothing has to strip escapes afterwards.
#[derive(Clone, Copy)]
struct Painter {
    color: bool,
}

impl Painter {
    fn paint(self, style: Style, text: impl std::fmt::Display) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }
}

/// Every diagnostic with its source snippet, then a one-line verdict.
pub fn diagnostics(analysis: &Analysis, color: bool) -> String {
    let p = Painter { color };
    let mut out = diagnostic_list(analysis, &analysis.diagnostics, color);
    out.push_str(&verdict(analysis, p));
    out
}

/// `diagnostics` (of the analysis or of a later stage), each with its
/// source snippet.
pub fn diagnostic_list(analysis: &Analysis, diagnostics: &[Diagnostic], color: bool) -> String {
    let locator = Locator::new(analysis);
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    // Each file's text as annotate-snippets is given it, made once.
    let mut sources = std::collections::HashMap::new();
    for d in diagnostics {
        let files = d
            .location
            .iter()
            .chain(d.related.iter().map(|r| &r.location));
        for location in files.filter(|l| l.span.is_some()) {
            sources
                .entry(location.file)
                .or_insert_with(|| super::snippet_source(analysis.files[location.file].source()));
        }
    }
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&renderer.render(&diagnostic_report(d, &sources, &locator)));
        out.push_str("\n\n");
    }
    out
}

/// What `consolidate` did, in a few lines.
pub fn consolidation(
    analysis: &Analysis,
    summary: &crate::consolidate::Summary,
    color: bool,
) -> String {
    let p = Painter { color };
    let mut w = String::new();
    let _ = writeln!(
        w,
        "{} {}, {} → {} in one baseline ({})",
        p.paint(GREEN, "✓"),
        plural(summary.replaced_revisions, "revision"),
        plural(summary.operations_before, "operation"),
        plural(summary.operations_after, "operation"),
        printable(&summary.revision)
    );
    let folded: Vec<String> = summary
        .per_table
        .iter()
        .filter(|t| t.operations > t.statements)
        .map(|t| format!("{} {}→{}", printable(&t.table), t.operations, t.statements))
        .collect();
    if !folded.is_empty() {
        let _ = writeln!(w, "  folded per table: {}", folded.join(", "));
    }
    if summary.kept_verbatim > 0 {
        let _ = writeln!(
            w,
            "  kept as written, after the tables: {}",
            plural(summary.kept_verbatim, "statement")
        );
    }
    let _ = analysis;
    w
}

fn diagnostic_report<'a>(
    d: &'a Diagnostic,
    sources: &'a std::collections::HashMap<usize, (std::borrow::Cow<'_, str>, u32)>,
    locator: &Locator,
) -> Vec<Group<'a>> {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    };
    let title = level
        .primary_title(printable(&d.message).into_owned())
        .id(d.code);
    let mut group = Group::with_title(title);
    let snippet_for =
        |file: usize, span: Option<crate::python::Span>, label: Option<&'a str>, primary: bool| {
            let path = printable(&locator.path(file)).into_owned();
            match span {
                Some(span) => {
                    let (source, cut) = &sources[&file];
                    let span = crate::python::Span::new(
                        span.start.saturating_sub(*cut),
                        span.end.saturating_sub(*cut),
                    );
                    let kind = if primary {
                        AnnotationKind::Primary
                    } else {
                        AnnotationKind::Context
                    };
                    let mut annotation = kind.span(super::char_range(source, span));
                    if let Some(label) = label {
                        annotation = annotation.label(printable(label));
                    }
                    Some(
                        Snippet::source(source.as_ref())
                            .path(path)
                            .annotation(annotation),
                    )
                }
                None => Some(Snippet::source("").path(path)),
            }
        };
    if let Some(loc) = &d.location
        && let Some(snippet) = snippet_for(loc.file, loc.span, d.label.as_deref(), true)
    {
        group = group.element(snippet);
    }
    for related in &d.related {
        if let Some(snippet) = snippet_for(
            related.location.file,
            related.location.span,
            Some(related.label.as_str()),
            false,
        ) {
            group = group.element(snippet);
        }
    }
    let mut groups = vec![group];
    if let Some(help) = &d.help {
        groups.push(Group::with_title(
            Level::HELP.secondary_title(printable(help)),
        ));
    }
    groups
}

fn verdict(analysis: &Analysis, p: Painter) -> String {
    let counts = Counts::of(analysis);
    let scope = format!(
        "{} in {}",
        plural(analysis.graph.nodes.len(), "revision"),
        printable(&display_path(&analysis.input))
    );
    if counts.errors + counts.warnings + counts.infos == 0 {
        return format!("{} no problems: {scope}\n", p.paint(GREEN, "✓"));
    }
    let mut parts = Vec::new();
    if counts.errors > 0 {
        parts.push(p.paint(RED, plural(counts.errors, "error")));
    }
    if counts.warnings > 0 {
        parts.push(p.paint(YELLOW, plural(counts.warnings, "warning")));
    }
    if counts.infos > 0 {
        parts.push(plural(counts.infos, "note"));
    }
    let mark = if counts.errors > 0 {
        p.paint(RED, "✗")
    } else {
        p.paint(YELLOW, "!")
    };
    format!("{mark} {}: {scope}\n", parts.join(", "))
}

/// How many churn items and data migrations the text report lists; JSON
/// and Markdown list them all.
const TEXT_LIST_LIMIT: usize = 30;

fn more(w: &mut String, p: Painter, total: usize) {
    if total > TEXT_LIST_LIMIT {
        let _ = writeln!(
            w,
            "  {}",
            p.paint(
                DIM,
                format!(
                    "… {} more (all of them in --format json or markdown)",
                    total - TEXT_LIST_LIMIT
                )
            )
        );
    }
}

/// `migsquash analyze`: the whole report.
pub fn analyze(analysis: &Analysis, color: bool) -> String {
    let p = Painter { color };
    let locator = Locator::new(analysis);
    let graph = &analysis.graph;
    let summary = &analysis.summary;
    let report = &analysis.report;
    let mut out = String::new();
    let w = &mut out;
    let heading = |w: &mut String, title: &str| {
        let _ = writeln!(w, "\n{}", p.paint(BOLD, title));
    };
    let list = |ids: &[String]| -> String {
        const SHOWN: usize = 6;
        let mut text = ids
            .iter()
            .take(SHOWN)
            .map(|id| printable(id))
            .collect::<Vec<_>>()
            .join(", ");
        if ids.len() > SHOWN {
            let _ = write!(text, ", … ({} more)", ids.len() - SHOWN);
        }
        text
    };

    let _ = writeln!(
        w,
        "{} {}",
        p.paint(BOLD, "Alembic history"),
        printable(&display_path(&analysis.input))
    );
    if let Some(config) = &analysis.layout.config {
        let _ = writeln!(
            w,
            "  {} {}",
            p.paint(DIM, "config        "),
            printable(&display_path(config))
        );
    }
    let _ = writeln!(
        w,
        "  {} {} ({}), {}",
        p.paint(DIM, "revisions     "),
        summary.revisions,
        plural(summary.merge_revisions, "merge revision"),
        plural(summary.revision_files, "file")
    );
    let head_style = if graph.heads.len() > 1 {
        YELLOW
    } else {
        Style::new()
    };
    let _ = writeln!(
        w,
        "  {} {}: {}",
        p.paint(DIM, "heads         "),
        p.paint(head_style, graph.heads.len()),
        list(&graph.heads)
    );
    let _ = writeln!(
        w,
        "  {} {}: {}",
        p.paint(DIM, "bases         "),
        graph.bases.len(),
        list(&graph.bases)
    );
    let _ = writeln!(
        w,
        "  {} {}",
        p.paint(DIM, "branch points "),
        graph.branch_points.len()
    );
    let _ = writeln!(
        w,
        "  {} {}",
        p.paint(DIM, "longest chain "),
        plural(summary.longest_chain, "revision")
    );
    let _ = writeln!(
        w,
        "  {} {} upgrade, {} downgrade",
        p.paint(DIM, "operations    "),
        summary.upgrade_operations,
        summary.downgrade_operations
    );

    if !report.tables.is_empty() {
        heading(w, "Operations per table (upgrade, most-touched first)");
        let width = report
            .tables
            .iter()
            .take(15)
            .map(|t| printable(&t.table).chars().count())
            .max()
            .unwrap_or(0);
        for table in report.tables.iter().take(15) {
            let kinds: Vec<String> = table
                .most_frequent(4)
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            let _ = writeln!(
                w,
                "  {:<width$}  {:>4} {:<3} in {:>3} {:<9}  {}",
                printable(&table.table),
                table.operations,
                if table.operations == 1 { "op" } else { "ops" },
                table.revisions,
                if table.revisions == 1 {
                    "revision"
                } else {
                    "revisions"
                },
                p.paint(DIM, kinds.join(", "))
            );
        }
        if report.tables.len() > 15 {
            let _ = writeln!(
                w,
                "  {}",
                p.paint(DIM, format!("… {} more tables", report.tables.len() - 15))
            );
        }
    }

    heading(w, &format!("Churn ({})", report.churn.len()));
    if report.churn.is_empty() {
        let _ = writeln!(w, "  none found");
    }
    for churn in report.churn.iter().take(TEXT_LIST_LIMIT) {
        let _ = writeln!(
            w,
            "  {} — {}",
            p.paint(CYAN, printable(&churn.subject())),
            churn.kind.describe()
        );
        for step in &churn.steps {
            let pos = locator.position(step.file, step.span.start);
            let _ = writeln!(
                w,
                "      {:<28} {} {}",
                printable(&step.action),
                printable(&step.revision),
                p.paint(
                    DIM,
                    format!("{}:{}", printable(&locator.path(step.file)), pos.line)
                )
            );
        }
    }
    more(w, p, report.churn.len());

    heading(
        w,
        &format!(
            "Raw SQL ({}; {} kept verbatim, {} built at run time)",
            plural(summary.raw_sql, "op.execute call"),
            summary.raw_sql_unparsed,
            summary.dynamic_sql
        ),
    );
    if report.raw_sql.is_empty() {
        let _ = writeln!(w, "  none");
    }
    for kind in &report.raw_sql {
        let unparsed = if kind.unparsed > 0 {
            p.paint(
                DIM,
                format!(
                    "  ({} not understood by the SQL parser, kept verbatim)",
                    kind.unparsed
                ),
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            w,
            "  {:<24} {:>4}{unparsed}",
            printable(&kind.kind),
            kind.count
        );
    }

    heading(
        w,
        &format!("Data migrations ({})", report.data_migrations.len()),
    );
    if report.data_migrations.is_empty() {
        let _ = writeln!(w, "  none");
    }
    for data in report.data_migrations.iter().take(TEXT_LIST_LIMIT) {
        let pos = locator.position(data.file, data.span.start);
        let _ = writeln!(
            w,
            "  {} {:<9} {}  {}",
            printable(&data.revision),
            format!("{:?}", data.phase).to_lowercase(),
            printable(&data.detail),
            p.paint(
                DIM,
                format!("{}:{}", printable(&locator.path(data.file)), pos.line)
            )
        );
    }

    more(w, p, report.data_migrations.len());

    if !report.opaque_operations.is_empty() {
        heading(w, "Plugin and unknown operations (kept as written)");
        for (method, count) in &report.opaque_operations {
            let _ = writeln!(w, "  op.{:<28} {count:>4}", printable(method));
        }
    }

    let squash = &summary.squash;
    heading(w, "What a squash would save");
    match squash.operations_after {
        Some(after) => {
            let _ = writeln!(
                w,
                "  {} → 1 baseline; {} → {} (`migsquash consolidate{}` writes it)",
                plural(squash.revision_files_before, "revision file"),
                plural(squash.operations_before, "upgrade operation"),
                after,
                if summary.heads > 1 {
                    " --merge-heads"
                } else {
                    ""
                }
            );
        }
        None => {
            let _ = writeln!(
                w,
                "  {} → 1 baseline; {} → at most {} ({} cancel out through churn)",
                plural(squash.revision_files_before, "revision file"),
                plural(squash.operations_before, "upgrade operation"),
                squash.operations_after_at_most,
                squash.operations_cancelled
            );
            if squash.replay_blockers > 0 {
                let _ = writeln!(
                    w,
                    "  {} cannot be known statically: `migsquash consolidate` shows where, and how to squash up to them",
                    plural(squash.replay_blockers, "operation")
                );
            }
        }
    }

    heading(w, &format!("Diagnostics ({})", analysis.diagnostics.len()));
    out.push_str(&diagnostics(analysis, color));
    out
}
