//! XLSForm's XPath expressions → the census expression language (`schemas/FORMAT.md`).
//!
//! [`parser`] reads the subset of XPath that XLSForm authors write; [`translate`] maps it,
//! naming any construct it cannot map.

pub mod parser;
pub mod translate;

pub use translate::{Item, ItemKind, Scope, translate};

/// An XPath expression that could not be read or mapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XPathError {
    /// 1-based character column inside the expression.
    pub column: usize,
    /// The construct concerned (`function pulldata()`, `XPath path /`).
    pub construct: String,
    /// What is wrong and what to write instead.
    pub message: String,
}

impl XPathError {
    /// A problem at `column` with `construct`.
    pub fn new(column: usize, construct: &str, message: &str) -> XPathError {
        XPathError {
            column,
            construct: construct.to_string(),
            message: message.to_string(),
        }
    }
}
