//! The one place that knows which Python parser migsquash uses.
//!
//! Everything else works on the small tree defined here: the statements and
//! expressions that matter for reading revision headers and `op.*` calls,
//! each with its byte span in the source. Swapping the parser means rewriting
//! `ruff.rs` only (see docs/parser.md).

mod ruff;

use serde::{Deserialize, Serialize};

/// A byte range into one source file. Analysis never computes lines; the
/// reporters do, with the file's `ir::LineTable`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: u32, end: u32) -> Self {
        Self { start, end }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The source text this span covers.
    pub fn text(self, source: &str) -> &str {
        source.get(self.range()).unwrap_or("")
    }
}

#[derive(Debug, Clone)]
pub struct Module {
    pub body: Vec<Stmt>,
    /// Every comment, `#` to the end of its line, from the tokens (so a
    /// `#` inside a string is not one), in source order.
    pub comments: Vec<Span>,
}

impl Module {
    /// The module docstring, if the first statement is a plain string.
    pub fn docstring(&self) -> Option<&str> {
        match self.body.first() {
            Some(Stmt::Expr {
                value: Expr::Str { value, .. },
                ..
            }) => Some(value),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    If,
    For,
    While,
    Try,
    Match,
}

#[derive(Debug, Clone)]
pub enum Stmt {
    Assign {
        targets: Vec<Expr>,
        value: Expr,
        span: Span,
    },
    AnnAssign {
        target: Expr,
        value: Option<Expr>,
        span: Span,
    },
    FunctionDef {
        name: String,
        params: Vec<String>,
        body: Vec<Stmt>,
        span: Span,
    },
    ClassDef {
        name: String,
        bases: Vec<Expr>,
        body: Vec<Stmt>,
        span: Span,
    },
    With {
        items: Vec<WithItem>,
        body: Vec<Stmt>,
        span: Span,
    },
    /// if/for/while/try/match: nested bodies that run conditionally or
    /// repeatedly. `header` holds the expressions evaluated by the statement
    /// itself (the test of an `if`, the iterable of a `for`).
    Block {
        kind: BlockKind,
        header: Vec<Expr>,
        bodies: Vec<Vec<Stmt>>,
        span: Span,
    },
    Expr {
        value: Expr,
        span: Span,
    },
    Return {
        value: Option<Expr>,
        span: Span,
    },
    Import {
        names: Vec<ImportName>,
        span: Span,
    },
    ImportFrom {
        module: Option<String>,
        /// The leading dots of a relative import.
        level: u32,
        names: Vec<ImportName>,
        span: Span,
    },
    Other {
        span: Span,
    },
}

impl Stmt {
    pub fn span(&self) -> Span {
        match self {
            Stmt::Assign { span, .. }
            | Stmt::AnnAssign { span, .. }
            | Stmt::FunctionDef { span, .. }
            | Stmt::ClassDef { span, .. }
            | Stmt::With { span, .. }
            | Stmt::Block { span, .. }
            | Stmt::Expr { span, .. }
            | Stmt::Return { span, .. }
            | Stmt::Import { span, .. }
            | Stmt::ImportFrom { span, .. }
            | Stmt::Other { span } => *span,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ImportName {
    pub name: String,
    pub asname: Option<String>,
}

#[derive(Debug, Clone)]
pub struct WithItem {
    pub context: Expr,
    pub var: Option<Expr>,
}

#[derive(Debug, Clone)]
pub struct Keyword {
    /// `None` for `**kwargs`.
    pub arg: Option<String>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Expr {
    /// A string literal whose value is known (prefixes and implicit
    /// concatenation resolved by the parser).
    Str {
        value: String,
        span: Span,
    },
    /// An f-string: its value is only known at run time.
    FString {
        span: Span,
    },
    Name {
        id: String,
        span: Span,
    },
    Attribute {
        value: Box<Expr>,
        attr: String,
        span: Span,
    },
    Call {
        func: Box<Expr>,
        args: Vec<Expr>,
        keywords: Vec<Keyword>,
        span: Span,
    },
    Tuple {
        elts: Vec<Expr>,
        span: Span,
    },
    List {
        elts: Vec<Expr>,
        span: Span,
    },
    NoneLiteral {
        span: Span,
    },
    Bool {
        value: bool,
        span: Span,
    },
    Number {
        span: Span,
    },
    /// Any other expression; `children` keeps its sub-expressions so that
    /// calls nested inside (e.g. `op.get_bind()` in a comprehension) are seen.
    Other {
        kind: OtherKind,
        children: Vec<Expr>,
        span: Span,
    },
}

/// What an `Expr::Other` is, where a consumer needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtherKind {
    /// `{k: v, ...}` without `**` unpacking: `children` alternate key, value.
    Dict,
    /// `-1`, `~x`, …
    UnaryOp,
    /// `not x`.
    Not,
    /// `a and b and …`.
    And,
    /// `a or b or …`.
    Or,
    /// `{a, b}`.
    Set,
    /// `a == b` and the like, with one operator: `children` are the two
    /// operands. A chained comparison is `Complex`.
    Compare(CompareOp),
    /// Anything else (operators, comprehensions, lambdas, subscripts, …).
    Complex,
}

/// The operator of a comparison that extraction decides (`dialect.name ==
/// "sqlite"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    NotEq,
    In,
    NotIn,
}

impl Expr {
    pub fn span(&self) -> Span {
        match self {
            Expr::Str { span, .. }
            | Expr::FString { span }
            | Expr::Name { span, .. }
            | Expr::Attribute { span, .. }
            | Expr::Call { span, .. }
            | Expr::Tuple { span, .. }
            | Expr::List { span, .. }
            | Expr::NoneLiteral { span }
            | Expr::Bool { span, .. }
            | Expr::Number { span }
            | Expr::Other { span, .. } => *span,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Expr::Str { value, .. } => Some(value),
            _ => None,
        }
    }

    pub fn as_name(&self) -> Option<&str> {
        match self {
            Expr::Name { id, .. } => Some(id),
            _ => None,
        }
    }

    /// `a.b.c` as a dotted path, when the expression is only names and
    /// attributes.
    pub fn dotted_name(&self) -> Option<String> {
        match self {
            Expr::Name { id, .. } => Some(id.clone()),
            Expr::Attribute { value, attr, .. } => {
                let mut base = value.dotted_name()?;
                base.push('.');
                base.push_str(attr);
                Some(base)
            }
            _ => None,
        }
    }

    /// Calls `visit` on this expression and every expression inside it,
    /// outermost first.
    pub fn walk<'a>(&'a self, visit: &mut impl FnMut(&'a Expr)) {
        visit(self);
        match self {
            Expr::Attribute { value, .. } => value.walk(visit),
            Expr::Call {
                func,
                args,
                keywords,
                ..
            } => {
                func.walk(visit);
                args.iter().for_each(|a| a.walk(visit));
                keywords.iter().for_each(|k| k.value.walk(visit));
            }
            Expr::Tuple { elts, .. } | Expr::List { elts, .. } => {
                elts.iter().for_each(|e| e.walk(visit))
            }
            Expr::Other { children, .. } => children.iter().for_each(|e| e.walk(visit)),
            _ => {}
        }
    }
}

impl Module {
    /// Calls `visit` on every expression of the module, in every statement
    /// at every nesting level (function and class bodies included).
    pub fn walk_exprs<'a>(&'a self, visit: &mut impl FnMut(&'a Expr)) {
        fn stmts<'a>(body: &'a [Stmt], visit: &mut impl FnMut(&'a Expr)) {
            for stmt in body {
                match stmt {
                    Stmt::Assign { targets, value, .. } => {
                        targets.iter().for_each(|t| t.walk(visit));
                        value.walk(visit);
                    }
                    Stmt::AnnAssign { target, value, .. } => {
                        target.walk(visit);
                        if let Some(value) = value {
                            value.walk(visit);
                        }
                    }
                    Stmt::FunctionDef { body, .. } | Stmt::ClassDef { body, .. } => {
                        stmts(body, visit)
                    }
                    Stmt::With { items, body, .. } => {
                        for item in items {
                            item.context.walk(visit);
                            if let Some(var) = &item.var {
                                var.walk(visit);
                            }
                        }
                        stmts(body, visit);
                    }
                    Stmt::Block { header, bodies, .. } => {
                        header.iter().for_each(|e| e.walk(visit));
                        bodies.iter().for_each(|b| stmts(b, visit));
                    }
                    Stmt::Expr { value, .. }
                    | Stmt::Return {
                        value: Some(value), ..
                    } => value.walk(visit),
                    _ => {}
                }
            }
        }
        stmts(&self.body, visit);
    }
}

/// More open brackets than this are refused, as Python's tokenizer refuses
/// them ("too many nested parentheses").
pub const MAX_PARENS: usize = 200;

/// Python's tokenizer refuses the 100th level of indentation.
pub const MAX_INDENT: usize = 100;

/// A syntax tree deeper than this (statements, expressions and their
/// parts, counted as the parser nests them) is refused as "nested too
/// deeply". CPython 3.11 stops compiling expressions nested about 3,000
/// deep; bounding the depth here bounds every recursive walk of the tree
/// (conversion, extraction, replay, rendering, dropping), so that deep
/// input is a located error, never a stack overflow. The threads that run
/// those walks need `crate::STACK_SIZE` of stack.
pub const MAX_DEPTH: usize = 3000;

/// A Python syntax error, located.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
}

/// Parses a whole module. Only the first syntax error is returned: one is
/// enough to say the file cannot be read the way Python would.
pub fn parse_module(source: &str) -> Result<Module, SyntaxError> {
    ruff::parse_module(source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_strings_with_prefixes_and_concatenation() {
        let module = parse_module("a = u'x' 'y'\nb = f'{a}'\n").unwrap();
        let Stmt::Assign { value, .. } = &module.body[0] else {
            panic!("expected assignment")
        };
        assert_eq!(value.as_str(), Some("xy"));
        let Stmt::Assign { value, .. } = &module.body[1] else {
            panic!("expected assignment")
        };
        assert!(matches!(value, Expr::FString { .. }));
    }

    #[test]
    fn comments_come_from_the_tokens() {
        let source = "# a\nx = '# not one'  # b\ny = f\"{1}#c\"\ns = '''\n# d\n'''  # e\n";
        let module = parse_module(source).unwrap();
        let comments: Vec<&str> = module.comments.iter().map(|c| c.text(source)).collect();
        assert_eq!(comments, ["# a", "# b", "# e"]);
    }

    #[test]
    fn parses_pep701_fstrings() {
        let source = "x = f\"{'a' + \"b\"}\"\n";
        assert!(parse_module(source).is_ok());
    }

    #[test]
    fn reports_syntax_errors_with_span() {
        let source = "def upgrade(:\n    pass\n";
        let err = parse_module(source).unwrap_err();
        assert!(err.span.start >= 12, "{err:?}");
        assert!(!err.message.is_empty());
    }

    /// Runs `f` with the stack the CLI gives its threads: a tree at
    /// `MAX_DEPTH` needs more than a test thread has in a debug build.
    fn on_cli_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
        std::thread::scope(|scope| {
            std::thread::Builder::new()
                .stack_size(crate::STACK_SIZE)
                .spawn_scoped(scope, f)
                .unwrap()
                .join()
                .unwrap()
        })
    }

    #[test]
    fn nesting_beyond_pythons_limits_is_a_located_error() {
        on_cli_stack(|| {
            let parens = |n| format!("x = {}1{}\n", "(".repeat(n), ")".repeat(n));
            assert!(parse_module(&parens(MAX_PARENS)).is_ok());
            let err = parse_module(&parens(MAX_PARENS + 1)).unwrap_err();
            assert_eq!(err.message, "too many nested parentheses");
            assert_eq!(err.span.start as usize, 4 + MAX_PARENS);

            let indented = |n: usize| {
                let mut source: String = (0..n)
                    .map(|i| format!("{}if x:\n", " ".repeat(i)))
                    .collect();
                source.push_str(&format!("{}pass\n", " ".repeat(n)));
                source
            };
            assert!(parse_module(&indented(MAX_INDENT - 1)).is_ok());
            let source = indented(MAX_INDENT);
            let err = parse_module(&source).unwrap_err();
            assert_eq!(err.message, "too many levels of indentation");
            assert_eq!(
                source[..err.span.start as usize].lines().count(),
                MAX_INDENT
            );

            // Operators and calls nest without brackets; Python compiles
            // about 3,000 levels.
            let unary = |n| format!("x = {}1\n", "-".repeat(n));
            assert!(parse_module(&unary(MAX_DEPTH - 10)).is_ok());
            for source in [
                unary(100_000),
                format!("x = 1{}\n", " + 1".repeat(20_000)),
                format!("x = a{}\n", ".b".repeat(20_000)),
                format!("x = {}1\n", "lambda: ".repeat(20_000)),
                // A deep tree with a syntax error after it is measured too.
                format!("x = {}1\ny = (\n", "not ".repeat(50_000)),
                // Inside an f-string, which the tree here does not keep.
                format!("x = f'{{{}1}}'\n", "-".repeat(50_000)),
            ] {
                let err = parse_module(&source).unwrap_err();
                assert_eq!(
                    err.message,
                    format!("nested too deeply (more than {MAX_DEPTH} levels)")
                );
                assert!(err.span.start >= 4, "{err:?}");
            }
        });
    }

    #[test]
    fn dotted_names_and_spans() {
        let source = "op.get_context().autocommit_block()\n";
        let module = parse_module(source).unwrap();
        let Stmt::Expr { value, .. } = &module.body[0] else {
            panic!()
        };
        assert_eq!(value.span().text(source), source.trim_end());
        let Expr::Call { func, .. } = value else {
            panic!()
        };
        let Expr::Attribute { attr, .. } = func.as_ref() else {
            panic!()
        };
        assert_eq!(attr, "autocommit_block");
    }
}
