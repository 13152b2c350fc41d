//! The expression language of questionnaires (see `schemas/FORMAT.md`).
//!
//! * [`parse`] turns source text into an [`ast::Expr`] with byte spans, or a [`ParseError`].
//! * [`check`] type-checks a tree against a [`Scope`] the engine provides (which names and
//!   rosters are visible from the row where the expression is evaluated).
//! * [`names_used`] lists the names an expression reads and the rosters entered to read
//!   them, for dependency graphs.
//! * [`ops`] holds the value semantics of operators and non-aggregate functions, so the
//!   engine only decides *where* values come from and *when* to recompute.

pub mod ast;
pub mod functions;
mod lexer;
mod names;
pub mod ops;
pub mod parser;
mod print;
pub mod typecheck;

pub use functions::Arity;
pub use ops::{Dates, binary, call_scalar, truthy, unary};
pub use parser::{MAX_DEPTH, ParseError, parse};
pub use typecheck::{NameUse, Scope, TypeError, check, names_used};
