//! Classification of raw SQL given to `op.execute`.
//!
//! SQL is parsed with sqlparser's dialect for the database the history is
//! written for (`Dialect`: from `sqlalchemy.url`, or `--dialect`). sqlparser
//! does not know every statement a database accepts (`DROP INDEX
//! CONCURRENTLY`, some `CREATE FUNCTION` forms, …). A parse failure is never
//! fatal: the text is split into statements (quotes, dollar quoting and
//! comments respected) and each is parsed on its own, so one statement
//! sqlparser does not know hides nothing else; what still fails is kept
//! verbatim, marked unparsed, with its kind read from its leading keywords.

use std::cell::Cell;
use std::panic::AssertUnwindSafe;
use std::sync::Once;

use compact_str::CompactString as Name;
use serde::{Deserialize, Serialize};
use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ColumnDef, ColumnOption, Expr, Ident, ObjectName,
    ObjectType, Query, RenameTableNameKind, SetExpr, Statement, TableConstraint,
};
use sqlparser::dialect::{GenericDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

/// The SQL dialect a history's raw SQL is written in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Dialect {
    #[default]
    PostgreSql,
    Sqlite,
    MySql,
    Generic,
}

impl Dialect {
    pub const ALL: [Self; 4] = [Self::PostgreSql, Self::Sqlite, Self::MySql, Self::Generic];

    /// The dialect of a SQLAlchemy URL (`postgresql+psycopg://…`,
    /// `sqlite:///app.db`). `None` when it names no backend: Alembic's
    /// `driver://user:pass@localhost/dbname` placeholder, or a value that is
    /// not a URL (the real one is then set in env.py).
    pub fn from_url(url: &str) -> Option<Self> {
        let (scheme, _) = url.trim().split_once("://")?;
        let backend = scheme.split('+').next()?.to_ascii_lowercase();
        match backend.as_str() {
            "postgresql" | "postgres" => Some(Self::PostgreSql),
            // CockroachDB and Redshift speak PostgreSQL's SQL, but their
            // SQLAlchemy dialects have their own names: as PostgreSQL,
            // `if dialect.name == "postgresql":` would be decided true where
            // it is false. As another backend it is decided false, and a
            // test of their own name is left undecided.
            // (Fall through to `Generic`.)
            "sqlite" => Some(Self::Sqlite),
            "mysql" | "mariadb" => Some(Self::MySql),
            "driver" | "" => None,
            // Another backend (mssql, oracle, …): no PostgreSQL-only syntax.
            other
                if other
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
            {
                Some(Self::Generic)
            }
            _ => None,
        }
    }

    fn parser(self) -> &'static dyn sqlparser::dialect::Dialect {
        match self {
            Self::PostgreSql => &PostgreSqlDialect {},
            Self::Sqlite => &SQLiteDialect {},
            Self::MySql => &MySqlDialect {},
            Self::Generic => &GenericDialect,
        }
    }

    /// Unquoted names are case-insensitive (folded to lower case) except
    /// for MySQL, whose table names follow the file system.
    fn folds_case(self) -> bool {
        self != Self::MySql
    }
}

/// A table or index named in SQL, unquoted; unquoted names case-folded as
/// the database folds them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectRef {
    pub schema: Option<Name>,
    pub name: Name,
}

/// A column defined in `CREATE TABLE` or `ADD COLUMN`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnSpec {
    pub name: Name,
    pub nullable: bool,
}

/// What a parsed DDL statement does, in the terms of the Alembic operation
/// that would do the same; churn follows these as it follows operations.
/// Types are left out: SQL spells them differently from SQLAlchemy, so a
/// comparison would find changes where there are none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SchemaChange {
    CreateTable {
        table: ObjectRef,
        columns: Vec<ColumnSpec>,
    },
    DropTable {
        table: ObjectRef,
    },
    RenameTable {
        table: ObjectRef,
        to: Name,
    },
    AddColumn {
        table: ObjectRef,
        column: ColumnSpec,
    },
    DropColumn {
        table: ObjectRef,
        column: Name,
    },
    RenameColumn {
        table: ObjectRef,
        from: Name,
        to: Name,
    },
    SetNullable {
        table: ObjectRef,
        column: Name,
        nullable: bool,
    },
    /// The index's schema is its table's.
    CreateIndex {
        index: ObjectRef,
        table: ObjectRef,
    },
    DropIndex {
        index: ObjectRef,
        table: Option<ObjectRef>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SqlStatement {
    /// e.g. `CREATE INDEX`, `ALTER TABLE`, `UPDATE`.
    pub kind: String,
    /// Tables (or other objects) the statement names, unqualified.
    pub objects: Vec<String>,
    /// Whether sqlparser understood it; if not, `kind` was read from its
    /// leading keywords.
    pub parsed: bool,
    /// What it changes in the schema (parsed DDL only).
    pub changes: Vec<SchemaChange>,
}

/// Reports (human-readable formats) show what a statement is; the cache
/// (postcard) also keeps what it changes, for churn.
impl Serialize for SqlStatement {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let stored = !serializer.is_human_readable();
        let mut s = serializer.serialize_struct("SqlStatement", 3 + usize::from(stored))?;
        s.serialize_field("kind", &self.kind)?;
        s.serialize_field("objects", &self.objects)?;
        s.serialize_field("parsed", &self.parsed)?;
        if stored {
            s.serialize_field("changes", &self.changes)?;
        } else {
            s.skip_field("changes")?;
        }
        s.end()
    }
}

impl SqlStatement {
    /// Statements that change rows rather than schema.
    pub fn is_dml(&self) -> bool {
        matches!(
            self.kind.as_str(),
            "INSERT" | "UPDATE" | "DELETE" | "MERGE" | "COPY" | "TRUNCATE" | "CALL" | "REPLACE"
        )
    }

    fn unparsed(kind: String) -> Self {
        Self {
            kind,
            objects: Vec::new(),
            parsed: false,
            changes: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SqlInfo {
    /// The SQL text when it is a literal; `None` when built at run time or
    /// with SQLAlchemy Core.
    pub text: Option<String>,
    /// Built at run time (f-string, `%`, `.format`, a variable, …).
    pub dynamic: bool,
    /// A SQLAlchemy Core statement (`table.update().where(…)`,
    /// `sa.insert(t)`): no SQL text to parse, its kind is known.
    pub core: bool,
    /// Whether sqlparser understood every statement.
    pub parsed: bool,
    /// The first statement's error, when some were not understood.
    pub parse_error: Option<String>,
    pub statements: Vec<SqlStatement>,
}

impl SqlInfo {
    pub fn dynamic() -> Self {
        Self {
            text: None,
            dynamic: true,
            core: false,
            parsed: false,
            parse_error: None,
            statements: Vec::new(),
        }
    }

    /// A SQLAlchemy Core statement of `kind` (`UPDATE`, `INSERT`, `DELETE`).
    pub fn core(kind: &str) -> Self {
        Self {
            dynamic: false,
            core: true,
            statements: vec![SqlStatement::unparsed(kind.to_owned())],
            ..Self::dynamic()
        }
    }

    /// Classifies PostgreSQL text.
    pub fn classify(text: &str) -> Self {
        Self::classify_as(text, Dialect::default())
    }

    pub fn classify_as(text: &str, dialect: Dialect) -> Self {
        // A long script is parsed a statement at a time: sqlparser's tree of
        // a whole one takes kilobytes per statement (a megabyte of `SELECT
        // 1;` would need gigabytes).
        let whole = if text.len() <= PARSE_WHOLE_BYTES {
            parse(dialect, text).map_err(Some)
        } else {
            Err(None)
        };
        let (statements, parse_error) = match whole {
            Ok(parsed) => (parsed.iter().map(|s| describe(s, dialect)).collect(), None),
            Err(whole) => {
                // The error of the whole, parsed only when it is needed.
                let whole =
                    move || whole.unwrap_or_else(|| parse(dialect, text).err().unwrap_or_default());
                let pieces = split_statements(text, dialect);
                let mut statements = Vec::with_capacity(pieces.len());
                let mut error = None;
                for (n, piece) in pieces.iter().enumerate() {
                    match parse(dialect, piece) {
                        Ok(parsed) => {
                            statements.extend(parsed.iter().map(|s| describe(s, dialect)))
                        }
                        Err(err) => {
                            error.get_or_insert_with(|| match pieces.len() {
                                1 => whole.clone()(),
                                _ => format!("statement {}: {err}", n + 1),
                            });
                            statements.push(SqlStatement::unparsed(keyword_kind(piece, dialect)));
                        }
                    }
                }
                if statements.is_empty() {
                    statements.push(SqlStatement::unparsed(keyword_kind(text, dialect)));
                    error = Some(whole());
                }
                (statements, error)
            }
        };
        Self {
            text: Some(text.to_owned()),
            dynamic: false,
            core: false,
            parsed: parse_error.is_none(),
            parse_error,
            statements,
        }
    }

    pub fn is_dml(&self) -> bool {
        self.statements.iter().any(SqlStatement::is_dml)
    }

    /// SQL text that sqlparser did not wholly understand.
    pub fn kept_verbatim(&self) -> bool {
        self.text.is_some() && !self.parsed
    }

    /// What its parsed DDL changes in the schema, in order.
    pub fn changes(&self) -> impl Iterator<Item = &SchemaChange> {
        self.statements.iter().flat_map(|s| &s.changes)
    }
}

/// SQL text longer than this is split before it is parsed.
const PARSE_WHOLE_BYTES: usize = 64 << 10;

thread_local! {
    /// Set while sqlparser runs on this thread.
    static IN_PARSER: Cell<bool> = const { Cell::new(false) };
}

/// sqlparser's parse. Some of its dialects unwrap where the input is
/// invalid (SQLite's `a MATCH`, MySQL's `a DIV`): a panic there is taken as
/// a parse error, and its message is not printed.
fn parse(dialect: Dialect, text: &str) -> Result<Vec<Statement>, String> {
    static QUIET: Once = Once::new();
    QUIET.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_PARSER.with(Cell::get) {
                previous(info);
            }
        }));
    });
    IN_PARSER.with(|flag| flag.set(true));
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
        Parser::parse_sql(dialect.parser(), text)
    }));
    IN_PARSER.with(|flag| flag.set(false));
    match result {
        Ok(parsed) => parsed.map_err(|err| err.to_string()),
        Err(_) => Err("sql parser error: the parser failed on this statement".to_owned()),
    }
}

fn describe(statement: &Statement, dialect: Dialect) -> SqlStatement {
    let objects = match statement {
        Statement::CreateTable(create) => vec![unqualified(&create.name)],
        Statement::AlterTable { name, .. } => vec![unqualified(name)],
        Statement::CreateIndex(index) => vec![unqualified(&index.table_name)],
        Statement::Drop { names, .. } => names.iter().map(unqualified).collect(),
        _ => Vec::new(),
    };
    // By what it does, not how it is spelled: MySQL's `REPLACE INTO` is an
    // INSERT.
    let kind = match statement {
        Statement::Insert(_) => Some("INSERT"),
        Statement::Update { .. } => Some("UPDATE"),
        Statement::Delete(_) => Some("DELETE"),
        Statement::Merge { .. } => Some("MERGE"),
        Statement::Query(query) => data_kind(query),
        _ => None,
    };
    SqlStatement {
        kind: kind.map_or_else(
            || keyword_kind(&statement.to_string(), dialect),
            str::to_owned,
        ),
        objects,
        parsed: true,
        changes: schema_changes(statement, dialect),
    }
}

/// The kind of a query that changes rows: `WITH … UPDATE` is the statement
/// the CTEs feed, and a `SELECT` fed by a CTE that changes rows is that
/// CTE's kind.
fn data_kind(query: &Query) -> Option<&'static str> {
    let fed = match query.body.as_ref() {
        SetExpr::Insert(_) => Some("INSERT"),
        SetExpr::Update(_) => Some("UPDATE"),
        SetExpr::Delete(_) => Some("DELETE"),
        SetExpr::Merge(_) => Some("MERGE"),
        SetExpr::Query(inner) => data_kind(inner),
        _ => None,
    };
    fed.or_else(|| {
        query
            .with
            .iter()
            .flat_map(|with| &with.cte_tables)
            .find_map(|cte| data_kind(&cte.query))
    })
}

/// The last part of a name, without its quotes (`"x"`, `` `x` ``, `[x]`).
fn unqualified(name: &ObjectName) -> String {
    match name.0.last().and_then(|part| part.as_ident()) {
        Some(ident) => ident.value.clone(),
        None => name.to_string(),
    }
}

fn fold(ident: &Ident, dialect: Dialect) -> Name {
    if ident.quote_style.is_none() && dialect.folds_case() {
        ident.value.to_lowercase().into()
    } else {
        ident.value.as_str().into()
    }
}

/// `schema.table` (a catalog before it is ignored); `None` for a name built
/// by a function.
fn object_ref(name: &ObjectName, dialect: Dialect) -> Option<ObjectRef> {
    let parts = name
        .0
        .iter()
        .map(|part| part.as_ident())
        .collect::<Option<Vec<_>>>()?;
    let (last, rest) = parts.split_last()?;
    Some(ObjectRef {
        schema: rest.last().map(|schema| fold(schema, dialect)),
        name: fold(last, dialect),
    })
}

/// `NOT NULL` or `PRIMARY KEY`.
fn not_null<'o>(mut options: impl Iterator<Item = &'o ColumnOption>) -> bool {
    options.any(|o| {
        matches!(
            o,
            ColumnOption::NotNull
                | ColumnOption::Unique {
                    is_primary: true,
                    ..
                }
        )
    })
}

fn column_spec(column: &ColumnDef, primary_key: &[Name], dialect: Dialect) -> ColumnSpec {
    let name = fold(&column.name, dialect);
    ColumnSpec {
        nullable: !(not_null(column.options.iter().map(|o| &o.option))
            || primary_key.contains(&name)),
        name,
    }
}

fn schema_changes(statement: &Statement, dialect: Dialect) -> Vec<SchemaChange> {
    let object = |name: &ObjectName| object_ref(name, dialect);
    let ident = |ident: &Ident| fold(ident, dialect);
    match statement {
        // A temporary table lives for the session, not in the schema.
        Statement::CreateTable(create) if !create.temporary => {
            let Some(table) = object(&create.name) else {
                return Vec::new();
            };
            let primary_key: Vec<Name> = create
                .constraints
                .iter()
                .filter_map(|c| match c {
                    TableConstraint::PrimaryKey { columns, .. } => Some(columns),
                    _ => None,
                })
                .flatten()
                .filter_map(|c| match &c.column.expr {
                    Expr::Identifier(name) => Some(ident(name)),
                    _ => None,
                })
                .collect();
            let columns = create
                .columns
                .iter()
                .map(|c| column_spec(c, &primary_key, dialect))
                .collect();
            vec![SchemaChange::CreateTable { table, columns }]
        }
        Statement::Drop {
            object_type: ObjectType::Table,
            names,
            temporary: false,
            ..
        } => names
            .iter()
            .filter_map(object)
            .map(|table| SchemaChange::DropTable { table })
            .collect(),
        Statement::Drop {
            object_type: ObjectType::Index,
            names,
            table,
            ..
        } => {
            // MySQL's `DROP INDEX ix ON t`: the index is in its table's schema.
            let table = table.as_ref().and_then(object);
            names
                .iter()
                .filter_map(object)
                .map(|mut index| {
                    if let Some(table) = &table {
                        index.schema = index.schema.or_else(|| table.schema.clone());
                    }
                    SchemaChange::DropIndex {
                        index,
                        table: table.clone(),
                    }
                })
                .collect()
        }
        Statement::CreateIndex(create) => {
            let (Some(table), Some(name)) = (
                object(&create.table_name),
                create.name.as_ref().and_then(object),
            ) else {
                return Vec::new();
            };
            let index = ObjectRef {
                schema: table.schema.clone(),
                name: name.name,
            };
            vec![SchemaChange::CreateIndex { index, table }]
        }
        Statement::AlterTable {
            name, operations, ..
        } => {
            let Some(table) = object(name) else {
                return Vec::new();
            };
            operations
                .iter()
                .flat_map(|operation| alter_table(&table, operation, dialect))
                .collect()
        }
        Statement::RenameTable(renames) => renames
            .iter()
            .filter_map(|rename| {
                let table = object(&rename.old_name)?;
                let to = object(&rename.new_name)?.name;
                Some(SchemaChange::RenameTable { table, to })
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn alter_table(
    table: &ObjectRef,
    operation: &AlterTableOperation,
    dialect: Dialect,
) -> Vec<SchemaChange> {
    let ident = |ident: &Ident| fold(ident, dialect);
    let table = || table.clone();
    match operation {
        AlterTableOperation::AddColumn { column_def, .. } => vec![SchemaChange::AddColumn {
            table: table(),
            column: column_spec(column_def, &[], dialect),
        }],
        AlterTableOperation::DropColumn { column_names, .. } => column_names
            .iter()
            .map(|column| SchemaChange::DropColumn {
                table: table(),
                column: ident(column),
            })
            .collect(),
        AlterTableOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } => vec![SchemaChange::RenameColumn {
            table: table(),
            from: ident(old_column_name),
            to: ident(new_column_name),
        }],
        AlterTableOperation::RenameTable {
            table_name: RenameTableNameKind::To(to) | RenameTableNameKind::As(to),
        } => object_ref(to, dialect)
            .map(|to| SchemaChange::RenameTable {
                table: table(),
                to: to.name,
            })
            .into_iter()
            .collect(),
        AlterTableOperation::AlterColumn {
            column_name,
            op: op @ (AlterColumnOperation::SetNotNull | AlterColumnOperation::DropNotNull),
        } => vec![SchemaChange::SetNullable {
            table: table(),
            column: ident(column_name),
            nullable: matches!(op, AlterColumnOperation::DropNotNull),
        }],
        // MySQL's CHANGE and MODIFY restate the whole column: nullable
        // unless it says otherwise.
        AlterTableOperation::ChangeColumn {
            old_name,
            new_name,
            options,
            ..
        } => {
            let (from, to) = (ident(old_name), ident(new_name));
            let mut changes = Vec::new();
            if from != to {
                changes.push(SchemaChange::RenameColumn {
                    table: table(),
                    from,
                    to: to.clone(),
                });
            }
            changes.push(SchemaChange::SetNullable {
                table: table(),
                column: to,
                nullable: !not_null(options.iter()),
            });
            changes
        }
        AlterTableOperation::ModifyColumn {
            col_name, options, ..
        } => vec![SchemaChange::SetNullable {
            table: table(),
            column: ident(col_name),
            nullable: !not_null(options.iter()),
        }],
        AlterTableOperation::DropIndex { name } => vec![SchemaChange::DropIndex {
            index: ObjectRef {
                schema: table().schema,
                name: ident(name),
            },
            table: Some(table()),
        }],
        _ => Vec::new(),
    }
}

/// What the lexer sees outside quotes and comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lexeme {
    Byte(u8),
    /// A quoted string or identifier, or a dollar-quoted body.
    Quoted,
    Comment,
}

/// SQL text as lexemes with their byte offsets: every byte outside quotes
/// and comments, one lexeme per quoted part or comment. An unterminated
/// quote or comment runs to the end of the text. Every delimiter is ASCII,
/// so offsets are character boundaries.
struct Lexer<'t> {
    text: &'t str,
    at: usize,
    dialect: Dialect,
}

impl<'t> Lexer<'t> {
    fn new(text: &'t str, dialect: Dialect) -> Self {
        Self {
            text,
            at: 0,
            dialect,
        }
    }

    /// The end of a quoted part starting at `start` with `quote`.
    fn quote_end(&self, start: usize, quote: u8, backslash: bool) -> usize {
        let bytes = self.text.as_bytes();
        let mut i = start + 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' if backslash => i += 2,
                b if b == quote && bytes.get(i + 1) == Some(&quote) => i += 2,
                b if b == quote => return i + 1,
                _ => i += 1,
            }
        }
        bytes.len()
    }

    /// `$tag$…$tag$` or `$$…$$` starting at `start`, if there is one there.
    fn dollar_end(&self, start: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let tag_end = match bytes.get(start + 1)? {
            b'$' => start + 1,
            b if b.is_ascii_alphabetic() || *b == b'_' || *b >= 0x80 => {
                let len = bytes[start + 1..]
                    .iter()
                    .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80))?;
                (bytes.get(start + 1 + len) == Some(&b'$')).then_some(start + 1 + len)?
            }
            _ => return None,
        };
        let tag = &self.text[start..=tag_end];
        let body = tag_end + 1;
        Some(
            self.text[body..]
                .find(tag)
                .map_or(bytes.len(), |at| body + at + tag.len()),
        )
    }

    fn block_comment_end(&self, start: usize) -> usize {
        // PostgreSQL's block comments nest.
        let nested = self.dialect == Dialect::PostgreSql;
        let bytes = self.text.as_bytes();
        let (mut i, mut depth) = (start + 2, 1);
        while i < bytes.len() {
            if bytes[i..].starts_with(b"*/") {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            } else if nested && bytes[i..].starts_with(b"/*") {
                depth += 1;
                i += 2;
            } else {
                i += 1;
            }
        }
        bytes.len()
    }
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

impl Iterator for Lexer<'_> {
    type Item = (usize, Lexeme);

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.text.as_bytes();
        let start = self.at;
        let b = *bytes.get(start)?;
        let next = bytes.get(start + 1).copied();
        let before = start.checked_sub(1).map(|i| bytes[i]);
        let mysql = self.dialect == Dialect::MySql;
        let line_end = || {
            bytes[start..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |n| start + n)
        };
        let (end, lexeme) = match b {
            b'-' if next == Some(b'-') => (line_end(), Lexeme::Comment),
            b'#' if mysql => (line_end(), Lexeme::Comment),
            b'/' if next == Some(b'*') => (self.block_comment_end(start), Lexeme::Comment),
            b'\'' => {
                // MySQL escapes with backslashes; PostgreSQL in E'…' only.
                let e_string = matches!(before, Some(b'E' | b'e'))
                    && (start < 2 || !is_ident_byte(bytes[start - 2]));
                (
                    self.quote_end(start, b'\'', mysql || e_string),
                    Lexeme::Quoted,
                )
            }
            b'"' => (self.quote_end(start, b'"', mysql), Lexeme::Quoted),
            b'`' => (self.quote_end(start, b'`', false), Lexeme::Quoted),
            // `$1` is a parameter and `a$b` a name, not a dollar quote.
            b'$' if matches!(self.dialect, Dialect::PostgreSql | Dialect::Generic)
                && !before.is_some_and(is_ident_byte) =>
            {
                match self.dollar_end(start) {
                    Some(end) => (end, Lexeme::Quoted),
                    None => (start + 1, Lexeme::Byte(b)),
                }
            }
            _ => (start + 1, Lexeme::Byte(b)),
        };
        self.at = end.min(bytes.len());
        Some((start, lexeme))
    }
}

/// The statements of SQL text, split at semicolons outside quotes and
/// comments; pieces with nothing but white space and comments are left out.
fn split_statements(text: &str, dialect: Dialect) -> Vec<&str> {
    let mut pieces = Vec::new();
    let (mut start, mut content) = (0, false);
    for (at, lexeme) in Lexer::new(text, dialect) {
        match lexeme {
            Lexeme::Byte(b';') => {
                if content {
                    pieces.push(text[start..at].trim());
                }
                (start, content) = (at + 1, false);
            }
            Lexeme::Byte(b) if b.is_ascii_whitespace() => {}
            Lexeme::Comment => {}
            _ => content = true,
        }
    }
    if content {
        pieces.push(text[start..].trim());
    }
    pieces
}

/// A word outside quotes and comments.
struct Word<'t> {
    text: &'t str,
    /// Parentheses open around it.
    depth: usize,
    /// It is the first thing inside a parenthesis.
    after_paren: bool,
}

fn words(text: &str, dialect: Dialect) -> impl Iterator<Item = Word<'_>> {
    let mut lexer = Lexer::new(text, dialect).peekable();
    let (mut depth, mut after_paren) = (0usize, false);
    std::iter::from_fn(move || {
        loop {
            let (start, lexeme) = lexer.next()?;
            match lexeme {
                Lexeme::Byte(b) if b.is_ascii_alphanumeric() || b == b'_' => {
                    let mut end = start + 1;
                    while let Some(&(at, Lexeme::Byte(b))) = lexer.peek() {
                        if !(b.is_ascii_alphanumeric() || b == b'_') {
                            break;
                        }
                        end = at + 1;
                        lexer.next();
                    }
                    let word = Word {
                        text: &text[start..end],
                        depth,
                        after_paren,
                    };
                    after_paren = false;
                    return Some(word);
                }
                Lexeme::Byte(b'(') => (depth, after_paren) = (depth + 1, true),
                Lexeme::Byte(b')') => (depth, after_paren) = (depth.saturating_sub(1), false),
                Lexeme::Byte(b) if b.is_ascii_whitespace() => {}
                Lexeme::Comment => {}
                _ => after_paren = false,
            }
        }
    })
}

/// Words that qualify a CREATE/ALTER/DROP without naming the object kind.
const MODIFIERS: &[&str] = &[
    "OR",
    "REPLACE",
    "UNIQUE",
    "TEMP",
    "TEMPORARY",
    "UNLOGGED",
    "GLOBAL",
    "LOCAL",
    "IF",
    "NOT",
    "EXISTS",
    "CONCURRENTLY",
    "RECURSIVE",
    "TRUSTED",
    "PROCEDURAL",
    "DEFAULT",
];

/// `CREATE UNIQUE INDEX CONCURRENTLY …` → `CREATE INDEX`.
pub fn kind_from_keywords(text: &str) -> String {
    keyword_kind(text, Dialect::default())
}

fn keyword_kind(text: &str, dialect: Dialect) -> String {
    let mut words = words(text, dialect);
    let Some(verb) = words.next() else {
        return "EMPTY".to_owned();
    };
    let verb_depth = verb.depth;
    let verb = verb.text.to_ascii_uppercase();
    let mut words = words.map(|w| (w.text.to_ascii_uppercase(), w.depth, w.after_paren));
    match verb.as_str() {
        "CREATE" | "ALTER" | "DROP" | "COMMENT" => {
            let mut object = words
                .by_ref()
                .map(|w| w.0)
                .find(|w| !MODIFIERS.contains(&w.as_str()));
            if verb == "COMMENT" {
                // COMMENT ON TABLE x → COMMENT ON TABLE
                object = object
                    .filter(|w| w == "ON")
                    .and_then(|_| words.next().map(|w| w.0));
                return match object {
                    Some(o) => format!("COMMENT ON {o}"),
                    None => "COMMENT".to_owned(),
                };
            }
            match object.as_deref() {
                Some("MATERIALIZED") => format!("{verb} MATERIALIZED VIEW"),
                Some(o) if o.chars().all(|c| c.is_ascii_alphabetic() || c == '_') => {
                    format!("{verb} {o}")
                }
                _ => verb,
            }
        }
        // `WITH … UPDATE …` is the statement the CTEs feed; a SELECT fed by
        // a CTE that changes rows (`WITH d AS (DELETE …) SELECT …`) is that
        // CTE's kind.
        "WITH" => {
            const FED: &[&str] = &["SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "VALUES"];
            const CHANGES_ROWS: &[&str] = &["INSERT", "UPDATE", "DELETE", "MERGE"];
            let mut cte_change = None;
            for (word, depth, after_paren) in words {
                if depth == verb_depth && FED.contains(&word.as_str()) {
                    return match cte_change {
                        Some(change) if !CHANGES_ROWS.contains(&word.as_str()) => change,
                        _ => word,
                    };
                }
                if depth > verb_depth
                    && after_paren
                    && cte_change.is_none()
                    && CHANGES_ROWS.contains(&word.as_str())
                {
                    cte_change = Some(word);
                }
            }
            verb
        }
        _ => verb,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(info: &SqlInfo) -> Vec<(&str, bool)> {
        info.statements
            .iter()
            .map(|s| (s.kind.as_str(), s.parsed))
            .collect()
    }

    #[test]
    fn classifies_parsed_statements() {
        let info = SqlInfo::classify("CREATE EXTENSION IF NOT EXISTS vector");
        assert!(info.parsed, "{info:?}");
        assert_eq!(info.statements[0].kind, "CREATE EXTENSION");

        let info =
            SqlInfo::classify("UPDATE users SET active = true; ALTER TABLE users ADD COLUMN x int");
        let kinds: Vec<_> = info.statements.iter().map(|s| s.kind.as_str()).collect();
        assert_eq!(kinds, ["UPDATE", "ALTER TABLE"]);
        assert_eq!(info.statements[1].objects, ["users"]);
        assert!(info.is_dml());
    }

    #[test]
    fn keeps_unparsable_sql_verbatim() {
        let sql = "DROP INDEX CONCURRENTLY IF EXISTS ix_old";
        let info = SqlInfo::classify(sql);
        assert_eq!(info.text.as_deref(), Some(sql));
        assert_eq!(info.statements[0].kind, "DROP INDEX");
        if !info.parsed {
            assert!(info.parse_error.is_some());
            assert!(info.kept_verbatim());
        }
    }

    #[test]
    fn keyword_kinds() {
        assert_eq!(
            kind_from_keywords("create unique index ix on t (a)"),
            "CREATE INDEX"
        );
        assert_eq!(
            kind_from_keywords("-- note\nCREATE OR REPLACE FUNCTION f() RETURNS trigger"),
            "CREATE FUNCTION"
        );
        assert_eq!(
            kind_from_keywords("/* a /* nested */ note */ DROP TABLE t"),
            "DROP TABLE"
        );
        assert_eq!(
            kind_from_keywords("COMMENT ON COLUMN t.a IS 'x'"),
            "COMMENT ON COLUMN"
        );
        assert_eq!(kind_from_keywords("  "), "EMPTY");
        assert_eq!(kind_from_keywords("DO $$ BEGIN END $$"), "DO");
    }

    /// A CTE is classified by the statement it feeds, or by what it changes
    /// when it feeds a SELECT; parsed or not.
    #[test]
    fn ctes_take_the_kind_of_what_changes_rows() {
        for (sql, kind) in [
            (
                "WITH stale AS (SELECT id FROM users WHERE seen < now()) \
                 UPDATE users SET active = false WHERE id IN (SELECT id FROM stale)",
                "UPDATE",
            ),
            (
                "WITH src AS (SELECT 1 AS id) INSERT INTO t (id) SELECT id FROM src",
                "INSERT",
            ),
            (
                "WITH moved AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM moved",
                "INSERT",
            ),
            (
                "WITH gone AS (DELETE FROM a WHERE x RETURNING id) SELECT count(*) FROM gone",
                "DELETE",
            ),
            ("WITH x AS (SELECT 1) SELECT * FROM x", "SELECT"),
        ] {
            let info = SqlInfo::classify(sql);
            assert_eq!(info.statements[0].kind, kind, "{sql}: {info:?}");
            assert_eq!(info.is_dml(), kind != "SELECT", "{sql}");
            assert_eq!(keyword_kind(sql, Dialect::PostgreSql), kind, "{sql}");
        }
        // Words in quotes and comments are not statements.
        assert_eq!(
            kind_from_keywords("WITH x AS (SELECT 'delete' AS w) -- (UPDATE\nSELECT * FROM x"),
            "SELECT"
        );
    }

    /// One statement sqlparser does not know hides none of the others.
    #[test]
    fn statements_are_classified_one_by_one_when_the_whole_fails() {
        let sql = "UPDATE t SET a = ';' WHERE b = $x$ ; $x$;\n\
                   -- a comment; with a semicolon\n\
                   CREATE TABLE \"p;1\" PARTITION OF t DEFAULT;\n\
                   CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\n\
                   ALTER TABLE t ADD COLUMN c int;";
        let info = SqlInfo::classify(sql);
        assert!(!info.parsed);
        assert!(info.kept_verbatim());
        assert_eq!(
            kinds(&info),
            [
                ("UPDATE", true),
                ("CREATE TABLE", false),
                ("CREATE FUNCTION", true),
                ("ALTER TABLE", true),
            ]
        );
        assert!(
            info.parse_error
                .as_deref()
                .is_some_and(|e| e.starts_with("statement 2: ")),
            "{info:?}"
        );
        assert!(info.is_dml());
    }

    #[test]
    fn a_long_script_is_classified_a_statement_at_a_time() {
        let mut sql = "CREATE TABLE t (id int);\n".to_owned();
        sql.push_str(&"UPDATE t SET id = 1 WHERE id = 2;\n".repeat(3000));
        sql.push_str("CREATE TABLE \"p;1\" PARTITION OF t DEFAULT;\nDROP TABLE t");
        assert!(sql.len() > PARSE_WHOLE_BYTES);
        let info = SqlInfo::classify(&sql);
        assert_eq!(info.statements.len(), 3003);
        assert_eq!(kinds(&info)[0], ("CREATE TABLE", true));
        assert_eq!(kinds(&info)[1], ("UPDATE", true));
        assert_eq!(kinds(&info)[3001], ("CREATE TABLE", false));
        assert_eq!(kinds(&info)[3002], ("DROP TABLE", true));
        assert!(
            info.parse_error
                .as_deref()
                .is_some_and(|e| e.starts_with("statement 3002: ")),
            "{:?}",
            info.parse_error
        );
        // Parsed in pieces, the same as parsed whole.
        let ok = "UPDATE t SET id = 1;\n".repeat(4000);
        let info = SqlInfo::classify(&ok);
        assert!(info.parsed && info.parse_error.is_none());
        assert_eq!(info.statements.len(), 4000);
    }

    #[test]
    fn splits_at_semicolons_outside_quotes_and_comments() {
        let pg = |sql| split_statements(sql, Dialect::PostgreSql);
        assert_eq!(pg("a; b;; -- c;\n ;d"), ["a", "b", "d"]);
        assert_eq!(pg("x 'it''s; fine'; y"), ["x 'it''s; fine'", "y"]);
        assert_eq!(pg("x E'\\'; y'; z"), ["x E'\\'; y'", "z"]);
        assert_eq!(pg("x $$;$$; y $a$ $$; $a$"), ["x $$;$$", "y $a$ $$; $a$"]);
        assert_eq!(pg("x $1; y a$b; z"), ["x $1", "y a$b", "z"]);
        assert_eq!(
            pg("/* ; /* ; */ ; */ a; \"b;\""),
            ["/* ; /* ; */ ; */ a", "\"b;\""]
        );
        // Unterminated quotes and comments run to the end, without panic.
        assert_eq!(pg("a 'b; c"), ["a 'b; c"]);
        assert_eq!(pg("a $q$ b; c"), ["a $q$ b; c"]);
        assert_eq!(pg("a /* b; c"), ["a /* b; c"]);
        assert_eq!(pg("é; 'ü;' ; $é$;$é$"), ["é", "'ü;'", "$é$;$é$"]);
        let mysql = |sql| split_statements(sql, Dialect::MySql);
        assert_eq!(mysql("a 'x\\';y'; # c;\nb"), ["a 'x\\';y'", "# c;\nb"]);
        assert_eq!(mysql("a $$; b"), ["a $$", "b"]);
    }

    #[test]
    fn dialects() {
        let sqlite = "CREATE TABLE [key values] (key TEXT PRIMARY KEY, value); \
                      REPLACE INTO [key values] VALUES ('a', 1)";
        let info = SqlInfo::classify_as(sqlite, Dialect::PostgreSql);
        assert_eq!(kinds(&info), [("CREATE TABLE", false), ("REPLACE", false)]);
        assert!(info.is_dml());
        let info = SqlInfo::classify_as(sqlite, Dialect::Sqlite);
        assert_eq!(kinds(&info), [("CREATE TABLE", true), ("INSERT", true)]);

        let mysql = "ALTER TABLE `users` MODIFY COLUMN `email` VARCHAR(255) NOT NULL";
        assert!(!SqlInfo::classify_as(mysql, Dialect::PostgreSql).parsed);
        let info = SqlInfo::classify_as(mysql, Dialect::MySql);
        assert!(info.parsed, "{info:?}");
        assert_eq!(
            info.statements[0].changes,
            [SchemaChange::SetNullable {
                table: ObjectRef {
                    schema: None,
                    name: "users".into()
                },
                column: "email".into(),
                nullable: false,
            }]
        );

        assert_eq!(
            Dialect::from_url("postgresql+psycopg://u:p@h/db"),
            Some(Dialect::PostgreSql)
        );
        assert_eq!(Dialect::from_url("sqlite:///app.db"), Some(Dialect::Sqlite));
        assert_eq!(
            Dialect::from_url("mariadb+pymysql://h/db"),
            Some(Dialect::MySql)
        );
        assert_eq!(
            Dialect::from_url("mssql+pyodbc://h/db"),
            Some(Dialect::Generic)
        );
        for url in ["cockroachdb://u@h:26257/db", "redshift+psycopg2://h/db"] {
            assert_eq!(Dialect::from_url(url), Some(Dialect::Generic), "{url}");
        }
        assert_eq!(
            Dialect::from_url("driver://user:pass@localhost/dbname"),
            None
        );
        assert_eq!(Dialect::from_url("${DATABASE_URL}"), None);
    }

    /// sqlparser's SQLite and MySQL dialects panic on some invalid input:
    /// that is a statement not understood.
    #[test]
    fn a_panic_in_the_parser_is_a_parse_error() {
        for (sql, dialect) in [
            ("SELECT 1 MATCH", Dialect::Sqlite),
            ("SELECT 1 DIV", Dialect::MySql),
            ("FLUSH RELAY LOGS FOR CHANNEL", Dialect::MySql),
        ] {
            let info = SqlInfo::classify_as(sql, dialect);
            assert!(!info.parsed && info.parse_error.is_some(), "{info:?}");
        }
    }

    #[test]
    fn ddl_is_read_as_schema_changes() {
        let table = |schema: Option<&str>, name: &str| ObjectRef {
            schema: schema.map(Into::into),
            name: name.into(),
        };
        let changes = |sql| {
            let info = SqlInfo::classify(sql);
            assert!(info.parsed, "{info:?}");
            info.changes().cloned().collect::<Vec<_>>()
        };
        assert_eq!(
            changes(
                "CREATE TABLE app.Notes (id int, body text NOT NULL, \"Tag\" text, PRIMARY KEY (id))"
            ),
            [SchemaChange::CreateTable {
                table: table(Some("app"), "notes"),
                columns: vec![
                    ColumnSpec {
                        name: "id".into(),
                        nullable: false
                    },
                    ColumnSpec {
                        name: "body".into(),
                        nullable: false
                    },
                    ColumnSpec {
                        name: "Tag".into(),
                        nullable: true
                    },
                ],
            }]
        );
        assert_eq!(
            changes("DROP TABLE IF EXISTS a, s.b CASCADE; CREATE TEMP TABLE t (x int)"),
            [
                SchemaChange::DropTable {
                    table: table(None, "a")
                },
                SchemaChange::DropTable {
                    table: table(Some("s"), "b")
                },
            ]
        );
        assert_eq!(
            changes("CREATE INDEX ix_a ON s.t (a); DROP INDEX s.ix_a"),
            [
                SchemaChange::CreateIndex {
                    index: table(Some("s"), "ix_a"),
                    table: table(Some("s"), "t"),
                },
                SchemaChange::DropIndex {
                    index: table(Some("s"), "ix_a"),
                    table: None,
                },
            ]
        );
        assert_eq!(
            changes(
                "ALTER TABLE t ADD COLUMN c int NOT NULL, DROP COLUMN d, \
                 ALTER COLUMN e DROP NOT NULL, RENAME COLUMN f TO g"
            ),
            [
                SchemaChange::AddColumn {
                    table: table(None, "t"),
                    column: ColumnSpec {
                        name: "c".into(),
                        nullable: false
                    },
                },
                SchemaChange::DropColumn {
                    table: table(None, "t"),
                    column: "d".into(),
                },
                SchemaChange::SetNullable {
                    table: table(None, "t"),
                    column: "e".into(),
                    nullable: true,
                },
                SchemaChange::RenameColumn {
                    table: table(None, "t"),
                    from: "f".into(),
                    to: "g".into(),
                },
            ]
        );
        assert_eq!(
            changes("ALTER TABLE t RENAME TO u"),
            [SchemaChange::RenameTable {
                table: table(None, "t"),
                to: "u".into(),
            }]
        );
        assert!(changes("UPDATE t SET a = 1").is_empty());
    }

    /// Reports show a statement without its changes; the cache keeps them.
    #[test]
    fn changes_are_stored_not_shown() {
        let info = SqlInfo::classify("DROP TABLE t");
        let json = serde_json::to_value(&info).unwrap();
        assert!(json["statements"][0].get("changes").is_none(), "{json}");
        assert_eq!(json["statements"][0]["parsed"], true);
        let stored: SqlInfo = postcard::from_bytes(&postcard::to_allocvec(&info).unwrap()).unwrap();
        assert_eq!(stored.statements, info.statements);
    }
}
