//! The revision DAG, with Alembic's semantics (alembic/script/revision.py):
//!
//! - a *head* is a revision no other revision names in `down_revision`
//!   (`depends_on` does not make a head stop being one);
//! - a *base* has no `down_revision` (None or empty);
//! - a *merge point* has several `down_revision`s, a *branch point* several
//!   children through `down_revision`;
//! - `depends_on` names revisions or branch labels, and orders the upgrade;
//! - when an id is declared twice, the file loaded last wins.

use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use fixedbitset::FixedBitSet;
use petgraph::Direction;
use petgraph::algo::{DfsSpace, has_path_connecting, tarjan_scc};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{EdgeFiltered, EdgeRef, Reversed, Walker};

use crate::ir::{RevisionFile, Spanned};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// child's `down_revision` names parent.
    DownRevision,
    /// child's `depends_on` names parent.
    DependsOn,
}

/// A reference to a revision (or label) that does not exist.
#[derive(Debug, Clone)]
pub struct MissingRef {
    pub file: usize,
    pub field: &'static str,
    pub target: Spanned<String>,
}

#[derive(Debug, Default)]
pub struct RevisionGraph {
    /// Nodes are indices into the file list; edges go parent → child.
    pub dag: DiGraph<usize, EdgeKind>,
    /// Revision id → node of the file Alembic keeps.
    pub nodes: BTreeMap<String, NodeIndex>,
    /// Ids declared by more than one file: id → file indices, in load order.
    pub duplicates: BTreeMap<String, Vec<usize>>,
    /// Branch label → the revision that declares it.
    pub labels: BTreeMap<String, String>,
    /// Labels declared twice, or equal to a revision id: (label, file).
    pub label_conflicts: Vec<(String, usize)>,
    pub missing: Vec<MissingRef>,
    pub heads: Vec<String>,
    pub bases: Vec<String>,
    pub merge_points: Vec<String>,
    pub branch_points: Vec<String>,
    /// Each strongly connected set of revisions, sorted.
    pub cycles: Vec<Vec<String>>,
    /// Revisions whose `down_revision` is not a literal: their place in the
    /// graph is unknown.
    pub unknown_parents: Vec<String>,
    /// A valid order to apply every revision not caught in a cycle.
    pub upgrade_order: Vec<String>,
    /// The same order, as nodes (for passes that walk it over the files).
    pub upgrade_nodes: Vec<NodeIndex>,
}

impl RevisionGraph {
    pub fn build(files: &[RevisionFile]) -> Self {
        let mut g = RevisionGraph::default();
        let mut declared: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (index, file) in files.iter().enumerate() {
            if let Some(id) = file.revision_id() {
                declared.entry(id).or_default().push(index);
            }
        }
        for (id, indices) in &declared {
            let kept = *indices.last().expect("non-empty");
            let node = g.dag.add_node(kept);
            g.nodes.insert((*id).to_owned(), node);
            if indices.len() > 1 {
                g.duplicates.insert((*id).to_owned(), indices.clone());
            }
        }
        let kept: Vec<(NodeIndex, usize)> = g.dag.node_indices().map(|n| (n, g.dag[n])).collect();

        for &(_, index) in &kept {
            let file = &files[index];
            for label in &file.header.branch_labels {
                if g.nodes.contains_key(&label.value) || g.labels.contains_key(&label.value) {
                    g.label_conflicts.push((label.value.clone(), index));
                } else {
                    g.labels.insert(
                        label.value.clone(),
                        file.revision_id().unwrap_or_default().to_owned(),
                    );
                }
            }
        }

        for &(node, index) in &kept {
            let header = &files[index].header;
            for parent in &header.down_revisions {
                match g.nodes.get(&parent.value) {
                    // A parent listed twice is one parent, as in Alembic.
                    Some(&p) if g.dag.contains_edge(p, node) => {}
                    Some(&p) => {
                        g.dag.add_edge(p, node, EdgeKind::DownRevision);
                    }
                    None => g.missing.push(MissingRef {
                        file: index,
                        field: "down_revision",
                        target: parent.clone(),
                    }),
                }
            }
            for dep in &header.depends_on {
                let target = g
                    .nodes
                    .get(&dep.value)
                    .or_else(|| g.labels.get(&dep.value).and_then(|rev| g.nodes.get(rev)));
                match target {
                    Some(&p) if p != node => {
                        g.dag.add_edge(p, node, EdgeKind::DependsOn);
                    }
                    Some(_) => {}
                    None => g.missing.push(MissingRef {
                        file: index,
                        field: "depends_on",
                        target: dep.clone(),
                    }),
                }
            }
        }

        let id_of = |n: NodeIndex| files[g.dag[n]].revision_id().unwrap_or_default().to_owned();
        for &(node, index) in &kept {
            let header = &files[index].header;
            let id = id_of(node);
            let children: BTreeSet<NodeIndex> = g
                .dag
                .edges_directed(node, Direction::Outgoing)
                .filter(|e| *e.weight() == EdgeKind::DownRevision)
                .map(|e| e.target())
                .collect();
            if !header.is_known("down_revision") {
                g.unknown_parents.push(id.clone());
            } else if header.down_revisions.is_empty() {
                g.bases.push(id.clone());
            }
            // A parent named by a missing or unknown child still counts in
            // Alembic only through real children, as here.
            if children.is_empty() {
                g.heads.push(id.clone());
            }
            if children.len() > 1 {
                g.branch_points.push(id.clone());
            }
            // Alembic's `is_merge_point` counts `down_revision` as written,
            // a parent listed twice too.
            if header.down_revisions.len() > 1 {
                g.merge_points.push(id);
            }
        }

        for scc in tarjan_scc(&g.dag) {
            let self_loop = scc.len() == 1 && g.dag.contains_edge(scc[0], scc[0]);
            if scc.len() > 1 || self_loop {
                g.cycles.push(cycle_order(&g.dag, &scc, &id_of));
            }
        }
        g.cycles.sort();
        g.upgrade_nodes = if g.cycles.is_empty() {
            g.alembic_order(files)
        } else {
            g.topological_order()
        };
        g.upgrade_order = g
            .upgrade_nodes
            .iter()
            .map(|&n| files[g.dag[n]].revision_id().unwrap_or_default().to_owned())
            .collect();
        // `nodes` is a BTreeMap and `kept` follows it, so these are sorted.
        g
    }

    /// The order `alembic upgrade heads` applies revisions in: Alembic's
    /// `RevisionMap._topological_sort`, reversed. It walks down from the
    /// heads (in file-load order) and leaves a branch as soon as another
    /// head's ancestry still needs the revision it reached, so parallel
    /// branches are applied one after the other, not interleaved. A replay
    /// must follow exactly this order: it decides, for one, the order of
    /// columns that two branches add to one table.
    fn alembic_order(&self, files: &[RevisionFile]) -> Vec<NodeIndex> {
        let count = self.dag.node_count();
        // Parents as Alembic lists them: `down_revision` as written, then
        // `depends_on` targets. Computed once: ancestor walks repeat.
        let parents: Vec<Vec<NodeIndex>> = self
            .dag
            .node_indices()
            .map(|node| {
                // Deduplicated, as Alembic's `_all_down_revisions`:
                // `down_revision = ("a", "a")` has one parent.
                let mut out: Vec<NodeIndex> = Vec::new();
                for parent in files[self.dag[node]]
                    .header
                    .down_revisions
                    .iter()
                    .filter_map(|p| self.nodes.get(&p.value).copied())
                {
                    if !out.contains(&parent) {
                        out.push(parent);
                    }
                }
                let mut deps: Vec<NodeIndex> = self
                    .dag
                    .edges_directed(node, Direction::Incoming)
                    .filter(|e| *e.weight() == EdgeKind::DependsOn)
                    .map(|e| e.source())
                    .collect();
                deps.sort_by_key(|&d| self.dag[d]);
                for d in deps {
                    if !out.contains(&d) {
                        out.push(d);
                    }
                }
                out
            })
            .collect();
        let simple: Vec<bool> = self
            .dag
            .node_indices()
            .map(|n| {
                let header = &files[self.dag[n]].header;
                header.depends_on.is_empty() && header.down_revisions.len() == 1
            })
            .collect();
        let ancestors = |start: NodeIndex| -> FixedBitSet {
            let mut seen = FixedBitSet::with_capacity(count);
            let mut stack = vec![start];
            while let Some(n) = stack.pop() {
                if !seen.put(n.index()) {
                    stack.extend(parents[n.index()].iter().copied());
                }
            }
            seen
        };
        let mut todo = FixedBitSet::with_capacity(count);
        todo.insert_range(..);
        let mut heads: Vec<NodeIndex> = self
            .heads
            .iter()
            .filter_map(|h| self.nodes.get(h).copied())
            .collect();
        heads.sort_by_key(|&h| self.dag[h]);
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
        // Revisions no head reaches (only through a broken link) keep a
        // stable place at the start.
        let mut rest: Vec<NodeIndex> = todo.ones().map(NodeIndex::new).collect();
        rest.sort_by_key(|&n| self.dag[n]);
        output.extend(rest);
        output.reverse();
        output
    }

    /// Kahn's algorithm; among revisions ready at the same time, the one
    /// whose file comes first is applied first, so the order is stable.
    fn topological_order(&self) -> Vec<NodeIndex> {
        let mut indegree: rustc_hash::FxHashMap<NodeIndex, usize> = self
            .dag
            .node_indices()
            .map(|n| (n, self.dag.edges_directed(n, Direction::Incoming).count()))
            .collect();
        let mut ready: BinaryHeap<std::cmp::Reverse<(usize, NodeIndex)>> = indegree
            .iter()
            .filter(|(_, d)| **d == 0)
            .map(|(&n, _)| std::cmp::Reverse((self.dag[n], n)))
            .collect();
        let mut order = Vec::with_capacity(self.dag.node_count());
        while let Some(std::cmp::Reverse((_, node))) = ready.pop() {
            order.push(node);
            for edge in self.dag.edges_directed(node, Direction::Outgoing) {
                let d = indegree.get_mut(&edge.target()).expect("node");
                *d -= 1;
                if *d == 0 {
                    ready.push(std::cmp::Reverse((self.dag[edge.target()], edge.target())));
                }
            }
        }
        order
    }

    pub fn node(&self, id: &str) -> Option<NodeIndex> {
        self.nodes.get(id).copied()
    }

    /// The file index Alembic keeps for a revision id.
    pub fn file_of(&self, id: &str) -> Option<usize> {
        self.node(id).map(|n| self.dag[n])
    }

    /// Whether `ancestor` is reachable from `descendant` through
    /// `down_revision` links (a revision is not its own ancestor).
    pub fn is_ancestor(
        &self,
        ancestor: NodeIndex,
        descendant: NodeIndex,
        space: &mut AncestorSpace,
    ) -> bool {
        ancestor != descendant && {
            let filtered =
                EdgeFiltered::from_fn(&self.dag, |e| *e.weight() == EdgeKind::DownRevision);
            has_path_connecting(&filtered, ancestor, descendant, Some(&mut space.0))
        }
    }

    /// Every revision reachable backwards from `node` through
    /// `down_revision`, including `node`.
    pub fn ancestors(&self, node: NodeIndex) -> Vec<NodeIndex> {
        let filtered = EdgeFiltered::from_fn(&self.dag, |e| *e.weight() == EdgeKind::DownRevision);
        petgraph::visit::Dfs::new(Reversed(&filtered), node)
            .iter(Reversed(&filtered))
            .collect()
    }

    /// Branch labels a head carries: those declared by it or any ancestor
    /// (Alembic propagates a label to every descendant).
    pub fn inherited_labels(&self, node: NodeIndex, files: &[RevisionFile]) -> BTreeSet<String> {
        self.ancestors(node)
            .into_iter()
            .flat_map(|n| {
                files[self.dag[n]]
                    .header
                    .branch_labels
                    .iter()
                    .map(|l| l.value.clone())
            })
            .collect()
    }
}

/// The members of a strongly connected set, starting at the smallest id and
/// following parent → child edges, so `a → b → c` reads as the upgrade would
/// (members off the walked loop follow, sorted).
fn cycle_order(
    dag: &DiGraph<usize, EdgeKind>,
    scc: &[NodeIndex],
    id_of: &impl Fn(NodeIndex) -> String,
) -> Vec<String> {
    let members: BTreeMap<String, NodeIndex> = scc.iter().map(|&n| (id_of(n), n)).collect();
    let mut order = Vec::with_capacity(members.len());
    let mut seen = BTreeSet::new();
    let mut current = members.values().next().copied();
    while let Some(node) = current {
        if !seen.insert(node) {
            break;
        }
        order.push(id_of(node));
        current = dag
            .edges_directed(node, Direction::Outgoing)
            .map(|e| e.target())
            .filter(|t| members.values().any(|m| m == t) && !seen.contains(t))
            .min_by_key(|&t| id_of(t));
    }
    order.extend(
        members
            .into_iter()
            .filter(|(_, n)| !seen.contains(n))
            .map(|(id, _)| id),
    );
    order
}

/// Reusable scratch space for ancestor queries.
pub struct AncestorSpace(
    DfsSpace<NodeIndex, <DiGraph<usize, EdgeKind> as petgraph::visit::Visitable>::Map>,
);

impl AncestorSpace {
    pub fn new(graph: &RevisionGraph) -> Self {
        Self(DfsSpace::new(&graph.dag))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::extract_str;

    fn history(revs: &[(&str, &str)]) -> Vec<RevisionFile> {
        revs.iter()
            .map(|(id, down)| extract_str(&format!("revision = '{id}'\ndown_revision = {down}\n")))
            .collect()
    }

    #[test]
    fn a_parent_listed_twice_is_one_parent() {
        // Once an endless loop in the upgrade order (found by mutation
        // testing); Alembic dedupes it in `_all_down_revisions`.
        let files = history(&[("a", "None"), ("b", "('a', 'a')"), ("c", "'b'")]);
        let g = RevisionGraph::build(&files);
        let order: Vec<&str> = g
            .upgrade_nodes
            .iter()
            .map(|&n| files[g.dag[n]].revision_id().unwrap())
            .collect();
        assert_eq!(order, ["a", "b", "c"]);
        assert_eq!(g.dag.edge_count(), 2);
        assert_eq!(g.heads, ["c"]);
    }

    #[test]
    fn heads_bases_merges_and_branches() {
        let files = history(&[
            ("a", "None"),
            ("b", "'a'"),
            ("c", "'a'"),
            ("d", "('b', 'c')"),
            ("e", "'d'"),
        ]);
        let g = RevisionGraph::build(&files);
        assert_eq!(g.heads, ["e"]);
        assert_eq!(g.bases, ["a"]);
        assert_eq!(g.merge_points, ["d"]);
        assert_eq!(g.branch_points, ["a"]);
        // Alembic walks down from the head through the merge's first parent
        // and applies the last branch it reached first (tests/cli/oracle.rs
        // checks this order against Alembic on every bundled history).
        assert_eq!(g.upgrade_order, ["a", "c", "b", "d", "e"]);
        assert!(g.cycles.is_empty());
    }

    #[test]
    fn two_heads_missing_parent_and_duplicates() {
        let files = history(&[
            ("a", "None"),
            ("b", "'a'"),
            ("c", "'a'"),
            ("d", "'zzz'"),
            ("b", "'a'"),
        ]);
        let g = RevisionGraph::build(&files);
        assert_eq!(g.heads, ["b", "c", "d"]);
        assert_eq!(g.missing.len(), 1);
        assert_eq!(g.missing[0].target.value, "zzz");
        assert_eq!(g.duplicates["b"], [1, 4]);
        assert_eq!(g.file_of("b"), Some(4));
    }

    #[test]
    fn cycles_are_found_and_left_out_of_the_order() {
        let files = history(&[("base", "None"), ("a", "'c'"), ("b", "'a'"), ("c", "'b'")]);
        let g = RevisionGraph::build(&files);
        assert_eq!(g.cycles, [vec!["a", "b", "c"]]);
        assert_eq!(g.upgrade_order, ["base"]);
    }

    #[test]
    fn depends_on_resolves_labels_and_orders() {
        let files = vec![
            extract_str("revision = 'a'\ndown_revision = None\nbranch_labels = ('expand',)\n"),
            extract_str(
                "revision = 'b'\ndown_revision = None\nbranch_labels = ('contract',)\ndepends_on = 'expand'\n",
            ),
        ];
        let g = RevisionGraph::build(&files);
        assert_eq!(g.heads, ["a", "b"], "depends_on does not remove a head");
        assert_eq!(g.upgrade_order, ["a", "b"]);
        assert!(g.missing.is_empty());
        let b = g.node("b").unwrap();
        assert_eq!(
            g.inherited_labels(b, &files),
            BTreeSet::from(["contract".to_owned()])
        );
    }
}
