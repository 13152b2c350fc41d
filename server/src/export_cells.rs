//! The cells of a questionnaire-aware export's rows: each value is made once from the
//! stored case, in its column's type ([`Cell`]), and each format renders it — the CSV
//! neutralises text for spreadsheets, Parquet stores the typed value.

use serde_json::Value;

use super::plan::{Column, Kind, Source, Table};
use super::safe;
use crate::store::StoredCase;

/// One cell of a typed export, made once from the stored case and rendered by each format:
/// the CSV neutralises text for spreadsheets ([`Cell::csv`]), Parquet stores the typed
/// value (`export_parquet`).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No value: an empty CSV cell, a Parquet null.
    Empty,
    /// A whole number the export makes (keys, line numbers, codes, 0/1 flags).
    Int(i64),
    /// A JSON number as stored.
    Number(serde_json::Number),
    /// Text as stored (also a value of another type than its column's).
    Text(String),
}

impl Cell {
    /// The CSV cell: numbers as they are, text neutralised ([`safe`]).
    pub fn csv(self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Int(i) => i.to_string(),
            Cell::Number(n) => n.to_string(),
            Cell::Text(s) => safe(&s),
        }
    }

    /// The value as text, verbatim (not neutralised).
    pub fn into_text(self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Int(i) => i.to_string(),
            Cell::Number(n) => n.to_string(),
            Cell::Text(s) => s,
        }
    }
}

fn unsigned(n: u64) -> Cell {
    i64::try_from(n).map_or_else(|_| Cell::Number(n.into()), Cell::Int)
}

fn flag(b: bool) -> Cell {
    Cell::Int(i64::from(b))
}

/// The cells of one row of `table`.
pub fn cells(table: &Table, case: &StoredCase, lines: &[usize], row: &Value) -> Vec<Cell> {
    let answers = row.get("answers");
    let inputs = row.get("inputs");
    table
        .columns
        .iter()
        .map(|c| match &c.source {
            Source::CaseId => Cell::Text(case.case_id.to_string()),
            Source::District => Cell::Text(case.district_id.clone()),
            Source::Building => Cell::Int(case.building_number.into()),
            Source::Dwelling => Cell::Int(case.dwelling_number.into()),
            Source::Household => case
                .household_number
                .map_or(Cell::Empty, |n| Cell::Int(n.into())),
            Source::Line(depth) => lines
                .get(*depth)
                .map_or(Cell::Empty, |l| unsigned(*l as u64)),
            Source::QuestionnaireId => Cell::Text(case.questionnaire_id.clone()),
            Source::QuestionnaireVersion => Cell::Text(case.questionnaire_version.clone()),
            Source::LongForm => match case.long_form.as_ref().and_then(|l| l.get("selected")) {
                Some(Value::Bool(b)) => flag(*b),
                _ => Cell::Empty,
            },
            Source::Revision => unsigned(case.revision),
            Source::Status => Cell::Text(case.status.clone()),
            Source::Input(id) => typed(c, get(inputs, id)),
            Source::Answer(id) => typed(c, get(answers, id)),
            Source::Lat(id) => number(get(answers, id).and_then(|g| g.get("lat"))),
            Source::Lon(id) => number(get(answers, id).and_then(|g| g.get("lon"))),
            Source::Accuracy(id) => number(get(answers, id).and_then(|g| g.get("accuracy_m"))),
            Source::MultiRaw(id) => match get(answers, id) {
                Some(Value::Array(codes)) => Cell::Text(
                    codes
                        .iter()
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                Some(other) => Cell::Text(other.to_string()),
                None => Cell::Empty,
            },
            Source::Option(id, code) => match get(answers, id) {
                Some(Value::Array(codes)) => {
                    flag(codes.iter().any(|v| v.as_str() == Some(code.as_str())))
                }
                _ => Cell::Empty,
            },
        })
        .collect()
}

/// A non-null value of `map` (answers or inputs).
fn get<'a>(map: Option<&'a Value>, id: &str) -> Option<&'a Value> {
    map.and_then(|m| m.get(id)).filter(|v| !v.is_null())
}

fn number(v: Option<&Value>) -> Cell {
    match v {
        Some(Value::Number(n)) => Cell::Number(n.clone()),
        _ => Cell::Empty,
    }
}

/// A value in its column's type; a value of another type is kept as text (never dropped:
/// the dictionary says what the column should hold).
fn typed(c: &Column, v: Option<&Value>) -> Cell {
    let Some(v) = v else {
        return Cell::Empty;
    };
    match (c.kind, v) {
        (Kind::Code, Value::Bool(b)) => flag(*b),
        (Kind::Code, Value::String(s)) => match s.parse::<u64>() {
            Ok(n) => unsigned(n),
            Err(_) => Cell::Text(s.clone()),
        },
        (_, Value::String(s)) => Cell::Text(s.clone()),
        (_, Value::Number(n)) => Cell::Number(n.clone()),
        (_, Value::Bool(b)) => Cell::Text(b.to_string()),
        (_, other) => Cell::Text(other.to_string()),
    }
}
