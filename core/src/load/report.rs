//! The problems a questionnaire file can have, collected into one report.

use std::fmt;

/// One problem found in a questionnaire file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file name given to the loader.
    pub file: String,
    /// The question (or other item: input, roster, section, check, level) concerned.
    pub question: Option<String>,
    /// JSON-pointer-like path of the field, e.g. `/root/sections/2/questions/5/relevant`.
    pub location: String,
    /// 1-based character column inside an expression, when the problem is in one.
    pub column: Option<u32>,
    /// What is wrong, in words an author can act on.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if !self.location.is_empty() {
            write!(f, " at {}", self.location)?;
        }
        if let Some(column) = self.column {
            write!(f, " column {column}")?;
        }
        if let Some(question) = &self.question {
            write!(f, " ({question})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Every problem that prevented a questionnaire from loading.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LoadReport {
    /// The problems, in file order as far as possible.
    pub problems: Vec<Problem>,
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadReport {}
