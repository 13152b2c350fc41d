//! Incremental recompute: dirty node instances are recomputed in the load-time
//! topological order and propagate only when their value changed.

use std::collections::{BTreeSet, HashMap};

use crate::load::compiled::{CExpr, NodeIx, NodeKind, Rel};
use crate::value::Value;

use super::eval::Out;
use super::{Case, Changes};

/// Pending work: (rank, row key, node), processed smallest first.
#[derive(Debug, Default)]
pub(crate) struct Work {
    dirty: BTreeSet<(u32, usize, NodeIx)>,
    /// Node instances whose value changed.
    pub changed: Vec<(usize, NodeIx)>,
    /// (row, item id) to report even if no node changed (the answer itself).
    pub touched: Vec<(usize, String)>,
}

impl Case {
    pub(crate) fn mark(&self, work: &mut Work, node: NodeIx, key: usize) {
        if let Some(n) = self.c().nodes.get(node) {
            work.dirty.insert((n.rank, key, node));
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
                let mut rows = Vec::new();
                self.rows_at(key, level, &mut rows);
                for k in rows {
                    self.mark(work, node, k);
                }
            }
        }
    }

    /// Marks what depends on the rows of `roster` under row `owner`.
    pub(crate) fn mark_roster(&self, work: &mut Work, roster: usize, owner: usize) {
        let deps = self
            .c()
            .roster_dependants
            .get(roster)
            .cloned()
            .unwrap_or_default();
        for (node, rel) in deps {
            self.mark_related(work, node, rel, owner);
        }
    }

    /// Marks every node of a (new) row.
    pub(crate) fn mark_row(&self, work: &mut Work, key: usize) {
        let Some(level) = self.row(key).map(|r| r.level) else {
            return;
        };
        let order = self
            .c()
            .levels
            .get(level)
            .map(|l| l.order.clone())
            .unwrap_or_default();
        for node in order {
            self.mark(work, node, key);
        }
    }

    /// Recomputes everything marked, and what their changes affect.
    pub(crate) fn run(&mut self, work: &mut Work) {
        while let Some((_, key, node)) = work.dirty.pop_first() {
            if self.row(key).is_none() {
                continue;
            }
            let out = self.compute(node, key);
            let Some(changed_indices) = self.store(node, key, out) else {
                continue;
            };
            work.changed.push((key, node));
            let q = self.q.clone();
            let Some(deps) = q.c.dependants.get(node) else {
                continue;
            };
            for (dep, rel) in deps {
                match &changed_indices {
                    None => self.mark_related(work, *dep, *rel, key),
                    // A list (`at`) changed: only rows whose `n` points at a changed
                    // element need their `at(…)` re-read.
                    Some(indices) => {
                        let Some(level) = q.c.nodes.get(*dep).map(|n| n.level) else {
                            continue;
                        };
                        let mut rows = Vec::new();
                        match rel {
                            Rel::Same => rows.push(key),
                            Rel::Up => rows.extend(self.ancestor_at(key, level)),
                            Rel::Down => self.rows_at(key, level, &mut rows),
                        }
                        for row in rows {
                            if self.reads_index(*dep, node, row, indices) {
                                self.mark(work, *dep, row);
                            }
                        }
                    }
                }
            }
        }
        self.drop_passing_confirmations();
    }

    /// Whether node `dep` in row `key` reads one of `indices` (0-based) of list `list`.
    fn reads_index(&self, dep: NodeIx, list: NodeIx, key: usize, indices: &[usize]) -> bool {
        let Some(n) = self.c().nodes.get(dep) else {
            return false;
        };
        let mut hit = false;
        for e in [&n.expr, &n.cond].into_iter().flatten() {
            self.visit_at(e, list, key, indices, &mut hit);
        }
        hit
    }

    fn visit_at(&self, e: &CExpr, list: NodeIx, key: usize, indices: &[usize], hit: &mut bool) {
        if *hit {
            return;
        }
        match e {
            CExpr::At { node, n, .. } => {
                if *node == list
                    && let Value::Integer(i) = self.eval(n, key)
                    && let Some(i) = usize::try_from(i).ok().and_then(|i| i.checked_sub(1))
                    && indices.contains(&i)
                {
                    *hit = true;
                }
                self.visit_at(n, list, key, indices, hit);
            }
            CExpr::Unary(_, x) => self.visit_at(x, list, key, indices, hit),
            CExpr::Binary(_, l, r) => {
                self.visit_at(l, list, key, indices, hit);
                self.visit_at(r, list, key, indices, hit);
            }
            CExpr::Call(_, args) => {
                for a in args {
                    self.visit_at(a, list, key, indices, hit);
                }
            }
            CExpr::Lit(_) | CExpr::Current(_) | CExpr::Node { .. } | CExpr::Position => {}
        }
    }

    /// Stores a node result. `None` when unchanged; `Some(None)` when a value changed;
    /// `Some(Some(indices))` when a list changed at these (0-based) indices.
    fn store(&mut self, node: NodeIx, key: usize, out: Out) -> Option<Option<Vec<usize>>> {
        let n = self.q.c.nodes.get(node)?;
        let (slot, list_slot) = (n.slot, n.list_slot);
        let row = self.rows.get_mut(key).and_then(Option::as_mut)?;
        match (out, list_slot) {
            (Out::L(list), Some(ls)) => {
                let old = row.lists.get_mut(ls)?;
                if *old == list {
                    return None;
                }
                let len = old.len().max(list.len());
                let indices = (0..len).filter(|i| old.get(*i) != list.get(*i)).collect();
                *old = list;
                Some(Some(indices))
            }
            (Out::V(v), _) => {
                let old = row.vals.get_mut(slot)?;
                if *old == v {
                    return None;
                }
                *old = v;
                Some(None)
            }
            (Out::L(_), None) => None,
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
        for node in &q.c.order {
            let Some(level) = q.c.nodes.get(*node).map(|n| n.level) else {
                continue;
            };
            for key in by_level.get(&level).map_or(&[][..], Vec::as_slice) {
                let out = self.compute(*node, *key);
                self.store(*node, *key, out);
            }
        }
        self.drop_passing_confirmations();
    }

    /// Turns recorded work into the [`Changes`] reported to the UI.
    pub(crate) fn changes(&self, work: Work) -> Changes {
        let c = self.c();
        let mut items: BTreeSet<(usize, String)> = work.touched.into_iter().collect();
        for (key, node) in work.changed {
            let Some(n) = c.nodes.get(node) else { continue };
            let id = match n.kind {
                NodeKind::Val(i)
                | NodeKind::Calc(i)
                | NodeKind::QRel(i)
                | NodeKind::Constraint(i)
                | NodeKind::Filter(i, _) => c.items.get(i).map(|it| it.id.clone()),
                NodeKind::SecRel(s) => c.sections.get(s).map(|s| s.id.clone()),
                NodeKind::RosterRel(r) | NodeKind::RowLabel(r) => {
                    c.rosters.get(r).map(|r| r.id.clone())
                }
                NodeKind::Check(k) => c.checks.get(k).map(|k| k.id.clone()),
                NodeKind::RowRel | NodeKind::RowArg(..) | NodeKind::Agg(_) => None,
            };
            if let Some(id) = id {
                items.insert((key, id));
            }
        }
        let mut paths: HashMap<usize, super::RowPath> = HashMap::new();
        let mut out = Changes::default();
        for (key, id) in items {
            if self.row(key).is_none() {
                continue;
            }
            let path = paths.entry(key).or_insert_with(|| self.path(key)).clone();
            out.items.push((path, id));
        }
        out
    }
}
