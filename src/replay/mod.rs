//! Replay: the history's upgrade operations, in Alembic's upgrade order,
//! folded into a model of the schema they build (`model::Schema`).
//!
//! Being state based, replay subsumes Django's optimizer pairs: an add then
//! a drop leaves nothing, alter chains end in the final column, renames
//! keep the last name. What it cannot know statically (SQL built at run
//! time, a condition, a helper's parameter, the connection used directly
//! for anything but plain data statements) is a `Finding` of kind
//! `Blocker`, with its location: the baseline is then not written.
//!
//! Replay never prints; `consolidate` reports what it returns.

pub mod code;
pub mod model;
mod sql;

use std::collections::{BTreeMap, BTreeSet};

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use serde::Serialize;

use crate::graph::RevisionGraph;
use crate::ir::{OpKind, Operation, RevisionFile};
use crate::python::{Expr, Span, parse_module};
use code::{Code, FileScope, Import, Unknowable};
use model::{
    Column, Constraint, ConstraintKind, Index, IndexForm, Origin, Schema, Table, Unit, UnitKind,
};

/// The type an enum column creates with its table: `sa.Enum(...,
/// name="status")` → `status` (`None` with `create_type=False`).
pub fn enum_type_name(code: &Code) -> Option<String> {
    if !matches!(code.callee(), Some("Enum" | "ENUM")) {
        return None;
    }
    if code.kwarg("create_type").and_then(Code::as_bool) == Some(false) {
        return None;
    }
    let name = code.kwarg("name")?.as_str()?;
    let schema = code.kwarg("schema").and_then(Code::as_str);
    Some(qualify(schema, name))
}

/// Whether SQL `text` uses `word` as an identifier.
pub fn sql_mentions(text: &str, word: &str) -> bool {
    sql::mentions(text, word)
}

/// What replay found that the user should know.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub file: usize,
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// Its effect on the schema cannot be known: no baseline is written.
    Blocker,
    /// Transforms existing rows; a fresh database has none. Not replayed.
    DataMigration,
    /// Carried over as written; migsquash does not model what it does.
    Verbatim,
}

/// The result of replaying a history.
#[derive(Debug, Default)]
pub struct Replay {
    pub schema: Schema,
    /// What the baseline's expressions need, beyond `op` and `sa`.
    pub imports: BTreeSet<Import>,
    pub findings: Vec<Finding>,
    /// Files replayed, in upgrade order.
    pub revisions: Vec<usize>,
    /// Upgrade operations read (op calls and statements on the connection).
    pub operations: usize,
    /// Per table (final name): operations of the history on it.
    pub per_table: BTreeMap<String, usize>,
}

impl Replay {
    pub fn blockers(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.kind == FindingKind::Blocker)
    }
}

/// The revisions a baseline replaces: every revision, or those `up_to`
/// needs (its ancestors through `down_revision` and `depends_on`), in
/// upgrade order.
pub fn revisions_to_replay(graph: &RevisionGraph, up_to: Option<NodeIndex>) -> Vec<usize> {
    let wanted: Option<BTreeSet<NodeIndex>> = up_to.map(|target| {
        let mut seen = BTreeSet::from([target]);
        let mut stack = vec![target];
        while let Some(node) = stack.pop() {
            for parent in graph.dag.neighbors_directed(node, Direction::Incoming) {
                if seen.insert(parent) {
                    stack.push(parent);
                }
            }
        }
        seen
    });
    graph
        .upgrade_nodes
        .iter()
        .filter(|n| wanted.as_ref().is_none_or(|w| w.contains(n)))
        .map(|n| graph.dag[*n])
        .collect()
}

/// Replays `revisions` (file indices, in upgrade order).
pub fn replay(files: &[RevisionFile], revisions: &[usize]) -> Replay {
    use rayon::prelude::*;
    let mut state = State::default();
    state.out.revisions = revisions.to_vec();
    // Parsing is independent per file: done in parallel, a chunk at a
    // time so that only a chunk's trees are held; the replay itself is
    // sequential.
    for chunk in revisions.chunks(256) {
        let modules: Vec<Option<crate::python::Module>> = chunk
            .par_iter()
            .map(|&f| parse_module(files[f].source()).ok())
            .collect();
        for (&file, module) in chunk.iter().zip(modules) {
            // A file that does not parse is reported by the checks, and
            // consolidate refuses on it.
            if let Some(module) = module {
                state.file(files, file, &module);
            }
        }
    }
    state.finish()
}

#[derive(Default)]
struct State {
    out: Replay,
    seq: usize,
    /// Every object and every dependency a unit ever had: when a name is
    /// not here, no unit needs to be searched for it.
    objects_seen: std::collections::HashSet<String>,
    depends_seen: std::collections::HashSet<String>,
    /// Seed rows and, per column, the default they got: the baseline
    /// inserts them into the final table, where defaults may differ.
    seeds: Vec<Seed>,
    /// Enum types created on their own because the column that made them
    /// was dropped; removed again at the end when a column still makes them.
    kept_types: std::collections::HashSet<String>,
    /// Every name a table had in the model, for telling "dropped" from
    /// "never created by the history".
    tables_made: std::collections::HashSet<String>,
    /// Table renames, old name → new name, for `per_table`.
    aliases: BTreeMap<String, String>,
}

/// Rows inserted by the history, and the value each column not named by
/// the insert got: its default when the rows were inserted, or when the
/// column was added after them.
struct Seed {
    origin: Origin,
    table: String,
    texts: Vec<String>,
    defaults: BTreeMap<String, Option<Code>>,
}

/// `op.bulk_insert(sa.table("t", ...), [{...}, ...])` with `column` set to
/// `value` in every row; `false` when the call is not of that form.
fn insert_value(code: &mut Code, column: &str, value: Code) -> bool {
    let Code::Call { func, args, .. } = code else {
        return false;
    };
    if !matches!(func.as_ref(), Code::Atom(f) if f == "op.bulk_insert") {
        return false;
    }
    let [table, Code::List(rows)] = args.as_mut_slice() else {
        return false;
    };
    let Code::Call {
        args: table_args, ..
    } = table
    else {
        return false;
    };
    if !rows.iter().all(|r| matches!(r, Code::Dict(_))) {
        return false;
    }
    table_args.push(Code::call(
        "sa.column",
        vec![Code::Str(column.to_owned())],
        vec![],
    ));
    let expression = literal_value(Some(&value)).is_none();
    for row in rows.iter_mut() {
        if let Code::Dict(pairs) = row {
            pairs.push((Code::Str(column.to_owned()), value.clone()));
        }
    }
    // SQL expressions as values need one INSERT per row.
    if expression
        && let Code::Call { kwargs, .. } = code
        && !kwargs.iter().any(|(k, _)| k == "multiinsert")
    {
        kwargs.push(("multiinsert".into(), Code::atom("False")));
    }
    true
}

/// What a server default gives a row, for comparing: `"0"` and
/// `sa.text("0")` give the same number.
fn default_key(code: Option<&Code>) -> Option<String> {
    let code = code?;
    match literal_value(Some(code)) {
        Some(value) => Some(code::flat(&value)),
        None => Some(code::flat(code)),
    }
}

/// The value a server default gives a row, as a Python literal, when it is
/// one: NULL, a number, a string, a boolean. `None` for an expression
/// (`now()`), which only the database can evaluate.
fn literal_value(code: Option<&Code>) -> Option<Code> {
    let Some(code) = code else {
        return Some(Code::atom("None"));
    };
    let number = |n: &str| (!n.is_empty() && n.parse::<f64>().is_ok()).then(|| Code::atom(n));
    match code {
        Code::Str(s) => number(s).or_else(|| Some(Code::Str(s.clone()))),
        Code::Call { args, .. } if code.callee() == Some("text") && args.len() == 1 => {
            let text = args[0].as_str()?;
            match text.to_ascii_lowercase().as_str() {
                "true" => Some(Code::atom("True")),
                "false" => Some(Code::atom("False")),
                "null" => Some(Code::atom("None")),
                _ => number(text),
            }
        }
        Code::Call { args, kwargs, .. } if args.is_empty() && kwargs.is_empty() => {
            match code.callee() {
                Some("true") => Some(Code::atom("True")),
                Some("false") => Some(Code::atom("False")),
                _ => None,
            }
        }
        _ => None,
    }
}

/// An operation or a statement on the connection, in source order.
enum Event<'f> {
    Op(&'f Operation),
    /// `X.create(op.get_bind())` of an enum type, `conn.execute(...)`, …
    Bind(&'f Expr),
}

impl State {
    fn file(&mut self, files: &[RevisionFile], index: usize, module: &crate::python::Module) {
        let file = &files[index];
        let source = file.source();
        let scope = FileScope::new(source, module);
        // Operations keep extraction order (helpers run where they are
        // called); statements on the connection go between them by position.
        let upgrade = upgrade_span(&scope);
        let mut anchor = 0;
        let mut events: Vec<(u32, Event)> = Vec::new();
        for op in file.upgrade_ops() {
            if upgrade.is_some_and(|u| u.start <= op.span.start && op.span.end <= u.end) {
                anchor = op.span.start;
            }
            events.push((anchor, Event::Op(op)));
        }
        for statement in bind_statements(&scope, file) {
            let at = statement.span().start;
            let position = events.partition_point(|(a, _)| *a <= at);
            events.insert(position, (at, Event::Bind(statement)));
        }
        for (_, event) in events {
            self.seq += 1;
            self.out.operations += 1;
            match event {
                Event::Op(op) => {
                    let origin = Origin {
                        file: index,
                        span: op.span,
                        seq: self.seq,
                    };
                    let mut ctx = OpCtx {
                        state: self,
                        scope: &scope,
                        op,
                        origin,
                    };
                    if let Err(err) = ctx.apply() {
                        self.blocker(index, err.span, err.reason);
                    }
                }
                Event::Bind(expr) => {
                    let origin = Origin {
                        file: index,
                        span: expr.span(),
                        seq: self.seq,
                    };
                    self.bind_statement(&scope, expr, origin);
                }
            }
        }
    }

    fn blocker(&mut self, file: usize, span: Span, message: impl Into<String>) {
        self.finding(FindingKind::Blocker, file, span, message);
    }

    fn finding(&mut self, kind: FindingKind, file: usize, span: Span, message: impl Into<String>) {
        self.out.findings.push(Finding {
            kind,
            file,
            span,
            message: message.into(),
        });
    }

    fn count(&mut self, table: &str) {
        *self.out.per_table.entry(table.to_owned()).or_default() += 1;
    }

    /// A statement on `op.get_bind()`: the enum `create`/`drop` idiom is
    /// folded, DML is a data migration, anything else blocks.
    fn bind_statement(&mut self, scope: &FileScope, expr: &Expr, origin: Origin) {
        let Expr::Call { func, args, .. } = expr else {
            return;
        };
        let Expr::Attribute { value, attr, .. } = func.as_ref() else {
            return;
        };
        let mut imports = BTreeSet::new();
        if matches!(attr.as_str(), "execute" | "exec_driver_sql") {
            let text = args
                .first()
                .and_then(|a| literal_sql(scope, a, &mut imports));
            match text.map(|t| crate::sql::SqlInfo::classify(&t)) {
                Some(info) if info.statements.iter().all(|s| s.is_dml() || s.kind == "SELECT") => {
                    self.finding(
                        FindingKind::DataMigration,
                        origin.file,
                        origin.span,
                        "changes existing rows through the connection; a fresh database has none, so it is not replayed",
                    );
                }
                _ => self.blocker(
                    origin.file,
                    origin.span,
                    "runs a statement on the connection (`op.get_bind()`) whose effect on the schema cannot be known statically",
                ),
            }
            return;
        }
        if matches!(attr.as_str(), "create" | "drop") {
            match scope.code(value, &mut imports) {
                Ok(receiver) if matches!(receiver.callee(), Some("Enum" | "ENUM")) => {
                    let name = receiver
                        .kwarg("name")
                        .and_then(Code::as_str)
                        .map(str::to_owned);
                    let Some(name) = name else {
                        self.blocker(
                            origin.file,
                            origin.span,
                            "an enum type without a literal name",
                        );
                        return;
                    };
                    let object = format!("TYPE {name}");
                    if attr == "drop" {
                        self.drop_object(&object, true, origin);
                        return;
                    }
                    self.out.imports.extend(imports);
                    let code = Code::Call {
                        func: Box::new(Code::Attr {
                            value: Box::new(receiver),
                            attr: "create".into(),
                        }),
                        args: vec![Code::call("op.get_bind", vec![], vec![])],
                        kwargs: vec![("checkfirst".into(), Code::atom("False"))],
                    };
                    self.push_unit(Unit {
                        kind: UnitKind::Sql,
                        code,
                        object: Some(object),
                        depends: Vec::new(),
                        autocommit: false,
                        before_tables: true,
                        origin,
                    });
                    return;
                }
                _ => {}
            }
        }
        self.blocker(
            origin.file,
            origin.span,
            "uses the database connection (`op.get_bind()`) in a way whose effect cannot be known statically",
        );
    }

    fn push_unit(&mut self, unit: Unit) {
        self.depends_seen.extend(unit.depends.iter().cloned());
        if unit.kind == UnitKind::Data
            && let Some(table) = unit.depends.first()
            && let Some(t) = self.out.schema.table_any_schema(table)
        {
            let mut texts = Vec::new();
            unit.code.texts(&mut texts);
            self.seeds.push(Seed {
                origin: unit.origin,
                table: table.clone(),
                texts,
                defaults: self.out.schema.tables[t]
                    .columns
                    .iter()
                    .map(|c| (c.name.clone(), c.kwarg("server_default").cloned()))
                    .collect(),
            });
        }
        let fresh = unit
            .object
            .as_ref()
            .is_none_or(|o| self.objects_seen.insert(o.clone()));
        let units = &mut self.out.schema.units;
        if fresh {
            units.push(unit);
            return;
        }
        let earlier = unit.object.as_ref().and_then(|object| {
            units
                .iter()
                .position(|u| u.object.as_ref() == Some(object) && u.kind != UnitKind::Data)
        });
        let Some(first) = earlier else {
            units.push(unit);
            return;
        };
        // CREATE OR REPLACE, replace_entity: the last definition wins. It
        // takes the place of the first, so what was built on it in between
        // (a trigger on a function) still finds it, unless it names
        // something created only after that place.
        units.retain(|u| u.object != unit.object || u.kind == UnitKind::Data);
        let mut texts = Vec::new();
        unit.code.texts(&mut texts);
        let words: std::collections::HashSet<String> = texts
            .iter()
            .flat_map(|t| {
                t.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .filter(|w| !w.is_empty())
                    .map(str::to_ascii_lowercase)
            })
            .collect();
        let needs_later = units[first.min(units.len())..].iter().any(|u| {
            u.object
                .as_deref()
                .and_then(object_name)
                .is_some_and(|name| words.contains(&name.to_ascii_lowercase()))
        });
        if needs_later {
            units.push(unit);
        } else {
            units.insert(first.min(units.len()), unit);
        }
    }

    /// Removes what created `object`. `Err` when nothing did and the drop
    /// has no `IF EXISTS`.
    fn drop_object(&mut self, object: &str, if_exists: bool, origin: Origin) {
        let before = self.out.schema.units.len();
        if self.objects_seen.contains(object) {
            self.out
                .schema
                .units
                .retain(|u| u.object.as_deref() != Some(object));
        }
        if before == self.out.schema.units.len() && !if_exists {
            self.blocker(
                origin.file,
                origin.span,
                format!(
                    "drops {object}, which the history did not create where migsquash could see it"
                ),
            );
        }
    }

    /// Seed rows the baseline would insert with other values than the
    /// history gave them (a default set or changed after they were
    /// inserted) block: they could even break a unique index.
    fn check_seeds(&mut self) {
        let mut problems = Vec::new();
        let mut fixes: Vec<(Origin, String, Code)> = Vec::new();
        for seed in &self.seeds {
            let Some(t) = self.out.schema.table_any_schema(&seed.table) else {
                continue;
            };
            for column in &self.out.schema.tables[t].columns {
                let named = seed.texts.iter().any(|t| t == &column.name);
                if named || column.serial_sequence.is_some() || !column.extras.is_empty() {
                    continue;
                }
                let then = seed.defaults.get(&column.name).cloned().flatten();
                let now = column.kwarg("server_default");
                if default_key(then.as_ref()) == default_key(now) {
                    continue;
                }
                // The rows say what the history gave them, when that is a
                // literal; else the baseline would insert other rows.
                match literal_value(then.as_ref()).or_else(|| then.clone()) {
                    // An expression (`now()`) is evaluated for each row, as
                    // the database evaluated the default.
                    Some(value) => fixes.push((seed.origin, column.name.clone(), value)),
                    None => problems.push((
                        seed.origin,
                        format!(
                            "these rows get `{}.{}` = `{}` in the history (its default then), but the baseline's table gives it {}: the baseline would insert other rows",
                            seed.table,
                            column.name,
                            then.as_ref().map_or("NULL".to_owned(), code::flat),
                            now.map_or("NULL".to_owned(), |d| format!("`{}`", code::flat(d))),
                        ),
                    )),
                }
            }
        }
        for (origin, column, value) in fixes {
            let unit = self
                .out
                .schema
                .units
                .iter_mut()
                .find(|u| u.origin == origin && u.kind == UnitKind::Data);
            if !unit.is_some_and(|u| insert_value(&mut u.code, &column, value)) {
                problems.push((
                    origin,
                    format!(
                        "these rows get another `{column}` in the history than the baseline's table would give them, and the statement cannot be rewritten to say so"
                    ),
                ));
            }
        }
        for (origin, message) in problems {
            self.blocker(origin.file, origin.span, message);
        }
    }

    fn finish(mut self) -> Replay {
        self.check_seeds();
        if !self.kept_types.is_empty() {
            let made: std::collections::HashSet<String> = self
                .out
                .schema
                .tables
                .iter()
                .flat_map(|t| &t.columns)
                .filter_map(|c| c.type_.as_ref().and_then(enum_type_name))
                .map(|name| format!("TYPE {name}"))
                .collect();
            let kept = &self.kept_types;
            self.out.schema.units.retain(|u| {
                !u.object
                    .as_ref()
                    .is_some_and(|o| kept.contains(o) && made.contains(o))
            });
        }
        // Counts were taken under the name a table had then.
        let counts = std::mem::take(&mut self.out.per_table);
        for (name, count) in counts {
            let mut last = name;
            for _ in 0..64 {
                match self.aliases.get(&last) {
                    Some(next) if *next != last => last = next.clone(),
                    _ => break,
                }
            }
            *self.out.per_table.entry(last).or_default() += count;
        }
        self.out
            .findings
            .sort_by_key(|f| (f.kind, f.file, f.span.start));
        self.out
    }
}

/// The SQL text of `"..."`, `sa.text("...")` or `sa.text("...").bindparams(...)`.
fn literal_sql(scope: &FileScope, expr: &Expr, imports: &mut BTreeSet<Import>) -> Option<String> {
    let mut current = expr;
    // `.bindparams(...)`, `.columns(...)`, `.execution_options(...)` do not
    // change the statement.
    while let Expr::Call { func, .. } = current
        && let Expr::Attribute { value, attr, .. } = func.as_ref()
        && matches!(
            attr.as_str(),
            "bindparams" | "columns" | "execution_options"
        )
    {
        current = value;
    }
    match scope.code(current, imports).ok()? {
        Code::Str(s) => Some(s),
        c @ Code::Call { .. } if c.callee() == Some("text") => match c {
            Code::Call { args, .. } => args.first().and_then(Code::as_str).map(str::to_owned),
            _ => None,
        },
        _ => None,
    }
}

/// Statements in `upgrade()` that use the connection: calls whose receiver
/// or first argument is `op.get_bind()` or a name bound to it.
fn bind_statements<'m>(scope: &FileScope<'m>, file: &RevisionFile) -> Vec<&'m Expr> {
    if !file
        .get_bind
        .iter()
        .any(|b| b.value == crate::ir::Phase::Upgrade)
    {
        return Vec::new();
    }
    let Some(upgrade) = upgrade_span(scope) else {
        return Vec::new();
    };
    let is_bind = |e: &Expr, names: &BTreeSet<String>| match e {
        Expr::Call { func, .. } => {
            matches!(func.as_ref(), Expr::Attribute { attr, value, .. } if attr == "get_bind" && value.as_name().is_some_and(|n| scope.is_op(n)))
        }
        Expr::Name { id, .. } => names.contains(id),
        _ => false,
    };
    // Names assigned `op.get_bind()` (or `.connect()` of it).
    let mut names = BTreeSet::new();
    for stmt in function_body(scope, "upgrade") {
        if let crate::python::Stmt::Assign { targets, value, .. } = stmt
            && is_bind(value, &names)
        {
            for t in targets {
                if let Some(n) = t.as_name() {
                    names.insert(n.to_owned());
                }
            }
        }
    }
    let mut out = Vec::new();
    scope.module.walk_exprs(&mut |e| {
        let s = e.span();
        if s.start < upgrade.start || s.end > upgrade.end {
            return;
        }
        if let Expr::Call {
            func,
            args,
            keywords,
            ..
        } = e
        {
            let on_bind = match func.as_ref() {
                Expr::Attribute { value, attr, .. } => is_bind(value, &names) && attr != "get_bind",
                _ => false,
            } || args.iter().any(|a| is_bind(a, &names))
                || keywords.iter().any(|k| is_bind(&k.value, &names));
            if on_bind {
                out.push(e);
            }
        }
    });
    out
}

/// `FUNCTION public.f()` → `f`; `TRIGGER t ON x` → `t`.
fn object_name(object: &str) -> Option<&str> {
    let rest = match object.strip_prefix("MATERIALIZED VIEW ") {
        Some(rest) => rest,
        None => object.split_once(' ')?.1,
    };
    let word = rest.split(' ').next()?;
    let word = word.split('(').next()?;
    let name = word.rsplit('.').next().unwrap_or(word);
    (!name.is_empty()).then_some(name)
}

fn upgrade_span(scope: &FileScope) -> Option<Span> {
    scope.module.body.iter().find_map(|s| match s {
        crate::python::Stmt::FunctionDef { name, span, .. } if name == "upgrade" => Some(*span),
        _ => None,
    })
}

fn function_body<'m>(scope: &FileScope<'m>, name: &str) -> &'m [crate::python::Stmt] {
    scope
        .module
        .body
        .iter()
        .find_map(|s| match s {
            crate::python::Stmt::FunctionDef { name: n, body, .. } if n == name => {
                Some(body.as_slice())
            }
            _ => None,
        })
        .unwrap_or(&[])
}

/// One operation being applied.
struct OpCtx<'s, 'f> {
    state: &'s mut State,
    scope: &'s FileScope<'f>,
    op: &'s Operation,
    origin: Origin,
}

type Result<T> = std::result::Result<T, Unknowable>;

impl<'f> OpCtx<'_, 'f> {
    fn err(&self, reason: impl Into<String>) -> Unknowable {
        Unknowable {
            span: self.op.span,
            reason: reason.into(),
        }
    }

    /// The call's arguments as code: positional (by Alembic's parameter
    /// names) and keyword.
    fn args(&self) -> Result<Args<'f>> {
        let call = self
            .scope
            .call_at(self.op.span)
            .ok_or_else(|| self.err("the call could not be found again in the file"))?;
        let Expr::Call { args, keywords, .. } = call else {
            return Err(self.err("not a call"));
        };
        let mut out = Args::default();
        for arg in args {
            out.positional.push(ArgExpr(arg));
        }
        for kw in keywords {
            match &kw.arg {
                Some(name) => out.keywords.push((name.clone(), ArgExpr(&kw.value))),
                None => {
                    return Err(Unknowable {
                        span: kw.span,
                        reason: "`**` arguments are only known when the migration runs".into(),
                    });
                }
            }
        }
        out.params = self.op.kind.params(self.op.context.batch_table.is_some());
        Ok(out)
    }

    fn code(&mut self, expr: &Expr) -> Result<Code> {
        let mut imports = BTreeSet::new();
        let code = self.scope.code(expr, &mut imports)?;
        self.state.out.imports.extend(imports);
        Ok(code)
    }

    fn apply(&mut self) -> Result<()> {
        let op = self.op;
        if !op.unresolved.is_empty() {
            return Err(self.err(format!(
                "`{}` of `{}` is not a literal: which object it changes is only known when the migration runs",
                op.unresolved.join("`, `"),
                op.method()
            )));
        }
        if op.context.conditional {
            return Err(self.err(format!(
                "`{}` runs inside a condition, loop or exception handler: whether it runs is only known when the migration runs",
                op.method()
            )));
        }
        if let Some(table) = &op.table {
            self.state.count(table);
            if self
                .state
                .out
                .schema
                .table(op.schema.as_deref(), table)
                .is_none()
                && self.sql_created(table)
                && op.kind != OpKind::CreateTable
            {
                return self.keep_on_sql_table(table);
            }
        }
        match op.kind {
            OpKind::CreateTable => self.create_table(),
            OpKind::DropTable => {
                let t = self.table_index()?;
                self.drop_table(t);
                Ok(())
            }
            OpKind::RenameTable => {
                let t = self.table_index()?;
                let new = op.new_name.clone().unwrap_or_default();
                self.rename_table(t, &new)
            }
            OpKind::AddColumn => self.add_column(),
            OpKind::DropColumn => {
                let t = self.table_index()?;
                let column = op.column.clone().unwrap_or_default();
                self.drop_column(t, &column)
            }
            OpKind::AlterColumn => self.alter_column(),
            OpKind::CreateIndex => self.create_index(),
            OpKind::DropIndex => {
                let name = op.name.clone().unwrap_or_default();
                self.drop_index(&name, false)
            }
            OpKind::CreateUniqueConstraint
            | OpKind::CreatePrimaryKey
            | OpKind::CreateCheckConstraint
            | OpKind::CreateForeignKey
            | OpKind::CreateExcludeConstraint => self.create_constraint(),
            OpKind::DropConstraint => {
                let t = self.table_index()?;
                let name = op.name.clone().unwrap_or_default();
                self.drop_constraint(t, &name, false)
            }
            OpKind::CreateTableComment => {
                let t = self.table_index()?;
                let args = self.args()?;
                let comment = args.get("comment").ok_or_else(|| self.err("no comment"))?;
                let comment = self.code(comment.0)?;
                self.state.out.schema.tables[t].comment = Some(comment);
                Ok(())
            }
            OpKind::DropTableComment => {
                let t = self.table_index()?;
                self.state.out.schema.tables[t].comment = None;
                Ok(())
            }
            OpKind::Execute => self.execute(),
            OpKind::BulkInsert => self.bulk_insert(),
            OpKind::Other => self.plugin(),
        }
    }

    /// Whether `table` was created by raw SQL that is kept as written.
    fn sql_created(&self, table: &str) -> bool {
        let object = format!("TABLE {table}");
        self.state.objects_seen.contains(&object)
            && self
                .state
                .out
                .schema
                .units
                .iter()
                .any(|u| u.object.as_deref() == Some(&object))
    }

    /// An operation on a table created by raw SQL: the model does not hold
    /// the table, so the operation is kept as written, after it.
    fn keep_on_sql_table(&mut self, table: &str) -> Result<()> {
        let call = self
            .scope
            .call_at(self.op.span)
            .ok_or_else(|| self.err("the call could not be found again"))?;
        let code = self.code(call)?;
        let table = table.to_owned();
        if self.op.kind == OpKind::DropTable {
            self.state
                .drop_object(&format!("TABLE {table}"), false, self.origin);
            let depends = table.clone();
            self.state
                .out
                .schema
                .units
                .retain(|u| !u.depends.contains(&depends));
            return Ok(());
        }
        if self.op.kind == OpKind::DropIndex {
            let name = self.op.name.clone().unwrap_or_default();
            self.state
                .drop_object(&format!("INDEX {name}"), false, self.origin);
            return Ok(());
        }
        let object = (self.op.kind == OpKind::CreateIndex)
            .then(|| format!("INDEX {}", self.op.name.as_deref().unwrap_or_default()));
        self.state.push_unit(Unit {
            kind: UnitKind::Sql,
            code,
            object,
            depends: vec![table],
            autocommit: self.op.context.autocommit,
            before_tables: false,
            origin: self.origin,
        });
        self.state.finding(
            FindingKind::Verbatim,
            self.origin.file,
            self.origin.span,
            "an operation on a table created by raw SQL is carried over as written, after it",
        );
        Ok(())
    }

    fn table_index(&self) -> Result<usize> {
        let name = self.op.table.as_deref().unwrap_or_default();
        self.find_table(self.op.schema.as_deref(), name)
    }

    fn find_table(&self, schema: Option<&str>, name: &str) -> Result<usize> {
        self.state.out.schema.table(schema, name).ok_or_else(|| {
            let qualified = qualify(schema, name);
            let by_sql = self.state.objects_seen.contains(&format!("TABLE {name}"));
            if by_sql {
                self.err(format!(
                    "table `{qualified}` was created by raw SQL; migsquash cannot fold later operations on it"
                ))
            } else if !self.state.tables_made.contains(name) {
                // Common in real projects: the first revisions alter tables
                // that `create_all()` or a dump made before Alembic.
                self.err(format!(
                    "no revision creates table `{qualified}`: the history starts from a schema made outside it (by `create_all()` or a dump), which a baseline cannot rebuild"
                ))
            } else {
                self.err(format!(
                    "table `{qualified}` does not exist at this point of the history (as migsquash replays it)"
                ))
            }
        })
    }

    fn create_table(&mut self) -> Result<()> {
        let name = self.op.table.clone().unwrap_or_default().to_string();
        let schema = self.op.schema.as_ref().map(|s| s.to_string());
        if self
            .state
            .out
            .schema
            .table(schema.as_deref(), &name)
            .is_some()
        {
            return Err(self.err(format!(
                "table `{}` is created twice",
                qualify(schema.as_deref(), &name)
            )));
        }
        let args = self.args()?;
        let mut table = Table {
            schema,
            name: name.clone(),
            created_as: name.clone(),
            columns: Vec::new(),
            constraints: Vec::new(),
            indexes: Vec::new(),
            comment: None,
            kwargs: Vec::new(),
            origin: self.origin,
        };
        let mut items = Vec::new();
        for arg in args.positional.iter().skip(1) {
            items.push(self.code(arg.0)?);
        }
        for item in items {
            match item.callee() {
                Some("Column") => self.add_column_to(&mut table, item)?,
                Some("Index") => {
                    let index = self.index_from_code(&table, &item)?;
                    table.indexes.push(index);
                }
                _ => {
                    let constraint = self.constraint_from_code(&table, &item)?;
                    table.constraints.push(constraint);
                }
            }
        }
        for (key, value) in args.keywords {
            if key == "schema" {
                continue;
            }
            let value = self.code(value.0)?;
            if key == "comment" {
                table.comment = (!value.is_none()).then_some(value);
            } else {
                table.kwargs.push((key, value));
            }
        }
        mark_serial(&mut table);
        self.state.tables_made.insert(table.name.clone());
        self.state.out.schema.push_table(table);
        Ok(())
    }

    /// Adds `sa.Column(...)` to `table`; `unique=`, `index=` and
    /// `sa.ForeignKey` become the table's constraints and indexes, as
    /// SQLAlchemy makes them.
    fn add_column_to(&self, table: &mut Table, code: Code) -> Result<()> {
        let Code::Call { args, kwargs, .. } = code else {
            return Err(self.err("not a column"));
        };
        let mut args = args.into_iter().peekable();
        // SQLAlchemy takes a leading string as the name, else `name=`.
        let name = match (args.next_if(|a| matches!(a, Code::Str(_))), &kwargs[..]) {
            (Some(Code::Str(name)), _) => name,
            (_, kwargs) => match kwargs.iter().find(|(k, _)| k == "name") {
                Some((_, Code::Str(name))) => name.clone(),
                _ => {
                    return Err(self.err(
                        "a column whose name is not a literal (first argument or `name=`) cannot be replayed",
                    ));
                }
            },
        };
        if table.columns.iter().any(|c| c.name == name) {
            return Err(self.err(format!(
                "column `{}.{name}` already exists at this point of the history",
                table.name
            )));
        }
        let mut column = Column {
            name: name.clone(),
            type_: None,
            sql_type: None,
            extras: Vec::new(),
            kwargs: Vec::new(),
            serial_sequence: None,
            origin: self.origin,
        };
        for arg in args {
            match arg.callee() {
                Some("ForeignKey") => {
                    let Code::Call { args, kwargs, .. } = &arg else {
                        unreachable!()
                    };
                    let target = args
                        .first()
                        .and_then(Code::as_str)
                        .ok_or_else(|| self.err("a ForeignKey whose target is not a literal"))?;
                    let (referent, referent_column) = target
                        .rsplit_once('.')
                        .ok_or_else(|| self.err("a ForeignKey target without a table"))?;
                    let mut kwargs = kwargs.clone();
                    let name = take_name(&mut kwargs);
                    table.constraints.push(Constraint {
                        implicit_name: name
                            .is_none()
                            .then(|| format!("{}_{}_fkey", table.name, column.name)),
                        name: name.as_ref().map(|(n, _)| n.clone()),
                        name_is_final: name.is_some_and(|(_, f)| f),
                        kind: ConstraintKind::ForeignKey {
                            columns: vec![column.name.clone()],
                            referent: referent.to_owned(),
                            referent_columns: vec![referent_column.to_owned()],
                        },
                        kwargs,
                        origin: self.origin,
                    });
                }
                Some("Identity" | "Computed" | "Sequence" | "FetchedValue" | "DefaultClause") => {
                    column.extras.push(arg)
                }
                // A baseline's own `RawType("vector(3)")`.
                Some("RawType") if column.type_.is_none() => match &arg {
                    Code::Call { args, .. } if args.len() == 1 && args[0].as_str().is_some() => {
                        column.sql_type = args[0].as_str().map(str::to_owned);
                    }
                    _ => column.type_ = Some(arg),
                },
                _ if column.type_.is_none() && column.sql_type.is_none() => {
                    column.type_ = Some(arg)
                }
                _ => column.extras.push(arg),
            }
        }
        let mut unique = false;
        let mut index = false;
        for (key, value) in kwargs {
            match key.as_str() {
                "unique" => unique = value.as_bool() == Some(true),
                "index" => index = value.as_bool() == Some(true),
                "type_" => column.type_ = Some(value),
                "name" => {}
                _ => column.kwargs.push((key, value)),
            }
        }
        if index {
            // SQLAlchemy's default naming convention: ix_<table>_<column>.
            table.indexes.push(Index {
                name: format!("ix_{}_{}", table.name, column.name),
                name_is_final: true,
                form: IndexForm::Op {
                    columns: vec![Code::Str(column.name.clone())],
                    unique,
                    kwargs: Vec::new(),
                },
                autocommit: false,
                origin: self.origin,
            });
        } else if unique {
            table.constraints.push(Constraint {
                name: None,
                name_is_final: false,
                implicit_name: Some(format!("{}_{}_key", table.name, column.name)),
                kind: ConstraintKind::Unique {
                    columns: vec![column.name.clone()],
                },
                kwargs: Vec::new(),
                origin: self.origin,
            });
        }
        table.columns.push(column);
        Ok(())
    }

    fn constraint_from_code(&self, table: &Table, code: &Code) -> Result<Constraint> {
        let Code::Call { args, kwargs, .. } = code else {
            return Err(self.err(format!(
                "`{}` in create_table is not a column, constraint or index",
                code::flat(code)
            )));
        };
        let mut kwargs = kwargs.clone();
        let name = take_name(&mut kwargs);
        let strings = |codes: &[Code]| -> Result<Vec<String>> {
            codes
                .iter()
                .map(|c| {
                    c.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| self.err("a constraint column that is not a literal"))
                })
                .collect()
        };
        let (kind, implicit) = match code.callee() {
            Some("PrimaryKeyConstraint") => (
                ConstraintKind::PrimaryKey {
                    columns: strings(args)?,
                },
                Some(format!("{}_pkey", table.name)),
            ),
            Some("UniqueConstraint") => {
                let columns = strings(args)?;
                let implicit = format!("{}_{}_key", table.name, columns.join("_"));
                (ConstraintKind::Unique { columns }, Some(implicit))
            }
            Some("CheckConstraint") => (
                ConstraintKind::Check {
                    condition: args
                        .first()
                        .cloned()
                        .ok_or_else(|| self.err("a check constraint without a condition"))?,
                },
                None,
            ),
            Some("ForeignKeyConstraint") => {
                let columns = strings(args.first().and_then(list_items).unwrap_or(&[]))?;
                let targets = strings(args.get(1).and_then(list_items).unwrap_or(&[]))?;
                let referent = targets
                    .first()
                    .and_then(|t| t.rsplit_once('.'))
                    .map(|(t, _)| t.to_owned())
                    .ok_or_else(|| self.err("a foreign key without a referent table"))?;
                let referent_columns = targets
                    .iter()
                    .map(|t| t.rsplit_once('.').map_or(t.clone(), |(_, c)| c.to_owned()))
                    .collect();
                let implicit = format!("{}_{}_fkey", table.name, columns.join("_"));
                (
                    ConstraintKind::ForeignKey {
                        columns,
                        referent,
                        referent_columns,
                    },
                    Some(implicit),
                )
            }
            Some("ExcludeConstraint") => (
                ConstraintKind::Exclude {
                    elements: args.clone(),
                },
                None,
            ),
            _ => {
                return Err(self.err(format!(
                    "`{}` in create_table is not a column, constraint or index migsquash knows",
                    code::flat(code)
                )));
            }
        };
        Ok(Constraint {
            implicit_name: if name.is_none() { implicit } else { None },
            name: name.as_ref().map(|(n, _)| n.clone()),
            name_is_final: name.is_some_and(|(_, f)| f),
            kind,
            kwargs,
            origin: self.origin,
        })
    }

    fn index_from_code(&self, table: &Table, code: &Code) -> Result<Index> {
        let Code::Call { args, kwargs, .. } = code else {
            return Err(self.err("not an index"));
        };
        let (name, name_is_final) = args
            .first()
            .and_then(Code::name_value)
            .map(|(n, f)| (n.to_owned(), f))
            .ok_or_else(|| self.err("an index without a literal name"))?;
        let _ = table;
        let mut kwargs = kwargs.clone();
        let unique = take_kwarg(&mut kwargs, "unique").and_then(|u| u.as_bool()) == Some(true);
        Ok(Index {
            name,
            name_is_final,
            form: IndexForm::Op {
                columns: args[1..].to_vec(),
                unique,
                kwargs,
            },
            autocommit: self.op.context.autocommit,
            origin: self.origin,
        })
    }

    fn drop_table(&mut self, t: usize) {
        let table = self.state.out.schema.remove_table(t);
        self.keep_enum_types(&table.columns);
        // Units on the table go with it (its triggers, policies, rows).
        if !self.state.depends_seen.contains(&table.name) {
            return;
        }
        self.state.out.schema.units.retain(|u| {
            !u.depends
                .iter()
                .any(|n| n == &table.name && u.kind != UnitKind::Plugin)
        });
    }

    fn rename_table(&mut self, t: usize, new: &str) -> Result<()> {
        let schema = &mut self.state.out.schema;
        let old = schema.tables[t].name.clone();
        if let Some(unit) = schema
            .units
            .iter()
            .find(|u| u.depends.iter().any(|n| n == &old))
        {
            let (file, span) = (unit.origin.file, unit.origin.span);
            self.state.blocker(
                file,
                span,
                format!("this statement names table `{old}`, which a later revision renames to `{new}`; migsquash does not rewrite SQL text"),
            );
        }
        for seed in self.state.seeds.iter_mut().filter(|s| s.table == old) {
            seed.table = new.to_owned();
        }
        self.state.tables_made.insert(new.to_owned());
        let schema = &mut self.state.out.schema;
        schema.rename_table(t, new);
        for table in &mut schema.tables {
            for c in &mut table.constraints {
                if let ConstraintKind::ForeignKey { referent, .. } = &mut c.kind {
                    let (prefix, name) = match referent.rsplit_once('.') {
                        Some((s, n)) => (format!("{s}."), n.to_owned()),
                        None => (String::new(), referent.clone()),
                    };
                    if name == old {
                        *referent = format!("{prefix}{new}");
                    }
                }
            }
        }
        self.state.aliases.insert(old, new.to_owned());
        Ok(())
    }

    fn add_column(&mut self) -> Result<()> {
        let t = self.table_index()?;
        let args = self.args()?;
        let column = args
            .get("column")
            .ok_or_else(|| self.err("add_column without a column"))?;
        let code = self.code(column.0)?;
        if code.callee() != Some("Column") {
            return Err(self.err("the added column is not a `Column(...)` call"));
        }
        let mut table = std::mem::replace(
            &mut self.state.out.schema.tables[t],
            placeholder_table(self.origin),
        );
        let before = table.indexes.len();
        let result = self.add_column_to(&mut table, code);
        // Rows seeded before get the new column's default of now.
        if result.is_ok()
            && let Some(column) = table.columns.last()
        {
            for seed in self
                .state
                .seeds
                .iter_mut()
                .filter(|s| s.table == table.name)
            {
                seed.defaults
                    .entry(column.name.clone())
                    .or_insert_with(|| column.kwarg("server_default").cloned());
            }
        }
        // `index=True` may have added an index.
        let added: Vec<Index> = table.indexes.drain(before..).collect();
        self.state.out.schema.tables[t] = table;
        for index in added {
            self.state.out.schema.push_index(t, index);
        }
        result
    }

    fn drop_column(&mut self, t: usize, name: &str) -> Result<()> {
        let op = self.op;
        let table = &mut self.state.out.schema.tables[t];
        let Some(position) = table.columns.iter().position(|c| c.name == name) else {
            return Err(unknowable(
                op,
                format!(
                    "column `{}.{name}` does not exist at this point of the history",
                    table.name
                ),
            ));
        };
        let removed = table.columns.remove(position);
        // PostgreSQL drops the indexes and constraints that use the column.
        table
            .constraints
            .retain(|c| !constraint_uses(c, name).unwrap_or(false));
        let table_name = table.name.clone();
        self.state
            .out
            .schema
            .retain_indexes(t, |i| !index_uses(i, name));
        self.keep_enum_types(std::slice::from_ref(&removed));
        self.check_units_mention(&table_name, name, "drops")?;
        Ok(())
    }

    /// An enum type a column created stays when the column or its table is
    /// dropped (PostgreSQL drops no type): the baseline creates it on its
    /// own, before the tables, unless another column still makes it.
    fn keep_enum_types(&mut self, removed: &[Column]) {
        for column in removed {
            let Some(type_) = column.type_.as_ref() else {
                continue;
            };
            let Some(name) = enum_type_name(type_) else {
                continue;
            };
            // Whether another column still makes the type is decided once,
            // at the end (`State::finish`).
            self.state.kept_types.insert(format!("TYPE {name}"));
            let code = Code::Call {
                func: Box::new(Code::Attr {
                    value: Box::new(type_.clone()),
                    attr: "create".into(),
                }),
                args: vec![Code::call("op.get_bind", vec![], vec![])],
                kwargs: vec![("checkfirst".into(), Code::atom("False"))],
            };
            self.state.push_unit(Unit {
                kind: UnitKind::Sql,
                code,
                object: Some(format!("TYPE {name}")),
                depends: Vec::new(),
                autocommit: false,
                before_tables: true,
                origin: column.origin,
            });
        }
    }

    /// Verbatim statements on `table` that mention `column` would be
    /// written with a name that no longer means the same.
    fn check_units_mention(&mut self, table: &str, column: &str, verb: &str) -> Result<()> {
        if !self.state.depends_seen.contains(table) {
            return Ok(());
        }
        let hit = self.state.out.schema.units.iter().find(|u| {
            u.depends.iter().any(|t| t == table) && {
                let mut texts = Vec::new();
                u.code.texts(&mut texts);
                texts.iter().any(|t| sql::mentions(t, column))
            }
        });
        if let Some(unit) = hit {
            let (file, span) = (unit.origin.file, unit.origin.span);
            self.state.blocker(
                file,
                span,
                format!("this statement mentions `{table}.{column}`, which a later revision {verb}; migsquash does not rewrite SQL text"),
            );
        }
        Ok(())
    }

    fn alter_column(&mut self) -> Result<()> {
        let t = self.table_index()?;
        let name = self.op.column.clone().unwrap_or_default().to_string();
        let args = self.args()?;
        let mut changes: Vec<(String, Code)> = Vec::new();
        for (key, value) in &args.keywords {
            if key.starts_with("existing_") || key == "schema" || key == "postgresql_using" {
                continue;
            }
            changes.push((key.clone(), self.code(value.0)?));
        }
        let table = &mut self.state.out.schema.tables[t];
        let table_name = table.name.clone();
        let Some(column) = table.columns.iter_mut().find(|c| c.name == name) else {
            return Err(self.err(format!(
                "column `{table_name}.{name}` does not exist at this point of the history"
            )));
        };
        let mut rename = None;
        for (key, value) in changes {
            match key.as_str() {
                "nullable" => column.set_kwarg("nullable", Some(value)),
                // `server_default=None` drops the default; Alembic's own
                // "no change" is `False`.
                "server_default" if value.is_none() => column.set_kwarg("server_default", None),
                "server_default" if value.as_bool() == Some(false) => {}
                "server_default" => column.set_kwarg("server_default", Some(value)),
                "comment" if value.is_none() => column.set_kwarg("comment", None),
                "comment" if value.as_bool() == Some(false) => {}
                "comment" => column.set_kwarg("comment", Some(value)),
                "type_" => {
                    column.type_ = Some(value);
                    column.sql_type = None;
                }
                "autoincrement" => column.set_kwarg("autoincrement", Some(value)),
                "new_column_name" => rename = value.as_str().map(str::to_owned),
                other => {
                    return Err(self.err(format!(
                        "alter_column(`{other}=`) is not something migsquash can replay yet"
                    )));
                }
            }
        }
        if let Some(new) = rename {
            self.rename_column(t, &name, &new)?;
        }
        Ok(())
    }

    fn rename_column(&mut self, t: usize, old: &str, new: &str) -> Result<()> {
        let schema = &mut self.state.out.schema;
        let table = &mut schema.tables[t];
        let table_name = table.name.clone();
        if table.columns.iter().any(|c| c.name == new) {
            return Err(self.err(format!("column `{table_name}.{new}` already exists")));
        }
        if let Some(column) = table.columns.iter_mut().find(|c| c.name == old) {
            column.name = new.to_owned();
        }
        for seed in self
            .state
            .seeds
            .iter_mut()
            .filter(|s| s.table == table_name)
        {
            if let Some(default) = seed.defaults.remove(old) {
                seed.defaults.insert(new.to_owned(), default);
            }
        }
        let rename = |names: &mut Vec<String>| {
            for n in names.iter_mut().filter(|n| *n == old) {
                *n = new.to_owned();
            }
        };
        let mut stale_text = None;
        for c in &mut table.constraints {
            match &mut c.kind {
                ConstraintKind::PrimaryKey { columns }
                | ConstraintKind::Unique { columns }
                | ConstraintKind::ForeignKey { columns, .. } => rename(columns),
                ConstraintKind::Check { condition } => {
                    let mut texts = Vec::new();
                    condition.texts(&mut texts);
                    if texts.iter().any(|t| sql::mentions(t, old)) {
                        stale_text = Some(c.origin);
                    }
                }
                ConstraintKind::Exclude { .. } => stale_text = Some(c.origin),
            }
        }
        for i in &mut table.indexes {
            match &mut i.form {
                IndexForm::Op { columns, .. } => {
                    for c in columns.iter_mut() {
                        match c {
                            Code::Str(s) if s == old => *s = new.to_owned(),
                            Code::Str(_) => {}
                            other => {
                                let mut texts = Vec::new();
                                other.texts(&mut texts);
                                if texts.iter().any(|t| sql::mentions(t, old)) {
                                    stale_text = Some(i.origin);
                                }
                            }
                        }
                    }
                }
                IndexForm::Sql { text } => {
                    if sql::mentions(text, old) {
                        stale_text = Some(i.origin);
                    }
                }
            }
        }
        for table in &mut schema.tables {
            for c in &mut table.constraints {
                if let ConstraintKind::ForeignKey {
                    referent,
                    referent_columns,
                    ..
                } = &mut c.kind
                    && names_table(referent, &table_name)
                {
                    rename(referent_columns);
                }
            }
        }
        if let Some(origin) = stale_text {
            self.state.blocker(
                origin.file,
                origin.span,
                format!("this expression mentions `{table_name}.{old}`, which a later revision renames to `{new}`; migsquash does not rewrite SQL text"),
            );
        }
        self.check_units_mention(&table_name, old, "renames")
    }

    fn create_index(&mut self) -> Result<()> {
        let t = self.table_index()?;
        let args = self.args()?;
        let name_code = self.code(
            args.get("index_name")
                .ok_or_else(|| self.err("an index without a name"))?
                .0,
        )?;
        let (name, name_is_final) = name_code
            .name_value()
            .map(|(n, f)| (n.to_owned(), f))
            .ok_or_else(|| self.err("an index whose name is not a literal"))?;
        if self.state.out.schema.index_owner(&name).is_some() {
            return Err(self.err(format!("index `{name}` already exists at this point")));
        }
        let columns = match args.get("columns") {
            Some(c) => match self.code(c.0)? {
                Code::List(items) | Code::Tuple(items) => items,
                single => vec![single],
            },
            None => Vec::new(),
        };
        let mut kwargs = Vec::new();
        let mut unique = false;
        for (key, value) in &args.keywords {
            if matches!(
                key.as_str(),
                "index_name" | "table_name" | "columns" | "schema" | "if_not_exists"
            ) {
                continue;
            }
            let value = self.code(value.0)?;
            if key == "unique" {
                unique = value.as_bool() == Some(true);
            } else {
                kwargs.push((key.clone(), value));
            }
        }
        let index = Index {
            name,
            name_is_final,
            form: IndexForm::Op {
                columns,
                unique,
                kwargs,
            },
            autocommit: self.op.context.autocommit,
            origin: self.origin,
        };
        self.state.out.schema.push_index(t, index);
        Ok(())
    }

    fn drop_index(&mut self, name: &str, if_exists: bool) -> Result<()> {
        match self.state.out.schema.index_owner(name) {
            Some((t, i)) => {
                self.state.out.schema.remove_index(t, i);
                Ok(())
            }
            None if if_exists => Ok(()),
            None => Err(self.err(format!(
                "index `{name}` does not exist at this point of the history"
            ))),
        }
    }

    fn create_constraint(&mut self) -> Result<()> {
        let t = self.table_index()?;
        let args = self.args()?;
        let name = match args.get("constraint_name") {
            Some(n) => {
                let code = self.code(n.0)?;
                if code.is_none() {
                    None
                } else {
                    Some(
                        code.name_value()
                            .map(|(n, f)| (n.to_owned(), f))
                            .ok_or_else(|| self.err("a constraint name that is not a literal"))?,
                    )
                }
            }
            None => None,
        };
        let table_name = self.state.out.schema.tables[t].name.clone();
        let mut kwargs = Vec::new();
        let get = |param: &str, this: &mut Self| -> Result<Option<Code>> {
            args.get(param).map(|a| this.code(a.0)).transpose()
        };
        let strings = |code: Option<Code>, this: &Self| -> Result<Vec<String>> {
            code.and_then(|c| c.strings())
                .ok_or_else(|| this.err("constraint columns that are not literals"))
        };
        let (kind, implicit) = match self.op.kind {
            OpKind::CreatePrimaryKey => (
                ConstraintKind::PrimaryKey {
                    columns: strings(get("columns", self)?, self)?,
                },
                format!("{table_name}_pkey"),
            ),
            OpKind::CreateUniqueConstraint => {
                let columns = strings(get("columns", self)?, self)?;
                let implicit = format!("{table_name}_{}_key", columns.join("_"));
                (ConstraintKind::Unique { columns }, implicit)
            }
            OpKind::CreateCheckConstraint => (
                ConstraintKind::Check {
                    condition: get("condition", self)?
                        .ok_or_else(|| self.err("a check constraint without a condition"))?,
                },
                String::new(),
            ),
            OpKind::CreateForeignKey => {
                let referent = get("referent_table", self)?
                    .and_then(|c| c.as_str().map(str::to_owned))
                    .ok_or_else(|| self.err("a foreign key whose referent is not a literal"))?;
                let referent = match get("referent_schema", self)? {
                    Some(Code::Str(s)) => format!("{s}.{referent}"),
                    _ => referent,
                };
                let columns = strings(get("local_cols", self)?, self)?;
                let implicit = format!("{table_name}_{}_fkey", columns.join("_"));
                (
                    ConstraintKind::ForeignKey {
                        columns,
                        referent,
                        referent_columns: strings(get("remote_cols", self)?, self)?,
                    },
                    implicit,
                )
            }
            _ => {
                let mut elements = Vec::new();
                for arg in args.positional.iter().skip(args.params.len()) {
                    elements.push(self.code(arg.0)?);
                }
                (ConstraintKind::Exclude { elements }, String::new())
            }
        };
        let known: &[&str] = &[
            "constraint_name",
            "table_name",
            "source_table",
            "referent_table",
            "columns",
            "local_cols",
            "remote_cols",
            "condition",
            "schema",
            "source_schema",
            "referent_schema",
        ];
        for (key, value) in &args.keywords {
            if !known.contains(&key.as_str()) {
                kwargs.push((key.clone(), self.code(value.0)?));
            }
        }
        let constraint = Constraint {
            implicit_name: (name.is_none() && !implicit.is_empty()).then_some(implicit),
            name: name.as_ref().map(|(n, _)| n.clone()),
            name_is_final: name.is_some_and(|(_, f)| f),
            kind,
            kwargs,
            origin: self.origin,
        };
        let table = &mut self.state.out.schema.tables[t];
        if let Some(db_name) = constraint.db_name()
            && table
                .constraints
                .iter()
                .any(|c| c.db_name() == Some(db_name))
        {
            return Err(self.err(format!("constraint `{db_name}` already exists")));
        }
        table.constraints.push(constraint);
        Ok(())
    }

    fn drop_constraint(&mut self, t: usize, name: &str, if_exists: bool) -> Result<()> {
        let op = self.op;
        let table = &mut self.state.out.schema.tables[t];
        match table
            .constraints
            .iter()
            .position(|c| c.db_name() == Some(name))
        {
            Some(i) => {
                table.constraints.remove(i);
                Ok(())
            }
            None if if_exists => Ok(()),
            None if name == format!("{}_pkey", table.created_as) => {
                // A primary key declared on its columns.
                for c in &mut table.columns {
                    c.set_kwarg("primary_key", None);
                }
                Ok(())
            }
            None => Err(unknowable(
                op,
                format!(
                    "constraint `{name}` on `{}` does not exist at this point of the history (as migsquash replays it)",
                    table.name
                ),
            )),
        }
    }

    fn bulk_insert(&mut self) -> Result<()> {
        let args = self.args()?;
        let mut code_args = Vec::new();
        for arg in &args.positional {
            code_args.push(self.code(arg.0)?);
        }
        let mut kwargs = Vec::new();
        for (key, value) in &args.keywords {
            kwargs.push((key.clone(), self.code(value.0)?));
        }
        let table = self.op.table.clone().unwrap_or_default().to_string();
        self.find_table(None, &table)?;
        let unit = Unit {
            kind: UnitKind::Data,
            code: Code::call("op.bulk_insert", code_args, kwargs),
            object: None,
            depends: vec![table],
            autocommit: false,
            before_tables: false,
            origin: self.origin,
        };
        self.state.push_unit(unit);
        Ok(())
    }

    /// A plugin operation: carried over verbatim. alembic_utils entities
    /// are tracked by identity so a replace or drop supersedes them.
    fn plugin(&mut self) -> Result<()> {
        let method = self.op.method().to_owned();
        let call = self
            .scope
            .call_at(self.op.span)
            .ok_or_else(|| self.err("the call could not be found again"))?;
        let code = self.code(call)?;
        let Code::Call { args, kwargs, .. } = code else {
            return Err(self.err("not a call"));
        };
        let entity = args.first().and_then(entity_identity);
        match (method.as_str(), entity) {
            ("create_entity" | "replace_entity", Some(object)) => {
                self.state.push_unit(Unit {
                    kind: UnitKind::Plugin,
                    code: Code::call("op.create_entity", args, kwargs),
                    object: Some(object),
                    depends: Vec::new(),
                    autocommit: self.op.context.autocommit,
                    before_tables: false,
                    origin: self.origin,
                });
            }
            ("drop_entity", Some(object)) => self.state.drop_object(&object, false, self.origin),
            _ => {
                if method != "sync_enum_values" {
                    self.state.finding(
                        FindingKind::Verbatim,
                        self.origin.file,
                        self.origin.span,
                        format!("`op.{method}` is carried over as written, after the tables; migsquash does not know what it does"),
                    );
                }
                self.state.push_unit(Unit {
                    kind: UnitKind::Plugin,
                    code: Code::call(&format!("op.{method}"), args, kwargs),
                    object: None,
                    depends: Vec::new(),
                    autocommit: self.op.context.autocommit,
                    before_tables: false,
                    origin: self.origin,
                });
            }
        }
        Ok(())
    }
}

/// Whether `schema.table` or `table` names `table`.
fn names_table(referent: &str, table: &str) -> bool {
    referent
        .strip_suffix(table)
        .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
}

fn unknowable(op: &Operation, reason: impl Into<String>) -> Unknowable {
    Unknowable {
        span: op.span,
        reason: reason.into(),
    }
}

/// `PGFunction(schema="public", signature="f()", ...)` → `PGFunction public.f()`.
fn entity_identity(code: &Code) -> Option<String> {
    let class = code.callee()?;
    let kw = |name: &str, position: usize| -> Option<String> {
        code.kwarg(name)
            .or_else(|| match code {
                Code::Call { args, .. } => args.get(position),
                _ => None,
            })
            .and_then(Code::as_str)
            .map(str::to_owned)
    };
    let schema = kw("schema", 0)?;
    let signature = kw("signature", 1)?;
    let on = kw("on_entity", 3)
        .map(|o| format!(" ON {o}"))
        .unwrap_or_default();
    Some(format!("{class} {schema}.{signature}{on}"))
}

fn take_name(kwargs: &mut Vec<(String, Code)>) -> Option<(String, bool)> {
    let code = take_kwarg(kwargs, "name")?;
    code.name_value().map(|(n, f)| (n.to_owned(), f))
}

fn take_kwarg(kwargs: &mut Vec<(String, Code)>, name: &str) -> Option<Code> {
    let i = kwargs.iter().position(|(k, _)| k == name)?;
    Some(kwargs.remove(i).1)
}

fn list_items(code: &Code) -> Option<&[Code]> {
    match code {
        Code::List(items) | Code::Tuple(items) => Some(items),
        _ => None,
    }
}

fn index_uses(index: &Index, column: &str) -> bool {
    match &index.form {
        IndexForm::Op { columns, .. } => columns.iter().any(|c| match c {
            Code::Str(s) => s == column,
            other => {
                let mut texts = Vec::new();
                other.texts(&mut texts);
                texts.iter().any(|t| sql::mentions(t, column))
            }
        }),
        IndexForm::Sql { text } => sql::index_columns_mention(text, column),
    }
}

fn constraint_uses(constraint: &Constraint, column: &str) -> Option<bool> {
    Some(match &constraint.kind {
        ConstraintKind::PrimaryKey { columns }
        | ConstraintKind::Unique { columns }
        | ConstraintKind::ForeignKey { columns, .. } => columns.iter().any(|c| c == column),
        ConstraintKind::Check { condition } => {
            let mut texts = Vec::new();
            condition.texts(&mut texts);
            texts.iter().any(|t| sql::mentions(t, column))
        }
        ConstraintKind::Exclude { .. } => return None,
    })
}

/// PostgreSQL names the sequence of a `SERIAL` column `<table>_<column>_seq`
/// when the table is created, and keeps that name through renames.
fn mark_serial(table: &mut Table) {
    let pk_columns: Vec<String> = table
        .constraints
        .iter()
        .find_map(|c| match &c.kind {
            ConstraintKind::PrimaryKey { columns } => Some(columns.clone()),
            _ => None,
        })
        .unwrap_or_else(|| {
            table
                .columns
                .iter()
                .filter(|c| c.is_primary_key())
                .map(|c| c.name.clone())
                .collect()
        });
    let [pk] = pk_columns.as_slice() else {
        return;
    };
    let table_name = table.name.clone();
    if let Some(column) = table.columns.iter_mut().find(|c| &c.name == pk) {
        let integer = column
            .type_
            .as_ref()
            .and_then(|t| match t {
                Code::Call { func, .. } => match func.as_ref() {
                    Code::Atom(f) => Some(f.rsplit('.').next().unwrap_or(f).to_owned()),
                    _ => None,
                },
                Code::Atom(a) => Some(a.rsplit('.').next().unwrap_or(a).to_owned()),
                _ => None,
            })
            .is_some_and(|t| {
                matches!(
                    t.as_str(),
                    "Integer" | "BigInteger" | "SmallInteger" | "INTEGER" | "BIGINT" | "SMALLINT"
                )
            });
        let auto = column
            .kwarg("autoincrement")
            .is_none_or(|a| a.as_bool() != Some(false));
        if integer && auto && column.extras.is_empty() && column.kwarg("server_default").is_none() {
            column.serial_sequence = Some(format!("{table_name}_{}_seq", column.name));
        }
    }
}

fn placeholder_table(origin: Origin) -> Table {
    Table {
        schema: None,
        name: String::new(),
        created_as: String::new(),
        columns: Vec::new(),
        constraints: Vec::new(),
        indexes: Vec::new(),
        comment: None,
        kwargs: Vec::new(),
        origin,
    }
}

pub(crate) fn qualify(schema: Option<&str>, name: &str) -> String {
    match schema {
        Some(s) => format!("{s}.{name}"),
        None => name.to_owned(),
    }
}

/// An argument expression, not yet converted.
#[derive(Clone, Copy)]
struct ArgExpr<'e>(&'e Expr);

#[derive(Default)]
struct Args<'e> {
    params: &'static [&'static str],
    positional: Vec<ArgExpr<'e>>,
    keywords: Vec<(String, ArgExpr<'e>)>,
}

impl<'e> Args<'e> {
    fn get(&self, param: &str) -> Option<ArgExpr<'e>> {
        self.keywords
            .iter()
            .find(|(k, _)| k == param)
            .map(|(_, v)| *v)
            .or_else(|| {
                let i = self.params.iter().position(|p| *p == param)?;
                self.positional.get(i).copied()
            })
    }
}

#[cfg(test)]
mod tests;
