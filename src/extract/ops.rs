//! Operations: every call on the name Alembic's `op` is bound to, found in
//! `upgrade()` and `downgrade()`, through nested blocks and through the
//! module's own helper functions they call.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::bindings::{Bindings, Scope};
use crate::ir::{
    Argument, ColumnDef, LoopValue, Name, OpContext, OpKind, Operation, Phase, Spanned,
};
use crate::python::{BlockKind, CompareOp, Expr, Keyword, Module, OtherKind, Span, Stmt};
use crate::sql::{Dialect, SqlInfo};

#[derive(Debug, Default)]
pub struct Extracted {
    pub operations: Vec<Operation>,
    pub get_bind: Vec<Spanned<Phase>>,
}

/// Methods of `op` that build values or contexts rather than change the
/// schema.
const NOT_OPERATIONS: &[&str] = &[
    "f",
    "get_context",
    "batch_alter_table",
    "inline_literal",
    "implementation_for",
    "register_operation",
    "invoke",
    "run_async",
];

/// How deep helper functions calling helper functions are followed.
const MAX_HELPER_DEPTH: usize = 8;

/// How deep `not`, `and`, `or` and names are followed in a test.
const MAX_DECIDE_DEPTH: usize = 16;

/// Whether `name`, bound to the connection, is used in `body` for anything
/// but its dialect (`name.dialect`, `name.engine.name`,
/// `name.engine.dialect`). Statements the small tree does not model are
/// searched as text.
fn uses_beyond_dialect(body: &[Stmt], name: &str, source: &str) -> bool {
    fn expr(e: &Expr, name: &str) -> bool {
        match e {
            Expr::Attribute { value, attr, .. } if attr == "dialect" => {
                value.as_name() != Some(name) && expr(value, name)
            }
            Expr::Attribute { value, attr, .. }
                if matches!(attr.as_str(), "name" | "dialect")
                    && matches!(value.as_ref(), Expr::Attribute { value: bind, attr, .. }
                        if attr == "engine" && bind.as_name() == Some(name)) =>
            {
                false
            }
            Expr::Name { id, .. } => id == name,
            Expr::Attribute { value, .. } => expr(value, name),
            Expr::Call {
                func,
                args,
                keywords,
                ..
            } => {
                expr(func, name)
                    || args.iter().any(|a| expr(a, name))
                    || keywords.iter().any(|k| expr(&k.value, name))
            }
            Expr::Tuple { elts, .. } | Expr::List { elts, .. } => {
                elts.iter().any(|e| expr(e, name))
            }
            Expr::Other { children, .. } => children.iter().any(|e| expr(e, name)),
            Expr::Str { .. }
            | Expr::FString { .. }
            | Expr::NoneLiteral { .. }
            | Expr::Bool { .. }
            | Expr::Number { .. } => false,
        }
    }
    let word = |text: &str| {
        text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|w| w == name)
    };
    body.iter().any(|stmt| match stmt {
        // Assigning the name is no use of it.
        Stmt::Assign { targets, value, .. } => {
            targets
                .iter()
                .any(|t| t.as_name().is_none() && expr(t, name))
                || expr(value, name)
        }
        Stmt::AnnAssign { target, value, .. } => {
            (target.as_name().is_none() && expr(target, name))
                || value.as_ref().is_some_and(|v| expr(v, name))
        }
        Stmt::Expr { value, .. } => expr(value, name),
        Stmt::Return { value, .. } => value.as_ref().is_some_and(|v| expr(v, name)),
        Stmt::With { items, body, .. } => {
            items.iter().any(|i| expr(&i.context, name)) || uses_beyond_dialect(body, name, source)
        }
        Stmt::Block { header, bodies, .. } => {
            header.iter().any(|e| expr(e, name))
                || bodies.iter().any(|b| uses_beyond_dialect(b, name, source))
        }
        Stmt::Import { .. } | Stmt::ImportFrom { .. } => false,
        Stmt::FunctionDef { span, .. } | Stmt::ClassDef { span, .. } | Stmt::Other { span } => {
            word(span.text(source))
        }
    })
}

/// Whether a database whose SQLAlchemy dialect is `name` is one of
/// `dialect`'s; `None` when the history's dialect does not tell. MySQL's
/// covers `mysql` and `mariadb` (SQLAlchemy names it after the URL), and
/// `Generic` is any backend but the three others.
fn dialect_is(dialect: Dialect, name: &str) -> Option<bool> {
    const KNOWN: &[&str] = &["postgresql", "sqlite", "mysql", "mariadb"];
    match dialect {
        Dialect::PostgreSql => Some(name == "postgresql"),
        Dialect::Sqlite => Some(name == "sqlite"),
        Dialect::MySql if matches!(name, "mysql" | "mariadb") => None,
        Dialect::MySql => Some(false),
        Dialect::Generic if KNOWN.contains(&name) => Some(false),
        Dialect::Generic => None,
    }
}

pub fn extract(
    module: &Module,
    module_bindings: &Bindings,
    source: &str,
    dialect: Dialect,
) -> Extracted {
    let functions: HashMap<&str, (&[String], &[Stmt])> = module
        .body
        .iter()
        .filter_map(|stmt| match stmt {
            Stmt::FunctionDef {
                name, params, body, ..
            } => Some((name.as_str(), (params.as_slice(), body.as_slice()))),
            _ => None,
        })
        .collect();
    let mut walker = Walker {
        source,
        dialect,
        op_names: op_aliases(module),
        functions: &functions,
        out: Extracted::default(),
        walks: 0,
    };
    for (name, phase) in [("upgrade", Phase::Upgrade), ("downgrade", Phase::Downgrade)] {
        let Some((_, body)) = functions.get(name) else {
            continue;
        };
        let locals = Bindings::function(body);
        let params = Bindings::default();
        let frame = Frame {
            phase,
            scope: Scope {
                frames: vec![&locals, &params, module_bindings],
            },
            ctx: OpContext::default(),
            batch_alias: None,
            stack: vec![name.to_string()],
            loop_values: Vec::new(),
            function: body,
        };
        walker.stmts(body, &frame);
    }
    walker.out
}

/// Names `op` is imported as (`from alembic import op as alembic_op`).
/// `op` itself is always included: some projects receive it as a parameter.
fn op_aliases(module: &Module) -> HashSet<String> {
    let mut names: HashSet<String> = HashSet::from_iter(["op".to_owned()]);
    for stmt in &module.body {
        if let Stmt::ImportFrom {
            module: Some(m),
            names: imported,
            ..
        } = stmt
            && m == "alembic"
        {
            for name in imported.iter().filter(|n| n.name == "op") {
                names.insert(name.asname.clone().unwrap_or_else(|| "op".to_owned()));
            }
        }
    }
    names
}

struct Walker<'a> {
    source: &'a str,
    /// The dialect `op.execute` SQL is parsed in.
    dialect: Dialect,
    op_names: HashSet<String>,
    functions: &'a HashMap<&'a str, (&'a [String], &'a [Stmt])>,
    out: Extracted,
    /// `if` and `match` statements walked so far: numbers their walks.
    walks: u32,
}

#[derive(Clone)]
struct Frame<'f> {
    phase: Phase,
    scope: Scope<'f>,
    ctx: OpContext,
    /// The name bound by `with op.batch_alter_table(...) as <alias>`.
    batch_alias: Option<String>,
    /// Functions being walked, to stop at recursion.
    stack: Vec<String>,
    /// Names bound by the literal loops around this body, with their values.
    loop_values: Vec<(Name, LoopValue)>,
    /// The body of the function being walked.
    function: &'f [Stmt],
}

impl<'a> Walker<'a> {
    fn stmts(&mut self, body: &[Stmt], frame: &Frame) {
        for stmt in body {
            match stmt {
                // `bind = op.get_bind()` read only for its dialect runs no
                // query of its own.
                Stmt::Assign { targets, value, .. }
                    if self.is_op_call(value, "get_bind")
                        && targets.iter().all(|t| {
                            t.as_name().is_some_and(|name| {
                                !uses_beyond_dialect(frame.function, name, self.source)
                            })
                        }) => {}
                Stmt::Expr { value, .. }
                | Stmt::Assign { value, .. }
                | Stmt::AnnAssign {
                    value: Some(value), ..
                }
                | Stmt::Return {
                    value: Some(value), ..
                } => self.expr(value, frame),
                Stmt::With { items, body, .. } => {
                    let mut inner = frame.clone();
                    for item in items {
                        self.with_item(&item.context, item.var.as_ref(), frame, &mut inner);
                    }
                    self.stmts(body, &inner);
                }
                Stmt::Block {
                    kind: BlockKind::For,
                    header,
                    bodies,
                    ..
                } if literal_iterations(header, &frame.scope, bodies).is_some() => {
                    // `for old, new in PAIRS:` over a literal list runs its
                    // body once per element, each time with known values.
                    let iterations = literal_iterations(header, &frame.scope, bodies)
                        .expect("checked by the guard");
                    for values in iterations {
                        let mut bound = Bindings::default();
                        let mut loop_values = frame.loop_values.clone();
                        for (name, value) in values {
                            let literal = match &value {
                                Expr::Str { value, .. } => {
                                    Some(LoopValue::Str(value.as_str().into()))
                                }
                                list => frame.scope.string_list(list).map(|items| {
                                    LoopValue::List(
                                        items.into_iter().map(|(s, _)| s.into()).collect(),
                                    )
                                }),
                            };
                            if let Some(literal) = literal {
                                loop_values.retain(|(n, _)| n != name.as_str());
                                loop_values.push((name.as_str().into(), literal));
                            }
                            bound.bind(&name, 0, Some(value));
                        }
                        let mut frames = vec![&bound];
                        frames.extend(frame.scope.frames.iter().copied());
                        let inner = Frame {
                            phase: frame.phase,
                            scope: Scope { frames },
                            ctx: frame.ctx.clone(),
                            batch_alias: frame.batch_alias.clone(),
                            stack: frame.stack.clone(),
                            loop_values,
                            function: frame.function,
                        };
                        self.stmts(&bodies[0], &inner);
                    }
                    // `else:` runs unless the loop breaks: the guard ruled
                    // out `break`, so it runs.
                    self.stmts(&bodies[1], frame);
                }
                Stmt::Block {
                    kind: BlockKind::If,
                    header,
                    bodies,
                    ..
                } => self.if_stmt(header, bodies, frame),
                Stmt::Block {
                    kind: BlockKind::Match,
                    header,
                    bodies,
                    ..
                } => {
                    for expr in header {
                        self.expr(expr, frame);
                    }
                    // Cases are alternatives: at most one runs.
                    let walk = self.next_walk();
                    for (arm, body) in bodies.iter().enumerate() {
                        let mut inner = frame.clone();
                        inner.ctx.conditional = true;
                        inner.ctx.arms.push((walk, arm as u32));
                        self.stmts(body, &inner);
                    }
                }
                Stmt::Block {
                    kind,
                    header,
                    bodies,
                    ..
                } => {
                    for expr in header {
                        self.expr(expr, frame);
                    }
                    for (index, body) in bodies.iter().enumerate() {
                        let mut inner = frame.clone();
                        // A try's own body, `else` and `finally` run on the
                        // normal path; only its handlers are conditional.
                        let normal_path =
                            *kind == BlockKind::Try && (index == 0 || index + 2 >= bodies.len());
                        inner.ctx.conditional |= !normal_path;
                        self.stmts(body, &inner);
                    }
                }
                _ => {}
            }
        }
    }

    fn next_walk(&mut self) -> u32 {
        self.walks += 1;
        self.walks
    }

    /// `if`/`elif`/`else`: a test decided statically (the history's
    /// dialect) leaves one arm to walk, unconditionally when every test
    /// before it was decided too; the others are never walked. The arms of
    /// undecided tests are conditional alternatives.
    fn if_stmt(&mut self, tests: &[Expr], bodies: &[Vec<Stmt>], frame: &Frame) {
        let walk = self.next_walk();
        let mut undecided = false;
        for (arm, body) in bodies.iter().enumerate() {
            let mut inner = frame.clone();
            if undecided {
                inner.ctx.conditional = true;
                inner.ctx.arms.push((walk, arm as u32));
            }
            // `else` has no test: it runs when no test before it held.
            let taken = match tests.get(arm) {
                Some(test) => {
                    self.expr(test, &inner);
                    self.decide(test, &frame.scope, 0)
                }
                None => Some(true),
            };
            match taken {
                Some(false) => continue,
                Some(true) => {
                    self.stmts(body, &inner);
                    return;
                }
                None => {
                    if !undecided {
                        undecided = true;
                        inner.ctx.conditional = true;
                        inner.ctx.arms.push((walk, arm as u32));
                    }
                    self.stmts(body, &inner);
                }
            }
        }
    }

    /// The value of an `if` test when the history's dialect decides it:
    /// comparisons of the dialect's name (`op.get_bind().dialect.name ==
    /// "sqlite"`, `bind.engine.name in ("mysql", "mariadb")`), through
    /// names they are assigned to, `not`, `and` and `or`.
    fn decide(&self, test: &Expr, scope: &Scope, depth: usize) -> Option<bool> {
        if depth > MAX_DECIDE_DEPTH {
            return None;
        }
        let depth = depth + 1;
        let Expr::Other { kind, children, .. } = scope.resolve(test)? else {
            return None;
        };
        match (kind, children.as_slice()) {
            (OtherKind::Not, [operand]) => self.decide(operand, scope, depth).map(|v| !v),
            // Three-valued: one false operand makes `and` false whatever
            // the others are.
            (OtherKind::And, operands) => {
                let values: Vec<_> = operands
                    .iter()
                    .map(|o| self.decide(o, scope, depth))
                    .collect();
                if values.contains(&Some(false)) {
                    Some(false)
                } else {
                    values.iter().all(|v| *v == Some(true)).then_some(true)
                }
            }
            (OtherKind::Or, operands) => {
                let values: Vec<_> = operands
                    .iter()
                    .map(|o| self.decide(o, scope, depth))
                    .collect();
                if values.contains(&Some(true)) {
                    Some(true)
                } else {
                    values.iter().all(|v| *v == Some(false)).then_some(false)
                }
            }
            (OtherKind::Compare(op), [left, right]) => {
                // `"sqlite" in name` would be a substring test.
                let names = if self.is_dialect_name(left, scope) {
                    right
                } else if self.is_dialect_name(right, scope)
                    && matches!(op, CompareOp::Eq | CompareOp::NotEq)
                {
                    left
                } else {
                    return None;
                };
                let candidates: Vec<String> = match op {
                    CompareOp::Eq | CompareOp::NotEq => vec![scope.string(names)?],
                    // A literal tuple, list or set; `in "postgresql"` would
                    // be a substring test.
                    CompareOp::In | CompareOp::NotIn => match scope.resolve(names)? {
                        Expr::Tuple { elts, .. }
                        | Expr::List { elts, .. }
                        | Expr::Other {
                            kind: OtherKind::Set,
                            children: elts,
                            ..
                        } => elts
                            .iter()
                            .map(|e| scope.string(e))
                            .collect::<Option<_>>()?,
                        _ => return None,
                    },
                };
                let mut any: Option<bool> = Some(false);
                for name in &candidates {
                    match dialect_is(self.dialect, name) {
                        Some(true) => {
                            any = Some(true);
                            break;
                        }
                        Some(false) => {}
                        None => any = None,
                    }
                }
                match op {
                    CompareOp::Eq | CompareOp::In => any,
                    CompareOp::NotEq | CompareOp::NotIn => any.map(|v| !v),
                }
            }
            _ => None,
        }
    }

    /// `X.dialect.name` or `X.engine.name` (an engine's name is its
    /// dialect's), X a connection or migration context, or a name assigned
    /// one of these.
    fn is_dialect_name(&self, expr: &Expr, scope: &Scope) -> bool {
        let Some(Expr::Attribute { value, attr, .. }) = scope.resolve(expr) else {
            return false;
        };
        attr == "name" && (self.is_dialect(value, scope) || self.is_engine(value, scope))
    }

    fn is_dialect(&self, expr: &Expr, scope: &Scope) -> bool {
        let Some(Expr::Attribute { value, attr, .. }) = scope.resolve(expr) else {
            return false;
        };
        attr == "dialect"
            && (self.is_bind(value, scope)
                || self.is_context(value, scope)
                || self.is_engine(value, scope))
    }

    fn is_engine(&self, expr: &Expr, scope: &Scope) -> bool {
        matches!(scope.resolve(expr), Some(Expr::Attribute { value, attr, .. })
            if attr == "engine" && self.is_bind(value, scope))
    }

    /// `op.get_bind()`, or `op.get_context().bind`.
    fn is_bind(&self, expr: &Expr, scope: &Scope) -> bool {
        match scope.resolve(expr) {
            Some(Expr::Attribute { value, attr, .. }) => {
                attr == "bind" && self.is_context(value, scope)
            }
            Some(call) => self.is_op_call(call, "get_bind"),
            None => false,
        }
    }

    /// `op.get_context()`.
    fn is_context(&self, expr: &Expr, scope: &Scope) -> bool {
        scope
            .resolve(expr)
            .is_some_and(|e| self.is_op_call(e, "get_context"))
    }

    /// `op.<method>()`.
    fn is_op_call(&self, expr: &Expr, method: &str) -> bool {
        matches!(expr, Expr::Call { func, args, keywords, .. }
            if args.is_empty() && keywords.is_empty()
                && matches!(func.as_ref(), Expr::Attribute { value, attr, .. }
                    if attr == method && self.is_op(value)))
    }

    fn with_item(&mut self, context: &Expr, var: Option<&Expr>, outer: &Frame, inner: &mut Frame) {
        if let Expr::Call {
            func,
            args,
            keywords,
            ..
        } = context
            && let Expr::Attribute { value, attr, .. } = func.as_ref()
        {
            if attr == "batch_alter_table" && self.is_op(value) {
                let table = keyword(keywords, "table_name").or(args.first());
                inner.ctx.batch_table = table.and_then(|t| outer.scope.name(t));
                inner.batch_alias = var.and_then(Expr::as_name).map(str::to_owned);
                for expr in args.iter().chain(keywords.iter().map(|k| &k.value)) {
                    self.expr(expr, outer);
                }
                return;
            }
            if attr == "autocommit_block" {
                inner.ctx.autocommit = true;
                self.expr(value, outer);
                return;
            }
        }
        self.expr(context, outer);
    }

    fn is_op(&self, receiver: &Expr) -> bool {
        match receiver {
            Expr::Name { id, .. } => self.op_names.contains(id),
            Expr::Attribute { value, attr, .. } => {
                attr == "op" && value.as_name() == Some("alembic")
            }
            _ => false,
        }
    }

    /// Visits an expression; calls are recorded after their arguments, as
    /// Python evaluates them.
    fn expr(&mut self, expr: &Expr, frame: &Frame) {
        match expr {
            Expr::Call {
                func,
                args,
                keywords,
                ..
            } => {
                self.expr(func, frame);
                for arg in args {
                    self.expr(arg, frame);
                }
                for kw in keywords {
                    self.expr(&kw.value, frame);
                }
                self.call(expr, frame);
            }
            // `op.get_bind().dialect`, `op.get_bind().engine.name`: no
            // query of their own.
            Expr::Attribute { value, attr, .. }
                if attr == "dialect" && self.is_op_call(value, "get_bind") => {}
            Expr::Attribute { value, attr, .. }
                if matches!(attr.as_str(), "name" | "dialect")
                    && matches!(value.as_ref(), Expr::Attribute { value: bind, attr, .. }
                        if attr == "engine" && self.is_op_call(bind, "get_bind")) => {}
            Expr::Attribute { value, .. } => self.expr(value, frame),
            Expr::Tuple { elts, .. } | Expr::List { elts, .. } => {
                for elt in elts {
                    self.expr(elt, frame);
                }
            }
            Expr::Other { children, .. } => {
                for child in children {
                    self.expr(child, frame);
                }
            }
            _ => {}
        }
    }

    fn call(&mut self, call: &Expr, frame: &Frame) {
        let Expr::Call { func, .. } = call else {
            return;
        };
        match func.as_ref() {
            Expr::Attribute { value, attr, .. } if self.is_op(value) => {
                self.op_call(attr, call, frame, false)
            }
            Expr::Attribute { value, attr, .. }
                if frame.batch_alias.is_some()
                    && value.as_name() == frame.batch_alias.as_deref() =>
            {
                self.op_call(attr, call, frame, true)
            }
            Expr::Name { id, .. } => self.helper_call(id, call, frame),
            _ => {}
        }
    }

    /// Follows a call to one of the module's own functions.
    fn helper_call(&mut self, name: &str, call: &Expr, frame: &Frame) {
        let Some((params, body)) = self.functions.get(name).copied() else {
            return;
        };
        if frame.stack.iter().any(|f| f == name) || frame.stack.len() > MAX_HELPER_DEPTH {
            return;
        }
        let Expr::Call { args, keywords, .. } = call else {
            return;
        };
        // Bind parameters to what the call site passes, resolved in the
        // caller's scope, so `_add_timestamps("users")` knows its table.
        let mut bound = Bindings::default();
        for (index, param) in params.iter().enumerate() {
            let arg = keyword(keywords, param).or_else(|| args.get(index));
            let value = arg.and_then(|arg| match frame.scope.string(arg) {
                Some(value) => Some(Expr::Str {
                    value,
                    span: arg.span(),
                }),
                None => frame
                    .scope
                    .resolve(arg)
                    .filter(|e| matches!(e, Expr::Call { .. }))
                    .cloned(),
            });
            bound.bind(param, 0, value);
        }
        let locals = Bindings::function(body);
        let mut stack = frame.stack.clone();
        stack.push(name.to_owned());
        let mut ctx = frame.ctx.clone();
        ctx.helper.get_or_insert_with(|| name.into());
        let inner = Frame {
            phase: frame.phase,
            scope: Scope {
                frames: vec![
                    &locals,
                    &bound,
                    *frame.scope.frames.last().expect("module scope"),
                ],
            },
            ctx,
            batch_alias: frame.batch_alias.clone(),
            stack,
            // A helper's body sees its parameters, not the caller's loop.
            loop_values: Vec::new(),
            function: body,
        };
        self.stmts(body, &inner);
    }

    fn op_call(&mut self, method: &str, call: &Expr, frame: &Frame, batch: bool) {
        let Expr::Call {
            args,
            keywords,
            span,
            ..
        } = call
        else {
            return;
        };
        if method == "get_bind" {
            self.out.get_bind.push(Spanned {
                value: frame.phase,
                span: *span,
            });
            return;
        }
        if NOT_OPERATIONS.contains(&method) {
            return;
        }
        let kind = OpKind::from_method(method);
        let call_args = CallArgs {
            params: kind.params(batch),
            args,
            keywords,
        };
        let scope = &frame.scope;
        let mut op = Operation {
            kind,
            other_method: (kind == OpKind::Other).then(|| method.into()),
            phase: frame.phase,
            table: None,
            schema: call_args.get("schema").and_then(|e| scope.name(e)),
            column: None,
            name: None,
            new_name: None,
            columns: Vec::new(),
            new_type: None,
            new_nullable: None,
            sql: None,
            context: frame.ctx.clone(),
            args: arguments(args, keywords),
            span: *span,
            unresolved: Vec::new(),
            loop_values: frame.loop_values.clone(),
        };
        let string_arg = |param: &'static str, op: &mut Operation| -> Option<Name> {
            let expr = call_args.get(param)?;
            let value = scope.name(expr);
            if value.is_none() && !matches!(expr, Expr::NoneLiteral { .. }) {
                op.unresolved.push(param.into());
            }
            value
        };

        op.table = match kind.table_param() {
            Some(_) if batch => frame.ctx.batch_table.clone(),
            Some(param) => string_arg(param, &mut op),
            None => None,
        };
        match kind {
            OpKind::RenameTable => op.new_name = string_arg("new_table_name", &mut op),
            OpKind::CreateTable => {
                let skip = usize::from(!batch);
                op.columns = args
                    .iter()
                    .skip(skip)
                    .filter_map(|arg| column_def(arg, scope, self.source))
                    .collect();
            }
            OpKind::AddColumn => {
                op.columns = call_args
                    .get("column")
                    .and_then(|c| column_def(c, scope, self.source))
                    .into_iter()
                    .collect();
                op.column = op.columns.first().and_then(|c| c.name.clone());
            }
            OpKind::DropColumn => op.column = string_arg("column_name", &mut op),
            OpKind::AlterColumn => {
                op.column = string_arg("column_name", &mut op);
                op.new_name = keyword(keywords, "new_column_name").and_then(|e| scope.name(e));
                op.new_type =
                    keyword(keywords, "type_").map(|e| normalize_type(e.span().text(self.source)));
                op.new_nullable = keyword(keywords, "nullable").and_then(|e| match e {
                    Expr::Bool { value, .. } => Some(*value),
                    _ => None,
                });
            }
            OpKind::CreateIndex | OpKind::DropIndex => op.name = string_arg("index_name", &mut op),
            OpKind::CreateUniqueConstraint
            | OpKind::CreateForeignKey
            | OpKind::CreatePrimaryKey
            | OpKind::CreateCheckConstraint
            | OpKind::CreateExcludeConstraint
            | OpKind::DropConstraint => op.name = string_arg("constraint_name", &mut op),
            OpKind::Execute => {
                op.sql = call_args
                    .get("sqltext")
                    .map(|e| Box::new(sql_of(e, scope, self.source, self.dialect)))
            }
            OpKind::BulkInsert => {
                op.table = call_args.get("table").and_then(|t| table_of(t, scope))
            }
            _ => {}
        }
        self.out.operations.push(op);
    }
}

fn arguments(args: &[Expr], keywords: &[Keyword]) -> Vec<Argument> {
    let positional = args.iter().map(|arg| Argument {
        keyword: None,
        span: arg.span(),
    });
    // A keyword argument's span starts at its name.
    let named = keywords.iter().map(|kw| Argument {
        keyword: kw
            .arg
            .as_ref()
            .map(|name| Span::new(kw.span.start, kw.span.start + name.len() as u32)),
        span: kw.value.span(),
    });
    positional.chain(named).collect()
}

/// A call's arguments looked up by Alembic's parameter names.
struct CallArgs<'c> {
    params: &'static [&'static str],
    args: &'c [Expr],
    keywords: &'c [Keyword],
}

impl<'c> CallArgs<'c> {
    fn get(&self, param: &str) -> Option<&'c Expr> {
        keyword(self.keywords, param).or_else(|| {
            let index = self.params.iter().position(|p| *p == param)?;
            self.args.get(index)
        })
    }
}

fn keyword<'k>(keywords: &'k [Keyword], name: &str) -> Option<&'k Expr> {
    keywords
        .iter()
        .find(|kw| kw.arg.as_deref() == Some(name))
        .map(|kw| &kw.value)
}

fn callee_name(func: &Expr) -> Option<&str> {
    match func {
        Expr::Name { id, .. } => Some(id),
        Expr::Attribute { attr, .. } => Some(attr),
        _ => None,
    }
}

/// Positional arguments of `Column(...)` that are not its type.
const COLUMN_EXTRAS: &[&str] = &[
    "ForeignKey",
    "Sequence",
    "Identity",
    "Computed",
    "CheckConstraint",
    "FetchedValue",
    "DefaultClause",
];

fn column_def(expr: &Expr, scope: &Scope, source: &str) -> Option<ColumnDef> {
    let Expr::Call {
        func,
        args,
        keywords,
        span,
    } = scope.resolve(expr)?
    else {
        return None;
    };
    if !matches!(callee_name(func), Some("Column" | "mapped_column")) {
        return None;
    }
    // SQLAlchemy takes a leading string as the name, else `name=`.
    let positional_name = args.first().and_then(|a| scope.name(a));
    let named_first = positional_name.is_some();
    let name = positional_name.or_else(|| keyword(keywords, "name").and_then(|n| scope.name(n)));
    let type_expr = keyword(keywords, "type_").or_else(|| {
        args.iter()
            .skip(usize::from(named_first))
            .find(|arg| match arg {
                Expr::Call { func, .. } => {
                    !callee_name(func).is_some_and(|n| COLUMN_EXTRAS.contains(&n))
                }
                _ => !matches!(arg, Expr::Str { .. }),
            })
    });
    let bool_kw = |name: &str| match keyword(keywords, name) {
        Some(Expr::Bool { value, .. }) => Some(*value),
        _ => None,
    };
    Some(ColumnDef {
        name,
        type_text: type_expr.map(|t| normalize_type(t.span().text(source))),
        nullable: bool_kw("nullable"),
        primary_key: bool_kw("primary_key").unwrap_or(false),
        span: *span,
    })
}

/// A type's source text without spelling differences that do not change
/// the type: white space, module prefixes, empty calls, `length=`.
pub fn normalize_type(text: &str) -> Name {
    let mut t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    const PREFIXES: &[&str] = &[
        "sqlalchemy.",
        "sa.",
        "types.",
        "dialects.",
        "postgresql.",
        "postgres.",
        "pg.",
        "mysql.",
        "sqlite.",
    ];
    while let Some(prefix) = PREFIXES.iter().find(|p| t.starts_with(*p)) {
        t.drain(..prefix.len());
    }
    if let Some(stripped) = t.strip_suffix("()") {
        t = stripped.to_owned();
    }
    t.replace("length=", "").into()
}

/// The SQL given to `op.execute`.
fn sql_of(expr: &Expr, scope: &Scope, source: &str, dialect: Dialect) -> SqlInfo {
    let string = |e: &Expr| {
        scope.string(e).or_else(|| match scope.resolve(e)? {
            Expr::FString { span } => fstring_value(span.text(source), scope, span.start, source),
            _ => None,
        })
    };
    if let Some(text) = string(expr) {
        return SqlInfo::classify_as(&text, dialect);
    }
    let Some(resolved) = scope.resolve(expr) else {
        return SqlInfo::dynamic();
    };
    let resolved = statement_of(resolved);
    if let Some(text) = string(resolved) {
        return SqlInfo::classify_as(&text, dialect);
    }
    // SQL built at run time: still a data statement when its text, whatever
    // the values, reads as one.
    let skeleton = match resolved {
        Expr::FString { span } => fstring_skeleton(span.text(source)),
        Expr::Call { func, args, .. } if callee_name(func) == Some("text") => {
            match args.first().and_then(|a| scope.resolve(a)) {
                Some(Expr::FString { span }) => fstring_skeleton(span.text(source)),
                _ => None,
            }
        }
        _ => None,
    };
    if let Some(skeleton) = skeleton {
        let classified = SqlInfo::classify_as(&skeleton, dialect);
        // A statement sqlparser did not understand is read from its
        // keywords (`WITH moved AS (DELETE …) INSERT …` is an INSERT); it
        // is trusted to change only rows when no word in it changes schema.
        let changes_schema = || {
            skeleton
                .split(|c: char| !c.is_ascii_alphabetic())
                .map(str::to_ascii_uppercase)
                .any(|w| {
                    [
                        "CREATE", "ALTER", "DROP", "TRUNCATE", "GRANT", "REVOKE", "COMMENT",
                    ]
                    .contains(&w.as_str())
                })
        };
        if !classified.statements.is_empty()
            && classified.statements.iter().all(|s| s.is_dml())
            && (classified.parsed || !changes_schema())
        {
            let mut info = SqlInfo::dynamic();
            info.statements = classified.statements;
            return info;
        }
    }
    if let Expr::Call { func, args, .. } = resolved {
        // sa.text("...") / sqlalchemy.text("..."), sa.DDL("...")
        if matches!(callee_name(func), Some("text" | "DDL"))
            && let Some(text) = args.first().and_then(string)
        {
            return SqlInfo::classify_as(&text, dialect);
        }
        // table.update().where(...), sa.insert(table).values(...),
        // delete(table): DML built with SQLAlchemy Core.
        let mut current = resolved;
        while let Expr::Call { func, .. } = current {
            let (name, receiver) = match func.as_ref() {
                Expr::Attribute { value, attr, .. } => (attr.as_str(), Some(value.as_ref())),
                Expr::Name { id, .. } => (id.as_str(), None),
                _ => break,
            };
            if let kind @ ("update" | "insert" | "delete") = name {
                return SqlInfo::core(&kind.to_ascii_uppercase());
            }
            match receiver {
                Some(receiver) => current = receiver,
                None => break,
            }
        }
    }
    SqlInfo::dynamic()
}

/// The elements of a `for` loop over a literal list, tuple or dict (of
/// strings, or of tuples unpacked into as many names; `.items()` of a dict
/// into its key and value), as the names' values per iteration. `None` when the loop is anything else, or its body
/// can leave early (`break`, `continue`, `return`, …: any statement the
/// small tree does not model).
fn literal_iterations(
    header: &[Expr],
    scope: &Scope,
    bodies: &[Vec<Stmt>],
) -> Option<Vec<Vec<(String, Expr)>>> {
    let [iterable, target] = header else {
        return None;
    };
    fn plain(body: &[Stmt]) -> bool {
        body.iter().all(|s| match s {
            Stmt::Other { .. } | Stmt::Return { .. } => false,
            Stmt::Block { bodies, .. } => bodies.iter().all(|b| plain(b)),
            Stmt::With { body, .. } => plain(body),
            _ => true,
        })
    }
    if !bodies.first().is_some_and(|b| plain(b)) {
        return None;
    }
    let names: Vec<&str> = match target {
        Expr::Name { id, .. } => vec![id.as_str()],
        Expr::Tuple { elts, .. } | Expr::List { elts, .. } => {
            elts.iter().map(Expr::as_name).collect::<Option<_>>()?
        }
        _ => return None,
    };
    elements_of(iterable, scope)?
        .into_iter()
        .map(|element| {
            let values: Vec<&Expr> = match (target, element) {
                (Expr::Name { .. }, Element::One(value)) => vec![scope.resolve(value)?],
                (Expr::Name { .. }, Element::Pair(..)) => return None,
                (_, Element::Pair(key, value)) => vec![key, value],
                (_, Element::One(value)) => match scope.resolve(value)? {
                    Expr::Tuple { elts, .. } | Expr::List { elts, .. } => elts.iter().collect(),
                    _ => return None,
                },
            };
            if values.len() != names.len() {
                return None;
            }
            names
                .iter()
                .zip(values)
                .map(|(name, value)| {
                    // A string becomes one; a literal list or tuple (the
                    // columns of an index, say) stays as written.
                    let bound = match scope.string(value) {
                        Some(text) => Expr::Str {
                            value: text,
                            span: value.span(),
                        },
                        None => match scope.resolve(value)? {
                            list @ (Expr::List { .. } | Expr::Tuple { .. }) => list.clone(),
                            _ => return None,
                        },
                    };
                    Some(((*name).to_owned(), bound))
                })
                .collect()
        })
        .collect()
}

/// One element of a literal iterable: a value, or a dict's key and value
/// (`.items()`).
enum Element<'e> {
    One(&'e Expr),
    Pair(&'e Expr, &'e Expr),
}

/// What `for … in ITERABLE` goes through: a literal list or tuple, a
/// literal dict (its keys), or `.keys()`, `.values()`, `.items()` of one.
fn elements_of<'e>(iterable: &'e Expr, scope: &'e Scope) -> Option<Vec<Element<'e>>> {
    let dict_pairs = |e: &'e Expr| -> Option<Vec<(&'e Expr, &'e Expr)>> {
        let Expr::Other {
            kind: crate::python::OtherKind::Dict,
            children,
            ..
        } = e
        else {
            return None;
        };
        if children.len() % 2 != 0 {
            return None;
        }
        Some(children.chunks(2).map(|p| (&p[0], &p[1])).collect())
    };
    if let Expr::Call {
        func,
        args,
        keywords,
        ..
    } = iterable
        && args.is_empty()
        && keywords.is_empty()
        && let Expr::Attribute { value, attr, .. } = func.as_ref()
    {
        let pairs = dict_pairs(scope.resolve(value)?)?;
        return match attr.as_str() {
            "keys" => Some(pairs.into_iter().map(|(k, _)| Element::One(k)).collect()),
            "values" => Some(pairs.into_iter().map(|(_, v)| Element::One(v)).collect()),
            "items" => Some(
                pairs
                    .into_iter()
                    .map(|(k, v)| Element::Pair(k, v))
                    .collect(),
            ),
            _ => None,
        };
    }
    match scope.resolve(iterable)? {
        Expr::List { elts, .. } | Expr::Tuple { elts, .. } => {
            Some(elts.iter().map(Element::One).collect())
        }
        dict => Some(
            dict_pairs(dict)?
                .into_iter()
                .map(|(k, _)| Element::One(k))
                .collect(),
        ),
    }
}

/// The value of an f-string (or of implicitly concatenated string
/// literals among which are f-strings) whose replacement fields are plain
/// names with known string values: `f"ALTER TABLE t RENAME {old} TO {new}"`
/// in a loop over literal pairs. `None` for anything else (a format spec,
/// a conversion, an expression, a name not known).
pub fn fstring_value(text: &str, scope: &Scope, at: u32, source: &str) -> Option<String> {
    fstring(text, &mut |name| {
        let value = Expr::Name {
            id: name.to_owned(),
            span: crate::python::Span::new(at, at),
        };
        scope
            .string(&value)
            .or_else(|| match scope.resolve(&value)? {
                // An integer prints as written.
                Expr::Number { span } => Some(span.text(source))
                    .filter(|t| t.chars().all(|c| c.is_ascii_digit()))
                    .map(str::to_owned),
                _ => None,
            })
    })
}

/// The text of an f-string with every replacement field written as
/// `__dynamic__`: what the statement is, whatever the values.
pub fn fstring_skeleton(text: &str) -> Option<String> {
    fstring(text, &mut |_| Some("__dynamic__".to_owned()))
}

fn fstring(text: &str, field_value: &mut dyn FnMut(&str) -> Option<String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '\\');
        if rest.is_empty() {
            return Some(out);
        }
        let prefix_len = rest.find(['"', '\'']).filter(|&n| n <= 3)?;
        let prefix = rest[..prefix_len].to_ascii_lowercase();
        if !prefix.chars().all(|c| matches!(c, 'f' | 'r' | 'u' | 'b')) || prefix.contains('b') {
            return None;
        }
        let (is_f, is_raw) = (prefix.contains('f'), prefix.contains('r'));
        let body = &rest[prefix_len..];
        let quote = if body.starts_with("\"\"\"") || body.starts_with("'''") {
            &body[..3]
        } else {
            &body[..1]
        };
        let body = &body[quote.len()..];
        // The closing quote: not escaped (outside raw strings).
        let mut end = None;
        let mut chars = body.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '\\' && !is_raw {
                chars.next();
                continue;
            }
            if body[i..].starts_with(quote) {
                end = Some(i);
                break;
            }
        }
        let end = end?;
        let content = &body[..end];
        rest = &body[end + quote.len()..];
        let content = if is_raw {
            content.to_owned()
        } else {
            unescape(content)?
        };
        if !is_f {
            out.push_str(&content);
            continue;
        }
        let mut chars = content.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    out.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    out.push('}');
                }
                '{' => {
                    let mut field = String::new();
                    for c in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                        field.push(c);
                    }
                    let name = field.trim();
                    if !name.chars().all(|c| c.is_alphanumeric() || c == '_') || name.is_empty() {
                        return None;
                    }
                    out.push_str(&field_value(name)?);
                }
                '}' => return None,
                c => out.push(c),
            }
        }
    }
}

/// Python's simple string escapes; `None` for anything rarer.
fn unescape(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            '\n' => {}
            _ => return None,
        }
    }
    Some(out)
}

/// The table name of `sa.table("name", ...)` given to `bulk_insert`.
fn table_of(expr: &Expr, scope: &Scope) -> Option<Name> {
    match scope.resolve(expr)? {
        Expr::Call { func, args, .. } if matches!(callee_name(func), Some("table" | "Table")) => {
            args.first().and_then(|a| scope.name(a))
        }
        _ => None,
    }
}

/// The statement inside `.bindparams(...)`, `.columns(...)` and
/// `.execution_options(...)`, which do not change it:
/// `sa.text("...").bindparams(x=1)` → `sa.text("...")`.
pub fn statement_of(expr: &Expr) -> &Expr {
    let mut current = expr;
    while let Expr::Call { func, .. } = current
        && let Expr::Attribute { value, attr, .. } = func.as_ref()
        && matches!(
            attr.as_str(),
            "bindparams" | "columns" | "execution_options"
        )
    {
        current = value;
    }
    current
}

#[cfg(test)]
mod tests {
    use super::normalize_type;
    use crate::extract::{extract_str, extract_str_as};
    use crate::ir::{OpKind, Operation};
    use crate::sql::Dialect;

    fn upgrade_ops(source: &str) -> Vec<Operation> {
        extract_str(source).upgrade_ops().to_vec()
    }

    #[test]
    fn basic_operations() {
        let source = r#"
from alembic import op
import sqlalchemy as sa
revision = 'a'
down_revision = None
def upgrade():
    op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('email', sa.String(length=255), nullable=False))
    op.add_column('users', sa.Column('phone', sa.String(20)))
    op.alter_column('users', 'phone', type_=sa.Text(), nullable=True)
    op.alter_column('users', 'full_name', new_column_name='display_name')
    op.create_index(op.f('ix_users_email'), 'users', ['email'], unique=True)
    op.drop_index('ix_old', table_name='users')
    op.create_foreign_key('fk_a', 'dialogs', 'users', ['user_id'], ['id'], ondelete='CASCADE')
    op.drop_constraint('uq_x', 'users', type_='unique')
    op.rename_table('old', 'new')
def downgrade():
    op.drop_table('users')
"#;
        let ops = upgrade_ops(source);
        let kinds: Vec<_> = ops.iter().map(|o| o.kind).collect();
        assert_eq!(
            kinds,
            [
                OpKind::CreateTable,
                OpKind::AddColumn,
                OpKind::AlterColumn,
                OpKind::AlterColumn,
                OpKind::CreateIndex,
                OpKind::DropIndex,
                OpKind::CreateForeignKey,
                OpKind::DropConstraint,
                OpKind::RenameTable,
            ]
        );
        assert_eq!(ops[0].columns.len(), 2);
        assert_eq!(ops[0].columns[1].type_text.as_deref(), Some("String(255)"));
        assert_eq!(ops[0].columns[1].nullable, Some(false));
        assert_eq!(ops[1].column.as_deref(), Some("phone"));
        assert_eq!(ops[2].new_type.as_deref(), Some("Text"));
        assert_eq!(ops[2].new_nullable, Some(true));
        assert_eq!(ops[3].new_name.as_deref(), Some("display_name"));
        assert_eq!(ops[4].name.as_deref(), Some("ix_users_email"));
        assert_eq!(ops[4].table.as_deref(), Some("users"));
        assert_eq!(ops[5].table.as_deref(), Some("users"));
        assert_eq!(ops[6].table.as_deref(), Some("dialogs"));
        assert_eq!(ops[8].new_name.as_deref(), Some("new"));
        assert!(ops.iter().all(|o| o.unresolved.is_empty()), "{ops:#?}");
        assert_eq!(ops[4].args[0].span.text(source), "op.f('ix_users_email')");
        assert_eq!(ops[4].args[3].keyword.unwrap().text(source), "unique");
        assert_eq!(ops[4].args[3].span.text(source), "True");
    }

    #[test]
    fn column_name_given_as_keyword() {
        let ops = upgrade_ops(
            r#"
from alembic import op
import sqlalchemy as sa
def upgrade():
    op.add_column('users', sa.Column(name='phone', type_=sa.String(20)))
    op.create_table('t', sa.Column(sa.Integer(), name='id', primary_key=True), sa.Column('x', sa.Text(), name='ignored'))
"#,
        );
        assert_eq!(ops[0].column.as_deref(), Some("phone"));
        assert_eq!(ops[0].columns[0].type_text.as_deref(), Some("String(20)"));
        let columns: Vec<_> = ops[1]
            .columns
            .iter()
            .map(|c| (c.name.as_deref(), c.type_text.as_deref(), c.primary_key))
            .collect();
        assert_eq!(
            columns,
            [
                (Some("id"), Some("Integer"), true),
                // A leading string is the name (SQLAlchemy refuses both).
                (Some("x"), Some("Text"), false),
            ]
        );
    }

    #[test]
    fn batch_autocommit_helpers_and_aliases() {
        let ops = upgrade_ops(
            r#"
from alembic import op as alembic_op
import sqlalchemy as sa

def _add_timestamps(table):
    alembic_op.add_column(table, sa.Column('created_at', sa.DateTime()))

def upgrade():
    with alembic_op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('x', sa.Integer()))
        batch_op.drop_column('y')
    with alembic_op.get_context().autocommit_block():
        alembic_op.create_index('ix_a', 'accounts', ['x'], postgresql_concurrently=True)
    if True:
        _add_timestamps('orders')
"#,
        );
        assert_eq!(ops.len(), 4, "{ops:#?}");
        assert_eq!(ops[0].table.as_deref(), Some("accounts"));
        assert_eq!(ops[0].context.batch_table.as_deref(), Some("accounts"));
        assert_eq!(ops[1].column.as_deref(), Some("y"));
        assert!(ops[2].context.autocommit);
        assert_eq!(ops[3].table.as_deref(), Some("orders"));
        assert_eq!(ops[3].context.helper.as_deref(), Some("_add_timestamps"));
        assert!(ops[3].context.conditional);
    }

    #[test]
    fn execute_forms_and_data_migrations() {
        let source = r#"
from alembic import op
import sqlalchemy as sa
def upgrade():
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.execute(sa.text("UPDATE users SET active = true"))
    name = compute_name()
    op.execute(f"DROP TABLE {name}")
    conn = op.get_bind()
    conn.execute(sa.text("select 1"))
    t = sa.table('plans', sa.column('id'))
    op.bulk_insert(t, [{'id': 1}])
    op.sync_enum_values('public', 'status', [], [])
"#;
        let file = extract_str(source);
        let ops: Vec<&Operation> = file.operations().collect();
        assert_eq!(ops.len(), 5);
        let sql = ops[0].sql.as_ref().unwrap();
        assert_eq!(sql.statements[0].kind, "CREATE EXTENSION");
        assert!(ops[1].sql.as_ref().unwrap().is_dml());
        assert!(ops[2].sql.as_ref().unwrap().dynamic);
        assert_eq!(ops[3].kind, OpKind::BulkInsert);
        assert_eq!(ops[3].table.as_deref(), Some("plans"));
        assert_eq!(ops[4].kind, OpKind::Other);
        assert_eq!(ops[4].method(), "sync_enum_values");
        assert_eq!(file.get_bind.len(), 1);
    }

    /// SQLAlchemy Core statements hold no SQL text: they are data
    /// statements of their kind, not SQL that was not understood.
    #[test]
    fn core_statements_are_data_statements() {
        let source = r#"
from alembic import op
import sqlalchemy as sa
from sqlalchemy import delete
t = sa.table("t", sa.column("id"))
def upgrade():
    op.execute(t.update().where(t.c.id == 1).values(id=2))
    op.execute(sa.insert(t).values(id=1))
    op.execute(delete(t).where(t.c.id < 0))
    op.execute(t.delete())
    op.execute(sa.DDL("DROP TABLE t"))
"#;
        let ops = upgrade_ops(source);
        let core: Vec<_> = ops[..4]
            .iter()
            .map(|op| {
                let sql = op.sql.as_deref().unwrap();
                assert!(sql.core && !sql.dynamic && !sql.kept_verbatim(), "{sql:?}");
                assert!(op.is_data_migration());
                sql.statements[0].kind.as_str()
            })
            .collect();
        assert_eq!(core, ["UPDATE", "INSERT", "DELETE", "DELETE"]);
        let ddl = ops[4].sql.as_deref().unwrap();
        assert_eq!(ddl.statements[0].kind, "DROP TABLE");
        assert!(!ddl.core);
    }

    /// SQL built at run time is a data statement of the kind its text has
    /// whatever the values: a CTE, of the statement it feeds.
    #[test]
    fn dynamic_ctes_take_the_kind_they_feed() {
        let source = r#"
from alembic import op
from app import CUTOFF, TABLE
def upgrade():
    op.execute(f"WITH moved AS (DELETE FROM a WHERE at < '{CUTOFF}' RETURNING *) INSERT INTO b SELECT * FROM moved")
    op.execute(f"WITH s AS (SELECT id FROM a WHERE at < '{CUTOFF}') UPDATE a SET x = 1 FROM s WHERE a.id = s.id")
    op.execute(f"WITH s AS (SELECT 1) DELETE FROM {TABLE}; DROP TABLE {TABLE}")
"#;
        let ops = upgrade_ops(source);
        let kinds: Vec<Vec<&str>> = ops
            .iter()
            .map(|op| {
                let sql = op.sql.as_deref().unwrap();
                assert!(sql.dynamic);
                sql.statements.iter().map(|s| s.kind.as_str()).collect()
            })
            .collect();
        assert_eq!(kinds, [vec!["INSERT"], vec!["UPDATE"], vec![]]);
        assert!(!ops[2].is_data_migration());
    }

    #[test]
    fn non_literal_table_is_unresolved() {
        let ops = upgrade_ops(
            "from alembic import op\nfrom app import TABLE\ndef upgrade():\n    op.drop_column(TABLE, 'x')\n",
        );
        assert_eq!(ops[0].table, None);
        assert_eq!(ops[0].unresolved, ["table_name"]);
    }

    #[test]
    fn loops_over_literal_lists_are_unrolled_and_fstrings_read() {
        let source = r#"
from alembic import op
PAIRS = [("a_key", "b_key"), ("c_key", "d_key")]
SUFFIX = "2025"
def upgrade():
    for old, new in PAIRS:
        op.execute(f'ALTER TABLE t RENAME CONSTRAINT {old} TO {new}')
    for name in ["x", "y"]:
        op.drop_column("t", name)
        break
    op.execute(f"CREATE TABLE p_{SUFFIX} " f"PARTITION OF p DEFAULT")
    op.execute(f"SELECT {SUFFIX!r}")
"#;
        let ops = upgrade_ops(source);
        let sql: Vec<_> = ops
            .iter()
            .map(|o| o.sql.as_ref().and_then(|s| s.text.clone()))
            .collect();
        assert_eq!(
            sql[..2],
            [
                Some("ALTER TABLE t RENAME CONSTRAINT a_key TO b_key".to_owned()),
                Some("ALTER TABLE t RENAME CONSTRAINT c_key TO d_key".to_owned()),
            ]
        );
        assert!(ops[..2].iter().all(|o| !o.context.conditional));
        // A loop that can break stays conditional and unresolved.
        assert!(ops[2].context.conditional);
        assert_eq!(ops[2].column, None);
        assert_eq!(
            sql[3].as_deref(),
            Some("CREATE TABLE p_2025 PARTITION OF p DEFAULT")
        );
        // A conversion is not read.
        assert!(ops[4].sql.as_ref().unwrap().dynamic);
    }

    /// A test of the dialect's name is decided for the history's dialect:
    /// only the arm taken is walked, and its calls are not conditional.
    #[test]
    fn dialect_tests_are_decided() {
        let source = r#"
from alembic import op
import sqlalchemy as sa
from app import has_table
def upgrade():
    if op.get_context().dialect.name == "sqlite":
        with op.batch_alter_table("users") as batch:
            batch.alter_column("email", nullable=False)
    else:
        op.alter_column("users", "email", nullable=False)
    bind = op.get_bind()
    if bind.engine.name == "mysql":
        op.drop_index("ix_a", table_name="users")
    elif op.get_bind().dialect.name in ("postgresql", "sqlite"):
        op.create_index("ix_b", "users", ["b"])
    not_pg = bind.dialect.name != 'postgresql'
    if not not_pg and has_table("t"):
        op.drop_table("t")
    if has_table("u"):
        op.add_column("u", sa.Column("x", sa.Integer()))
    else:
        op.drop_column("u", "x")
"#;
        let summary = |dialect| {
            let file = extract_str_as(source, dialect);
            file.upgrade_ops()
                .iter()
                .map(|op| {
                    format!(
                        "{}{}{}{:?}",
                        op.method(),
                        if op.context.batch_table.is_some() {
                            " batch"
                        } else {
                            ""
                        },
                        if op.context.conditional {
                            " conditional"
                        } else {
                            ""
                        },
                        op.context
                            .arms
                            .iter()
                            .map(|(_, arm)| arm)
                            .collect::<Vec<_>>(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            summary(Dialect::PostgreSql),
            [
                "alter_column[]",
                "create_index[]",
                // `False and …` is false, `True and <unknown>` unknown.
                "drop_table conditional[0]",
                "add_column conditional[0]",
                "drop_column conditional[1]",
            ]
        );
        assert_eq!(
            summary(Dialect::Sqlite)[..2],
            ["alter_column batch[]", "create_index[]"]
        );
        // MySQL's dialect is named `mysql` or `mariadb`: undecided; the
        // `elif` after it is decided against.
        assert_eq!(
            summary(Dialect::MySql)[..3],
            [
                "alter_column[]",
                "drop_index conditional[0]",
                "add_column conditional[0]"
            ]
        );
        let file = extract_str_as(source, Dialect::PostgreSql);
        let ops = file.upgrade_ops();
        assert!(ops[3].context.excludes(&ops[4].context));
        assert!(!ops[2].context.excludes(&ops[3].context));
        // The connection, read only for its dialect, runs no query.
        assert!(file.get_bind.is_empty(), "{:?}", file.get_bind);
        let used = source.replace(
            "    if has_table(\"u\"):",
            "    bind.execute(sa.text(\"SELECT 1\"))\n    if has_table(\"u\"):",
        );
        assert_eq!(extract_str_as(&used, Dialect::PostgreSql).get_bind.len(), 1);
    }

    #[test]
    fn type_normalisation() {
        assert_eq!(normalize_type("sa.String(length=100)"), "String(100)");
        assert_eq!(normalize_type("sqlalchemy.Text()"), "Text");
        assert_eq!(normalize_type("postgresql.JSONB( )"), "JSONB");
    }
}
