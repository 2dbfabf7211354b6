use super::{Check, CheckMeta, Context, declare_check};
use crate::diagnostic::Diagnostic;

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
        // Every (parent, other parent) question of every merge, in the
        // order they are reported, answered in one pass over the graph.
        let merges: Vec<(&String, usize)> = ctx
            .graph
            .merge_points
            .iter()
            .filter_map(|m| ctx.graph.file_of(m).map(|f| (m, f)))
            .collect();
        let mut pairs = Vec::new();
        let mut asked: Vec<(usize, usize, usize)> = Vec::new();
        for (m, &(_, file)) in merges.iter().enumerate() {
            let parents = &ctx.files[file].header.down_revisions;
            for (j, parent) in parents.iter().enumerate() {
                let Some(p) = ctx.graph.node(&parent.value) else {
                    continue;
                };
                for (k, other) in parents.iter().enumerate() {
                    if other.value == parent.value {
                        continue;
                    }
                    if let Some(o) = ctx.graph.node(&other.value) {
                        pairs.push((p, o));
                        asked.push((m, j, k));
                    }
                }
            }
        }
        let answers = ctx.graph.down_ancestry(&pairs);
        // The first other parent that covers a parent is the one named.
        let mut last = None;
        for (i, &(m, j, k)) in asked.iter().enumerate() {
            if !answers.contains(i) || last == Some((m, j)) {
                continue;
            }
            last = Some((m, j));
            let (merge, file) = merges[m];
            let parents = &ctx.files[file].header.down_revisions;
            let (parent, other) = (&parents[j], &parents[k]);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::CheckOptions;
    use crate::checks::test_support::{rev, run};
    use crate::graph::RevisionGraph;
    use crate::graph::reference_tests::{Rng, random_history, reference_is_ancestor};

    /// The check as first written: a path search per pair of parents.
    fn reference(ctx: &Context) -> Vec<Diagnostic> {
        let mut out = Vec::new();
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
                            .is_some_and(|o| reference_is_ancestor(ctx.graph, p, o))
                });
                if let Some(other) = covering {
                    out.push(
                        Diagnostic::new(
                            &RedundantMergeParent::META,
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
        out
    }

    #[test]
    fn same_findings_as_a_path_search_per_pair_on_random_histories() {
        let mut rng = Rng(17);
        let mut findings = 0;
        for round in 0..300 {
            let n = 2 + rng.below(60);
            let files = random_history(&mut rng, n, round % 2 == 1);
            let graph = RevisionGraph::build(&files);
            let ctx = Context {
                files: &files,
                graph: &graph,
                options: &CheckOptions::default(),
                layout: &crate::checks::test_support::NO_LAYOUT,
                unread: &[],
            };
            let mut out = Vec::new();
            RedundantMergeParent.run(&ctx, &mut out);
            let expected = reference(&ctx);
            assert_eq!(format!("{out:?}"), format!("{expected:?}"), "round {round}");
            findings += out.len();
        }
        assert!(
            findings > 50,
            "{findings} findings: the histories should have some"
        );
    }

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
