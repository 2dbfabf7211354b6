//! Renders a replayed schema as one baseline migration, through a
//! minijinja template (`templates/baseline.py.j2` by default, or the
//! user's own). This module decides the order of the statements and writes
//! each one; the template decides everything around them. It never prints.

pub mod format;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::replay::code::Code;
use crate::replay::model::{
    Column, Constraint, ConstraintKind, Index, IndexForm, Schema, Table, Unit, UnitKind,
};
use crate::replay::{Replay, qualify};
use format::{statement, string_literal};

/// The heading of the baseline's list of statements not replayed (the
/// default template's; consolidating a baseline again keeps the list).
pub const NOT_REPLAYED_HEADING: &str =
    "Not replayed (they change existing rows; a fresh database has none):";

/// The default template, Alembic's `script.py.mako` in minijinja.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../templates/baseline.py.j2");

/// The header of the baseline.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    pub message: String,
    pub revision: String,
    pub down_revision: Vec<String>,
    pub branch_labels: Vec<String>,
    pub depends_on: Vec<String>,
    /// Taken from the newest replaced revision, so the output does not
    /// change from run to run.
    pub create_date: String,
    /// Lines for the "not replayed" block.
    pub notes: Vec<String>,
    /// How many revisions the baseline replaces.
    pub squashed: usize,
}

/// The baseline's statements, before the template places them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Body {
    pub upgrade: Vec<String>,
    pub downgrade: Vec<String>,
    pub imports: Vec<String>,
    pub raw_type: bool,
    /// Operations in `upgrade()` (a `with` block's statements each count).
    pub operations: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template error: {0}")]
    Template(String),
}

impl From<minijinja::Error> for RenderError {
    fn from(err: minijinja::Error) -> Self {
        let mut message = err.to_string();
        if let Some(line) = err.line() {
            message = format!("line {line}: {message}");
        }
        let mut source = std::error::Error::source(&err);
        while let Some(s) = source {
            message.push_str(&format!(": {s}"));
            source = s.source();
        }
        RenderError::Template(message)
    }
}

/// Checks a template: `Err` names the line of a syntax error.
pub fn check_template(template: &str) -> Result<(), RenderError> {
    environment().template_from_str(template)?;
    Ok(())
}

fn environment() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_keep_trailing_newline(true);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env
}

/// The whole baseline file.
pub fn render(header: &Header, body: &Body, template: &str) -> Result<String, RenderError> {
    let env = environment();
    let template = env.template_from_str(template)?;
    let literal = |values: &[String]| match values {
        [] => "None".to_owned(),
        [one] => string_literal(one),
        many => format::flat(&Code::Tuple(
            many.iter().map(|v| Code::Str(v.as_str().into())).collect(),
        )),
    };
    let revises = if header.down_revision.is_empty() {
        String::new()
    } else {
        header.down_revision.join(", ")
    };
    // The body is most of the file: reserve it once rather than grow a
    // string of many megabytes step by step.
    let size: usize = body
        .upgrade
        .iter()
        .chain(&body.downgrade)
        .map(|l| l.len() + 8)
        .sum();
    let mut out = Vec::with_capacity(size + 4096);
    template.render_captured_to(
        minijinja::context! {
            message => header.message,
            revision => header.revision,
            revision_literal => string_literal(&header.revision),
            revises => revises,
            down_revision => literal(&header.down_revision),
            branch_labels => literal(&header.branch_labels),
            depends_on => literal(&header.depends_on),
            create_date => header.create_date,
            notes => header.notes,
            imports => body.imports,
            raw_type => body.raw_type,
            upgrade => body.upgrade,
            downgrade => body.downgrade,
            operations => body.operations,
            tool_version => env!("CARGO_PKG_VERSION"),
            squashed => header.squashed,
        },
        &mut out,
    )?;
    // Templates and values are text: the output is UTF-8.
    Ok(String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Tables created (or dropped) in one transaction of a large baseline.
/// PostgreSQL's lock table holds 64 locks per connection by default
/// (`max_locks_per_transaction` × `max_connections`, 6,400); creating a
/// table locks it, its indexes, sequences and TOAST table, and a baseline
/// of ~650 tables in one transaction runs out ("out of shared memory").
const TABLES_PER_TRANSACTION: usize = 200;

/// Orders and writes the statements of `upgrade()` and `downgrade()`.
pub fn body(replay: &Replay) -> Body {
    body_of(replay, true)
}

/// The operations a baseline's `upgrade()` would hold, without writing it.
pub fn operation_count(replay: &Replay) -> usize {
    body_of(replay, false).operations
}

fn body_of(replay: &Replay, write: bool) -> Body {
    let schema = &replay.schema;
    let mut out = Body::default();
    let mut imports: BTreeSet<String> = replay.imports.iter().map(|i| i.line()).collect();
    imports.remove("import sqlalchemy as sa");
    imports.remove("from alembic import op");

    let tables = table_order(schema);
    // Where a unit goes changes no count.
    let table_words = if write {
        words_of_tables(schema)
    } else {
        BTreeSet::new()
    };
    let (before, after): (Vec<&Unit>, Vec<&Unit>) = schema
        .units()
        .iter()
        .partition(|u| u.before_tables || needed_by_tables(u, &table_words));

    let mut up = Statements {
        write,
        ..Default::default()
    };
    for unit in &before {
        up.unit(unit);
    }
    let mut deferred: Vec<(&Table, &Constraint)> = Vec::new();
    let mut created: BTreeSet<&str> = BTreeSet::new();
    let mut late_indexes: Vec<(&Table, &Index)> = Vec::new();
    let split = tables.len() > TABLES_PER_TRANSACTION;
    for (n, &t) in tables.iter().enumerate() {
        if split && n > 0 && n % TABLES_PER_TRANSACTION == 0 {
            up.commit();
        }
        let table = &schema.tables[t];
        created.insert(&table.name);
        let deferred_from = deferred.len();
        for c in &table.constraints {
            if let ConstraintKind::ForeignKey { referent, .. } = &c.kind {
                let target = referent.rsplit('.').next().unwrap_or(referent);
                if target != table.name && !created.contains(target) {
                    deferred.push((table, c));
                }
            }
        }
        let deferred_here: Vec<&Constraint> =
            deferred[deferred_from..].iter().map(|(_, c)| *c).collect();
        out.raw_type |= table.columns.iter().any(|c| c.sql_type.is_some());
        up.push_with(|| create_table(table, &deferred_here));
        for index in &table.indexes {
            if index.autocommit {
                late_indexes.push((table, index));
            } else {
                up.push_with(|| create_index(table, index));
            }
        }
        for column in &table.columns {
            if let Some(sequence) = &column.serial_sequence {
                let default = format!("{}_{}_seq", table.name, column.name);
                if &default != sequence {
                    up.push(execute(&format!(
                        "ALTER SEQUENCE {} RENAME TO {}",
                        qualify(table.schema.as_deref(), &default),
                        sequence
                    )));
                }
            }
        }
    }
    for (table, constraint) in &deferred {
        up.push_with(|| create_foreign_key(table, constraint));
    }
    if !late_indexes.is_empty() {
        up.autocommit(late_indexes.iter().map(|(t, i)| create_index(t, i)));
    }
    for unit in &after {
        up.unit(unit);
    }
    out.operations = up.operations;
    out.upgrade = up.lines;

    if !write {
        out.operations = up.operations;
        return out;
    }
    let mut down = Statements {
        write,
        ..Default::default()
    };
    for unit in after.iter().rev() {
        if let Some(code) = undo(unit) {
            down.push(code);
        }
    }
    for (table, constraint) in deferred.iter().rev() {
        if let Some(name) = constraint.db_name() {
            down.push(Code::call(
                "op.drop_constraint",
                vec![
                    Code::Str(name.into()),
                    Code::Str(table.name.as_str().into()),
                ],
                schema_kwarg(table)
                    .into_iter()
                    .chain([("type_".to_owned(), Code::Str("foreignkey".into()))])
                    .collect(),
            ));
        }
    }
    let mut enum_types = BTreeSet::new();
    for (n, &t) in tables.iter().rev().enumerate() {
        if split && n > 0 && n % TABLES_PER_TRANSACTION == 0 {
            down.commit();
        }
        let table = &schema.tables[t];
        down.push(Code::call(
            "op.drop_table",
            vec![Code::Str(table.name.as_str().into())],
            schema_kwarg(table),
        ));
        for column in &table.columns {
            if let Some(name) = column
                .type_
                .as_ref()
                .and_then(crate::replay::enum_type_name)
            {
                enum_types.insert(name);
            }
        }
    }
    for name in &enum_types {
        down.push(execute(&format!("DROP TYPE IF EXISTS {name}")));
    }
    for unit in before.iter().rev() {
        if let Some(code) = undo(unit) {
            down.push(code);
        }
    }
    out.downgrade = down.lines;
    out.imports = imports.into_iter().collect();
    out
}

/// Statements of one function body, laid out at its indentation.
#[derive(Default)]
struct Statements {
    lines: Vec<String>,
    operations: usize,
    /// `false`: only count.
    write: bool,
}

impl Statements {
    fn push(&mut self, code: Code) {
        self.push_with(|| code);
    }

    /// `code()` is called only when writing: counting a large history's
    /// statements builds none of them.
    fn push_with(&mut self, code: impl FnOnce() -> Code) {
        self.operations += 1;
        if self.write {
            self.lines.push(statement(&code(), 4));
        }
    }

    fn unit(&mut self, unit: &Unit) {
        if unit.autocommit {
            self.autocommit(std::iter::once(unit).map(|u| u.code.clone()));
        } else {
            self.push_with(|| unit.code.clone());
        }
    }

    /// Commits the migration's transaction and begins a new one (what an
    /// empty `autocommit_block` does), releasing the locks held so far.
    fn commit(&mut self) {
        self.lines.push(format!(
            "# {TABLES_PER_TRANSACTION} tables per transaction: locks on all of them at once would \
             exceed\n    # PostgreSQL's default max_locks_per_transaction.\n    \
             with op.get_context().autocommit_block():\n        pass"
        ));
    }

    fn autocommit(&mut self, codes: impl ExactSizeIterator<Item = Code>) {
        self.operations += codes.len();
        if !self.write {
            return;
        }
        let mut block = String::from("with op.get_context().autocommit_block():");
        for code in codes {
            block.push_str("\n        ");
            block.push_str(&statement(&code, 8));
        }
        self.lines.push(block);
    }
}

/// A unit that a table needs before it: a function or type that a column
/// default, check or index names, and that names no table itself.
fn needed_by_tables(unit: &Unit, table_words: &BTreeSet<String>) -> bool {
    let Some(object) = &unit.object else {
        return false;
    };
    let Some(name) = object.rsplit(' ').next() else {
        return false;
    };
    if !unit.depends.is_empty() || unit.kind == UnitKind::Data {
        return false;
    }
    let name = name.split('(').next().unwrap_or(name);
    let name = name.rsplit('.').next().unwrap_or(name);
    table_words.contains(&name.to_ascii_lowercase())
}

/// Every identifier-like word in the tables' defaults, extras, SQL types
/// and checks, lower-cased.
fn words_of_tables(schema: &Schema) -> BTreeSet<String> {
    let mut texts = Vec::new();
    for table in &schema.tables {
        for column in &table.columns {
            column.kwargs.iter().for_each(|(_, v)| v.texts(&mut texts));
            column.extras.iter().for_each(|e| e.texts(&mut texts));
            if let Some(t) = &column.sql_type {
                texts.push(t.clone());
            }
        }
        for c in &table.constraints {
            if let ConstraintKind::Check { condition } = &c.kind {
                condition.texts(&mut texts);
            }
        }
    }
    texts
        .iter()
        .flat_map(|t| {
            t.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|w| !w.is_empty())
                .map(str::to_ascii_lowercase)
        })
        .collect()
}

/// Tables in foreign-key order (a table after those it references), ties
/// and cycles broken by creation order.
fn table_order(schema: &Schema) -> Vec<usize> {
    let by_name: BTreeMap<&str, usize> = schema
        .tables
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), i))
        .collect();
    let mut order = Vec::new();
    let mut state = vec![0u8; schema.tables.len()];
    fn visit(
        i: usize,
        schema: &Schema,
        by_name: &BTreeMap<&str, usize>,
        state: &mut [u8],
        order: &mut Vec<usize>,
    ) {
        if state[i] != 0 {
            return;
        }
        state[i] = 1;
        for c in &schema.tables[i].constraints {
            if let ConstraintKind::ForeignKey { referent, .. } = &c.kind {
                let target = referent.rsplit('.').next().unwrap_or(referent);
                if let Some(&j) = by_name.get(target)
                    && j != i
                {
                    visit(j, schema, by_name, state, order);
                }
            }
        }
        state[i] = 2;
        order.push(i);
    }
    for i in 0..schema.tables.len() {
        visit(i, schema, &by_name, &mut state, &mut order);
    }
    order
}

fn schema_kwarg(table: &Table) -> Vec<(String, Code)> {
    table
        .schema
        .iter()
        .map(|s| ("schema".to_owned(), Code::Str(s.as_str().into())))
        .collect()
}

fn name_code(name: &str, is_final: bool) -> Code {
    if is_final {
        Code::call("op.f", vec![Code::Str(name.into())], vec![])
    } else {
        Code::Str(name.into())
    }
}

/// The `name=` a constraint needs: its own, or the name PostgreSQL gave
/// it when that is not the name PostgreSQL would give it now.
fn constraint_name(table: &Table, c: &Constraint) -> Option<Code> {
    if let Some(name) = &c.name {
        return Some(name_code(name, c.name_is_final));
    }
    let implicit = c.implicit_name.as_ref()?;
    let now = match &c.kind {
        ConstraintKind::PrimaryKey { .. } => format!("{}_pkey", table.name),
        ConstraintKind::Unique { columns } => format!("{}_{}_key", table.name, columns.join("_")),
        ConstraintKind::ForeignKey { columns, .. } => {
            format!("{}_{}_fkey", table.name, columns.join("_"))
        }
        ConstraintKind::Check { condition } => {
            // The name PostgreSQL would now choose, among the names before it.
            let taken: Vec<String> = table
                .constraints
                .iter()
                .take_while(|other| !std::ptr::eq(*other, c))
                .filter_map(|other| other.db_name().map(str::to_owned))
                .collect();
            crate::replay::check_constraint_name(&table.name, &table.columns, condition, &taken)
        }
        _ => return None,
    };
    (&now != implicit).then(|| Code::Str(implicit.as_str().into()))
}

fn column_code(column: &Column) -> Code {
    let mut args = vec![Code::Str(column.name.as_str().into())];
    match (&column.type_, &column.sql_type) {
        (Some(t), _) => args.push(t.clone()),
        (None, Some(sql)) => args.push(Code::call(
            "RawType",
            vec![Code::Str(sql.as_str().into())],
            vec![],
        )),
        (None, None) => {}
    }
    args.extend(column.extras.iter().cloned());
    Code::call("sa.Column", args, column.kwargs.clone())
}

fn constraint_code(table: &Table, c: &Constraint) -> Code {
    let mut kwargs: Vec<(String, Code)> = constraint_name(table, c)
        .map(|n| ("name".to_owned(), n))
        .into_iter()
        .collect();
    kwargs.extend(c.kwargs.iter().cloned());
    let strs = |v: &[String]| {
        v.iter()
            .map(|s| Code::Str(s.as_str().into()))
            .collect::<Vec<_>>()
    };
    match &c.kind {
        ConstraintKind::PrimaryKey { columns } => {
            Code::call("sa.PrimaryKeyConstraint", strs(columns), kwargs)
        }
        ConstraintKind::Unique { columns } => {
            Code::call("sa.UniqueConstraint", strs(columns), kwargs)
        }
        ConstraintKind::Check { condition } => {
            Code::call("sa.CheckConstraint", vec![condition.clone()], kwargs)
        }
        ConstraintKind::ForeignKey {
            columns,
            referent,
            referent_columns,
        } => Code::call(
            "sa.ForeignKeyConstraint",
            vec![
                Code::List(strs(columns)),
                Code::List(
                    referent_columns
                        .iter()
                        .map(|c| Code::Str(format!("{referent}.{c}").into()))
                        .collect(),
                ),
            ],
            kwargs,
        ),
        ConstraintKind::Exclude { elements } => {
            Code::call("postgresql.ExcludeConstraint", elements.clone(), kwargs)
        }
    }
}

fn create_table(table: &Table, deferred: &[&Constraint]) -> Code {
    let mut args = vec![Code::Str(table.name.as_str().into())];
    args.extend(table.columns.iter().map(column_code));
    args.extend(
        table
            .constraints
            .iter()
            .filter(|c| !deferred.iter().any(|d| std::ptr::eq(*d, *c)))
            .map(|c| constraint_code(table, c)),
    );
    let mut kwargs = schema_kwarg(table);
    if let Some(comment) = &table.comment {
        kwargs.push(("comment".into(), comment.clone()));
    }
    kwargs.extend(table.kwargs.iter().cloned());
    Code::call("op.create_table", args, kwargs)
}

fn create_foreign_key(table: &Table, c: &Constraint) -> Code {
    let ConstraintKind::ForeignKey {
        columns,
        referent,
        referent_columns,
    } = &c.kind
    else {
        unreachable!("only foreign keys are deferred")
    };
    let name = constraint_name(table, c)
        .or_else(|| c.implicit_name.as_deref().map(|n| Code::Str(n.into())))
        .unwrap_or(Code::atom("None"));
    let (referent_schema, referent_table) = match referent.rsplit_once('.') {
        Some((s, t)) => (Some(s), t),
        None => (None, referent.as_str()),
    };
    let mut kwargs = Vec::new();
    if let Some(s) = &table.schema {
        kwargs.push(("source_schema".to_owned(), Code::Str(s.as_str().into())));
    }
    if let Some(s) = referent_schema {
        kwargs.push(("referent_schema".to_owned(), Code::Str(s.into())));
    }
    kwargs.extend(c.kwargs.iter().cloned());
    Code::call(
        "op.create_foreign_key",
        vec![
            name,
            Code::Str(table.name.as_str().into()),
            Code::Str(referent_table.into()),
            Code::str_list(columns.iter().map(String::as_str)),
            Code::str_list(referent_columns.iter().map(String::as_str)),
        ],
        kwargs,
    )
}

fn create_index(table: &Table, index: &Index) -> Code {
    match &index.form {
        IndexForm::Op {
            columns,
            unique,
            kwargs,
        } => {
            let mut all = schema_kwarg(table);
            all.push((
                "unique".into(),
                Code::atom(if *unique { "True" } else { "False" }),
            ));
            all.extend(kwargs.iter().cloned());
            Code::call(
                "op.create_index",
                vec![
                    name_code(&index.name, index.name_is_final),
                    Code::Str(table.name.as_str().into()),
                    Code::List(columns.clone()),
                ],
                all,
            )
        }
        IndexForm::Sql { text } => execute(text),
    }
}

fn execute(sql: &str) -> Code {
    Code::call("op.execute", vec![Code::Str(sql.into())], vec![])
}

/// The statement that removes what a unit created, when it creates
/// something by name.
fn undo(unit: &Unit) -> Option<Code> {
    if unit.kind == UnitKind::Plugin {
        return match &unit.code {
            Code::Call { args, kwargs, .. } if unit.object.is_some() => {
                Some(Code::call("op.drop_entity", args.clone(), kwargs.clone()))
            }
            _ => None,
        };
    }
    let object = unit.object.as_deref()?;
    let (kind, name) = object.split_once(' ')?;
    let sql = match kind {
        "TRIGGER" | "POLICY" | "RULE" => {
            let (name, on) = name.split_once(" ON ")?;
            format!("DROP {kind} IF EXISTS {name} ON {on}")
        }
        "CONSTRAINT" => return None,
        "MATERIALIZED" => format!("DROP {object}").replacen("VIEW ", "VIEW IF EXISTS ", 1),
        _ => format!("DROP {kind} IF EXISTS {name}"),
    };
    Some(execute(&sql))
}
