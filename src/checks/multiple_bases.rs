use super::{Check, CheckMeta, Context, declare_check};
use crate::diagnostic::Diagnostic;

declare_check! {
    /// The history has several unlabeled bases.
    ///
    /// ## What it finds
    /// Two or more revisions with `down_revision = None` and no branch
    /// label.
    ///
    /// ## Why
    /// Alembic supports independent roots, but only labeled ones are
    /// usually intended (a separate branch for another schema or database).
    /// An unlabeled extra base most often means a revision lost its
    /// `down_revision` in a merge conflict, so it will run in an
    /// unpredictable order relative to the main line.
    ///
    /// ## How to fix
    /// Set the `down_revision` of the stray base to the revision it should
    /// follow, or give each root a branch label if they are meant to be
    /// independent.
    pub struct MultipleBases {
        code: "MS102",
        name: "multiple-bases",
        severity: Warning,
    }
}

impl Check for MultipleBases {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn run(&self, ctx: &Context, out: &mut Vec<Diagnostic>) {
        let unlabeled: Vec<(&String, usize)> = ctx
            .graph
            .bases
            .iter()
            .filter_map(|b| ctx.graph.file_of(b).map(|f| (b, f)))
            .filter(|(_, f)| ctx.files[*f].header.branch_labels.is_empty())
            .collect();
        if unlabeled.len() < 2 {
            return;
        }
        let span_of = |f: usize| {
            ctx.files[f]
                .header
                .down_revisions
                .first()
                .map(|d| d.span)
                .or(ctx.files[f].header.revision.as_ref().map(|r| r.span))
        };
        let ids = super::listing(
            unlabeled.iter().map(|(b, _)| b.to_string()),
            "`migsquash analyze --format json` lists them all",
        );
        let (first, first_file) = unlabeled[0];
        let mut diagnostic = Diagnostic::new(
            &Self::META,
            format!("{} unlabeled bases: {ids}", unlabeled.len()),
        )
        .at(first_file, span_of(first_file))
        .label("a base")
        .revision(first.clone())
        .help(
            "set the down_revision of the stray base, or give each independent root a branch label",
        );
        for (base, file) in unlabeled.iter().take(super::LISTED).skip(1) {
            diagnostic =
                diagnostic.related(*file, span_of(*file), format!("{base} is also a base"));
        }
        out.push(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::CheckOptions;
    use crate::checks::test_support::{rev, run};

    #[test]
    fn labeled_roots_are_fine() {
        let out = run(
            &MultipleBases,
            &[&rev("a", "None"), &rev("b", "None")],
            CheckOptions::default(),
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].message, "2 unlabeled bases: a, b");
        let labeled = run(
            &MultipleBases,
            &[
                &rev("a", "None"),
                "revision = 'b'\ndown_revision = None\nbranch_labels = ('other',)\n",
            ],
            CheckOptions::default(),
        );
        assert!(labeled.is_empty());
    }

    #[test]
    fn many_bases_are_counted_not_all_listed() {
        let files: Vec<String> = (0..12).map(|i| rev(&format!("b{i:02}"), "None")).collect();
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        let out = run(&MultipleBases, &files, CheckOptions::default());
        assert_eq!(
            out[0].message,
            "12 unlabeled bases: b00, b01, b02, b03, b04, b05, b06, b07, b08, b09, … and 2 more (`migsquash analyze --format json` lists them all)"
        );
        assert_eq!(out[0].related.len(), 9);
    }
}
