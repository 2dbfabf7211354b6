//! Churn: schema changes that a later revision undoes. Operations are
//! walked in upgrade order, and each object's history is checked for a
//! change followed by its reversal. DDL in `op.execute` that sqlparser
//! understood takes part like the operation that would do the same.

use serde::{Deserialize, Serialize};

use petgraph::Direction;
use petgraph::graph::NodeIndex;

use crate::graph::RevisionGraph;
use crate::ir::{OpKind, Operation, RevisionFile};
use crate::python::Span;
use crate::sql::{ColumnSpec, ObjectRef, SchemaChange};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChurnStep {
    pub revision: String,
    pub file: usize,
    pub span: Span,
    /// What happened, e.g. `added`, `type → Text`.
    pub action: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Churn {
    pub kind: ChurnKind,
    pub table: String,
    /// The last name the table was given, when a rename changed it
    /// (`table` is the name it had first, which its history is recorded
    /// under; per-table counts use the name each operation used).
    pub table_renamed_to: Option<String>,
    /// The column, index or renamed name; `None` for a table.
    pub object: Option<String>,
    pub steps: Vec<ChurnStep>,
    /// Operations that a squash removes outright (each undone change and
    /// its undoing).
    pub cancelling_operations: usize,
}

/// An object's history is keyed by kind, table identity and object
/// identity; everything borrows from the files, so recording costs no
/// allocation beyond the step list. Owned text is built only for churn that
/// is reported.
impl Churn {
    /// What churned: `table`, or `table.object`; a renamed table as
    /// `first (renamed last)`.
    pub fn subject(&self) -> String {
        let table = match &self.table_renamed_to {
            Some(now) => format!("{} (renamed {now})", self.table),
            None => self.table.clone(),
        };
        match &self.object {
            Some(object) => format!("{table}.{object}"),
            None => table,
        }
    }
}

/// A table or column: the name it had first, and which object of that
/// name it is (a name renamed away and used again names a new object).
type Ident<'a> = (&'a str, u32);

type Key<'a> = (ChurnKind, Option<&'a str>, Ident<'a>, Option<Ident<'a>>);

/// A name that is not an identity (indexes, the pair of names of a rename).
fn plain(name: &str) -> Ident<'_> {
    (name, 0)
}

/// One recorded event: where it happened and what it did.
#[derive(Clone, Copy)]
struct Event<'a> {
    file: usize,
    op: &'a Operation,
    /// The table as named by the operation or statement, if it names one.
    table: Option<&'a str>,
    what: What<'a>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum What<'a> {
    /// Created (`true`) or dropped; `with_table` for columns created by
    /// `create_table`.
    Exists {
        now: bool,
        with_table: bool,
    },
    /// A type; `initial` when from the column definition.
    Type {
        value: &'a str,
        initial: bool,
    },
    Nullable {
        value: bool,
        initial: bool,
    },
    Rename {
        from: &'a str,
        to: &'a str,
        table: bool,
    },
}

impl What<'_> {
    /// Events that can undo an earlier one: only objects that have one can
    /// churn.
    fn can_undo(&self) -> bool {
        match self {
            What::Exists { now, .. } => !now,
            What::Type { initial, .. } | What::Nullable { initial, .. } => !initial,
            What::Rename { .. } => true,
        }
    }
}

/// Finds churn along `graph.upgrade_order`, in two passes so that time and
/// memory stay small on large histories: the first looks only at operations
/// that can undo something (drops, alters, renames) and notes the objects
/// they touch; the second records the history of those objects only.
pub fn find(files: &[RevisionFile], graph: &RevisionGraph) -> Vec<Churn> {
    let mut candidates: rustc_hash::FxHashSet<Key> = Default::default();
    // Tables (as written) whose operations the second pass must see; a
    // renamed table is seen under both names.
    let mut tables: rustc_hash::FxHashSet<(Option<&str>, &str)> = Default::default();
    let can_undo = |op: &Operation| {
        matches!(
            op.kind,
            OpKind::DropColumn
                | OpKind::DropIndex
                | OpKind::DropTable
                | OpKind::AlterColumn
                | OpKind::RenameTable
        ) || changes_schema(op)
    };
    // The files in upgrade order, for both passes.
    let order: Vec<usize> = graph.upgrade_nodes.iter().map(|&n| graph.dag[n]).collect();
    walk(files, &order, &can_undo, &mut |key, event| {
        if event.what.can_undo() {
            candidates.insert(key);
            let schema = key.1;
            if let Some(table) = event.table {
                tables.insert((schema, table));
            }
            if let What::Rename {
                to, table: true, ..
            } = event.what
            {
                tables.insert((schema, to));
            }
        }
    });
    if candidates.is_empty() {
        return Vec::new();
    }
    let relevant = |op: &Operation| {
        op.kind == OpKind::RenameTable
            || matches!(op.kind, OpKind::CreateIndex | OpKind::DropIndex)
            || changes_schema(op)
            || op
                .table
                .as_deref()
                .is_some_and(|t| tables.contains(&(op.schema.as_deref(), t)))
    };
    let mut histories: rustc_hash::FxHashMap<Key, Vec<Event>> = Default::default();
    let names = walk(files, &order, &relevant, &mut |key, event| {
        if candidates.contains(&key) {
            histories.entry(key).or_default().push(event);
        }
    });
    // Identity → the last name the table was given.
    let current: rustc_hash::FxHashMap<(Option<&str>, Ident), &str> = names
        .tables
        .iter()
        .map(|(&(schema, name), &identity)| ((schema, identity), name))
        .collect();
    // Judged in key order, so that the output does not depend on hashing.
    let mut histories: Vec<(Key, Vec<Event>)> = histories.into_iter().collect();
    histories.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let ancestry = Ancestry::new(graph, files.len());
    let mut found: Vec<Churn> = histories
        .into_iter()
        .filter_map(|(key, events)| {
            let table_renamed_to = current.get(&(key.1, key.2)).copied();
            judge(key, &events, files, &ancestry, table_renamed_to)
        })
        .collect();
    found.sort_by(|a, b| (a.kind, &a.table, &a.object).cmp(&(b.kind, &b.table, &b.object)));
    found
}

/// Which revisions are applied before which in every database: an event
/// can only undo one of its own revision (outside the other arms of an
/// `if`) or of an ancestor (through `down_revision` or `depends_on`).
/// Independent bases and branches share the upgrade order, not a database.
///
/// Revisions are grouped in segments, chains without branch or merge
/// points: a revision before another in one segment is its ancestor, and
/// a segment that is an ancestor of another holds only ancestors of it
/// (a chain is entered through its end). Each segment keeps the bit set
/// of its ancestor segments, so a history of long chains costs little
/// memory (a linear history: one segment, no bits).
struct Ancestry {
    /// Per file: its place in the upgrade order; `u32::MAX` when it has none.
    position: Vec<u32>,
    /// Per place in the upgrade order: its segment.
    segment: Vec<u32>,
    /// Per segment: its ancestor segments, `words` words each.
    rows: Vec<u64>,
    words: usize,
}

impl Ancestry {
    fn new(graph: &RevisionGraph, files: usize) -> Self {
        let order = &graph.upgrade_nodes;
        let mut position = vec![u32::MAX; files];
        for (at, &node) in order.iter().enumerate() {
            position[graph.dag[node]] = at as u32;
        }
        let place = |node: NodeIndex| position[graph.dag[node]] as usize;
        // Parents come before children in the upgrade order; revisions in
        // a cycle have no place, and none of their events are judged.
        let parents = |node: NodeIndex| {
            graph
                .dag
                .neighbors_directed(node, Direction::Incoming)
                .filter(|&p| position[graph.dag[p]] != u32::MAX)
        };
        let mut segment = vec![0u32; order.len()];
        let mut starts: Vec<NodeIndex> = Vec::new();
        for (at, &node) in order.iter().enumerate() {
            let mut of = parents(node);
            segment[at] = match (of.next(), of.next()) {
                (Some(parent), None)
                    if graph
                        .dag
                        .neighbors_directed(parent, Direction::Outgoing)
                        .count()
                        == 1 =>
                {
                    segment[place(parent)]
                }
                _ => {
                    starts.push(node);
                    starts.len() as u32 - 1
                }
            };
        }
        let words = starts.len().div_ceil(64);
        let mut rows = vec![0u64; starts.len() * words];
        for (s, &start) in starts.iter().enumerate() {
            for parent in parents(start) {
                let p = segment[place(parent)] as usize;
                let (before, row) = rows.split_at_mut(s * words);
                for (word, inherited) in row[..words]
                    .iter_mut()
                    .zip(&before[p * words..(p + 1) * words])
                {
                    *word |= inherited;
                }
                row[p / 64] |= 1 << (p % 64);
            }
        }
        Self {
            position,
            segment,
            rows,
            words,
        }
    }

    /// Whether revision file `earlier` is applied before (or is) `later`
    /// in every database that has `later`.
    fn reaches(&self, earlier: usize, later: usize) -> bool {
        let (from, to) = (self.position[earlier], self.position[later]);
        if from == u32::MAX || to == u32::MAX || from > to {
            return false;
        }
        let (a, b) = (
            self.segment[from as usize] as usize,
            self.segment[to as usize] as usize,
        );
        a == b || self.rows[b * self.words + a / 64] & (1 << (a % 64)) != 0
    }
}

/// `op.execute` of DDL that sqlparser understood.
fn changes_schema(op: &Operation) -> bool {
    op.sql
        .as_ref()
        .is_some_and(|sql| sql.changes().next().is_some())
}

/// The upgrade operations `keep` selects, in upgrade order, as keyed
/// events. `keep` must select every rename, which moves identities.
fn walk<'a>(
    files: &'a [RevisionFile],
    order: &[usize],
    keep: &dyn Fn(&Operation) -> bool,
    sink: &mut dyn FnMut(Key<'a>, Event<'a>),
) -> Identities<'a> {
    let mut names = Identities::default();
    for &file in order {
        for op in files[file].upgrade_ops().iter().filter(|op| keep(op)) {
            record(file, op, &mut names, sink);
        }
    }
    names
}

type TableName<'a> = (Option<&'a str>, &'a str);
type ColumnName<'a> = (Option<&'a str>, Ident<'a>, &'a str);

/// Follows renames: a table or column keeps the identity (the name it had
/// first) under which its history is recorded, whatever it is called now;
/// and a name renamed away, then used again, names a new object (its
/// generation counts how often the name was vacated).
#[derive(Default)]
struct Identities<'a> {
    tables: rustc_hash::FxHashMap<TableName<'a>, Ident<'a>>,
    columns: rustc_hash::FxHashMap<ColumnName<'a>, Ident<'a>>,
    table_generations: rustc_hash::FxHashMap<TableName<'a>, u32>,
    column_generations: rustc_hash::FxHashMap<ColumnName<'a>, u32>,
}

impl<'a> Identities<'a> {
    fn table(&self, schema: Option<&'a str>, name: &'a str) -> Ident<'a> {
        let key = (schema, name);
        self.tables.get(&key).copied().unwrap_or_else(|| {
            let generation = self.table_generations.get(&key).copied().unwrap_or(0);
            (name, generation)
        })
    }

    fn column(&self, schema: Option<&'a str>, table: Ident<'a>, name: &'a str) -> Ident<'a> {
        let key = (schema, table, name);
        self.columns.get(&key).copied().unwrap_or_else(|| {
            let generation = self.column_generations.get(&key).copied().unwrap_or(0);
            (name, generation)
        })
    }

    fn rename_table(&mut self, schema: Option<&'a str>, from: &'a str, to: &'a str) {
        let identity = self.table(schema, from);
        self.tables.remove(&(schema, from));
        *self.table_generations.entry((schema, from)).or_default() += 1;
        self.tables.insert((schema, to), identity);
    }

    fn rename_column(
        &mut self,
        schema: Option<&'a str>,
        table: Ident<'a>,
        from: &'a str,
        to: &'a str,
    ) {
        let identity = self.column(schema, table, from);
        self.columns.remove(&(schema, table, from));
        *self
            .column_generations
            .entry((schema, table, from))
            .or_default() += 1;
        self.columns.insert((schema, table, to), identity);
    }
}

fn record<'a>(
    file: usize,
    op: &'a Operation,
    names: &mut Identities<'a>,
    sink: &mut dyn FnMut(Key<'a>, Event<'a>),
) {
    let schema = op.schema.as_deref();
    // Index names are unique per schema, and `drop_index` often omits the
    // table: indexes are keyed by schema and name.
    if let (OpKind::CreateIndex | OpKind::DropIndex, Some(name)) = (op.kind, op.name.as_deref()) {
        let now = op.kind == OpKind::CreateIndex;
        let what = What::Exists {
            now,
            with_table: false,
        };
        sink(
            (
                ChurnKind::IndexCreatedDropped,
                schema,
                plain(""),
                Some(plain(name)),
            ),
            Event {
                file,
                op,
                table: op.table.as_deref(),
                what,
            },
        );
        return;
    }
    if let Some(sql) = &op.sql {
        for change in sql.changes() {
            record_sql(file, op, change, names, sink);
        }
        return;
    }
    let Some(table_name) = op.table.as_deref() else {
        return;
    };
    let table = names.table(schema, table_name);
    let mut push = |kind: ChurnKind, object: Option<Ident<'a>>, what: What<'a>| {
        let event = Event {
            file,
            op,
            table: Some(table_name),
            what,
        };
        sink((kind, schema, table, object), event);
    };
    let column_events =
        |with_table: bool, push: &mut dyn FnMut(ChurnKind, Option<Ident<'a>>, What<'a>)| {
            for column in &op.columns {
                let Some(name) = column.name.as_deref() else {
                    continue;
                };
                let id = Some(names.column(schema, table, name));
                push(
                    ChurnKind::ColumnAddedDropped,
                    id,
                    What::Exists {
                        now: true,
                        with_table,
                    },
                );
                if let Some(type_text) = column.type_text.as_deref() {
                    push(
                        ChurnKind::TypeFlipFlop,
                        id,
                        What::Type {
                            value: type_text,
                            initial: true,
                        },
                    );
                }
                push(
                    ChurnKind::NullableFlipFlop,
                    id,
                    What::Nullable {
                        value: column.effective_nullable(),
                        initial: true,
                    },
                );
            }
        };
    match op.kind {
        OpKind::CreateTable => {
            push(
                ChurnKind::TableCreatedDropped,
                None,
                What::Exists {
                    now: true,
                    with_table: false,
                },
            );
            column_events(true, &mut push);
        }
        OpKind::DropTable => push(
            ChurnKind::TableCreatedDropped,
            None,
            What::Exists {
                now: false,
                with_table: false,
            },
        ),
        OpKind::AddColumn => column_events(false, &mut push),
        OpKind::DropColumn => {
            if let Some(column) = op.column.as_deref() {
                let id = Some(names.column(schema, table, column));
                push(
                    ChurnKind::ColumnAddedDropped,
                    id,
                    What::Exists {
                        now: false,
                        with_table: false,
                    },
                );
            }
        }
        OpKind::AlterColumn => {
            let Some(column) = op.column.as_deref() else {
                return;
            };
            let id = Some(names.column(schema, table, column));
            if let Some(new_type) = op.new_type.as_deref() {
                push(
                    ChurnKind::TypeFlipFlop,
                    id,
                    What::Type {
                        value: new_type,
                        initial: false,
                    },
                );
            }
            if let Some(nullable) = op.new_nullable {
                push(
                    ChurnKind::NullableFlipFlop,
                    id,
                    What::Nullable {
                        value: nullable,
                        initial: false,
                    },
                );
            }
            if let Some(new_name) = op.new_name.as_deref() {
                // Keyed by the alphabetically first of the two names, so a
                // rename and its reversal meet; shown as the pair.
                let first = if column <= new_name { column } else { new_name };
                push(
                    ChurnKind::RenameRoundTrip,
                    Some(plain(first)),
                    What::Rename {
                        from: column,
                        to: new_name,
                        table: false,
                    },
                );
                names.rename_column(schema, table, column, new_name);
            }
        }
        OpKind::RenameTable => {
            if let Some(new_name) = op.new_name.as_deref() {
                let first = if table_name <= new_name {
                    table_name
                } else {
                    new_name
                };
                let what = What::Rename {
                    from: table_name,
                    to: new_name,
                    table: true,
                };
                let event = Event {
                    file,
                    op,
                    table: Some(table_name),
                    what,
                };
                sink(
                    (ChurnKind::RenameRoundTrip, schema, plain(first), None),
                    event,
                );
                names.rename_table(schema, table_name, new_name);
            }
        }
        _ => {}
    }
}

/// The events of one change made by SQL in `op`, as `record` makes them for
/// the equivalent operation (without types, see `SchemaChange`).
fn record_sql<'a>(
    file: usize,
    op: &'a Operation,
    change: &'a SchemaChange,
    names: &mut Identities<'a>,
    sink: &mut dyn FnMut(Key<'a>, Event<'a>),
) {
    let exists = |now: bool, with_table: bool| What::Exists { now, with_table };
    // Indexes are keyed by schema and name, as in `record`.
    let mut index_event = |index: &'a ObjectRef, table: Option<&'a ObjectRef>, now| {
        let key = (
            ChurnKind::IndexCreatedDropped,
            index.schema.as_deref(),
            plain(""),
            Some(plain(index.name.as_str())),
        );
        let table = table.map(|t| t.name.as_str());
        let what = exists(now, false);
        sink(
            key,
            Event {
                file,
                op,
                table,
                what,
            },
        );
    };
    let table_ref = match change {
        SchemaChange::CreateIndex { index, table } => return index_event(index, Some(table), true),
        SchemaChange::DropIndex { index, table } => {
            return index_event(index, table.as_ref(), false);
        }
        SchemaChange::CreateTable { table, .. }
        | SchemaChange::DropTable { table }
        | SchemaChange::RenameTable { table, .. }
        | SchemaChange::AddColumn { table, .. }
        | SchemaChange::DropColumn { table, .. }
        | SchemaChange::RenameColumn { table, .. }
        | SchemaChange::SetNullable { table, .. } => table,
    };
    let (schema, table_name) = (table_ref.schema.as_deref(), table_ref.name.as_str());
    let table = names.table(schema, table_name);
    let mut push = |names: &Identities<'a>, object: Option<&'a str>, kind, what| {
        let object = object.map(|column| names.column(schema, table, column));
        let event = Event {
            file,
            op,
            table: Some(table_name),
            what,
        };
        sink((kind, schema, table, object), event);
    };
    type Push<'p, 'a> = dyn FnMut(&Identities<'a>, Option<&'a str>, ChurnKind, What<'a>) + 'p;
    let column =
        |push: &mut Push<'_, 'a>, names: &Identities<'a>, spec: &'a ColumnSpec, with_table| {
            let name = Some(spec.name.as_str());
            let added = exists(true, with_table);
            push(names, name, ChurnKind::ColumnAddedDropped, added);
            let what = What::Nullable {
                value: spec.nullable,
                initial: true,
            };
            push(names, name, ChurnKind::NullableFlipFlop, what);
        };
    match change {
        SchemaChange::CreateTable { columns, .. } => {
            push(
                names,
                None,
                ChurnKind::TableCreatedDropped,
                exists(true, false),
            );
            for spec in columns {
                column(&mut push, names, spec, true);
            }
        }
        SchemaChange::DropTable { .. } => push(
            names,
            None,
            ChurnKind::TableCreatedDropped,
            exists(false, false),
        ),
        SchemaChange::AddColumn { column: spec, .. } => column(&mut push, names, spec, false),
        SchemaChange::DropColumn { column, .. } => push(
            names,
            Some(column.as_str()),
            ChurnKind::ColumnAddedDropped,
            exists(false, false),
        ),
        SchemaChange::SetNullable {
            column, nullable, ..
        } => {
            let what = What::Nullable {
                value: *nullable,
                initial: false,
            };
            push(
                names,
                Some(column.as_str()),
                ChurnKind::NullableFlipFlop,
                what,
            );
        }
        SchemaChange::RenameColumn { from, to, .. } => {
            let (from, to) = (from.as_str(), to.as_str());
            let first = if from <= to { from } else { to };
            let what = What::Rename {
                from,
                to,
                table: false,
            };
            let event = Event {
                file,
                op,
                table: Some(table_name),
                what,
            };
            sink(
                (
                    ChurnKind::RenameRoundTrip,
                    schema,
                    table,
                    Some(plain(first)),
                ),
                event,
            );
            names.rename_column(schema, table, from, to);
        }
        SchemaChange::RenameTable { to, .. } => {
            let to = to.as_str();
            let first = if table_name <= to { table_name } else { to };
            let what = What::Rename {
                from: table_name,
                to,
                table: true,
            };
            let event = Event {
                file,
                op,
                table: Some(table_name),
                what,
            };
            sink(
                (ChurnKind::RenameRoundTrip, schema, plain(first), None),
                event,
            );
            names.rename_table(schema, table_name, to);
        }
        SchemaChange::CreateIndex { .. } | SchemaChange::DropIndex { .. } => {}
    }
}

fn py_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

impl What<'_> {
    fn action(&self, kind: ChurnKind) -> String {
        match *self {
            What::Exists {
                now: true,
                with_table: true,
            } => "added with the table".to_owned(),
            What::Exists { now: false, .. } => "dropped".to_owned(),
            // Columns are added; tables and indexes created.
            What::Exists { now: true, .. } if kind == ChurnKind::ColumnAddedDropped => {
                "added".to_owned()
            }
            What::Exists { now: true, .. } => "created".to_owned(),
            What::Type {
                value,
                initial: true,
            } => format!("type {value}"),
            What::Type {
                value,
                initial: false,
            } => format!("type → {value}"),
            What::Nullable {
                value,
                initial: true,
            } => format!("nullable {}", py_bool(value)),
            What::Nullable {
                value,
                initial: false,
            } => format!("nullable → {}", py_bool(value)),
            What::Rename { from, to, table } => {
                format!(
                    "{} {from} renamed to {to}",
                    if table { "table" } else { "column" }
                )
            }
        }
    }
}

/// Decides whether an object's history is churn, and how many operations
/// cancel out. An event follows the latest events before it in its own
/// lineage (`before`): not those in another arm of its revision's `if`,
/// nor of a revision that is not its ancestor; the arms of an `if` and
/// parallel branches before a merge are each such an event.
fn judge(
    (kind, schema, table, object): Key,
    events: &[Event],
    files: &[RevisionFile],
    ancestry: &Ancestry,
    table_renamed_to: Option<&str>,
) -> Option<Churn> {
    let follows = |earlier: &Event, later: &Event| {
        if earlier.file == later.file {
            !earlier.op.context.excludes(&later.op.context)
        } else {
            ancestry.reaches(earlier.file, later.file)
        }
    };
    // Scanning back from each event, past events of other lineages, until
    // one that all those found follow: usually one step.
    let before: Vec<Vec<usize>> = (0..events.len())
        .map(|j| {
            let mut latest: Vec<usize> = Vec::new();
            for i in (0..j).rev() {
                if !follows(&events[i], &events[j]) {
                    continue;
                }
                // Followed by every event found: so is everything before.
                let followed_by = latest
                    .iter()
                    .filter(|&&m| follows(&events[i], &events[m]))
                    .count();
                if followed_by == 0 {
                    latest.push(i);
                } else if followed_by == latest.len() {
                    break;
                }
            }
            latest
        })
        .collect();
    // The events that undo something, with what they undo.
    let mut involved: Vec<usize> = Vec::new();
    let cancelling = match kind {
        ChurnKind::ColumnAddedDropped
        | ChurnKind::IndexCreatedDropped
        | ChurnKind::TableCreatedDropped => {
            // Each drop of something that existed cancels its creation.
            let exists = |i: &&usize| matches!(events[**i].what, What::Exists { now: true, .. });
            let mut pairs = 0;
            for (j, event) in events.iter().enumerate() {
                if let What::Exists { now: false, .. } = event.what
                    && let Some(&p) = before[j].iter().find(|p| exists(p))
                {
                    pairs += 1;
                    involved.extend([p, j]);
                }
            }
            pairs * 2
        }
        ChurnKind::TypeFlipFlop | ChurnKind::NullableFlipFlop => {
            // A B A along a lineage is a flip-flop; repeats do not count.
            // `changed[j]`: the latest events before j in its lineage with
            // another value, one per value.
            let same_value = |a: usize, b: usize| match (&events[a].what, &events[b].what) {
                (What::Type { value: x, .. }, What::Type { value: y, .. }) => x == y,
                (What::Nullable { value: x, .. }, What::Nullable { value: y, .. }) => x == y,
                _ => false,
            };
            let mut changed: Vec<Vec<usize>> = Vec::with_capacity(events.len());
            let mut returns = 0;
            for (j, latest) in before.iter().enumerate() {
                let mut from: Vec<usize> = Vec::new();
                for &p in latest {
                    let values = if same_value(p, j) {
                        changed[p].as_slice()
                    } else {
                        std::slice::from_ref(&p)
                    };
                    for &v in values {
                        match from.iter_mut().find(|f| same_value(**f, v)) {
                            Some(f) => *f = (*f).max(v),
                            None => from.push(v),
                        }
                    }
                }
                let undone = latest
                    .iter()
                    .filter(|&&p| !same_value(p, j))
                    .find_map(|&p| {
                        changed[p]
                            .iter()
                            .find(|&&q| same_value(q, j))
                            .map(|&q| (q, p))
                    });
                if let Some((q, p)) = undone {
                    returns += 1;
                    involved.extend([q, p, j]);
                }
                changed.push(from);
            }
            returns * 2
        }
        ChurnKind::RenameRoundTrip => {
            let mut returns = 0;
            for (j, event) in events.iter().enumerate() {
                let What::Rename { from, to, .. } = event.what else {
                    continue;
                };
                let reverses = |p: &&usize| {
                    matches!(events[**p].what, What::Rename { from: was_from, to: was_to, .. }
                        if was_from == to && was_to == from)
                };
                if let Some(&p) = before[j].iter().find(reverses) {
                    returns += 1;
                    involved.extend([p, j]);
                }
            }
            returns * 2
        }
    };
    if cancelling == 0 {
        return None;
    }
    // The steps: the events of the lineages that churned, not those of an
    // unrelated history or of another arm.
    involved.sort_unstable();
    involved.dedup();
    let shown: Vec<&Event> = events
        .iter()
        .enumerate()
        .filter(|&(e, event)| {
            involved.binary_search(&e).is_ok()
                || involved.iter().any(|&k| match k.cmp(&e) {
                    std::cmp::Ordering::Less => follows(&events[k], event),
                    _ => follows(event, &events[k]),
                })
        })
        .map(|(_, event)| event)
        .collect();
    let pair = || {
        shown.iter().find_map(|e| match e.what {
            What::Rename { from, to, .. } => {
                let (a, b) = if from <= to { (from, to) } else { (to, from) };
                Some(format!("{a} ↔ {b}"))
            }
            _ => None,
        })
    };
    // A column rename shows its pair of names as the object; a table rename
    // shows it as the table.
    let qualify = |name: &str| match schema {
        Some(schema) => format!("{schema}.{name}"),
        None => name.to_owned(),
    };
    let (table_name, object) = (table.0, object.map(|o| o.0));
    let table = table_name;
    let (table, object) = match (kind, object) {
        (ChurnKind::RenameRoundTrip, Some(_)) => (qualify(table), pair()),
        (ChurnKind::RenameRoundTrip, None) => {
            (pair().map_or_else(|| qualify(table), |p| qualify(&p)), None)
        }
        // Indexes are keyed without their table; show the one they are on.
        (ChurnKind::IndexCreatedDropped, object) => (
            shown
                .iter()
                .find_map(|e| e.table.map(qualify))
                .unwrap_or_default(),
            object.map(str::to_owned),
        ),
        (_, object) => (qualify(table), object.map(str::to_owned)),
    };
    // A rename round trip names both names already; an index is shown on
    // the table its operations named.
    let table_renamed_to = match kind {
        ChurnKind::RenameRoundTrip | ChurnKind::IndexCreatedDropped => None,
        _ => table_renamed_to
            .filter(|&now| now != table_name)
            .map(qualify),
    };
    Some(Churn {
        kind,
        table,
        table_renamed_to,
        object,
        steps: shown
            .iter()
            .map(|e| ChurnStep {
                revision: files[e.file].revision_id().unwrap_or_default().to_owned(),
                file: e.file,
                span: e.op.span,
                action: e.what.action(kind),
            })
            .collect(),
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
            "op.drop_index('ix_a')\nop.create_index('ix_a', 'users', ['a'])",
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
    fn a_renamed_table_is_named_by_its_first_and_current_name() {
        let found = churn(&[
            "op.create_table('users', sa.Column('id', sa.Integer))",
            "op.add_column('users', sa.Column('nickname', sa.Text()))",
            "op.rename_table('users', 'accounts')",
            "op.drop_column('accounts', 'nickname')",
            "op.rename_table('accounts', 'members')",
        ]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].table, "users");
        assert_eq!(found[0].table_renamed_to.as_deref(), Some("members"));
        assert_eq!(found[0].subject(), "users (renamed members).nickname");

        // Never renamed: one name.
        let found = churn(&[
            "op.create_table('users', sa.Column('id', sa.Integer))",
            "op.add_column('users', sa.Column('nickname', sa.Text()))",
            "op.drop_column('users', 'nickname')",
        ]);
        assert_eq!(found[0].table_renamed_to, None);
        assert_eq!(found[0].subject(), "users.nickname");
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
    fn schemas_keep_tables_apart() {
        let found = churn(&[
            "op.create_table('affiliations', sa.Column('id', sa.Integer()), schema='users')",
            "op.create_table('affiliations', sa.Column('id', sa.Integer()), schema='indico')",
            "op.drop_table('affiliations', schema='users')",
        ]);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].table, "users.affiliations");
    }

    /// Parsed DDL in `op.execute` takes part like the equivalent operation.
    #[test]
    fn raw_sql_churns_like_operations() {
        let found = churn(&[
            "op.create_table('scratch', sa.Column('id', sa.Integer(), primary_key=True))\n\
             op.execute('CREATE INDEX ix_users_a ON app.users (a)')",
            "op.execute('ALTER TABLE users ADD COLUMN legacy boolean NOT NULL')",
            "op.execute('DROP TABLE IF EXISTS Scratch')\n\
             op.drop_index('ix_users_a', table_name='users', schema='app')\n\
             op.drop_column('users', 'legacy')",
        ]);
        let kinds: Vec<_> = found
            .iter()
            .map(|c| (c.kind, c.subject(), c.steps.len()))
            .collect();
        assert_eq!(
            kinds,
            [
                (ChurnKind::ColumnAddedDropped, "users.legacy".to_owned(), 2),
                (
                    ChurnKind::IndexCreatedDropped,
                    "app.users.ix_users_a".to_owned(),
                    2
                ),
                (ChurnKind::TableCreatedDropped, "scratch".to_owned(), 2),
            ]
        );
        let actions: Vec<_> = found.iter().map(|c| c.steps[1].action.as_str()).collect();
        assert_eq!(actions, ["dropped", "dropped", "dropped"]);
        assert_eq!(
            found.iter().map(|c| c.cancelling_operations).sum::<usize>(),
            6
        );
    }

    /// SQL renames move identities, and SQL nullability flips count.
    #[test]
    fn raw_sql_renames_and_nullability() {
        let found = churn(&[
            "op.create_table('users', sa.Column('email', sa.String(100), nullable=True))",
            "op.execute('ALTER TABLE users RENAME TO accounts')",
            "op.execute('ALTER TABLE accounts ALTER COLUMN email SET NOT NULL')",
            "op.alter_column('accounts', 'email', nullable=True)",
            "op.rename_table('accounts', 'users')",
        ]);
        let kinds: Vec<_> = found.iter().map(|c| (c.kind, c.subject())).collect();
        assert_eq!(
            kinds,
            [
                (ChurnKind::NullableFlipFlop, "users.email".to_owned()),
                (ChurnKind::RenameRoundTrip, "accounts ↔ users".to_owned()),
            ]
        );
    }

    /// Files with explicit parents and labels: (revision, down_revision,
    /// branch_labels, body).
    fn dag_churn(revs: &[(&str, &str, &str, &str)]) -> Vec<Churn> {
        let files: Vec<RevisionFile> = revs
            .iter()
            .map(|(id, down, labels, body)| {
                let body: String = body.lines().map(|l| format!("    {l}\n")).collect();
                extract_str(&format!(
                    "from alembic import op\nimport sqlalchemy as sa\nrevision = '{id}'\ndown_revision = {down}\nbranch_labels = {labels}\ndef upgrade():\n{body}"
                ))
            })
            .collect();
        let graph = RevisionGraph::build(&files);
        find(&files, &graph)
    }

    fn summary(found: &[Churn]) -> Vec<(ChurnKind, String, Vec<&str>)> {
        found
            .iter()
            .map(|c| {
                let steps = c.steps.iter().map(|s| s.revision.as_str()).collect();
                (c.kind, c.subject(), steps)
            })
            .collect()
    }

    /// The arms of one `if` are alternatives; an arm a dialect test rules
    /// out is not read at all.
    #[test]
    fn arms_of_one_if_are_alternatives() {
        let found = churn(&[
            "op.add_column('users', sa.Column('email', sa.String(100), nullable=True))",
            "if op.get_bind().dialect.name == 'postgresql':\n\
             \x20   op.alter_column('users', 'email', nullable=False)\n\
             else:\n\
             \x20   op.alter_column('users', 'email', nullable=True)",
            "if context.is_offline_mode():\n\
             \x20   op.alter_column('users', 'email', type_=sa.Text())\n\
             elif has_rows():\n\
             \x20   op.alter_column('users', 'email', type_=sa.String(length=100))\n\
             else:\n\
             \x20   op.alter_column('users', 'email', type_=sa.Text())",
        ]);
        assert!(found.is_empty(), "{found:#?}");
        // A later revision still undoes what either arm did.
        let found = churn(&[
            "op.add_column('users', sa.Column('email', sa.String(100), nullable=True))",
            "if has_rows():\n\
             \x20   op.alter_column('users', 'email', nullable=False)\n\
             else:\n\
             \x20   op.alter_column('users', 'email', nullable=True)",
            "op.alter_column('users', 'email', nullable=True)",
        ]);
        assert_eq!(
            summary(&found),
            [(
                ChurnKind::NullableFlipFlop,
                "users.email".to_owned(),
                vec!["r0", "r1", "r1", "r2"]
            )]
        );
    }

    /// A column renamed away leaves its name to a new column: the common
    /// "add nullable, backfill, set NOT NULL" of the new one is no
    /// flip-flop of the old one.
    #[test]
    fn a_name_renamed_away_names_a_new_object() {
        let found = churn(&[
            "op.create_table('users', sa.Column('status', sa.String(20), nullable=False))",
            "op.alter_column('users', 'status', new_column_name='legacy_status')",
            "op.add_column('users', sa.Column('status', sa.Integer(), nullable=True))",
            "op.alter_column('users', 'status', nullable=False)",
            "op.rename_table('users', 'accounts')\n\
             op.create_table('users', sa.Column('id', sa.Integer()))",
            "op.drop_table('accounts')",
        ]);
        assert_eq!(
            summary(&found),
            [(
                ChurnKind::TableCreatedDropped,
                "users (renamed accounts)".to_owned(),
                vec!["r0", "r5"]
            )]
        );
    }

    /// Histories that share a versions folder but not a database (several
    /// bases, labelled branches) do not undo each other, and neither do
    /// parallel branches; an ancestor's change is still undone.
    #[test]
    fn churn_follows_ancestry() {
        let found = dag_churn(&[
            (
                "a1",
                "None",
                "('app',)",
                "op.create_table('users', sa.Column('email', sa.String(100), nullable=True))",
            ),
            (
                "a2",
                "'a1'",
                "()",
                "op.alter_column('users', 'email', nullable=False)",
            ),
            (
                "b1",
                "None",
                "('audit',)",
                "op.create_table('users', sa.Column('email', sa.String(100), nullable=True))\n\
                 op.create_index('ix_email', 'users', ['email'])",
            ),
            ("b2", "'b1'", "()", "op.drop_index('ix_email')"),
            (
                "b3",
                "'b2'",
                "()",
                "op.alter_column('users', 'email', nullable=False)",
            ),
            (
                "b4",
                "'b2'",
                "()",
                "op.alter_column('users', 'email', type_=sa.Text())",
            ),
            (
                "b5",
                "('b3', 'b4')",
                "()",
                "op.alter_column('users', 'email', nullable=True)",
            ),
            (
                "c1",
                "None",
                "('billing',)",
                "op.create_index('ix_email', 'invoices', ['email'])",
            ),
        ]);
        assert_eq!(
            summary(&found),
            [
                (
                    ChurnKind::IndexCreatedDropped,
                    "users.ix_email".to_owned(),
                    vec!["b1", "b2"]
                ),
                (
                    ChurnKind::NullableFlipFlop,
                    "users.email".to_owned(),
                    vec!["b1", "b3", "b5"]
                ),
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
