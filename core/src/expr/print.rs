//! Writes an [`Expr`] back as source text, with only the parentheses it needs.
//!
//! Used in error messages; `parse(&expr.to_string())` gives back an equal tree.

use std::fmt::{self, Display, Formatter};

use super::ast::{BinaryOp, Expr, ExprKind, Literal, UnaryOp};

/// Binding strength of a node kind: higher binds tighter.
fn precedence(expr: &Expr) -> u8 {
    match &expr.kind {
        ExprKind::Binary(op, _, _) => binary_precedence(*op),
        ExprKind::Unary(UnaryOp::Not, _) => 3,
        ExprKind::Unary(UnaryOp::Neg, _) => 7,
        ExprKind::Literal(Literal::Integer(i)) if *i < 0 => 7,
        _ => 8,
    }
}

fn binary_precedence(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => 1,
        BinaryOp::And => 2,
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            4
        }
        BinaryOp::Add | BinaryOp::Sub => 5,
        BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => 6,
    }
}

/// The operator as written.
pub(crate) fn binary_symbol(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Or => "or",
        BinaryOp::And => "and",
        BinaryOp::Eq => "=",
        BinaryOp::Ne => "!=",
        BinaryOp::Lt => "<",
        BinaryOp::Le => "<=",
        BinaryOp::Gt => ">",
        BinaryOp::Ge => ">=",
        BinaryOp::Add => "+",
        BinaryOp::Sub => "-",
        BinaryOp::Mul => "*",
        BinaryOp::Div => "/",
        BinaryOp::Rem => "%",
    }
}

/// Writes `expr`, in parentheses when it binds looser than `min`.
fn write_operand(f: &mut Formatter<'_>, expr: &Expr, min: u8) -> fmt::Result {
    if precedence(expr) < min {
        write!(f, "({expr})")
    } else {
        write!(f, "{expr}")
    }
}

fn write_decimal(f: &mut Formatter<'_>, d: f64) -> fmt::Result {
    let text = d.to_string();
    if text.contains('.') || !d.is_finite() {
        f.write_str(&text)
    } else {
        write!(f, "{text}.0")
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Literal(Literal::Null) => f.write_str("null"),
            ExprKind::Literal(Literal::Bool(b)) => write!(f, "{b}"),
            ExprKind::Literal(Literal::Integer(i)) => write!(f, "{i}"),
            ExprKind::Literal(Literal::Decimal(d)) => write_decimal(f, *d),
            ExprKind::Literal(Literal::Text(s)) => write!(f, "'{}'", s.replace('\'', "''")),
            ExprKind::Current => f.write_str("."),
            ExprKind::Name(name) => f.write_str(name),
            ExprKind::Unary(UnaryOp::Not, operand) => {
                f.write_str("not ")?;
                write_operand(f, operand, 3)
            }
            ExprKind::Unary(UnaryOp::Neg, operand) => {
                f.write_str("-")?;
                // `-(5)` must not come back as the literal -5, nor `- -5` as `--5`.
                if matches!(operand.kind, ExprKind::Literal(Literal::Integer(_))) {
                    write!(f, "({operand})")
                } else {
                    write_operand(f, operand, 7)
                }
            }
            ExprKind::Binary(op, left, right) => {
                let p = binary_precedence(*op);
                let comparison = p == 4;
                write_operand(f, left, if comparison { p + 1 } else { p })?;
                write!(f, " {} ", binary_symbol(*op))?;
                write_operand(f, right, p + 1)
            }
            ExprKind::Call(function, args) => {
                write!(f, "{}(", function.name())?;
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{arg}")?;
                }
                f.write_str(")")
            }
        }
    }
}
