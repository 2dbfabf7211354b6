//! Churn: schema changes that a later revision undoes. Operations are
//! walked in upgrade order, and each object's history is checked for a
//! change followed by its reversal.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::graph::RevisionGraph;
use crate::ir::{OpKind, Operation, RevisionFile};
use crate::python::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChurnKind {
    /// A column added, then dropped (and maybe added again).
    ColumnAddedDropped,
    /// An index created, then dropped (and maybe recreated).
    IndexCreatedDropped,
    /// A table created, then dropped.
    TableCreatedDropped,
    /// A column's type changed, then changed back.
    TypeFlipFlop,
    /// A column's nullability changed, then changed back.
    NullableFlipFlop,
    /// A table or column renamed, then renamed back.
    RenameRoundTrip,
}

impl ChurnKind {
    pub fn describe(self) -> &'static str {
        match self {
            Self::ColumnAddedDropped => "column added then dropped",
            Self::IndexCreatedDropped => "index created then dropped",
            Self::TableCreatedDropped => "table created then dropped",
            Self::TypeFlipFlop => "type changed and changed back",
            Self::NullableFlipFlop => "nullable changed and changed back",
            Self::RenameRoundTrip => "renamed and renamed back",
        }
    }
}

/// One operation in an object's history.
#[derive(Debug, Clone, Serialize)]
pub struct ChurnStep {
    pub revision: String,
    #[serde(skip)]
    pub file: usize,
    #[serde(skip)]
    pub span: Span,
    /// What happened, e.g. `added`, `type → Text`.
    pub action: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Churn {
    pub kind: ChurnKind,
    pub table: String,
    /// The column, index or renamed name; `None` for a table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    pub steps: Vec<ChurnStep>,
    /// Operations that a squash removes outright (each undone change and
    /// its undoing).
    pub cancelling_operations: usize,
}

type Key = (ChurnKind, String, Option<String>);

/// Finds churn along `graph.upgrade_order`.
pub fn find(files: &[RevisionFile], graph: &RevisionGraph) -> Vec<Churn> {
    let mut histories: BTreeMap<Key, Vec<(ChurnStep, Marker)>> = BTreeMap::new();
    let mut names = Identities::default();
    for revision in &graph.upgrade_order {
        let Some(file_index) = graph.file_of(revision) else {
            continue;
        };
        for op in files[file_index].upgrade_ops() {
            let step = |action: String| ChurnStep {
                revision: revision.clone(),
                file: file_index,
                span: op.span,
                action,
            };
            record(op, &step, &mut names, &mut histories);
        }
    }
    let mut found: Vec<Churn> = histories
        .into_iter()
        .filter_map(|((kind, table, object), steps)| judge(kind, table, object, steps))
        .collect();
    found.sort_by(|a, b| (a.kind, &a.table, &a.object).cmp(&(b.kind, &b.table, &b.object)));
    found
}

/// What a step means for the object's state.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Marker {
    Exists(bool),
    Value(String),
    Rename { from: String, to: String },
}

/// Follows renames: a table or column keeps the identity (the name it had
/// first) under which its history is recorded, whatever it is called now.
#[derive(Default)]
struct Identities {
    tables: std::collections::HashMap<String, String>,
    columns: std::collections::HashMap<(String, String), String>,
}

impl Identities {
    fn table(&self, name: &str) -> String {
        self.tables
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_owned())
    }

    fn column(&self, table: &str, name: &str) -> String {
        self.columns
            .get(&(table.to_owned(), name.to_owned()))
            .cloned()
            .unwrap_or_else(|| name.to_owned())
    }

    fn rename_table(&mut self, from: &str, to: &str) {
        let identity = self.table(from);
        self.tables.remove(from);
        self.tables.insert(to.to_owned(), identity);
    }

    fn rename_column(&mut self, table: &str, from: &str, to: &str) {
        let identity = self.column(table, from);
        self.columns.remove(&(table.to_owned(), from.to_owned()));
        self.columns
            .insert((table.to_owned(), to.to_owned()), identity);
    }
}

fn record(
    op: &Operation,
    step: &impl Fn(String) -> ChurnStep,
    names: &mut Identities,
    histories: &mut BTreeMap<Key, Vec<(ChurnStep, Marker)>>,
) {
    let Some(table_name) = op.table.clone() else {
        return;
    };
    let table = names.table(&table_name);
    let column_id = |column: &str| Some(names.column(&table, column));
    let mut push = |kind: ChurnKind, object: Option<String>, action: String, marker: Marker| {
        histories
            .entry((kind, table.clone(), object))
            .or_default()
            .push((step(action), marker));
    };
    match op.kind {
        OpKind::CreateTable => {
            push(
                ChurnKind::TableCreatedDropped,
                None,
                "created".into(),
                Marker::Exists(true),
            );
            for column in &op.columns {
                let Some(name) = &column.name else { continue };
                let id = column_id(name);
                push(
                    ChurnKind::ColumnAddedDropped,
                    id.clone(),
                    "added with the table".into(),
                    Marker::Exists(true),
                );
                column_values(column, id, &mut push);
            }
        }
        OpKind::DropTable => push(
            ChurnKind::TableCreatedDropped,
            None,
            "dropped".into(),
            Marker::Exists(false),
        ),
        OpKind::AddColumn => {
            for column in &op.columns {
                let Some(name) = &column.name else { continue };
                let id = column_id(name);
                push(
                    ChurnKind::ColumnAddedDropped,
                    id.clone(),
                    "added".into(),
                    Marker::Exists(true),
                );
                column_values(column, id, &mut push);
            }
        }
        OpKind::DropColumn => {
            if let Some(column) = &op.column {
                push(
                    ChurnKind::ColumnAddedDropped,
                    column_id(column),
                    "dropped".into(),
                    Marker::Exists(false),
                );
            }
        }
        OpKind::AlterColumn => {
            let Some(column) = &op.column else { return };
            let id = column_id(column);
            if let Some(new_type) = &op.new_type {
                push(
                    ChurnKind::TypeFlipFlop,
                    id.clone(),
                    format!("type → {new_type}"),
                    Marker::Value(new_type.clone()),
                );
            }
            if let Some(nullable) = op.new_nullable {
                push(
                    ChurnKind::NullableFlipFlop,
                    id.clone(),
                    format!("nullable → {}", py_bool(nullable)),
                    Marker::Value(py_bool(nullable).into()),
                );
            }
            if let Some(new_name) = &op.new_name {
                push(
                    ChurnKind::RenameRoundTrip,
                    Some(pair_key(column, new_name)),
                    format!("column {column} renamed to {new_name}"),
                    Marker::Rename {
                        from: column.clone(),
                        to: new_name.clone(),
                    },
                );
                names.rename_column(&table, column, new_name);
            }
        }
        OpKind::CreateIndex | OpKind::DropIndex => {
            if let Some(name) = &op.name {
                let created = op.kind == OpKind::CreateIndex;
                let action = if created { "created" } else { "dropped" };
                push(
                    ChurnKind::IndexCreatedDropped,
                    Some(name.clone()),
                    action.into(),
                    Marker::Exists(created),
                );
            }
        }
        OpKind::RenameTable => {
            if let Some(new_name) = &op.new_name {
                // Keyed by the pair of names, under the alphabetically first.
                let key_table = pair_key(&table_name, new_name);
                histories
                    .entry((ChurnKind::RenameRoundTrip, key_table, None))
                    .or_default()
                    .push((
                        step(format!("table {table_name} renamed to {new_name}")),
                        Marker::Rename {
                            from: table_name.clone(),
                            to: new_name.clone(),
                        },
                    ));
                names.rename_table(&table_name, new_name);
            }
        }
        _ => {}
    }
}

fn column_values(
    column: &crate::ir::ColumnDef,
    id: Option<String>,
    push: &mut impl FnMut(ChurnKind, Option<String>, String, Marker),
) {
    if let Some(type_text) = &column.type_text {
        push(
            ChurnKind::TypeFlipFlop,
            id.clone(),
            format!("type {type_text}"),
            Marker::Value(type_text.clone()),
        );
    }
    let nullable = column.effective_nullable();
    push(
        ChurnKind::NullableFlipFlop,
        id,
        format!("nullable {}", py_bool(nullable)),
        Marker::Value(py_bool(nullable).into()),
    );
}

fn py_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

fn pair_key(a: &str, b: &str) -> String {
    if a <= b {
        format!("{a} ↔ {b}")
    } else {
        format!("{b} ↔ {a}")
    }
}

/// Decides whether an object's history is churn, and how many operations
/// cancel out.
fn judge(
    kind: ChurnKind,
    table: String,
    object: Option<String>,
    steps: Vec<(ChurnStep, Marker)>,
) -> Option<Churn> {
    let cancelling = match kind {
        ChurnKind::ColumnAddedDropped
        | ChurnKind::IndexCreatedDropped
        | ChurnKind::TableCreatedDropped => {
            // Each exists→gone transition cancels the creation before it.
            let mut pairs = 0;
            let mut exists = false;
            for (_, marker) in &steps {
                if let Marker::Exists(now) = marker {
                    if exists && !now {
                        pairs += 1;
                    }
                    exists = *now;
                }
            }
            pairs * 2
        }
        ChurnKind::TypeFlipFlop | ChurnKind::NullableFlipFlop => {
            // Values in order, consecutive repeats collapsed: A B A is a
            // flip-flop; every change that returns to an earlier value
            // cancels itself and the change it undoes.
            let mut values: Vec<&str> = Vec::new();
            for (_, marker) in &steps {
                if let Marker::Value(v) = marker
                    && values.last() != Some(&v.as_str())
                {
                    values.push(v);
                }
            }
            let returns = values.windows(3).filter(|w| w[0] == w[2]).count();
            if returns == 0 {
                return None;
            }
            returns * 2
        }
        ChurnKind::RenameRoundTrip => {
            let renames: Vec<(&str, &str)> = steps
                .iter()
                .filter_map(|(_, m)| match m {
                    Marker::Rename { from, to } => Some((from.as_str(), to.as_str())),
                    _ => None,
                })
                .collect();
            renames
                .windows(2)
                .filter(|w| w[0].0 == w[1].1 && w[0].1 == w[1].0)
                .count()
                * 2
        }
    };
    if cancelling == 0 {
        return None;
    }
    Some(Churn {
        kind,
        table,
        object,
        steps: steps.into_iter().map(|(s, _)| s).collect(),
        cancelling_operations: cancelling,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::extract_str;

    fn history(bodies: &[&str]) -> Vec<RevisionFile> {
        bodies
            .iter()
            .enumerate()
            .map(|(i, body)| {
                let down = if i == 0 { "None".to_owned() } else { format!("'r{}'", i - 1) };
                let body: String = body.lines().map(|l| format!("    {l}\n")).collect();
                extract_str(&format!(
                    "from alembic import op\nimport sqlalchemy as sa\nrevision = 'r{i}'\ndown_revision = {down}\ndef upgrade():\n{body}"
                ))
            })
            .collect()
    }

    fn churn(bodies: &[&str]) -> Vec<Churn> {
        let files = history(bodies);
        let graph = RevisionGraph::build(&files);
        find(&files, &graph)
    }

    #[test]
    fn column_added_dropped_and_readded() {
        let found = churn(&[
            "op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True))",
            "op.add_column('users', sa.Column('phone', sa.String(20)))",
            "op.drop_column('users', 'phone')",
            "op.add_column('users', sa.Column('phone', sa.String(20)))",
        ]);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].kind, ChurnKind::ColumnAddedDropped);
        assert_eq!(found[0].object.as_deref(), Some("phone"));
        let actions: Vec<_> = found[0].steps.iter().map(|s| s.action.as_str()).collect();
        assert_eq!(actions, ["added", "dropped", "added"]);
        assert_eq!(found[0].cancelling_operations, 2);
    }

    #[test]
    fn type_and_nullable_flip_flops() {
        let found = churn(&[
            "op.add_column('users', sa.Column('bio', sa.String(100), nullable=True))",
            "op.alter_column('users', 'bio', type_=sa.Text(), nullable=False)",
            "op.alter_column('users', 'bio', type_=sa.String(length=100), nullable=True)",
        ]);
        let kinds: Vec<_> = found.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [ChurnKind::TypeFlipFlop, ChurnKind::NullableFlipFlop]
        );
    }

    #[test]
    fn renames_and_indexes() {
        let found = churn(&[
            "op.alter_column('users', 'full_name', new_column_name='display_name')",
            "op.alter_column('users', 'display_name', new_column_name='full_name')",
            "op.create_index('ix_a', 'users', ['a'])",
            "op.drop_index('ix_a', table_name='users')\nop.create_index('ix_a', 'users', ['a'])",
            "op.rename_table('users', 'accounts')",
        ]);
        let kinds: Vec<_> = found.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [ChurnKind::IndexCreatedDropped, ChurnKind::RenameRoundTrip]
        );
        assert_eq!(found[1].object.as_deref(), Some("display_name ↔ full_name"));
    }

    #[test]
    fn flip_flops_are_followed_through_renames() {
        let found = churn(&[
            "op.create_table('users', sa.Column('full_name', sa.String(100)))",
            "op.alter_column('users', 'full_name', new_column_name='display_name')",
            "op.alter_column('users', 'display_name', type_=sa.Text())",
            "op.alter_column('users', 'display_name', new_column_name='full_name')",
            "op.alter_column('users', 'full_name', type_=sa.String(length=100))",
        ]);
        let kinds: Vec<_> = found
            .iter()
            .map(|c| (c.kind, c.object.as_deref()))
            .collect();
        assert_eq!(
            kinds,
            [
                (ChurnKind::TypeFlipFlop, Some("full_name")),
                (ChurnKind::RenameRoundTrip, Some("display_name ↔ full_name")),
            ]
        );
    }

    #[test]
    fn a_plain_history_has_no_churn() {
        let found = churn(&[
            "op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True))",
            "op.add_column('users', sa.Column('email', sa.String(255)))",
            "op.alter_column('users', 'email', nullable=False)",
        ]);
        assert!(found.is_empty(), "{found:#?}");
    }
}
