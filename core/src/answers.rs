//! The stable, versioned JSON form of a case (storage, export, sync):
//!
//! ```json
//! {"format": "census-case", "format_version": 1,
//!  "questionnaire": {"id": "rgph2024", "version": "1.0.0"},
//!  "root": {"inputs": {}, "answers": {"q": 1},
//!           "rosters": {"households": [{"row_id": 1, "inputs": {}, "answers": {}, "rosters": {}}]}},
//!  "confirmations": [{"row": "households.1/persons.2", "check": "mother_older", "note": "…"}],
//!  "next_row_id": 3}
//! ```
//!
//! Only stored answers are written (never calculated values, never nulls); answers are in
//! the answer JSON form of `schemas/FORMAT.md`.

use std::fmt::Write as _;
use std::sync::Arc;

use chrono::NaiveDate;
use serde_json::{Map, Value as J, json};

use crate::engine::{Case, EngineError, RowId, RowPath};
use crate::load::Questionnaire;
use crate::load::compiled::{ItemKind, Name};
use crate::model::QuestionType;
use crate::value::Value;

/// The `format` tag of a case document.
pub const CASE_FORMAT: &str = "census-case";
/// The case format version this build writes and the newest it reads.
pub const CASE_FORMAT_VERSION: u64 = 1;

/// A case as JSON (see the module documentation).
pub type CaseJson = J;

fn bad(msg: impl Into<String>) -> EngineError {
    EngineError::BadData(msg.into())
}

impl Case {
    /// The case in its stable JSON form.
    pub fn to_json(&self) -> CaseJson {
        // Confirmations are keyed by in-memory row keys, whose order depends on the order rows
        // were created (a reloaded case numbers them in document order): the JSON lists them
        // by row path and check id instead, so a saved and reloaded case writes the same text.
        let mut listed: Vec<(RowPath, &str, &String)> = self
            .confirmations
            .iter()
            .map(|((key, check), note)| {
                let check_id = self.c().checks.get(*check).map_or("", |c| c.id.as_str());
                (self.path(*key), check_id, note)
            })
            .collect();
        listed.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        let confirmations: Vec<J> = listed
            .into_iter()
            .map(|(path, check, note)| {
                json!({
                    "row": path.to_string(),
                    "check": check,
                    "note": note,
                })
            })
            .collect();
        json!({
            "format": CASE_FORMAT,
            "format_version": CASE_FORMAT_VERSION,
            "questionnaire": {"id": self.q.id(), "version": self.q.version()},
            "root": self.row_json(0),
            "confirmations": confirmations,
            "next_row_id": self.next_row_id,
        })
    }

    /// Same as [`Case::to_json`]: the stored state, for comparing cases in tests.
    pub fn snapshot(&self) -> CaseJson {
        self.to_json()
    }

    fn row_json(&self, key: usize) -> J {
        let c = self.c();
        let mut inputs = Map::new();
        let mut answers = Map::new();
        let mut rosters = Map::new();
        if let Some(row) = self.row(key)
            && let Some(level) = c.levels.get(row.level)
        {
            for (item, v) in level.items.iter().zip(&row.answers) {
                let Some(it) = c.items.get(*item) else {
                    continue;
                };
                if v.is_null() {
                    continue;
                }
                match it.kind {
                    ItemKind::Input(_) => inputs.insert(it.id.clone(), v.to_json()),
                    ItemKind::Question { .. } => answers.insert(it.id.clone(), v.to_json()),
                };
            }
            for roster in level.rosters.iter().filter_map(|r| c.rosters.get(*r)) {
                let rows: Vec<J> = row
                    .children
                    .get(roster.local)
                    .map(|ch| {
                        ch.iter()
                            .map(|k| {
                                let mut j = self.row_json(*k);
                                if let (J::Object(m), Some(r)) = (&mut j, self.row(*k)) {
                                    m.insert("row_id".into(), J::from(r.id.0));
                                }
                                j
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                rosters.insert(roster.id.clone(), J::Array(rows));
            }
        }
        json!({"inputs": inputs, "answers": answers, "rosters": rosters})
    }

    /// Reads a case written by [`Case::to_json`] (this or an older format version).
    pub fn from_json(
        q: Arc<Questionnaire>,
        today: NaiveDate,
        json: &CaseJson,
    ) -> Result<Case, EngineError> {
        let doc = json
            .as_object()
            .ok_or_else(|| bad("a case must be a JSON object"))?;
        if doc.get("format").and_then(J::as_str) != Some(CASE_FORMAT) {
            return Err(bad(format!(
                "not a case document: \"format\" must be \"{CASE_FORMAT}\""
            )));
        }
        let version = doc
            .get("format_version")
            .and_then(J::as_u64)
            .ok_or_else(|| bad("format_version is missing"))?;
        if version > CASE_FORMAT_VERSION {
            return Err(bad(format!(
                "this case was written by a newer version (case format {version}, this program reads up to {CASE_FORMAT_VERSION}): update the application"
            )));
        }
        let qid = doc
            .get("questionnaire")
            .and_then(|v| v.get("id"))
            .and_then(J::as_str)
            .unwrap_or("");
        if qid != q.id() {
            return Err(bad(format!(
                "this case belongs to questionnaire '{qid}', not '{}'",
                q.id()
            )));
        }
        let mut case = Case::empty(q, today);
        case.insert_root(false);
        let root = doc.get("root").ok_or_else(|| bad("\"root\" is missing"))?;
        case.read_row(0, root, "root")?;
        if let Some(confirmations) = doc.get("confirmations") {
            let list = confirmations
                .as_array()
                .ok_or_else(|| bad("confirmations must be a list"))?;
            for (i, item) in list.iter().enumerate() {
                let field = |name: &str| {
                    item.get(name)
                        .and_then(J::as_str)
                        .map(str::to_string)
                        .ok_or_else(|| bad(format!("confirmations[{i}].{name} must be a text")))
                };
                let row: RowPath = field("row")?
                    .parse()
                    .map_err(|e| bad(format!("confirmations[{i}]: {e}")))?;
                case.put_confirmation(&row, &field("check")?, field("note")?)?;
            }
        }
        if let Some(next) = doc.get("next_row_id") {
            let next = next
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| bad("next_row_id must be a whole number"))?;
            case.reserve_row_ids(next);
        }
        case.recompute_all();
        Ok(case)
    }

    fn read_row(&mut self, key: usize, json: &J, at: &str) -> Result<(), EngineError> {
        let obj = json
            .as_object()
            .ok_or_else(|| bad(format!("{at} must be an object")))?;
        for (field, is_input) in [("inputs", true), ("answers", false)] {
            let Some(values) = obj.get(field) else {
                continue;
            };
            let values = values
                .as_object()
                .ok_or_else(|| bad(format!("{at}.{field} must be an object")))?;
            for (id, v) in values {
                self.put_json(key, id, v, Some(is_input))
                    .map_err(|e| bad(format!("{at}.{field}.{id}: {e}")))?;
            }
        }
        if let Some(rosters) = obj.get("rosters") {
            let rosters = rosters
                .as_object()
                .ok_or_else(|| bad(format!("{at}.rosters must be an object")))?;
            for (roster_id, rows) in rosters {
                let roster = match self.c().names.get(roster_id) {
                    Some(Name::Roster(r))
                        if self.c().rosters.get(*r).map(|r| r.owner)
                            == self.row(key).map(|r| r.level) =>
                    {
                        *r
                    }
                    _ => {
                        return Err(bad(format!(
                            "{at}.rosters: unknown roster '{roster_id}' here"
                        )));
                    }
                };
                let rows = rows
                    .as_array()
                    .ok_or_else(|| bad(format!("{at}.rosters.{roster_id} must be a list")))?;
                for (i, row) in rows.iter().enumerate() {
                    let here = format!("{at}.rosters.{roster_id}[{i}]");
                    let id = row
                        .get("row_id")
                        .and_then(J::as_u64)
                        .and_then(|n| u32::try_from(n).ok())
                        .filter(|n| *n > 0)
                        .ok_or_else(|| {
                            bad(format!("{here}.row_id must be a positive whole number"))
                        })?;
                    let child = self
                        .attach(key, roster, RowId(id), false)
                        .map_err(|e| bad(format!("{here}: {e}")))?;
                    self.read_row(child, row, &here)?;
                }
            }
        }
        Ok(())
    }

    /// Stores one answer or input (JSON form) without recomputing.
    fn put_json(
        &mut self,
        key: usize,
        id: &str,
        json: &J,
        want_input: Option<bool>,
    ) -> Result<(), EngineError> {
        let item = self.item_here(key, id)?;
        let (ty, slot, is_input, takes) = match self.c().items.get(item) {
            Some(it) => (
                it.ty,
                it.slot,
                matches!(it.kind, ItemKind::Input(_)),
                !matches!(
                    it.kind,
                    ItemKind::Question {
                        qtype: QuestionType::Calculated | QuestionType::Note,
                        ..
                    }
                ),
            ),
            None => return Err(bad(format!("unknown item '{id}'"))),
        };
        if !takes {
            return Err(bad(format!(
                "'{id}' is calculated or a note and holds no answer"
            )));
        }
        if want_input.is_some_and(|w| w != is_input) {
            return Err(bad(format!(
                "'{id}' is {}",
                if is_input {
                    "an input, not a question"
                } else {
                    "a question, not an input"
                }
            )));
        }
        let value = Value::from_json(json, ty).map_err(|e| EngineError::WrongValue {
            item: id.to_string(),
            message: e,
        })?;
        let value = self.fit(item, value)?;
        if let Some(a) = self.row_mut(key).and_then(|r| r.answers.get_mut(slot)) {
            *a = value;
        }
        Ok(())
    }

    fn put_confirmation(
        &mut self,
        row: &RowPath,
        check_id: &str,
        note: String,
    ) -> Result<(), EngineError> {
        let key = self.key(row)?;
        let check = *self
            .c()
            .check_ids
            .get(check_id)
            .ok_or_else(|| bad(format!("unknown check '{check_id}'")))?;
        if self.c().checks.get(check).map(|c| c.level) != self.row(key).map(|r| r.level) {
            return Err(bad(format!(
                "check '{check_id}' does not apply to row {row}"
            )));
        }
        self.confirmations.insert((key, check), note);
        Ok(())
    }

    /// Rebuilds a case from rows and answers saved one by one (the store keeps one
    /// answer per row in SQLite). `rows` gives every non-root row with its position in
    /// its roster (parents may come after children); `answers` gives (row, question or
    /// input id, answer JSON); `confirmations` gives (row, check id, note). Row ids are
    /// kept; the next new row gets an id above all of them (see [`Case::reserve_row_ids`]).
    pub fn restore(
        q: Arc<Questionnaire>,
        today: NaiveDate,
        rows: impl IntoIterator<Item = (RowPath, usize)>,
        answers: impl IntoIterator<Item = (RowPath, String, J)>,
        confirmations: impl IntoIterator<Item = (RowPath, String, String)>,
    ) -> Result<Case, EngineError> {
        let mut case = Case::empty(q, today);
        case.insert_root(false);
        let mut rows: Vec<(RowPath, usize)> = rows.into_iter().collect();
        rows.sort_by(|a, b| {
            a.0.segments()
                .len()
                .cmp(&b.0.segments().len())
                .then(a.1.cmp(&b.1))
        });
        for (path, _) in &rows {
            let (Some(parent), Some((roster_id, id))) = (path.parent(), path.last()) else {
                return Err(bad(
                    "the root row is implicit and cannot be restored as a row",
                ));
            };
            let pkey = case
                .key(&parent)
                .map_err(|_| bad(format!("row {path}: its parent row {parent} is missing")))?;
            let roster = match case.c().names.get(roster_id) {
                Some(Name::Roster(r))
                    if case.c().rosters.get(*r).map(|r| r.owner)
                        == case.row(pkey).map(|r| r.level) =>
                {
                    *r
                }
                _ => {
                    return Err(bad(format!(
                        "row {path}: unknown roster '{roster_id}' there"
                    )));
                }
            };
            if id.0 == 0 {
                return Err(bad(format!("row {path}: row ids start at 1")));
            }
            case.attach(pkey, roster, *id, false)
                .map_err(|e| bad(format!("row {path}: {e}")))?;
        }
        for (path, id, json) in answers {
            let key = case.key(&path)?;
            case.put_json(key, &id, &json, None)
                .map_err(|e| bad(format!("row {path}, {id}: {e}")))?;
        }
        for (path, check, note) in confirmations {
            case.put_confirmation(&path, &check, note)?;
        }
        case.recompute_all();
        Ok(case)
    }

    /// A text listing every derived value of every row (relevance, calculations,
    /// constraints, filters, checks, aggregates, labels) in a fixed order: two cases with
    /// equal snapshots and equal digests are in the same state.
    pub fn state_digest(&self) -> String {
        let mut out = String::new();
        for key in self.all_rows() {
            let Some(row) = self.row(key) else { continue };
            let _ = writeln!(out, "[{}] pos={}", self.path(key), row.pos);
            for (slot, v) in row.vals.iter().enumerate() {
                let node = self
                    .c()
                    .levels
                    .get(row.level)
                    .and_then(|l| l.nodes.get(slot))
                    .copied()
                    .unwrap_or(0);
                let kind = self.c().nodes.get(node).map(|n| n.kind);
                let _ = writeln!(out, "  {kind:?} = {v:?}");
            }
            for (slot, list) in row.lists.iter().enumerate() {
                let _ = writeln!(out, "  list {slot} = {list:?}");
            }
        }
        out
    }
}
