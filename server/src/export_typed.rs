//! The questionnaire-aware export (`census-server export --format csv`): the tables of
//! [`Plan`], one CSV per level, streamed from the store page by page (memory stays flat:
//! one page of cases at a time), plus the data dictionary, value labels and load scripts
//! (`export_scripts`). Same safety rules as the generic export: file names from the
//! questionnaire only, text cells neutralised for spreadsheets, all or nothing in a hidden
//! sibling folder, an unreadable case stops the export by name.

use std::path::Path;
use std::sync::Arc;

use census_core::load::Questionnaire;
use serde_json::Value;

use super::extras::Extras;
use super::plan::{Column, Kind, Plan, Source, Table};
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

/// The cells of one row of `table`, or why a value does not fit its column.
fn cells(table: &Table, case: &StoredCase, lines: &[usize], row: &Value) -> Vec<String> {
    let answers = row.get("answers");
    let inputs = row.get("inputs");
    table
        .columns
        .iter()
        .map(|c| match &c.source {
            Source::CaseId => case.case_id.to_string(),
            Source::District => safe(&case.district_id),
            Source::Building => case.building_number.to_string(),
            Source::Dwelling => case.dwelling_number.to_string(),
            Source::Household => case
                .household_number
                .map(|n| n.to_string())
                .unwrap_or_default(),
            Source::Line(depth) => lines.get(*depth).map(|l| l.to_string()).unwrap_or_default(),
            Source::QuestionnaireId => safe(&case.questionnaire_id),
            Source::QuestionnaireVersion => safe(&case.questionnaire_version),
            Source::LongForm => match case.long_form.as_ref().and_then(|l| l.get("selected")) {
                Some(Value::Bool(true)) => "1".into(),
                Some(Value::Bool(false)) => "0".into(),
                _ => String::new(),
            },
            Source::Revision => case.revision.to_string(),
            Source::Status => safe(&case.status),
            Source::Input(id) => typed(c, get(inputs, id)),
            Source::Answer(id) => typed(c, get(answers, id)),
            Source::Lat(id) => number(get(answers, id).and_then(|g| g.get("lat"))),
            Source::Lon(id) => number(get(answers, id).and_then(|g| g.get("lon"))),
            Source::Accuracy(id) => number(get(answers, id).and_then(|g| g.get("accuracy_m"))),
            Source::MultiRaw(id) => match get(answers, id) {
                Some(Value::Array(codes)) => safe(
                    &codes
                        .iter()
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                Some(other) => safe(&other.to_string()),
                None => String::new(),
            },
            Source::Option(id, code) => match get(answers, id) {
                Some(Value::Array(codes)) => {
                    let has = codes.iter().any(|v| v.as_str() == Some(code.as_str()));
                    if has { "1" } else { "0" }.into()
                }
                _ => String::new(),
            },
        })
        .collect()
}

/// A non-null value of `map` (answers or inputs).
fn get<'a>(map: Option<&'a Value>, id: &str) -> Option<&'a Value> {
    map.and_then(|m| m.get(id)).filter(|v| !v.is_null())
}

fn number(v: Option<&Value>) -> String {
    match v {
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// A value in its column's type; a value of another type is written as neutralised text
/// (never dropped: the dictionary says what the column should hold).
fn typed(c: &Column, v: Option<&Value>) -> String {
    let Some(v) = v else {
        return String::new();
    };
    match (c.kind, v) {
        (Kind::Integer | Kind::Decimal, Value::Number(n)) => n.to_string(),
        (Kind::Code, Value::Bool(b)) => if *b { "1" } else { "0" }.into(),
        (Kind::Code, Value::String(s)) => match s.parse::<u64>() {
            Ok(n) => n.to_string(),
            Err(_) => safe(s),
        },
        (_, Value::String(s)) => safe(s),
        (_, Value::Number(n)) => n.to_string(),
        (_, Value::Bool(b)) => b.to_string(),
        (_, other) => safe(&other.to_string()),
    }
}

/// Writes the rows of `row` (a row of `tables[at]`) and of its rosters, depth first.
fn walk(
    tables: &[Table],
    writers: &mut [Csv],
    at: usize,
    case: &StoredCase,
    lines: &mut Vec<usize>,
    row: &Value,
    where_: &str,
) -> Result<(), String> {
    let (Some(table), Some(w)) = (tables.get(at), writers.get_mut(at)) else {
        return Ok(());
    };
    if !row.is_object() {
        return Err(format!(
            "a {} row at {where_} is not a JSON object",
            table.stem
        ));
    }
    w.row(cells(table, case, lines, row))?;
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
            walk(tables, writers, child, case, lines, child_row, &here)?;
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
    let exported = write_all(store, staging.path(), q, &plan, since.as_deref()).await?;
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
) -> Result<Exported, String> {
    let mut writers = Vec::new();
    for table in &plan.tables {
        let mut w = Csv::create(dir, &table.stem)?;
        w.row(table.columns.iter().map(|c| safe(&c.name)))?;
        writers.push(w);
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
            walk(
                &plan.tables,
                &mut writers,
                0,
                c,
                &mut Vec::new(),
                root,
                "root",
            )
            .map_err(unreadable)?;
            extras.confirmations(q, &plan.lang, c)?;
            let history = store
                .case_history(c.case_id)
                .await
                .map_err(|e| format!("cannot read the history of case {}: {e}", c.case_id))?;
            if let Some(h) = history {
                extras.history(c, &h)?;
            }
            cases += 1;
        }
        match page.last() {
            Some(c) if page.len() == PAGE as usize => after = Some(c.case_id),
            _ => break,
        }
    }
    extras.finish()?;
    for w in writers {
        w.finish()?;
    }
    problems.finish()?;
    if problem_count == 0 {
        let path = super::Layout::path_in(dir, PROBLEMS)?;
        std::fs::remove_file(&path)
            .map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
    }
    super::scripts::write_all(dir, q, plan)?;
    super::sync_dir(dir)?;
    Ok(Exported {
        cases,
        problems: problem_count,
    })
}
