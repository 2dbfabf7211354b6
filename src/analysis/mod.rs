//! What the history contains: per-table operation counts, raw SQL, data
//! migrations, churn, and what a squash would save.

pub mod churn;

use std::collections::BTreeMap;

use petgraph::Direction;
use petgraph::visit::EdgeRef;
use serde::{Deserialize, Serialize};

use crate::graph::{EdgeKind, RevisionGraph};
use crate::ir::{OpKind, Operation, Phase, RevisionFile};
use crate::python::Span;

pub use churn::{Churn, ChurnKind};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableStats {
    pub table: String,
    pub operations: usize,
    /// Revisions that touch the table.
    pub revisions: usize,
    pub by_kind: BTreeMap<String, usize>,
}

impl TableStats {
    /// The `n` most frequent operation methods on the table, with counts.
    pub fn most_frequent(&self, n: usize) -> Vec<(&str, usize)> {
        let mut kinds: Vec<(&str, usize)> =
            self.by_kind.iter().map(|(k, c)| (k.as_str(), *c)).collect();
        kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        kinds.truncate(n);
        kinds
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SqlKindStats {
    pub kind: String,
    pub count: usize,
    /// How many sqlparser could not parse (kept verbatim).
    pub unparsed: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataMigrationKind {
    BulkInsert,
    GetBind,
    /// INSERT/UPDATE/DELETE… through `op.execute`.
    Dml,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DataMigration {
    pub revision: String,
    pub kind: DataMigrationKind,
    pub phase: Phase,
    pub file: usize,
    pub span: Span,
    pub detail: String,
}

/// What a squash would save: an estimate from churn (merges and churn
/// disappear), and the exact figure from replay when it succeeds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SquashEstimate {
    pub revision_files_before: usize,
    pub revision_files_after: usize,
    pub operations_before: usize,
    /// Operations that churn cancels out (at least this many go away).
    pub operations_cancelled: usize,
    pub operations_after_at_most: usize,
    /// Operations in the baseline `consolidate` would write, from replaying
    /// the history; `None` when it would refuse (`replay_blockers`
    /// operations cannot be known statically, or the history has errors).
    pub operations_after: Option<usize>,
    pub replay_blockers: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub revision_files: usize,
    pub revisions: usize,
    pub merge_revisions: usize,
    pub heads: usize,
    pub bases: usize,
    /// Revisions in the longest `down_revision` chain.
    pub longest_chain: usize,
    pub upgrade_operations: usize,
    pub downgrade_operations: usize,
    pub raw_sql: usize,
    pub raw_sql_unparsed: usize,
    pub dynamic_sql: usize,
    pub data_migrations: usize,
    pub opaque_operations: usize,
    pub diagnostics: BTreeMap<String, usize>,
    pub squash: SquashEstimate,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HistoryReport {
    pub tables: Vec<TableStats>,
    pub raw_sql: Vec<SqlKindStats>,
    pub data_migrations: Vec<DataMigration>,
    /// Plugin and unknown operations, by method: (method, count).
    pub opaque_operations: Vec<(String, usize)>,
    pub churn: Vec<Churn>,
    pub longest_chain: usize,
    /// What the summary counts in the upgrade operations: with the rest,
    /// kept for a history whose files did not change (a warm run decodes
    /// no operation).
    pub counts: OperationCounts,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct OperationCounts {
    pub upgrade: usize,
    pub raw_sql: usize,
    pub raw_sql_unparsed: usize,
    pub dynamic_sql: usize,
}

impl HistoryReport {
    /// The report in the form the cache keeps.
    pub fn encode(&self) -> Option<Vec<u8>> {
        postcard::to_stdvec(self).ok()
    }

    pub fn decode(bytes: &[u8]) -> Option<Self> {
        postcard::from_bytes(bytes).ok()
    }
}

/// Per table: operation count, count per method, revisions (file indices).
/// Hashed while counting; sorted when turned into `TableStats`.
type TableTally<'a> = (
    usize,
    rustc_hash::FxHashMap<&'a str, usize>,
    rustc_hash::FxHashSet<usize>,
);

pub fn report(files: &[RevisionFile], graph: &RevisionGraph) -> HistoryReport {
    // Churn follows the upgrade order; the statistics below do not need it.
    let (churn, mut report) =
        rayon::join(|| churn::find(files, graph), || statistics(files, graph));
    report.churn = churn;
    report
}

/// Everything in the report but churn.
fn statistics(files: &[RevisionFile], graph: &RevisionGraph) -> HistoryReport {
    // Hashed while counting (thousands of lookups), sorted once below.
    let mut tables: rustc_hash::FxHashMap<String, TableTally> = Default::default();
    let mut sql: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut data = Vec::new();
    let mut opaque: BTreeMap<String, usize> = BTreeMap::new();

    for (id, &node) in &graph.nodes {
        let index = graph.dag[node];
        let file = &files[index];
        for op in file.upgrade_ops() {
            for table in tables_of(op) {
                // Look up before inserting: most keys exist already.
                let entry = match tables.get_mut(table.as_ref()) {
                    Some(entry) => entry,
                    None => tables.entry(table.into_owned()).or_default(),
                };
                entry.0 += 1;
                *entry.1.entry(op.method()).or_default() += 1;
                entry.2.insert(index);
            }
            if op.kind == OpKind::Other {
                *opaque.entry(op.method().to_owned()).or_default() += 1;
            }
            if let Some(info) = &op.sql {
                for statement in &info.statements {
                    let entry = sql.entry(statement.kind.clone()).or_default();
                    entry.0 += 1;
                    // Only SQL text can be kept verbatim: not SQL built at
                    // run time, nor a SQLAlchemy Core statement.
                    entry.1 += usize::from(info.text.is_some() && !statement.parsed);
                }
                if info.dynamic && info.statements.is_empty() {
                    sql.entry("(dynamic)".to_owned()).or_default().0 += 1;
                }
            }
        }
        // Downgrades are decoded only where they hold data migrations.
        let downgrade: &[Operation] = if file.downgrade_facts().data_migrations {
            file.downgrade_ops()
        } else {
            &[]
        };
        for op in file.upgrade_ops().iter().chain(downgrade) {
            let kind = match op.kind {
                _ if !op.is_data_migration() => continue,
                OpKind::BulkInsert => DataMigrationKind::BulkInsert,
                _ => DataMigrationKind::Dml,
            };
            let detail = match kind {
                DataMigrationKind::BulkInsert => {
                    format!("bulk_insert into {}", op.table.as_deref().unwrap_or("?"))
                }
                _ => op
                    .sql
                    .as_ref()
                    .map(|s| {
                        let kinds = s
                            .statements
                            .iter()
                            .map(|st| st.kind.as_str())
                            .collect::<Vec<_>>()
                            .join(", ");
                        if s.core {
                            format!("{kinds} (SQLAlchemy Core)")
                        } else {
                            kinds
                        }
                    })
                    .unwrap_or_default(),
            };
            data.push(DataMigration {
                revision: id.clone(),
                kind,
                phase: op.phase,
                file: index,
                span: op.span,
                detail,
            });
        }
        for bind in &file.get_bind {
            data.push(DataMigration {
                revision: id.clone(),
                kind: DataMigrationKind::GetBind,
                phase: bind.value,
                file: index,
                span: bind.span,
                detail: "op.get_bind(): runs its own queries".to_owned(),
            });
        }
    }
    let mut tables: Vec<TableStats> = tables
        .into_iter()
        .map(|(table, (operations, by_kind, revisions))| TableStats {
            table,
            operations,
            revisions: revisions.len(),
            by_kind: by_kind
                .into_iter()
                .map(|(method, count)| (method.to_owned(), count))
                .collect(),
        })
        .collect();
    tables.sort_by(|a, b| {
        b.operations
            .cmp(&a.operations)
            .then_with(|| a.table.cmp(&b.table))
    });
    let mut raw_sql: Vec<SqlKindStats> = sql
        .into_iter()
        .map(|(kind, (count, unparsed))| SqlKindStats {
            kind,
            count,
            unparsed,
        })
        .collect();
    raw_sql.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.kind.cmp(&b.kind)));
    data.sort_by_key(|d| (d.file, d.span.start));

    let kept = || graph.nodes.values().map(|&n| &files[graph.dag[n]]);
    let executes = || {
        kept()
            .flat_map(|f| f.upgrade_ops())
            .filter_map(|op| op.sql.as_ref())
    };
    HistoryReport {
        tables,
        raw_sql,
        data_migrations: data,
        opaque_operations: opaque.into_iter().collect(),
        churn: Vec::new(),
        longest_chain: longest_chain(graph),
        counts: OperationCounts {
            upgrade: kept().map(|f| f.upgrade_ops().len()).sum(),
            raw_sql: executes().count(),
            raw_sql_unparsed: executes().filter(|s| s.kept_verbatim()).count(),
            dynamic_sql: executes().filter(|s| s.dynamic).count(),
        },
    }
}

/// The tables an operation touches (schema-qualified when it names a
/// schema): its own, or those its SQL names.
fn tables_of(op: &Operation) -> impl Iterator<Item = std::borrow::Cow<'_, str>> {
    let named = op.table.as_ref().map(|table| match &op.schema {
        Some(schema) => format!("{schema}.{table}").into(),
        None => table.as_str().into(),
    });
    // An operation names its table, or (`execute`) its SQL may name some.
    let from_sql = if named.is_some() {
        Vec::new()
    } else {
        tables_in_sql(op)
    };
    named.into_iter().chain(from_sql)
}

fn tables_in_sql(op: &Operation) -> Vec<std::borrow::Cow<'_, str>> {
    let mut out: Vec<std::borrow::Cow<str>> = op
        .sql
        .iter()
        .flat_map(|s| &s.statements)
        .filter(|s| s.kind.ends_with("TABLE") || s.kind == "CREATE INDEX")
        .flat_map(|s| s.objects.iter().map(|o| o.as_str().into()))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Number of revisions on the longest `down_revision` path.
fn longest_chain(graph: &RevisionGraph) -> usize {
    let mut depth: rustc_hash::FxHashMap<petgraph::graph::NodeIndex, usize> = Default::default();
    let mut best = 0;
    for &node in &graph.upgrade_nodes {
        let d = graph
            .dag
            .edges_directed(node, Direction::Incoming)
            .filter(|e| *e.weight() == EdgeKind::DownRevision)
            .filter_map(|e| depth.get(&e.source()))
            .max()
            .map_or(1, |d| d + 1);
        depth.insert(node, d);
        best = best.max(d);
    }
    best
}

pub fn summary(
    files: &[RevisionFile],
    graph: &RevisionGraph,
    report: &HistoryReport,
    diagnostics: &[crate::diagnostic::Diagnostic],
) -> Summary {
    let kept = || graph.nodes.values().map(|&n| &files[graph.dag[n]]);
    let upgrade_operations = report.counts.upgrade;
    let downgrade_operations = kept().map(|f| f.downgrade_facts().count as usize).sum();
    let cancelled: usize = report.churn.iter().map(|c| c.cancelling_operations).sum();
    let mut by_code: BTreeMap<String, usize> = BTreeMap::new();
    for d in diagnostics {
        *by_code.entry(d.code.to_owned()).or_default() += 1;
    }
    Summary {
        revision_files: files.len(),
        revisions: graph.nodes.len(),
        merge_revisions: graph.merge_points.len(),
        heads: graph.heads.len(),
        bases: graph.bases.len(),
        longest_chain: report.longest_chain,
        upgrade_operations,
        downgrade_operations,
        raw_sql: report.counts.raw_sql,
        raw_sql_unparsed: report.counts.raw_sql_unparsed,
        dynamic_sql: report.counts.dynamic_sql,
        data_migrations: report.data_migrations.len(),
        opaque_operations: report.opaque_operations.iter().map(|(_, n)| n).sum(),
        diagnostics: by_code,
        squash: SquashEstimate {
            revision_files_before: files.len(),
            revision_files_after: 1,
            operations_before: upgrade_operations,
            operations_cancelled: cancelled,
            operations_after_at_most: upgrade_operations.saturating_sub(cancelled),
            operations_after: None,
            replay_blockers: 0,
        },
    }
}
