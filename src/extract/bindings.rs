//! Name → value bindings, used to see through constants such as
//! `PREVIOUS = "a1b2"; down_revision = PREVIOUS` or `table = "users"`.
//!
//! Only assignments are followed, and only to the last assignment before
//! the point of use; anything else bound to a name (imports, loop targets,
//! parameters without a known argument) resolves to "unknown".

use rustc_hash::FxHashMap as HashMap;

use crate::python::{Expr, Module, Span, Stmt};

#[derive(Debug, Default, Clone)]
pub struct Bindings {
    /// For each name, its assignments in source order: (position, value).
    /// `None` means bound to something that is not an expression we keep.
    names: HashMap<String, Vec<(u32, Option<Expr>)>>,
}

impl Bindings {
    /// Top-level bindings of a module.
    pub fn module(module: &Module) -> Self {
        let mut bindings = Self::default();
        bindings.collect(&module.body, false);
        bindings
    }

    /// Bindings made inside a function body (all nesting levels; a loop's
    /// or branch's assignment counts as made at its position).
    pub fn function(body: &[Stmt]) -> Self {
        let mut bindings = Self::default();
        bindings.collect(body, true);
        bindings
    }

    pub fn bind(&mut self, name: &str, position: u32, value: Option<Expr>) {
        self.names
            .entry(name.to_owned())
            .or_default()
            .push((position, value));
    }

    /// The value of `name` as last assigned before `position`.
    /// `Some(None)` means the name is bound, but not to a known expression.
    pub fn lookup(&self, name: &str, position: u32) -> Option<Option<&Expr>> {
        let assignments = self.names.get(name)?;
        assignments
            .iter()
            .rev()
            .find(|(at, _)| *at < position)
            .map(|(_, value)| value.as_ref())
    }

    fn collect(&mut self, body: &[Stmt], nested: bool) {
        for stmt in body {
            let at = stmt.span().end;
            match stmt {
                Stmt::Assign { targets, value, .. } => {
                    for target in targets {
                        self.bind_target(target, at, Some(value));
                    }
                }
                Stmt::AnnAssign {
                    target,
                    value: Some(value),
                    ..
                } => self.bind_target(target, at, Some(value)),
                Stmt::FunctionDef { name, .. } | Stmt::ClassDef { name, .. } => {
                    self.bind(name, at, None)
                }
                Stmt::Import { names, .. } | Stmt::ImportFrom { names, .. } => {
                    for name in names {
                        let bound = name.asname.as_deref().unwrap_or(&name.name);
                        let bound = bound.split('.').next().unwrap_or(bound);
                        self.bind(bound, at, None);
                    }
                }
                Stmt::With { items, body, .. } if nested => {
                    for item in items {
                        if let Some(var) = &item.var {
                            self.bind_target(var, at, None);
                        }
                    }
                    self.collect(body, nested);
                }
                Stmt::Block { bodies, .. } if nested => {
                    for body in bodies {
                        self.collect(body, nested);
                    }
                }
                _ => {}
            }
        }
    }

    fn bind_target(&mut self, target: &Expr, at: u32, value: Option<&Expr>) {
        match target {
            Expr::Name { id, .. } => self.bind(id, at, value.cloned()),
            Expr::Tuple { elts, .. } | Expr::List { elts, .. } => {
                // `a, b = "x", "y"` binds element-wise; anything else is unknown.
                let values = match value {
                    Some(Expr::Tuple { elts: v, .. } | Expr::List { elts: v, .. })
                        if v.len() == elts.len() =>
                    {
                        v.iter().map(Some).collect()
                    }
                    _ => vec![None; elts.len()],
                };
                for (elt, value) in elts.iter().zip(values) {
                    self.bind_target(elt, at, value);
                }
            }
            _ => {}
        }
    }
}

/// A chain of scopes, innermost first.
#[derive(Clone)]
pub struct Scope<'a> {
    pub frames: Vec<&'a Bindings>,
}

/// How far name resolution follows `a = b; b = c` chains.
const MAX_DEPTH: usize = 16;

impl<'a> Scope<'a> {
    /// Follows names to the expression they were assigned. Returns `None`
    /// when a name is unknown (unbound, imported, a parameter).
    pub fn resolve<'e>(&'e self, expr: &'e Expr) -> Option<&'e Expr> {
        let mut current = expr;
        for _ in 0..MAX_DEPTH {
            let Expr::Name { id, span } = current else {
                return Some(current);
            };
            current = self.lookup(id, *span)?;
        }
        None
    }

    fn lookup(&self, name: &str, span: Span) -> Option<&'a Expr> {
        for frame in &self.frames {
            if let Some(bound) = frame.lookup(name, span.start) {
                return bound;
            }
        }
        None
    }

    /// The string value of an expression, seeing through names.
    /// `string`, as a `Name` (what operations store).
    pub fn name(&self, expr: &Expr) -> Option<crate::ir::Name> {
        self.string(expr).map(crate::ir::Name::from)
    }

    pub fn string(&self, expr: &Expr) -> Option<String> {
        match self.resolve(expr)? {
            Expr::Str { value, .. } => Some(value.clone()),
            // `op.f("ix_name")` marks a name as already converted; its value
            // is the literal inside.
            Expr::Call { func, args, .. }
                if matches!(func.as_ref(), Expr::Attribute { attr, .. } if attr == "f")
                    && args.len() == 1 =>
            {
                self.string(&args[0])
            }
            _ => None,
        }
    }

    /// A list of strings (`None`, a string, or a tuple/list of strings).
    /// `None` when any part is not known statically.
    pub fn string_list(&self, expr: &Expr) -> Option<Vec<(String, Span)>> {
        match self.resolve(expr)? {
            Expr::NoneLiteral { .. } => Some(Vec::new()),
            Expr::Str { value, .. } => Some(vec![(value.clone(), expr.span())]),
            Expr::Tuple { elts, .. } | Expr::List { elts, .. } => elts
                .iter()
                .map(|e| self.string(e).map(|s| (s, e.span())))
                .collect(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse_module;

    #[test]
    fn resolves_last_assignment_before_use() {
        let source = "A = 'one'\nB = A\nA = 'two'\nC = B\n";
        let module = parse_module(source).unwrap();
        let bindings = Bindings::module(&module);
        let scope = Scope {
            frames: vec![&bindings],
        };
        let use_of_b = Expr::Name {
            id: "B".into(),
            span: Span::new(source.len() as u32, source.len() as u32),
        };
        assert_eq!(scope.string(&use_of_b).as_deref(), Some("one"));
    }

    #[test]
    fn imported_names_are_unknown() {
        let source = "from cli import EXPAND\nX = EXPAND\n";
        let module = parse_module(source).unwrap();
        let bindings = Bindings::module(&module);
        let scope = Scope {
            frames: vec![&bindings],
        };
        let x = Expr::Name {
            id: "X".into(),
            span: Span::new(100, 100),
        };
        assert_eq!(scope.string(&x), None);
    }
}
