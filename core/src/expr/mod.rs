//! The expression language of questionnaires (see `schemas/FORMAT.md`).
//!
//! * [`parse`] turns source text into an [`ast::Expr`] with byte spans, or a [`ParseError`].
//! * [`check`] type-checks a tree against a [`Scope`] the engine provides (which names and
//!   rosters are visible from the row where the expression is evaluated).
//! * [`ops`] holds the value semantics of operators and non-aggregate functions, so the
//!   engine only decides *where* values come from and *when* to recompute.

pub mod ast;
