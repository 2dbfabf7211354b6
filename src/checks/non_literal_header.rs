use super::{Check, CheckMeta, Context, declare_check};
use crate::diagnostic::{Diagnostic, Severity};

declare_check! {
    /// A header value is not a literal.
    ///
    /// ## What it finds
    /// `revision`, `down_revision`, `branch_labels` or `depends_on` set to
    /// an expression whose value is only known when Python runs the file,
    /// such as an imported constant: `branch_labels = (cli.EXPAND_BRANCH,)`.
    /// Names bound to literals in the same file are followed and are fine.
    ///
    /// ## Why
    /// migsquash never imports your application, so it cannot know the
    /// value and will not guess: the revision's place in the graph is
    /// unknown (an error for `revision` and `down_revision`) or its labels
    /// and dependencies are incomplete (a warning). Reviewers reading the
    /// file face the same problem.
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
                let mut diagnostic = Diagnostic::new(
                    &Self::META,
                    format!("`{}` is not a literal: `{}`; its value is only known when Python runs the file", value.field, value.text),
                )
                .severity(severity)
                .at(index, Some(value.span))
                .label("not a literal")
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
}
