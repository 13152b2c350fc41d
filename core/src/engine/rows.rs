//! Row storage: creating rows, resolving paths, walking up and down the tree.

use std::borrow::Cow;

use crate::load::compiled::{Compiled, LevelIx};
use crate::value::Value;

use super::{Case, EngineError, Row, RowId, RowPath};

impl Case {
    pub(crate) fn c(&self) -> &Compiled {
        &self.q.c
    }

    pub(crate) fn row(&self, key: usize) -> Option<&Row> {
        self.rows.get(key).and_then(Option::as_ref)
    }

    pub(crate) fn row_mut(&mut self, key: usize) -> Option<&mut Row> {
        self.rows.get_mut(key).and_then(Option::as_mut)
    }

    /// A new row of `level` (not yet linked into its parent's children).
    pub(crate) fn make_row(
        &self,
        level: LevelIx,
        roster: Option<usize>,
        id: RowId,
        parent: Option<usize>,
        defaults: bool,
    ) -> Row {
        let c = self.c();
        let (items, nodes, lists, rosters) = c.levels.get(level).map_or((0, 0, 0, 0), |l| {
            (l.items.len(), l.nodes.len(), l.lists, l.rosters.len())
        });
        let mut answers = vec![Value::Null; items];
        if defaults && let Some(l) = c.levels.get(level) {
            for (slot, item) in l.items.iter().enumerate() {
                if let (Some(d), Some(a)) = (
                    c.items.get(*item).and_then(|i| i.default.clone()),
                    answers.get_mut(slot),
                ) {
                    *a = d;
                }
            }
        }
        Row {
            level,
            roster,
            id,
            parent,
            pos: 0,
            answers,
            vals: vec![Value::Null; nodes],
            lists: vec![Vec::new(); lists],
            children: vec![Vec::new(); rosters],
        }
    }

    pub(crate) fn insert_root(&mut self, defaults: bool) {
        let root = self.make_row(0, None, RowId(0), None, defaults);
        self.rows.push(Some(root));
    }

    /// Links a new row under `parent` at the end of roster `roster`; returns its key.
    pub(crate) fn attach(
        &mut self,
        parent: usize,
        roster: usize,
        id: RowId,
        defaults: bool,
    ) -> Result<usize, EngineError> {
        let (level, local) = {
            let rc = self
                .c()
                .rosters
                .get(roster)
                .ok_or_else(|| EngineError::UnknownItem("unknown roster".into()))?;
            (rc.level, rc.local)
        };
        if self.by_id.contains_key(&id.0) {
            return Err(EngineError::BadData(format!(
                "row id {} is used twice",
                id.0
            )));
        }
        let mut row = self.make_row(level, Some(roster), id, Some(parent), defaults);
        let key = self.rows.len();
        let siblings = self
            .row_mut(parent)
            .and_then(|p| p.children.get_mut(local))
            .ok_or_else(|| EngineError::UnknownRow(String::new()))?;
        row.pos = u32::try_from(siblings.len()).unwrap_or(u32::MAX);
        siblings.push(key);
        self.rows.push(Some(row));
        self.by_id.insert(id.0, key);
        self.next_row_id = self.next_row_id.max(id.0.saturating_add(1));
        Ok(key)
    }

    /// Resolves a path to a row key.
    pub(crate) fn key(&self, path: &RowPath) -> Result<usize, EngineError> {
        let unknown = || EngineError::UnknownRow(path.to_string());
        let mut current = 0usize;
        if self.row(0).is_none() {
            return Err(unknown());
        }
        for (roster_id, id) in path.segments() {
            let key = *self.by_id.get(&id.0).ok_or_else(unknown)?;
            let row = self.row(key).ok_or_else(unknown)?;
            let roster_ok = row
                .roster
                .and_then(|r| self.c().rosters.get(r))
                .is_some_and(|r| &r.id == roster_id);
            if row.parent != Some(current) || !roster_ok {
                return Err(unknown());
            }
            current = key;
        }
        Ok(current)
    }

    /// The path of a row key.
    pub(crate) fn path(&self, key: usize) -> RowPath {
        let mut segments = Vec::new();
        let mut current = self.row(key);
        while let Some(row) = current {
            let Some(parent) = row.parent else { break };
            let roster = row
                .roster
                .and_then(|r| self.c().rosters.get(r))
                .map_or(String::new(), |r| r.id.clone());
            segments.push((roster, row.id));
            current = self.row(parent);
        }
        segments.reverse();
        RowPath::from_segments(segments)
    }

    /// The row `up` levels above `key`.
    pub(crate) fn ancestor(&self, key: usize, up: u32) -> Option<usize> {
        let mut k = key;
        for _ in 0..up {
            k = self.row(k)?.parent?;
        }
        Some(k)
    }

    /// The ancestor (or self) of `key` at `level`.
    pub(crate) fn ancestor_at(&self, key: usize, level: LevelIx) -> Option<usize> {
        let mut k = key;
        loop {
            let row = self.row(k)?;
            if row.level == level {
                return Some(k);
            }
            k = row.parent?;
        }
    }

    /// Every row of `level` under (or equal to) `key`, in interview order; borrowed
    /// without copying when they are the children of one roster of `key`.
    pub(crate) fn rows_under(&self, key: usize, level: LevelIx) -> Cow<'_, [usize]> {
        let c = self.c();
        if let Some(row) = self.row(key)
            && let Some((parent, roster)) = c.levels.get(level).and_then(|lv| lv.parent)
            && parent == row.level
        {
            let local = c.rosters.get(roster).map_or(0, |r| r.local);
            return Cow::Borrowed(row.children.get(local).map_or(&[][..], Vec::as_slice));
        }
        let mut out = Vec::new();
        self.rows_at(key, level, &mut out);
        Cow::Owned(out)
    }

    /// Every row of `level` under (or equal to) `key`, in interview order.
    pub(crate) fn rows_at(&self, key: usize, level: LevelIx, out: &mut Vec<usize>) {
        let Some(row) = self.row(key) else { return };
        if row.level == level {
            out.push(key);
            return;
        }
        // The chain of local roster indices from the row's level down to `level`.
        let c = self.c();
        let mut chain = Vec::new();
        let mut l = level;
        while l != row.level {
            let Some((parent, roster)) = c.levels.get(l).and_then(|lv| lv.parent) else {
                return;
            };
            chain.push(c.rosters.get(roster).map_or(0, |r| r.local));
            l = parent;
        }
        chain.reverse();
        self.collect(key, &chain, out);
    }

    fn collect(&self, key: usize, chain: &[usize], out: &mut Vec<usize>) {
        let Some((first, rest)) = chain.split_first() else {
            out.push(key);
            return;
        };
        if let Some(children) = self.row(key).and_then(|r| r.children.get(*first)) {
            for child in children {
                self.collect(*child, rest, out);
            }
        }
    }

    /// Every live row key, parents before children, children in order.
    pub(crate) fn all_rows(&self) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = vec![0usize];
        while let Some(k) = stack.pop() {
            let Some(row) = self.row(k) else { continue };
            out.push(k);
            for children in row.children.iter().rev() {
                stack.extend(children.iter().rev());
            }
        }
        out
    }

    /// The row and every row below it.
    pub(crate) fn subtree(&self, key: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = vec![key];
        while let Some(k) = stack.pop() {
            let Some(row) = self.row(k) else { continue };
            out.push(k);
            for children in &row.children {
                stack.extend(children.iter());
            }
        }
        out
    }
}
