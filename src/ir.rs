//! The typed result of reading one revision file: its header and its
//! operations. Everything carries byte spans, and every argument keeps its
//! exact source text, so that a later replay can re-emit it verbatim.

use std::path::PathBuf;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::python::Span;
use crate::sql::SqlInfo;

/// A short text read from an operation: a table, column, index or type.
/// Almost all fit in the 24 bytes stored inline, so the thousands a warm
/// run decodes from the cache cost no allocation.
pub type Name = compact_str::CompactString;

/// A value read from the source, with where it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// A header field whose value is not what Alembic reads: not a literal
/// (only known when the code runs), or a literal of the wrong type.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NonLiteral {
    pub field: Cow<'static, str>,
    pub span: Span,
    /// The source text of the value, e.g. `(cli.EXPAND_BRANCH,)`.
    pub text: String,
    /// For a literal of the wrong type, what it is: `None`, `an integer`,
    /// `a tuple holding an integer`.
    pub wrong_type: Option<Cow<'static, str>>,
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
/// is `span.text(file.source())`, so a 10k-revision history does not hold
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
    pub name: Option<Name>,
    /// Source text of the type, e.g. `sa.String(length=100)`.
    pub type_text: Option<Name>,
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
    pub batch_table: Option<Name>,
    /// Inside `op.get_context().autocommit_block()`.
    pub autocommit: bool,
    /// Inside an `if`, loop, `except` or `match`: it may not run, or run
    /// several times.
    pub conditional: bool,
    /// The module-level helper function the call was found in.
    pub helper: Option<Name>,
    /// The arms of undecided `if`/`elif`/`else` (and `match`) statements
    /// the call is in, outermost first: (the statement's walk, the arm).
    /// Two calls of one file in different arms of one walk never both run.
    /// Each walk of a statement (a helper called twice, a loop's element)
    /// has its own number: its test may differ.
    #[serde(skip)]
    pub arms: Vec<(u32, u32)>,
}

impl OpContext {
    /// Whether two calls of one file are in different arms of one
    /// undecided `if`: at most one of them runs.
    pub fn excludes(&self, other: &OpContext) -> bool {
        self.arms
            .iter()
            .any(|(walk, arm)| other.arms.iter().any(|(w, a)| w == walk && a != arm))
    }
}

/// Serialized (for the cache only; reports use their own views) in a
/// compact form: see `compact_operation`.
#[derive(Debug, Clone)]
pub struct Operation {
    pub kind: OpKind,
    /// The method name of a plugin or unknown operation (`sync_enum_values`);
    /// `None` for Alembic's own, whose name is the kind's. See `method()`.
    pub other_method: Option<Name>,
    pub phase: Phase,
    pub table: Option<Name>,
    pub schema: Option<Name>,
    /// The column of a column operation.
    pub column: Option<Name>,
    /// The index or constraint name.
    pub name: Option<Name>,
    /// The new name of a rename (table or `alter_column(new_column_name=)`).
    pub new_name: Option<Name>,
    pub columns: Vec<ColumnDef>,
    /// `alter_column(type_=…)`, normalised source text.
    pub new_type: Option<Name>,
    /// `alter_column(nullable=…)` when a literal.
    pub new_nullable: Option<bool>,
    pub sql: Option<Box<SqlInfo>>,
    pub context: OpContext,
    pub args: Vec<Argument>,
    pub span: Span,
    /// Arguments that name a table, column or index but are not literals.
    pub unresolved: Vec<Cow<'static, str>>,
    /// The names a literal loop around the call bound, with their values
    /// in this iteration (`for name, columns in INDEXES.items():`): what
    /// the call's arguments mean in this copy of the body.
    pub loop_values: Vec<(Name, LoopValue)>,
}

/// A value a loop over a literal binds: a string, or a list of strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoopValue {
    Str(Name),
    List(Vec<Name>),
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
    /// Read through `source()`: a file the cache vouches for is read only
    /// when a report needs its text.
    source: std::sync::OnceLock<String>,
    pub header: Header,
    /// `upgrade()`'s operations, in the order they run.
    upgrade: PhaseOps,
    /// `downgrade()`'s operations, in the order they run.
    downgrade: PhaseOps,
    /// What the analysis needs to know of the downgrade without decoding it.
    downgrade_facts: PhaseFacts,
    /// Where its lines start, for reports; from `source()` when not cached.
    lines: Cached<LineTable>,
    /// Every `op.get_bind()` in upgrade/downgrade: a connection is used
    /// directly, i.e. a data migration.
    pub get_bind: Vec<Spanned<Phase>>,
    /// `# migsquash: ignore[…]` comments (see `crate::suppress`).
    pub suppressions: Vec<crate::extract::suppressions::Suppression>,
    pub problem: Option<FileProblem>,
}

impl Operation {
    /// Changes data rather than schema: `bulk_insert`, or `execute` of DML.
    pub fn is_data_migration(&self) -> bool {
        match self.kind {
            OpKind::BulkInsert => true,
            OpKind::Execute => self.sql.as_ref().is_some_and(|sql| sql.is_dml()),
            _ => false,
        }
    }

    /// The method as called (`add_column`, `sync_enum_values`, …).
    pub fn method(&self) -> &str {
        self.kind
            .method_name()
            .or(self.other_method.as_deref())
            .unwrap_or("?")
    }
}

impl RevisionFile {
    /// A file not read yet: default header, no operations; its source is
    /// read when first asked for.
    pub fn unread(path: PathBuf, rel_path: String) -> Self {
        Self {
            path,
            rel_path,
            source: std::sync::OnceLock::new(),
            header: Header::default(),
            upgrade: PhaseOps::default(),
            downgrade: PhaseOps::default(),
            downgrade_facts: PhaseFacts::default(),
            lines: Cached::default(),
            get_bind: Vec::new(),
            suppressions: Vec::new(),
            problem: None,
        }
    }

    /// The file's text, decoded as Python would (see `extract::decode`).
    /// Read on first use when the cache spared reading it; a file that has
    /// since become unreadable reads as empty.
    pub fn source(&self) -> &str {
        self.source.get_or_init(|| {
            crate::fsio::read_regular(&self.path, crate::fsio::MAX_INPUT_BYTES)
                .map(|bytes| crate::extract::decode(bytes).0)
                .unwrap_or_default()
        })
    }

    /// Sets the text read from disk (before anything asked for it).
    pub fn set_source(&mut self, source: String) {
        self.source = std::sync::OnceLock::from(source);
    }

    /// Drops the text (keeping its line table); `source()` reads it again
    /// if asked.
    pub fn forget_source(&mut self) {
        self.line_table();
        self.source = std::sync::OnceLock::new();
    }

    pub fn line_table(&self) -> &LineTable {
        self.lines.get_or(|| LineTable::new(self.source()))
    }

    pub fn revision_id(&self) -> Option<&str> {
        self.header.revision.as_ref().map(|r| r.value.as_str())
    }

    pub fn upgrade_ops(&self) -> &[Operation] {
        self.upgrade.get()
    }

    pub fn downgrade_ops(&self) -> &[Operation] {
        self.downgrade.get()
    }

    /// Upgrade operations, then downgrade operations.
    pub fn operations(&self) -> impl Iterator<Item = &Operation> {
        self.upgrade_ops().iter().chain(self.downgrade_ops())
    }

    pub fn downgrade_facts(&self) -> PhaseFacts {
        self.downgrade_facts
    }

    /// Sets the operations extracted from the file (both phases).
    pub fn set_operations(&mut self, operations: Vec<Operation>) {
        // Sized exactly: a large history holds hundreds of thousands of
        // operations, and pushing would leave up to half of each buffer unused.
        let upgrades = operations
            .iter()
            .filter(|op| op.phase == Phase::Upgrade)
            .count();
        let mut upgrade = Vec::with_capacity(upgrades);
        let mut downgrade = Vec::with_capacity(operations.len() - upgrades);
        for op in operations {
            match op.phase {
                Phase::Upgrade => upgrade.push(op),
                Phase::Downgrade => downgrade.push(op),
            }
        }
        self.downgrade_facts = PhaseFacts::of(&downgrade);
        self.upgrade = PhaseOps::decoded(upgrade);
        self.downgrade = PhaseOps::decoded(downgrade);
    }

    /// Keeps the downgrade operations in their compact cached form until
    /// something asks for them: reports read few of them (see
    /// `downgrade_facts`), and a large history has ~10⁵.
    pub fn pack_downgrade(&mut self) {
        if self.downgrade.encoded_bytes().is_some() {
            return;
        }
        if let Some(encoded) = crate::cache::Encoded::of(self.downgrade.get()) {
            self.downgrade = PhaseOps::encoded(encoded);
        }
    }

    /// Sets operations kept in the cache, decoded when first used.
    pub(crate) fn set_cached(
        &mut self,
        upgrade: PhaseOps,
        downgrade: PhaseOps,
        downgrade_facts: PhaseFacts,
        lines: Cached<LineTable>,
    ) {
        self.upgrade = upgrade;
        self.downgrade = downgrade;
        self.downgrade_facts = downgrade_facts;
        self.lines = lines;
    }

    /// The phases' operations, for the cache to store.
    pub(crate) fn phase_ops(&self) -> [&PhaseOps; 2] {
        [&self.upgrade, &self.downgrade]
    }

    /// The line table, for the cache to store.
    pub(crate) fn cached_lines(&self) -> &Cached<LineTable> {
        self.line_table();
        &self.lines
    }
}

/// A part of what a file yields that may come from the cache, where it
/// stays encoded until first used: `check` needs no operations, `analyze`
/// few downgrades, a text report the line tables of a few files.
#[derive(Clone)]
pub struct Cached<T> {
    decoded: std::sync::OnceLock<T>,
    encoded: Option<crate::cache::Encoded>,
}

/// The operations of one phase of a file.
pub type PhaseOps = Cached<Vec<Operation>>;

impl<T> Default for Cached<T> {
    fn default() -> Self {
        Self {
            decoded: std::sync::OnceLock::new(),
            encoded: None,
        }
    }
}

impl<T: serde::de::DeserializeOwned + Default> Cached<T> {
    pub fn decoded(value: T) -> Self {
        Self {
            decoded: std::sync::OnceLock::from(value),
            encoded: None,
        }
    }

    pub(crate) fn encoded(encoded: crate::cache::Encoded) -> Self {
        Self {
            decoded: std::sync::OnceLock::new(),
            encoded: Some(encoded),
        }
    }

    /// The value, decoded if need be; `compute`d if there is none at all.
    pub fn get_or(&self, compute: impl FnOnce() -> T) -> &T {
        self.decoded.get_or_init(|| match &self.encoded {
            Some(encoded) => encoded.decode(),
            None => compute(),
        })
    }

    pub fn get(&self) -> &T {
        self.get_or(T::default)
    }

    #[cfg(test)]
    pub(crate) fn is_decoded(&self) -> bool {
        self.decoded.get().is_some()
    }

    /// The encoded form, when the value came from the cache.
    pub(crate) fn encoded_bytes(&self) -> Option<&[u8]> {
        self.encoded.as_ref().map(|e| e.bytes())
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Cached<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.decoded.get(), &self.encoded) {
            (Some(value), _) => value.fmt(f),
            (None, Some(encoded)) => encoded.fmt(f),
            (None, None) => f.write_str("-"),
        }
    }
}

/// Where the lines of a file start: what reports need to turn byte offsets
/// into lines and columns. Kept with the file (and in the cache) so that an
/// unchanged file is not read again to show a line number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineTable {
    /// The byte offset of each line's first character; the first is 0, or 3
    /// after a UTF-8 byte order mark, which no column counts.
    starts: Vec<u32>,
    /// Every byte after the mark is ASCII: a column is a byte count.
    ascii: bool,
}

const BOM: char = '\u{feff}';

impl LineTable {
    pub fn new(source: &str) -> Self {
        let first = if source.starts_with(BOM) {
            BOM.len_utf8()
        } else {
            0
        };
        let starts = std::iter::once(first as u32)
            .chain(line_breaks(source.as_bytes()).map(|end| end as u32))
            .collect();
        Self {
            starts,
            ascii: source[first..].is_ascii(),
        }
    }

    /// The 1-based line of a byte offset (as `line_col` counts it).
    pub fn line(&self, offset: u32) -> usize {
        self.starts.partition_point(|&s| s <= offset).max(1)
    }

    /// The 1-based line and column (in characters) of a byte offset.
    /// `source` is asked for only when the file is not ASCII.
    pub fn line_col<'s>(&self, offset: u32, source: impl FnOnce() -> &'s str) -> (usize, usize) {
        let line = self.line(offset);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let bytes = offset.saturating_sub(start) as usize;
        let column = if self.ascii {
            bytes
        } else {
            let source = source();
            let start = (start as usize).min(source.len());
            let end = (offset as usize).clamp(start, source.len());
            source
                .get(start..end)
                .map_or(end - start, |s| s.chars().count())
        };
        (line, column + 1)
    }
}

/// The byte offset just past each line end, by Python's rule (its
/// tokenizer and text files): `\n`, `\r\n` or a lone `\r`. Nothing else ends
/// a line, not even the characters `str.splitlines` splits at.
pub fn line_breaks(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr2_iter(b'\n', b'\r', bytes)
        .filter(|&i| !(bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n')))
        .map(|i| i + 1)
}

/// The lines of `text` without their line ends, split by Python's rule
/// (see `line_breaks`); like `str::lines`, no empty line after the last end.
pub fn lines(text: &str) -> impl Iterator<Item = &str> + '_ {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (line, next) = match rest.find(['\r', '\n']) {
            Some(i) if rest[i..].starts_with("\r\n") => (&rest[..i], &rest[i + 2..]),
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        rest = next;
        Some(line)
    })
}

/// What the analysis needs of one phase's operations without them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseFacts {
    pub count: u32,
    /// Some operation is a data migration (see `Operation::is_data_migration`).
    pub data_migrations: bool,
}

impl PhaseFacts {
    pub fn of(operations: &[Operation]) -> Self {
        Self {
            count: operations.len() as u32,
            data_migrations: operations.iter().any(Operation::is_data_migration),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LineTable;

    #[test]
    fn line_and_column() {
        let source = "ab\ncdé\nf";
        let table = LineTable::new(source);
        assert_eq!(table.line_col(0, || source), (1, 1));
        assert_eq!(table.line_col(3, || source), (2, 1));
        assert_eq!(table.line_col(8, || source), (3, 1));
        // after the two-byte é
        assert_eq!(table.line_col(7, || source), (2, 4));
        // past the end (a file changed since): clamped, no panic
        assert_eq!(table.line_col(99, || source).0, 3);
    }

    /// Python's rule written plainly, to check `LineTable` against: walk
    /// the characters; `\r\n` ends one line, `\r` or `\n` alone end one
    /// each; a byte order mark at the very start is not a column.
    fn python_positions(source: &str) -> Vec<(u32, (usize, usize))> {
        let mut out = Vec::new();
        let (mut line, mut column) = (1, 1);
        let mut chars = source.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            out.push((i as u32, (line, column)));
            match c {
                '\u{feff}' if i == 0 => {}
                '\r' if chars.peek().is_some_and(|&(_, next)| next == '\n') => {
                    let (j, _) = chars.next().unwrap();
                    out.push((j as u32, (line, column + 1)));
                    (line, column) = (line + 1, 1);
                }
                '\r' | '\n' => (line, column) = (line + 1, 1),
                _ => column += 1,
            }
        }
        out.push((source.len() as u32, (line, column)));
        out
    }

    #[test]
    fn lines_and_columns_follow_pythons_rule_for_any_mix_of_line_ends() {
        const PIECES: &[&str] = &[
            "a", "bc", " ", "\t", "é", "🙂", "\n", "\r", "\r\n", "\n\r", "\u{feff}", "\x0c",
            "\u{2028}",
        ];
        // xorshift64: a fixed seed, so a failure reproduces.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..3_000 {
            let mut source = String::new();
            if next(3) == 0 {
                source.push('\u{feff}');
            }
            for _ in 0..next(40) {
                source.push_str(PIECES[next(PIECES.len())]);
            }
            let table = LineTable::new(&source);
            for (offset, expected) in python_positions(&source) {
                assert_eq!(
                    table.line_col(offset, || &source),
                    expected,
                    "offset {offset} of {source:?}"
                );
            }
            let lines: Vec<&str> = super::lines(&source).collect();
            let expected_lines = match python_positions(&source).last().unwrap().1 {
                _ if source.is_empty() => 0,
                (line, _) => line - usize::from(source.ends_with(['\r', '\n'])),
            };
            assert_eq!(lines.len(), expected_lines, "{source:?}: {lines:?}");
            assert!(lines.iter().all(|l| !l.contains(['\r', '\n'])));
        }
    }

    #[test]
    fn operations_round_trip_through_the_cache_encoding() {
        let file = crate::extract::extract_str(
            r#"from alembic import op
import sqlalchemy as sa
revision = 'a'
down_revision = None

def _helper(table):
    op.alter_column(table, 'c', new_column_name='d', type_=sa.Text(), nullable=True, schema='s')

def upgrade():
    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True))
    with op.batch_alter_table('u') as batch:
        batch.drop_column('x')
    if True:
        op.execute("UPDATE t SET id = 1")
    with op.get_context().autocommit_block():
        op.create_index('ix', 't', ['id'], postgresql_concurrently=True)
    op.sync_enum_values('public', 'status', [], [])
    op.drop_column(name_of_table, 'c')
    _helper('t')
    op.alter_column('t', 'c', nullable=False)
"#,
        );
        let ops: Vec<&super::Operation> = file.operations().collect();
        // Every optional part is set on some operation.
        assert!(ops.iter().any(|op| op.other_method.is_some()));
        assert!(
            ops.iter()
                .any(|op| op.schema.is_some() && op.new_name.is_some())
        );
        assert!(ops.iter().any(|op| op.new_type.is_some()));
        assert!(ops.iter().any(|op| op.new_nullable == Some(true)));
        assert!(ops.iter().any(|op| op.new_nullable == Some(false)));
        assert!(
            ops.iter()
                .any(|op| op.sql.is_some() && op.context.conditional)
        );
        assert!(ops.iter().any(|op| op.context.batch_table.is_some()));
        assert!(ops.iter().any(|op| op.context.autocommit));
        assert!(ops.iter().any(|op| op.context.helper.is_some()));
        assert!(ops.iter().any(|op| !op.context.arms.is_empty()));
        assert!(ops.iter().any(|op| !op.unresolved.is_empty()));
        assert!(ops.iter().any(|op| !op.columns.is_empty()));
        for op in ops {
            let bytes = postcard::to_stdvec(op).unwrap();
            let back: super::Operation = postcard::from_bytes(&bytes).unwrap();
            assert_eq!(format!("{back:?}"), format!("{op:?}"));
        }
    }

    #[test]
    fn ascii_files_need_no_source() {
        let table = LineTable::new("a = 1\nb = 2\n");
        assert_eq!(table.line_col(10, || unreachable!()), (2, 5));
    }
}

/// The cache's encoding of an `Operation`: kind, phase, a bit set of the
/// fields present, those fields, and the span. Most operations set a few
/// of their fifteen optional fields, and a warm run decodes thousands: one
/// bit per absent field instead of one decoded field makes decoding the
/// cache markedly faster. Any change here changes the cache's stamp.
mod compact_operation {
    use std::borrow::Cow;

    use serde::de::{self, SeqAccess, Visitor};
    use serde::ser::SerializeTuple;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{Argument, LoopValue, Name, OpContext, Operation};
    use crate::python::Span;

    const OTHER_METHOD: u32 = 1 << 0;
    const TABLE: u32 = 1 << 1;
    const SCHEMA: u32 = 1 << 2;
    const COLUMN: u32 = 1 << 3;
    const NAME: u32 = 1 << 4;
    const NEW_NAME: u32 = 1 << 5;
    const COLUMNS: u32 = 1 << 6;
    const NEW_TYPE: u32 = 1 << 7;
    const NEW_NULLABLE: u32 = 1 << 8;
    const NEW_NULLABLE_TRUE: u32 = 1 << 9;
    const SQL: u32 = 1 << 10;
    const BATCH_TABLE: u32 = 1 << 11;
    const AUTOCOMMIT: u32 = 1 << 12;
    const CONDITIONAL: u32 = 1 << 13;
    const HELPER: u32 = 1 << 14;
    const ARGS: u32 = 1 << 15;
    const UNRESOLVED: u32 = 1 << 16;
    const LOOP_VALUES: u32 = 1 << 17;
    const ARMS: u32 = 1 << 18;
    /// Kind, phase, bit set, span, and at most 16 fields.
    const MAX_LEN: usize = 20;

    fn bit(set: bool, flag: u32) -> u32 {
        if set { flag } else { 0 }
    }

    impl Serialize for Operation {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let ctx = &self.context;
            let present = bit(self.other_method.is_some(), OTHER_METHOD)
                | bit(self.table.is_some(), TABLE)
                | bit(self.schema.is_some(), SCHEMA)
                | bit(self.column.is_some(), COLUMN)
                | bit(self.name.is_some(), NAME)
                | bit(self.new_name.is_some(), NEW_NAME)
                | bit(!self.columns.is_empty(), COLUMNS)
                | bit(self.new_type.is_some(), NEW_TYPE)
                | bit(self.new_nullable.is_some(), NEW_NULLABLE)
                | bit(self.new_nullable == Some(true), NEW_NULLABLE_TRUE)
                | bit(self.sql.is_some(), SQL)
                | bit(ctx.batch_table.is_some(), BATCH_TABLE)
                | bit(ctx.autocommit, AUTOCOMMIT)
                | bit(ctx.conditional, CONDITIONAL)
                | bit(ctx.helper.is_some(), HELPER)
                | bit(!self.args.is_empty(), ARGS)
                | bit(!self.unresolved.is_empty(), UNRESOLVED)
                | bit(!self.loop_values.is_empty(), LOOP_VALUES)
                | bit(!ctx.arms.is_empty(), ARMS);
            let mut tuple = serializer.serialize_tuple(MAX_LEN)?;
            tuple.serialize_element(&self.kind)?;
            tuple.serialize_element(&self.phase)?;
            tuple.serialize_element(&present)?;
            tuple.serialize_element(&self.span)?;
            let names = [
                &self.other_method,
                &self.table,
                &self.schema,
                &self.column,
                &self.name,
                &self.new_name,
            ];
            for name in names.into_iter().flatten() {
                tuple.serialize_element(name)?;
            }
            if !self.columns.is_empty() {
                tuple.serialize_element(&self.columns)?;
            }
            if let Some(new_type) = &self.new_type {
                tuple.serialize_element(new_type)?;
            }
            if let Some(sql) = &self.sql {
                tuple.serialize_element(sql)?;
            }
            for name in [&ctx.batch_table, &ctx.helper].into_iter().flatten() {
                tuple.serialize_element(name)?;
            }
            if !self.args.is_empty() {
                let encoded = encode_args(&self.args, self.span.start);
                tuple.serialize_element(&Bytes(&encoded))?;
            }
            if !self.unresolved.is_empty() {
                tuple.serialize_element(&self.unresolved)?;
            }
            if !self.loop_values.is_empty() {
                tuple.serialize_element(&self.loop_values)?;
            }
            if !ctx.arms.is_empty() {
                tuple.serialize_element(&ctx.arms)?;
            }
            tuple.end()
        }
    }

    impl<'de> Deserialize<'de> for Operation {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_tuple(MAX_LEN, OperationVisitor)
        }
    }

    struct OperationVisitor;

    /// Serializes as a byte string.
    struct Bytes<'a>(&'a [u8]);

    impl Serialize for Bytes<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_bytes(self.0)
        }
    }

    /// Arguments are most of an operation's encoding: they are packed as
    /// LEB128 numbers relative to the operation's start (mostly one byte
    /// each) and read without serde's per-field machinery. Per argument:
    /// the keyword's start and end plus one (0: positional), then the
    /// value's start and end.
    fn encode_args(args: &[Argument], base: u32) -> Vec<u8> {
        let mut out = Vec::with_capacity(args.len() * 4);
        let mut put = |n: u32| {
            let mut n = n;
            while n >= 0x80 {
                out.push((n as u8) | 0x80);
                n >>= 7;
            }
            out.push(n as u8);
        };
        for arg in args {
            match arg.keyword {
                Some(k) => {
                    put(k.start.wrapping_sub(base).wrapping_add(1));
                    put(k.end.saturating_sub(k.start));
                }
                None => put(0),
            }
            put(arg.span.start.wrapping_sub(base));
            put(arg.span.end.saturating_sub(arg.span.start));
        }
        out
    }

    fn decode_args(mut bytes: &[u8], base: u32) -> Option<Vec<Argument>> {
        // Two to six bytes per argument.
        let mut args = Vec::with_capacity(bytes.len() / 3 + 1);
        let mut take = || -> Option<u32> {
            let mut n: u32 = 0;
            for shift in (0..35).step_by(7) {
                let (&byte, rest) = bytes.split_first()?;
                bytes = rest;
                n |= u32::from(byte & 0x7f).checked_shl(shift)?;
                if byte < 0x80 {
                    return Some(n);
                }
            }
            None
        };
        while let Some(keyword) = take() {
            let keyword = match keyword {
                0 => None,
                start => {
                    let start = start.wrapping_sub(1).wrapping_add(base);
                    Some(Span::new(start, start.checked_add(take()?)?))
                }
            };
            let start = take()?.wrapping_add(base);
            let span = Span::new(start, start.checked_add(take()?)?);
            args.push(Argument { keyword, span });
        }
        Some(args)
    }

    fn next<'de, A: SeqAccess<'de>, T: Deserialize<'de>>(seq: &mut A) -> Result<T, A::Error> {
        seq.next_element()?
            .ok_or_else(|| de::Error::custom("truncated operation"))
    }

    fn field<'de, A: SeqAccess<'de>, T: Deserialize<'de> + Default>(
        seq: &mut A,
        present: u32,
        flag: u32,
    ) -> Result<T, A::Error> {
        if present & flag != 0 {
            next(seq)
        } else {
            Ok(T::default())
        }
    }

    fn name<'de, A: SeqAccess<'de>>(
        seq: &mut A,
        present: u32,
        flag: u32,
    ) -> Result<Option<Name>, A::Error> {
        if present & flag != 0 {
            next(seq).map(Some)
        } else {
            Ok(None)
        }
    }

    #[cfg(test)]
    #[test]
    fn arguments_pack_and_unpack() {
        let args = vec![
            Argument {
                keyword: None,
                span: Span::new(1_000, 1_005),
            },
            Argument {
                keyword: Some(Span::new(1_200, 1_206)),
                span: Span::new(1_207, 90_000),
            },
        ];
        let encoded = encode_args(&args, 990);
        let back = decode_args(&encoded, 990).unwrap();
        assert_eq!(format!("{back:?}"), format!("{args:?}"));
        assert!(decode_args(&encoded[..encoded.len() - 1], 990).is_none());
    }

    impl<'de> Visitor<'de> for OperationVisitor {
        type Value = Operation;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an operation")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Operation, A::Error> {
            let kind = next(&mut seq)?;
            let phase = next(&mut seq)?;
            let present: u32 = next(&mut seq)?;
            let span: Span = next(&mut seq)?;
            let other_method = name(&mut seq, present, OTHER_METHOD)?;
            let table = name(&mut seq, present, TABLE)?;
            let schema = name(&mut seq, present, SCHEMA)?;
            let column = name(&mut seq, present, COLUMN)?;
            let op_name = name(&mut seq, present, NAME)?;
            let new_name = name(&mut seq, present, NEW_NAME)?;
            let columns = field(&mut seq, present, COLUMNS)?;
            let new_type = name(&mut seq, present, NEW_TYPE)?;
            let new_nullable =
                (present & NEW_NULLABLE != 0).then_some(present & NEW_NULLABLE_TRUE != 0);
            let sql = if present & SQL != 0 {
                Some(next(&mut seq)?)
            } else {
                None
            };
            let batch_table = name(&mut seq, present, BATCH_TABLE)?;
            let helper = name(&mut seq, present, HELPER)?;
            let args = if present & ARGS != 0 {
                let encoded: &'de [u8] = next(&mut seq)?;
                decode_args(encoded, span.start)
                    .ok_or_else(|| de::Error::custom("bad operation arguments"))?
            } else {
                Vec::new()
            };
            let unresolved: Vec<Cow<'static, str>> = field(&mut seq, present, UNRESOLVED)?;
            let loop_values: Vec<(Name, LoopValue)> = field(&mut seq, present, LOOP_VALUES)?;
            let arms: Vec<(u32, u32)> = field(&mut seq, present, ARMS)?;
            Ok(Operation {
                kind,
                other_method,
                phase,
                table,
                schema,
                column,
                name: op_name,
                new_name,
                columns,
                new_type,
                new_nullable,
                sql,
                context: OpContext {
                    batch_table,
                    autocommit: present & AUTOCOMMIT != 0,
                    conditional: present & CONDITIONAL != 0,
                    helper,
                    arms,
                },
                args,
                span,
                unresolved,
                loop_values,
            })
        }
    }
}
