//! The revision header: the module-level `revision`, `down_revision`,
//! `branch_labels` and `depends_on` that Alembic reads after importing the
//! file. Read from the code only, never from the docstring or file name.

use std::borrow::Cow;

use super::bindings::{Bindings, Scope};
use crate::ir::{Header, NonLiteral, Spanned};
use crate::python::{Expr, Module, OtherKind, Stmt};

const FIELDS: &[&str] = &["revision", "down_revision", "branch_labels", "depends_on"];

pub fn extract(module: &Module, bindings: &Bindings, source: &str) -> Header {
    let scope = Scope {
        frames: vec![bindings],
    };
    let mut header = Header {
        message: module.docstring().map(message_of),
        ..Header::default()
    };
    // Top-level statements run in order, so the last assignment wins.
    for stmt in &module.body {
        let (targets, value): (Vec<&Expr>, &Expr) = match stmt {
            Stmt::Assign { targets, value, .. } => (targets.iter().collect(), value),
            Stmt::AnnAssign {
                target,
                value: Some(value),
                ..
            } => (vec![target], value),
            _ => continue,
        };
        for target in targets {
            let Some(field) = target
                .as_name()
                .and_then(|n| FIELDS.iter().find(|f| **f == n))
            else {
                continue;
            };
            assign(&mut header, field, value, &scope, source);
        }
    }
    header
}

fn assign(header: &mut Header, field: &'static str, value: &Expr, scope: &Scope, source: &str) {
    header.non_literal.retain(|n| n.field != field);
    let non_literal = NonLiteral {
        field: field.into(),
        span: value.span(),
        text: value.span().text(source).to_owned(),
        wrong_type: wrong_type(value, field == "revision", scope, source),
    };
    if field == "revision" {
        header.revision = match scope.string(value) {
            Some(id) => Some(Spanned {
                value: id,
                span: value.span(),
            }),
            None => {
                header.non_literal.push(non_literal);
                None
            }
        };
        return;
    }
    let list = match scope.string_list(value) {
        Some(items) => items
            .into_iter()
            .map(|(value, span)| Spanned { value, span })
            .collect(),
        None => {
            header.non_literal.push(non_literal);
            Vec::new()
        }
    };
    match field {
        "down_revision" => header.down_revisions = list,
        "branch_labels" => header.branch_labels = list,
        _ => header.depends_on = list,
    }
}

/// What a header value that is a literal, but not of a type Alembic reads,
/// is: `revision = None` and `revision = 123` are known values, only the
/// wrong ones. `None` when it is not a literal (or is fine).
fn wrong_type(
    value: &Expr,
    string_only: bool,
    scope: &Scope,
    source: &str,
) -> Option<Cow<'static, str>> {
    let value = scope.resolve(value)?;
    match value {
        Expr::NoneLiteral { .. } if !string_only => None,
        Expr::Tuple { elts, .. } | Expr::List { elts, .. } if !string_only => {
            let container = if matches!(value, Expr::Tuple { .. }) {
                "a tuple"
            } else {
                "a list"
            };
            // The first element that is not a string decides; a
            // non-literal one makes the whole value a non-literal.
            let element = elts.iter().find(|e| scope.string(e).is_none())?;
            let kind = literal_kind(scope.resolve(element)?, source)?;
            Some(format!("{container} holding {kind}").into())
        }
        other => literal_kind(other, source).map(Cow::Borrowed),
    }
}

/// The type of a literal that is not a string, as a message says it.
fn literal_kind(expr: &Expr, source: &str) -> Option<&'static str> {
    Some(match expr {
        Expr::NoneLiteral { .. } => "None",
        Expr::Bool { .. } => "a boolean",
        Expr::Number { span } => {
            let text = span.text(source).to_ascii_lowercase();
            let integer = text.starts_with("0x")
                || text.starts_with("0o")
                || text.starts_with("0b")
                || text.chars().all(|c| c.is_ascii_digit() || c == '_');
            if integer { "an integer" } else { "a number" }
        }
        // `-1`: a number with its sign.
        Expr::Other {
            kind: OtherKind::UnaryOp,
            children,
            span,
        } if span.text(source).starts_with(['-', '+']) => match children.as_slice() {
            [number @ Expr::Number { .. }] => literal_kind(number, source)?,
            _ => return None,
        },
        Expr::Other {
            kind: OtherKind::Dict,
            ..
        } => "a dict",
        Expr::Tuple { .. } => "a tuple",
        Expr::List { .. } => "a list",
        _ => return None,
    })
}

/// Alembic shows the first paragraph of the docstring as the message.
fn message_of(docstring: &str) -> String {
    let first = docstring.trim().split("\n\n").next().unwrap_or("");
    first.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use crate::extract::extract_str;
    use crate::ir::FileProblem;

    fn ids(list: &[crate::ir::Spanned<String>]) -> Vec<&str> {
        list.iter().map(|s| s.value.as_str()).collect()
    }

    #[test]
    fn classic_header() {
        let file = extract_str(
            "\"\"\"add users\n\nRevision ID: ffff\nRevises: eeee\n\"\"\"\nrevision = 'a1'\ndown_revision = 'b2'\nbranch_labels = None\ndepends_on = None\n",
        );
        let header = &file.header;
        assert_eq!(file.revision_id(), Some("a1"));
        assert_eq!(ids(&header.down_revisions), ["b2"]);
        assert!(header.branch_labels.is_empty());
        assert_eq!(header.message.as_deref(), Some("add users"));
        assert!(file.problem.is_none());
    }

    #[test]
    fn annotated_header_and_unicode_strings() {
        let file = extract_str(
            "from typing import Sequence, Union\nrevision: str = u\"a1\"\ndown_revision: Union[str, None] = (u'b2', 'c3')\nbranch_labels: Union[str, Sequence[str], None] = 'feature'\ndepends_on: Union[str, Sequence[str], None] = ['d4']\n",
        );
        let header = &file.header;
        assert_eq!(file.revision_id(), Some("a1"));
        assert_eq!(ids(&header.down_revisions), ["b2", "c3"]);
        assert_eq!(ids(&header.branch_labels), ["feature"]);
        assert_eq!(ids(&header.depends_on), ["d4"]);
    }

    #[test]
    fn last_assignment_wins() {
        let file = extract_str("revision = 'a1'\ndown_revision = 'x'\ndown_revision = 'y'\n");
        assert_eq!(ids(&file.header.down_revisions), ["y"]);
    }

    #[test]
    fn empty_tuple_is_a_base() {
        let file = extract_str("revision = 'a1'\ndown_revision = ()\n");
        assert!(file.header.down_revisions.is_empty());
        assert!(file.header.non_literal.is_empty());
    }

    #[test]
    fn module_constants_are_seen_through() {
        let file = extract_str(
            "PREVIOUS = 'b2'\nLABEL = 'expand'\nrevision = 'a1'\ndown_revision = PREVIOUS\nbranch_labels = (LABEL,)\n",
        );
        assert_eq!(ids(&file.header.down_revisions), ["b2"]);
        assert_eq!(ids(&file.header.branch_labels), ["expand"]);
    }

    #[test]
    fn non_literal_values_are_reported_with_location() {
        let source = "from myapp import cli\nrevision = 'a1'\ndown_revision = None\nbranch_labels = (cli.EXPAND_BRANCH,)\n";
        let file = extract_str(source);
        let non_literal = &file.header.non_literal;
        assert_eq!(non_literal.len(), 1);
        assert_eq!(non_literal[0].field, "branch_labels");
        assert_eq!(non_literal[0].text, "(cli.EXPAND_BRANCH,)");
        assert_eq!(non_literal[0].span.text(source), "(cli.EXPAND_BRANCH,)");
    }

    #[test]
    fn literals_of_the_wrong_type_are_told_apart() {
        let file = extract_str(
            "REV = 0x1f\nrevision = REV\ndown_revision = ('a', -2.5)\nbranch_labels = True\ndepends_on = ['x', name]\n",
        );
        let found: Vec<_> = file
            .header
            .non_literal
            .iter()
            .map(|n| (n.field.as_ref(), n.text.as_str(), n.wrong_type.as_deref()))
            .collect();
        assert_eq!(
            found,
            [
                ("revision", "REV", Some("an integer")),
                (
                    "down_revision",
                    "('a', -2.5)",
                    Some("a tuple holding a number")
                ),
                ("branch_labels", "True", Some("a boolean")),
                // An unknown name: not a literal at all.
                ("depends_on", "['x', name]", None),
            ]
        );
        let file = extract_str("revision = None\ndown_revision = None\n");
        let found: Vec<_> = file
            .header
            .non_literal
            .iter()
            .map(|n| (n.field.as_ref(), n.wrong_type.as_deref()))
            .collect();
        assert_eq!(found, [("revision", Some("None"))]);
    }

    #[test]
    fn missing_revision_is_a_problem() {
        let file = extract_str("def helper():\n    pass\n");
        assert!(matches!(file.problem, Some(FileProblem::NoRevisionId)));
    }

    #[test]
    fn docstring_never_decides() {
        let file = extract_str(
            "\"\"\"msg\n\nRevision ID: zzzz\nRevises: yyyy\n\"\"\"\nrevision = 'a1'\ndown_revision = 'b2'\n",
        );
        assert_eq!(file.revision_id(), Some("a1"));
        assert_eq!(ids(&file.header.down_revisions), ["b2"]);
    }
}
