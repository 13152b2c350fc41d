//! Type rules of function calls and roster aggregates.

use super::{
    Checker, Scope, describe, is_boolean, is_date, is_number, is_number_or_date, is_text,
    number_result, ordinal, unify,
};
use crate::expr::ast::{Expr, ExprKind, Function, Literal, Span};
use crate::expr::ops::parse_date;
use crate::value::Type;

impl Checker {
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

    pub(super) fn call(
        &mut self,
        function: Function,
        args: &[Expr],
        span: Span,
        scope: &dyn Scope,
    ) -> Type {
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
                if self.expect(function, 0, arg(0), is_text, "a text 'YYYY-MM-DD'")
                    && let ExprKind::Literal(Literal::Text(text)) = &args[0].kind
                    && parse_date(text).is_none()
                {
                    self.error(
                        args[0].span,
                        format!(
                            "'{text}' is not a valid date: write it 'YYYY-MM-DD', e.g. '2024-09-01'"
                        ),
                    );
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
            Function::Regex => {
                self.expect(function, 0, arg(0), is_text, "a text");
                self.regex_pattern(&args[1]);
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

    /// The pattern of `regex` must be a quoted text that is a valid regular expression;
    /// a syntax error points at its position inside the pattern.
    fn regex_pattern(&mut self, pattern: &Expr) {
        let ExprKind::Literal(Literal::Text(text)) = &pattern.kind else {
            self.error(
                pattern.span,
                format!(
                    "the pattern of `regex` must be written as a text in quotes, e.g. \
                     `regex(code, '^[0-9]{{6}}$')`, but {} is not",
                    describe(pattern)
                ),
            );
            return;
        };
        if let Err((offset, message)) = regex_problem(text) {
            // Column inside the expression: after the opening quote (exact when the
            // pattern has no escaped quotes).
            let at = pattern
                .span
                .start
                .saturating_add(1)
                .saturating_add(u32::try_from(offset).unwrap_or(0));
            self.error(
                Span {
                    start: at,
                    end: at.saturating_add(1),
                },
                format!(
                    "invalid regular expression at character {} of the pattern: {message}",
                    text.get(..offset).map_or(0, |p| p.chars().count()) + 1
                ),
            );
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
        if function == Function::At
            && let Some(n) = rest.first()
        {
            let ty = self.infer(n, scope);
            self.expect(
                function,
                1,
                (n, ty),
                |t| matches!(t, Type::Integer | Type::Null),
                "a row number (integer)",
            );
        }
        let row = match scope.roster_row_scope(roster) {
            Ok(row) => row,
            Err(message) => {
                self.error(roster_expr.span, message);
                return recovery;
            }
        };
        let row: &dyn Scope = &*row;
        let per_row = |checker: &mut Self, i: usize| -> (Type, &Expr) {
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

/// Why `pattern` is not a valid regular expression: the byte offset of the problem in the
/// pattern and what is wrong.
pub(crate) fn regex_problem(pattern: &str) -> Result<(), (usize, String)> {
    match regex_syntax::Parser::new().parse(pattern) {
        Ok(_) => {}
        Err(regex_syntax::Error::Parse(e)) => {
            return Err((e.span().start.offset, e.kind().to_string()));
        }
        Err(regex_syntax::Error::Translate(e)) => {
            return Err((e.span().start.offset, e.kind().to_string()));
        }
        Err(e) => return Err((0, e.to_string())),
    }
    regex::Regex::new(pattern)
        .map(|_| ())
        .map_err(|e| (0, e.to_string()))
}
