//! Reading the workbook: each sheet becomes a header and rows of trimmed texts, each cell
//! keeping its spreadsheet row number and column letter for error messages.
//!
//! The rest of the importer works on [`Sheet`] only, so it can be fed from any source.

use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};

use crate::error::{ImportReport, Location, column_letter};

/// One column of a sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// 0-based index in the sheet.
    pub index: usize,
    /// The header as written, trimmed (`label::French (fr)`).
    pub header: String,
}

/// One data row of a sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// 1-based spreadsheet row number.
    pub number: u32,
    /// Cell texts by column index (trimmed; empty when the cell is empty).
    pub cells: Vec<String>,
}

/// A sheet: its header row and the data rows below it (blank rows left out).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sheet {
    /// Name of the sheet as in the workbook (lower case: `survey`, `choices`, `settings`).
    pub name: String,
    /// Columns with a non-empty header.
    pub columns: Vec<Column>,
    /// Data rows.
    pub rows: Vec<Row>,
}

impl Sheet {
    /// Builds a sheet from texts: the first row is the header; rows are numbered from 1.
    pub fn from_rows(name: &str, rows: &[Vec<&str>]) -> Sheet {
        let mut grid = rows.iter().enumerate().map(|(i, r)| {
            (
                u32::try_from(i + 1).unwrap_or(u32::MAX),
                r.iter().map(|c| c.trim().to_string()).collect::<Vec<_>>(),
            )
        });
        let mut sheet = Sheet {
            name: name.to_string(),
            ..Sheet::default()
        };
        if let Some((_, header)) = grid.next() {
            sheet.set_header(&header);
        }
        for (number, cells) in grid {
            sheet.push_row(number, cells);
        }
        sheet
    }

    fn set_header(&mut self, header: &[String]) {
        self.columns = header
            .iter()
            .enumerate()
            .filter(|(_, h)| !h.is_empty())
            .map(|(index, h)| Column {
                index,
                header: h.clone(),
            })
            .collect();
    }

    fn push_row(&mut self, number: u32, cells: Vec<String>) {
        if cells.iter().any(|c| !c.is_empty()) {
            self.rows.push(Row { number, cells });
        }
    }

    /// The column whose header is `name` (compared without case), if any.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.header.eq_ignore_ascii_case(name))
    }

    /// The non-empty text of `row` in the column headed `name`.
    pub fn get<'a>(&self, row: &'a Row, name: &str) -> Option<&'a str> {
        self.column(name).and_then(|c| cell(row, c))
    }

    /// Where the cell of `row` in `column` is.
    pub fn at(&self, row: &Row, column: &Column) -> Location {
        Location {
            sheet: self.name.clone(),
            row: row.number,
            column: column_letter(column.index),
            header: column.header.clone(),
        }
    }

    /// Where the cell of `row` in the column headed `name` is (the whole row if no such
    /// column).
    pub fn at_name(&self, row: &Row, name: &str) -> Location {
        match self.column(name) {
            Some(c) => self.at(row, c),
            None => Location {
                sheet: self.name.clone(),
                row: row.number,
                ..Location::default()
            },
        }
    }
}

/// The non-empty text of `row` in `column`.
pub fn cell<'a>(row: &'a Row, column: &Column) -> Option<&'a str> {
    row.cells
        .get(column.index)
        .map(String::as_str)
        .filter(|s| !s.is_empty())
}

/// The three sheets an XLSForm may have.
#[derive(Debug, Clone, Default)]
pub struct Workbook {
    /// The `survey` sheet (required).
    pub survey: Sheet,
    /// The `choices` sheet (empty when absent).
    pub choices: Sheet,
    /// The `settings` sheet (empty when absent).
    pub settings: Sheet,
}

/// Reads the survey, choices and settings sheets of an .xlsx file.
pub fn read_xlsx(path: &Path) -> Result<Workbook, ImportReport> {
    let mut report = ImportReport::default();
    let mut book: Xlsx<_> = match open_workbook(path) {
        Ok(b) => b,
        Err(e) => {
            report.push(
                Location::default(),
                "file",
                format!("cannot read {} as an .xlsx workbook: {e}", path.display()),
            );
            return Err(report);
        }
    };
    let names = book.sheet_names();
    let mut workbook = Workbook::default();
    for (wanted, slot) in [
        ("survey", &mut workbook.survey),
        ("choices", &mut workbook.choices),
        ("settings", &mut workbook.settings),
    ] {
        slot.name = wanted.to_string();
        let Some(actual) = names.iter().find(|n| n.trim().eq_ignore_ascii_case(wanted)) else {
            if wanted == "survey" {
                report.push(
                    Location::sheet(wanted),
                    "sheet survey",
                    "the workbook has no sheet named survey",
                );
            }
            continue;
        };
        match book.worksheet_range(actual) {
            Ok(range) => {
                let (first_row, first_col) = range.start().unwrap_or((0, 0));
                let mut header_done = false;
                for (i, r) in range.rows().enumerate() {
                    let mut cells = vec![String::new(); first_col as usize];
                    cells.extend(r.iter().map(text));
                    let number = first_row.saturating_add(1).saturating_add(i as u32);
                    if !header_done {
                        if cells.iter().all(String::is_empty) {
                            continue;
                        }
                        slot.set_header(&cells);
                        header_done = true;
                    } else {
                        slot.push_row(number, cells);
                    }
                }
            }
            Err(e) => report.push(
                Location::sheet(wanted),
                "sheet",
                format!("cannot read the sheet: {e}"),
            ),
        }
    }
    if report.errors.is_empty() {
        Ok(workbook)
    } else {
        Err(report)
    }
}

/// The text of a cell: whole numbers without a fraction, dates as `YYYY-MM-DD`.
fn text(data: &Data) -> String {
    match data {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => if *b { "true" } else { "false" }.to_string(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(dt) if dt.time() == chrono::NaiveTime::MIN => dt.date().to_string(),
            Some(dt) => dt.to_string(),
            None => d.as_f64().to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}
