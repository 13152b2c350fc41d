//! Incremental recompute: dirty node instances are recomputed in the load-time
//! topological order and propagate only when their value changed.
//!
//! Two shortcuts keep an answer's cost independent of the household size: when one row's
//! argument of an `at` list changes, only that element of the list is rewritten (not the
//! whole list rebuilt); and when list elements change, only the rows recorded in the
//! [`AtIndex`](super::at_index::AtIndex) as reading them are recomputed.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use crate::load::compiled::{NodeIx, NodeKind, Rel};
use crate::load::texts::TextOwner;
use crate::value::Value;

use super::eval::Out;
use super::{Case, Changes};

/// Pending work: (rank, row key, node), processed smallest first (a min-heap; an
/// instance marked twice is popped twice in a row and recomputed once).
#[derive(Debug, Default)]
pub(crate) struct Work {
    dirty: BinaryHeap<Reverse<(u32, usize, NodeIx)>>,
    /// `at` list instances to rebuild in full.
    full_lists: HashSet<(NodeIx, usize)>,
    /// `at` list instances with only some rows' elements to rewrite: (list, row) → rows.
    patches: HashMap<(NodeIx, usize), Vec<usize>>,
    /// Node instances whose value changed.
    pub changed: Vec<(usize, NodeIx)>,
    /// (row, item id) to report even if no node changed (the answer itself).
    pub touched: Vec<(usize, String)>,
}

/// What storing a node result changed.
enum Stored {
    Unchanged,
    Value,
    /// A list changed at these 0-based indices.
    List(Vec<usize>),
}

impl Case {
    pub(crate) fn mark(&self, work: &mut Work, node: NodeIx, key: usize) {
        if let Some(n) = self.c().nodes.get(node) {
            if n.list_slot.is_some() {
                work.full_lists.insert((node, key));
            }
            work.dirty.push(Reverse((n.rank, key, node)));
        }
    }

    /// Marks list `node` in row `key` for rewriting the element of row `row` only.
    fn mark_element(&self, work: &mut Work, node: NodeIx, key: usize, row: usize) {
        if let Some(n) = self.c().nodes.get(node) {
            work.patches.entry((node, key)).or_default().push(row);
            work.dirty.push(Reverse((n.rank, key, node)));
        }
    }

    /// Marks `node` in the rows related by `rel` to row `key`.
    pub(crate) fn mark_related(&self, work: &mut Work, node: NodeIx, rel: Rel, key: usize) {
        let Some(level) = self.c().nodes.get(node).map(|n| n.level) else {
            return;
        };
        match rel {
            Rel::Same => self.mark(work, node, key),
            Rel::Up => {
                if let Some(k) = self.ancestor_at(key, level) {
                    self.mark(work, node, k);
                }
            }
            Rel::Down => {
                for k in self.rows_under(key, level).iter() {
                    self.mark(work, node, *k);
                }
            }
        }
    }

    /// Marks what depends on the rows of `roster` under row `owner`; with `positions`,
    /// also what reads `position()` in those rows (rows were removed or moved).
    pub(crate) fn mark_roster(
        &self,
        work: &mut Work,
        roster: usize,
        owner: usize,
        positions: bool,
    ) {
        let q = self.q.clone();
        for (node, rel) in q.c.roster_dependants.get(roster).into_iter().flatten() {
            self.mark_related(work, *node, *rel, owner);
        }
        if positions {
            for node in q.c.position_dependants.get(roster).into_iter().flatten() {
                self.mark_related(work, *node, Rel::Down, owner);
            }
        }
    }

    /// Marks every node of a (new) row.
    pub(crate) fn mark_row(&self, work: &mut Work, key: usize) {
        let q = self.q.clone();
        let Some(level) = self.row(key).and_then(|r| q.c.levels.get(r.level)) else {
            return;
        };
        for node in &level.order {
            self.mark(work, *node, key);
        }
    }

    /// Recomputes everything marked, and what their changes affect.
    pub(crate) fn run(&mut self, work: &mut Work) {
        let q = self.q.clone();
        let mut last = None;
        while let Some(Reverse(entry)) = work.dirty.pop() {
            if last == Some(entry) {
                continue;
            }
            last = Some(entry);
            let (_, key, node) = entry;
            if self.row(key).is_none() {
                continue;
            }
            let is_list = q.c.nodes.get(node).is_some_and(|n| n.list_slot.is_some());
            let patched = if is_list {
                let full = work.full_lists.remove(&(node, key));
                match work.patches.remove(&(node, key)) {
                    Some(rows) if !full => self.patch_list(node, key, &rows),
                    _ => None,
                }
            } else {
                None
            };
            let stored = match patched {
                Some(indices) if indices.is_empty() => Stored::Unchanged,
                Some(indices) => Stored::List(indices),
                None => {
                    let out = self.compute(node, key);
                    let stored = self.store(node, key, out);
                    self.record_at_reads(node, key);
                    stored
                }
            };
            let indices = match stored {
                Stored::Unchanged => continue,
                Stored::Value => None,
                Stored::List(indices) => Some(indices),
            };
            work.changed.push((key, node));
            if let Some(indices) = indices {
                // Only the rows whose `n` points at a changed element re-read the list.
                let mut readers = Vec::new();
                for i in indices {
                    readers.extend(self.at_index.readers(node, key, i));
                }
                for (dep, row) in readers {
                    self.mark(work, dep, row);
                }
                continue;
            }
            let Some(deps) = q.c.dependants.get(node) else {
                continue;
            };
            for (dep, rel) in deps {
                if *rel == Rel::Up
                    && let Some(d) = q.c.nodes.get(*dep)
                    && d.list_slot.is_some()
                    && let NodeKind::Agg(a) = d.kind
                    && q.c.aggs.get(a).and_then(|g| g.args.first()) == Some(&node)
                {
                    if let Some(anchor) = self.ancestor_at(key, d.level) {
                        self.mark_element(work, *dep, anchor, key);
                    }
                } else {
                    self.mark_related(work, *dep, *rel, key);
                }
            }
        }
        self.drop_passing_confirmations();
    }

    /// Rewrites the elements of rows `rows` in list `node` of row `key`, when the list
    /// holds exactly the rows of a roster directly under `key`. The changed indices, or
    /// `None` when the list must be rebuilt instead.
    fn patch_list(&mut self, node: NodeIx, key: usize, rows: &[usize]) -> Option<Vec<usize>> {
        let q = self.q.clone();
        let n = q.c.nodes.get(node)?;
        let list_slot = n.list_slot?;
        let NodeKind::Agg(a) = n.kind else {
            return None;
        };
        let agg = q.c.aggs.get(a)?;
        let arg = *agg.args.first()?;
        let rc = q.c.rosters.get(agg.roster)?;
        let row_rel = q.c.levels.get(rc.level)?.row_rel;
        let owner = self.row(key)?;
        if rc.owner != owner.level {
            return None;
        }
        let children = owner.children.get(rc.local)?;
        let list = owner.lists.get(list_slot)?;
        if list.len() != children.len() {
            return None;
        }
        let mut updates: Vec<(usize, Value)> = Vec::with_capacity(rows.len());
        for r in rows {
            let row = self.row(*r)?;
            let pos = usize::try_from(row.pos).ok()?;
            if row.parent != Some(key)
                || children.get(pos) != Some(r)
                || self.node_value(row_rel, *r) != Value::Bool(true)
            {
                return None;
            }
            let v = self.node_value(arg, *r);
            if list.get(pos) != Some(&v) {
                updates.push((pos, v));
            }
        }
        let list = self.row_mut(key)?.lists.get_mut(list_slot)?;
        let mut indices = Vec::with_capacity(updates.len());
        for (pos, v) in updates {
            if let Some(e) = list.get_mut(pos) {
                *e = v;
                indices.push(pos);
            }
        }
        indices.sort_unstable();
        indices.dedup();
        Some(indices)
    }

    /// Stores a node result and says what changed.
    fn store(&mut self, node: NodeIx, key: usize, out: Out) -> Stored {
        let Some(n) = self.q.c.nodes.get(node) else {
            return Stored::Unchanged;
        };
        let (slot, list_slot) = (n.slot, n.list_slot);
        let Some(row) = self.rows.get_mut(key).and_then(Option::as_mut) else {
            return Stored::Unchanged;
        };
        match (out, list_slot) {
            (Out::L(list), Some(ls)) => {
                let Some(old) = row.lists.get_mut(ls) else {
                    return Stored::Unchanged;
                };
                if *old == list {
                    return Stored::Unchanged;
                }
                let len = old.len().max(list.len());
                let indices = (0..len).filter(|i| old.get(*i) != list.get(*i)).collect();
                *old = list;
                Stored::List(indices)
            }
            (Out::V(v), _) => {
                let Some(old) = row.vals.get_mut(slot) else {
                    return Stored::Unchanged;
                };
                if *old == v {
                    return Stored::Unchanged;
                }
                *old = v;
                Stored::Value
            }
            (Out::L(_), None) => Stored::Unchanged,
        }
    }

    /// A confirmation is kept while its check keeps failing, dropped once it passes.
    pub(crate) fn drop_passing_confirmations(&mut self) {
        let passing: Vec<(usize, usize)> = self
            .confirmations
            .keys()
            .filter(|(key, check)| {
                self.c()
                    .checks
                    .get(*check)
                    .is_none_or(|c| self.node_value(c.node, *key).as_bool() != Some(false))
            })
            .copied()
            .collect();
        for k in passing {
            self.confirmations.remove(&k);
        }
    }

    /// Recomputes every node of every row from the stored answers, from scratch.
    pub fn recompute_all(&mut self) {
        let rows = self.all_rows();
        let mut by_level: HashMap<usize, Vec<usize>> = HashMap::new();
        for k in rows {
            if let Some(r) = self.row(k) {
                by_level.entry(r.level).or_default().push(k);
            }
        }
        let q = self.q.clone();
        self.at_index.clear();
        for node in &q.c.order {
            let Some(level) = q.c.nodes.get(*node).map(|n| n.level) else {
                continue;
            };
            for key in by_level.get(&level).map_or(&[][..], Vec::as_slice) {
                let out = self.compute(*node, *key);
                self.store(*node, *key, out);
                self.record_at_reads(*node, *key);
            }
        }
        self.drop_passing_confirmations();
    }

    /// Turns recorded work into the [`Changes`] reported to the UI.
    pub(crate) fn changes(&self, work: Work) -> Changes {
        let c = self.c();
        let mut items: Vec<(usize, &str)> =
            Vec::with_capacity(work.touched.len() + work.changed.len());
        items.extend(work.touched.iter().map(|(k, id)| (*k, id.as_str())));
        for (key, node) in work.changed {
            let Some(n) = c.nodes.get(node) else { continue };
            let id = match n.kind {
                NodeKind::Val(i)
                | NodeKind::Calc(i)
                | NodeKind::QRel(i)
                | NodeKind::Constraint(i)
                | NodeKind::Filter(i, _) => c.items.get(i).map(|it| it.id.as_str()),
                NodeKind::SecRel(s) => c.sections.get(s).map(|s| s.id.as_str()),
                NodeKind::RosterRel(r) | NodeKind::RowLabel(r) => {
                    c.rosters.get(r).map(|r| r.id.as_str())
                }
                NodeKind::Check(k) => c.checks.get(k).map(|k| k.id.as_str()),
                NodeKind::Title => Some("case_title"),
                NodeKind::Text(t) => match c.texts.get(t).map(|t| t.owner) {
                    Some(TextOwner::Item(i)) => c.items.get(i).map(|it| it.id.as_str()),
                    Some(TextOwner::Check(k)) => c.checks.get(k).map(|k| k.id.as_str()),
                    None => None,
                },
                NodeKind::RowRel | NodeKind::RowArg(..) | NodeKind::Agg(_) => None,
            };
            if let Some(id) = id {
                items.push((key, id));
            }
        }
        items.sort_unstable();
        items.dedup();
        let mut path: Option<(usize, super::RowPath)> = None;
        let mut out = Changes::default();
        out.items.reserve(items.len());
        for (key, id) in items {
            if self.row(key).is_none() {
                continue;
            }
            let p = match &path {
                Some((k, p)) if *k == key => p.clone(),
                _ => {
                    let p = self.path(key);
                    path = Some((key, p.clone()));
                    p
                }
            };
            out.items.push((p, id.to_string()));
        }
        out
    }
}
