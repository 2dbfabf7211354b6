use super::{Check, CheckMeta, Context, declare_check};
use crate::diagnostic::Diagnostic;

declare_check! {
    /// A `# migsquash: ignore[…]` comment names a code that has no finding there.
    ///
    /// ## What it finds
    /// A code in an inline suppression that hid nothing: no finding of that
    /// code starts on the comment's line (`ignore[…]`), or the file has none
    /// (`ignore-file[…]`). A run judges only the codes it computes: `check`
    /// and `analyze` judge the checks' codes, `consolidate` judges MS202 and
    /// MS203 in the revisions it squashes.
    ///
    /// ## Why
    /// A suppression that outlived its finding would silently hide the next
    /// one of that code on that line, one nobody has reviewed. It is often
    /// on the wrong line: `ignore[…]` applies to findings that start on its
    /// own line, for a statement over several lines its first line.
    ///
    /// ## How to fix
    /// Remove the code from the comment (the whole comment when it was the
    /// last), or move it to the line the finding is reported on.
    /// See docs/suppressions.md.
    pub struct UnusedSuppression {
        code: "MS104",
        name: "unused-suppression",
        severity: Warning,
    }
}

impl Check for UnusedSuppression {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    /// Reported by `suppress::apply`, which knows what every other check
    /// found; here only for its documentation.
    fn run(&self, _ctx: &Context, _out: &mut Vec<Diagnostic>) {}
}
