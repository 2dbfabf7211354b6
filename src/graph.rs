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
use petgraph::algo::kosaraju_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::ir::{RevisionFile, Spanned};

mod ancestry;
#[cfg(test)]
pub(crate) mod reference_tests;
pub use ancestry::NO_TARGET;

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

        // Kosaraju's is iterative; petgraph's Tarjan recurses once per
        // revision of a chain and overflows the stack on long histories.
        for scc in kosaraju_scc(&g.dag) {
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
        self.alembic_order_counted(files, &mut 0)
    }

    /// `alembic_order`, adding to `work` the revisions it visits.
    ///
    /// Alembic keeps the ancestor set of every head it walks and
    /// recomputes it at each merge, which costs merges × revisions. Here
    /// the sets are implicit: the revisions not yet emitted are exactly
    /// the ancestors of the current heads (the walk emits a revision only
    /// when no other head needs it, then replaces it by its parents), so
    /// another head needs the candidate exactly when one of its children
    /// is still to emit. Only then is the walk forward through those
    /// children needed, to find which head to switch to.
    fn alembic_order_counted(&self, files: &[RevisionFile], work: &mut usize) -> Vec<NodeIndex> {
        let count = self.dag.node_count();
        // Parents as Alembic lists them (`_normalized_down_revisions`):
        // `down_revision` as written, then `depends_on` targets, each once.
        let parents: Vec<Vec<NodeIndex>> = self
            .dag
            .node_indices()
            .map(|node| {
                let mut out: Vec<NodeIndex> = Vec::new();
                let down = files[self.dag[node]]
                    .header
                    .down_revisions
                    .iter()
                    .filter_map(|p| self.nodes.get(&p.value).copied());
                let mut deps: Vec<NodeIndex> = self
                    .dag
                    .edges_directed(node, Direction::Incoming)
                    .filter(|e| *e.weight() == EdgeKind::DependsOn)
                    .map(|e| e.source())
                    .collect();
                deps.sort_by_key(|&d| self.dag[d]);
                for p in down.chain(deps) {
                    if !out.contains(&p) {
                        out.push(p);
                    }
                }
                out
            })
            .collect();
        let mut children: Vec<Vec<NodeIndex>> = vec![Vec::new(); count];
        for (child, list) in parents.iter().enumerate() {
            for p in list {
                children[p.index()].push(NodeIndex::new(child));
            }
        }
        // Children not emitted yet, per revision.
        let mut waiting: Vec<usize> = children.iter().map(Vec::len).collect();
        let mut todo = FixedBitSet::with_capacity(count);
        todo.insert_range(..);
        let mut heads: Vec<NodeIndex> = self
            .heads
            .iter()
            .filter_map(|h| self.nodes.get(h).copied())
            .collect();
        heads.sort_by_key(|&h| self.dag[h]);
        let mut is_head = FixedBitSet::with_capacity(count);
        for h in &heads {
            is_head.insert(h.index());
        }
        // Scratch space of the forward walks: revisions marked with the
        // current walk's stamp were reached by it.
        let mut reached = vec![0u32; count];
        let mut stamp = 0u32;
        let mut stack = Vec::new();
        let mut output = Vec::with_capacity(count);
        let mut current = 0;
        while !heads.is_empty() {
            let candidate = heads[current];
            *work += 1;
            if waiting[candidate.index()] > 0 {
                stamp = stamp.wrapping_add(1);
                if stamp == 0 {
                    reached.fill(0);
                    stamp = 1;
                }
                stack.push(candidate);
                while let Some(n) = stack.pop() {
                    *work += 1;
                    for &c in &children[n.index()] {
                        if todo.contains(c.index()) && reached[c.index()] != stamp {
                            reached[c.index()] = stamp;
                            stack.push(c);
                        }
                    }
                }
                let other = heads
                    .iter()
                    .enumerate()
                    .position(|(i, h)| i != current && reached[h.index()] == stamp);
                debug_assert!(other.is_some(), "a waiting child leads to another head");
                if let Some(other) = other {
                    current = other;
                    continue;
                }
            }
            if todo.contains(candidate.index()) {
                todo.set(candidate.index(), false);
                output.push(candidate);
                for p in &parents[candidate.index()] {
                    waiting[p.index()] -= 1;
                }
            }
            let next: Vec<NodeIndex> = parents[candidate.index()]
                .iter()
                .copied()
                .filter(|p| todo.contains(p.index()) && !is_head.contains(p.index()))
                .collect();
            is_head.set(candidate.index(), false);
            if next.is_empty() {
                heads.remove(current);
                current = current.saturating_sub(1);
            } else {
                heads[current] = next[0];
                heads.extend_from_slice(&next[1..]);
                for n in &next {
                    is_head.insert(n.index());
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
        let (a, b) = (g.node("a").unwrap(), g.node("b").unwrap());
        assert!(
            !g.down_descendants([a]).contains(b.index()),
            "depends_on passes no branch label down"
        );
    }
}
