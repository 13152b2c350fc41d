//! What an export writes, decided by the questionnaires the office loaded (never by a case):
//! the root file and one file per roster, each roster's row-key columns, and how a stored
//! case is cut into rows. A roster a case names that its questionnaire does not have at that
//! place is not written; it is returned as a problem with the case. A case whose JSON is not
//! a census case (its root, a roster or a row of the wrong JSON type) is an error naming it.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use census_core::load::Questionnaire;
use serde_json::Value;

use crate::store::StoredCase;

/// Name of the root level's file (without `.csv`).
pub const ROOT_LEVEL: &str = "dwellings";
/// The data dictionary's file name (without `.csv`).
pub const DICTIONARY: &str = "data_dictionary";
/// The file listing what could not be exported (without `.csv`).
pub const PROBLEMS: &str = "export-problems";

/// The files of an export and the questionnaires that cut cases into their rows.
pub struct Layout {
    /// File stem (the root level or a roster id) → its row-key columns, outermost first.
    pub files: BTreeMap<String, Vec<String>>,
    questionnaires: Vec<Arc<Questionnaire>>,
}

/// One flattened row: file stem, row keys, answer columns.
pub struct Row {
    /// The file stem (from the questionnaire).
    pub level: String,
    /// `(roster_row, row id)` from the outermost roster in.
    pub ancestors: Vec<(String, Value)>,
    /// Column → value.
    pub values: BTreeMap<String, Value>,
}

/// A case cut into rows, with what could not be exported.
pub struct Flat {
    /// Rows to write.
    pub rows: Vec<Row>,
    /// What was left out, in words.
    pub problems: Vec<String>,
}

/// Whether `stem` may name a file: ASCII letters, digits and `_` only, at most 64.
pub(crate) fn safe_stem(stem: &str) -> bool {
    !stem.is_empty()
        && stem.len() <= 64
        && stem.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Layout {
    /// The layout of `questionnaires`; refused when a roster id cannot name a file.
    pub fn new(questionnaires: &[Arc<Questionnaire>]) -> Result<Layout, String> {
        if questionnaires.is_empty() {
            return Err("no questionnaire to export with".into());
        }
        let mut files = BTreeMap::new();
        files.insert(ROOT_LEVEL.to_owned(), Vec::new());
        for q in questionnaires {
            add_rosters(q, q.root_level(), &[], &mut files, 0)?;
        }
        // Two names that differ only by case would be one file on some file systems.
        let mut lower: BTreeMap<String, &str> = BTreeMap::new();
        for stem in files.keys() {
            if let Some(other) = lower.insert(stem.to_ascii_lowercase(), stem) {
                return Err(format!(
                    "rosters {other:?} and {stem:?} would be the same file on some systems"
                ));
            }
        }
        Ok(Layout {
            files,
            questionnaires: questionnaires.to_vec(),
        })
    }

    /// The path of `stem`'s CSV file in `dir`, checked to stay directly inside `dir`.
    pub fn path_in(dir: &Path, stem: &str) -> Result<PathBuf, String> {
        Layout::file_in(dir, stem, "csv")
    }

    /// The path of `stem.extension` in `dir` (an extension of the export's own, such as
    /// `csv` or `parquet`), checked to stay directly inside `dir`.
    pub fn file_in(dir: &Path, stem: &str, extension: &str) -> Result<PathBuf, String> {
        if !safe_stem(stem) && stem != PROBLEMS {
            return Err(format!("{stem:?} cannot name an export file"));
        }
        let name = format!("{stem}.{extension}");
        let mut parts = Path::new(&name).components();
        match (parts.next(), parts.next()) {
            (Some(Component::Normal(_)), None) => Ok(dir.join(name)),
            _ => Err(format!("{name:?} would leave the export folder")),
        }
    }

    /// The loaded questionnaire of a case, by id and version.
    fn questionnaire_of(&self, case: &StoredCase) -> Option<&Questionnaire> {
        self.questionnaires
            .iter()
            .find(|q| q.id() == case.questionnaire_id && q.version() == case.questionnaire_version)
            .map(Arc::as_ref)
    }

    /// Cuts `case` into rows by its questionnaire. `Err` (naming the case) when its stored
    /// JSON is not a census case.
    pub fn flatten(&self, case: &StoredCase) -> Result<Flat, String> {
        let unreadable = |what: String| {
            format!(
                "case {}: its stored JSON cannot be read as a census case: {what}",
                case.case_id
            )
        };
        let Some(q) = self.questionnaire_of(case) else {
            return Ok(Flat {
                rows: Vec::new(),
                problems: vec![format!(
                    "questionnaire {:?} version {:?} was not given to the export \
                     (--questionnaire-file): the case is not exported",
                    case.questionnaire_id, case.questionnaire_version
                )],
            });
        };
        let root = case
            .case
            .get("root")
            .ok_or_else(|| unreadable("it has no \"root\"".into()))?;
        let mut flat = Flat {
            rows: Vec::new(),
            problems: Vec::new(),
        };
        let mut root_row = level_row(ROOT_LEVEL, Vec::new(), root).map_err(&unreadable)?;
        if let Some(lf) = &case.long_form {
            root_row.values.insert(
                "long_form_selected".into(),
                lf.get("selected").cloned().unwrap_or(Value::Null),
            );
        }
        flat.rows.push(root_row);
        walk(q, q.root_level(), root, &[], "root", &mut flat, 0).map_err(&unreadable)?;
        Ok(flat)
    }
}

/// Deepest roster nesting followed (questionnaires nest three or four levels).
const MAX_DEPTH: usize = 16;

fn add_rosters(
    q: &Questionnaire,
    level: &str,
    keys: &[String],
    files: &mut BTreeMap<String, Vec<String>>,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "questionnaire {}: rosters nested more than {MAX_DEPTH} deep",
            q.id()
        ));
    }
    for roster in q.level_rosters(level) {
        let reserved = [ROOT_LEVEL, DICTIONARY, PROBLEMS]
            .iter()
            .any(|r| r.eq_ignore_ascii_case(roster));
        if !safe_stem(roster) || reserved {
            return Err(format!(
                "questionnaire {}: roster id {roster:?} cannot name an export file \
                 (ASCII letters, digits and _ only, at most 64, and not {ROOT_LEVEL}, \
                 {DICTIONARY} or {PROBLEMS})",
                q.id()
            ));
        }
        let mut own = keys.to_vec();
        own.push(format!("{roster}_row"));
        let entry = files.entry(roster.to_owned()).or_default();
        for k in &own {
            if !entry.contains(k) {
                entry.push(k.clone());
            }
        }
        let child = q
            .roster(roster)
            .map(|r| r.level())
            .ok_or_else(|| format!("questionnaire {}: roster {roster} has no level", q.id()))?;
        add_rosters(q, child, &own, files, depth + 1)?;
    }
    Ok(())
}

fn level_row(level: &str, ancestors: Vec<(String, Value)>, row: &Value) -> Result<Row, String> {
    if !row.is_object() {
        return Err(format!("a {level} row is not a JSON object"));
    }
    let mut values = BTreeMap::new();
    for (prefix, field) in [("", "answers"), ("input_", "inputs")] {
        match row.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) => {
                for (k, v) in map {
                    values.insert(format!("{prefix}{k}"), v.clone());
                }
            }
            Some(_) => return Err(format!("the {field} of a {level} row are not an object")),
        }
    }
    Ok(Row {
        level: level.to_owned(),
        ancestors,
        values,
    })
}

fn walk(
    q: &Questionnaire,
    level: &str,
    row: &Value,
    ancestors: &[(String, Value)],
    at: &str,
    out: &mut Flat,
    depth: usize,
) -> Result<(), String> {
    let rosters = match row.get("rosters") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Object(rosters)) => rosters,
        Some(_) => return Err(format!("the rosters at {at} are not an object")),
    };
    if depth > MAX_DEPTH {
        return Err(format!("rosters nested more than {MAX_DEPTH} deep at {at}"));
    }
    let known = q.level_rosters(level);
    for (name, children) in rosters {
        let children = children
            .as_array()
            .ok_or_else(|| format!("roster {name:?} at {at} is not a list"))?;
        // The questionnaire's own name, never the case's text, goes on.
        let Some(roster) = known.iter().copied().find(|k| k == name) else {
            out.problems.push(format!(
                "roster {name:?} at {at} is not in questionnaire {}@{} at this level: \
                 its {} rows are not exported",
                q.id(),
                q.version(),
                children.len()
            ));
            continue;
        };
        let child_level = q.roster(roster).map_or("", |r| r.level());
        for (i, child) in children.iter().enumerate() {
            let id = child.get("row_id").cloned().unwrap_or(Value::Null);
            let mut keys = ancestors.to_vec();
            keys.push((format!("{roster}_row"), id));
            out.rows.push(
                level_row(roster, keys.clone(), child)
                    .map_err(|e| format!("{e} ({at}/{roster}[{i}])"))?,
            );
            let here = format!("{at}/{roster}[{i}]");
            walk(q, child_level, child, &keys, &here, out, depth + 1)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn census() -> Arc<Questionnaire> {
        census_core::load::load_questionnaire("rgph2024.json", crate::export::BUNDLED_QUESTIONNAIRE)
            .unwrap_or_else(|r| panic!("{r}"))
    }

    fn stored(version: &str, case: Value) -> StoredCase {
        StoredCase {
            case_id: uuid::Uuid::nil(),
            revision: 1,
            district_id: "DR-1".into(),
            building_number: 1,
            dwelling_number: 1,
            household_number: Some(1),
            questionnaire_id: "rgph2024".into(),
            questionnaire_version: version.into(),
            status: "complete".into(),
            long_form: None,
            case,
            updated_at: String::new(),
            device_id: "tab-1".into(),
        }
    }

    #[test]
    fn files_are_the_questionnaires_and_stay_in_the_folder() {
        let layout = Layout::new(&[census()]).unwrap_or_else(|e| panic!("{e}"));
        let stems: Vec<&str> = layout.files.keys().map(String::as_str).collect();
        assert_eq!(stems, ["deaths", "dwellings", "households", "persons"]);
        assert_eq!(
            layout.files.get("persons").map(Vec::as_slice),
            Some(&["households_row".to_owned(), "persons_row".to_owned()][..])
        );
        let dir = Path::new("/srv/out");
        assert_eq!(
            Layout::path_in(dir, "persons"),
            Ok(PathBuf::from("/srv/out/persons.csv"))
        );
        for bad in ["../x", "/etc/x", "a/b", "", ".", "x\0"] {
            assert!(Layout::path_in(dir, bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_case_of_a_questionnaire_not_given_is_reported_not_written() {
        let layout = Layout::new(&[census()]).unwrap_or_else(|e| panic!("{e}"));
        let case = serde_json::json!({"root": {"answers": {}, "rosters": {}}});
        let flat = layout
            .flatten(&stored("9.9.9", case.clone()))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(flat.rows.is_empty());
        assert!(flat.problems[0].contains("9.9.9"), "{:?}", flat.problems);
        let flat = layout
            .flatten(&stored("1.0.0", case))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(flat.rows.len(), 1);
        assert!(flat.problems.is_empty());
        let bad = serde_json::json!({"root": {"rosters": {"households": {"1": {}}}}});
        let e = layout
            .flatten(&stored("1.0.0", bad))
            .err()
            .unwrap_or_default();
        assert!(e.contains("00000000-0000-0000-0000-000000000000"), "{e}");
    }
}
