//! Export of stored cases as CSV: one file per level (the case root is the dwelling, then
//! one file per roster name: households, persons, deaths…), each row with its keys, plus
//! `data_dictionary.csv` describing every column. The census-case JSON is flattened
//! generically: nothing here knows the questionnaire.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::store::{Storage, StoredCase};

/// Name of the root level's file (without `.csv`).
pub const ROOT_LEVEL: &str = "dwellings";
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

/// One flattened row: level name, key values, answer columns.
struct Row {
    level: String,
    ancestors: Vec<(String, String)>,
    values: BTreeMap<String, Value>,
}

fn flatten(case: &StoredCase) -> Vec<Row> {
    let mut rows = Vec::new();
    let root = case.case.get("root").cloned().unwrap_or(Value::Null);
    let mut root_row = level_row(ROOT_LEVEL, Vec::new(), &root);
    if let Some(lf) = &case.long_form {
        root_row.values.insert(
            "long_form_selected".into(),
            lf.get("selected").cloned().unwrap_or(Value::Null),
        );
    }
    rows.push(root_row);
    walk_rosters(&root, &[], &mut rows);
    rows
}

fn level_row(level: &str, ancestors: Vec<(String, String)>, row: &Value) -> Row {
    let mut values = BTreeMap::new();
    for (prefix, field) in [("", "answers"), ("input_", "inputs")] {
        if let Some(map) = row.get(field).and_then(Value::as_object) {
            for (k, v) in map {
                values.insert(format!("{prefix}{k}"), v.clone());
            }
        }
    }
    Row {
        level: level.to_owned(),
        ancestors,
        values,
    }
}

fn walk_rosters(row: &Value, ancestors: &[(String, String)], out: &mut Vec<Row>) {
    let Some(rosters) = row.get("rosters").and_then(Value::as_object) else {
        return;
    };
    for (name, children) in rosters {
        for child in children.as_array().into_iter().flatten() {
            let id = child.get("row_id").map(text).unwrap_or_default();
            let mut keys = ancestors.to_vec();
            keys.push((format!("{name}_row"), id));
            out.push(level_row(name, keys.clone(), child));
            walk_rosters(child, &keys, out);
        }
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
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
        c.district_id.clone(),
        c.building_number.to_string(),
        c.dwelling_number.to_string(),
        c.household_number
            .map(|n| n.to_string())
            .unwrap_or_default(),
        c.revision.to_string(),
        c.status.clone(),
        c.questionnaire_id.clone(),
        c.questionnaire_version.clone(),
    ]
}

#[derive(Default)]
struct Level {
    ancestor_keys: Vec<String>,
    columns: BTreeMap<String, (BTreeSet<&'static str>, u64)>,
}

async fn each_case(
    store: &dyn Storage,
    mut f: impl FnMut(&StoredCase) -> Result<(), String>,
) -> Result<u64, String> {
    let mut after = None;
    let mut n = 0;
    loop {
        let page = store
            .cases_page(after, PAGE)
            .await
            .map_err(|e| e.to_string())?;
        for c in &page {
            f(c)?;
            n += 1;
        }
        match page.last() {
            Some(c) if page.len() == PAGE as usize => after = Some(c.case_id),
            _ => return Ok(n),
        }
    }
}

/// Writes the CSV files into `dir` (created if missing); returns the number of cases.
pub async fn export(store: &dyn Storage, dir: &Path) -> Result<u64, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    // Pass 1: the columns of each level.
    let mut levels: BTreeMap<String, Level> = BTreeMap::new();
    each_case(store, |c| {
        for row in flatten(c) {
            let level = levels.entry(row.level.clone()).or_default();
            for (k, _) in &row.ancestors {
                if !level.ancestor_keys.contains(k) {
                    level.ancestor_keys.push(k.clone());
                }
            }
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
    levels.entry(ROOT_LEVEL.to_owned()).or_default();
    // Pass 2: the rows.
    let mut writers = BTreeMap::new();
    for (name, level) in &levels {
        let path = dir.join(format!("{name}.csv"));
        let mut w = csv::Writer::from_path(&path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let header = CASE_KEYS
            .iter()
            .map(|s| s.to_string())
            .chain(level.ancestor_keys.iter().cloned())
            .chain(level.columns.keys().cloned());
        w.write_record(header).map_err(|e| e.to_string())?;
        writers.insert(name.clone(), w);
    }
    let n = each_case(store, |c| {
        let keys = case_keys(c);
        for row in flatten(c) {
            let (Some(level), Some(w)) = (levels.get(&row.level), writers.get_mut(&row.level))
            else {
                continue;
            };
            let anc: BTreeMap<_, _> = row.ancestors.iter().cloned().collect();
            let record = keys
                .iter()
                .cloned()
                .chain(
                    level
                        .ancestor_keys
                        .iter()
                        .map(|k| anc.get(k).cloned().unwrap_or_default()),
                )
                .chain(
                    level
                        .columns
                        .keys()
                        .map(|k| row.values.get(k).map(text).unwrap_or_default()),
                );
            w.write_record(record).map_err(|e| e.to_string())?;
        }
        Ok(())
    })
    .await?;
    for (_, mut w) in writers {
        w.flush().map_err(|e| e.to_string())?;
    }
    write_dictionary(dir, &levels)?;
    Ok(n)
}

fn write_dictionary(dir: &Path, levels: &BTreeMap<String, Level>) -> Result<(), String> {
    let path = dir.join("data_dictionary.csv");
    let mut w = csv::Writer::from_path(&path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let err = |e: csv::Error| e.to_string();
    w.write_record(["file", "column", "role", "json_types", "non_empty"])
        .map_err(err)?;
    for (name, level) in levels {
        let file = format!("{name}.csv");
        for k in CASE_KEYS {
            w.write_record([file.as_str(), k, "case key", "", ""])
                .map_err(err)?;
        }
        for k in &level.ancestor_keys {
            w.write_record([file.as_str(), k, "roster row key", "number", ""])
                .map_err(err)?;
        }
        for (k, (kinds, count)) in &level.columns {
            let role = if k.starts_with("input_") {
                "input"
            } else {
                "answer"
            };
            let kinds: Vec<&str> = kinds.iter().copied().filter(|k| *k != "null").collect();
            w.write_record([file.as_str(), k, role, &kinds.join("|"), &count.to_string()])
                .map_err(err)?;
        }
    }
    w.flush().map_err(|e| e.to_string())
}
