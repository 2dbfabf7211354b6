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
    units: Vec<Unit>,
    /// Where each table and index is in `tables`, so that a history of
    /// thousands of tables is not searched once per operation. Kept exact
    /// by the methods below; edits of `tables` made otherwise must call
    /// `reindex`.
    #[serde(skip)]
    lookup: std::cell::RefCell<Lookup>,
}

#[derive(Debug, Clone, Default)]
struct Lookup {
    tables: rustc_hash::FxHashMap<String, Vec<usize>>,
    indexes: rustc_hash::FxHashMap<String, usize>,
    /// Bare table name → positions of the tables whose foreign keys may
    /// reference it (a superset), so that renaming a column or a table
    /// searches the constraints of those tables only, not of every table.
    referencing: rustc_hash::FxHashMap<String, std::collections::BTreeSet<usize>>,
    /// Positions moved (a table was removed): rebuilt on the next look-up.
    stale: bool,
    /// Name → positions in `units` of the units that depend on it.
    units_on: rustc_hash::FxHashMap<String, Vec<usize>>,
    /// Object → positions in `units` of the units that create it.
    units_making: rustc_hash::FxHashMap<String, Vec<usize>>,
    /// `units` changed other than by a push: `units_on` is rebuilt on the
    /// next look-up.
    units_stale: bool,
}

impl Lookup {
    fn note_unit(&mut self, position: usize, unit: &Unit) {
        for name in &unit.depends {
            self.units_on
                .entry(name.clone())
                .or_default()
                .push(position);
        }
        if let Some(object) = &unit.object {
            self.units_making
                .entry(object.clone())
                .or_default()
                .push(position);
        }
    }
}

fn bare_name(table: &str) -> &str {
    table.rsplit('.').next().unwrap_or(table)
}

fn note_referents(
    referencing: &mut rustc_hash::FxHashMap<String, std::collections::BTreeSet<usize>>,
    t: usize,
    table: &Table,
) {
    for c in &table.constraints {
        if let ConstraintKind::ForeignKey { referent, .. } = &c.kind {
            match referencing.get_mut(bare_name(referent)) {
                Some(tables) => {
                    tables.insert(t);
                }
                None => {
                    referencing.insert(bare_name(referent).to_owned(), [t].into());
                }
            }
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
        lookup.referencing.clear();
        lookup.stale = false;
        for (t, table) in self.tables.iter().enumerate() {
            note_referents(&mut lookup.referencing, t, table);
            lookup.tables.entry(table.name.clone()).or_default().push(t);
            for index in &table.indexes {
                lookup.indexes.entry(index.name.clone()).or_insert(t);
            }
        }
    }

    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// For edits other than `push_unit`; the look-up by dependency is
    /// rebuilt after them.
    pub fn units_mut(&mut self) -> &mut Vec<Unit> {
        self.lookup.get_mut().units_stale = true;
        &mut self.units
    }

    pub fn push_unit(&mut self, unit: Unit) {
        let lookup = self.lookup.get_mut();
        if !lookup.units_stale {
            lookup.note_unit(self.units.len(), &unit);
        }
        self.units.push(unit);
    }

    fn fresh_units(&self) -> std::cell::RefMut<'_, Lookup> {
        let mut lookup = self.lookup.borrow_mut();
        if lookup.units_stale {
            lookup.units_on.clear();
            lookup.units_making.clear();
            for (u, unit) in self.units.iter().enumerate() {
                lookup.note_unit(u, unit);
            }
            lookup.units_stale = false;
        }
        lookup
    }

    /// The positions of the units that depend on `name` (a table or an
    /// object), in history order.
    pub fn units_depending_on(&self, name: &str) -> Vec<usize> {
        let mut found = self
            .fresh_units()
            .units_on
            .get(name)
            .cloned()
            .unwrap_or_default();
        // A unit naming `name` twice is listed twice.
        found.dedup();
        found
    }

    /// The positions of the units that create `object`, in history order.
    pub fn units_creating(&self, object: &str) -> Vec<usize> {
        self.fresh_units()
            .units_making
            .get(object)
            .cloned()
            .unwrap_or_default()
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
            note_referents(&mut lookup.referencing, t, &table);
        }
        self.tables.push(table);
    }

    /// Records the tables that table `t`'s foreign keys reference (after
    /// constraints were added to it).
    pub fn note_foreign_keys(&self, t: usize) {
        note_referents(
            &mut self.lookup.borrow_mut().referencing,
            t,
            &self.tables[t],
        );
    }

    /// The positions of the tables whose foreign keys may reference table
    /// `name`, in order; a table not listed has no such foreign key.
    pub fn referencing_tables(&self, name: &str) -> Vec<usize> {
        self.fresh()
            .referencing
            .get(bare_name(name))
            .map(|tables| tables.iter().copied().collect())
            .unwrap_or_default()
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
        if let Some(tables) = lookup.referencing.get(bare_name(&old)).cloned() {
            lookup
                .referencing
                .entry(bare_name(new).to_owned())
                .or_default()
                .extend(tables);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(object: Option<&str>, depends: &[&str]) -> Unit {
        Unit {
            kind: UnitKind::Sql,
            code: Code::atom("op.execute('…')"),
            object: object.map(str::to_owned),
            depends: depends.iter().map(|d| (*d).to_owned()).collect(),
            autocommit: false,
            before_tables: false,
            origin: Origin {
                file: 0,
                span: Span { start: 0, end: 0 },
                seq: 0,
            },
        }
    }

    /// The look-ups by dependency and by object follow every kind of edit:
    /// pushes keep them up to date, other edits have them rebuilt.
    #[test]
    fn unit_lookups_follow_edits() {
        let mut schema = Schema::default();
        schema.push_unit(unit(Some("FUNCTION f"), &[]));
        schema.push_unit(unit(Some("TRIGGER t ON users"), &["users", "users"]));
        schema.push_unit(unit(None, &["orders"]));
        assert_eq!(schema.units_depending_on("users"), [1]);
        assert_eq!(schema.units_creating("FUNCTION f"), [0]);
        schema
            .units_mut()
            .retain(|u| u.object.as_deref() != Some("FUNCTION f"));
        assert_eq!(schema.units_depending_on("users"), [0]);
        assert_eq!(schema.units_depending_on("orders"), [1]);
        assert!(schema.units_creating("FUNCTION f").is_empty());
        schema
            .units_mut()
            .insert(0, unit(Some("VIEW v"), &["orders"]));
        schema.push_unit(unit(None, &["orders"]));
        assert_eq!(schema.units_depending_on("orders"), [0, 2, 3]);
        assert_eq!(schema.units_creating("VIEW v"), [0]);
    }
}
