use super::{Check, CheckMeta, Context, declare_check};
use crate::diagnostic::Diagnostic;

declare_check! {
    /// Revisions form a cycle.
    ///
    /// ## What it finds
    /// Revisions that are, through `down_revision` and `depends_on`, their
    /// own ancestors (including a revision that names itself).
    ///
    /// ## Why
    /// Alembic raises `CycleDetected` (or `LoopDetected`) while loading the
    /// history: no command works. It happens when `down_revision` is edited
    /// by hand during a rebase.
    ///
    /// ## How to fix
    /// Follow the listed revisions and break the loop by pointing one
    /// `down_revision` at the revision that really precedes it.
    pub struct Cycle {
        code: "MS004",
        name: "cycle",
        severity: Error,
    }
}

impl Check for Cycle {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn run(&self, ctx: &Context, out: &mut Vec<Diagnostic>) {
        for members in &ctx.graph.cycles {
            let first = ctx.graph.file_of(&members[0]).expect("cycle member");
            let span_of = |f: usize| {
                let header = &ctx.files[f].header;
                header
                    .down_revisions
                    .first()
                    .map(|d| d.span)
                    .or(header.revision.as_ref().map(|r| r.span))
            };
            let message = match members.as_slice() {
                [only] => format!("revision {only} names itself as its own ancestor"),
                _ => format!(
                    "{} revisions form a cycle: {}",
                    members.len(),
                    members.join(" → ")
                ),
            };
            let mut diagnostic = Diagnostic::new(&Self::META, message)
                .at(first, span_of(first))
                .label("part of the cycle")
                .revision(members[0].clone())
                .help(
                    "point one of these down_revisions at the revision that really comes before it",
                );
            for id in &members[1..] {
                let file = ctx.graph.file_of(id).expect("cycle member");
                diagnostic =
                    diagnostic.related(file, span_of(file), format!("{id} is part of the cycle"));
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
    fn reports_cycle_and_self_reference() {
        let out = run(
            &Cycle,
            &[
                &rev("base", "None"),
                &rev("a", "'c'"),
                &rev("b", "'a'"),
                &rev("c", "'b'"),
                &rev("s", "'s'"),
            ],
            CheckOptions::default(),
        );
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].message, "3 revisions form a cycle: a → b → c");
        assert_eq!(
            out[1].message,
            "revision s names itself as its own ancestor"
        );
    }
}
