//! The syntax tree of an expression, produced by [`super::parse`].

/// Byte range of a node in the expression's source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

/// An expression node with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What the node is.
    pub kind: ExprKind,
    /// Where it is in the source.
    pub span: Span,
}

/// Kinds of expression nodes.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A constant.
    Literal(Literal),
    /// `.`: the value of the question being constrained.
    Current,
    /// A question, calculated question or input id (resolved by the engine).
    Name(String),
    /// `-x`, `not x`.
    Unary(UnaryOp, Box<Expr>),
    /// `a + b`, `a and b`, …
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// A call of a known function. For roster aggregates (`count`, `sum`, …, `at`) the
    /// first argument is always an [`ExprKind::Name`] naming the roster.
    Call(Function, Vec<Expr>),
}

/// Constants.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// `12`.
    Integer(i64),
    /// `3.5`.
    Decimal(f64),
    /// `'text'` or `"text"`.
    Text(String),
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// Arithmetic negation.
    Neg,
    /// Logical negation (three-valued).
    Not,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `or` (three-valued).
    Or,
    /// `and` (three-valued).
    And,
    /// `=`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `+` (numbers, or text concatenation).
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/` (always decimal).
    Div,
    /// `%` (integer remainder).
    Rem,
}

/// Every function of the language (see `schemas/FORMAT.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    /// `count(R)` / `count(R, cond)`.
    Count,
    /// `sum(R, e)`.
    Sum,
    /// `min(R, e)`.
    Min,
    /// `max(R, e)`.
    Max,
    /// `any(R, cond)`.
    Any,
    /// `all(R, cond)`.
    All,
    /// `first(R, cond, e)`.
    First,
    /// `at(R, n, e)`.
    At,
    /// `position()`.
    Position,
    /// `if(c, a, b)`.
    If,
    /// `coalesce(a, b)`.
    Coalesce,
    /// `answered(x)`.
    Answered,
    /// `selected(q, code)`.
    Selected,
    /// `count_selected(q)`.
    CountSelected,
    /// `today()`.
    Today,
    /// `reference_date()`.
    ReferenceDate,
    /// `date(text)`.
    Date,
    /// `years_between(d1, d2)`.
    YearsBetween,
    /// `days_between(d1, d2)`.
    DaysBetween,
    /// `year(d)`.
    Year,
    /// `month(d)`.
    Month,
    /// `day(d)`.
    Day,
    /// `len(s)`.
    Len,
    /// `lower(s)`.
    Lower,
    /// `upper(s)`.
    Upper,
    /// `trim(s)`.
    Trim,
    /// `contains(s, sub)`.
    Contains,
    /// `starts_with(s, prefix)`.
    StartsWith,
    /// `regex(s, 'pattern')`: whether the pattern matches somewhere in `s`.
    Regex,
    /// `abs(x)`.
    Abs,
    /// `round(x)`.
    Round,
    /// `int(x)`.
    Int,
    /// `least(a, b)`.
    Least,
    /// `greatest(a, b)`.
    Greatest,
}

impl Function {
    /// Whether the first argument names a roster and the others are evaluated per row.
    pub fn is_aggregate(self) -> bool {
        matches!(
            self,
            Function::Count
                | Function::Sum
                | Function::Min
                | Function::Max
                | Function::Any
                | Function::All
                | Function::First
                | Function::At
        )
    }
}
