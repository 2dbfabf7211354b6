use super::{Check, CheckMeta, Context, declare_check};
use crate::diagnostic::Diagnostic;

declare_check! {
    /// Two files declare the same revision id.
    ///
    /// ## What it finds
    /// A `revision` id declared by more than one file.
    ///
    /// ## Why
    /// Alembic warns "Revision X is present more than once", keeps only the
    /// file it loads last, and then reports the other as an extra head, so
    /// the real problem hides behind a misleading "multiple heads". Which
    /// file wins depends on file names, and the loser's operations never
    /// run. It happens when a revision file is copied to start a new one.
    ///
    /// ## How to fix
    /// Give one of the files a new id (`python -c "import uuid;
    /// print(uuid.uuid4().hex[-12:])"`), and update the `down_revision` of
    /// any revision that meant to follow it.
    pub struct DuplicateRevision {
        code: "MS003",
        name: "duplicate-revision",
        severity: Error,
    }
}

impl Check for DuplicateRevision {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn run(&self, ctx: &Context, out: &mut Vec<Diagnostic>) {
        for (id, files) in &ctx.graph.duplicates {
            let span_of = |f: usize| ctx.files[f].header.revision.as_ref().map(|r| r.span);
            let names: Vec<String> = files.iter().map(|&f| super::file_name(ctx, f)).collect();
            let first = files[0];
            let mut diagnostic = Diagnostic::new(
                &Self::META,
                format!(
                    "revision id `{id}` is declared by {} files: {}",
                    files.len(),
                    names.join(", ")
                ),
            )
            .at(first, span_of(first))
            .label("declared here")
            .revision(id.clone())
            .help(format!(
                "give one of them a new id; Alembic keeps only {} and ignores the others",
                names.last().expect("at least two")
            ));
            for &other in &files[1..] {
                diagnostic = diagnostic.related(other, span_of(other), "and declared again here");
            }
            out.push(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::CheckOptions;
    use crate::checks::test_support::{rev, run};

    #[test]
    fn names_both_files() {
        let out = run(
            &DuplicateRevision,
            &[&rev("a", "None"), &rev("b", "'a'"), &rev("b", "'a'")],
            CheckOptions::default(),
        );
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].message,
            "revision id `b` is declared by 2 files: r1.py, r2.py"
        );
        assert_eq!(out[0].related.len(), 1);
    }
}
