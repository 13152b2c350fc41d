//! The reverse index of `at(R, n, e)` reads: which rows read which element of a list
//! aggregate. When one element of a list changes (a person's age), only the rows whose
//! `n` pointed at it (their children, by mother's line number) are recomputed, found here
//! without scanning the roster.
//!
//! A reading node records the elements it read each time it is computed. Its `n` depends
//! only on the node's own sources, so whenever `n` changes the node is recomputed and its
//! record refreshed; the record is therefore always the one a full recompute would build.

use std::collections::{BTreeSet, HashMap};

use crate::load::compiled::{CExpr, NodeIx};
use crate::value::Value;

use super::Case;

/// One read: (list node, row holding the list, 0-based element index).
type Read = (NodeIx, usize, usize);

/// Who reads which list element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AtIndex {
    /// Element → the (node, row) instances that read it.
    readers: HashMap<Read, BTreeSet<(NodeIx, usize)>>,
    /// (node, row) → the elements it read when last computed.
    reads: HashMap<(NodeIx, usize), Vec<Read>>,
}

impl AtIndex {
    /// The (node, row) instances that read element `index` of `list` held by row `anchor`.
    pub(crate) fn readers(
        &self,
        list: NodeIx,
        anchor: usize,
        index: usize,
    ) -> impl Iterator<Item = (NodeIx, usize)> + '_ {
        self.readers
            .get(&(list, anchor, index))
            .into_iter()
            .flatten()
            .copied()
    }

    fn set(&mut self, node: NodeIx, key: usize, new: Vec<Read>) {
        let old = if new.is_empty() {
            self.reads.remove(&(node, key))
        } else {
            match self.reads.get(&(node, key)) {
                Some(old) if *old == new => return,
                _ => self.reads.insert((node, key), new.clone()),
            }
        };
        for read in old.into_iter().flatten() {
            if let Some(set) = self.readers.get_mut(&read) {
                set.remove(&(node, key));
                if set.is_empty() {
                    self.readers.remove(&read);
                }
            }
        }
        for read in new {
            self.readers.entry(read).or_default().insert((node, key));
        }
    }

    /// Forgets everything.
    pub(crate) fn clear(&mut self) {
        self.readers.clear();
        self.reads.clear();
    }
}

impl Case {
    /// Refreshes the recorded reads of `node` in row `key` (after computing it).
    pub(crate) fn record_at_reads(&mut self, node: NodeIx, key: usize) {
        if !self.c().nodes.get(node).is_some_and(|n| n.reads_at) {
            return;
        }
        let q = self.q.clone();
        let Some(n) = q.c.nodes.get(node).filter(|n| n.reads_at) else {
            return;
        };
        let mut reads = Vec::new();
        for e in [&n.expr, &n.cond].into_iter().flatten() {
            self.collect_at_reads(e, key, &mut reads);
        }
        reads.sort_unstable();
        reads.dedup();
        self.at_index.set(node, key, reads);
    }

    /// Drops the reads of the nodes of a removed row of `level`.
    pub(crate) fn forget_at_reads(&mut self, key: usize, level: usize) {
        let q = self.q.clone();
        let Some(l) = q.c.levels.get(level) else {
            return;
        };
        for node in &l.nodes {
            if q.c.nodes.get(*node).is_some_and(|n| n.reads_at) {
                self.at_index.set(*node, key, Vec::new());
            }
        }
    }

    fn collect_at_reads(&self, e: &CExpr, key: usize, out: &mut Vec<Read>) {
        match e {
            CExpr::At { node, up, n } => {
                if let Value::Integer(i) = self.eval(n, key)
                    && let Some(i) = usize::try_from(i).ok().and_then(|i| i.checked_sub(1))
                    && let Some(anchor) = self.ancestor(key, *up)
                {
                    out.push((*node, anchor, i));
                }
                self.collect_at_reads(n, key, out);
            }
            CExpr::Unary(_, x) | CExpr::Regex(x, _) => self.collect_at_reads(x, key, out),
            CExpr::Binary(_, l, r) => {
                self.collect_at_reads(l, key, out);
                self.collect_at_reads(r, key, out);
            }
            CExpr::Call(_, args) => {
                for a in args {
                    self.collect_at_reads(a, key, out);
                }
            }
            CExpr::Lit(_) | CExpr::Current(_) | CExpr::Node { .. } | CExpr::Position => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::NaiveDate;
    use proptest::prelude::*;

    use crate::engine::{Case, RowPath};
    use crate::load::{Questionnaire, load_questionnaire};
    use crate::value::Value;

    const MINI: &str = include_str!("../../tests/data/mini.json");

    fn q() -> Arc<Questionnaire> {
        load_questionnaire("mini.json", MINI).unwrap()
    }

    /// A case with an occupied dwelling, one household and `n` persons.
    fn case_with(n: usize) -> (Case, RowPath, Vec<RowPath>) {
        let today = NaiveDate::from_ymd_opt(2024, 9, 10).unwrap();
        let mut case = Case::new(q(), today);
        case.set_answer(&RowPath::root(), "dw_occupied", Value::Bool(true))
            .unwrap();
        let (hh, _) = case.add_row(&RowPath::root(), "households").unwrap();
        let persons = (0..n)
            .map(|_| case.add_row(&hh, "persons").unwrap().0)
            .collect();
        (case, hh, persons)
    }

    /// The reads of the `mother_age` calculation in a row.
    fn mother_reads(case: &Case, row: &RowPath) -> Vec<usize> {
        let c = case.c();
        let Some(crate::load::compiled::Name::Item(item)) = c.names.get("mother_age") else {
            panic!("mini.json has mother_age");
        };
        let calc = c.items[*item].calc_node.unwrap();
        let key = case.key(row).unwrap();
        case.at_index
            .reads
            .get(&(calc, key))
            .map(|r| r.iter().map(|(_, _, i)| *i).collect())
            .unwrap_or_default()
    }

    fn rebuilt(case: &Case) -> Case {
        let mut full = case.clone();
        full.recompute_all();
        full
    }

    #[test]
    fn reads_follow_the_line_number_and_removed_rows_are_forgotten() {
        let (mut case, _, persons) = case_with(3);
        let child = &persons[2];
        case.set_answer(child, "age", Value::Integer(10)).unwrap();
        case.set_answer(child, "mother_line", Value::Integer(2))
            .unwrap();
        assert_eq!(mother_reads(&case, child), vec![1]);
        // The mother's age reaches the child through the index.
        case.set_answer(&persons[1], "age", Value::Integer(35))
            .unwrap();
        assert_eq!(case.value(child, "mother_age"), Value::Integer(35));
        case.set_answer(child, "mother_line", Value::Integer(1))
            .unwrap();
        assert_eq!(mother_reads(&case, child), vec![0]);
        // Over 18: mother_line is not relevant, its value null, nothing is read.
        case.set_answer(child, "age", Value::Integer(30)).unwrap();
        assert!(mother_reads(&case, child).is_empty());
        case.set_answer(child, "age", Value::Integer(10)).unwrap();
        assert_eq!(mother_reads(&case, child), vec![0]);
        // Moving a row changes who is at line 1; the child now reads the moved row's age.
        case.set_answer(&persons[0], "age", Value::Integer(50))
            .unwrap();
        case.move_row(&persons[1], 0).unwrap();
        assert_eq!(case.value(child, "mother_age"), Value::Integer(35));
        assert_eq!(case.at_index, rebuilt(&case).at_index);
        case.remove_row(child).unwrap();
        assert!(case.at_index.reads.is_empty());
        assert!(case.at_index.readers.is_empty());
        assert_eq!(case.at_index, rebuilt(&case).at_index);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Add,
        Remove(usize),
        Move(usize, usize),
        Age(usize, Option<i64>),
        Mother(usize, Option<i64>),
        Occupied(bool),
    }

    fn op() -> impl Strategy<Value = Op> {
        let opt = |range: std::ops::Range<i64>| prop::option::weighted(0.85, range);
        prop_oneof![
            2 => Just(Op::Add),
            1 => (0..8usize).prop_map(Op::Remove),
            1 => (0..8usize, 0..8usize).prop_map(|(r, to)| Op::Move(r, to)),
            3 => (0..8usize, opt(0..60)).prop_map(|(r, v)| Op::Age(r, v)),
            3 => (0..8usize, opt(0..7)).prop_map(|(r, v)| Op::Mother(r, v)),
            1 => any::<bool>().prop_map(Op::Occupied),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

        /// After any edits (rows pointed at moved or removed, line numbers changed, the
        /// roster emptied by relevance), the incrementally kept index and every value
        /// equal a full recompute's.
        #[test]
        fn index_equals_a_rebuilt_one(ops in prop::collection::vec(op(), 1..40)) {
            let (mut case, hh, _) = case_with(3);
            for op in &ops {
                let rows = case.rows(&hh, "persons");
                let pick = |i: usize| rows.get(i % rows.len().max(1)).cloned();
                let int = |v: &Option<i64>| v.map_or(Value::Null, Value::Integer);
                match op {
                    Op::Add => {
                        let _ = case.add_row(&hh, "persons");
                    }
                    Op::Remove(i) => {
                        if let Some(r) = pick(*i) {
                            case.remove_row(&r).unwrap();
                        }
                    }
                    Op::Move(i, to) => {
                        if let Some(r) = pick(*i) {
                            let _ = case.move_row(&r, *to % rows.len());
                        }
                    }
                    Op::Age(i, v) => {
                        if let Some(r) = pick(*i) {
                            case.set_answer(&r, "age", int(v)).unwrap();
                        }
                    }
                    Op::Mother(i, v) => {
                        if let Some(r) = pick(*i) {
                            case.set_answer(&r, "mother_line", int(v)).unwrap();
                        }
                    }
                    Op::Occupied(b) => {
                        case.set_answer(&RowPath::root(), "dw_occupied", Value::Bool(*b))
                            .unwrap();
                    }
                }
                let full = rebuilt(&case);
                prop_assert_eq!(&case.at_index, &full.at_index);
                prop_assert_eq!(case.state_digest(), full.state_digest());
            }
        }
    }
}
