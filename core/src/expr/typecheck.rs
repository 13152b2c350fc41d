//! Type checking of a parsed expression against the names visible from a row.
//!
//! Rules (see `schemas/FORMAT.md`): arithmetic on numbers (integer with integer stays
//! integer, except `/` which is always decimal), `+` also joins two texts; comparisons need
//! compatible types; `and` / `or` / `not` need booleans; the type of `null` fits anywhere.
//! Every error is collected, with a message for the questionnaire author.

use super::ast::{BinaryOp, Expr, ExprKind, Literal, Span, UnaryOp};
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
    /// For a name not visible here: where it lives and how to reach it, or a close name
    /// that is visible ("did you mean"). `None` when there is nothing to add.
    fn advise(&self, name: &str) -> Option<String> {
        let _ = name;
        None
    }
}

/// A type error in an expression.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeError {
    /// The bytes of the source the error is about.
    pub span: Span,
    /// What is wrong, for the questionnaire author.
    pub message: String,
    /// How to fix it, when a likely fix is known (the loader appends it to the message).
    pub fix: Option<String>,
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

pub use super::names::{NameUse, names_used};

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

/// How to rewrite a literal compared with a value of another type: a number compared
/// with a text (a choice code) is written in quotes, a text compared with a date is a
/// `date('…')`.
fn literal_fix(left: (&Expr, Type), right: (&Expr, Type)) -> String {
    for ((_, value_ty), (lit, _)) in [(left, right), (right, left)] {
        match (&lit.kind, value_ty) {
            (ExprKind::Literal(Literal::Integer(n)), Type::Text) => {
                return format!("a choice code is a text: write `'{n}'`");
            }
            (ExprKind::Literal(Literal::Decimal(n)), Type::Text) => {
                return format!("to compare with a text write `'{n}'`");
            }
            (ExprKind::Literal(Literal::Text(s)), Type::Date) => {
                let shown = if super::ops::parse_date(s).is_some() {
                    s.as_str()
                } else {
                    "2024-09-01"
                };
                return format!("write the date as `date('{shown}')`");
            }
            (ExprKind::Literal(Literal::Text(s)), Type::Integer | Type::Decimal)
                if s.trim().parse::<f64>().is_ok() =>
            {
                return format!("a number is written without quotes: `{}`", s.trim());
            }
            (ExprKind::Literal(Literal::Text(s)), Type::Boolean)
                if matches!(s.as_str(), "true" | "false") =>
            {
                return format!("write `{s}` without quotes");
            }
            _ => {}
        }
    }
    String::new()
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
        self.errors.push(TypeError {
            span,
            message,
            fix: None,
        });
        Type::Null
    }

    /// Records an error with a suggested fix.
    fn error_fix(&mut self, span: Span, message: String, fix: String) -> Type {
        self.errors.push(TypeError {
            span,
            message,
            fix: (!fix.is_empty()).then_some(fix),
        });
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
        let message = format!("unknown name `{name}`");
        match scope.advise(name) {
            Some(advice) => self.error_fix(span, message, advice),
            None => self.error(span, message),
        }
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
                    let fix = literal_fix((left, l), (right, r));
                    if let ((Type::Multi, q), (Type::Text, code)) | ((Type::Text, code), (Type::Multi, q)) =
                        ((l, left), (r, right))
                    {
                        message.push_str(&format!(
                            "; to test one choice write `selected({q}, {code})`"
                        ));
                    }
                    self.error_fix(span, message, fix);
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
                    self.error_fix(
                        span,
                        format!("{} is {l} but is compared with {}", describe(left), a_type(r)),
                        literal_fix((left, l), (right, r)),
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
}

#[path = "calls.rs"]
mod calls;

#[cfg(test)]
#[path = "typecheck_tests.rs"]
mod tests;
