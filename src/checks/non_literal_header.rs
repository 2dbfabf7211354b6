use super::{Check, CheckMeta, Context, declare_check};
use crate::diagnostic::{Diagnostic, Severity};

declare_check! {
    /// A header value is not a literal, or a literal of the wrong type.
    ///
    /// ## What it finds
    /// `revision`, `down_revision`, `branch_labels` or `depends_on` set to
    /// an expression whose value is only known when Python runs the file,
    /// such as an imported constant: `branch_labels = (cli.EXPAND_BRANCH,)`;
    /// or to a literal Alembic does not read as revision ids or labels:
    /// `revision = None`, `down_revision = 123`. Names bound to literals in
    /// the same file are followed and are fine.
    ///
    /// ## Why
    /// migsquash never imports your application, so it cannot know the
    /// value and will not guess: the revision's place in the graph is
    /// unknown (an error for `revision` and `down_revision`) or its labels
    /// and dependencies are incomplete (a warning). Reviewers reading the
    /// file face the same problem. A value of the wrong type is known, but
    /// is no revision id: `revision` must be a string, the others a string,
    /// a tuple or list of strings, or `None`.
    ///
    /// ## How to fix
    /// Write the value as a string literal, or a tuple of them.
    pub struct NonLiteralHeader {
        code: "MS008",
        name: "non-literal-header",
        severity: Error,
    }
}

impl Check for NonLiteralHeader {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn run(&self, ctx: &Context, out: &mut Vec<Diagnostic>) {
        for (index, file) in ctx.files.iter().enumerate() {
            for value in &file.header.non_literal {
                let severity = match value.field.as_ref() {
                    "revision" | "down_revision" => Severity::Error,
                    _ => Severity::Warning,
                };
                let expected = match value.field.as_ref() {
                    "revision" => "a string",
                    _ => "a string, a tuple of strings or None",
                };
                let (message, label) = match &value.wrong_type {
                    Some(kind) => (
                        format!(
                            "`{}` is {kind}, not {expected}: `{}`",
                            value.field, value.text
                        ),
                        format!("not {expected}"),
                    ),
                    None => (
                        format!(
                            "`{}` is not a literal: `{}`; its value is only known when Python runs the file",
                            value.field, value.text
                        ),
                        "not a literal".to_owned(),
                    ),
                };
                let mut diagnostic = Diagnostic::new(&Self::META, message)
                    .severity(severity)
                    .at(index, Some(value.span))
                    .label(label)
                    .help("write the value as a string literal (or a tuple of them)");
                if let Some(rev) = file.revision_id() {
                    diagnostic = diagnostic.revision(rev);
                }
                out.push(diagnostic);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::CheckOptions;
    use crate::checks::test_support::run;

    #[test]
    fn severity_depends_on_field() {
        let out = run(
            &NonLiteralHeader,
            &[
                "from app import cli, PREV\nrevision = 'a'\ndown_revision = PREV\nbranch_labels = (cli.EXPAND,)\n",
            ],
            CheckOptions::default(),
        );
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].severity, Severity::Error);
        assert!(
            out[0]
                .message
                .starts_with("`down_revision` is not a literal: `PREV`")
        );
        assert_eq!(out[1].severity, Severity::Warning);
    }

    #[test]
    fn literals_of_the_wrong_type_say_so() {
        let out = run(
            &NonLiteralHeader,
            &[
                "revision = None\ndown_revision = None\n",
                "revision = 'b'\ndown_revision = 123\n",
            ],
            CheckOptions::default(),
        );
        let messages: Vec<_> = out
            .iter()
            .map(|d| (d.message.as_str(), d.label.as_deref().unwrap()))
            .collect();
        assert_eq!(
            messages,
            [
                ("`revision` is None, not a string: `None`", "not a string"),
                (
                    "`down_revision` is an integer, not a string, a tuple of strings or None: `123`",
                    "not a string, a tuple of strings or None"
                ),
            ]
        );
        assert!(out.iter().all(|d| d.severity == Severity::Error));
    }
}
