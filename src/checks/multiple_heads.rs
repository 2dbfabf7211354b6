use std::collections::BTreeMap;

use petgraph::graph::NodeIndex;

use super::{Check, CheckMeta, Context, declare_check};
use crate::diagnostic::Diagnostic;
use crate::graph::NO_TARGET;

declare_check! {
    /// The history has more than one head.
    ///
    /// ## What it finds
    /// More revisions that no other revision names as its `down_revision`
    /// than allowed (one, unless `--max-heads` or the configuration's
    /// `max-heads` says otherwise). Heads of the branches the
    /// configuration's `intended-branches` names are not counted.
    ///
    /// ## Why
    /// Two pull requests that each add a revision on the same parent leave
    /// `main` with two heads. `alembic heads` lists both and exits 0, but
    /// `alembic upgrade head` refuses to run, usually at deploy time.
    ///
    /// Heads that are the tips of separately labeled branches (each carries
    /// a branch label no other head carries, as in expand/contract
    /// histories) are intended and are not reported. So are heads that all
    /// carry a label when some labels are not literals
    /// (`branch_labels = (cli.EXPAND_BRANCH,)`): they cannot be compared
    /// statically, and labeling a branch says it is meant to stay apart.
    ///
    /// ## How to fix
    /// Move one branch onto the other head, so the history stays linear:
    /// `migsquash rebase REV --onto HEAD` rewrites the `down_revision` of
    /// REV, the branch's first revision (`migsquash rebase` alone chooses
    /// when two heads fork from one revision). Or merge the heads with an
    /// empty merge revision: `alembic merge -m "merge heads" heads`.
    pub struct MultipleHeads {
        code: "MS001",
        name: "multiple-heads",
        severity: Error,
    }
}

impl Check for MultipleHeads {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn run(&self, ctx: &Context, out: &mut Vec<Diagnostic>) {
        // A revision whose ancestry is broken (a missing or non-literal
        // down_revision) is reported by those checks; it would only echo
        // here as an extra head. What descends from one is marked in one
        // pass, not looked up head by head.
        let detached = ctx.graph.down_descendants(
            ctx.graph
                .missing
                .iter()
                .filter(|m| m.field == "down_revision")
                .filter_map(|m| ctx.graph.node(ctx.files[m.file].revision_id()?))
                .chain(
                    ctx.graph
                        .unknown_parents
                        .iter()
                        .filter_map(|id| ctx.graph.node(id)),
                ),
        );
        let heads: Vec<(&String, NodeIndex)> = ctx
            .graph
            .heads
            .iter()
            .filter_map(|h| ctx.graph.node(h).map(|n| (h, n)))
            .filter(|(_, n)| !detached.contains(n.index()))
            .collect();
        let heads = without_intended(ctx, heads);
        if heads.len() <= ctx.options.max_heads.max(1) {
            return;
        }
        if labeled_apart(ctx, &heads) {
            return;
        }
        let nodes = || heads.iter().map(|&(_, n)| n);
        let heads: Vec<&String> = heads.iter().map(|&(h, _)| h).collect();
        // Labels that cannot be read statically may be what makes these
        // heads intended: say so rather than guess.
        let unknown_labels =
            {
                let unknown =
                    ctx.graph
                        .down_descendants(ctx.graph.nodes.values().copied().filter(|&n| {
                            !ctx.files[ctx.graph.dag[n]].header.is_known("branch_labels")
                        }));
                nodes().any(|n| unknown.contains(n.index()))
            };
        let files: Vec<usize> = nodes().map(|n| ctx.graph.dag[n]).collect();
        let listing = super::listing(
            heads
                .iter()
                .zip(&files)
                .map(|(h, f)| format!("{h} ({})", super::file_name(ctx, *f))),
            "`alembic heads` lists them all",
        );
        // Alembic's `heads` names them all when they are too many to spell.
        let merge_args = if heads.len() > super::LISTED {
            "heads".to_owned()
        } else {
            heads
                .iter()
                .map(|h| h.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let span_of = |f: usize| ctx.files[f].header.revision.as_ref().map(|r| r.span);
        let mut diagnostic =
            Diagnostic::new(&Self::META, format!("{} heads: {listing}", heads.len()))
                .at(files[0], span_of(files[0]))
                .label("this revision is a head")
                .revision(heads[0].to_string())
                .help(help(
                    ctx,
                    &nodes().collect::<Vec<_>>(),
                    &merge_args,
                    unknown_labels,
                ));
        for (head, &file) in heads.iter().zip(&files).take(super::LISTED).skip(1) {
            diagnostic = diagnostic.related(file, span_of(file), format!("{head} is also a head"));
        }
        out.push(diagnostic);
    }
}

/// The heads that carry none of the configuration's `intended-branches`
/// labels (declared by them or an ancestor: Alembic passes labels down).
fn without_intended<'h>(
    ctx: &Context,
    heads: Vec<(&'h String, NodeIndex)>,
) -> Vec<(&'h String, NodeIndex)> {
    let intended = &ctx.options.intended_branches;
    if intended.is_empty() {
        return heads;
    }
    let labeled = ctx
        .graph
        .down_descendants(ctx.graph.nodes.values().copied().filter(|&n| {
            ctx.files[ctx.graph.dag[n]]
                .header
                .branch_labels
                .iter()
                .any(|l| intended.contains(&l.value))
        }));
    heads
        .into_iter()
        .filter(|(_, n)| !labeled.contains(n.index()))
        .collect()
}

/// How to fix it: move a branch onto another head (`migsquash rebase`,
/// with the ids when the two heads fork from one revision), or merge.
fn help(ctx: &Context, heads: &[NodeIndex], merge_args: &str, unknown_labels: bool) -> String {
    let merge = format!("`alembic merge -m \"merge heads\" {merge_args}`");
    if unknown_labels {
        return format!(
            "some of these branches have branch labels that are not literals (MS008), so whether they are separately labeled branches cannot be known statically; if they are, pass `--max-heads {}`; otherwise merge them with {merge}",
            heads.len(),
        );
    }
    let rebase = match heads {
        [a, b] => crate::rebase::suggestion(ctx.graph, ctx.files, [*a, *b]),
        _ => None,
    };
    match rebase {
        Some((rev, onto)) => format!(
            "move one branch onto the other head with `migsquash rebase {rev} --onto {onto}` (the history stays linear), or merge them with {merge}"
        ),
        None => format!(
            "move each extra branch onto one head with `migsquash rebase <rev> --onto <head>` (REV: the branch's first revision), or merge them with {merge}"
        ),
    }
}

/// Whether every head carries a branch label (declared by it or an
/// ancestor: Alembic passes labels down) and no label is carried by two of
/// them, as the tips of an expand/contract history are. Worked out from
/// which heads each revision leads to, so it costs one pass over the graph
/// whatever the number of heads.
///
/// A label that is not a literal (`branch_labels = (cli.EXPAND_BRANCH,)`)
/// still marks a labeled branch: when every head carries a label and some
/// cannot be read, the heads are taken as intended tips.
fn labeled_apart(ctx: &Context, heads: &[(&String, NodeIndex)]) -> bool {
    let header = |n: NodeIndex| &ctx.files[ctx.graph.dag[n]].header;
    let nodes_where = |keep: &dyn Fn(NodeIndex) -> bool| {
        ctx.graph
            .down_descendants(ctx.graph.nodes.values().copied().filter(|&n| keep(n)))
    };
    let unreadable = nodes_where(&|n| !header(n).is_known("branch_labels"));
    let labeled = nodes_where(&|n| {
        !header(n).branch_labels.is_empty() || !header(n).is_known("branch_labels")
    });
    if !heads.iter().all(|(_, n)| labeled.contains(n.index())) {
        return false;
    }
    if heads.iter().any(|(_, n)| unreadable.contains(n.index())) {
        return true;
    }
    let nodes: Vec<NodeIndex> = heads.iter().map(|&(_, n)| n).collect();
    let reached = ctx.graph.down_reached_targets(&nodes);
    // Label → the head found carrying it; a second one ends the search.
    let mut carrier: BTreeMap<&str, u32> = BTreeMap::new();
    for &n in ctx.graph.nodes.values() {
        for label in &ctx.files[ctx.graph.dag[n]].header.branch_labels {
            for head in reached[n.index()] {
                if head != NO_TARGET && *carrier.entry(&label.value).or_insert(head) != head {
                    return false;
                }
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::CheckOptions;
    use crate::checks::test_support::{rev, run};
    use crate::graph::RevisionGraph;
    use crate::graph::reference_tests::{Rng, random_history, reference_ancestors};
    use std::collections::BTreeSet;

    /// The check as first written: ancestor walks head by head.
    fn reference(ctx: &Context, out: &mut Vec<Diagnostic>) {
        // A revision whose ancestry is broken (a missing or non-literal
        // down_revision) is reported by those checks; it would only echo
        // here as an extra head.
        let detached: std::collections::HashSet<usize> = ctx
            .graph
            .missing
            .iter()
            .filter(|m| m.field == "down_revision")
            .map(|m| m.file)
            .chain(
                ctx.graph
                    .unknown_parents
                    .iter()
                    .filter_map(|id| ctx.graph.file_of(id)),
            )
            .collect();
        let heads: Vec<String> = ctx
            .graph
            .heads
            .iter()
            .filter(|h| {
                let node = ctx.graph.node(h).expect("head is a node");
                !reference_ancestors(ctx.graph, node)
                    .iter()
                    .any(|&n| detached.contains(&ctx.graph.dag[n]))
            })
            .cloned()
            .collect();
        let heads = &heads;
        if heads.len() <= ctx.options.max_heads.max(1) {
            return;
        }
        let labels: Vec<BTreeSet<String>> = heads
            .iter()
            .map(|h| {
                reference_ancestors(ctx.graph, ctx.graph.node(h).expect("head is a node"))
                    .into_iter()
                    .flat_map(|n| {
                        ctx.files[ctx.graph.dag[n]]
                            .header
                            .branch_labels
                            .iter()
                            .map(|l| l.value.clone())
                    })
                    .collect()
            })
            .collect();
        let unreadable: Vec<bool> = heads
            .iter()
            .map(|h| {
                reference_ancestors(ctx.graph, ctx.graph.node(h).expect("head is a node"))
                    .iter()
                    .any(|&n| !ctx.files[ctx.graph.dag[n]].header.is_known("branch_labels"))
            })
            .collect();
        let all_labeled_apart = labels
            .iter()
            .zip(&unreadable)
            .all(|(l, &u)| !l.is_empty() || u)
            && (unreadable.contains(&true)
                || labels
                    .iter()
                    .enumerate()
                    .all(|(i, a)| labels[i + 1..].iter().all(|b| a.is_disjoint(b))));
        if all_labeled_apart {
            return;
        }
        let files: Vec<usize> = heads
            .iter()
            .map(|h| ctx.graph.file_of(h).expect("head"))
            .collect();
        // Labels that cannot be read statically may be what makes these
        // heads intended: say so rather than guess.
        let unknown_labels = heads.iter().any(|h| {
            let node = ctx.graph.node(h).expect("head is a node");
            reference_ancestors(ctx.graph, node)
                .iter()
                .any(|&n| !ctx.files[ctx.graph.dag[n]].header.is_known("branch_labels"))
        });
        let listing = crate::checks::listing(
            heads
                .iter()
                .zip(&files)
                .map(|(h, f)| format!("{h} ({})", crate::checks::file_name(ctx, *f))),
            "`alembic heads` lists them all",
        );
        // Alembic's `heads` names them all when they are too many to spell.
        let merge_args = if heads.len() > crate::checks::LISTED {
            "heads".to_owned()
        } else {
            heads.join(" ")
        };
        let span_of = |f: usize| ctx.files[f].header.revision.as_ref().map(|r| r.span);
        let mut diagnostic = Diagnostic::new(
            &MultipleHeads::META,
            format!("{} heads: {listing}", heads.len()),
        )
        .at(files[0], span_of(files[0]))
        .label("this revision is a head")
        .revision(heads[0].clone())
        .help(super::help(
            ctx,
            &heads
                .iter()
                .map(|h| ctx.graph.node(h).expect("head"))
                .collect::<Vec<_>>(),
            &merge_args,
            unknown_labels,
        ));
        for (head, &file) in heads.iter().zip(&files).take(crate::checks::LISTED).skip(1) {
            diagnostic = diagnostic.related(file, span_of(file), format!("{head} is also a head"));
        }
        out.push(diagnostic);
    }

    #[test]
    fn same_findings_as_walks_per_head_on_random_histories() {
        let mut rng = Rng(19);
        let (mut findings, mut apart) = (0, 0);
        for round in 0..400 {
            let n = 2 + rng.below(40);
            let files = random_history(&mut rng, n, round % 3 == 2);
            let graph = RevisionGraph::build(&files);
            let options = CheckOptions {
                max_heads: 1 + rng.below(3),
                ..CheckOptions::default()
            };
            let ctx = Context {
                files: &files,
                graph: &graph,
                options: &options,
                layout: &crate::checks::test_support::NO_LAYOUT,
                unread: &[],
            };
            let mut out = Vec::new();
            MultipleHeads.run(&ctx, &mut out);
            let mut expected = Vec::new();
            reference(&ctx, &mut expected);
            assert_eq!(format!("{out:?}"), format!("{expected:?}"), "round {round}");
            findings += out.len();
            apart += usize::from(out.is_empty() && graph.heads.len() > options.max_heads);
        }
        assert!(
            findings > 50 && apart > 10,
            "{findings} findings, {apart} clean"
        );
    }

    #[test]
    fn reports_two_heads_with_merge_command() {
        let out = run(
            &MultipleHeads,
            &[&rev("a", "None"), &rev("b", "'a'"), &rev("c", "'a'")],
            CheckOptions::default(),
        );
        assert_eq!(out.len(), 1);
        assert!(out[0].message.starts_with("2 heads: b (r1.py), c (r2.py)"));
        assert!(
            out[0]
                .help
                .as_ref()
                .unwrap()
                .contains("alembic merge -m \"merge heads\" b c")
        );
        // Alembic applies b's branch last (it walks the heads in file
        // order and finishes with the first): moving it keeps the order.
        assert!(
            out[0]
                .help
                .as_ref()
                .unwrap()
                .contains("`migsquash rebase b --onto c`"),
            "{:?}",
            out[0].help
        );
        assert_eq!(out[0].related.len(), 1);
    }

    #[test]
    fn many_heads_are_counted_not_all_listed() {
        let mut files = vec![rev("a", "None")];
        files.extend((0..25).map(|i| rev(&format!("h{i:02}"), "'a'")));
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        let out = run(&MultipleHeads, &files, CheckOptions::default());
        assert_eq!(out.len(), 1);
        assert!(
            out[0].message.starts_with("25 heads: h00 (r1.py), "),
            "{}",
            out[0].message
        );
        assert!(
            out[0]
                .message
                .ends_with("h09 (r10.py), … and 15 more (`alembic heads` lists them all)"),
            "{}",
            out[0].message
        );
        assert!(
            out[0]
                .help
                .as_ref()
                .unwrap()
                .contains("alembic merge -m \"merge heads\" heads`")
        );
        assert!(
            out[0]
                .help
                .as_ref()
                .unwrap()
                .contains("`migsquash rebase <rev> --onto <head>`")
        );
        assert_eq!(out[0].related.len(), 9);
    }

    #[test]
    fn single_head_and_allowed_heads_are_clean() {
        let linear = [rev("a", "None"), rev("b", "'a'")];
        let linear: Vec<&str> = linear.iter().map(String::as_str).collect();
        assert!(run(&MultipleHeads, &linear, CheckOptions::default()).is_empty());
        let forked = [rev("a", "None"), rev("b", "'a'"), rev("c", "'a'")];
        let forked: Vec<&str> = forked.iter().map(String::as_str).collect();
        assert!(
            run(
                &MultipleHeads,
                &forked,
                CheckOptions {
                    max_heads: 2,
                    ..CheckOptions::default()
                }
            )
            .is_empty()
        );
    }

    #[test]
    fn non_literal_labels_are_pointed_out() {
        let out = run(
            &MultipleHeads,
            &[
                &rev("a", "None"),
                "from app import cli\nrevision = 'b'\ndown_revision = 'a'\nbranch_labels = (cli.EXPAND,)\n",
                &rev("c", "'a'"),
            ],
            CheckOptions::default(),
        );
        assert_eq!(out.len(), 1);
        assert!(
            out[0]
                .help
                .as_ref()
                .unwrap()
                .contains("pass `--max-heads 2`")
        );
    }

    #[test]
    fn a_missing_parent_is_not_echoed_as_a_head() {
        let out = run(
            &MultipleHeads,
            &[&rev("a", "None"), &rev("b", "'a'"), &rev("c", "'gone'")],
            CheckOptions::default(),
        );
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn labeled_branch_tips_are_intended() {
        let out = run(
            &MultipleHeads,
            &[
                "revision = 'a'\ndown_revision = None\n",
                "revision = 'b'\ndown_revision = 'a'\nbranch_labels = ('expand',)\n",
                "revision = 'c'\ndown_revision = 'a'\nbranch_labels = ('contract',)\n",
                "revision = 'd'\ndown_revision = 'c'\n",
            ],
            CheckOptions::default(),
        );
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn heads_of_intended_branches_are_not_counted() {
        // main goes on unlabeled; two labeled branches fork from it.
        let history = [
            "revision = 'a'\ndown_revision = None\n",
            "revision = 'b'\ndown_revision = 'a'\nbranch_labels = ('reporting',)\n",
            "revision = 'c'\ndown_revision = 'b'\n",
            "revision = 'd'\ndown_revision = 'a'\nbranch_labels = ('audit',)\n",
            "revision = 'e'\ndown_revision = 'a'\n",
        ];
        let with = |labels: &[&str]| {
            run(
                &MultipleHeads,
                &history,
                CheckOptions {
                    intended_branches: labels.iter().map(|l| l.to_string()).collect(),
                    ..CheckOptions::default()
                },
            )
        };
        let out = with(&[]);
        assert_eq!(out.len(), 1);
        assert!(out[0].message.starts_with("3 heads"), "{}", out[0].message);
        assert!(with(&["reporting", "audit"]).is_empty());
        // One intended branch leaves two heads.
        let out = with(&["reporting"]);
        assert!(
            out[0].message.starts_with("2 heads: d"),
            "{}",
            out[0].message
        );
        assert!(with(&["elsewhere"])[0].message.starts_with("3 heads"));
    }

    #[test]
    fn heads_that_all_carry_labels_are_intended_even_unreadable_ones() {
        let out = run(
            &MultipleHeads,
            &[
                &rev("a", "None"),
                "from app import cli\nrevision = 'b'\ndown_revision = 'a'\nbranch_labels = (cli.EXPAND_BRANCH,)\n",
                "from app import cli\nrevision = 'c'\ndown_revision = 'a'\nbranch_labels = (cli.CONTRACT_BRANCH,)\n",
                &rev("d", "'c'"),
            ],
            CheckOptions::default(),
        );
        assert!(out.is_empty(), "{out:?}");

        // One literal label and one that cannot be read: intended too.
        let out = run(
            &MultipleHeads,
            &[
                &rev("a", "None"),
                "revision = 'b'\ndown_revision = 'a'\nbranch_labels = ('expand',)\n",
                "from app import cli\nrevision = 'c'\ndown_revision = 'a'\nbranch_labels = (cli.CONTRACT,)\n",
            ],
            CheckOptions::default(),
        );
        assert!(out.is_empty(), "{out:?}");
    }
}
