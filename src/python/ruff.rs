//! Conversion from ruff's Python AST (ruff_python_parser `=0.0.10`) to
//! migsquash's small tree.

use ruff_python_ast as ast;
use ruff_python_ast::token::TokenKind;
use ruff_python_ast::visitor::source_order::{SourceOrderVisitor, TraversalSignal, walk_body};
use ruff_text_size::{Ranged, TextRange};

use super::{
    BlockKind, CompareOp, Expr, ImportName, Keyword, MAX_DEPTH, MAX_INDENT, MAX_PARENS, Module,
    OtherKind, Stmt, SyntaxError, WithItem,
};
use crate::python::Span;

pub(super) fn parse_module(source: &str) -> Result<Module, SyntaxError> {
    // Unchecked: a tree with errors must still be measured before it is
    // dropped (see `Depth`).
    let parsed = ruff_python_parser::parse_unchecked_source(source, ast::PySourceType::Python);
    let mut depth = Depth::default();
    walk_body(&mut depth, &parsed.syntax().body);
    let errors = [
        parsed.errors().first().map(|err| SyntaxError {
            message: err.error.to_string(),
            span: span(err.location),
        }),
        token_nesting(parsed.tokens()),
        depth.error,
    ];
    // The first in the file, as Python reads it from the top.
    if let Some(error) = errors.into_iter().flatten().min_by_key(|e| e.span.start) {
        if depth.exceeded {
            // Dropping a tree deeper than MAX_DEPTH recurses as deep as it
            // goes and can overflow the stack: a refused file's tree is
            // leaked instead (memory in proportion to the file's size).
            std::mem::forget(parsed);
        }
        return Err(error);
    }
    let comments = parsed
        .tokens()
        .iter()
        .filter(|token| token.kind() == TokenKind::Comment)
        .map(|token| span(token.range()))
        .collect();
    let module = parsed.into_syntax();
    Ok(Module {
        body: stmts(&module.body),
        comments,
    })
}

/// Brackets and indentation nested beyond Python's own limits (its
/// tokenizer refuses them), located at the bracket or line that goes over.
fn token_nesting(tokens: &[ruff_python_ast::token::Token]) -> Option<SyntaxError> {
    let (mut parens, mut indent) = (0usize, 0usize);
    for token in tokens {
        let (limit, message) = match token.kind() {
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => {
                parens += 1;
                (parens > MAX_PARENS, "too many nested parentheses")
            }
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => {
                parens = parens.saturating_sub(1);
                continue;
            }
            TokenKind::Indent => {
                indent += 1;
                (indent >= MAX_INDENT, "too many levels of indentation")
            }
            TokenKind::Dedent => {
                indent = indent.saturating_sub(1);
                continue;
            }
            _ => continue,
        };
        if limit {
            let start = token.start().to_u32();
            return Some(SyntaxError {
                message: message.to_owned(),
                span: Span::new(start, start + 1),
            });
        }
    }
    None
}

/// Measures how deep the tree goes without going deeper than MAX_DEPTH, so
/// that this walk, the conversion below and every walker after it recurse
/// a bounded number of times.
#[derive(Default)]
struct Depth {
    current: usize,
    exceeded: bool,
    error: Option<SyntaxError>,
}

impl<'a> SourceOrderVisitor<'a> for Depth {
    fn enter_node(&mut self, node: ast::AnyNodeRef<'a>) -> TraversalSignal {
        self.current += 1;
        if self.current <= MAX_DEPTH {
            return TraversalSignal::Traverse;
        }
        self.exceeded = true;
        if self.error.is_none() {
            // Where the too-deep part starts: it may run to the end of the file.
            let start = node.start().to_u32();
            self.error = Some(SyntaxError {
                message: format!("nested too deeply (more than {MAX_DEPTH} levels)"),
                span: Span::new(start, start + 1),
            });
        }
        TraversalSignal::Skip
    }

    fn leave_node(&mut self, _node: ast::AnyNodeRef<'a>) {
        self.current -= 1;
    }
}

fn span(range: TextRange) -> Span {
    Span::new(range.start().to_u32(), range.end().to_u32())
}

fn stmts(body: &[ast::Stmt]) -> Vec<Stmt> {
    body.iter().map(stmt).collect()
}

fn stmt(node: &ast::Stmt) -> Stmt {
    let s = span(node.range());
    match node {
        ast::Stmt::Assign(assign) => Stmt::Assign {
            targets: assign.targets.iter().map(expr).collect(),
            value: expr(&assign.value),
            span: s,
        },
        ast::Stmt::AnnAssign(assign) => Stmt::AnnAssign {
            target: expr(&assign.target),
            value: assign.value.as_deref().map(expr),
            span: s,
        },
        ast::Stmt::FunctionDef(def) => {
            let params = &def.parameters;
            let params = params
                .posonlyargs
                .iter()
                .chain(params.args.iter())
                .chain(params.kwonlyargs.iter())
                .map(|p| p.parameter.name.id.to_string())
                .collect();
            Stmt::FunctionDef {
                name: def.name.id.to_string(),
                params,
                body: stmts(&def.body),
                span: s,
            }
        }
        ast::Stmt::ClassDef(class) => Stmt::ClassDef {
            name: class.name.id.to_string(),
            bases: class.bases().iter().map(expr).collect(),
            body: stmts(&class.body),
            span: s,
        },
        ast::Stmt::With(with) => Stmt::With {
            items: with
                .items
                .iter()
                .map(|item| WithItem {
                    context: expr(&item.context_expr),
                    var: item.optional_vars.as_deref().map(expr),
                })
                .collect(),
            body: stmts(&with.body),
            span: s,
        },
        ast::Stmt::If(node) => {
            let mut header = vec![expr(&node.test)];
            let mut bodies = vec![stmts(&node.body)];
            for clause in &node.elif_else_clauses {
                header.extend(clause.test.as_ref().map(expr));
                bodies.push(stmts(&clause.body));
            }
            Stmt::Block {
                kind: BlockKind::If,
                header,
                bodies,
                span: s,
            }
        }
        ast::Stmt::For(node) => Stmt::Block {
            kind: BlockKind::For,
            // The iterable, then the target (`for a, b in PAIRS`).
            header: vec![expr(&node.iter), expr(&node.target)],
            bodies: vec![stmts(&node.body), stmts(&node.orelse)],
            span: s,
        },
        ast::Stmt::While(node) => Stmt::Block {
            kind: BlockKind::While,
            header: vec![expr(&node.test)],
            bodies: vec![stmts(&node.body), stmts(&node.orelse)],
            span: s,
        },
        ast::Stmt::Try(node) => {
            let mut bodies = vec![stmts(&node.body)];
            for handler in &node.handlers {
                let ast::ExceptHandler::ExceptHandler(handler) = handler;
                bodies.push(stmts(&handler.body));
            }
            bodies.push(stmts(&node.orelse));
            bodies.push(stmts(&node.finalbody));
            Stmt::Block {
                kind: BlockKind::Try,
                header: Vec::new(),
                bodies,
                span: s,
            }
        }
        ast::Stmt::Match(node) => Stmt::Block {
            kind: BlockKind::Match,
            header: vec![expr(&node.subject)],
            bodies: node.cases.iter().map(|case| stmts(&case.body)).collect(),
            span: s,
        },
        ast::Stmt::Expr(node) => Stmt::Expr {
            value: expr(&node.value),
            span: s,
        },
        ast::Stmt::Return(node) => Stmt::Return {
            value: node.value.as_deref().map(expr),
            span: s,
        },
        ast::Stmt::Import(node) => Stmt::Import {
            names: node.names.iter().map(import_name).collect(),
            span: s,
        },
        ast::Stmt::ImportFrom(node) => Stmt::ImportFrom {
            module: node.module.as_ref().map(|m| m.id.to_string()),
            level: node.level,
            names: node.names.iter().map(import_name).collect(),
            span: s,
        },
        _ => Stmt::Other { span: s },
    }
}

fn import_name(alias: &ast::Alias) -> ImportName {
    ImportName {
        name: alias.name.id.to_string(),
        asname: alias.asname.as_ref().map(|n| n.id.to_string()),
    }
}

fn exprs<'a>(nodes: impl IntoIterator<Item = &'a ast::Expr>) -> Vec<Expr> {
    nodes.into_iter().map(expr).collect()
}

fn expr(node: &ast::Expr) -> Expr {
    let s = span(node.range());
    match node {
        ast::Expr::StringLiteral(lit) => Expr::Str {
            value: lit.value.to_str().to_owned(),
            span: s,
        },
        ast::Expr::FString(_) | ast::Expr::TString(_) => Expr::FString { span: s },
        ast::Expr::Name(name) => Expr::Name {
            id: name.id.to_string(),
            span: s,
        },
        ast::Expr::Attribute(attr) => Expr::Attribute {
            value: Box::new(expr(&attr.value)),
            attr: attr.attr.id.to_string(),
            span: s,
        },
        ast::Expr::Call(call) => Expr::Call {
            func: Box::new(expr(&call.func)),
            args: exprs(call.arguments.args.iter()),
            keywords: call
                .arguments
                .keywords
                .iter()
                .map(|kw| Keyword {
                    arg: kw.arg.as_ref().map(|a| a.id.to_string()),
                    value: expr(&kw.value),
                    span: span(kw.range),
                })
                .collect(),
            span: s,
        },
        ast::Expr::Tuple(tuple) => Expr::Tuple {
            elts: exprs(&tuple.elts),
            span: s,
        },
        ast::Expr::List(list) => Expr::List {
            elts: exprs(&list.elts),
            span: s,
        },
        ast::Expr::NoneLiteral(_) => Expr::NoneLiteral { span: s },
        ast::Expr::BooleanLiteral(b) => Expr::Bool {
            value: b.value,
            span: s,
        },
        ast::Expr::NumberLiteral(_) => Expr::Number { span: s },
        other => Expr::Other {
            kind: match other {
                ast::Expr::Dict(dict) if dict.items.iter().all(|item| item.key.is_some()) => {
                    OtherKind::Dict
                }
                ast::Expr::UnaryOp(op) if op.op == ast::UnaryOp::Not => OtherKind::Not,
                ast::Expr::UnaryOp(_) => OtherKind::UnaryOp,
                ast::Expr::BoolOp(op) if op.op == ast::BoolOp::And => OtherKind::And,
                ast::Expr::BoolOp(_) => OtherKind::Or,
                ast::Expr::Set(_) => OtherKind::Set,
                ast::Expr::Compare(cmp) => match &*cmp.ops {
                    [ast::CmpOp::Eq] => OtherKind::Compare(CompareOp::Eq),
                    [ast::CmpOp::NotEq] => OtherKind::Compare(CompareOp::NotEq),
                    [ast::CmpOp::In] => OtherKind::Compare(CompareOp::In),
                    [ast::CmpOp::NotIn] => OtherKind::Compare(CompareOp::NotIn),
                    _ => OtherKind::Complex,
                },
                _ => OtherKind::Complex,
            },
            children: children(other),
            span: s,
        },
    }
}

/// Sub-expressions of the expression kinds that `expr` does not model.
fn children(node: &ast::Expr) -> Vec<Expr> {
    match node {
        ast::Expr::BoolOp(n) => exprs(&n.values),
        ast::Expr::Named(n) => vec![expr(&n.value)],
        ast::Expr::BinOp(n) => vec![expr(&n.left), expr(&n.right)],
        ast::Expr::UnaryOp(n) => vec![expr(&n.operand)],
        ast::Expr::Lambda(n) => vec![expr(&n.body)],
        ast::Expr::If(n) => vec![expr(&n.test), expr(&n.body), expr(&n.orelse)],
        ast::Expr::Dict(n) => n
            .items
            .iter()
            .flat_map(|item| item.key.iter().chain(std::iter::once(&item.value)))
            .map(expr)
            .collect(),
        ast::Expr::Set(n) => exprs(&n.elts),
        ast::Expr::ListComp(n) => comprehension(&n.elt, &n.generators),
        ast::Expr::SetComp(n) => comprehension(&n.elt, &n.generators),
        ast::Expr::Generator(n) => comprehension(&n.elt, &n.generators),
        ast::Expr::DictComp(n) => {
            let mut out: Vec<Expr> = n.key.as_deref().map(expr).into_iter().collect();
            out.push(expr(&n.value));
            out.extend(n.generators.iter().map(|g| expr(&g.iter)));
            out
        }
        ast::Expr::Await(n) => vec![expr(&n.value)],
        ast::Expr::Compare(n) => std::iter::once(expr(&n.left))
            .chain(n.comparators.iter().map(expr))
            .collect(),
        ast::Expr::Subscript(n) => vec![expr(&n.value), expr(&n.slice)],
        ast::Expr::Starred(n) => vec![expr(&n.value)],
        _ => Vec::new(),
    }
}

fn comprehension(elt: &ast::Expr, generators: &[ast::Comprehension]) -> Vec<Expr> {
    std::iter::once(elt)
        .chain(generators.iter().map(|g| &g.iter))
        .map(expr)
        .collect()
}
