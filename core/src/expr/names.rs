//! Which names an expression reads, for dependency graphs.

use super::ast::{Expr, ExprKind, Function, Span};

/// One use of a name by an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameUse {
    /// The question, calculated question, input or roster id.
    pub name: String,
    /// Where it is written.
    pub span: Span,
    /// The aggregate rosters entered to reach this use, outermost first; empty for the row
    /// the expression is evaluated in.
    pub rosters: Vec<String>,
}

/// Every name `expr` uses, in source order, with the rosters entered to reach it.
///
/// The roster argument of an aggregate is listed too, as a use of the roster id in the
/// scope where the aggregate is written: `count(persons, age > 15)` uses `persons` (rosters
/// `[]`) and `age` (rosters `["persons"]`), so that a row added to or removed from `persons`
/// is a dependency as well.
pub fn names_used(expr: &Expr) -> Vec<NameUse> {
    let mut uses = Vec::new();
    let mut rosters = Vec::new();
    collect_names(expr, &mut rosters, &mut uses);
    uses
}

fn collect_names(expr: &Expr, rosters: &mut Vec<String>, uses: &mut Vec<NameUse>) {
    match &expr.kind {
        ExprKind::Literal(_) | ExprKind::Current => {}
        ExprKind::Name(name) => uses.push(NameUse {
            name: name.clone(),
            span: expr.span,
            rosters: rosters.clone(),
        }),
        ExprKind::Unary(_, operand) => collect_names(operand, rosters, uses),
        ExprKind::Binary(_, left, right) => {
            collect_names(left, rosters, uses);
            collect_names(right, rosters, uses);
        }
        ExprKind::Call(function, args) => {
            let roster = match args.first().map(|a| &a.kind) {
                Some(ExprKind::Name(roster)) if function.is_aggregate() => roster,
                _ => {
                    for arg in args {
                        collect_names(arg, rosters, uses);
                    }
                    return;
                }
            };
            for (i, arg) in args.iter().enumerate() {
                // The roster itself and `n` of `at` are read in the current scope.
                let per_row = i > 0 && !(*function == Function::At && i == 1);
                if per_row {
                    rosters.push(roster.clone());
                    collect_names(arg, rosters, uses);
                    rosters.pop();
                } else {
                    collect_names(arg, rosters, uses);
                }
            }
        }
    }
}
