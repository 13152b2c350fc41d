//! Pass 3 of loading: the dependency graph between node definitions, its cycles (load
//! errors naming the path) and the topological order the engine recomputes in.

use super::build::Builder;
use super::compiled::{CExpr, Compiled, ItemKind, NodeIx, NodeKind, Rel};

/// Whether an expression contains an `at(…)`.
fn has_at(e: &CExpr) -> bool {
    match e {
        CExpr::At { .. } => true,
        CExpr::Unary(_, x) | CExpr::Regex(x, _) => has_at(x),
        CExpr::Binary(_, l, r) => has_at(l) || has_at(r),
        CExpr::Call(_, args) => args.iter().any(has_at),
        CExpr::Lit(_) | CExpr::Current(_) | CExpr::Node { .. } | CExpr::Position => false,
    }
}

fn expr_deps(e: &CExpr, out: &mut Vec<(NodeIx, Rel)>, uses_position: &mut bool) {
    match e {
        CExpr::Lit(_) => {}
        CExpr::Current(n) => out.push((*n, Rel::Same)),
        CExpr::Node { node, up } => out.push((*node, if *up == 0 { Rel::Same } else { Rel::Down })),
        CExpr::At { node, up, n } => {
            out.push((*node, if *up == 0 { Rel::Same } else { Rel::Down }));
            expr_deps(n, out, uses_position);
        }
        CExpr::Position => *uses_position = true,
        CExpr::Unary(_, x) | CExpr::Regex(x, _) => expr_deps(x, out, uses_position),
        CExpr::Binary(_, l, r) => {
            expr_deps(l, out, uses_position);
            expr_deps(r, out, uses_position);
        }
        CExpr::Call(_, args) => {
            for a in args {
                expr_deps(a, out, uses_position);
            }
        }
    }
}

/// The nodes a node reads, with how the dependant's rows relate to the source's.
fn sources(c: &Compiled, node: NodeIx) -> (Vec<(NodeIx, Rel)>, bool) {
    let mut out = Vec::new();
    let mut pos = false;
    let Some(n) = c.nodes.get(node) else {
        return (out, pos);
    };
    for e in [&n.expr, &n.cond].into_iter().flatten() {
        expr_deps(e, &mut out, &mut pos);
    }
    let level = c.levels.get(n.level);
    let row_rel = level.map(|l| l.row_rel);
    match n.kind {
        NodeKind::Val(item) => {
            if let Some(it) = c.items.get(item) {
                if let Some(r) = it.rel_node {
                    out.push((r, Rel::Same));
                }
                if let Some(calc) = it.calc_node {
                    out.push((calc, Rel::Same));
                }
            }
        }
        NodeKind::QRel(item) => {
            if let Some(ItemKind::Question { section, .. }) = c.items.get(item).map(|i| &i.kind)
                && let Some(s) = c.sections.get(*section)
            {
                out.push((s.rel_node, Rel::Same));
            }
        }
        NodeKind::SecRel(_) | NodeKind::Check(_) => out.extend(row_rel.map(|r| (r, Rel::Same))),
        NodeKind::RowRel => {
            if let Some((_, roster)) = level.and_then(|l| l.parent)
                && let Some(rc) = c.rosters.get(roster)
            {
                out.push((rc.rel_node, Rel::Down));
            }
        }
        NodeKind::RosterRel(_) => out.extend(row_rel.map(|r| (r, Rel::Same))),
        NodeKind::Constraint(item) => {
            if let Some(it) = c.items.get(item) {
                out.push((it.val_node, Rel::Same));
            }
        }
        NodeKind::Agg(a) => {
            if let Some(agg) = c.aggs.get(a) {
                for arg in &agg.args {
                    out.push((*arg, Rel::Up));
                }
                if let Some(rc) = c.rosters.get(agg.roster)
                    && let Some(l) = c.levels.get(rc.level)
                {
                    out.push((l.row_rel, Rel::Up));
                }
            }
        }
        NodeKind::Calc(_)
        | NodeKind::Filter(..)
        | NodeKind::RowArg(..)
        | NodeKind::RowLabel(_)
        | NodeKind::Title
        | NodeKind::Text(_) => {}
    }
    (out, pos)
}

/// A readable name of a node for cycle reports.
fn describe(c: &Compiled, node: NodeIx) -> String {
    let Some(n) = c.nodes.get(node) else {
        return String::new();
    };
    let item = |i: usize| c.items.get(i).map_or("?", |it| it.id.as_str());
    let level = c.levels.get(n.level).map_or("?", |l| l.id.as_str());
    match n.kind {
        NodeKind::Val(i) | NodeKind::Calc(i) => item(i).to_string(),
        NodeKind::QRel(i) => format!("relevant of {}", item(i)),
        NodeKind::SecRel(s) => format!(
            "relevant of section {}",
            c.sections.get(s).map_or("?", |s| s.id.as_str())
        ),
        NodeKind::RowRel => format!("relevance of {level} rows"),
        NodeKind::RosterRel(r) => format!(
            "relevant of roster {}",
            c.rosters.get(r).map_or("?", |r| r.id.as_str())
        ),
        NodeKind::Constraint(i) => format!("constraint of {}", item(i)),
        NodeKind::Filter(i, _) => format!("choice filter of {}", item(i)),
        NodeKind::Check(k) => format!("check {}", c.checks.get(k).map_or("?", |k| k.id.as_str())),
        NodeKind::RowArg(a, _) | NodeKind::Agg(a) => {
            let agg = c.aggs.get(a);
            let roster = agg
                .and_then(|g| c.rosters.get(g.roster))
                .map_or("?", |r| r.id.as_str());
            let f = agg.map_or("?", |g| g.function.name());
            format!("{f}({roster}, …)")
        }
        NodeKind::RowLabel(r) => format!(
            "row_label of {}",
            c.rosters.get(r).map_or("?", |r| r.id.as_str())
        ),
        NodeKind::Title => "case_title".to_string(),
        NodeKind::Text(_) => format!("a text of {level} rows"),
    }
}

impl Builder {
    /// Builds dependants, reports cycles and fixes the recompute order.
    pub fn graph(&mut self) {
        let count = self.c.nodes.len();
        let mut dependants: Vec<Vec<(NodeIx, Rel)>> = vec![Vec::new(); count];
        let mut roster_deps: Vec<Vec<(NodeIx, Rel)>> = vec![Vec::new(); self.c.rosters.len()];
        let mut position_deps: Vec<Vec<NodeIx>> = vec![Vec::new(); self.c.rosters.len()];
        for node in 0..count {
            let (srcs, uses_position) = sources(&self.c, node);
            for (src, rel) in srcs {
                if let Some(d) = dependants.get_mut(src)
                    && !d.contains(&(node, rel))
                {
                    d.push((node, rel));
                }
            }
            let Some(n) = self.c.nodes.get(node) else {
                continue;
            };
            if uses_position
                && let Some((_, roster)) = self.c.levels.get(n.level).and_then(|l| l.parent)
                && let Some(d) = position_deps.get_mut(roster)
            {
                d.push(node);
            }
            if let NodeKind::Agg(a) = n.kind
                && let Some(agg) = self.c.aggs.get(a)
            {
                // Rows of every roster between the anchor and the aggregated roster.
                let mut roster = Some(agg.roster);
                while let Some(r) = roster {
                    let Some(rc) = self.c.rosters.get(r) else {
                        break;
                    };
                    let rel = if rc.owner == agg.anchor {
                        Rel::Same
                    } else {
                        Rel::Up
                    };
                    if let Some(d) = roster_deps.get_mut(r) {
                        d.push((node, rel));
                    }
                    if rc.owner == agg.anchor {
                        break;
                    }
                    roster = self
                        .c
                        .levels
                        .get(rc.owner)
                        .and_then(|l| l.parent)
                        .map(|p| p.1);
                }
            }
        }
        let order = self.topo_order(&dependants);
        for (rank, node) in order.iter().enumerate() {
            if let Some(n) = self.c.nodes.get_mut(*node) {
                n.rank = u32::try_from(rank).unwrap_or(u32::MAX);
            }
        }
        for n in &mut self.c.nodes {
            n.reads_at = [&n.expr, &n.cond].into_iter().flatten().any(has_at);
        }
        for li in 0..self.c.levels.len() {
            let mut nodes = self
                .c
                .levels
                .get(li)
                .map(|l| l.nodes.clone())
                .unwrap_or_default();
            nodes.sort_by_key(|n| self.c.nodes.get(*n).map_or(0, |n| n.rank));
            if let Some(l) = self.c.levels.get_mut(li) {
                l.order = nodes;
            }
        }
        self.c.order = order;
        self.c.dependants = dependants;
        self.c.roster_dependants = roster_deps;
        self.c.position_dependants = position_deps;
    }

    /// Depth-first topological order; every cycle is reported once with its path.
    fn topo_order(&mut self, dependants: &[Vec<(NodeIx, Rel)>]) -> Vec<NodeIx> {
        let count = dependants.len();
        // 0 = new, 1 = on the stack, 2 = done
        let mut state = vec![0u8; count];
        let mut post = Vec::with_capacity(count);
        let mut in_cycle = vec![false; count];
        for start in 0..count {
            if state.get(start) != Some(&0) {
                continue;
            }
            let mut stack: Vec<(NodeIx, usize)> = vec![(start, 0)];
            if let Some(s) = state.get_mut(start) {
                *s = 1;
            }
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                let deps = dependants.get(node).map_or(&[][..], |d| d.as_slice());
                if let Some(&(dep, _)) = deps.get(*next) {
                    *next += 1;
                    match state.get(dep) {
                        Some(0) => {
                            if let Some(s) = state.get_mut(dep) {
                                *s = 1;
                            }
                            stack.push((dep, 0));
                        }
                        Some(1) => {
                            let from = stack.iter().position(|(n, _)| *n == dep).unwrap_or(0);
                            let path: Vec<NodeIx> = stack
                                .get(from..)
                                .map(|s| s.iter().map(|(n, _)| *n).collect())
                                .unwrap_or_default();
                            if !path
                                .iter()
                                .any(|n| in_cycle.get(*n).copied().unwrap_or(false))
                            {
                                for n in &path {
                                    if let Some(f) = in_cycle.get_mut(*n) {
                                        *f = true;
                                    }
                                }
                                self.report_cycle(&path, dep);
                            }
                        }
                        _ => {}
                    }
                } else {
                    if let Some(s) = state.get_mut(node) {
                        *s = 2;
                    }
                    post.push(node);
                    stack.pop();
                }
            }
        }
        post.reverse();
        post
    }

    fn report_cycle(&mut self, path: &[NodeIx], back_to: NodeIx) {
        let mut names: Vec<String> = Vec::new();
        for n in path.iter().chain(std::iter::once(&back_to)) {
            let d = describe(&self.c, *n);
            if names.last() != Some(&d) {
                names.push(d);
            }
        }
        // The first item of the cycle names the problem.
        let owner = path
            .iter()
            .find_map(|n| match self.c.nodes.get(*n).map(|n| n.kind) {
                Some(NodeKind::Val(i) | NodeKind::Calc(i) | NodeKind::QRel(i)) => {
                    self.c.items.get(i).map(|it| it.id.clone())
                }
                Some(NodeKind::Check(k)) => self.c.checks.get(k).map(|c| c.id.clone()),
                _ => None,
            });
        let location = owner
            .as_ref()
            .and_then(|o| self.locations.get(o).cloned())
            .unwrap_or_default();
        self.problem(
            owner.as_deref(),
            &location,
            None,
            format!("circular dependency: {}", names.join(" → ")),
        );
    }
}
