//! The schema a history builds, as replay leaves it: tables with their
//! columns, constraints and indexes in their final form, and the
//! statements carried over verbatim in history order.

use serde::Serialize;

use super::code::Code;
use crate::python::Span;

/// Where a piece of the model was last defined: a file of the history
/// (its index in load order) and the span of the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Origin {
    pub file: usize,
    pub span: Span,
    /// Position of the operation in the replay, for "created before".
    pub seq: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Schema {
    /// In order of creation.
    pub tables: Vec<Table>,
    /// Verbatim SQL, plugin operations and seed data, in history order.
    pub units: Vec<Unit>,
    /// Where each table and index is in `tables`, so that a history of
    /// thousands of tables is not searched once per operation. Kept exact
    /// by the methods below; edits of `tables` made otherwise must call
    /// `reindex`.
    #[serde(skip)]
    lookup: std::cell::RefCell<Lookup>,
}

#[derive(Debug, Clone, Default)]
struct Lookup {
    tables: std::collections::HashMap<String, Vec<usize>>,
    indexes: std::collections::HashMap<String, usize>,
    /// The bare names of tables some foreign key may reference: a superset,
    /// so that renaming a column of a table nobody references does not
    /// search every table's constraints.
    referenced: std::collections::HashSet<String>,
    /// Positions moved (a table was removed): rebuilt on the next look-up.
    stale: bool,
}

fn bare_name(table: &str) -> &str {
    table.rsplit('.').next().unwrap_or(table)
}

fn note_referents(referenced: &mut std::collections::HashSet<String>, table: &Table) {
    for c in &table.constraints {
        if let ConstraintKind::ForeignKey { referent, .. } = &c.kind
            && !referenced.contains(bare_name(referent))
        {
            referenced.insert(bare_name(referent).to_owned());
        }
    }
}

impl Schema {
    fn fresh(&self) -> std::cell::Ref<'_, Lookup> {
        if self.lookup.borrow().stale {
            self.reindex();
        }
        self.lookup.borrow()
    }

    /// Rebuilds the look-up from `tables`.
    pub fn reindex(&self) {
        let mut lookup = self.lookup.borrow_mut();
        lookup.tables.clear();
        lookup.indexes.clear();
        lookup.referenced.clear();
        lookup.stale = false;
        for (t, table) in self.tables.iter().enumerate() {
            note_referents(&mut lookup.referenced, table);
            lookup.tables.entry(table.name.clone()).or_default().push(t);
            for index in &table.indexes {
                lookup.indexes.entry(index.name.clone()).or_insert(t);
            }
        }
    }

    pub fn table(&self, schema: Option<&str>, name: &str) -> Option<usize> {
        let lookup = self.fresh();
        lookup
            .tables
            .get(name)?
            .iter()
            .copied()
            .find(|&t| self.tables[t].schema.as_deref() == schema)
    }

    /// A table named `name` in any schema, when there is one such table.
    pub fn table_any_schema(&self, name: &str) -> Option<usize> {
        match self.fresh().tables.get(name).map(Vec::as_slice) {
            Some([one]) => Some(*one),
            _ => None,
        }
    }

    /// The table holding index `name`, and the index's position in it.
    pub fn index_owner(&self, name: &str) -> Option<(usize, usize)> {
        let t = *self.fresh().indexes.get(name)?;
        let i = self.tables[t].indexes.iter().position(|i| i.name == name)?;
        Some((t, i))
    }

    pub fn push_table(&mut self, table: Table) {
        let t = self.tables.len();
        {
            let mut lookup = self.lookup.borrow_mut();
            lookup.tables.entry(table.name.clone()).or_default().push(t);
            for index in &table.indexes {
                lookup.indexes.entry(index.name.clone()).or_insert(t);
            }
            note_referents(&mut lookup.referenced, &table);
        }
        self.tables.push(table);
    }

    /// Records the tables that table `t`'s foreign keys reference (after
    /// constraints were added to it).
    pub fn note_foreign_keys(&self, t: usize) {
        note_referents(&mut self.lookup.borrow_mut().referenced, &self.tables[t]);
    }

    /// Whether a foreign key may reference table `name`; `false` is exact.
    pub fn may_be_referenced(&self, name: &str) -> bool {
        self.fresh().referenced.contains(bare_name(name))
    }

    pub fn remove_table(&mut self, t: usize) -> Table {
        self.lookup.borrow_mut().stale = true;
        self.tables.remove(t)
    }

    pub fn rename_table(&mut self, t: usize, new: &str) {
        let old = std::mem::replace(&mut self.tables[t].name, new.to_owned());
        let mut lookup = self.lookup.borrow_mut();
        if let Some(list) = lookup.tables.get_mut(&old) {
            list.retain(|&x| x != t);
            if list.is_empty() {
                lookup.tables.remove(&old);
            }
        }
        lookup.tables.entry(new.to_owned()).or_default().push(t);
        if lookup.referenced.contains(bare_name(&old)) {
            lookup.referenced.insert(bare_name(new).to_owned());
        }
    }

    pub fn push_index(&mut self, t: usize, index: Index) {
        self.lookup
            .borrow_mut()
            .indexes
            .entry(index.name.clone())
            .or_insert(t);
        self.tables[t].indexes.push(index);
    }

    pub fn remove_index(&mut self, t: usize, i: usize) -> Index {
        let index = self.tables[t].indexes.remove(i);
        self.lookup.borrow_mut().indexes.remove(&index.name);
        index
    }

    /// Keeps the indexes of table `t` for which `keep` holds.
    pub fn retain_indexes(&mut self, t: usize, mut keep: impl FnMut(&Index) -> bool) {
        let mut lookup = self.lookup.borrow_mut();
        self.tables[t].indexes.retain(|i| {
            let kept = keep(i);
            if !kept {
                lookup.indexes.remove(&i.name);
            }
            kept
        });
    }

    pub fn rename_index(&mut self, t: usize, i: usize, new: &str) {
        let old = std::mem::replace(&mut self.tables[t].indexes[i].name, new.to_owned());
        let mut lookup = self.lookup.borrow_mut();
        lookup.indexes.remove(&old);
        lookup.indexes.insert(new.to_owned(), t);
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub schema: Option<String>,
    pub name: String,
    /// The name the table was created under (for PostgreSQL's default
    /// constraint names, which do not follow renames).
    pub created_as: String,
    pub columns: Vec<Column>,
    pub constraints: Vec<Constraint>,
    pub indexes: Vec<Index>,
    /// `comment=` of the table.
    pub comment: Option<Code>,
    /// Other keyword arguments of `create_table` (`postgresql_partition_by`,
    /// `info`, …), kept as written.
    pub kwargs: Vec<(String, Code)>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub name: String,
    /// The type expression; `None` when the column was added by SQL and
    /// `sql_type` holds its type.
    pub type_: Option<Code>,
    /// The type as SQL (`vector(1536)`), for columns added by raw SQL.
    pub sql_type: Option<String>,
    /// Positional arguments after the type: `sa.Identity(...)`,
    /// `sa.Computed(...)`, `sa.Sequence(...)`.
    pub extras: Vec<Code>,
    /// Keyword arguments: `nullable`, `server_default`, `comment`,
    /// `autoincrement`, `primary_key`, … (`unique`, `index` and foreign
    /// keys become constraints and indexes of the table).
    pub kwargs: Vec<(String, Code)>,
    /// The sequence PostgreSQL made for a `SERIAL` column, named when the
    /// table was created (renames do not rename it).
    pub serial_sequence: Option<String>,
    pub origin: Origin,
}

impl Column {
    pub fn kwarg(&self, name: &str) -> Option<&Code> {
        self.kwargs.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    pub fn set_kwarg(&mut self, name: &str, value: Option<Code>) {
        match (self.kwargs.iter().position(|(k, _)| k == name), value) {
            (Some(i), Some(v)) => self.kwargs[i].1 = v,
            (Some(i), None) => {
                self.kwargs.remove(i);
            }
            (None, Some(v)) => self.kwargs.push((name.to_owned(), v)),
            (None, None) => {}
        }
    }

    pub fn is_primary_key(&self) -> bool {
        self.kwarg("primary_key").and_then(Code::as_bool) == Some(true)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConstraintKind {
    PrimaryKey {
        columns: Vec<String>,
    },
    Unique {
        columns: Vec<String>,
    },
    Check {
        condition: Code,
    },
    ForeignKey {
        columns: Vec<String>,
        /// `schema.table` or `table`, as written in the referent columns.
        referent: String,
        referent_columns: Vec<String>,
    },
    /// `sa.ExcludeConstraint(...)` / `create_exclude_constraint`: kept as
    /// written.
    Exclude {
        elements: Vec<Code>,
    },
}

impl ConstraintKind {
    /// Alembic's `type_` for `drop_constraint`.
    pub fn type_name(&self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey { .. } => "primary",
            ConstraintKind::Unique { .. } => "unique",
            ConstraintKind::Check { .. } => "check",
            ConstraintKind::ForeignKey { .. } => "foreignkey",
            ConstraintKind::Exclude { .. } => "exclude",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Constraint {
    /// As given; `None` when PostgreSQL (or a naming convention) names it.
    pub name: Option<String>,
    /// Given as `op.f("...")`.
    pub name_is_final: bool,
    /// The name PostgreSQL gives an unnamed constraint, when known.
    pub implicit_name: Option<String>,
    pub kind: ConstraintKind,
    /// `ondelete`, `deferrable`, `postgresql_nulls_not_distinct`, …
    pub kwargs: Vec<(String, Code)>,
    pub origin: Origin,
}

impl Constraint {
    /// The name the database knows it by, when known.
    pub fn db_name(&self) -> Option<&str> {
        self.name.as_deref().or(self.implicit_name.as_deref())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Index {
    pub name: String,
    pub name_is_final: bool,
    pub form: IndexForm,
    /// Created inside `autocommit_block()` (e.g. `CONCURRENTLY`).
    pub autocommit: bool,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "form", rename_all = "snake_case")]
pub enum IndexForm {
    /// `op.create_index(name, table, columns, unique=…, **kw)`.
    Op {
        columns: Vec<Code>,
        unique: bool,
        kwargs: Vec<(String, Code)>,
    },
    /// `CREATE INDEX …` through `op.execute`, kept as written.
    Sql { text: String },
}

/// A statement carried over as written.
#[derive(Debug, Clone, Serialize)]
pub struct Unit {
    pub kind: UnitKind,
    /// The call as the baseline writes it (`op.execute(...)`,
    /// `op.create_entity(...)`, `op.bulk_insert(...)`).
    pub code: Code,
    /// What it creates, for later statements that replace or drop it:
    /// `FUNCTION public.f`, `VIEW v`, `TRIGGER t ON x`.
    pub object: Option<String>,
    /// What it needs: table names, or objects (`TYPE status`); dropped
    /// with them.
    pub depends: Vec<String>,
    /// Inside `autocommit_block()` in the history.
    pub autocommit: bool,
    /// Written before the tables (extensions, schemas, types, sequences).
    pub before_tables: bool,
    pub origin: Origin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// DDL that the model does not fold (functions, views, triggers, …).
    Sql,
    /// A plugin operation (`op.create_entity`, `op.sync_enum_values`, …).
    Plugin,
    /// Reference rows: `bulk_insert`, `INSERT`.
    Data,
}
