use super::{Check, CheckMeta, Context, declare_check};
use crate::diagnostic::Diagnostic;
use crate::graph::AncestorSpace;

declare_check! {
    /// A merge revision lists a parent that is already an ancestor of another parent.
    ///
    /// ## What it finds
    /// A `down_revision` tuple `(X, Y)` where `X` is already reachable from
    /// `Y` through `down_revision` links.
    ///
    /// ## Why
    /// The extra parent changes nothing about what runs, but it adds an
    /// edge that makes the graph (and `alembic history`) harder to read and
    /// hides what the merge really joined. It usually comes from running
    /// `alembic merge` with a stale list of heads.
    ///
    /// ## How to fix
    /// Remove the redundant id from the merge's `down_revision`.
    pub struct RedundantMergeParent {
        code: "MS101",
        name: "redundant-merge-parent",
        severity: Warning,
    }
}

impl Check for RedundantMergeParent {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn run(&self, ctx: &Context, out: &mut Vec<Diagnostic>) {
        let mut space = AncestorSpace::new(ctx.graph);
        for merge in &ctx.graph.merge_points {
            let Some(file) = ctx.graph.file_of(merge) else {
                continue;
            };
            let parents = &ctx.files[file].header.down_revisions;
            for parent in parents {
                let Some(p) = ctx.graph.node(&parent.value) else {
                    continue;
                };
                let covering = parents.iter().find(|other| {
                    other.value != parent.value
                        && ctx
                            .graph
                            .node(&other.value)
                            .is_some_and(|o| ctx.graph.is_ancestor(p, o, &mut space))
                });
                if let Some(other) = covering {
                    out.push(
                        Diagnostic::new(
                            &Self::META,
                            format!(
                                "merge {merge} lists `{}` as a parent, but it is already an ancestor of `{}`",
                                parent.value, other.value
                            ),
                        )
                        .at(file, Some(parent.span))
                        .label("redundant parent")
                        .revision(merge.clone())
                        .help(format!("remove `{}` from down_revision", parent.value)),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::CheckOptions;
    use crate::checks::test_support::{rev, run};

    #[test]
    fn reports_redundant_parent_only() {
        let out = run(
            &RedundantMergeParent,
            &[
                &rev("a", "None"),
                &rev("b", "'a'"),
                &rev("c", "'a'"),
                &rev("m", "('a', 'b', 'c')"),
            ],
            CheckOptions::default(),
        );
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].message,
            "merge m lists `a` as a parent, but it is already an ancestor of `b`"
        );
    }
}
