//! Raw SQL given to `op.execute`, folded into the model where it changes
//! what the model holds (indexes, columns, constraints, comments, tables),
//! carried over verbatim otherwise, with the identity of what it creates
//! (a function, a view, a trigger) so that a later replacement or drop
//! supersedes it. sqlparser's tokenizer splits and classifies statements
//! (it reads statements its parser does not); the parser reads
//! `ALTER TABLE` and `COMMENT ON`.

use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ColumnOption, CommentObject, RenameTableNameKind,
    Statement,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};

use super::code::Code;
use super::model::{Column, ConstraintKind, IndexForm, Unit, UnitKind};
use super::{FindingKind, OpCtx, Result};

/// Whether `text` uses `word` as an identifier (not inside a longer name).
pub fn mentions(text: &str, word: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let word = word.to_ascii_lowercase();
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    lower.match_indices(&word).any(|(at, _)| {
        let before = lower[..at].chars().next_back();
        let after = lower[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// Whether an index created by SQL uses `column` (in its column list or
/// its `WHERE`).
pub fn index_columns_mention(text: &str, column: &str) -> bool {
    let on = text.to_ascii_lowercase().find(" on ").unwrap_or(0);
    mentions(&text[on..], column)
}

/// One statement of a SQL string: its text and its words, upper-cased
/// (identifiers keep their case in `idents`).
struct Statement_ {
    text: String,
    words: Vec<String>,
    idents: Vec<String>,
}

/// Splits `sql` at top-level semicolons. `None` when the tokenizer cannot
/// read it.
fn split(sql: &str) -> Option<Vec<Statement_>> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize_with_location()
        .ok()?;
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(sql.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    // Semicolons come in order: counting characters on from the last one
    // keeps a megabyte of statements on one line linear.
    let mut cursor = (0u64, 0u64, 0usize); // (line, column, byte offset)
    let mut offset = |line: u64, column: u64| -> usize {
        let (skip, from) = if cursor.0 == line && cursor.1 <= column {
            (column - cursor.1, cursor.2)
        } else {
            let start = line_starts
                .get(line.saturating_sub(1) as usize)
                .copied()
                .unwrap_or(sql.len());
            (column.saturating_sub(1), start)
        };
        let at = sql[from..]
            .char_indices()
            .nth(skip as usize)
            .map_or(sql.len(), |(i, _)| from + i);
        cursor = (line, column, at);
        at
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut depth = 0i32;
    let mut words = Vec::new();
    let mut idents = Vec::new();
    for t in &tokens {
        match &t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            Token::SemiColon if depth <= 0 => {
                let end = offset(t.span.start.line, t.span.start.column);
                push_statement(&mut out, &sql[start..end], &mut words, &mut idents);
                start = end + 1;
                continue;
            }
            Token::Word(w) => {
                words.push(w.value.to_ascii_uppercase());
                idents.push(w.value.clone());
            }
            Token::Whitespace(_) => continue,
            other => {
                let s = other.to_string();
                words.push(s.clone());
                idents.push(s);
            }
        }
    }
    push_statement(
        &mut out,
        &sql[start.min(sql.len())..],
        &mut words,
        &mut idents,
    );
    Some(out)
}

fn push_statement(
    out: &mut Vec<Statement_>,
    text: &str,
    words: &mut Vec<String>,
    idents: &mut Vec<String>,
) {
    if !words.is_empty() {
        out.push(Statement_ {
            text: text.trim().to_owned(),
            words: std::mem::take(words),
            idents: std::mem::take(idents),
        });
    }
    words.clear();
    idents.clear();
}

/// Words that qualify a statement without naming what it acts on.
const SKIP: &[&str] = &[
    "OR",
    "REPLACE",
    "UNIQUE",
    "CONCURRENTLY",
    "IF",
    "NOT",
    "EXISTS",
    "ONLY",
    "TEMP",
    "TEMPORARY",
    "UNLOGGED",
    "CONSTRAINT",
    "RECURSIVE",
    "TRUSTED",
    "PROCEDURAL",
];

impl Statement_ {
    fn verb(&self) -> &str {
        self.words.first().map(String::as_str).unwrap_or("")
    }

    /// `CREATE OR REPLACE VIEW v` → ("VIEW", index of `v`).
    fn object_kind(&self) -> Option<(String, usize)> {
        let mut i = 1;
        while self
            .words
            .get(i)
            .is_some_and(|w| SKIP.contains(&w.as_str()))
        {
            i += 1;
        }
        let kind = self.words.get(i)?.clone();
        if kind == "MATERIALIZED" {
            return Some(("MATERIALIZED VIEW".into(), i + 2).skip_modifiers(self));
        }
        Some((kind, i + 1).skip_modifiers(self))
    }

    /// A possibly qualified name starting at word `i`: (name without
    /// schema, index after it).
    fn name_at(&self, i: usize) -> Option<(String, usize)> {
        let mut name = self.idents.get(i)?.clone();
        let mut next = i + 1;
        while self.idents.get(next).map(String::as_str) == Some(".") {
            name = self.idents.get(next + 1)?.clone();
            next += 2;
        }
        Some((name, next))
    }

    fn has(&self, word: &str) -> bool {
        self.words.iter().any(|w| w == word)
    }

    /// The name after the first `ON` (a trigger's or policy's table).
    fn on_table(&self) -> Option<String> {
        let i = self.words.iter().position(|w| w == "ON")?;
        let mut j = i + 1;
        while self.words.get(j).is_some_and(|w| w == "ONLY") {
            j += 1;
        }
        self.name_at(j).map(|(n, _)| n)
    }
}

trait SkipModifiers {
    fn skip_modifiers(self, s: &Statement_) -> Self;
}

impl SkipModifiers for (String, usize) {
    fn skip_modifiers(mut self, s: &Statement_) -> Self {
        while s
            .words
            .get(self.1)
            .is_some_and(|w| SKIP.contains(&w.as_str()))
        {
            self.1 += 1;
        }
        self
    }
}

impl OpCtx<'_, '_> {
    pub(super) fn execute(&mut self) -> Result<()> {
        let Some(info) = self.op.sql.as_deref() else {
            return Err(self.err("op.execute without SQL"));
        };
        if info.dynamic && !info.statements.is_empty() && info.is_dml() {
            self.data_migration();
            return Ok(());
        }
        if info.dynamic {
            return Err(self.err(
                "the SQL is built when the migration runs (an f-string, `%`, `.format` or a variable)",
            ));
        }
        let Some(text) = info.text.clone() else {
            // SQLAlchemy Core: `table.update().where(...)`.
            if info.is_dml() {
                self.data_migration();
                return Ok(());
            }
            return Err(
                self.err("the statement is built with SQLAlchemy and cannot be read as SQL")
            );
        };
        let Some(statements) = split(&text) else {
            return self.verbatim(&text, None, Vec::new(), false);
        };
        let mut data_migration = false;
        for statement in statements {
            data_migration |= self.statement(&statement)?;
        }
        if data_migration {
            self.data_migration();
        }
        Ok(())
    }

    fn data_migration(&mut self) {
        self.state.finding(
            FindingKind::DataMigration,
            self.origin.file,
            self.origin.span,
            "changes existing rows; a fresh database has none, so it is not replayed",
        );
    }

    /// Folds or keeps one statement; `true` when it is a data migration.
    fn statement(&mut self, s: &Statement_) -> Result<bool> {
        let verb = s.verb().to_owned();
        let object = s.object_kind();
        let kind = object.as_ref().map(|(k, _)| k.as_str()).unwrap_or("");
        // A statement on a table created by raw SQL is kept as written too.
        let on_table = match (verb.as_str(), kind) {
            ("ALTER", "TABLE") => object
                .as_ref()
                .and_then(|(_, at)| s.name_at(*at))
                .map(|(n, _)| n),
            ("CREATE", "INDEX") => s.on_table(),
            // COMMENT ON TABLE t / COMMENT ON COLUMN t.c
            ("COMMENT", _) => match s.words.get(2).map(String::as_str) {
                Some("TABLE") => s.name_at(3).map(|(n, _)| n),
                Some("COLUMN") => {
                    let mut parts = Vec::new();
                    let mut i = 3;
                    while let Some(w) = s.idents.get(i) {
                        parts.push(w.clone());
                        if s.idents.get(i + 1).map(String::as_str) != Some(".") {
                            break;
                        }
                        i += 2;
                    }
                    parts.iter().rev().nth(1).cloned()
                }
                _ => None,
            },
            _ => None,
        };
        if let Some(table) = on_table
            && self.state.out.schema.table_any_schema(&table).is_none()
            && self.sql_created(&table)
        {
            let object = (kind == "INDEX")
                .then(|| object.as_ref().and_then(|(_, at)| s.name_at(*at)))
                .flatten()
                .map(|(n, _)| format!("INDEX {n}"));
            self.push_sql(s, UnitKind::Sql, object, vec![table], false);
            return Ok(false);
        }
        match (verb.as_str(), kind) {
            ("UPDATE" | "DELETE" | "TRUNCATE" | "MERGE" | "COPY" | "SELECT" | "WITH", _) => {
                return Ok(true);
            }
            ("INSERT", _) => {
                let table = s
                    .words
                    .iter()
                    .position(|w| w == "INTO")
                    .and_then(|i| s.name_at(i + 1))
                    .map(|(n, _)| n);
                self.push_sql(s, UnitKind::Data, None, table.into_iter().collect(), false);
            }
            ("CREATE", "INDEX") => {
                let (_, at) = object.unwrap();
                // `CREATE INDEX ON t (...)` has no name: PostgreSQL makes one.
                let (name, _) = s
                    .name_at(at)
                    .filter(|(n, _)| !n.eq_ignore_ascii_case("on"))
                    .ok_or_else(|| self.err("an index created by SQL without a name"))?;
                let table = s
                    .on_table()
                    .ok_or_else(|| self.err("CREATE INDEX without ON"))?;
                let t = self.sql_table(&table)?;
                if self.state.out.schema.index_owner(&name).is_some() {
                    if s.has("EXISTS") {
                        return Ok(false);
                    }
                    return Err(self.err(format!("index `{name}` already exists at this point")));
                }
                self.state.out.schema.push_index(
                    t,
                    super::model::Index {
                        name,
                        name_is_final: true,
                        form: IndexForm::Sql {
                            text: s.text.clone(),
                        },
                        autocommit: self.op.context.autocommit,
                        origin: self.origin,
                    },
                );
            }
            ("DROP", "INDEX") => {
                let (_, mut at) = object.unwrap();
                let if_exists = s.has("EXISTS");
                while let Some((name, next)) = s.name_at(at) {
                    if matches!(name.to_ascii_uppercase().as_str(), "CASCADE" | "RESTRICT") {
                        break;
                    }
                    self.drop_index(&name, if_exists)?;
                    at = next;
                    if s.idents.get(at).map(String::as_str) == Some(",") {
                        at += 1;
                    } else {
                        break;
                    }
                }
            }
            ("DROP", "TABLE") => {
                let (_, mut at) = object.unwrap();
                let if_exists = s.has("EXISTS");
                while let Some((name, next)) = s.name_at(at) {
                    match self.state.out.schema.table_any_schema(&name) {
                        Some(t) => self.drop_table(t),
                        None => {
                            self.state
                                .drop_object(&format!("TABLE {name}"), if_exists, self.origin)
                        }
                    }
                    at = next;
                    if s.idents.get(at).map(String::as_str) == Some(",") {
                        at += 1;
                    } else {
                        break;
                    }
                }
            }
            ("ALTER", "TABLE") => return self.alter_table(s).map(|()| false),
            ("COMMENT", _) => return self.comment(s).map(|()| false),
            ("ALTER", "INDEX") if s.has("RENAME") && s.has("TO") => {
                let (_, at) = object.clone().unwrap();
                let old = s.name_at(at).map(|(n, _)| n);
                let new = s
                    .words
                    .iter()
                    .position(|w| w == "TO")
                    .and_then(|i| s.name_at(i + 1))
                    .map(|(n, _)| n);
                let (Some(old), Some(new)) = (old, new) else {
                    return Err(self.err("ALTER INDEX … RENAME without its names"));
                };
                let schema = &mut self.state.out.schema;
                if let Some((t, i)) = schema.index_owner(&old) {
                    schema.rename_index(t, i, &new);
                    return Ok(false);
                }
                // The index of a primary key or unique constraint: renaming
                // it renames the constraint.
                let owner = schema.tables.iter_mut().find_map(|t| {
                    t.constraints.iter_mut().find(|c| {
                        c.db_name() == Some(old.as_str())
                            && matches!(
                                c.kind,
                                ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. }
                            )
                    })
                });
                if let Some(constraint) = owner {
                    constraint.name = Some(new);
                    constraint.name_is_final = true;
                    constraint.implicit_name = None;
                    return Ok(false);
                }
                // A primary key declared on its columns.
                if let Some(table) = schema
                    .tables
                    .iter_mut()
                    .find(|t| format!("{}_pkey", t.created_as) == old)
                    && !table
                        .constraints
                        .iter()
                        .any(|c| matches!(c.kind, ConstraintKind::PrimaryKey { .. }))
                    && table.columns.iter().any(|c| c.is_primary_key())
                {
                    super::keep_constraint_names(table);
                    if let Some(pk) = table
                        .constraints
                        .iter_mut()
                        .find(|c| matches!(c.kind, ConstraintKind::PrimaryKey { .. }))
                    {
                        pk.name = Some(new);
                        pk.name_is_final = true;
                        pk.implicit_name = None;
                    }
                    return Ok(false);
                }
                self.push_sql(
                    s,
                    UnitKind::Sql,
                    Some(format!("INDEX {new}")),
                    Vec::new(),
                    false,
                );
            }
            ("ALTER", "SEQUENCE") if s.has("RENAME") => {
                let (_, at) = object.unwrap();
                let (old, _) = s
                    .name_at(at)
                    .ok_or_else(|| self.err("ALTER SEQUENCE without a name"))?;
                let new = s
                    .words
                    .iter()
                    .position(|w| w == "TO")
                    .and_then(|i| s.name_at(i + 1))
                    .map(|(n, _)| n);
                let column = self.state.out.schema.tables.iter_mut().find_map(|t| {
                    t.columns
                        .iter_mut()
                        .find(|c| c.serial_sequence.as_deref() == Some(old.as_str()))
                });
                match (column, new) {
                    (Some(column), Some(new)) => column.serial_sequence = Some(new),
                    _ => self.push_sql(
                        s,
                        UnitKind::Sql,
                        None,
                        vec![format!("SEQUENCE {old}")],
                        false,
                    ),
                }
            }
            ("CREATE", "EXTENSION" | "SCHEMA" | "TYPE" | "SEQUENCE" | "DOMAIN" | "COLLATION") => {
                let (kind, at) = object.clone().unwrap();
                let (name, _) = s
                    .name_at(at)
                    .ok_or_else(|| self.err(format!("CREATE {kind} without a name")))?;
                self.push_sql(
                    s,
                    UnitKind::Sql,
                    Some(format!("{kind} {name}")),
                    Vec::new(),
                    true,
                );
            }
            ("ALTER", "TYPE" | "EXTENSION" | "SEQUENCE" | "DOMAIN" | "SCHEMA") => {
                let (kind, at) = object.clone().unwrap();
                let (name, _) = s
                    .name_at(at)
                    .ok_or_else(|| self.err(format!("ALTER {kind} without a name")))?;
                let target = format!("{kind} {name}");
                // Next to what it alters: before the tables when that is.
                let schema = &self.state.out.schema;
                let before = schema
                    .units_creating(&target)
                    .into_iter()
                    .any(|u| schema.units()[u].before_tables);
                self.push_sql(s, UnitKind::Sql, None, vec![target], before);
            }
            (
                "CREATE",
                "FUNCTION" | "PROCEDURE" | "VIEW" | "MATERIALIZED VIEW" | "TRIGGER" | "POLICY"
                | "RULE" | "AGGREGATE" | "OPERATOR",
            ) => {
                let (kind, at) = object.clone().unwrap();
                let (name, _) = s
                    .name_at(at)
                    .ok_or_else(|| self.err(format!("CREATE {kind} without a name")))?;
                let on = matches!(kind.as_str(), "TRIGGER" | "POLICY" | "RULE")
                    .then(|| s.on_table())
                    .flatten();
                let identity = match &on {
                    Some(t) => format!("{kind} {name} ON {t}"),
                    None => format!("{kind} {name}"),
                };
                let depends = self.tables_mentioned(s);
                self.push_sql(s, UnitKind::Sql, Some(identity), depends, false);
            }
            ("CREATE", "TABLE") => {
                let (_, at) = object.unwrap();
                let (name, _) = s
                    .name_at(at)
                    .ok_or_else(|| self.err("CREATE TABLE without a name"))?;
                let depends = self.tables_mentioned(s);
                self.push_sql(
                    s,
                    UnitKind::Sql,
                    Some(format!("TABLE {name}")),
                    depends,
                    false,
                );
                self.verbatim_note("a table created by raw SQL is carried over as written");
            }
            ("DROP", kind) if !kind.is_empty() => {
                let (kind, mut at) = object.clone().unwrap();
                let if_exists = s.has("EXISTS");
                let on = s.on_table();
                while let Some((name, next)) = s.name_at(at) {
                    // The sequence of a SERIAL column: with CASCADE the
                    // column loses its default and stays a plain column.
                    if kind == "SEQUENCE"
                        && s.has("CASCADE")
                        && let Some(column) =
                            self.state.out.schema.tables.iter_mut().find_map(|t| {
                                t.columns
                                    .iter_mut()
                                    .find(|c| c.serial_sequence.as_deref() == Some(name.as_str()))
                            })
                    {
                        column.serial_sequence = None;
                        column.set_kwarg("autoincrement", Some(Code::atom("False")));
                        at = next;
                        if s.idents.get(at).map(String::as_str) == Some(",") {
                            at += 1;
                            continue;
                        }
                        break;
                    }
                    let identity = match (&on, kind.as_str()) {
                        (Some(t), "TRIGGER" | "POLICY" | "RULE") => format!("{kind} {name} ON {t}"),
                        _ => format!("{kind} {name}"),
                    };
                    // A type made by a column's `sa.Enum` is not a unit; its
                    // drop leaves nothing to undo.
                    let lenient = if_exists || kind == "TYPE";
                    self.state.drop_object(&identity, lenient, self.origin);
                    let schema = &mut self.state.out.schema;
                    if !schema.units_depending_on(&identity).is_empty() {
                        schema
                            .units_mut()
                            .retain(|u| !u.depends.contains(&identity));
                    }
                    at = next;
                    // Skip an argument list: `DROP FUNCTION f(int), g()`.
                    if s.idents.get(at).map(String::as_str) == Some("(") {
                        let mut depth = 0;
                        while let Some(w) = s.idents.get(at) {
                            at += 1;
                            match w.as_str() {
                                "(" => depth += 1,
                                ")" => {
                                    depth -= 1;
                                    if depth == 0 {
                                        break;
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                    if s.idents.get(at).map(String::as_str) == Some(",") {
                        at += 1;
                    } else {
                        break;
                    }
                }
            }
            _ => {
                let depends = self.tables_mentioned(s);
                self.push_sql(s, UnitKind::Sql, None, depends, false);
                self.verbatim_note(&format!(
                    "`{}` is carried over as written, after the tables",
                    crate::sql::kind_from_keywords(&s.text)
                ));
            }
        }
        Ok(false)
    }

    fn verbatim_note(&mut self, message: &str) {
        self.state.finding(
            FindingKind::Verbatim,
            self.origin.file,
            self.origin.span,
            message,
        );
    }

    fn verbatim(
        &mut self,
        text: &str,
        object: Option<String>,
        depends: Vec<String>,
        before: bool,
    ) -> Result<()> {
        self.state.push_unit(Unit {
            kind: UnitKind::Sql,
            code: execute_code(text),
            object,
            depends,
            autocommit: self.op.context.autocommit,
            before_tables: before,
            origin: self.origin,
        });
        self.verbatim_note("SQL that migsquash could not read is carried over as written");
        Ok(())
    }

    fn push_sql(
        &mut self,
        s: &Statement_,
        kind: UnitKind,
        object: Option<String>,
        depends: Vec<String>,
        before: bool,
    ) {
        self.state.push_unit(Unit {
            kind,
            code: execute_code(&s.text),
            object,
            depends,
            autocommit: self.op.context.autocommit,
            before_tables: before,
            origin: self.origin,
        });
    }

    /// Model tables the statement names: where SQL names a table (after
    /// FROM, JOIN, ON, TABLE, INTO, UPDATE, REFERENCES) or qualifies a
    /// column with it. A column that has a table's name is not a mention.
    fn tables_mentioned(&self, s: &Statement_) -> Vec<String> {
        const BEFORE_TABLE: &[&str] = &[
            "FROM",
            "JOIN",
            "ON",
            "TABLE",
            "INTO",
            "UPDATE",
            "REFERENCES",
            "ONLY",
            "OF",
        ];
        let mut out: Vec<String> = Vec::new();
        for (i, ident) in s.idents.iter().enumerate() {
            let after_keyword = i > 0 && {
                // Skip a schema qualification: FROM public.users.
                let mut j = i - 1;
                if s.idents[j] == "." && j >= 2 {
                    j -= 2;
                }
                BEFORE_TABLE.contains(&s.words[j].as_str())
            };
            let qualifies = s.idents.get(i + 1).is_some_and(|n| n == ".");
            if (after_keyword || qualifies)
                && !out.contains(ident)
                && self.state.out.schema.table_any_schema(ident).is_some()
            {
                out.push(ident.clone());
            }
        }
        out
    }

    fn sql_table(&self, name: &str) -> Result<usize> {
        self.state
            .out
            .schema
            .table_any_schema(name)
            .ok_or_else(|| self.err(format!("table `{name}` does not exist at this point of the history (as migsquash replays it)")))
    }

    fn parse(&self, text: &str) -> Result<Statement> {
        let mut statements = Parser::parse_sql(&PostgreSqlDialect {}, text)
            .map_err(|e| self.err(format!("sqlparser could not read this statement ({e}); migsquash cannot fold it into the tables it changes")))?;
        if statements.len() != 1 {
            return Err(self.err("expected one statement"));
        }
        Ok(statements.remove(0))
    }

    fn alter_table(&mut self, s: &Statement_) -> Result<()> {
        let parsed = match self.parse(&s.text) {
            Ok(parsed) => parsed,
            // sqlparser does not read every ALTER TABLE (ATTACH PARTITION,
            // …): kept as written when it cannot touch what the model holds.
            Err(err) if !changes_modelled_objects(s) => {
                let depends = self.tables_mentioned(s);
                self.push_sql(s, UnitKind::Sql, None, depends, false);
                self.verbatim_note("this ALTER TABLE is carried over as written, after the tables");
                let _ = err;
                return Ok(());
            }
            Err(err) => return Err(err),
        };
        let Statement::AlterTable {
            name, operations, ..
        } = parsed
        else {
            return Err(self.err("not ALTER TABLE"));
        };
        let table = name
            .0
            .last()
            .map(|p| unquote(&p.to_string()))
            .unwrap_or_default();
        let t = self.sql_table(&table)?;
        for operation in operations {
            match operation {
                AlterTableOperation::AddColumn {
                    if_not_exists,
                    column_def,
                    ..
                } => {
                    let column_name = column_def.name.value.clone();
                    let exists = self.state.out.schema.tables[t]
                        .columns
                        .iter()
                        .any(|c| c.name == column_name);
                    if exists && if_not_exists {
                        continue;
                    }
                    if exists {
                        return Err(
                            self.err(format!("column `{table}.{column_name}` already exists"))
                        );
                    }
                    let mut column = Column {
                        name: column_name,
                        type_: None,
                        sql_type: Some(column_def.data_type.to_string()),
                        extras: Vec::new(),
                        kwargs: Vec::new(),
                        serial_sequence: None,
                        origin: self.origin,
                    };
                    for option in &column_def.options {
                        match &option.option {
                            ColumnOption::NotNull => {
                                column.set_kwarg("nullable", Some(Code::atom("False")))
                            }
                            ColumnOption::Null => {}
                            ColumnOption::Default(expr) => column.set_kwarg(
                                "server_default",
                                Some(Code::call(
                                    "sa.text",
                                    vec![Code::Str(expr.to_string().into())],
                                    vec![],
                                )),
                            ),
                            other => {
                                return Err(self.err(format!(
                                    "a column added by SQL with `{other}` cannot be folded into its table yet"
                                )));
                            }
                        }
                    }
                    self.state.out.schema.tables[t].columns.push(column);
                }
                AlterTableOperation::DropColumn {
                    column_names,
                    if_exists,
                    ..
                } => {
                    for column in column_names {
                        let present = self.state.out.schema.tables[t]
                            .columns
                            .iter()
                            .any(|c| c.name == column.value);
                        if present || !if_exists {
                            self.drop_column(t, &column.value)?;
                        }
                    }
                }
                AlterTableOperation::RenameColumn {
                    old_column_name,
                    new_column_name,
                } => self.rename_column(t, &old_column_name.value, &new_column_name.value)?,
                AlterTableOperation::RenameTable { table_name } => {
                    let (RenameTableNameKind::To(new) | RenameTableNameKind::As(new)) = table_name;
                    let new = new
                        .0
                        .last()
                        .map(|p| unquote(&p.to_string()))
                        .unwrap_or_default();
                    self.rename_table(t, &new)?;
                }
                AlterTableOperation::RenameConstraint { old_name, new_name } => {
                    let op = self.op;
                    let table = &mut self.state.out.schema.tables[t];
                    let constraint = table
                        .constraints
                        .iter_mut()
                        .find(|c| c.db_name() == Some(old_name.value.as_str()));
                    match constraint {
                        Some(c) => {
                            c.name = Some(new_name.value.clone());
                            c.name_is_final = true;
                            c.implicit_name = None;
                        }
                        None => {
                            // PostgreSQL renames an index-backed constraint's
                            // index too; an index renamed this way is kept.
                            let Some(i) =
                                table.indexes.iter().position(|i| i.name == old_name.value)
                            else {
                                return Err(super::unknowable(
                                    op,
                                    format!(
                                        "constraint `{}` on `{}` does not exist at this point of the history (as migsquash replays it)",
                                        old_name.value, table.name
                                    ),
                                ));
                            };
                            self.state.out.schema.rename_index(t, i, &new_name.value);
                        }
                    }
                }
                AlterTableOperation::DropConstraint {
                    if_exists, name, ..
                } => self.drop_constraint(t, &name.value, if_exists)?,
                AlterTableOperation::AlterColumn { column_name, op } => {
                    let table = &mut self.state.out.schema.tables[t];
                    let table_name = table.name.clone();
                    let Some(column) = table
                        .columns
                        .iter_mut()
                        .find(|c| c.name == column_name.value)
                    else {
                        return Err(self.err(format!(
                            "column `{table_name}.{}` does not exist at this point of the history",
                            column_name.value
                        )));
                    };
                    match op {
                        AlterColumnOperation::SetNotNull => {
                            column.set_kwarg("nullable", Some(Code::atom("False")))
                        }
                        AlterColumnOperation::DropNotNull => {
                            column.set_kwarg("nullable", Some(Code::atom("True")))
                        }
                        AlterColumnOperation::SetDefault { value } => column.set_kwarg(
                            "server_default",
                            Some(Code::call(
                                "sa.text",
                                vec![Code::Str(value.to_string().into())],
                                vec![],
                            )),
                        ),
                        AlterColumnOperation::DropDefault => {
                            column.set_kwarg("server_default", None)
                        }
                        AlterColumnOperation::SetDataType { data_type, .. } => {
                            column.type_ = None;
                            column.sql_type = Some(data_type.to_string());
                        }
                        other => {
                            return Err(self.err(format!(
                                "`ALTER COLUMN … {other}` cannot be folded into its table yet"
                            )));
                        }
                    }
                }
                AlterTableOperation::AddConstraint { constraint, .. } => {
                    let name = constraint_name(&constraint.to_string());
                    let table_name = self.state.out.schema.tables[t].name.clone();
                    self.push_sql(
                        s,
                        UnitKind::Sql,
                        name.map(|n| format!("CONSTRAINT {n} ON {table_name}")),
                        vec![table_name],
                        false,
                    );
                    self.verbatim_note("a constraint added by SQL is carried over as written");
                }
                _ => {
                    let depends = vec![self.state.out.schema.tables[t].name.clone()];
                    self.push_sql(s, UnitKind::Sql, None, depends, false);
                    self.verbatim_note(
                        "this ALTER TABLE is carried over as written, after the tables",
                    );
                }
            }
        }
        Ok(())
    }

    fn comment(&mut self, s: &Statement_) -> Result<()> {
        let Statement::Comment {
            object_type,
            object_name,
            comment,
            ..
        } = self.parse(&s.text)?
        else {
            return Err(self.err("not COMMENT ON"));
        };
        let parts: Vec<String> = object_name
            .0
            .iter()
            .map(|p| unquote(&p.to_string()))
            .collect();
        let value = comment.map(|c| Code::Str(c.into()));
        match object_type {
            CommentObject::Table => {
                let t = self.sql_table(parts.last().map(String::as_str).unwrap_or(""))?;
                self.state.out.schema.tables[t].comment = value;
            }
            CommentObject::Column => {
                let [.., table, column] = parts.as_slice() else {
                    return Err(self.err("COMMENT ON COLUMN without a table"));
                };
                let t = self.sql_table(table)?;
                let table_ref = &mut self.state.out.schema.tables[t];
                let Some(c) = table_ref.columns.iter_mut().find(|c| &c.name == column) else {
                    return Err(self.err(format!(
                        "column `{table}.{column}` does not exist at this point"
                    )));
                };
                c.set_kwarg("comment", value);
            }
            _ => {
                let depends = self.tables_mentioned(s);
                self.push_sql(s, UnitKind::Sql, None, depends, false);
            }
        }
        Ok(())
    }
}

/// Whether an ALTER TABLE may add, drop, rename or alter a column, a
/// constraint or the table itself.
fn changes_modelled_objects(s: &Statement_) -> bool {
    s.words.windows(2).any(|w| {
        matches!(
            (w[0].as_str(), w[1].as_str()),
            ("ADD" | "DROP" | "ALTER" | "RENAME", "COLUMN" | "CONSTRAINT")
                | ("RENAME", "TO")
                | ("SET", "SCHEMA")
        )
    }) || s.words.iter().skip(3).any(|w| w == "RENAME")
}

fn constraint_name(definition: &str) -> Option<String> {
    let mut words = definition.split_whitespace();
    (words.next()?.eq_ignore_ascii_case("CONSTRAINT")).then(|| unquote(words.next().unwrap_or("")))
}

fn unquote(name: &str) -> String {
    name.trim_matches('"').to_owned()
}

/// `op.execute("...")` for a statement kept as written.
pub fn execute_code(text: &str) -> Code {
    Code::call("op.execute", vec![Code::Str(text.into())], vec![])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_on_one_line_keep_their_own_text() {
        let line = "SELECT 'é'; SELECT 2;SELECT 'ü' ;\n  SELECT 4; SELECT 'ß'";
        let texts: Vec<String> = split(line).unwrap().into_iter().map(|s| s.text).collect();
        assert_eq!(
            texts,
            [
                "SELECT 'é'",
                "SELECT 2",
                "SELECT 'ü'",
                "SELECT 4",
                "SELECT 'ß'"
            ]
        );
    }

    #[test]
    fn splits_statements_and_reads_objects() {
        let parts = split("CREATE OR REPLACE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql; CREATE TRIGGER t BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION f()").unwrap();
        assert_eq!(
            parts.len(),
            2,
            "{:?}",
            parts.iter().map(|p| &p.text).collect::<Vec<_>>()
        );
        assert!(parts[0].text.ends_with("LANGUAGE sql"));
        let (kind, at) = parts[0].object_kind().unwrap();
        assert_eq!(kind, "FUNCTION");
        assert_eq!(parts[0].name_at(at).unwrap().0, "f");
        assert_eq!(parts[1].object_kind().unwrap().0, "TRIGGER");
        assert_eq!(parts[1].on_table().as_deref(), Some("users"));
        let drop = &split("DROP INDEX CONCURRENTLY IF EXISTS public.ix_a").unwrap()[0];
        let (kind, at) = drop.object_kind().unwrap();
        assert_eq!(kind, "INDEX");
        assert_eq!(drop.name_at(at).unwrap().0, "ix_a");
        let view = &split("CREATE MATERIALIZED VIEW IF NOT EXISTS mv AS SELECT 1").unwrap()[0];
        let (kind, at) = view.object_kind().unwrap();
        assert_eq!(kind, "MATERIALIZED VIEW");
        assert_eq!(view.name_at(at).unwrap().0, "mv");
    }

    #[test]
    fn mentions_whole_identifiers_only() {
        assert!(mentions("lower(email) = 'x'", "email"));
        assert!(!mentions("email_normalized IS NULL", "email"));
        assert!(mentions("\"Email\" IS NULL", "email"));
    }
}
