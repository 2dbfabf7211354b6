//! The revision header: the module-level `revision`, `down_revision`,
//! `branch_labels` and `depends_on` that Alembic reads after importing the
//! file. Read from the code only, never from the docstring or file name.

use super::bindings::{Bindings, Scope};
use crate::ir::{Header, NonLiteral, Spanned};
use crate::python::{Expr, Module, Stmt};

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
