//! Pass 2 of loading: parses, type-checks and compiles every expression into the nodes
//! laid out by [`super::build`]. Calculations are typed first, in dependency order, so
//! that their types are known where they are used.

use crate::expr::ast::{Expr, ExprKind, Function, Literal, Span};
use crate::expr::{check, names_used, parse};
use crate::model::QuestionType;
use crate::value::{Type, Value};

use super::build::{Builder, Job, Purpose};
use super::compiled::{AggC, CExpr, ItemKind, LevelIx, Name, NodeIx, NodeKind, Rx};
use super::scope::{LevelScope, anchor_of};

/// 1-based character column of a byte offset in `source`.
fn column(source: &str, span: Span) -> u32 {
    let start = (span.start as usize).min(source.len());
    let chars = source
        .char_indices()
        .take_while(|(i, _)| *i < start)
        .count();
    u32::try_from(chars).unwrap_or(u32::MAX).saturating_add(1)
}

fn is_calculated(b: &Builder, name: &str) -> Option<usize> {
    match b.c.names.get(name)? {
        Name::Item(ix) => match b.c.items.get(*ix)?.kind {
            ItemKind::Question {
                qtype: QuestionType::Calculated,
                ..
            } => Some(*ix),
            _ => None,
        },
        Name::Roster(_) => None,
    }
}

impl Builder {
    /// Parses, checks and compiles every recorded expression.
    pub fn expressions(&mut self) {
        let jobs = std::mem::take(&mut self.jobs);
        let mut parsed: Vec<Option<Expr>> = Vec::with_capacity(jobs.len());
        for job in &jobs {
            match parse(&job.source) {
                Ok(e) => parsed.push(Some(e)),
                Err(e) => {
                    self.problem(
                        Some(&job.owner),
                        &job.location,
                        Some(column(&job.source, e.span)),
                        format!("syntax error: {}", e.message),
                    );
                    parsed.push(None);
                }
            }
        }
        // Type calculations in dependency order; those left (cycles) are checked last
        // with their unknown types standing as null, and the cycle is reported by the graph.
        let mut done = vec![false; jobs.len()];
        let calc_jobs: Vec<usize> = (0..jobs.len())
            .filter(|&i| {
                jobs.get(i)
                    .is_some_and(|j| j.purpose == Purpose::Calculation)
            })
            .collect();
        let mut typed: Vec<bool> = vec![false; self.c.items.len()];
        loop {
            let mut progress = false;
            for &ji in &calc_jobs {
                let (Some(job), Some(Some(ast))) = (jobs.get(ji), parsed.get(ji)) else {
                    continue;
                };
                if done.get(ji).copied().unwrap_or(true) {
                    continue;
                }
                let ready = names_used(ast).iter().all(|u| {
                    is_calculated(self, &u.name)
                        .is_none_or(|ix| typed.get(ix).copied().unwrap_or(false))
                });
                if ready {
                    self.run_job(job, ast);
                    if let (Some(d), Some(item)) = (done.get_mut(ji), job.item) {
                        *d = true;
                        if let Some(t) = typed.get_mut(item) {
                            *t = true;
                        }
                    }
                    progress = true;
                }
            }
            if !progress {
                break;
            }
        }
        for (ji, job) in jobs.iter().enumerate() {
            if done.get(ji).copied().unwrap_or(true) {
                continue;
            }
            if let Some(Some(ast)) = parsed.get(ji) {
                self.run_job(job, ast);
            }
        }
    }

    fn run_job(&mut self, job: &Job, ast: &Expr) {
        let current_item = if job.purpose == Purpose::Constraint {
            job.item
        } else {
            None
        };
        let current_type = current_item
            .and_then(|i| self.c.items.get(i))
            .map(|it| it.ty);
        let result = {
            let scope = LevelScope {
                c: &self.c,
                level: job.level,
                current: current_type,
            };
            check(ast, &scope)
        };
        let ty = match result {
            Ok(t) => t,
            Err(errors) => {
                for e in errors {
                    let message = match e.fix {
                        Some(fix) => format!("{}; {fix}", e.message),
                        None => e.message,
                    };
                    self.problem(
                        Some(&job.owner),
                        &job.location,
                        Some(column(&job.source, e.span)),
                        message,
                    );
                }
                return;
            }
        };
        let wants_bool = !matches!(
            job.purpose,
            Purpose::Calculation | Purpose::RowLabel | Purpose::Title
        );
        if wants_bool && !matches!(ty, Type::Boolean | Type::Null) {
            self.problem(
                Some(&job.owner),
                &job.location,
                Some(1),
                format!("this expression must be a boolean (true/false), but it is a {ty}"),
            );
            return;
        }
        if job.purpose == Purpose::Calculation
            && let Some(item) = job.item.and_then(|i| self.c.items.get_mut(i))
        {
            item.ty = ty;
        }
        let current_node = current_item
            .and_then(|i| self.c.items.get(i))
            .map(|it| it.val_node);
        match self.compile(ast, job.level, current_node, false) {
            Ok(compiled) => {
                if let Some(node) = self.c.nodes.get_mut(job.node) {
                    if job.purpose == Purpose::CheckRelevant {
                        node.cond = Some(compiled);
                    } else {
                        node.expr = Some(compiled);
                    }
                }
            }
            Err((span, message)) => self.problem(
                Some(&job.owner),
                &job.location,
                Some(column(&job.source, span)),
                message,
            ),
        }
    }

    fn depth(&self, level: LevelIx) -> u32 {
        self.c.levels.get(level).map_or(0, |l| l.depth)
    }

    /// Turns a checked tree into a [`CExpr`] with every name resolved to a node.
    fn compile(
        &mut self,
        e: &Expr,
        level: LevelIx,
        current: Option<NodeIx>,
        in_args: bool,
    ) -> Result<CExpr, (Span, String)> {
        Ok(match &e.kind {
            ExprKind::Literal(lit) => CExpr::Lit(match lit {
                Literal::Null => Value::Null,
                Literal::Bool(b) => Value::Bool(*b),
                Literal::Integer(i) => Value::Integer(*i),
                Literal::Decimal(d) => Value::Decimal(*d),
                Literal::Text(s) => Value::Text(s.clone()),
            }),
            ExprKind::Current => match current {
                Some(node) => CExpr::Current(node),
                None if in_args => {
                    return Err((
                        e.span,
                        "'.' cannot be used inside an aggregate's row expression: name the \
                         question instead"
                            .into(),
                    ));
                }
                None => return Err((e.span, "'.' is only allowed in a constraint".into())),
            },
            ExprKind::Name(name) => {
                let item = match self.c.names.get(name) {
                    Some(Name::Item(ix)) => self.c.items.get(*ix),
                    _ => None,
                };
                let Some(item) = item.filter(|it| self.c.is_ancestor_or_self(it.level, level))
                else {
                    return Err((e.span, format!("unknown name '{name}'")));
                };
                let (node, item_level) = (item.val_node, item.level);
                CExpr::Node {
                    node,
                    up: self.depth(level).saturating_sub(self.depth(item_level)),
                }
            }
            ExprKind::Unary(op, x) => {
                CExpr::Unary(*op, Box::new(self.compile(x, level, current, in_args)?))
            }
            ExprKind::Binary(op, l, r) => CExpr::Binary(
                *op,
                Box::new(self.compile(l, level, current, in_args)?),
                Box::new(self.compile(r, level, current, in_args)?),
            ),
            ExprKind::Call(Function::Position, _) => {
                if self.c.levels.get(level).is_some_and(|l| l.parent.is_some()) {
                    CExpr::Position
                } else {
                    return Err((
                        e.span,
                        "position() has no meaning outside a roster row".into(),
                    ));
                }
            }
            ExprKind::Call(Function::Regex, args) => {
                let (Some(text), Some(pattern)) = (args.first(), args.get(1)) else {
                    return Err((e.span, "`regex` takes a text and a pattern".into()));
                };
                let ExprKind::Literal(Literal::Text(source)) = &pattern.kind else {
                    return Err((pattern.span, "the pattern of `regex` must be a text".into()));
                };
                let rx = regex::Regex::new(source)
                    .map_err(|err| (pattern.span, format!("invalid regular expression: {err}")))?;
                CExpr::Regex(
                    Box::new(self.compile(text, level, current, in_args)?),
                    Rx(std::sync::Arc::new(rx)),
                )
            }
            ExprKind::Call(f, args) if f.is_aggregate() => {
                self.aggregate(*f, args, e.span, level, current, in_args)?
            }
            ExprKind::Call(f, args) => {
                let mut out = Vec::with_capacity(args.len());
                for a in args {
                    out.push(self.compile(a, level, current, in_args)?);
                }
                CExpr::Call(*f, out)
            }
        })
    }

    fn aggregate(
        &mut self,
        f: Function,
        args: &[Expr],
        span: Span,
        level: LevelIx,
        current: Option<NodeIx>,
        in_args: bool,
    ) -> Result<CExpr, (Span, String)> {
        let Some(ExprKind::Name(rname)) = args.first().map(|a| &a.kind) else {
            return Err((span, "the first argument must name a roster".into()));
        };
        let Some(Name::Roster(r)) = self.c.names.get(rname).copied() else {
            return Err((span, format!("'{rname}' is not a roster")));
        };
        let (owner, rlevel) = match self.c.rosters.get(r) {
            Some(rc) => (rc.owner, rc.level),
            None => return Err((span, format!("'{rname}' is not a roster"))),
        };
        let Some(anchor) = anchor_of(&self.c, owner, level) else {
            return Err((span, format!("roster '{rname}' is not reachable from here")));
        };
        let up = self.depth(level).saturating_sub(self.depth(anchor));
        let mut n = None;
        let mut row_args = Vec::new();
        for (i, a) in args.iter().enumerate().skip(1) {
            if f == Function::At && i == 1 {
                n = Some(self.compile(a, level, current, in_args)?);
            } else {
                row_args.push(self.compile(a, rlevel, None, true)?);
            }
        }
        let node = self.agg_node(f, r, anchor, rlevel, row_args);
        Ok(match n {
            Some(n) => CExpr::At {
                node,
                up,
                n: Box::new(n),
            },
            None => CExpr::Node { node, up },
        })
    }

    /// The node of an aggregate, shared with an identical one compiled before.
    fn agg_node(
        &mut self,
        f: Function,
        roster: usize,
        anchor: LevelIx,
        rlevel: LevelIx,
        row_args: Vec<CExpr>,
    ) -> NodeIx {
        for agg in &self.c.aggs {
            if agg.function == f
                && agg.roster == roster
                && agg.anchor == anchor
                && agg.args.len() == row_args.len()
                && agg
                    .args
                    .iter()
                    .zip(&row_args)
                    .all(|(n, e)| self.c.nodes.get(*n).and_then(|n| n.expr.as_ref()) == Some(e))
            {
                return agg.node;
            }
        }
        let aix = self.c.aggs.len();
        let node = self.node(anchor, NodeKind::Agg(aix));
        if f == Function::At
            && let Some(level) = self.c.levels.get_mut(anchor)
        {
            let slot = level.lists;
            level.lists += 1;
            if let Some(n) = self.c.nodes.get_mut(node) {
                n.list_slot = Some(slot);
            }
        }
        let mut arg_nodes = Vec::with_capacity(row_args.len());
        for (k, e) in row_args.into_iter().enumerate() {
            let an = self.node(rlevel, NodeKind::RowArg(aix, k));
            if let Some(n) = self.c.nodes.get_mut(an) {
                n.expr = Some(e);
            }
            arg_nodes.push(an);
        }
        self.c.aggs.push(AggC {
            function: f,
            roster,
            anchor,
            args: arg_nodes,
            node,
        });
        node
    }
}
