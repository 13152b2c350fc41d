//! Evaluating compiled expressions and nodes in a row.

use std::borrow::Cow;

use crate::expr::ast::{BinaryOp, Function};
use crate::expr::{binary, call_scalar, truthy, unary};
use crate::load::compiled::{CExpr, ItemKind, NodeIx, NodeKind};
use crate::model::QuestionType;
use crate::value::Value;

use super::Case;

/// The result of a node: a value, or the per-row list of an `at` aggregate.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Out {
    V(Value),
    L(Vec<Value>),
}

impl Case {
    /// The stored value of `node` in row `key` (null when absent).
    pub(crate) fn node_value(&self, node: NodeIx, key: usize) -> Value {
        let Some(n) = self.c().nodes.get(node) else {
            return Value::Null;
        };
        self.row(key)
            .and_then(|r| r.vals.get(n.slot))
            .cloned()
            .unwrap_or(Value::Null)
    }

    /// The stored value of `node` in row `key`, borrowed.
    fn node_ref(&self, node: NodeIx, key: usize) -> Option<&Value> {
        let slot = self.c().nodes.get(node)?.slot;
        self.row(key)?.vals.get(slot)
    }

    /// Evaluates an expression, borrowing literals and stored values instead of cloning
    /// them (a comparison with a text answer then allocates nothing).
    fn eval_cow<'a>(&'a self, e: &'a CExpr, key: usize) -> Cow<'a, Value> {
        let stored = match e {
            CExpr::Lit(v) => return Cow::Borrowed(v),
            CExpr::Current(node) => self.node_ref(*node, key),
            CExpr::Node { node, up } => self
                .ancestor(key, *up)
                .and_then(|k| self.node_ref(*node, k)),
            _ => return Cow::Owned(self.eval(e, key)),
        };
        stored.map_or(Cow::Owned(Value::Null), Cow::Borrowed)
    }

    fn node_is_true(&self, node: NodeIx, key: usize) -> bool {
        let Some(n) = self.c().nodes.get(node) else {
            return false;
        };
        matches!(
            self.row(key).and_then(|r| r.vals.get(n.slot)),
            Some(Value::Bool(true))
        )
    }

    /// Evaluates an expression in row `key`.
    pub(crate) fn eval(&self, e: &CExpr, key: usize) -> Value {
        match e {
            CExpr::Lit(v) => v.clone(),
            CExpr::Current(node) => self.node_value(*node, key),
            CExpr::Node { node, up } => self
                .ancestor(key, *up)
                .map_or(Value::Null, |k| self.node_value(*node, k)),
            CExpr::At { node, up, n } => {
                let Value::Integer(n) = self.eval(n, key) else {
                    return Value::Null;
                };
                let Some(list_slot) = self.c().nodes.get(*node).and_then(|nd| nd.list_slot) else {
                    return Value::Null;
                };
                let Some(anchor) = self.ancestor(key, *up) else {
                    return Value::Null;
                };
                let index = usize::try_from(n.saturating_sub(1)).ok().filter(|_| n >= 1);
                index
                    .and_then(|i| self.row(anchor)?.lists.get(list_slot)?.get(i).cloned())
                    .unwrap_or(Value::Null)
            }
            CExpr::Position => self
                .row(key)
                .map_or(Value::Null, |r| Value::Integer(i64::from(r.pos) + 1)),
            CExpr::Unary(op, x) => unary(*op, &self.eval_cow(x, key)),
            CExpr::Binary(op, l, r) => {
                let left = self.eval_cow(l, key);
                // Short cuts that give the same result as the three-valued operators.
                match (op, &*left) {
                    (BinaryOp::And, Value::Bool(false)) => return Value::Bool(false),
                    (BinaryOp::Or, Value::Bool(true)) => return Value::Bool(true),
                    _ => {}
                }
                binary(*op, &left, &self.eval_cow(r, key))
            }
            CExpr::Regex(x, rx) => match &*self.eval_cow(x, key) {
                Value::Text(s) => Value::Bool(rx.0.is_match(s)),
                _ => Value::Null,
            },
            CExpr::Call(f, args) => {
                let values: Vec<Value> = args.iter().map(|a| self.eval(a, key)).collect();
                call_scalar(*f, &values, &self.dates)
            }
        }
    }

    fn eval_bool(&self, e: Option<&CExpr>, key: usize, absent: bool) -> Option<bool> {
        match e {
            None => Some(absent),
            Some(e) => truthy(&self.eval_cow(e, key)),
        }
    }

    /// Computes node `node` in row `key` from the current stored values.
    pub(crate) fn compute(&self, node: NodeIx, key: usize) -> Out {
        let c = self.c();
        let Some(n) = c.nodes.get(node) else {
            return Out::V(Value::Null);
        };
        let row_rel = || {
            c.levels
                .get(n.level)
                .is_some_and(|l| self.node_is_true(l.row_rel, key))
        };
        let expr = n.expr.as_ref();
        let v = match n.kind {
            NodeKind::Val(item) => {
                let Some(it) = c.items.get(item) else {
                    return Out::V(Value::Null);
                };
                let answer = || {
                    self.row(key)
                        .and_then(|r| r.answers.get(it.slot))
                        .cloned()
                        .unwrap_or(Value::Null)
                };
                match &it.kind {
                    ItemKind::Input(_) => answer(),
                    ItemKind::Question { qtype, .. } => {
                        if !it.rel_node.is_some_and(|r| self.node_is_true(r, key)) {
                            Value::Null
                        } else {
                            match qtype {
                                QuestionType::Note => Value::Null,
                                QuestionType::Calculated => it
                                    .calc_node
                                    .map_or(Value::Null, |c| self.node_value(c, key)),
                                _ => answer(),
                            }
                        }
                    }
                }
            }
            NodeKind::Calc(_) | NodeKind::RowArg(..) | NodeKind::RowLabel(_) | NodeKind::Title => {
                expr.map_or(Value::Null, |e| self.eval(e, key))
            }
            NodeKind::QRel(item) => {
                let section_ok = match c.items.get(item).map(|i| &i.kind) {
                    Some(ItemKind::Question { section, .. }) => c
                        .sections
                        .get(*section)
                        .is_some_and(|s| self.node_is_true(s.rel_node, key)),
                    _ => false,
                };
                Value::Bool(section_ok && self.eval_bool(expr, key, true) == Some(true))
            }
            NodeKind::SecRel(_) | NodeKind::RosterRel(_) => {
                Value::Bool(row_rel() && self.eval_bool(expr, key, true) == Some(true))
            }
            NodeKind::RowRel => {
                let ok = match c.levels.get(n.level).and_then(|l| l.parent) {
                    None => true,
                    Some((_, roster)) => {
                        match (c.rosters.get(roster), self.row(key).and_then(|r| r.parent)) {
                            (Some(rc), Some(parent)) => self.node_is_true(rc.rel_node, parent),
                            _ => false,
                        }
                    }
                };
                Value::Bool(ok)
            }
            NodeKind::Constraint(item) => {
                let current = c
                    .items
                    .get(item)
                    .map_or(Value::Null, |it| self.node_value(it.val_node, key));
                Value::Bool(current.is_null() || self.eval_bool(expr, key, true) != Some(false))
            }
            NodeKind::Filter(..) => Value::Bool(self.eval_bool(expr, key, true) == Some(true)),
            NodeKind::Check(_) => {
                let applies = row_rel() && self.eval_bool(n.cond.as_ref(), key, true) == Some(true);
                Value::Bool(!applies || self.eval_bool(expr, key, true) != Some(false))
            }
            NodeKind::Agg(a) => return self.aggregate(a, key),
            NodeKind::Text(_) => match expr {
                // The values the text shows, so a change of one is a change of the text.
                Some(CExpr::Call(_, reads)) => Value::Multi(
                    reads
                        .iter()
                        .map(|r| format!("{:?}", self.eval_cow(r, key)))
                        .collect(),
                ),
                _ => Value::Null,
            },
        };
        Out::V(v)
    }

    fn aggregate(&self, a: usize, key: usize) -> Out {
        let c = self.c();
        let Some(agg) = c.aggs.get(a) else {
            return Out::V(Value::Null);
        };
        let Some((level, row_rel)) = c
            .rosters
            .get(agg.roster)
            .and_then(|r| c.levels.get(r.level).map(|l| (r.level, l.row_rel)))
        else {
            return Out::V(Value::Null);
        };
        let rows = self.rows_under(key, level);
        let rows = rows
            .iter()
            .copied()
            .filter(|r| self.node_is_true(row_rel, *r));
        let arg = |k: usize, row: usize| {
            agg.args
                .get(k)
                .map_or(Value::Null, |n| self.node_value(*n, row))
        };
        let v = match agg.function {
            Function::Count if agg.args.is_empty() => {
                Value::Integer(i64::try_from(rows.count()).unwrap_or(i64::MAX))
            }
            Function::Count => Value::Integer(
                i64::try_from(rows.filter(|r| truthy(&arg(0, *r)) == Some(true)).count())
                    .unwrap_or(i64::MAX),
            ),
            Function::Sum => rows
                .map(|r| arg(0, r))
                .filter(|v| !v.is_null())
                .fold(Value::Integer(0), |acc, v| binary(BinaryOp::Add, &acc, &v)),
            Function::Min | Function::Max => {
                let better = if agg.function == Function::Min {
                    BinaryOp::Lt
                } else {
                    BinaryOp::Gt
                };
                let mut best = Value::Null;
                for v in rows.map(|r| arg(0, r)).filter(|v| !v.is_null()) {
                    if best.is_null() || truthy(&binary(better, &v, &best)) == Some(true) {
                        best = v;
                    }
                }
                best
            }
            Function::Any | Function::All => {
                let (decisive, otherwise) = if agg.function == Function::Any {
                    (true, false)
                } else {
                    (false, true)
                };
                let mut saw_null = false;
                let mut result = None;
                for r in rows {
                    match truthy(&arg(0, r)) {
                        Some(b) if b == decisive => {
                            result = Some(decisive);
                            break;
                        }
                        Some(_) => {}
                        None => saw_null = true,
                    }
                }
                match result {
                    Some(b) => Value::Bool(b),
                    None if saw_null => Value::Null,
                    None => Value::Bool(otherwise),
                }
            }
            Function::First => rows
                .into_iter()
                .find(|r| truthy(&arg(0, *r)) == Some(true))
                .map_or(Value::Null, |r| arg(1, r)),
            Function::At => return Out::L(rows.map(|r| arg(0, r)).collect()),
            _ => Value::Null,
        };
        Out::V(v)
    }
}
