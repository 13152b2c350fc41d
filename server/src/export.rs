//! Export of stored cases as CSV: one file per level (the case root is the dwelling, then
//! one file per roster of the questionnaire: households, persons, deaths…), each row with
//! its keys, plus `data_dictionary.csv` describing every column.
//!
//! Safety rules (principle 10: nothing a tablet sends names a file):
//! - the files are the questionnaires' (`export_layout`): a roster a case names that its
//!   questionnaire does not have is not written but listed in `export-problems.csv` with
//!   the case id, as is a case of a questionnaire the export was not given;
//! - every file is checked to be directly inside the output folder;
//! - a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed
//!   with `'` (OWASP's CSV-injection rule), column names too; JSON numbers are written as
//!   they are;
//! - all or nothing: files are written into a new hidden folder next to `--out`, synced,
//!   and renamed to `--out` at the end; on any error (a full disk, a case whose stored JSON
//!   cannot be read — the error names the case) the hidden folder is removed and `--out` is
//!   not created. `--out` must be new or empty.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use census_core::load::Questionnaire;
use serde_json::Value;

use crate::store::{Storage, StoredCase};

#[path = "export_cells.rs"]
pub mod cells;
#[path = "export_extras.rs"]
pub mod extras;
#[path = "export_layout.rs"]
mod layout;
#[path = "export_parquet.rs"]
pub mod parquet;
#[path = "export_plan.rs"]
pub mod plan;
#[path = "export_scripts.rs"]
pub mod scripts;
#[path = "export_typed.rs"]
pub mod typed;

use layout::safe_stem as layout_safe_stem;
pub use layout::{DICTIONARY, Layout, PROBLEMS, ROOT_LEVEL};

/// The census questionnaire bundled with the server, used when none is given.
pub const BUNDLED_QUESTIONNAIRE: &str = include_str!("../../schemas/rgph2024.json");

const CASE_KEYS: [&str; 9] = [
    "case_id",
    "district_id",
    "building_number",
    "dwelling_number",
    "household_number",
    "revision",
    "status",
    "questionnaire_id",
    "questionnaire_version",
];
const PAGE: u32 = 500;

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exported {
    /// Cases written.
    pub cases: u64,
    /// Lines of `export-problems.csv` (0: the file is not written).
    pub problems: u64,
}

/// Loads questionnaire files for the export; none given: the bundled census questionnaire.
pub fn load_questionnaires(paths: &[PathBuf]) -> Result<Vec<Arc<Questionnaire>>, String> {
    if paths.is_empty() {
        let q = census_core::load::load_questionnaire("rgph2024.json", BUNDLED_QUESTIONNAIRE)
            .map_err(|report| format!("the bundled questionnaire cannot be used:\n{report}"))?;
        return Ok(vec![q]);
    }
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let name = path.display().to_string();
        out.push(
            census_core::load::load_questionnaire(&name, &text)
                .map_err(|report| format!("{name} cannot be used:\n{report}"))?,
        );
    }
    Ok(out)
}

/// A text cell, neutralised for spreadsheets: a leading `= + - @`, tab or carriage return
/// gets a `'` in front.
pub fn safe(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

/// A JSON value as a cell: numbers as they are, everything else as neutralised text.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => safe(s),
        other => safe(&other.to_string()),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array (JSON)",
        Value::Object(_) => "object (JSON)",
    }
}

fn case_keys(c: &StoredCase) -> [String; 9] {
    [
        c.case_id.to_string(),
        safe(&c.district_id),
        c.building_number.to_string(),
        c.dwelling_number.to_string(),
        c.household_number
            .map(|n| n.to_string())
            .unwrap_or_default(),
        c.revision.to_string(),
        safe(&c.status),
        safe(&c.questionnaire_id),
        safe(&c.questionnaire_version),
    ]
}

#[derive(Default)]
struct Columns {
    /// Column → JSON types seen, non-empty count.
    columns: BTreeMap<String, (BTreeSet<&'static str>, u64)>,
}

pub(crate) async fn each_case(
    store: &dyn Storage,
    mut f: impl FnMut(&StoredCase) -> Result<(), String>,
) -> Result<(), String> {
    let mut after = None;
    loop {
        let page = store
            .cases_page(after, PAGE)
            .await
            .map_err(|e| format!("cannot read the stored cases: {e}"))?;
        for c in &page {
            f(c)?;
        }
        match page.last() {
            Some(c) if page.len() == PAGE as usize => after = Some(c.case_id),
            _ => return Ok(()),
        }
    }
}

struct Csv {
    path: PathBuf,
    w: csv::Writer<File>,
}

impl Csv {
    fn create(dir: &Path, stem: &str) -> Result<Csv, String> {
        let path = Layout::path_in(dir, stem)?;
        let w = csv::Writer::from_path(&path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(Csv { path, w })
    }

    fn row<I: IntoIterator<Item = String>>(&mut self, cells: I) -> Result<(), String> {
        self.w
            .write_record(cells)
            .map_err(|e| format!("cannot write {}: {e}", self.path.display()))
    }

    /// Flushes and syncs the file to disk.
    fn finish(self) -> Result<(), String> {
        let path = self.path;
        let file = self
            .w
            .into_inner()
            .map_err(|e| format!("cannot write {}: {}", path.display(), e.error()))?;
        file.sync_all()
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

/// Writes the CSV files into `out` (new or empty) with the bundled census questionnaire;
/// returns the number of cases written.
pub async fn export(store: &dyn Storage, out: &Path) -> Result<u64, String> {
    let questionnaires = load_questionnaires(&[])?;
    Ok(export_with(store, out, &questionnaires).await?.cases)
}

/// Writes the CSV files of every stored case into `out`, all or nothing (see the module
/// documentation), cutting cases by `questionnaires`.
pub async fn export_with(
    store: &dyn Storage,
    out: &Path,
    questionnaires: &[Arc<Questionnaire>],
) -> Result<Exported, String> {
    let layout = Layout::new(questionnaires)?;
    let staging = staging_for(out)?;
    let exported = write_all(store, staging.path(), &layout).await?;
    move_into_place(staging, out)?;
    Ok(exported)
}

/// Renames the finished hidden folder to `out` and makes the rename durable; on failure
/// the hidden folder is removed.
pub(crate) fn move_into_place(staging: tempfile::TempDir, out: &Path) -> Result<(), String> {
    let path = staging.keep();
    if let Err(e) = std::fs::rename(&path, out) {
        let _ = std::fs::remove_dir_all(&path);
        return Err(format!(
            "cannot move the export into {}: {e}",
            out.display()
        ));
    }
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        // The rename is durable once the folder holding it is synced.
        sync_dir(parent)?;
    }
    Ok(())
}

/// Syncs a folder (the names of the files in it become durable).
pub(crate) fn sync_dir(dir: &Path) -> Result<(), String> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| format!("cannot sync {}: {e}", dir.display()))
}

/// A new hidden folder next to `out`, removed on drop; `out` must be new or empty.
pub(crate) fn staging_for(out: &Path) -> Result<tempfile::TempDir, String> {
    match std::fs::symlink_metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot check {}: {e}", out.display())),
        Ok(m) if !m.is_dir() => {
            return Err(format!(
                "{} exists and is not a folder: export into a new folder",
                out.display()
            ));
        }
        Ok(_) => {
            let mut entries = std::fs::read_dir(out)
                .map_err(|e| format!("cannot read {}: {e}", out.display()))?;
            if entries.next().is_some() {
                return Err(format!(
                    "{} is not empty: export into a new or empty folder (an export never \
                     mixes with older files)",
                    out.display()
                ));
            }
        }
    }
    let name = out
        .file_name()
        .ok_or_else(|| format!("--out {} does not name a folder", out.display()))?
        .to_string_lossy()
        .into_owned();
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)
        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    tempfile::Builder::new()
        .prefix(&format!(".{name}.partial-"))
        .tempdir_in(&parent)
        .map_err(|e| format!("cannot create a folder in {}: {e}", parent.display()))
}

async fn write_all(store: &dyn Storage, dir: &Path, layout: &Layout) -> Result<Exported, String> {
    // Pass 1: the columns of each file; every case is read (an unreadable one stops here).
    let mut columns: BTreeMap<String, Columns> = layout
        .files
        .keys()
        .map(|k| (k.clone(), Columns::default()))
        .collect();
    each_case(store, |c| {
        for row in layout.flatten(c)?.rows {
            let Some(level) = columns.get_mut(&row.level) else {
                continue;
            };
            for (k, v) in &row.values {
                let col = level.columns.entry(k.clone()).or_default();
                col.0.insert(kind(v));
                if !v.is_null() {
                    col.1 += 1;
                }
            }
        }
        Ok(())
    })
    .await?;
    // Pass 2: the rows, and the problems of what is left out. A column pass 1 did not see
    // means a case changed meanwhile: the export stops rather than drop its answer.
    let mut problems = Csv::create(dir, PROBLEMS)?;
    problems.row(["case_id".to_owned(), "problem".to_owned()])?;
    let mut problem_count = 0;
    let mut writers = BTreeMap::new();
    for (stem, keys) in &layout.files {
        let mut w = Csv::create(dir, stem)?;
        let cols = columns.get(stem).map(|c| &c.columns);
        let header = CASE_KEYS
            .iter()
            .map(|s| s.to_string())
            .chain(keys.iter().map(|k| safe(k)))
            .chain(cols.into_iter().flat_map(|c| c.keys().map(|k| safe(k))));
        w.row(header)?;
        writers.insert(stem.clone(), w);
    }
    let mut n = 0;
    each_case(store, |c| {
        let flat = layout.flatten(c)?;
        for p in &flat.problems {
            problems.row([c.case_id.to_string(), safe(p)])?;
            problem_count += 1;
        }
        if flat.rows.is_empty() {
            return Ok(());
        }
        n += 1;
        let keys = case_keys(c);
        for row in flat.rows {
            let (Some(w), Some(ancestor_keys), Some(level)) = (
                writers.get_mut(&row.level),
                layout.files.get(&row.level),
                columns.get(&row.level),
            ) else {
                continue;
            };
            if let Some(k) = row.values.keys().find(|k| !level.columns.contains_key(*k)) {
                return Err(format!(
                    "case {} changed while the export ran (a new column {k:?} in {}.csv): \
                     export again",
                    c.case_id, row.level
                ));
            }
            let anc: BTreeMap<_, _> = row.ancestors.into_iter().collect();
            let record = keys
                .iter()
                .cloned()
                .chain(
                    ancestor_keys
                        .iter()
                        .map(|k| anc.get(k).map(cell).unwrap_or_default()),
                )
                .chain(
                    level
                        .columns
                        .keys()
                        .map(|k| row.values.get(k).map(cell).unwrap_or_default()),
                );
            w.row(record)?;
        }
        Ok(())
    })
    .await?;
    for (_, w) in writers {
        w.finish()?;
    }
    problems.finish()?;
    if problem_count == 0 {
        let path = Layout::path_in(dir, PROBLEMS)?;
        std::fs::remove_file(&path)
            .map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
    }
    write_dictionary(dir, layout, &columns)?;
    // The files' names are durable before the folder is renamed into place.
    sync_dir(dir)?;
    Ok(Exported {
        cases: n,
        problems: problem_count,
    })
}

fn write_dictionary(
    dir: &Path,
    layout: &Layout,
    columns: &BTreeMap<String, Columns>,
) -> Result<(), String> {
    let mut w = Csv::create(dir, DICTIONARY)?;
    w.row(
        ["file", "column", "role", "json_types", "non_empty"]
            .iter()
            .map(|s| s.to_string()),
    )?;
    for (stem, keys) in &layout.files {
        let file = format!("{stem}.csv");
        for k in CASE_KEYS {
            w.row([
                file.clone(),
                k.into(),
                "case key".into(),
                String::new(),
                String::new(),
            ])?;
        }
        for k in keys {
            w.row([
                file.clone(),
                safe(k),
                "roster row key".into(),
                "number".into(),
                String::new(),
            ])?;
        }
        let Some(level) = columns.get(stem) else {
            continue;
        };
        for (k, (kinds, count)) in &level.columns {
            let role = if k.starts_with("input_") {
                "input"
            } else {
                "answer"
            };
            let kinds: Vec<&str> = kinds.iter().copied().filter(|k| *k != "null").collect();
            w.row([
                file.clone(),
                safe(k),
                role.into(),
                kinds.join("|"),
                count.to_string(),
            ])?;
        }
    }
    w.finish()
}
