//! Value semantics of operators and non-aggregate functions.
//!
//! Pure functions on [`Value`]s: the engine evaluates names, aggregates, `position()` and
//! `.` itself, and calls these for everything else. Nothing here panics: a value of an
//! unexpected kind, a division by zero, an integer overflow or a non-finite decimal gives
//! [`Value::Null`].

use std::cmp::Ordering;

use chrono::{Datelike, NaiveDate};

use super::ast::{BinaryOp, Function, UnaryOp};
use crate::value::Value;

/// The dates `today()` and `reference_date()` return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dates {
    /// The interview date.
    pub today: NaiveDate,
    /// The census reference date of the questionnaire.
    pub reference_date: NaiveDate,
}

/// `Some(b)` for a boolean, `None` for null and for anything that is not a boolean.
pub fn truthy(value: &Value) -> Option<bool> {
    value.as_bool()
}

/// A decimal result, or null when it is not finite.
fn decimal(d: f64) -> Value {
    if d.is_finite() {
        Value::Decimal(d)
    } else {
        Value::Null
    }
}

fn integer(i: Option<i64>) -> Value {
    i.map_or(Value::Null, Value::Integer)
}

/// Applies a unary operator.
pub fn unary(op: UnaryOp, value: &Value) -> Value {
    match (op, value) {
        (UnaryOp::Neg, Value::Integer(i)) => integer(i.checked_neg()),
        (UnaryOp::Neg, Value::Decimal(d)) => decimal(-d),
        (UnaryOp::Not, Value::Bool(b)) => Value::Bool(!b),
        _ => Value::Null,
    }
}

/// Orders two values of comparable kinds: numbers (an integer against a decimal too),
/// texts (by code point), dates and booleans (`false` first). `None` for null, for
/// different kinds and for NaN.
pub fn compare(left: &Value, right: &Value) -> Option<Ordering> {
    match (left, right) {
        (Value::Integer(a), Value::Integer(b)) => Some(a.cmp(b)),
        (Value::Integer(_) | Value::Decimal(_), Value::Integer(_) | Value::Decimal(_)) => {
            left.as_f64()?.partial_cmp(&right.as_f64()?)
        }
        (Value::Text(a), Value::Text(b)) => Some(a.cmp(b)),
        (Value::Date(a), Value::Date(b)) => Some(a.cmp(b)),
        (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

/// Equality as `=` sees it: like [`compare`], plus multiple-choice answers (the same set of
/// codes, in any order) and GPS points (the same latitude and longitude). `None` for null
/// and for values of different kinds.
pub fn equals(left: &Value, right: &Value) -> Option<bool> {
    match (left, right) {
        (Value::Multi(a), Value::Multi(b)) => {
            Some(a.len() == b.len() && a.iter().all(|code| b.contains(code)))
        }
        (Value::Gps(a), Value::Gps(b)) => Some(a.lat == b.lat && a.lon == b.lon),
        _ => compare(left, right).map(Ordering::is_eq),
    }
}

/// Applies a binary operator (three-valued `and` / `or`; see `schemas/FORMAT.md`).
pub fn binary(op: BinaryOp, left: &Value, right: &Value) -> Value {
    match op {
        BinaryOp::And => match (truthy(left), truthy(right)) {
            (Some(false), _) | (_, Some(false)) => Value::Bool(false),
            (Some(true), Some(true)) => Value::Bool(true),
            _ => Value::Null,
        },
        BinaryOp::Or => match (truthy(left), truthy(right)) {
            (Some(true), _) | (_, Some(true)) => Value::Bool(true),
            (Some(false), Some(false)) => Value::Bool(false),
            _ => Value::Null,
        },
        BinaryOp::Eq => equals(left, right).map_or(Value::Null, Value::Bool),
        BinaryOp::Ne => equals(left, right).map_or(Value::Null, |eq| Value::Bool(!eq)),
        BinaryOp::Lt => ordered(left, right, Ordering::is_lt),
        BinaryOp::Le => ordered(left, right, Ordering::is_le),
        BinaryOp::Gt => ordered(left, right, Ordering::is_gt),
        BinaryOp::Ge => ordered(left, right, Ordering::is_ge),
        BinaryOp::Add => match (left, right) {
            (Value::Text(a), Value::Text(b)) => Value::Text(format!("{a}{b}")),
            _ => arithmetic(left, right, i64::checked_add, |a, b| a + b),
        },
        BinaryOp::Sub => arithmetic(left, right, i64::checked_sub, |a, b| a - b),
        BinaryOp::Mul => arithmetic(left, right, i64::checked_mul, |a, b| a * b),
        BinaryOp::Div => match (left.as_f64(), right.as_f64()) {
            (Some(_), Some(0.0)) => Value::Null,
            (Some(a), Some(b)) => decimal(a / b),
            _ => Value::Null,
        },
        BinaryOp::Rem => match (left, right) {
            (Value::Integer(a), Value::Integer(b)) => integer(a.checked_rem(*b)),
            _ => Value::Null,
        },
    }
}

fn ordered(left: &Value, right: &Value, test: fn(Ordering) -> bool) -> Value {
    compare(left, right).map_or(Value::Null, |o| Value::Bool(test(o)))
}

fn arithmetic(
    left: &Value,
    right: &Value,
    on_integers: fn(i64, i64) -> Option<i64>,
    on_decimals: fn(f64, f64) -> f64,
) -> Value {
    match (left, right) {
        (Value::Integer(a), Value::Integer(b)) => integer(on_integers(*a, *b)),
        _ => match (left.as_f64(), right.as_f64()) {
            (Some(a), Some(b)) => decimal(on_decimals(a, b)),
            _ => Value::Null,
        },
    }
}

/// Reads a date written `YYYY-MM-DD` exactly (four-digit year, two-digit month and day).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    let year = text.get(0..4)?.parse().ok()?;
    let month = text.get(5..7)?.parse().ok()?;
    let day = text.get(8..10)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Completed years from `from` to `to` (an age); negative when `to` is before `from`.
/// Someone born on 29 February completes a year on 1 March of a common year.
pub fn years_between(from: NaiveDate, to: NaiveDate) -> i64 {
    if to < from {
        return -years_between(to, from);
    }
    let mut years = i64::from(to.year()) - i64::from(from.year());
    if (to.month(), to.day()) < (from.month(), from.day()) {
        years -= 1;
    }
    years
}

fn text_arg(args: &[Value], i: usize) -> Option<&str> {
    match args.get(i) {
        Some(Value::Text(s)) => Some(s),
        _ => None,
    }
}

fn date_arg(args: &[Value], i: usize) -> Option<NaiveDate> {
    match args.get(i) {
        Some(Value::Date(d)) => Some(*d),
        _ => None,
    }
}

/// The smaller (`want = Less`) or larger (`want = Greater`) of two numbers or dates; a
/// decimal when either number is one.
fn pick(a: &Value, b: &Value, want: Ordering) -> Value {
    let Some(order) = compare(a, b) else {
        return Value::Null;
    };
    let chosen = if order == want { a } else { b };
    match (a, b, chosen) {
        (Value::Decimal(_), _, Value::Integer(i)) | (_, Value::Decimal(_), Value::Integer(i)) => {
            Value::Decimal(*i as f64)
        }
        (Value::Bool(_), _, _) | (Value::Text(_), _, _) => Value::Null,
        _ => chosen.clone(),
    }
}

/// An `f64` already rounded or truncated, as an integer when it fits.
fn whole(d: f64) -> Value {
    // 2^63 as f64 is exact; every finite f64 below it converts without loss.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if d.is_finite() && (-LIMIT..LIMIT).contains(&d) {
        Value::Integer(d as i64)
    } else {
        Value::Null
    }
}

/// Calls a non-aggregate function on already evaluated arguments.
///
/// Aggregates and `position()` depend on rows and are evaluated by the engine: here they
/// give null, as does a wrong number or kind of arguments.
pub fn call_scalar(function: Function, args: &[Value], dates: &Dates) -> Value {
    if !function.arity().accepts(args.len()) {
        return Value::Null;
    }
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
    let int = |i: Option<i64>| i.map_or(Value::Null, Value::Integer);
    match function {
        Function::Count
        | Function::Sum
        | Function::Min
        | Function::Max
        | Function::Any
        | Function::All
        | Function::First
        | Function::At
        | Function::Position => Value::Null,
        Function::If => {
            if truthy(arg(0)) == Some(true) {
                arg(1).clone()
            } else {
                arg(2).clone()
            }
        }
        Function::Coalesce => {
            if arg(0).is_null() {
                arg(1).clone()
            } else {
                arg(0).clone()
            }
        }
        Function::Answered => Value::Bool(!arg(0).is_null()),
        Function::Selected => match (arg(0), text_arg(args, 1)) {
            (Value::Multi(codes), Some(code)) => Value::Bool(codes.iter().any(|c| c == code)),
            _ => Value::Null,
        },
        Function::CountSelected => match arg(0) {
            Value::Multi(codes) => int(i64::try_from(codes.len()).ok()),
            Value::Null => Value::Integer(0),
            _ => Value::Null,
        },
        Function::Today => Value::Date(dates.today),
        Function::ReferenceDate => Value::Date(dates.reference_date),
        Function::Date => text_arg(args, 0)
            .and_then(parse_date)
            .map_or(Value::Null, Value::Date),
        Function::YearsBetween => match (date_arg(args, 0), date_arg(args, 1)) {
            (Some(a), Some(b)) => Value::Integer(years_between(a, b)),
            _ => Value::Null,
        },
        Function::DaysBetween => match (date_arg(args, 0), date_arg(args, 1)) {
            (Some(a), Some(b)) => Value::Integer((b - a).num_days()),
            _ => Value::Null,
        },
        Function::Year => {
            date_arg(args, 0).map_or(Value::Null, |d| Value::Integer(d.year().into()))
        }
        Function::Month => {
            date_arg(args, 0).map_or(Value::Null, |d| Value::Integer(d.month().into()))
        }
        Function::Day => date_arg(args, 0).map_or(Value::Null, |d| Value::Integer(d.day().into())),
        Function::Len => {
            text_arg(args, 0).map_or(Value::Null, |s| int(i64::try_from(s.chars().count()).ok()))
        }
        Function::Lower => text_arg(args, 0).map_or(Value::Null, |s| Value::Text(s.to_lowercase())),
        Function::Upper => text_arg(args, 0).map_or(Value::Null, |s| Value::Text(s.to_uppercase())),
        Function::Trim => text_arg(args, 0).map_or(Value::Null, |s| Value::Text(s.trim().into())),
        Function::Contains => match (text_arg(args, 0), text_arg(args, 1)) {
            (Some(s), Some(sub)) => Value::Bool(s.contains(sub)),
            _ => Value::Null,
        },
        Function::StartsWith => match (text_arg(args, 0), text_arg(args, 1)) {
            (Some(s), Some(prefix)) => Value::Bool(s.starts_with(prefix)),
            _ => Value::Null,
        },
        Function::Regex => match (text_arg(args, 0), text_arg(args, 1)) {
            // The engine runs the pattern compiled at load; this path compiles it per call.
            (Some(s), Some(pattern)) => {
                regex::Regex::new(pattern).map_or(Value::Null, |rx| Value::Bool(rx.is_match(s)))
            }
            _ => Value::Null,
        },
        Function::Abs => match arg(0) {
            Value::Integer(i) => int(i.checked_abs()),
            Value::Decimal(d) => decimal(d.abs()),
            _ => Value::Null,
        },
        Function::Round => match arg(0) {
            Value::Integer(i) => Value::Integer(*i),
            Value::Decimal(d) => whole(d.round()),
            _ => Value::Null,
        },
        Function::Int => match arg(0) {
            Value::Integer(i) => Value::Integer(*i),
            Value::Decimal(d) => whole(d.trunc()),
            _ => Value::Null,
        },
        Function::Least => pick(arg(0), arg(1), Ordering::Less),
        Function::Greatest => pick(arg(0), arg(1), Ordering::Greater),
    }
}

#[cfg(test)]
#[path = "ops_tests.rs"]
mod tests;
