use super::{Check, CheckMeta, Context, declare_check};
use crate::diagnostic::Diagnostic;
use crate::ir::FileProblem;

declare_check! {
    /// A `down_revision` or `depends_on` names a revision that does not exist.
    ///
    /// ## What it finds
    /// A revision whose `down_revision` or `depends_on` refers to an id (or,
    /// for `depends_on`, a branch label) that no revision file declares.
    ///
    /// ## Why
    /// Alembic cannot build its revision map: every command fails with a
    /// `KeyError`. It usually means a revision file was deleted or renamed
    /// in a rebase, or an id was mistyped.
    ///
    /// ## How to fix
    /// Restore the missing revision file, or point the reference at the
    /// revision that really comes before this one.
    pub struct MissingParent {
        code: "MS002",
        name: "missing-parent",
        severity: Error,
    }
}

impl Check for MissingParent {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn run(&self, ctx: &Context, out: &mut Vec<Diagnostic>) {
        // A file that could not be read may be the one declaring the id.
        let unread: Vec<&str> = ctx
            .files
            .iter()
            .filter(|f| {
                matches!(
                    f.problem,
                    Some(
                        FileProblem::Syntax { .. }
                            | FileProblem::NotUtf8 { .. }
                            | FileProblem::Unreadable { .. }
                    )
                )
            })
            .map(|f| f.rel_path.as_str())
            .collect();
        for missing in &ctx.graph.missing {
            let file = &ctx.files[missing.file];
            let target = &missing.target.value;
            let revision = file.revision_id().unwrap_or_default();
            let similar: Vec<&str> = ctx
                .graph
                .nodes
                .keys()
                .filter(|id| id.starts_with(target.as_str()) || target.starts_with(id.as_str()))
                .map(String::as_str)
                .collect();
            let help = match (similar.as_slice(), unread.as_slice()) {
                ([one], _) => format!("did you mean `{one}`?"),
                (_, []) => "restore the missing revision file, or point this reference at the revision that comes before this one".to_owned(),
                (_, files) => format!(
                    "it may be declared by a file that could not be read ({}); fix that first",
                    files.join(", ")
                ),
            };
            out.push(
                Diagnostic::new(
                    &Self::META,
                    format!(
                        "`{}` of revision {revision} names `{target}`, which no revision file declares",
                        missing.field
                    ),
                )
                .at(missing.file, Some(missing.target.span))
                .label("unknown revision")
                .revision(revision)
                .help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::CheckOptions;
    use crate::checks::test_support::{rev, run};

    #[test]
    fn reports_unknown_parent_and_dependency() {
        let out = run(
            &MissingParent,
            &[
                &rev("a", "None"),
                &rev("b", "'zzz'"),
                "revision = 'c'\ndown_revision = 'a'\ndepends_on = ['nope']\n",
            ],
            CheckOptions::default(),
        );
        assert_eq!(out.len(), 2);
        assert!(
            out[0]
                .message
                .contains("`down_revision` of revision b names `zzz`")
        );
        assert!(
            out[1]
                .message
                .contains("`depends_on` of revision c names `nope`")
        );
    }

    #[test]
    fn points_at_unreadable_files() {
        let out = run(
            &MissingParent,
            &[&rev("b", "'a'"), "revision = 'a'\ndef (:\n"],
            CheckOptions::default(),
        );
        assert_eq!(out.len(), 1);
        assert!(
            out[0]
                .help
                .as_ref()
                .unwrap()
                .contains("could not be read (r1.py)"),
            "{:?}",
            out[0].help
        );
    }

    #[test]
    fn suggests_a_prefix_match() {
        let out = run(
            &MissingParent,
            &[&rev("abc123", "None"), &rev("b", "'abc'")],
            CheckOptions::default(),
        );
        assert_eq!(out[0].help.as_deref(), Some("did you mean `abc123`?"));
    }
}
