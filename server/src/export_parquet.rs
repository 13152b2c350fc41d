//! `--format parquet`: the tables of [`Plan`] as Apache Parquet files, one per level, with
//! the same stems, columns and row order as the CSVs, written with the `parquet` crate's
//! low-level column writer (Snappy compression, dictionary encoding).
//!
//! Physical types, from each column's [`Kind`] (every column OPTIONAL: an empty cell is a
//! null):
//! - `Integer` and `Code` → `INT64` (DuckDB `BIGINT`). The plan makes a column a code only
//!   when every code is a whole number (else it is text), so `p_sex = 1` works; a code
//!   `"01"` is stored as `1`, as the CSV writes it.
//! - `Decimal` → `DOUBLE`.
//! - `Date` → `INT32` with the `DATE` logical type: the engine stores only full dates
//!   (`YYYY-MM-DD`).
//! - `Text` → `BYTE_ARRAY` with the `String` logical type, the true value: text is not
//!   neutralised for spreadsheets as in the CSV (`=1+1` stays `=1+1`).
//!
//! A stored value that does not fit its typed column (a text in an integer column, a
//! fraction in a code column, a date that is not one) is left null and listed by the
//! caller in `export-problems.csv` with its case, row and value: never dropped silently.
//!
//! Rows are buffered per table and written as a row group every [`ROW_GROUP_ROWS`] rows or
//! [`ROW_GROUP_BYTES`] of buffered values, whichever comes first: memory stays flat.
//!
//! Labels travel in each file's key-value metadata: `census.questionnaire_id`,
//! `census.questionnaire_version`, `census.lang`, `census.table`, `census.table_label`, and
//! `census.dictionary`, a JSON object of column name → `{type, item, label, values}` in the
//! export's language (`values`: code → label, codes as the column holds them).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use super::Layout;
use super::cells::Cell;
use super::plan::{Kind, Table};
use census_core::load::Questionnaire;

/// The data files' extension.
pub const EXTENSION: &str = "parquet";

/// Rows of one row group at most.
pub const ROW_GROUP_ROWS: usize = 65_536;

/// Buffered bytes (values, text, null flags) of one table at most before its row group is
/// written.
pub const ROW_GROUP_BYTES: usize = 64 << 20;

/// The non-null values of one column in the row group being buffered.
enum Values {
    Int(Vec<i64>),
    Double(Vec<f64>),
    Date(Vec<i32>),
    Text(Vec<ByteArray>),
}

/// One column's buffer: its values and a definition level per row (1 value, 0 null).
struct Buffer {
    name: String,
    kind: Kind,
    values: Values,
    defs: Vec<i16>,
}

/// One open Parquet file of the export.
pub struct ParquetTable {
    path: PathBuf,
    writer: SerializedFileWriter<File>,
    columns: Vec<Buffer>,
    rows: usize,
    bytes: usize,
}

fn err(path: &Path) -> impl Fn(parquet::errors::ParquetError) -> String + '_ {
    move |e| format!("cannot write {}: {e}", path.display())
}

fn field(name: &str, kind: Kind) -> Result<Arc<Type>, String> {
    let (physical, logical) = match kind {
        Kind::Integer | Kind::Code => (Physical::INT64, None),
        Kind::Decimal => (Physical::DOUBLE, None),
        Kind::Date => (Physical::INT32, Some(LogicalType::Date)),
        Kind::Text => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
    };
    Type::primitive_type_builder(name, physical)
        .with_repetition(Repetition::OPTIONAL)
        .with_logical_type(logical)
        .build()
        .map(Arc::new)
        .map_err(|e| format!("column {name:?}: {e}"))
}

/// The key-value metadata of `table`'s file: questionnaire, language and labels.
pub fn metadata(q: &Questionnaire, lang: &str, table: &Table) -> Vec<KeyValue> {
    let dictionary: serde_json::Map<String, serde_json::Value> = table
        .columns
        .iter()
        .map(|c| {
            let values: serde_json::Map<String, serde_json::Value> = c
                .values
                .iter()
                .map(|(code, label)| {
                    let code = match (c.kind, code.parse::<u64>()) {
                        (Kind::Code, Ok(n)) => n.to_string(),
                        _ => code.clone(),
                    };
                    (code, label.clone().into())
                })
                .collect();
            let entry = serde_json::json!({
                "type": c.kind.as_str(),
                "item": c.item,
                "label": c.label,
                "values": values,
            });
            (c.name.clone(), entry)
        })
        .collect();
    [
        ("questionnaire_id", q.id().to_owned()),
        ("questionnaire_version", q.version().to_owned()),
        ("lang", lang.to_owned()),
        ("table", table.stem.clone()),
        ("table_label", table.label.clone()),
        (
            "dictionary",
            serde_json::Value::Object(dictionary).to_string(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| KeyValue::new(format!("census.{k}"), v))
    .collect()
}

/// Days from 1970-01-01 to `text` (`YYYY-MM-DD`).
fn days(text: &str) -> Option<i32> {
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    i32::try_from(date.signed_duration_since(epoch).num_days()).ok()
}

/// A whole number from a JSON number (`3` or `3.0`), if it is one in range.
fn whole(n: &serde_json::Number) -> Option<i64> {
    n.as_i64().or_else(|| {
        let f = n.as_f64()?;
        let fits = f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64;
        fits.then_some(f as i64)
    })
}

impl Buffer {
    /// Adds `cell`; `Err` with a message naming the value when it does not fit (a null is
    /// added). `Ok`: the bytes buffered.
    fn push(&mut self, cell: Cell) -> Result<usize, String> {
        let misfit = |value: String| -> Result<usize, String> {
            Err(format!(
                "{} {value:?} is not {} and is left empty",
                self.name,
                match self.kind {
                    Kind::Integer => "an integer",
                    Kind::Code => "a numeric code",
                    Kind::Decimal => "a number",
                    Kind::Date => "a date YYYY-MM-DD",
                    Kind::Text => "text",
                }
            ))
        };
        let added = match (&mut self.values, cell) {
            (_, Cell::Empty) => Ok(0),
            (Values::Int(v), Cell::Int(i)) => {
                v.push(i);
                Ok(8)
            }
            (Values::Int(v), Cell::Number(n)) => match whole(&n) {
                Some(i) => {
                    v.push(i);
                    Ok(8)
                }
                None => misfit(n.to_string()),
            },
            (Values::Double(v), Cell::Int(i)) => {
                v.push(i as f64);
                Ok(8)
            }
            (Values::Double(v), Cell::Number(n)) => match n.as_f64() {
                Some(f) => {
                    v.push(f);
                    Ok(8)
                }
                None => misfit(n.to_string()),
            },
            (Values::Date(v), Cell::Text(s)) => match days(&s) {
                Some(d) => {
                    v.push(d);
                    Ok(4)
                }
                None => misfit(s),
            },
            (Values::Text(v), cell) => {
                let text = cell.into_text();
                // The bytes, the `ByteArray` (32) and the allocation's own overhead.
                let n = text.len() + 48;
                v.push(ByteArray::from(text.into_bytes()));
                Ok(n)
            }
            (_, other) => misfit(other.into_text()),
        };
        let stored = matches!(added, Ok(n) if n > 0);
        self.defs.push(i16::from(stored));
        added.map(|n| n + 2)
    }
}

impl ParquetTable {
    /// Creates `table`'s file in `dir` with `metadata` in its footer.
    pub fn create(dir: &Path, table: &Table, metadata: Vec<KeyValue>) -> Result<Self, String> {
        let path = Layout::file_in(dir, &table.stem, EXTENSION)?;
        let fields = table
            .columns
            .iter()
            .map(|c| field(&c.name, c.kind))
            .collect::<Result<Vec<_>, _>>()?;
        let schema = Type::group_type_builder("schema")
            .with_fields(fields)
            .build()
            .map_err(|e| format!("the schema of {}: {e}", path.display()))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_key_value_metadata(Some(metadata))
            .build();
        let file =
            File::create(&path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let writer = SerializedFileWriter::new(file, Arc::new(schema), Arc::new(props))
            .map_err(err(&path))?;
        let columns = table
            .columns
            .iter()
            .map(|c| Buffer {
                name: c.name.clone(),
                kind: c.kind,
                values: match c.kind {
                    Kind::Integer | Kind::Code => Values::Int(Vec::new()),
                    Kind::Decimal => Values::Double(Vec::new()),
                    Kind::Date => Values::Date(Vec::new()),
                    Kind::Text => Values::Text(Vec::new()),
                },
                defs: Vec::new(),
            })
            .collect();
        Ok(ParquetTable {
            path,
            writer,
            columns,
            rows: 0,
            bytes: 0,
        })
    }

    /// Adds one row (the table's cells in column order); returns what did not fit (each
    /// left null), or `Err` when the file cannot be written.
    pub fn row(&mut self, cells: Vec<Cell>) -> Result<Vec<String>, String> {
        let mut misfits = Vec::new();
        let mut cells = cells.into_iter();
        for column in &mut self.columns {
            match column.push(cells.next().unwrap_or(Cell::Empty)) {
                Ok(n) => self.bytes += n,
                Err(m) => misfits.push(m),
            }
        }
        self.rows += 1;
        if self.rows >= ROW_GROUP_ROWS || self.bytes >= ROW_GROUP_BYTES {
            self.flush()?;
        }
        Ok(misfits)
    }

    /// Writes the buffered rows as one row group.
    fn flush(&mut self) -> Result<(), String> {
        if self.rows == 0 {
            return Ok(());
        }
        let path = &self.path;
        let mut group = self.writer.next_row_group().map_err(err(path))?;
        for column in &mut self.columns {
            let mut w = group
                .next_column()
                .map_err(err(path))?
                .ok_or_else(|| format!("cannot write {}: a column is missing", path.display()))?;
            let defs = Some(column.defs.as_slice());
            let written = match &mut column.values {
                Values::Int(v) => w.typed::<Int64Type>().write_batch(v, defs, None),
                Values::Double(v) => w.typed::<DoubleType>().write_batch(v, defs, None),
                Values::Date(v) => w.typed::<Int32Type>().write_batch(v, defs, None),
                Values::Text(v) => w.typed::<ByteArrayType>().write_batch(v, defs, None),
            };
            written.map_err(err(path))?;
            w.close().map_err(err(path))?;
            column.defs.clear();
            match &mut column.values {
                Values::Int(v) => v.clear(),
                Values::Double(v) => v.clear(),
                Values::Date(v) => v.clear(),
                Values::Text(v) => v.clear(),
            }
        }
        group.close().map_err(err(path))?;
        self.rows = 0;
        self.bytes = 0;
        Ok(())
    }

    /// Writes the last row group and the footer, and syncs the file to disk.
    pub fn finish(mut self) -> Result<(), String> {
        self.flush()?;
        let file = self.writer.into_inner().map_err(err(&self.path))?;
        file.sync_all()
            .map_err(|e| format!("cannot write {}: {e}", self.path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_whole_numbers() {
        assert_eq!(days("1970-01-02"), Some(1));
        assert_eq!(days("2024-09-01"), Some(19967));
        assert_eq!(days("2024-09"), None);
        assert_eq!(whole(&serde_json::Number::from(7)), Some(7));
        let three = serde_json::Number::from_f64(3.0).map(|n| whole(&n));
        assert_eq!(three, Some(Some(3)));
        let half = serde_json::Number::from_f64(3.5).map(|n| whole(&n));
        assert_eq!(half, Some(None));
    }

    #[test]
    fn a_value_that_does_not_fit_its_column_is_null_and_named() {
        use super::super::plan::Source;
        let column = |name: &str, kind| super::super::plan::Column {
            name: name.into(),
            kind,
            source: Source::Answer(name.into()),
            item: name.into(),
            label: String::new(),
            values: Vec::new(),
        };
        let table = Table {
            stem: "persons".into(),
            rosters: Vec::new(),
            label: String::new(),
            columns: vec![
                column("age", Kind::Integer),
                column("born", Kind::Date),
                column("name", Kind::Text),
            ],
        };
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut t =
            ParquetTable::create(dir.path(), &table, Vec::new()).unwrap_or_else(|e| panic!("{e}"));
        let ok = t.row(vec![
            Cell::Int(4),
            Cell::Text("2020-02-29".into()),
            Cell::Text("=1".into()),
        ]);
        assert_eq!(ok, Ok(Vec::new()));
        let bad = t
            .row(vec![
                Cell::Text("four".into()),
                Cell::Text("2020-02-30".into()),
                Cell::Empty,
            ])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            bad,
            [
                "age \"four\" is not an integer and is left empty",
                "born \"2020-02-30\" is not a date YYYY-MM-DD and is left empty",
            ]
        );
        t.finish().unwrap_or_else(|e| panic!("{e}"));
        let size = std::fs::metadata(dir.path().join("persons.parquet")).map(|m| m.len());
        assert!(size.is_ok_and(|n| n > 8));
    }
}
