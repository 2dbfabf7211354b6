use super::{Check, CheckMeta, Context, declare_check};
use crate::diagnostic::Diagnostic;
use crate::ir::FileProblem;

declare_check! {
    /// A file in a version location declares no `revision`.
    ///
    /// ## What it finds
    /// A `.py` file (other than `__init__.py`) in a version location that
    /// never assigns `revision` at module level, including an empty file.
    ///
    /// ## Why
    /// Alembic treats every such file as a revision and refuses to load the
    /// whole directory: "Could not determine revision id from filename".
    /// Helper modules and placeholders do not belong in a version location.
    ///
    /// ## How to fix
    /// Move the file out of the versions directory (or rename it to
    /// `__init__.py` if it is a package marker), or add the missing header.
    pub struct MissingRevisionId {
        code: "MS007",
        name: "missing-revision-id",
        severity: Error,
    }
}

impl Check for MissingRevisionId {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn run(&self, ctx: &Context, out: &mut Vec<Diagnostic>) {
        for (index, file) in ctx.files.iter().enumerate() {
            if matches!(file.problem, Some(FileProblem::NoRevisionId)) {
                let what = if file.source().trim().is_empty() {
                    "is empty"
                } else {
                    "assigns no `revision`"
                };
                out.push(
                    Diagnostic::new(&Self::META, format!("{} {what}; Alembic refuses to load the history", file.rel_path))
                        .at(index, None)
                        .help("move helper modules out of the versions directory, or add the revision header"),
                );
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
    fn reports_helpers_and_empty_files() {
        let out = run(
            &MissingRevisionId,
            &["", "def helper():\n    pass\n", "revision = 'a'\n"],
            CheckOptions::default(),
        );
        assert_eq!(out.len(), 2);
        assert_eq!(
            out[0].message,
            "r0.py is empty; Alembic refuses to load the history"
        );
        assert_eq!(
            out[1].message,
            "r1.py assigns no `revision`; Alembic refuses to load the history"
        );
    }
}
