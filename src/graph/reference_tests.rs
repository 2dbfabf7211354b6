//! The one-pass ancestry answers and the upgrade order, checked against
//! the per-revision walks they replaced (kept here as references) on
//! random histories, and their cost counted on a long one.

use fixedbitset::FixedBitSet;
use petgraph::Direction;
use petgraph::algo::{DfsSpace, has_path_connecting};
use petgraph::graph::NodeIndex;
use petgraph::visit::{EdgeFiltered, EdgeRef, Reversed, Walker};

use super::{EdgeKind, NO_TARGET, RevisionGraph};
use crate::extract::extract_str;
use crate::ir::RevisionFile;

/// splitmix64: reproducible without a dependency.
pub(crate) struct Rng(pub u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// A random history of `n` revisions with its files in a shuffled order:
/// mostly one parent close by, some merges of 2–3 parents near or far,
/// a few bases, missing parents, `depends_on` and branch labels; with
/// `cycles`, some parents come later.
pub(crate) fn random_history(rng: &mut Rng, n: usize, cycles: bool) -> Vec<RevisionFile> {
    let mut sources = Vec::with_capacity(n);
    for i in 0..n {
        let mut parents: Vec<String> = Vec::new();
        if i > 0 && !rng.chance(5) {
            let wanted = if rng.chance(25) { 2 + rng.below(2) } else { 1 };
            for _ in 0..wanted {
                let p = if cycles && rng.chance(10) {
                    rng.below(n)
                } else if rng.chance(70) {
                    i - 1 - rng.below(i.min(4))
                } else {
                    rng.below(i)
                };
                let id = format!("r{p}");
                if !parents.contains(&id) {
                    parents.push(id);
                }
            }
        }
        if rng.chance(2) {
            parents.push("gone".to_owned());
        }
        let quoted: Vec<String> = parents.iter().map(|p| format!("'{p}'")).collect();
        let down = match quoted.len() {
            _ if rng.chance(1) => "helpers.PREVIOUS".to_owned(),
            0 => "None".to_owned(),
            1 => quoted[0].clone(),
            _ => format!("({})", quoted.join(", ")),
        };
        let mut source = format!("revision = 'r{i}'\ndown_revision = {down}\n");
        if i > 0 && rng.chance(5) {
            source += &format!("depends_on = 'r{}'\n", rng.below(i));
        }
        if rng.chance(4) {
            source += &format!("branch_labels = ('l{}',)\n", rng.below(4));
        } else if rng.chance(1) {
            source += "branch_labels = (cli.LABEL,)\n";
        }
        sources.push(source);
    }
    for i in (1..n).rev() {
        sources.swap(i, rng.below(i + 1));
    }
    sources.iter().map(|s| extract_str(s)).collect()
}

/// A history shaped like bench/gen_history.py's: a trunk that forks every
/// 20 revisions into three branches of three revisions, joined by a merge.
fn merging_history(n: usize) -> Vec<RevisionFile> {
    let mut sources = vec!["revision = 'r0'\ndown_revision = None\n".to_owned()];
    let mut tip = "r0".to_owned();
    while sources.len() < n {
        for _ in 0..16 {
            let id = format!("r{}", sources.len());
            sources.push(format!("revision = '{id}'\ndown_revision = '{tip}'\n"));
            tip = id;
        }
        let mut tips = Vec::new();
        for _ in 0..3 {
            let mut branch_tip = tip.clone();
            for _ in 0..3 {
                let id = format!("r{}", sources.len());
                sources.push(format!(
                    "revision = '{id}'\ndown_revision = '{branch_tip}'\n"
                ));
                branch_tip = id;
            }
            tips.push(format!("'{branch_tip}'"));
        }
        let id = format!("r{}", sources.len());
        sources.push(format!(
            "revision = '{id}'\ndown_revision = ({})\n",
            tips.join(", ")
        ));
        tip = id;
    }
    sources.iter().map(|s| extract_str(s)).collect()
}

/// The upgrade order as first written: Alembic's walk, with every head's
/// ancestor set recomputed at each merge. `work` counts the revisions its
/// ancestor walks visit.
fn reference_alembic_order(
    g: &RevisionGraph,
    files: &[RevisionFile],
    work: &mut usize,
) -> Vec<NodeIndex> {
    let count = g.dag.node_count();
    let parents: Vec<Vec<NodeIndex>> = g
        .dag
        .node_indices()
        .map(|node| {
            let mut out: Vec<NodeIndex> = files[g.dag[node]]
                .header
                .down_revisions
                .iter()
                .filter_map(|p| g.nodes.get(&p.value).copied())
                .collect();
            let mut deps: Vec<NodeIndex> = g
                .dag
                .edges_directed(node, Direction::Incoming)
                .filter(|e| *e.weight() == EdgeKind::DependsOn)
                .map(|e| e.source())
                .collect();
            deps.sort_by_key(|&d| g.dag[d]);
            for d in deps {
                if !out.contains(&d) {
                    out.push(d);
                }
            }
            out
        })
        .collect();
    let simple: Vec<bool> = g
        .dag
        .node_indices()
        .map(|n| {
            let header = &files[g.dag[n]].header;
            header.depends_on.is_empty() && header.down_revisions.len() == 1
        })
        .collect();
    let mut ancestors = |start: NodeIndex| -> FixedBitSet {
        let mut seen = FixedBitSet::with_capacity(count);
        let mut stack = vec![start];
        while let Some(n) = stack.pop() {
            *work += 1;
            if !seen.put(n.index()) {
                stack.extend(parents[n.index()].iter().copied());
            }
        }
        seen
    };
    let mut todo = FixedBitSet::with_capacity(count);
    todo.insert_range(..);
    let mut heads: Vec<NodeIndex> = g
        .heads
        .iter()
        .filter_map(|h| g.nodes.get(h).copied())
        .collect();
    heads.sort_by_key(|&h| g.dag[h]);
    let mut ancestors_by_head: Vec<FixedBitSet> = heads.iter().map(|&h| ancestors(h)).collect();
    let mut output = Vec::with_capacity(count);
    let mut current = 0;
    while !heads.is_empty() {
        let candidate = heads[current];
        let needed_elsewhere = ancestors_by_head
            .iter()
            .enumerate()
            .position(|(i, a)| i != current && a.contains(candidate.index()));
        if let Some(other) = needed_elsewhere {
            current = other;
            continue;
        }
        if todo.contains(candidate.index()) {
            todo.set(candidate.index(), false);
            output.push(candidate);
        }
        let next: Vec<NodeIndex> = parents[candidate.index()]
            .iter()
            .copied()
            .filter(|p| todo.contains(p.index()) && !heads.contains(p))
            .collect();
        if next.is_empty() {
            heads.remove(current);
            ancestors_by_head.remove(current);
            current = current.saturating_sub(1);
        } else if next.len() == 1 && simple[candidate.index()] {
            heads[current] = next[0];
            ancestors_by_head[current].set(candidate.index(), false);
        } else {
            heads[current] = next[0];
            ancestors_by_head[current] = ancestors(next[0]);
            for &extra in &next[1..] {
                heads.push(extra);
                ancestors_by_head.push(ancestors(extra));
            }
        }
    }
    let mut rest: Vec<NodeIndex> = todo.ones().map(NodeIndex::new).collect();
    rest.sort_by_key(|&n| g.dag[n]);
    output.extend(rest);
    output.reverse();
    output
}

/// The ancestry test as first written: a path search per question.
pub(crate) fn reference_is_ancestor(g: &RevisionGraph, a: NodeIndex, d: NodeIndex) -> bool {
    let filtered = EdgeFiltered::from_fn(&g.dag, |e| *e.weight() == EdgeKind::DownRevision);
    let mut space = DfsSpace::new(&g.dag);
    a != d && has_path_connecting(&filtered, a, d, Some(&mut space))
}

/// The revisions that search visits: all descendants of `a` when `d` is
/// not one of them.
fn reference_ancestry_work(g: &RevisionGraph, a: NodeIndex, d: NodeIndex) -> usize {
    let filtered = EdgeFiltered::from_fn(&g.dag, |e| *e.weight() == EdgeKind::DownRevision);
    let mut visited = 0;
    for n in petgraph::visit::Dfs::new(&filtered, a).iter(&filtered) {
        visited += 1;
        if n == d {
            break;
        }
    }
    visited
}

/// Every revision reachable backwards from `node`, including it.
pub(crate) fn reference_ancestors(g: &RevisionGraph, node: NodeIndex) -> Vec<NodeIndex> {
    let filtered = EdgeFiltered::from_fn(&g.dag, |e| *e.weight() == EdgeKind::DownRevision);
    petgraph::visit::Dfs::new(Reversed(&filtered), node)
        .iter(Reversed(&filtered))
        .collect()
}

/// The (parent, other parent) questions MS101 asks.
fn merge_questions(g: &RevisionGraph, files: &[RevisionFile]) -> Vec<(NodeIndex, NodeIndex)> {
    let mut pairs = Vec::new();
    for merge in &g.merge_points {
        let parents = &files[g.file_of(merge).unwrap()].header.down_revisions;
        for p in parents.iter().filter_map(|p| g.node(&p.value)) {
            for o in parents.iter().filter_map(|o| g.node(&o.value)) {
                if o != p {
                    pairs.push((p, o));
                }
            }
        }
    }
    pairs
}

#[test]
fn upgrade_order_matches_the_walk_it_replaced_on_random_histories() {
    let mut rng = Rng(7);
    for round in 0..300 {
        let n = 2 + rng.below(70);
        let files = random_history(&mut rng, n, false);
        let g = RevisionGraph::build(&files);
        assert!(g.cycles.is_empty());
        let expected = reference_alembic_order(&g, &files, &mut 0);
        assert_eq!(g.upgrade_nodes, expected, "round {round}");
    }
}

#[test]
fn a_parent_listed_twice_is_walked_once() {
    // Alembic dedupes down_revision while walking ("a, b, m" here); the
    // walk used to switch between the two copies of `a` forever.
    let files: Vec<RevisionFile> = [
        "revision = 'm'\ndown_revision = ('a', 'a')\n",
        "revision = 'a'\ndown_revision = None\n",
        "revision = 'b'\ndown_revision = 'a'\n",
    ]
    .iter()
    .map(|s| extract_str(s))
    .collect();
    let g = RevisionGraph::build(&files);
    assert_eq!(g.upgrade_order, ["a", "b", "m"]);
}

#[test]
fn down_ancestry_matches_path_searches_on_random_histories() {
    let mut rng = Rng(11);
    for round in 0..300 {
        let n = 1 + rng.below(45);
        let files = random_history(&mut rng, n, round % 2 == 1);
        let g = RevisionGraph::build(&files);
        let nodes: Vec<NodeIndex> = g.dag.node_indices().collect();
        // Every pair, then a few (so that bits are freed and reused).
        let all: Vec<(NodeIndex, NodeIndex)> = nodes
            .iter()
            .flat_map(|&a| nodes.iter().map(move |&d| (a, d)))
            .collect();
        let some: Vec<(NodeIndex, NodeIndex)> = (0..3 * n)
            .map(|_| (nodes[rng.below(n)], nodes[rng.below(n)]))
            .collect();
        for pairs in [all, some, merge_questions(&g, &files)] {
            let answers = g.down_ancestry(&pairs);
            for (i, &(a, d)) in pairs.iter().enumerate() {
                assert_eq!(
                    answers.contains(i),
                    reference_is_ancestor(&g, a, d),
                    "round {round}: {a:?} → {d:?}"
                );
            }
        }
    }
}

#[test]
fn descendants_and_reached_targets_match_per_revision_walks() {
    let mut rng = Rng(13);
    for round in 0..200 {
        let n = 1 + rng.below(45);
        let files = random_history(&mut rng, n, round % 2 == 1);
        let g = RevisionGraph::build(&files);
        let nodes: Vec<NodeIndex> = g.dag.node_indices().collect();
        let sources: Vec<NodeIndex> = nodes.iter().copied().filter(|_| rng.chance(10)).collect();
        let targets: Vec<NodeIndex> = nodes.iter().copied().filter(|_| rng.chance(20)).collect();
        let descendants = g.down_descendants(sources.iter().copied());
        let reached = g.down_reached_targets(&targets);
        for &n in &nodes {
            let ancestry = |of: NodeIndex| reference_ancestors(&g, of).contains(&n);
            assert_eq!(
                descendants.contains(n.index()),
                sources
                    .iter()
                    .any(|&s| reference_ancestors(&g, n).contains(&s)),
                "round {round}"
            );
            let truth: Vec<u32> = (0..targets.len() as u32)
                .filter(|&t| ancestry(targets[t as usize]))
                .collect();
            let got: Vec<u32> = reached[n.index()]
                .into_iter()
                .filter(|&t| t != NO_TARGET)
                .collect();
            assert_eq!(got.len(), truth.len().min(2), "round {round}");
            assert!(got.iter().all(|t| truth.contains(t)), "round {round}");
        }
    }
}

#[test]
fn graph_passes_grow_linearly_with_merges() {
    // Four times the revisions (and merges): the replaced walks did about
    // sixteen times the work, these passes about four times.
    let small = merging_history(1_000);
    let large = merging_history(4_000);
    let cost = |files: &[RevisionFile]| {
        let g = RevisionGraph::build(files);
        let mut order = 0;
        assert_eq!(g.alembic_order_counted(files, &mut order), g.upgrade_nodes);
        let mut old_order = 0;
        reference_alembic_order(&g, files, &mut old_order);
        let pairs = merge_questions(&g, files);
        let mut ancestry = 0;
        g.down_ancestry_counted(&pairs, &mut ancestry);
        let old_ancestry: usize = pairs
            .iter()
            .map(|&(a, d)| reference_ancestry_work(&g, a, d))
            .sum();
        [order, old_order, ancestry, old_ancestry]
    };
    let (s, l) = (cost(&small), cost(&large));
    let growth: Vec<f64> = s
        .iter()
        .zip(&l)
        .map(|(s, l)| *l as f64 / *s as f64)
        .collect();
    assert!(growth[1] > 10.0 && growth[3] > 10.0, "{growth:?}");
    assert!(growth[0] < 4.5 && growth[2] < 4.5, "{growth:?}");
    // And in absolute terms: a few steps per revision.
    assert!(l[0] < 4 * large.len() && l[2] < 8 * large.len(), "{l:?}");
}

#[test]
fn long_chains_need_no_deep_stack() {
    // Checks run on worker threads (2 MiB stacks); finding strongly
    // connected sets by recursion overflowed them on 50,000 revisions.
    let files = merging_history(20_000);
    let revisions = files.len();
    let worker = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let g = RevisionGraph::build(&files);
            let pairs = merge_questions(&g, &files);
            (
                g.upgrade_nodes.len(),
                g.down_ancestry(&pairs).count_ones(..),
            )
        })
        .unwrap();
    assert_eq!(worker.join().unwrap(), (revisions, 0));
}
