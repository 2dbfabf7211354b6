use super::{Check, CheckMeta, Context, declare_check};
use crate::diagnostic::Diagnostic;

declare_check! {
    /// A branch label is declared twice, or equals a revision id.
    ///
    /// ## What it finds
    /// Two revisions declaring the same `branch_labels` entry, or a label
    /// that is also a revision id.
    ///
    /// ## Why
    /// Alembic raises `RevisionError: Branch name 'x' in revision y already
    /// used by revision z` while loading: no command works.
    ///
    /// ## How to fix
    /// Keep the label on the revision that starts the branch only; the
    /// revisions after it inherit it.
    pub struct DuplicateBranchLabel {
        code: "MS009",
        name: "duplicate-branch-label",
        severity: Error,
    }
}

impl Check for DuplicateBranchLabel {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn run(&self, ctx: &Context, out: &mut Vec<Diagnostic>) {
        for (label, file) in &ctx.graph.label_conflicts {
            let header = &ctx.files[*file].header;
            let span = header
                .branch_labels
                .iter()
                .find(|l| &l.value == label)
                .map(|l| l.span);
            let owner = match ctx.graph.labels.get(label) {
                Some(rev) => format!("already used by revision {rev}"),
                None => "equal to a revision id".to_owned(),
            };
            let mut diagnostic =
                Diagnostic::new(&Self::META, format!("branch label `{label}` is {owner}"))
                    .at(*file, span)
                    .label("declared again here")
                    .help("keep the label only on the revision that starts the branch");
            if let Some(rev) = ctx.files[*file].revision_id() {
                diagnostic = diagnostic.revision(rev);
            }
            out.push(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::CheckOptions;
    use crate::checks::test_support::run;

    #[test]
    fn reports_reused_label() {
        let out = run(
            &DuplicateBranchLabel,
            &[
                "revision = 'a'\ndown_revision = None\nbranch_labels = ('x',)\n",
                "revision = 'b'\ndown_revision = 'a'\nbranch_labels = ('x',)\n",
            ],
            CheckOptions::default(),
        );
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].message,
            "branch label `x` is already used by revision a"
        );
    }
}
