//! The questionnaire-aware export (`census-server export --format csv|parquet`): the
//! tables of [`Plan`], one CSV (or Parquet file, `export_parquet`) per level, streamed from
//! the store page by page (memory stays flat: one page of cases at a time; Parquet buffers
//! one bounded row group per table), plus the data dictionary, value labels and, for CSV,
//! load scripts (`export_scripts`). Same safety rules as the generic export: file names
//! from the questionnaire only, CSV text cells neutralised for spreadsheets (Parquet keeps
//! the true text: it is typed data, not a spreadsheet), all or nothing in a hidden sibling
//! folder, an unreadable case stops the export by name.

use std::path::Path;
use std::sync::Arc;

use census_core::load::Questionnaire;
use serde_json::Value;

use super::cells::{Cell, cells};
use super::extras::Extras;
use super::parquet::ParquetTable;
use super::plan::{Plan, Table};
use super::{Csv, Exported, PAGE, PROBLEMS, safe};
use crate::store::{Storage, StoredCase};

/// What the questionnaire-aware export is asked for.
#[derive(Debug, Clone)]
pub struct Options {
    /// Language of labels (one of the questionnaire's).
    pub lang: String,
    /// Only cases received at or after this time (RFC 3339; a previous export's
    /// `cursor.txt`), at their latest revision.
    pub since: Option<String>,
    /// The level tables' file format.
    pub format: Format,
}

/// The file format of a typed export's level tables (the dictionary, value labels, extras
/// and problems are CSV in both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// One CSV per level, text neutralised for spreadsheets, with Stata/SPSS/R load scripts.
    #[default]
    Csv,
    /// One Parquet file per level, typed columns, labels in each file's metadata
    /// (`export_parquet`); no load scripts (they read CSV).
    Parquet,
}

impl Format {
    /// The format named on the command line (`csv` or `parquet`).
    pub fn parse(name: &str) -> Result<Format, String> {
        match name {
            "csv" => Ok(Format::Csv),
            "parquet" => Ok(Format::Parquet),
            other => Err(format!("--format {other:?}: csv or parquet")),
        }
    }

    /// The level tables' file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => super::parquet::EXTENSION,
        }
    }
}

/// The file holding the cursor the next `--since` export starts from.
pub const CURSOR_FILE: &str = "cursor.txt";

/// How far before its start an export's cursor is set: a batch being stored while the
/// export starts (received before, committed after) is in the next export.
const CURSOR_MARGIN_SECONDS: i64 = 300;

/// `--since` in the stores' own form (RFC 3339 in UTC, `+00:00`), or why it is not a time.
pub fn normalise_since(since: &str) -> Result<String, String> {
    chrono::DateTime::parse_from_rfc3339(since.trim())
        .map(|t| t.with_timezone(&chrono::Utc).to_rfc3339())
        .map_err(|e| {
            format!(
                "--since {since:?} is not a time such as 2024-09-02T10:00:00Z (a previous \
                 export's {CURSOR_FILE}): {e}"
            )
        })
}

/// The open tables, and what did not fit in them for the case being written.
struct Sinks {
    tables: Vec<Sink>,
    misfits: Vec<String>,
}

/// Where the rows of one table go.
enum Sink {
    Csv(Csv),
    Parquet(ParquetTable),
}

impl Sink {
    /// Writes one row; what did not fit a typed Parquet column goes to `misfits`.
    fn row(&mut self, cells: Vec<Cell>, misfits: &mut Vec<String>) -> Result<(), String> {
        match self {
            Sink::Csv(w) => w.row(cells.into_iter().map(Cell::csv)),
            Sink::Parquet(w) => {
                misfits.extend(w.row(cells)?);
                Ok(())
            }
        }
    }

    fn finish(self) -> Result<(), String> {
        match self {
            Sink::Csv(w) => w.finish(),
            Sink::Parquet(w) => w.finish(),
        }
    }
}

/// Writes the rows of `row` (a row of `tables[at]`) and of its rosters, depth first.
/// What does not fit a typed Parquet column goes to `out.misfits`, with where it is.
fn walk(
    tables: &[Table],
    out: &mut Sinks,
    at: usize,
    case: &StoredCase,
    lines: &mut Vec<usize>,
    row: &Value,
    where_: &str,
) -> Result<(), String> {
    let (Some(table), Some(w)) = (tables.get(at), out.tables.get_mut(at)) else {
        return Ok(());
    };
    if !row.is_object() {
        return Err(format!(
            "a {} row at {where_} is not a JSON object",
            table.stem
        ));
    }
    let mut here = Vec::new();
    w.row(cells(table, case, lines, row), &mut here)?;
    out.misfits
        .extend(here.into_iter().map(|m| format!("{where_}: {m}")));
    let depth = table.rosters.len();
    // The tables right under this one: one roster deeper, with this table's path in front.
    let children: Vec<usize> = tables
        .iter()
        .enumerate()
        .filter(|(_, t)| t.rosters.len() == depth + 1 && t.rosters.starts_with(&table.rosters))
        .map(|(i, _)| i)
        .collect();
    for child in children {
        let Some(roster) = tables.get(child).and_then(|t| t.rosters.last()) else {
            continue;
        };
        let list = match row.get("rosters").and_then(|r| r.get(roster)) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(list)) => list,
            Some(_) => return Err(format!("roster {roster} at {where_} is not a list")),
        };
        for (i, child_row) in list.iter().enumerate() {
            lines.push(i + 1);
            let here = format!("{where_}/{roster}[{}]", i + 1);
            walk(tables, out, child, case, lines, child_row, &here)?;
            lines.pop();
        }
    }
    Ok(())
}

/// Writes the typed export of `q` into `out` (new or empty), all or nothing.
pub async fn export_typed(
    store: &dyn Storage,
    out: &Path,
    q: &Arc<Questionnaire>,
    options: &Options,
) -> Result<Exported, String> {
    let plan = Plan::new(q, &options.lang)?;
    let since = options.since.as_deref().map(normalise_since).transpose()?;
    let cursor =
        (chrono::Utc::now() - chrono::Duration::seconds(CURSOR_MARGIN_SECONDS)).to_rfc3339();
    let staging = super::staging_for(out)?;
    let exported = write_all(
        store,
        staging.path(),
        q,
        &plan,
        since.as_deref(),
        options.format,
    )
    .await?;
    super::scripts::write_text(staging.path(), CURSOR_FILE, &format!("{cursor}\n"))?;
    super::sync_dir(staging.path())?;
    super::move_into_place(staging, out)?;
    Ok(exported)
}

async fn write_all(
    store: &dyn Storage,
    dir: &Path,
    q: &Questionnaire,
    plan: &Plan,
    since: Option<&str>,
    format: Format,
) -> Result<Exported, String> {
    let mut out = Sinks {
        tables: Vec::new(),
        misfits: Vec::new(),
    };
    for table in &plan.tables {
        out.tables.push(match format {
            Format::Csv => {
                let mut w = Csv::create(dir, &table.stem)?;
                w.row(table.columns.iter().map(|c| safe(&c.name)))?;
                Sink::Csv(w)
            }
            Format::Parquet => {
                let meta = super::parquet::metadata(q, &plan.lang, table);
                Sink::Parquet(ParquetTable::create(dir, table, meta)?)
            }
        });
    }
    let mut problems = Csv::create(dir, PROBLEMS)?;
    problems.row(["case_id".to_owned(), "problem".to_owned()])?;
    let mut problem_count = 0;
    let mut cases = 0;
    let mut extras = Extras::create(dir)?;
    let mut after = None;
    loop {
        let page = match since {
            Some(since) => store.cases_received_page(since, after, PAGE).await,
            None => store.cases_page(after, PAGE).await,
        };
        let page = page.map_err(|e| format!("cannot read the stored cases: {e}"))?;
        // The page's revisions and decisions in one read (not one per case).
        let ids: Vec<_> = page
            .iter()
            .filter(|c| c.questionnaire_id == q.id())
            .map(|c| c.case_id)
            .collect();
        let mut records = store
            .case_records(&ids)
            .await
            .map_err(|e| format!("cannot read the history of the cases: {e}"))?;
        for c in &page {
            if c.questionnaire_id != q.id() {
                problems.row([
                    c.case_id.to_string(),
                    safe(&format!(
                        "questionnaire {:?} is not the one exported ({}): the case is not \
                         exported",
                        c.questionnaire_id,
                        q.id()
                    )),
                ])?;
                problem_count += 1;
                continue;
            }
            let unreadable = |e: String| {
                format!(
                    "case {}: its stored JSON cannot be read as a census case: {e}",
                    c.case_id
                )
            };
            let root = c
                .case
                .get("root")
                .ok_or_else(|| unreadable("it has no \"root\"".into()))?;
            walk(&plan.tables, &mut out, 0, c, &mut Vec::new(), root, "root")
                .map_err(unreadable)?;
            for m in out.misfits.drain(..) {
                problems.row([c.case_id.to_string(), safe(&m)])?;
                problem_count += 1;
            }
            extras.confirmations(q, &plan.lang, c)?;
            let history = records.remove(&c.case_id).unwrap_or_default();
            extras.history(c, &history)?;
            cases += 1;
        }
        match page.last() {
            Some(c) if page.len() == PAGE as usize => after = Some(c.case_id),
            _ => break,
        }
    }
    extras.finish()?;
    for w in out.tables {
        w.finish()?;
    }
    problems.finish()?;
    if problem_count == 0 {
        let path = super::Layout::path_in(dir, PROBLEMS)?;
        std::fs::remove_file(&path)
            .map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
    }
    super::scripts::write_all(dir, q, plan, format)?;
    super::sync_dir(dir)?;
    Ok(Exported {
        cases,
        problems: problem_count,
    })
}
