//! One rule for where a room's folders go, whatever the listing says.
//!
//! The listing gives each folder a `parentId`. A server may send a parent
//! that is not in the room (an orphan), parents that form a cycle, or a chain
//! 100,000 folders deep. [`Forest`] settles each case once, in linear time and
//! without recursion, for everything that walks folders — the sync engine's
//! layout, the reports and the `folders` command — so they agree:
//!
//! - a folder whose parent is not in the listing is a root ([`Placed::Orphan`]);
//! - in each cycle of parents, the member with the smallest id becomes a root
//!   ([`Placed::Cycle`]; a folder that is its own parent too); the others keep
//!   their parents, so folders 10 ↔ 11 named `A` and `B` give `A` and `A/B`;
//! - a folder deeper than [`MAX_DEPTH`] is *shown* at the top
//!   ([`Placed::TooDeep`]) with its subtree below it, so no path has more than
//!   [`MAX_DEPTH`] components. Its [`Forest::parent`] is unchanged: a
//!   permission set far above it still applies to it.

use std::collections::HashMap;

/// The most folders a path shows, from the top down.
pub const MAX_DEPTH: u32 = 64;

/// Why a folder is where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub enum Placed {
    /// Below its parent, as listed, or at the top with no parent.
    AsListed,
    /// Its parent is not in the listing; placed at the top.
    Orphan,
    /// It was on a cycle of parents, which is broken here; placed at the top.
    Cycle,
    /// It is nested deeper than [`MAX_DEPTH`]; shown at the top.
    TooDeep,
}

impl Placed {
    /// What a person is told about a folder placed this way, if anything.
    pub fn notice(self) -> Option<&'static str> {
        match self {
            Placed::AsListed => None,
            Placed::Orphan => Some("folder's parent is not in the room; placed at the top"),
            Placed::Cycle => Some("folder is on a cycle of parents; placed at the top"),
            Placed::TooDeep => Some("folder is nested more than 64 levels deep; placed at the top"),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Node {
    /// The parent after orphans and cycles are settled.
    parent: Option<i64>,
    /// The parent a path shows (`None` also for a folder too deep).
    shown_parent: Option<i64>,
    placed: Placed,
    /// Components of the shown path, this folder included.
    shown_depth: u32,
    /// Folders from the root, this one included (along `parent`).
    depth: u32,
}

/// A room's folders, settled; see the module's doc.
#[derive(Debug, Clone, Default)]
pub struct Forest {
    nodes: HashMap<i64, Node>,
    /// Ids, each after its parent (by `parent`), smaller ids first among equals.
    order: Vec<i64>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Visit {
    Fresh,
    OnPath,
    Done,
}

impl Forest {
    /// Settles `folders`, given as `(id, parentId)`; a repeated id keeps its
    /// first parent.
    ///
    /// ```
    /// use intralinks_ext::tree::{Forest, Placed};
    /// let f = Forest::new([(10, Some(11)), (11, Some(10)), (12, Some(999))]);
    /// assert_eq!(f.placed(10), Some(Placed::Cycle));
    /// assert_eq!(f.shown_chain(11), [11, 10]);
    /// assert_eq!(f.placed(12), Some(Placed::Orphan));
    /// ```
    pub fn new(folders: impl IntoIterator<Item = (i64, Option<i64>)>) -> Self {
        let mut listed: HashMap<i64, Option<i64>> = HashMap::new();
        for (id, parent) in folders {
            listed.entry(id).or_insert(parent);
        }
        let mut ids: Vec<i64> = listed.keys().copied().collect();
        ids.sort_unstable();
        let mut nodes: HashMap<i64, Node> = HashMap::with_capacity(ids.len());
        for &id in &ids {
            let (parent, placed) = match listed[&id] {
                Some(p) if p == id => (None, Placed::Cycle),
                Some(p) if listed.contains_key(&p) => (Some(p), Placed::AsListed),
                Some(_) => (None, Placed::Orphan),
                None => (None, Placed::AsListed),
            };
            nodes.insert(
                id,
                Node {
                    parent,
                    shown_parent: parent,
                    placed,
                    shown_depth: 0,
                    depth: 0,
                },
            );
        }

        // Cycles: walk up from each folder; meeting the path itself again is a
        // cycle, broken at its smallest id. Each folder is walked once.
        let mut visit: HashMap<i64, Visit> = ids.iter().map(|&id| (id, Visit::Fresh)).collect();
        let mut path: Vec<i64> = Vec::new();
        for &start in &ids {
            path.clear();
            let mut at = Some(start);
            while let Some(id) = at {
                match visit[&id] {
                    Visit::Fresh => {
                        visit.insert(id, Visit::OnPath);
                        path.push(id);
                        at = nodes[&id].parent;
                    }
                    Visit::OnPath => {
                        let from = path.iter().position(|&p| p == id).unwrap_or(0);
                        if let Some(&smallest) = path[from..].iter().min()
                            && let Some(n) = nodes.get_mut(&smallest)
                        {
                            n.parent = None;
                            n.shown_parent = None;
                            n.placed = Placed::Cycle;
                        }
                        break;
                    }
                    Visit::Done => break,
                }
            }
            for id in &path {
                visit.insert(*id, Visit::Done);
            }
        }

        // Depths, parents first: walk up to a folder already measured, then
        // measure on the way down. Each folder is measured once.
        let mut order = Vec::with_capacity(ids.len());
        for &start in &ids {
            path.clear();
            let mut at = Some(start);
            while let Some(id) = at {
                if nodes[&id].depth > 0 {
                    break;
                }
                path.push(id);
                at = nodes[&id].parent;
            }
            while let Some(id) = path.pop() {
                let parent = nodes[&id].parent.and_then(|p| nodes.get(&p)).copied();
                let Some(n) = nodes.get_mut(&id) else {
                    continue;
                };
                match parent {
                    Some(p) if p.shown_depth >= MAX_DEPTH => {
                        n.shown_parent = None;
                        n.shown_depth = 1;
                        n.placed = Placed::TooDeep;
                        n.depth = p.depth.saturating_add(1);
                    }
                    Some(p) => {
                        n.shown_depth = p.shown_depth + 1;
                        n.depth = p.depth.saturating_add(1);
                    }
                    None => {
                        n.shown_depth = 1;
                        n.depth = 1;
                    }
                }
                order.push(id);
            }
        }
        Forest { nodes, order }
    }

    /// Whether the folder is in the listing.
    pub fn contains(&self, id: i64) -> bool {
        self.nodes.contains_key(&id)
    }

    /// The folder's parent, orphans and cycles settled (`None` at the top).
    pub fn parent(&self, id: i64) -> Option<i64> {
        self.nodes.get(&id).and_then(|n| n.parent)
    }

    /// The parent its path shows: as [`Forest::parent`], but `None` for a
    /// folder placed at the top because it is too deep.
    pub fn shown_parent(&self, id: i64) -> Option<i64> {
        self.nodes.get(&id).and_then(|n| n.shown_parent)
    }

    /// Why the folder is where it is; `None` when it is not in the listing.
    pub fn placed(&self, id: i64) -> Option<Placed> {
        self.nodes.get(&id).map(|n| n.placed)
    }

    /// The folder and the folders its path shows above it, nearest first
    /// (at most [`MAX_DEPTH`]); empty when it is not in the listing.
    pub fn shown_chain(&self, id: i64) -> Vec<i64> {
        let mut out = Vec::new();
        let mut at = self.contains(id).then_some(id);
        while let Some(f) = at {
            out.push(f);
            at = self.shown_parent(f);
        }
        out
    }

    /// Every folder, each after its parent ([`Forest::parent`]); for
    /// computing what flows down the tree in one pass.
    pub fn top_down(&self) -> &[i64] {
        &self.order
    }

    /// The folders placed at the top other than as listed, in id order.
    pub fn moved(&self) -> Vec<(i64, Placed)> {
        let mut out: Vec<(i64, Placed)> = self
            .nodes
            .iter()
            .filter(|(_, n)| n.placed != Placed::AsListed)
            .map(|(id, n)| (*id, n.placed))
            .collect();
        out.sort_unstable_by_key(|(id, _)| *id);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orphans_cycles_and_self_parents_become_roots() {
        let f = Forest::new([
            (10, Some(11)),
            (11, Some(10)),
            (12, Some(999)),
            (13, None),
            (14, Some(14)),
            (15, Some(11)),
        ]);
        assert_eq!(f.parent(10), None);
        assert_eq!(f.parent(11), Some(10));
        assert_eq!(f.parent(15), Some(11));
        assert_eq!(f.shown_chain(15), [15, 11, 10]);
        assert_eq!(
            f.moved(),
            [
                (10, Placed::Cycle),
                (12, Placed::Orphan),
                (14, Placed::Cycle)
            ]
        );
        let order = f.top_down();
        let at = |id| order.iter().position(|&o| o == id).unwrap();
        assert!(at(10) < at(11) && at(11) < at(15));
        assert_eq!(order.len(), 6);
    }

    #[test]
    fn a_long_cycle_breaks_at_its_smallest_id_wherever_the_walk_starts() {
        // 5 → 9 → 3 → 7 → 5, and 1 hangs below 7.
        let f = Forest::new([
            (5, Some(9)),
            (9, Some(3)),
            (3, Some(7)),
            (7, Some(5)),
            (1, Some(7)),
        ]);
        assert_eq!(f.moved(), [(3, Placed::Cycle)]);
        assert_eq!(f.shown_chain(1), [1, 7, 5, 9, 3]);
    }

    #[test]
    fn a_chain_deeper_than_the_limit_is_shown_in_slices_in_linear_time() {
        let n = 100_000i64;
        let f = Forest::new((0..n).map(|i| (i, (i > 0).then(|| i - 1))));
        assert_eq!(f.shown_chain(63).len(), 64);
        assert_eq!(f.placed(64), Some(Placed::TooDeep));
        assert_eq!(f.shown_chain(64), [64]);
        assert_eq!(f.shown_chain(n - 1).len(), (n as usize - 1) % 64 + 1);
        // The real parent is kept: a permission far above still applies.
        assert_eq!(f.parent(64), Some(63));
        assert_eq!(f.moved().len(), (n as usize - 1) / 64);
        assert_eq!(f.top_down().len(), n as usize);
        assert_eq!(f.top_down()[..3], [0, 1, 2]);
    }

    #[test]
    fn a_chain_listed_deepest_first_is_measured_without_recursion() {
        let n = 100_000i64;
        // Ids descend as the chain goes down: the walk starts at the bottom.
        let f = Forest::new((0..n).map(|i| (n - i, (i > 0).then(|| n - i + 1))));
        assert_eq!(f.parent(1), Some(2));
        assert_eq!(f.shown_chain(1).len(), (n as usize - 1) % 64 + 1);
    }
}
