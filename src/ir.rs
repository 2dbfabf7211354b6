//! The typed result of reading one revision file: its header and its
//! operations. Everything carries byte spans, and every argument keeps its
//! exact source text, so that a later replay can re-emit it verbatim.

use std::path::PathBuf;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::python::Span;
use crate::sql::SqlInfo;

/// A value read from the source, with where it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// A header field whose value cannot be known without running the code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NonLiteral {
    pub field: Cow<'static, str>,
    pub span: Span,
    /// The source text of the value, e.g. `(cli.EXPAND_BRANCH,)`.
    pub text: String,
}

/// The module-level variables Alembic reads from a revision file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Header {
    pub revision: Option<Spanned<String>>,
    /// Empty for a base revision.
    pub down_revisions: Vec<Spanned<String>>,
    pub depends_on: Vec<Spanned<String>>,
    pub branch_labels: Vec<Spanned<String>>,
    /// Fields whose value is not a literal (the field's list above is then
    /// incomplete).
    pub non_literal: Vec<NonLiteral>,
    /// First paragraph of the module docstring, as Alembic shows it.
    pub message: Option<String>,
}

impl Header {
    pub fn is_known(&self, field: &str) -> bool {
        !self.non_literal.iter().any(|n| n.field == field)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Upgrade,
    Downgrade,
}

/// What an `op.*` call does. Plugin and unknown operations are `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    CreateTable,
    DropTable,
    RenameTable,
    AddColumn,
    DropColumn,
    AlterColumn,
    CreateIndex,
    DropIndex,
    CreateUniqueConstraint,
    CreateForeignKey,
    CreatePrimaryKey,
    CreateCheckConstraint,
    CreateExcludeConstraint,
    DropConstraint,
    CreateTableComment,
    DropTableComment,
    Execute,
    BulkInsert,
    Other,
}

impl OpKind {
    /// Every kind but `Other`.
    pub const KNOWN: [Self; 18] = [
        Self::CreateTable,
        Self::DropTable,
        Self::RenameTable,
        Self::AddColumn,
        Self::DropColumn,
        Self::AlterColumn,
        Self::CreateIndex,
        Self::DropIndex,
        Self::CreateUniqueConstraint,
        Self::CreateForeignKey,
        Self::CreatePrimaryKey,
        Self::CreateCheckConstraint,
        Self::CreateExcludeConstraint,
        Self::DropConstraint,
        Self::CreateTableComment,
        Self::DropTableComment,
        Self::Execute,
        Self::BulkInsert,
    ];

    /// Maps an Alembic operation method name to its kind.
    pub fn from_method(method: &str) -> Self {
        Self::KNOWN
            .into_iter()
            .find(|kind| kind.method_name() == Some(method))
            .unwrap_or(Self::Other)
    }

    /// The Alembic method name; `None` for `Other`.
    pub fn method_name(self) -> Option<&'static str> {
        Some(match self {
            Self::CreateTable => "create_table",
            Self::DropTable => "drop_table",
            Self::RenameTable => "rename_table",
            Self::AddColumn => "add_column",
            Self::DropColumn => "drop_column",
            Self::AlterColumn => "alter_column",
            Self::CreateIndex => "create_index",
            Self::DropIndex => "drop_index",
            Self::CreateUniqueConstraint => "create_unique_constraint",
            Self::CreateForeignKey => "create_foreign_key",
            Self::CreatePrimaryKey => "create_primary_key",
            Self::CreateCheckConstraint => "create_check_constraint",
            Self::CreateExcludeConstraint => "create_exclude_constraint",
            Self::DropConstraint => "drop_constraint",
            Self::CreateTableComment => "create_table_comment",
            Self::DropTableComment => "drop_table_comment",
            Self::Execute => "execute",
            Self::BulkInsert => "bulk_insert",
            Self::Other => return None,
        })
    }

    /// Parameter names in Alembic's signature, in positional order. Batch
    /// operations omit the table name.
    pub fn params(self, batch: bool) -> &'static [&'static str] {
        match (self, batch) {
            (Self::CreateTable, _) => &["table_name"],
            (Self::DropTable, _) => &["table_name"],
            (Self::RenameTable, _) => &["old_table_name", "new_table_name"],
            (Self::AddColumn, false) => &["table_name", "column"],
            (Self::AddColumn, true) => &["column"],
            (Self::DropColumn, false) => &["table_name", "column_name"],
            (Self::DropColumn, true) => &["column_name"],
            (Self::AlterColumn, false) => &["table_name", "column_name"],
            (Self::AlterColumn, true) => &["column_name"],
            (Self::CreateIndex, false) => &["index_name", "table_name", "columns"],
            (Self::CreateIndex, true) => &["index_name", "columns"],
            (Self::DropIndex, false) => &["index_name", "table_name"],
            (Self::DropIndex, true) => &["index_name"],
            (Self::CreateUniqueConstraint, false) => &["constraint_name", "table_name", "columns"],
            (Self::CreateUniqueConstraint, true) => &["constraint_name", "columns"],
            (Self::CreateForeignKey, false) => &[
                "constraint_name",
                "source_table",
                "referent_table",
                "local_cols",
                "remote_cols",
            ],
            (Self::CreateForeignKey, true) => &[
                "constraint_name",
                "referent_table",
                "local_cols",
                "remote_cols",
            ],
            (Self::CreatePrimaryKey, false) => &["constraint_name", "table_name", "columns"],
            (Self::CreatePrimaryKey, true) => &["constraint_name", "columns"],
            (Self::CreateCheckConstraint, false) => &["constraint_name", "table_name", "condition"],
            (Self::CreateCheckConstraint, true) => &["constraint_name", "condition"],
            (Self::CreateExcludeConstraint, false) => &["constraint_name", "table_name"],
            (Self::CreateExcludeConstraint, true) => &["constraint_name"],
            (Self::DropConstraint, false) => &["constraint_name", "table_name", "type_"],
            (Self::DropConstraint, true) => &["constraint_name", "type_"],
            (Self::CreateTableComment, false) => &["table_name", "comment"],
            (Self::CreateTableComment, true) => &["comment"],
            (Self::DropTableComment, false) => &["table_name"],
            (Self::DropTableComment, true) => &[],
            (Self::Execute, _) => &["sqltext"],
            (Self::BulkInsert, _) => &["table", "rows"],
            (Self::Other, _) => &[],
        }
    }

    /// The parameter naming the table the operation acts on.
    pub fn table_param(self) -> Option<&'static str> {
        match self {
            Self::RenameTable => Some("old_table_name"),
            Self::CreateForeignKey => Some("source_table"),
            Self::Execute | Self::BulkInsert | Self::Other => None,
            _ => Some("table_name"),
        }
    }
}

/// One argument of a call, as written. Only spans are kept: the exact text
/// is `span.text(&file.source)`, so a 10k-revision history does not hold
/// every argument a second time.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Argument {
    /// The keyword's name (`unique` in `unique=True`); `None` for a
    /// positional argument or `**kwargs`.
    pub keyword: Option<Span>,
    /// The value (for a keyword argument, without `name=`).
    pub span: Span,
}

/// A column defined by `sa.Column(...)` in `create_table` or `add_column`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ColumnDef {
    pub name: Option<String>,
    /// Source text of the type, e.g. `sa.String(length=100)`.
    pub type_text: Option<String>,
    pub nullable: Option<bool>,
    pub primary_key: bool,
    pub span: Span,
}

impl ColumnDef {
    /// Nullability as SQLAlchemy decides it when `nullable` is not given.
    pub fn effective_nullable(&self) -> bool {
        self.nullable.unwrap_or(!self.primary_key)
    }
}

/// Where an operation runs: inside which blocks and helpers.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OpContext {
    /// The table of the enclosing `batch_alter_table` block.
    pub batch_table: Option<String>,
    /// Inside `op.get_context().autocommit_block()`.
    pub autocommit: bool,
    /// Inside an `if`, loop, `except` or `match`: it may not run, or run
    /// several times.
    pub conditional: bool,
    /// The module-level helper function the call was found in.
    pub helper: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Operation {
    pub kind: OpKind,
    /// The method name of a plugin or unknown operation (`sync_enum_values`);
    /// `None` for Alembic's own, whose name is the kind's. See `method()`.
    pub other_method: Option<String>,
    pub phase: Phase,
    pub table: Option<String>,
    pub schema: Option<String>,
    /// The column of a column operation.
    pub column: Option<String>,
    /// The index or constraint name.
    pub name: Option<String>,
    /// The new name of a rename (table or `alter_column(new_column_name=)`).
    pub new_name: Option<String>,
    pub columns: Vec<ColumnDef>,
    /// `alter_column(type_=…)`, normalised source text.
    pub new_type: Option<String>,
    /// `alter_column(nullable=…)` when a literal.
    pub new_nullable: Option<bool>,
    pub sql: Option<Box<SqlInfo>>,
    pub context: OpContext,
    pub args: Vec<Argument>,
    pub span: Span,
    /// Arguments that name a table, column or index but are not literals.
    pub unresolved: Vec<Cow<'static, str>>,
}

/// What went wrong reading one file. Turned into diagnostics by `checks`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum FileProblem {
    Unreadable { message: String },
    NotUtf8 { offset: u32 },
    Syntax { message: String, span: Span },
    NoRevisionId,
}

/// One file Alembic would load as a revision, read statically.
#[derive(Debug, Clone)]
pub struct RevisionFile {
    /// The path as discovered (joined to the version location).
    pub path: PathBuf,
    /// Path relative to its version location, `/`-separated.
    pub rel_path: String,
    pub source: String,
    pub header: Header,
    pub operations: Vec<Operation>,
    /// Every `op.get_bind()` in upgrade/downgrade: a connection is used
    /// directly, i.e. a data migration.
    pub get_bind: Vec<Spanned<Phase>>,
    pub problem: Option<FileProblem>,
}

impl Operation {
    /// The method as called (`add_column`, `sync_enum_values`, …).
    pub fn method(&self) -> &str {
        self.kind
            .method_name()
            .or(self.other_method.as_deref())
            .unwrap_or("?")
    }
}

impl RevisionFile {
    /// A file not read yet: empty source, default header, no operations.
    pub fn unread(path: PathBuf, rel_path: String) -> Self {
        Self {
            path,
            rel_path,
            source: String::new(),
            header: Header::default(),
            operations: Vec::new(),
            get_bind: Vec::new(),
            problem: None,
        }
    }

    pub fn revision_id(&self) -> Option<&str> {
        self.header.revision.as_ref().map(|r| r.value.as_str())
    }

    pub fn upgrade_ops(&self) -> impl Iterator<Item = &Operation> {
        self.operations
            .iter()
            .filter(|op| op.phase == Phase::Upgrade)
    }
}
