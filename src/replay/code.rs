//! Python expressions of the history, as the baseline will write them.
//!
//! A `Code` is built from an expression of a revision file with every name
//! made self-contained: names bound by an import stay (and the import is
//! recorded), `op` aliases become `op`, names bound by an assignment are
//! replaced by the value assigned. What cannot be made self-contained (an
//! f-string, a parameter of a helper function, a name bound by a loop) is
//! an `Unknowable` error: the baseline never guesses it.

use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeSet;

use compact_str::CompactString;
use serde::Serialize;

use crate::extract::bindings::{Bindings, Scope};
use crate::ir::{LoopValue, Name};
use crate::python::{Expr, Module, OtherKind, Span, Stmt};

/// An expression to render. `render::format` lays it out like `ruff format`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Code {
    /// Text with no brackets to break: a name, `sa.Integer`, a number.
    Atom(CompactString),
    /// A string literal's value.
    Str(CompactString),
    Call {
        func: Box<Code>,
        args: Vec<Code>,
        kwargs: Vec<(String, Code)>,
    },
    List(Vec<Code>),
    Tuple(Vec<Code>),
    Dict(Vec<(Code, Code)>),
    /// Source text kept as written (operators, comprehensions, …), with
    /// names made self-contained.
    Raw(CompactString),
    /// `value.attr` where `value` is not a plain name: `sa.Enum(...).create`.
    Attr {
        value: Box<Code>,
        attr: CompactString,
    },
}

impl Code {
    pub fn atom(text: impl Into<String>) -> Self {
        Code::Atom(text.into().into())
    }

    pub fn call(func: &str, args: Vec<Code>, kwargs: Vec<(String, Code)>) -> Self {
        Code::Call {
            func: Box::new(Code::atom(func)),
            args,
            kwargs,
        }
    }

    pub fn str_list<'a>(values: impl IntoIterator<Item = &'a str>) -> Self {
        Code::List(values.into_iter().map(|v| Code::Str(v.into())).collect())
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Code::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Code::Atom(a) if a == "True" => Some(true),
            Code::Atom(a) if a == "False" => Some(false),
            _ => None,
        }
    }

    pub fn is_none(&self) -> bool {
        matches!(self, Code::Atom(a) if a == "None")
    }

    /// The called name's last part: `Column` for `sa.Column(...)`.
    pub fn callee(&self) -> Option<&str> {
        match self {
            Code::Call { func, .. } => match func.as_ref() {
                Code::Atom(name) => Some(name.rsplit('.').next().unwrap_or(name)),
                _ => None,
            },
            _ => None,
        }
    }

    /// `op.f("name")` → `name`; a plain string → itself.
    pub fn name_value(&self) -> Option<(&str, bool)> {
        match self {
            Code::Str(s) => Some((s, false)),
            Code::Call { func, args, .. }
                if matches!(func.as_ref(), Code::Atom(f) if f == "op.f") && args.len() == 1 =>
            {
                args[0].as_str().map(|s| (s, true))
            }
            _ => None,
        }
    }

    /// A keyword argument of a call.
    pub fn kwarg(&self, name: &str) -> Option<&Code> {
        match self {
            Code::Call { kwargs, .. } => kwargs.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Strings of a list or tuple of strings.
    pub fn strings(&self) -> Option<Vec<String>> {
        match self {
            Code::List(items) | Code::Tuple(items) => items
                .iter()
                .map(|i| i.as_str().map(str::to_owned))
                .collect(),
            Code::Str(s) => Some(vec![s.clone().into()]),
            _ => None,
        }
    }

    /// Every string literal and raw text inside, for "does this mention
    /// `name`" questions.
    pub fn texts(&self, out: &mut Vec<String>) {
        match self {
            Code::Atom(s) | Code::Str(s) | Code::Raw(s) => out.push(s.as_str().into()),
            Code::Attr { value, attr } => {
                value.texts(out);
                out.push(attr.as_str().into());
            }
            Code::Call { func, args, kwargs } => {
                func.texts(out);
                args.iter().for_each(|a| a.texts(out));
                kwargs.iter().for_each(|(_, v)| v.texts(out));
            }
            Code::List(items) | Code::Tuple(items) => items.iter().for_each(|i| i.texts(out)),
            Code::Dict(pairs) => pairs.iter().for_each(|(k, v)| {
                k.texts(out);
                v.texts(out);
            }),
        }
    }
}

/// Why an expression cannot be written into a baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknowable {
    pub span: Span,
    pub reason: String,
}

/// One import a rendered expression needs, as the revision file wrote it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Import {
    /// `sqlalchemy.dialects` in `from sqlalchemy.dialects import postgresql`;
    /// `None` for a plain `import x`.
    pub from: Option<String>,
    pub name: String,
    pub asname: Option<String>,
}

impl Import {
    /// The name the import binds.
    pub fn bound(&self) -> &str {
        match (&self.asname, &self.from) {
            (Some(a), _) => a,
            (None, Some(_)) => &self.name,
            (None, None) => self.name.split('.').next().unwrap_or(&self.name),
        }
    }

    pub fn line(&self) -> String {
        let alias = self
            .asname
            .as_ref()
            .map(|a| format!(" as {a}"))
            .unwrap_or_default();
        match &self.from {
            Some(from) => format!("from {from} import {}{alias}", self.name),
            None => format!("import {}{alias}", self.name),
        }
    }
}

/// Names usable without an import.
const BUILTINS: &[&str] = &[
    "dict", "list", "tuple", "set", "str", "int", "float", "bool", "len", "range", "None", "True",
    "False",
];

/// What one revision file's expressions need to be read.
pub struct FileScope<'a> {
    pub source: &'a str,
    pub module: &'a Module,
    module_bindings: Bindings,
    /// (span, bindings, parameters) of every function.
    functions: Vec<(Span, Bindings, Vec<String>)>,
    imports: HashMap<String, Import>,
    op_names: BTreeSet<String>,
}

/// How deep name substitution follows `a = b` chains and nested values.
const MAX_DEPTH: usize = 24;

/// The most nodes one converted expression may have; real ones have a few
/// hundred at most.
const MAX_NODES: usize = 100_000;

impl<'a> FileScope<'a> {
    pub fn new(source: &'a str, module: &'a Module) -> Self {
        let mut scope = FileScope {
            source,
            module,
            module_bindings: Bindings::module(module),
            functions: Vec::new(),
            imports: HashMap::default(),
            op_names: BTreeSet::from(["op".to_owned()]),
        };
        scope.collect(&module.body);
        scope
    }

    fn collect(&mut self, body: &'a [Stmt]) {
        for stmt in body {
            match stmt {
                Stmt::Import { names, .. } => {
                    for n in names {
                        let import = Import {
                            from: None,
                            name: n.name.clone(),
                            asname: n.asname.clone(),
                        };
                        self.imports.insert(import.bound().to_owned(), import);
                    }
                }
                Stmt::ImportFrom {
                    module: Some(from),
                    names,
                    ..
                } => {
                    for n in names {
                        if from == "alembic" && n.name == "op" {
                            self.op_names
                                .insert(n.asname.clone().unwrap_or_else(|| "op".into()));
                            continue;
                        }
                        let import = Import {
                            from: Some(from.clone()),
                            name: n.name.clone(),
                            asname: n.asname.clone(),
                        };
                        self.imports.insert(import.bound().to_owned(), import);
                    }
                }
                Stmt::FunctionDef {
                    body, span, params, ..
                } => {
                    self.functions
                        .push((*span, Bindings::function(body), params.clone()));
                    self.collect(body);
                }
                Stmt::With { items, body, .. } => {
                    // `with op.batch_alter_table(...) as batch_op:` makes
                    // `batch_op` an `op` for what its calls are written with.
                    for item in items {
                        if let (Expr::Call { func, .. }, Some(Expr::Name { id, .. })) =
                            (&item.context, &item.var)
                            && let Expr::Attribute { attr, .. } = func.as_ref()
                            && attr == "batch_alter_table"
                        {
                            self.op_names.insert(id.clone());
                        }
                    }
                    self.collect(body)
                }
                Stmt::Block { bodies, .. } => bodies.iter().for_each(|b| self.collect(b)),
                _ => {}
            }
        }
    }

    /// The innermost function around `span`.
    fn function_at(&self, span: Span) -> Option<&(Span, Bindings, Vec<String>)> {
        self.functions
            .iter()
            .filter(|(f, _, _)| f.start <= span.start && span.end <= f.end)
            .min_by_key(|(f, _, _)| f.end - f.start)
    }

    /// `expr` as self-contained code; the imports it needs are added to
    /// `imports`.
    pub fn code(&self, expr: &Expr, imports: &mut BTreeSet<Import>) -> Result<Code, Unknowable> {
        self.code_in_loop(expr, imports, &[])
    }

    /// `code`, inside the copy of a literal loop's body where the loop's
    /// names have `loop_values`.
    pub fn code_in_loop(
        &self,
        expr: &Expr,
        imports: &mut BTreeSet<Import>,
        loop_values: &[(Name, LoopValue)],
    ) -> Result<Code, Unknowable> {
        let function = self.function_at(expr.span());
        let mut frames: Vec<&Bindings> = Vec::new();
        if let Some((_, locals, _)) = function {
            frames.push(locals);
        }
        frames.push(&self.module_bindings);
        let scope = Scope { frames };
        let params = function.map(|(_, _, p)| p.as_slice()).unwrap_or(&[]);
        Converter {
            file: self,
            scope: &scope,
            params,
            imports,
            budget: MAX_NODES,
            loop_values,
        }
        .convert(expr, 0)
    }

    pub fn defines_class(&self, name: &str) -> bool {
        self.module
            .body
            .iter()
            .any(|s| matches!(s, Stmt::ClassDef { name: n, .. } if n == name))
    }

    pub fn is_op(&self, name: &str) -> bool {
        self.op_names.contains(name)
    }
}

struct Converter<'s, 'a> {
    file: &'s FileScope<'a>,
    scope: &'s Scope<'s>,
    params: &'s [String],
    imports: &'s mut BTreeSet<Import>,
    /// Nodes still allowed: substituting names can double an expression
    /// at every level (`b = [a, a]`, `c = [b, b]`, …).
    budget: usize,
    loop_values: &'s [(Name, LoopValue)],
}

impl Converter<'_, '_> {
    fn convert(&mut self, expr: &Expr, depth: usize) -> Result<Code, Unknowable> {
        let unknowable = |reason: String| Unknowable {
            span: expr.span(),
            reason,
        };
        if depth > MAX_DEPTH {
            return Err(unknowable("the expression is nested too deeply".into()));
        }
        if self.budget == 0 {
            return Err(unknowable(
                "the expression grows too large once its names are substituted".into(),
            ));
        }
        self.budget -= 1;
        Ok(match expr {
            Expr::Str { value, .. } => Code::Str(value.as_str().into()),
            Expr::FString { span } => {
                match crate::extract::fstring_value(
                    span.text(self.file.source),
                    self.scope,
                    span.start,
                    self.file.source,
                ) {
                    Some(value) => Code::Str(value.into()),
                    None => {
                        return Err(unknowable(
                            "an f-string is only known when the migration runs".into(),
                        ));
                    }
                }
            }
            Expr::Name { id, .. } => self.name(id, expr, depth)?,
            Expr::Attribute { value, attr, .. } => match self.convert(value, depth + 1)? {
                Code::Atom(base) => Code::Atom(format!("{base}.{attr}").into()),
                other => Code::Attr {
                    value: Box::new(other),
                    attr: attr.clone().into(),
                },
            },
            Expr::Call {
                func,
                args,
                keywords,
                ..
            } => {
                let func = self.convert(func, depth + 1)?;
                let args = args
                    .iter()
                    .map(|a| self.convert(a, depth + 1))
                    .collect::<Result<_, _>>()?;
                let mut kwargs = Vec::new();
                for kw in keywords {
                    let Some(name) = &kw.arg else {
                        return Err(unknowable(
                            "`**` arguments are only known when the migration runs".into(),
                        ));
                    };
                    kwargs.push((name.clone(), self.convert(&kw.value, depth + 1)?));
                }
                Code::Call {
                    func: Box::new(func),
                    args,
                    kwargs,
                }
            }
            Expr::Tuple { elts, .. } => Code::Tuple(self.all(elts, depth)?),
            Expr::List { elts, .. } => Code::List(self.all(elts, depth)?),
            Expr::NoneLiteral { .. } => Code::atom("None"),
            Expr::Bool { value, .. } => Code::atom(if *value { "True" } else { "False" }),
            Expr::Number { span } => Code::Atom(span.text(self.file.source).into()),
            Expr::Other {
                kind: OtherKind::Dict,
                children,
                ..
            } => {
                let values = self.all(children, depth)?;
                Code::Dict(
                    values
                        .chunks(2)
                        .map(|pair| (pair[0].clone(), pair[1].clone()))
                        .collect(),
                )
            }
            Expr::Other { span, .. } => self.raw(expr, *span, depth)?,
        })
    }

    fn all(&mut self, exprs: &[Expr], depth: usize) -> Result<Vec<Code>, Unknowable> {
        exprs.iter().map(|e| self.convert(e, depth + 1)).collect()
    }

    fn name(&mut self, id: &str, expr: &Expr, depth: usize) -> Result<Code, Unknowable> {
        if let Some((_, value)) = self.loop_values.iter().find(|(n, _)| n == id) {
            return Ok(match value {
                LoopValue::Str(s) => Code::Str(s.to_string().into()),
                LoopValue::List(items) => Code::List(
                    items
                        .iter()
                        .map(|s| Code::Str(s.to_string().into()))
                        .collect(),
                ),
            });
        }
        if self.file.is_op(id) {
            return Ok(Code::atom("op"));
        }
        if let Some(import) = self.file.imports.get(id) {
            self.imports.insert(import.clone());
            return Ok(Code::atom(id));
        }
        if let Some(value) = self.scope.resolve(expr)
            && !matches!(value, Expr::Name { .. })
        {
            return self.convert(value, depth + 1);
        }
        // The column type class a migsquash baseline defines for SQL types.
        if BUILTINS.contains(&id) || (id == "RawType" && self.file.defines_class(id)) {
            return Ok(Code::atom(id));
        }
        let reason = if self.params.iter().any(|p| p == id) {
            format!("`{id}` is a parameter: its value is only known when the function is called")
        } else {
            format!(
                "`{id}` is not bound to a value migsquash can read (an import, a literal or a call)"
            )
        };
        Err(Unknowable {
            span: expr.span(),
            reason,
        })
    }

    /// Source text kept as written, with the names inside made
    /// self-contained.
    fn raw(&mut self, expr: &Expr, span: Span, depth: usize) -> Result<Code, Unknowable> {
        let mut names = Vec::new();
        expr.walk(&mut |e| {
            if let Expr::Name { .. } = e {
                names.push(e.clone());
            }
            if let Expr::FString { span } = e {
                names.push(Expr::FString { span: *span });
            }
        });
        let mut text = String::new();
        let mut at = span.start;
        for name in names {
            let replacement = match self.convert(&name, depth + 1)? {
                Code::Atom(a) => a,
                other => format!("({})", flat(&other)).into(),
            };
            let s = name.span();
            text.push_str(Span::new(at, s.start).text(self.file.source));
            text.push_str(&replacement);
            at = s.end;
        }
        text.push_str(Span::new(at, span.end).text(self.file.source));
        if !text.contains(['"', '\'', '#']) {
            text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        }
        Ok(Code::Raw(text.into()))
    }
}

// -- one-line text ------------------------------------------------------

/// `code` on one line (a multi-line string keeps its line breaks).
pub fn flat(code: &Code) -> String {
    let mut out = String::new();
    write_flat(code, &mut out);
    out
}

/// `flat` into `out`: a large baseline writes millions of pieces, so no
/// piece gets a string of its own.
pub fn write_flat(code: &Code, out: &mut String) {
    match code {
        Code::Atom(a) | Code::Raw(a) => out.push_str(a),
        Code::Attr { value, attr } => {
            write_flat(value, out);
            out.push('.');
            out.push_str(attr);
        }
        Code::Str(s) => out.push_str(&string_literal(s)),
        Code::Call { func, args, kwargs } => {
            write_flat(func, out);
            out.push('(');
            let mut first = true;
            for a in args {
                separate(&mut first, out);
                write_flat(a, out);
            }
            for (k, v) in kwargs {
                separate(&mut first, out);
                out.push_str(k);
                out.push('=');
                write_flat(v, out);
            }
            out.push(')');
        }
        Code::List(items) => {
            out.push('[');
            write_joined(items, out);
            out.push(']');
        }
        Code::Tuple(items) => {
            out.push('(');
            write_joined(items, out);
            if items.len() == 1 {
                out.push(',');
            }
            out.push(')');
        }
        Code::Dict(pairs) => {
            out.push('{');
            let mut first = true;
            for (k, v) in pairs {
                separate(&mut first, out);
                write_flat(k, out);
                out.push_str(": ");
                write_flat(v, out);
            }
            out.push('}');
        }
    }
}

fn separate(first: &mut bool, out: &mut String) {
    if !std::mem::take(first) {
        out.push_str(", ");
    }
}

fn write_joined(items: &[Code], out: &mut String) {
    let mut first = true;
    for item in items {
        separate(&mut first, out);
        write_flat(item, out);
    }
}

pub fn is_multiline(s: &str) -> bool {
    s.contains('\n') && !s.contains("\"\"\"") && !s.contains('\\') && !s.ends_with('"')
}

/// A string literal as ruff writes it: double quotes unless the value
/// holds more double than single quotes; triple quotes for multi-line text.
pub fn string_literal(value: &str) -> String {
    if is_multiline(value) && !value.chars().any(|c| c.is_control() && c != '\n') {
        return format!("\"\"\"{value}\"\"\"");
    }
    let quote = if value.matches('"').count() > value.matches('\'').count() {
        '\''
    } else {
        '"'
    };
    let mut out = String::with_capacity(value.len() + 2);
    out.push(quote);
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse_module;

    fn code_of(source: &str, needle: &str) -> (Result<Code, Unknowable>, BTreeSet<Import>) {
        let module = parse_module(source).unwrap();
        let scope = FileScope::new(source, &module);
        let start = source.find(needle).unwrap() as u32;
        let mut found = None;
        module.walk_exprs(&mut |e| {
            if found.is_none() && e.span().start == start && matches!(e, Expr::Call { .. }) {
                found = Some(e);
            }
        });
        let mut imports = BTreeSet::new();
        (scope.code(found.unwrap(), &mut imports), imports)
    }

    #[test]
    fn names_become_self_contained() {
        let source = r#"
from alembic import op as alembic_op
import sqlalchemy as sa
from pgvector.sqlalchemy import Vector
from myapp.types import UTCDateTime
STATUS = sa.Enum("a", "b", name="status")
def upgrade():
    dims = 1536
    alembic_op.create_table("t", sa.Column("s", STATUS), sa.Column("v", Vector(dims)), sa.Column("at", UTCDateTime()))
"#;
        let (code, imports) = code_of(source, "alembic_op.create_table");
        let code = code.unwrap();
        let flat = flat(&code);
        assert_eq!(
            flat,
            r#"op.create_table("t", sa.Column("s", sa.Enum("a", "b", name="status")), sa.Column("v", Vector(1536)), sa.Column("at", UTCDateTime()))"#
        );
        let lines: Vec<String> = imports.iter().map(Import::line).collect();
        assert_eq!(
            lines,
            [
                "import sqlalchemy as sa",
                "from myapp.types import UTCDateTime",
                "from pgvector.sqlalchemy import Vector",
            ]
        );
    }

    #[test]
    fn unknowable_values_are_located() {
        let source = r#"
from alembic import op
import sqlalchemy as sa
def helper(kind):
    op.add_column("t", sa.Column("x", kind))
def upgrade():
    op.execute(f"DROP TABLE {name}")
"#;
        let (code, _) = code_of(source, "op.add_column");
        let err = code.unwrap_err();
        assert!(err.reason.contains("`kind` is a parameter"), "{err:?}");
        let (code, _) = code_of(source, "op.execute");
        assert!(code.unwrap_err().reason.contains("f-string"));
    }

    #[test]
    fn dicts_and_operators() {
        let source = r#"
from alembic import op
import sqlalchemy as sa
def upgrade():
    op.bulk_insert(t, [{"id": 1, "name": 'x', "n": -2, "m": 2 * 3}])
"#;
        let (code, _) = code_of(source, "op.bulk_insert");
        // `t` is unbound: unknowable.
        assert!(code.is_err());
        let source = source.replace("def upgrade", "t = sa.table('t')\ndef upgrade");
        let (code, _) = code_of(&source, "op.bulk_insert");
        assert_eq!(
            flat(&code.unwrap()),
            r#"op.bulk_insert(sa.table("t"), [{"id": 1, "name": "x", "n": -2, "m": 2 * 3}])"#
        );
    }
}
