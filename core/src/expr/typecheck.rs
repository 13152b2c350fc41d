//! Type checking of a parsed expression against the names visible from a row.
//!
//! Rules (see `schemas/FORMAT.md`): arithmetic on numbers (integer with integer stays
//! integer, except `/` which is always decimal), `+` also joins two texts; comparisons need
//! compatible types; `and` / `or` / `not` need booleans; the type of `null` fits anywhere.
//! Every error is collected, with a message for the questionnaire author.

use super::ast::{BinaryOp, Expr, ExprKind, Function, Literal, Span, UnaryOp};
use super::ops::parse_date;
use super::print::binary_symbol;
use crate::value::Type;

/// What the engine tells the type checker about the row an expression is evaluated in.
pub trait Scope {
    /// Type of a question, calculated question or input visible from this row, or `None`
    /// when unknown or not visible.
    fn name_type(&self, name: &str) -> Option<Type>;
    /// The scope of one row of roster `roster` (for the per-row arguments of an aggregate),
    /// or `Err(message)` if no such roster is reachable from here.
    fn roster_row_scope(&self, roster: &str) -> Result<Box<dyn Scope + '_>, String>;
    /// Type of `.`: `Some` only when checking a constraint.
    fn current_type(&self) -> Option<Type>;
    /// Whether this row is a roster row (so `position()` is allowed).
    fn in_roster_row(&self) -> bool;
}

/// A type error in an expression.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeError {
    /// The bytes of the source the error is about.
    pub span: Span,
    /// What is wrong, for the questionnaire author.
    pub message: String,
}

impl std::fmt::Display for TypeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at column {}: {}", self.span.start + 1, self.message)
    }
}

impl std::error::Error for TypeError {}

/// Type-checks `expr` in `scope`, returning its type or every error found.
///
/// Checking goes on after an error, using [`Type::Null`] (which fits anywhere) for the
/// faulty part, so one mistake is reported once.
pub fn check(expr: &Expr, scope: &dyn Scope) -> Result<Type, Vec<TypeError>> {
    let mut checker = Checker { errors: Vec::new() };
    let ty = checker.infer(expr, scope);
    if checker.errors.is_empty() {
        Ok(ty)
    } else {
        Err(checker.errors)
    }
}

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

/// "an integer", "a text", … for messages.
fn a_type(ty: Type) -> &'static str {
    match ty {
        Type::Boolean => "a boolean",
        Type::Integer => "an integer",
        Type::Decimal => "a decimal",
        Type::Text => "a text",
        Type::Date => "a date",
        Type::Multi => "a multi (multiple-choice answer)",
        Type::Gps => "a gps point",
        Type::Null => "null",
    }
}

/// How an expression is named in messages: its source when short, else "this expression".
fn describe(expr: &Expr) -> String {
    let text = expr.to_string();
    if text.chars().count() <= 40 {
        format!("`{text}`")
    } else {
        "this expression".to_string()
    }
}

fn ordinal(i: usize) -> &'static str {
    match i {
        0 => "first",
        1 => "second",
        2 => "third",
        _ => "next",
    }
}

/// The common type of two values that may meet (branches of `if`, sides of `=`):
/// equal types, an integer with a decimal (decimal), or null with anything.
pub(crate) fn unify(a: Type, b: Type) -> Option<Type> {
    match (a, b) {
        _ if a == b => Some(a),
        (Type::Null, other) | (other, Type::Null) => Some(other),
        (Type::Integer, Type::Decimal) | (Type::Decimal, Type::Integer) => Some(Type::Decimal),
        _ => None,
    }
}

fn is_number(ty: Type) -> bool {
    ty.is_numeric() || ty == Type::Null
}

fn is_boolean(ty: Type) -> bool {
    matches!(ty, Type::Boolean | Type::Null)
}

fn is_text(ty: Type) -> bool {
    matches!(ty, Type::Text | Type::Null)
}

fn is_date(ty: Type) -> bool {
    matches!(ty, Type::Date | Type::Null)
}

fn is_number_or_date(ty: Type) -> bool {
    is_number(ty) || ty == Type::Date
}

fn is_ordered(ty: Type) -> bool {
    !matches!(ty, Type::Multi | Type::Gps)
}

/// The type of arithmetic on two numbers: decimal if either is, null if both are null.
fn number_result(a: Type, b: Type) -> Type {
    match (a, b) {
        (Type::Decimal, _) | (_, Type::Decimal) => Type::Decimal,
        (Type::Null, Type::Null) => Type::Null,
        _ => Type::Integer,
    }
}

struct Checker {
    errors: Vec<TypeError>,
}

impl Checker {
    fn error(&mut self, span: Span, message: String) -> Type {
        self.errors.push(TypeError { span, message });
        Type::Null
    }

    fn infer(&mut self, expr: &Expr, scope: &dyn Scope) -> Type {
        match &expr.kind {
            ExprKind::Literal(literal) => match literal {
                Literal::Null => Type::Null,
                Literal::Bool(_) => Type::Boolean,
                Literal::Integer(_) => Type::Integer,
                Literal::Decimal(_) => Type::Decimal,
                Literal::Text(_) => Type::Text,
            },
            ExprKind::Current => match scope.current_type() {
                Some(ty) => ty,
                None => self.error(
                    expr.span,
                    "`.` (the answer being checked) can only be used in a constraint".into(),
                ),
            },
            ExprKind::Name(name) => self.name(name, expr.span, scope),
            ExprKind::Unary(op, operand) => {
                let ty = self.infer(operand, scope);
                match op {
                    UnaryOp::Neg if is_number(ty) => ty,
                    UnaryOp::Neg => self.error(
                        expr.span,
                        format!("`-` needs a number, but {} is {ty}", describe(operand)),
                    ),
                    UnaryOp::Not if is_boolean(ty) => Type::Boolean,
                    UnaryOp::Not => self.error(
                        expr.span,
                        format!(
                            "`not` needs a true/false value, but {} is {ty}",
                            describe(operand)
                        ),
                    ),
                }
            }
            ExprKind::Binary(op, left, right) => {
                let l = self.infer(left, scope);
                let r = self.infer(right, scope);
                self.binary(*op, (left, l), (right, r), expr.span)
            }
            ExprKind::Call(function, args) => self.call(*function, args, expr.span, scope),
        }
    }

    fn name(&mut self, name: &str, span: Span, scope: &dyn Scope) -> Type {
        if let Some(ty) = scope.name_type(name) {
            return ty;
        }
        if scope.roster_row_scope(name).is_ok() {
            return self.error(
                span,
                format!(
                    "`{name}` is a roster, not a value: use it in an aggregate such as `count({name})`"
                ),
            );
        }
        self.error(span, format!("unknown name `{name}`"))
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        left: (&Expr, Type),
        right: (&Expr, Type),
        span: Span,
    ) -> Type {
        let (left, l) = left;
        let (right, r) = right;
        let symbol = binary_symbol(op);
        match op {
            BinaryOp::And | BinaryOp::Or => {
                for (side, ty) in [(left, l), (right, r)] {
                    if !is_boolean(ty) {
                        self.error(
                            side.span,
                            format!(
                                "`{symbol}` needs true/false values, but {} is {ty}",
                                describe(side)
                            ),
                        );
                    }
                }
                Type::Boolean
            }
            BinaryOp::Eq | BinaryOp::Ne => {
                if unify(l, r).is_none() {
                    let mut message = format!(
                        "{} is {l} but is compared with {}",
                        describe(left),
                        a_type(r)
                    );
                    if let ((Type::Multi, q), (Type::Text, code)) | ((Type::Text, code), (Type::Multi, q)) =
                        ((l, left), (r, right))
                    {
                        message.push_str(&format!(
                            "; to test one choice write `selected({q}, {code})`"
                        ));
                    }
                    self.error(span, message);
                }
                Type::Boolean
            }
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                if !is_ordered(l) || !is_ordered(r) {
                    let (side, ty) = if is_ordered(l) { (right, r) } else { (left, l) };
                    self.error(
                        side.span,
                        format!("`{symbol}` cannot order {ty} values: {} is {ty}", describe(side)),
                    );
                } else if unify(l, r).is_none() {
                    self.error(
                        span,
                        format!("{} is {l} but is compared with {}", describe(left), a_type(r)),
                    );
                }
                Type::Boolean
            }
            BinaryOp::Add if is_text(l) && is_text(r) && (l, r) != (Type::Null, Type::Null) => {
                Type::Text
            }
            BinaryOp::Add => {
                if (l == Type::Text && is_number(r)) || (is_number(l) && r == Type::Text) {
                    return self.error(
                        span,
                        format!(
                            "`+` needs two numbers or two texts, but {} is {l} and {} is {r}",
                            describe(left),
                            describe(right)
                        ),
                    );
                }
                self.numbers(symbol, (left, l), (right, r), number_result(l, r))
            }
            BinaryOp::Sub if l == Type::Date && r == Type::Date => self.error(
                span,
                format!(
                    "dates cannot be subtracted: write `days_between({}, {})` or `years_between({}, {})`",
                    right, left, right, left
                ),
            ),
            BinaryOp::Sub | BinaryOp::Mul => {
                self.numbers(symbol, (left, l), (right, r), number_result(l, r))
            }
            BinaryOp::Div => self.numbers(symbol, (left, l), (right, r), Type::Decimal),
            BinaryOp::Rem => {
                let mut ok = true;
                for (side, ty) in [(left, l), (right, r)] {
                    if !matches!(ty, Type::Integer | Type::Null) {
                        ok = false;
                        self.error(
                            side.span,
                            format!(
                                "`%` (remainder) needs integers, but {} is {ty}",
                                describe(side)
                            ),
                        );
                    }
                }
                if ok && (l, r) == (Type::Null, Type::Null) {
                    Type::Null
                } else {
                    Type::Integer
                }
            }
        }
    }

    /// Checks that both operands of an arithmetic operator are numbers.
    fn numbers(
        &mut self,
        symbol: &str,
        left: (&Expr, Type),
        right: (&Expr, Type),
        result: Type,
    ) -> Type {
        let mut ok = true;
        for (side, ty) in [left, right] {
            if !is_number(ty) {
                ok = false;
                self.error(
                    side.span,
                    format!("`{symbol}` needs numbers, but {} is {ty}", describe(side)),
                );
            }
        }
        if ok { result } else { Type::Null }
    }

    /// Checks argument `i` of `function` against `accepts`, naming the expected kind.
    fn expect(
        &mut self,
        function: Function,
        i: usize,
        arg: (&Expr, Type),
        accepts: fn(Type) -> bool,
        wanted: &str,
    ) -> bool {
        let (expr, ty) = arg;
        if accepts(ty) {
            return true;
        }
        let which = if function.arity().max == 1 {
            String::new()
        } else {
            format!(" as its {} argument", ordinal(i))
        };
        self.error(
            expr.span,
            format!(
                "`{}` needs {wanted}{which}, but {} is {ty}",
                function.name(),
                describe(expr)
            ),
        );
        false
    }

    fn call(&mut self, function: Function, args: &[Expr], span: Span, scope: &dyn Scope) -> Type {
        let arity = function.arity();
        if !arity.accepts(args.len()) {
            return self.error(
                span,
                format!(
                    "`{}` takes {}, found {}",
                    function.name(),
                    arity.describe(),
                    args.len()
                ),
            );
        }
        if function.is_aggregate() {
            return self.aggregate(function, args, span, scope);
        }
        let types: Vec<Type> = args.iter().map(|a| self.infer(a, scope)).collect();
        let arg =
            |i: usize| -> (&Expr, Type) { (&args[i], types.get(i).copied().unwrap_or(Type::Null)) };
        match function {
            Function::Position => {
                if scope.in_roster_row() {
                    Type::Integer
                } else {
                    self.error(span, "`position()` can only be used in a roster row".into())
                }
            }
            Function::If => {
                self.expect(function, 0, arg(0), is_boolean, "a true/false condition");
                self.same_type(function, arg(1), arg(2), span)
            }
            Function::Coalesce => self.same_type(function, arg(0), arg(1), span),
            Function::Answered => Type::Boolean,
            Function::Selected => {
                let (q, q_type) = arg(0);
                if !matches!(q_type, Type::Multi | Type::Null) {
                    let hint = if q_type == Type::Text {
                        format!("; for a single-choice question write `{q} = {}`", args[1])
                    } else {
                        String::new()
                    };
                    self.error(
                        q.span,
                        format!(
                            "`selected` needs a multiple-choice question as its first argument, but {} is {q_type}{hint}",
                            describe(q)
                        ),
                    );
                }
                self.expect(function, 1, arg(1), is_text, "a choice code (text)");
                Type::Boolean
            }
            Function::CountSelected => {
                self.expect(
                    function,
                    0,
                    arg(0),
                    |t| matches!(t, Type::Multi | Type::Null),
                    "a multiple-choice question",
                );
                Type::Integer
            }
            Function::Today | Function::ReferenceDate => Type::Date,
            Function::Date => {
                if self.expect(function, 0, arg(0), is_text, "a text 'YYYY-MM-DD'") {
                    if let ExprKind::Literal(Literal::Text(text)) = &args[0].kind {
                        if parse_date(text).is_none() {
                            self.error(
                                args[0].span,
                                format!("'{text}' is not a valid date: write it 'YYYY-MM-DD', e.g. '2024-09-01'"),
                            );
                        }
                    }
                }
                Type::Date
            }
            Function::YearsBetween | Function::DaysBetween => {
                self.expect(function, 0, arg(0), is_date, "a date");
                self.expect(function, 1, arg(1), is_date, "a date");
                Type::Integer
            }
            Function::Year | Function::Month | Function::Day => {
                self.expect(function, 0, arg(0), is_date, "a date");
                Type::Integer
            }
            Function::Len => {
                self.expect(function, 0, arg(0), is_text, "a text");
                Type::Integer
            }
            Function::Lower | Function::Upper | Function::Trim => {
                self.expect(function, 0, arg(0), is_text, "a text");
                Type::Text
            }
            Function::Contains | Function::StartsWith => {
                self.expect(function, 0, arg(0), is_text, "a text");
                self.expect(function, 1, arg(1), is_text, "a text");
                Type::Boolean
            }
            Function::Abs => {
                if self.expect(function, 0, arg(0), is_number, "a number") {
                    arg(0).1
                } else {
                    Type::Null
                }
            }
            Function::Round | Function::Int => {
                self.expect(function, 0, arg(0), is_number, "a number");
                Type::Integer
            }
            Function::Least | Function::Greatest => {
                let a = self.expect(function, 0, arg(0), is_number_or_date, "a number or a date");
                let b = self.expect(function, 1, arg(1), is_number_or_date, "a number or a date");
                if a && b {
                    self.same_type(function, arg(0), arg(1), span)
                } else {
                    Type::Null
                }
            }
            Function::Count
            | Function::Sum
            | Function::Min
            | Function::Max
            | Function::Any
            | Function::All
            | Function::First
            | Function::At => Type::Null,
        }
    }

    /// Two arguments that must have a common type, which is the result.
    fn same_type(
        &mut self,
        function: Function,
        a: (&Expr, Type),
        b: (&Expr, Type),
        span: Span,
    ) -> Type {
        match unify(a.1, b.1) {
            Some(ty) => ty,
            None => self.error(
                span,
                format!(
                    "the values given to `{}` must have the same type, but {} is {} and {} is {}",
                    function.name(),
                    describe(a.0),
                    a.1,
                    describe(b.0),
                    b.1
                ),
            ),
        }
    }

    fn aggregate(
        &mut self,
        function: Function,
        args: &[Expr],
        span: Span,
        scope: &dyn Scope,
    ) -> Type {
        let recovery = match function {
            Function::Count => Type::Integer,
            Function::Any | Function::All => Type::Boolean,
            _ => Type::Null,
        };
        let Some((roster_expr, rest)) = args.split_first() else {
            return self.error(span, format!("`{}` needs a roster", function.name()));
        };
        let ExprKind::Name(roster) = &roster_expr.kind else {
            return self.error(
                roster_expr.span,
                format!(
                    "the first argument of `{}` must be a roster id",
                    function.name()
                ),
            );
        };
        // `n` of `at` is evaluated in the current row.
        if function == Function::At {
            if let Some(n) = rest.first() {
                let ty = self.infer(n, scope);
                self.expect(
                    function,
                    1,
                    (n, ty),
                    |t| matches!(t, Type::Integer | Type::Null),
                    "a row number (integer)",
                );
            }
        }
        let row = match scope.roster_row_scope(roster) {
            Ok(row) => row,
            Err(message) => {
                self.error(roster_expr.span, message);
                return recovery;
            }
        };
        let row: &dyn Scope = &*row;
        let mut per_row = |checker: &mut Self, i: usize| -> (Type, &Expr) {
            let expr = &args[i];
            (checker.infer(expr, row), expr)
        };
        match function {
            Function::Count => {
                if args.len() == 2 {
                    let (ty, cond) = per_row(self, 1);
                    self.expect(
                        function,
                        1,
                        (cond, ty),
                        is_boolean,
                        "a true/false condition",
                    );
                }
                Type::Integer
            }
            Function::Any | Function::All => {
                let (ty, cond) = per_row(self, 1);
                self.expect(
                    function,
                    1,
                    (cond, ty),
                    is_boolean,
                    "a true/false condition",
                );
                Type::Boolean
            }
            Function::Sum => {
                let (ty, e) = per_row(self, 1);
                if self.expect(function, 1, (e, ty), is_number, "a number") {
                    number_result(ty, Type::Integer)
                } else {
                    Type::Null
                }
            }
            Function::Min | Function::Max => {
                let (ty, e) = per_row(self, 1);
                if self.expect(
                    function,
                    1,
                    (e, ty),
                    is_number_or_date,
                    "a number or a date",
                ) {
                    ty
                } else {
                    Type::Null
                }
            }
            Function::First => {
                let (ty, cond) = per_row(self, 1);
                self.expect(
                    function,
                    1,
                    (cond, ty),
                    is_boolean,
                    "a true/false condition",
                );
                per_row(self, 2).0
            }
            Function::At => per_row(self, 2).0,
            _ => recovery,
        }
    }
}

#[cfg(test)]
#[path = "typecheck_tests.rs"]
mod tests;
