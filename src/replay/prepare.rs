//! What replay needs of a revision file's syntax tree, taken while the tree
//! is alive: each upgrade operation's arguments and each statement on the
//! connection, converted to `Code`. Preparing is per file and pure, so it
//! runs in parallel right after extraction parsed the file; the sequential
//! replay then never parses, and no tree outlives its file's preparation.

use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeSet;

use super::code::{Code, FileScope, Import, Unknowable};
use crate::ir::{Phase, RevisionFile};
use crate::python::{Expr, Module, Span, Stmt};

/// An expression converted, with the imports its code needs; or why it
/// cannot be.
pub(super) type Converted = Result<(Code, BTreeSet<Import>), Unknowable>;

/// One revision file, ready for replay: `Prepared` in a compact encoding.
/// A whole history is prepared before its upgrade order is known, and the
/// converted code takes several times the source's size in memory; the
/// encoding takes about the source's size and decodes much faster than the
/// file parses.
#[derive(Debug)]
pub struct PreparedFile(Box<[u8]>);

impl PreparedFile {
    pub(super) fn decode(&self) -> Prepared {
        let mut reader = Reader(&self.0);
        reader.prepared()
    }
}

/// One revision file, ready for replay.
#[derive(Debug, Default)]
pub(super) struct Prepared {
    /// Per upgrade operation, in `upgrade_ops()` order: its call.
    pub(super) calls: Vec<Result<PreparedCall, Unknowable>>,
    /// The span of `upgrade()`.
    pub(super) upgrade: Option<Span>,
    /// Statements in `upgrade()` that use the connection, in source order.
    pub(super) binds: Vec<PreparedBind>,
    /// The module docstring (its `Create Date:`, an earlier baseline's
    /// notes), so that nobody reads the file again for it.
    pub(super) docstring: Option<String>,
}

/// An operation's call with each part converted on its own: replay reads
/// only the parts it needs, so an unreadable argument it never reads does
/// not stop it.
#[derive(Debug)]
pub(super) struct PreparedCall {
    pub func: Converted,
    pub positional: Vec<Converted>,
    pub keywords: Vec<(String, Converted)>,
    /// A `**` argument: the call's arguments are only known when it runs.
    pub double_star: Option<Span>,
}

impl PreparedCall {
    /// The whole call as code; the first part that cannot be converted
    /// decides the error, in source order.
    pub fn code(&self, imports: &mut BTreeSet<Import>) -> Result<Code, Unknowable> {
        let mut take = |c: &Converted| -> Result<Code, Unknowable> {
            let (code, needs) = c.as_ref().map_err(Clone::clone)?;
            imports.extend(needs.iter().cloned());
            Ok(code.clone())
        };
        let func = take(&self.func)?;
        let args = self
            .positional
            .iter()
            .map(&mut take)
            .collect::<Result<_, _>>()?;
        if let Some(span) = self.double_star {
            return Err(double_star(span));
        }
        let kwargs = self
            .keywords
            .iter()
            .map(|(k, v)| Ok((k.clone(), take(v)?)))
            .collect::<Result<_, Unknowable>>()?;
        Ok(Code::Call {
            func: Box::new(func),
            args,
            kwargs,
        })
    }
}

pub(super) fn double_star(span: Span) -> Unknowable {
    Unknowable {
        span,
        reason: "`**` arguments are only known when the migration runs".into(),
    }
}

/// A statement on the connection.
#[derive(Debug)]
pub(super) struct PreparedBind {
    pub span: Span,
    pub kind: BindKind,
}

#[derive(Debug)]
pub(super) enum BindKind {
    /// `conn.execute(...)` / `exec_driver_sql(...)`: its SQL text when
    /// literal.
    Execute {
        sql: Option<String>,
    },
    /// `receiver.create(bind)` / `receiver.drop(bind)`.
    CreateOrDrop {
        drop: bool,
        receiver: Converted,
    },
    Other,
}

/// Prepares `file` (extracted from `module`) for replay.
pub fn prepare(file: &RevisionFile, source: &str, module: &Module) -> PreparedFile {
    let scope = FileScope::new(source, module);
    let upgrade = upgrade_span(module);
    let convert_in =
        |e: &Expr, loop_values: &[(crate::ir::Name, crate::ir::LoopValue)]| -> Converted {
            let mut imports = BTreeSet::new();
            let code = scope.code_in_loop(e, &mut imports, loop_values)?;
            Ok((code, imports))
        };
    let ops = file.upgrade_ops();
    let mut calls_at: HashMap<Span, &Expr> =
        HashMap::with_capacity_and_hasher(ops.len(), Default::default());
    if !ops.is_empty() {
        let wanted: BTreeSet<Span> = ops.iter().map(|op| op.span).collect();
        module.walk_exprs(&mut |e| {
            if matches!(e, Expr::Call { .. }) && wanted.contains(&e.span()) {
                calls_at.entry(e.span()).or_insert(e);
            }
        });
    }
    let calls = ops
        .iter()
        .map(|op| {
            let Some(Expr::Call {
                func,
                args,
                keywords,
                ..
            }) = calls_at.get(&op.span)
            else {
                return Err(Unknowable {
                    span: op.span,
                    reason: "the call could not be found again in the file".into(),
                });
            };
            let convert = |e: &Expr| convert_in(e, &op.loop_values);
            let mut call = PreparedCall {
                func: convert(func),
                positional: args.iter().map(convert).collect(),
                keywords: Vec::with_capacity(keywords.len()),
                double_star: None,
            };
            for kw in keywords {
                match &kw.arg {
                    Some(name) => call.keywords.push((name.clone(), convert(&kw.value))),
                    None => {
                        call.double_star.get_or_insert(kw.span);
                    }
                }
            }
            Ok(call)
        })
        .collect();
    let binds = bind_statements(&scope, module, file, upgrade)
        .into_iter()
        .map(|expr| PreparedBind {
            span: expr.span(),
            kind: bind_kind(&scope, expr),
        })
        .collect();
    let prepared = Prepared {
        calls,
        upgrade,
        binds,
        docstring: module.docstring().map(str::to_owned),
    };
    let mut writer = Writer(Vec::new());
    writer.prepared(&prepared);
    PreparedFile(writer.0.into_boxed_slice())
}

fn bind_kind(scope: &FileScope, expr: &Expr) -> BindKind {
    let Expr::Call { func, args, .. } = expr else {
        return BindKind::Other;
    };
    let Expr::Attribute { value, attr, .. } = func.as_ref() else {
        return BindKind::Other;
    };
    match attr.as_str() {
        "execute" | "exec_driver_sql" => BindKind::Execute {
            sql: args.first().and_then(|a| literal_sql(scope, a)),
        },
        "create" | "drop" => {
            let mut imports = BTreeSet::new();
            BindKind::CreateOrDrop {
                drop: attr == "drop",
                receiver: scope.code(value, &mut imports).map(|c| (c, imports)),
            }
        }
        _ => BindKind::Other,
    }
}

/// The SQL text of `"..."`, `sa.text("...")` or `sa.text("...").bindparams(...)`.
fn literal_sql(scope: &FileScope, expr: &Expr) -> Option<String> {
    let current = crate::extract::statement_of(expr);
    match scope.code(current, &mut BTreeSet::new()).ok()? {
        Code::Str(s) => Some(s.into()),
        c @ Code::Call { .. } if c.callee() == Some("text") => match c {
            Code::Call { args, .. } => args.first().and_then(Code::as_str).map(str::to_owned),
            _ => None,
        },
        _ => None,
    }
}

/// Statements in `upgrade()` that use the connection: calls whose receiver
/// or first argument is `op.get_bind()` or a name bound to it.
fn bind_statements<'m>(
    scope: &FileScope<'m>,
    module: &'m Module,
    file: &RevisionFile,
    upgrade: Option<Span>,
) -> Vec<&'m Expr> {
    if !file.get_bind.iter().any(|b| b.value == Phase::Upgrade) {
        return Vec::new();
    }
    let Some(upgrade) = upgrade else {
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
    for stmt in function_body(module, "upgrade") {
        if let Stmt::Assign { targets, value, .. } = stmt
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
    module.walk_exprs(&mut |e| {
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

fn upgrade_span(module: &Module) -> Option<Span> {
    module.body.iter().find_map(|s| match s {
        Stmt::FunctionDef { name, span, .. } if name == "upgrade" => Some(*span),
        _ => None,
    })
}

fn function_body<'m>(module: &'m Module, name: &str) -> &'m [Stmt] {
    module
        .body
        .iter()
        .find_map(|s| match s {
            Stmt::FunctionDef { name: n, body, .. } if n == name => Some(body.as_slice()),
            _ => None,
        })
        .unwrap_or(&[])
}

// -- encoding ------------------------------------------------------------
// Lengths and offsets are u32 (a source file is far below 4 GiB); the
// bytes never leave the process, so the layout needs no version.

struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, n: u32) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }
    fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }
    fn byte(&mut self, b: u8) {
        self.0.push(b);
    }
    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }
    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.byte(1);
                self.str(s);
            }
            None => self.byte(0),
        }
    }
    fn span(&mut self, span: Span) {
        self.u32(span.start);
        self.u32(span.end);
    }
    fn opt_span(&mut self, span: Option<Span>) {
        match span {
            Some(span) => {
                self.byte(1);
                self.span(span);
            }
            None => self.byte(0),
        }
    }
    fn unknowable(&mut self, u: &Unknowable) {
        self.span(u.span);
        self.str(&u.reason);
    }
    fn code(&mut self, code: &Code) {
        match code {
            Code::Atom(s) => {
                self.byte(0);
                self.str(s);
            }
            Code::Str(s) => {
                self.byte(1);
                self.str(s);
            }
            Code::Raw(s) => {
                self.byte(2);
                self.str(s);
            }
            Code::Call { func, args, kwargs } => {
                self.byte(3);
                self.code(func);
                self.codes(args);
                self.len(kwargs.len());
                for (k, v) in kwargs {
                    self.str(k);
                    self.code(v);
                }
            }
            Code::List(items) => {
                self.byte(4);
                self.codes(items);
            }
            Code::Tuple(items) => {
                self.byte(5);
                self.codes(items);
            }
            Code::Dict(pairs) => {
                self.byte(6);
                self.len(pairs.len());
                for (k, v) in pairs {
                    self.code(k);
                    self.code(v);
                }
            }
            Code::Attr { value, attr } => {
                self.byte(7);
                self.code(value);
                self.str(attr);
            }
        }
    }
    fn codes(&mut self, codes: &[Code]) {
        self.len(codes.len());
        for c in codes {
            self.code(c);
        }
    }
    fn converted(&mut self, c: &Converted) {
        match c {
            Ok((code, imports)) => {
                self.byte(1);
                self.code(code);
                self.len(imports.len());
                for i in imports {
                    self.opt_str(i.from.as_deref());
                    self.str(&i.name);
                    self.opt_str(i.asname.as_deref());
                }
            }
            Err(u) => {
                self.byte(0);
                self.unknowable(u);
            }
        }
    }
    fn prepared(&mut self, p: &Prepared) {
        self.opt_str(p.docstring.as_deref());
        self.opt_span(p.upgrade);
        self.len(p.calls.len());
        for call in &p.calls {
            match call {
                Ok(call) => {
                    self.byte(1);
                    self.converted(&call.func);
                    self.len(call.positional.len());
                    for c in &call.positional {
                        self.converted(c);
                    }
                    self.len(call.keywords.len());
                    for (k, c) in &call.keywords {
                        self.str(k);
                        self.converted(c);
                    }
                    self.opt_span(call.double_star);
                }
                Err(u) => {
                    self.byte(0);
                    self.unknowable(u);
                }
            }
        }
        self.len(p.binds.len());
        for bind in &p.binds {
            self.span(bind.span);
            match &bind.kind {
                BindKind::Execute { sql } => {
                    self.byte(0);
                    self.opt_str(sql.as_deref());
                }
                BindKind::CreateOrDrop { drop, receiver } => {
                    self.byte(1);
                    self.byte(u8::from(*drop));
                    self.converted(receiver);
                }
                BindKind::Other => self.byte(2),
            }
        }
    }
}

/// Reads what `Writer` wrote, in the same process: the bytes are trusted,
/// so a short read yields empty values rather than an error.
struct Reader<'b>(&'b [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.0.len());
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        head
    }
    fn byte(&mut self) -> u8 {
        self.take(1).first().copied().unwrap_or(0)
    }
    fn u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        let bytes = self.take(4);
        b[..bytes.len()].copy_from_slice(bytes);
        u32::from_le_bytes(b)
    }
    fn len(&mut self) -> usize {
        self.u32() as usize
    }
    fn string(&mut self) -> String {
        let n = self.len();
        String::from_utf8_lossy(self.take(n)).into_owned()
    }
    fn opt_string(&mut self) -> Option<String> {
        (self.byte() == 1).then(|| self.string())
    }
    fn span(&mut self) -> Span {
        let start = self.u32();
        Span::new(start, self.u32())
    }
    fn opt_span(&mut self) -> Option<Span> {
        (self.byte() == 1).then(|| self.span())
    }
    fn unknowable(&mut self) -> Unknowable {
        let span = self.span();
        Unknowable {
            span,
            reason: self.string(),
        }
    }
    fn code(&mut self) -> Code {
        match self.byte() {
            0 => Code::Atom(self.string().into()),
            1 => Code::Str(self.string().into()),
            2 => Code::Raw(self.string().into()),
            3 => {
                let func = Box::new(self.code());
                let args = self.codes();
                let n = self.len();
                let kwargs = (0..n).map(|_| (self.string(), self.code())).collect();
                Code::Call { func, args, kwargs }
            }
            4 => Code::List(self.codes()),
            5 => Code::Tuple(self.codes()),
            6 => {
                let n = self.len();
                Code::Dict((0..n).map(|_| (self.code(), self.code())).collect())
            }
            _ => {
                let value = Box::new(self.code());
                Code::Attr {
                    value,
                    attr: self.string().into(),
                }
            }
        }
    }
    fn codes(&mut self) -> Vec<Code> {
        let n = self.len();
        (0..n).map(|_| self.code()).collect()
    }
    fn converted(&mut self) -> Converted {
        if self.byte() == 0 {
            return Err(self.unknowable());
        }
        let code = self.code();
        let n = self.len();
        let imports = (0..n)
            .map(|_| Import {
                from: self.opt_string(),
                name: self.string(),
                asname: self.opt_string(),
            })
            .collect();
        Ok((code, imports))
    }
    fn prepared(&mut self) -> Prepared {
        let docstring = self.opt_string();
        let upgrade = self.opt_span();
        let n = self.len();
        let calls = (0..n)
            .map(|_| {
                if self.byte() == 0 {
                    return Err(self.unknowable());
                }
                let func = self.converted();
                let n = self.len();
                let positional = (0..n).map(|_| self.converted()).collect();
                let n = self.len();
                let keywords = (0..n).map(|_| (self.string(), self.converted())).collect();
                Ok(PreparedCall {
                    func,
                    positional,
                    keywords,
                    double_star: self.opt_span(),
                })
            })
            .collect();
        let n = self.len();
        let binds = (0..n)
            .map(|_| {
                let span = self.span();
                let kind = match self.byte() {
                    0 => BindKind::Execute {
                        sql: self.opt_string(),
                    },
                    1 => BindKind::CreateOrDrop {
                        drop: self.byte() == 1,
                        receiver: self.converted(),
                    },
                    _ => BindKind::Other,
                };
                PreparedBind { span, kind }
            })
            .collect();
        Prepared {
            calls,
            upgrade,
            binds,
            docstring,
        }
    }
}
