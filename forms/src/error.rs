//! Import problems, each located by sheet, row and column of the workbook.

use std::fmt;

/// Where a problem sits in the workbook.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// Sheet name (`survey`, `choices`, `settings`), empty for the whole workbook.
    pub sheet: String,
    /// 1-based spreadsheet row, 0 when the problem concerns the whole sheet.
    pub row: u32,
    /// Column letter (`A`, `B`, …, `AA`), empty when the problem concerns a whole row.
    pub column: String,
    /// Header of the column (`relevant`, `label::French (fr)`), empty with `column`.
    pub header: String,
}

impl Location {
    /// A location on a whole sheet (a missing sheet or column).
    pub fn sheet(sheet: &str) -> Location {
        Location {
            sheet: sheet.to_string(),
            ..Location::default()
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.sheet.is_empty() {
            return write!(f, "workbook");
        }
        write!(f, "sheet {}", self.sheet)?;
        if self.row > 0 {
            write!(f, ", row {}", self.row)?;
        }
        if !self.column.is_empty() {
            write!(f, ", column {} ({})", self.column, self.header)?;
        }
        Ok(())
    }
}

/// One thing the importer could not map, named so that the author can fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// Where it is.
    pub location: Location,
    /// The XLSForm construct concerned, e.g. `type pulldata`, `function format-date()`.
    pub construct: String,
    /// What is wrong and what to do, in words.
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.location, self.construct, self.message)
    }
}

/// Every problem found in one import, in workbook order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportReport {
    /// The problems; an import succeeds only when this is empty.
    pub errors: Vec<ImportError>,
}

impl ImportReport {
    /// Records a problem.
    pub fn push(&mut self, location: Location, construct: &str, message: impl Into<String>) {
        self.errors.push(ImportError {
            location,
            construct: construct.to_string(),
            message: message.into(),
        });
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportReport {}

/// The spreadsheet letter of a 0-based column index: 0 → `A`, 26 → `AA`.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::column_letter;

    #[test]
    fn letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
    }
}
