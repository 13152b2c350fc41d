//! Recursive-descent parser: source text to [`Expr`].
//!
//! Precedence, loosest first: `or`; `and`; `not`; comparisons (not chainable); `+` `-`;
//! `*` `/` `%`; unary `-`. Function names are resolved here, with their arity, so that a
//! tree that parses only holds known functions with the right number of arguments.

use super::ast::{BinaryOp, Expr, ExprKind, Function, Literal, Span, UnaryOp};
use super::lexer::{Spanned, Token, tokenize};

/// Deepest nesting accepted: parentheses, calls, unary operators and the depth of the
/// resulting tree all count, so that neither parsing nor any later walk of the tree can
/// exhaust the stack on hostile input.
pub const MAX_DEPTH: u32 = 64;

/// Why an expression could not be parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    /// The bytes of the source the error is about.
    pub span: Span,
    /// What is wrong, for the questionnaire author.
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at column {}: {}", self.span.start + 1, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parses an expression.
///
/// Function names are resolved to [`Function`] here: an unknown function or a wrong number
/// of arguments is a [`ParseError`]. The first argument of an aggregate
/// ([`Function::is_aggregate`]) must be a bare name, the roster.
pub fn parse(source: &str) -> Result<Expr, ParseError> {
    let tokens = tokenize(source)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        nesting: 0,
    };
    if parser.peek() == &Token::End {
        return Err(parser.error_here("the expression is empty"));
    }
    let (expr, _) = parser.expression()?;
    match parser.peek() {
        Token::End => Ok(expr),
        Token::RParen => Err(parser.error_here("this `)` has no matching `(`")),
        other => {
            let message = format!(
                "expected an operator, found {}{}",
                other.describe(),
                keyword_hint(other)
            );
            Err(parser.error_here(message))
        }
    }
}

/// A hint when a word looks like a keyword written with capitals (`AND`, `True`).
fn keyword_hint(token: &Token) -> String {
    if let Token::Ident(word) = token {
        let lower = word.to_lowercase();
        if matches!(
            lower.as_str(),
            "and" | "or" | "not" | "true" | "false" | "null"
        ) {
            return format!(" (keywords are written in lower case: `{lower}`)");
        }
    }
    String::new()
}

/// A parsed node and the depth of its tree.
type Node = (Expr, u32);

struct Parser {
    tokens: Vec<Spanned>,
    pos: usize,
    nesting: u32,
}

fn join(a: Span, b: Span) -> Span {
    Span {
        start: a.start.min(b.start),
        end: a.end.max(b.end),
    }
}

fn binary_op(token: &Token) -> Option<BinaryOp> {
    Some(match token {
        Token::Eq => BinaryOp::Eq,
        Token::Ne => BinaryOp::Ne,
        Token::Lt => BinaryOp::Lt,
        Token::Le => BinaryOp::Le,
        Token::Gt => BinaryOp::Gt,
        Token::Ge => BinaryOp::Ge,
        Token::Plus => BinaryOp::Add,
        Token::Minus => BinaryOp::Sub,
        Token::Star => BinaryOp::Mul,
        Token::Slash => BinaryOp::Div,
        Token::Percent => BinaryOp::Rem,
        Token::And => BinaryOp::And,
        Token::Or => BinaryOp::Or,
        _ => return None,
    })
}

fn is_comparison(op: BinaryOp) -> bool {
    matches!(
        op,
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
    )
}

impl Parser {
    fn peek(&self) -> &Token {
        self.tokens.get(self.pos).map_or(&Token::End, |s| &s.token)
    }

    fn peek_span(&self) -> Span {
        self.tokens
            .get(self.pos)
            .or_else(|| self.tokens.last())
            .map_or(Span::default(), |s| s.span)
    }

    fn advance(&mut self) -> Spanned {
        let spanned = self.tokens.get(self.pos).cloned().unwrap_or(Spanned {
            token: Token::End,
            span: self.peek_span(),
        });
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        spanned
    }

    fn error_here(&self, message: impl Into<String>) -> ParseError {
        ParseError {
            span: self.peek_span(),
            message: message.into(),
        }
    }

    fn too_deep(span: Span) -> ParseError {
        ParseError {
            span,
            message: format!(
                "the expression is nested too deeply (more than {MAX_DEPTH} levels): split it into calculated questions"
            ),
        }
    }

    /// Enters one level of recursion (parentheses, arguments, unary operators).
    fn enter(&mut self) -> Result<(), ParseError> {
        self.nesting += 1;
        if self.nesting > MAX_DEPTH {
            return Err(Self::too_deep(self.peek_span()));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.nesting = self.nesting.saturating_sub(1);
    }

    /// A node with children of the given depths, refused when the tree gets too deep.
    fn node(kind: ExprKind, span: Span, child_depth: u32) -> Result<Node, ParseError> {
        let depth = child_depth + 1;
        if depth > MAX_DEPTH {
            return Err(Self::too_deep(span));
        }
        Ok((Expr { kind, span }, depth))
    }

    fn expression(&mut self) -> Result<Node, ParseError> {
        self.enter()?;
        let result = self.or();
        self.leave();
        result
    }

    fn binary_chain(
        &mut self,
        ops: &[BinaryOp],
        operand: fn(&mut Self) -> Result<Node, ParseError>,
    ) -> Result<Node, ParseError> {
        let (mut left, mut depth) = operand(self)?;
        while let Some(op) = binary_op(self.peek()).filter(|op| ops.contains(op)) {
            self.advance();
            let (right, right_depth) = operand(self)?;
            let span = join(left.span, right.span);
            (left, depth) = Self::node(
                ExprKind::Binary(op, Box::new(left), Box::new(right)),
                span,
                depth.max(right_depth),
            )?;
        }
        Ok((left, depth))
    }

    fn or(&mut self) -> Result<Node, ParseError> {
        self.binary_chain(&[BinaryOp::Or], Self::and)
    }

    fn and(&mut self) -> Result<Node, ParseError> {
        self.binary_chain(&[BinaryOp::And], Self::not)
    }

    fn not(&mut self) -> Result<Node, ParseError> {
        if self.peek() != &Token::Not {
            return self.comparison();
        }
        let not_span = self.advance().span;
        self.enter()?;
        let operand = self.not();
        self.leave();
        let (operand, depth) = operand?;
        let span = join(not_span, operand.span);
        Self::node(
            ExprKind::Unary(UnaryOp::Not, Box::new(operand)),
            span,
            depth,
        )
    }

    fn comparison(&mut self) -> Result<Node, ParseError> {
        let (left, left_depth) = self.additive()?;
        let Some(op) = binary_op(self.peek()).filter(|op| is_comparison(*op)) else {
            return Ok((left, left_depth));
        };
        self.advance();
        let (right, right_depth) = self.additive()?;
        if binary_op(self.peek()).is_some_and(is_comparison) {
            return Err(self.error_here(
                "comparisons cannot be chained: write `a < b and b < c` instead of `a < b < c`",
            ));
        }
        let span = join(left.span, right.span);
        Self::node(
            ExprKind::Binary(op, Box::new(left), Box::new(right)),
            span,
            left_depth.max(right_depth),
        )
    }

    fn additive(&mut self) -> Result<Node, ParseError> {
        self.binary_chain(&[BinaryOp::Add, BinaryOp::Sub], Self::multiplicative)
    }

    fn multiplicative(&mut self) -> Result<Node, ParseError> {
        self.binary_chain(&[BinaryOp::Mul, BinaryOp::Div, BinaryOp::Rem], Self::unary)
    }

    fn unary(&mut self) -> Result<Node, ParseError> {
        match self.peek() {
            Token::Minus => {
                let minus_span = self.advance().span;
                // `-12` is the literal -12 (so that the smallest integer can be written).
                if let Token::Integer(n) = *self.peek() {
                    let number_span = self.advance().span;
                    let value = 0i64.checked_sub_unsigned(n).unwrap_or(i64::MIN);
                    return Ok((
                        Expr {
                            kind: ExprKind::Literal(Literal::Integer(value)),
                            span: join(minus_span, number_span),
                        },
                        1,
                    ));
                }
                self.enter()?;
                let operand = self.unary();
                self.leave();
                let (operand, depth) = operand?;
                let span = join(minus_span, operand.span);
                Self::node(
                    ExprKind::Unary(UnaryOp::Neg, Box::new(operand)),
                    span,
                    depth,
                )
            }
            Token::Not => Err(self.error_here(
                "`not` applies to a whole comparison here: put it in parentheses, e.g. `(not a)`",
            )),
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Node, ParseError> {
        let Spanned { token, span } = self.advance();
        let literal = |literal: Literal| {
            Ok((
                Expr {
                    kind: ExprKind::Literal(literal),
                    span,
                },
                1,
            ))
        };
        match token {
            Token::Integer(n) => match i64::try_from(n) {
                Ok(value) => literal(Literal::Integer(value)),
                Err(_) => Err(ParseError {
                    span,
                    message: format!(
                        "the number `{n}` is too large for an integer (at most {})",
                        i64::MAX
                    ),
                }),
            },
            Token::Decimal(d) => literal(Literal::Decimal(d)),
            Token::Text(s) => literal(Literal::Text(s)),
            Token::True => literal(Literal::Bool(true)),
            Token::False => literal(Literal::Bool(false)),
            Token::Null => literal(Literal::Null),
            Token::Dot => Ok((
                Expr {
                    kind: ExprKind::Current,
                    span,
                },
                1,
            )),
            Token::Ident(name) => {
                if self.peek() == &Token::LParen {
                    self.call(name, span)
                } else {
                    Ok((
                        Expr {
                            kind: ExprKind::Name(name),
                            span,
                        },
                        1,
                    ))
                }
            }
            Token::LParen => {
                let (inner, depth) = self.expression()?;
                if self.peek() != &Token::RParen {
                    return Err(self.error_here(format!(
                        "expected `)` to close the `(` at column {}, found {}",
                        span.start + 1,
                        self.peek().describe()
                    )));
                }
                self.advance();
                Ok((inner, depth))
            }
            Token::End => Err(ParseError {
                span,
                message: "the expression ends too early: a value is missing".to_string(),
            }),
            other => Err(ParseError {
                span,
                message: format!("expected a value, found {}", other.describe()),
            }),
        }
    }

    fn call(&mut self, name: String, name_span: Span) -> Result<Node, ParseError> {
        let Some(function) = Function::from_name(&name) else {
            let hint = Function::suggest(&name)
                .map(|f| format!("; did you mean `{}`?", f.name()))
                .unwrap_or_default();
            return Err(ParseError {
                span: name_span,
                message: format!("unknown function `{name}`{hint}"),
            });
        };
        let open = self.advance().span;
        let mut args = Vec::new();
        let mut depth = 0;
        if self.peek() != &Token::RParen {
            loop {
                let (arg, arg_depth) = self.expression()?;
                depth = depth.max(arg_depth);
                args.push(arg);
                match self.peek() {
                    Token::Comma => {
                        self.advance();
                    }
                    Token::RParen => break,
                    other => {
                        let message = format!(
                            "expected `,` or `)` in the arguments of `{name}` (opened at column {}), found {}",
                            open.start + 1,
                            other.describe()
                        );
                        return Err(self.error_here(message));
                    }
                }
            }
        }
        let close = self.advance().span;
        let span = join(name_span, close);
        let arity = function.arity();
        if !arity.accepts(args.len()) {
            return Err(ParseError {
                span,
                message: format!("`{name}` takes {}, found {}", arity.describe(), args.len()),
            });
        }
        if function.is_aggregate()
            && let Some(first) = args.first()
            && !matches!(first.kind, ExprKind::Name(_))
        {
            return Err(ParseError {
                span: first.span,
                message: format!(
                    "the first argument of `{name}` must be a roster id, e.g. `{name}(persons{})`",
                    if args.len() > 1 { ", …" } else { "" }
                ),
            });
        }
        Self::node(ExprKind::Call(function, args), span, depth)
    }
}

#[cfg(test)]
#[path = "parser_tests.rs"]
mod tests;
