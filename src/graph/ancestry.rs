//! Ancestry through `down_revision` links, asked for many revisions at
//! once and answered in passes linear in the size of the graph: asking
//! revision by revision costs a walk over the history each time, which is
//! quadratic on long histories with many merges or heads.

use fixedbitset::FixedBitSet;
use petgraph::Direction;
use petgraph::algo::kosaraju_scc;
use petgraph::graph::NodeIndex;
use petgraph::visit::{EdgeFiltered, EdgeRef};

use super::{EdgeKind, RevisionGraph};

/// A slot of `down_reached_targets` that holds no target.
pub const NO_TARGET: u32 = u32::MAX;

impl RevisionGraph {
    fn down_edges(
        &self,
        node: NodeIndex,
        direction: Direction,
    ) -> impl Iterator<Item = NodeIndex> + '_ {
        self.dag
            .edges_directed(node, direction)
            .filter(|e| *e.weight() == EdgeKind::DownRevision)
            .map(move |e| match direction {
                Direction::Incoming => e.source(),
                Direction::Outgoing => e.target(),
            })
    }

    /// For each pair `(ancestor, descendant)`, whether `ancestor` is an
    /// ancestor of `descendant` through `down_revision` links (a revision
    /// is not its own ancestor, even in a cycle).
    pub fn down_ancestry(&self, pairs: &[(NodeIndex, NodeIndex)]) -> FixedBitSet {
        self.down_ancestry_counted(pairs, &mut 0)
    }

    /// `down_ancestry`, adding to `work` the edges, bit-set words and sets
    /// it goes through.
    ///
    /// One pass over the strongly connected sets, parents first. Each
    /// carries a bit set of the revisions still asked about that it
    /// descends from; a question is answered when its descendant's set is
    /// complete. A revision holds a bit only from its own set to the last
    /// set that asks about it, and the bit is then reused, so the sets are
    /// as wide as the number of questions open at one point of the
    /// history (a few for merges of recent branches), not as the number
    /// of merges; a set is dropped once its last child has read it.
    pub(crate) fn down_ancestry_counted(
        &self,
        pairs: &[(NodeIndex, NodeIndex)],
        work: &mut usize,
    ) -> FixedBitSet {
        let count = self.dag.node_count();
        let mut answers = FixedBitSet::with_capacity(pairs.len());
        if pairs.is_empty() {
            return answers;
        }
        let down = EdgeFiltered::from_fn(&self.dag, |e| *e.weight() == EdgeKind::DownRevision);
        // Listed children first; iterative (see `build`).
        let mut components = kosaraju_scc(&down);
        components.reverse();
        let mut component = vec![0usize; count];
        for (c, members) in components.iter().enumerate() {
            for n in members {
                component[n.index()] = c;
            }
        }
        // Questions are asked when the descendant's set is complete; the
        // ancestor needs a bit until its last question.
        let mut asked_at: Vec<Vec<usize>> = vec![Vec::new(); components.len()];
        let mut last_use: Vec<Option<usize>> = vec![None; count];
        for (i, &(a, d)) in pairs.iter().enumerate() {
            let (ca, cd) = (component[a.index()], component[d.index()]);
            if a == d || ca > cd {
                continue;
            }
            if ca == cd {
                // Two revisions of one cycle reach each other.
                answers.insert(i);
                continue;
            }
            asked_at[cd].push(i);
            let last = &mut last_use[a.index()];
            *last = Some(last.map_or(cd, |l| l.max(cd)));
        }
        let mut released_at: Vec<Vec<NodeIndex>> = vec![Vec::new(); components.len()];
        let mut live = 0usize;
        let mut width = 0usize;
        for (c, members) in components.iter().enumerate() {
            live += members
                .iter()
                .filter(|n| last_use[n.index()].is_some())
                .count();
            width = width.max(live);
            for n in members {
                if let Some(last) = last_use[n.index()] {
                    released_at[last].push(*n);
                }
            }
            live -= released_at[c].len();
        }
        let words = width.div_ceil(64).max(1);

        let mut children_left: Vec<usize> = vec![0; components.len()];
        for (c, members) in components.iter().enumerate() {
            for &n in members {
                children_left[c] += self
                    .down_edges(n, Direction::Outgoing)
                    .filter(|t| component[t.index()] != c)
                    .count();
            }
        }
        let mut bit_of: Vec<usize> = vec![usize::MAX; count];
        let mut free_bits: Vec<usize> = (0..width).rev().collect();
        let mut sets: Vec<Option<FixedBitSet>> = vec![None; components.len()];
        // Components whose set is kept, and where each sits in that list.
        let mut alive: Vec<usize> = Vec::new();
        let mut alive_at: Vec<usize> = vec![usize::MAX; components.len()];
        let mut spare: Vec<FixedBitSet> = Vec::new();
        for (c, members) in components.iter().enumerate() {
            let mut set = match spare.pop() {
                Some(mut s) => {
                    s.clear();
                    s
                }
                None => FixedBitSet::with_capacity(width),
            };
            for &n in members {
                for parent in self.down_edges(n, Direction::Incoming) {
                    let p = component[parent.index()];
                    *work += 1;
                    if p == c {
                        continue;
                    }
                    if let Some(from) = &sets[p] {
                        set.union_with(from);
                        *work += words;
                    }
                    children_left[p] -= 1;
                    if children_left[p] == 0
                        && let Some(done) = sets[p].take()
                    {
                        let at = alive_at[p];
                        alive.swap_remove(at);
                        if let Some(&moved) = alive.get(at) {
                            alive_at[moved] = at;
                        }
                        spare.push(done);
                    }
                }
            }
            for &n in members {
                if last_use[n.index()].is_some()
                    && let Some(bit) = free_bits.pop()
                {
                    bit_of[n.index()] = bit;
                    set.insert(bit);
                }
            }
            for &i in &asked_at[c] {
                let bit = bit_of[pairs[i].0.index()];
                if bit < width && set.contains(bit) {
                    answers.insert(i);
                }
            }
            for n in &released_at[c] {
                let bit = bit_of[n.index()];
                set.set(bit, false);
                for &other in &alive {
                    if let Some(s) = &mut sets[other] {
                        s.set(bit, false);
                    }
                }
                *work += alive.len();
                free_bits.push(bit);
            }
            if children_left[c] > 0 {
                alive_at[c] = alive.len();
                alive.push(c);
                sets[c] = Some(set);
            } else {
                spare.push(set);
            }
        }
        answers
    }

    /// The revisions that descend from `sources` through `down_revision`
    /// links, the sources included.
    pub fn down_descendants(&self, sources: impl IntoIterator<Item = NodeIndex>) -> FixedBitSet {
        let mut seen = FixedBitSet::with_capacity(self.dag.node_count());
        let mut stack: Vec<NodeIndex> = sources.into_iter().collect();
        while let Some(n) = stack.pop() {
            if !seen.put(n.index()) {
                stack.extend(self.down_edges(n, Direction::Outgoing));
            }
        }
        seen
    }

    /// For each revision, up to two of `targets` (as indices into it) that
    /// it is an ancestor of, or equal to, through `down_revision` links;
    /// the other slots hold `NO_TARGET`. Two are enough to tell whether a
    /// revision leads to none, one or several of them, and keeping at most
    /// two visits each revision at most twice.
    pub fn down_reached_targets(&self, targets: &[NodeIndex]) -> Vec<[u32; 2]> {
        let mut reached = vec![[NO_TARGET; 2]; self.dag.node_count()];
        let mut stack: Vec<(NodeIndex, u32)> = Vec::new();
        let mut add = |n: NodeIndex, t: u32, stack: &mut Vec<(NodeIndex, u32)>| {
            let slots = &mut reached[n.index()];
            if slots[0] == t || slots[1] == t || slots[1] != NO_TARGET {
                return;
            }
            slots[usize::from(slots[0] != NO_TARGET)] = t;
            stack.push((n, t));
        };
        for (t, &node) in targets.iter().enumerate() {
            add(node, t as u32, &mut stack);
        }
        while let Some((n, t)) = stack.pop() {
            for parent in self.down_edges(n, Direction::Incoming) {
                add(parent, t, &mut stack);
            }
        }
        reached
    }
}
