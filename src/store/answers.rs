//! Answers, roster rows and soft-check confirmations: each change one transaction.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::{Value, json};

use super::events::{self, Change};
use super::{CaseId, EventContext, Revision, Store, StoreError, now_text};

/// The current value of one answer, if any.
pub(super) fn stored_answer(
    conn: &Connection,
    case_id: &str,
    row_path: &str,
    item_id: &str,
) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT value FROM answers WHERE case_id = ?1 AND row_path = ?2 AND item_id = ?3",
        )?
        .query_row(params![case_id, row_path, item_id], |r| r.get(0))
        .optional()?)
}

/// The case's current revision.
pub(super) fn current_revision(conn: &Connection, case_id: CaseId) -> Result<Revision, StoreError> {
    let revision: Option<i64> = conn
        .prepare_cached("SELECT revision FROM cases WHERE case_id = ?1")?
        .query_row([case_id.to_string()], |r| r.get(0))
        .optional()?;
    revision
        .map(Revision)
        .ok_or_else(|| StoreError::NotFound(format!("case {case_id}")))
}

/// Writes `new` over the stored `old` answer (a JSON `null` deletes it). Returns `None` when
/// nothing changes, else the new value's stored text (`None` for a deletion).
pub(super) fn write_answer(
    conn: &Connection,
    case_id: CaseId,
    id: &str,
    row_path: &str,
    item_id: &str,
    old: Option<&str>,
    new: &Value,
) -> Result<Option<Option<String>>, StoreError> {
    let old_value: Option<Value> = old.map(serde_json::from_str).transpose()?;
    let unchanged = match &old_value {
        Some(v) => v == new,
        None => new.is_null(),
    };
    if unchanged {
        return Ok(None);
    }
    let new_text = (!new.is_null()).then(|| new.to_string());
    match &new_text {
        Some(text) => {
            conn.prepare_cached(
                "INSERT INTO answers (case_id, row_path, item_id, value) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (case_id, row_path, item_id) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![id, row_path, item_id, text])
            .map_err(|e| missing_case(e, case_id))?;
        }
        None => {
            conn.prepare_cached(
                "DELETE FROM answers WHERE case_id = ?1 AND row_path = ?2 AND item_id = ?3",
            )?
            .execute(params![id, row_path, item_id])?;
        }
    }
    Ok(Some(new_text))
}

/// The upper bound of the paths nested under `row_path` (`'0'` follows `'/'`): nested rows
/// are `row_path + "/" ..`, i.e. in `[row_path + "/", row_path + "0")`.
fn nested_range(row_path: &str) -> (String, String) {
    (format!("{row_path}/"), format!("{row_path}0"))
}

impl Store {
    /// Saves one answer (a JSON `null` deletes it), in one transaction with its own event (old
    /// and new value), the case revision bump (not started → in progress) and the outbox
    /// entry; it closes the case's open edit first (see [`Store::save_typed_answer`], which
    /// the screens use for the enumerator's keystrokes). Saving the value already stored
    /// changes nothing and returns the current revision.
    pub fn save_answer(
        &mut self,
        case_id: CaseId,
        row_path: &str,
        item_id: &str,
        new: &Value,
        ctx: &EventContext,
    ) -> Result<Revision, StoreError> {
        let id = case_id.to_string();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let old = stored_answer(&tx, &id, row_path, item_id)?;
        let Some(new_text) =
            write_answer(&tx, case_id, &id, row_path, item_id, old.as_deref(), new)?
        else {
            return current_revision(&tx, case_id);
        };
        let change = Change {
            kind: "answer",
            row_path: Some(row_path),
            item_id: Some(item_id),
            old,
            new: new_text,
        };
        let revision = events::record(&tx, case_id, change, ctx, true)?;
        tx.commit()?;
        self.after_write()?;
        Ok(revision)
    }

    /// One stored answer, if any.
    pub fn answer(
        &self,
        case_id: CaseId,
        row_path: &str,
        item_id: &str,
    ) -> Result<Option<Value>, StoreError> {
        stored_answer(&self.conn, &case_id.to_string(), row_path, item_id)?
            .map(|text| serde_json::from_str(&text).map_err(StoreError::from))
            .transpose()
    }

    /// Adds a roster row (e.g. `"households.1/persons.4"`) at `position`.
    pub fn add_row(
        &mut self,
        case_id: CaseId,
        row_path: &str,
        position: usize,
        ctx: &EventContext,
    ) -> Result<Revision, StoreError> {
        let id = case_id.to_string();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let position_i64 = i64::try_from(position)
            .map_err(|_| StoreError::Invalid("row position too large".into()))?;
        let inserted = tx
            .prepare_cached(
                "INSERT INTO roster_rows (case_id, row_path, position) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO NOTHING",
            )?
            .execute(params![id, row_path, position_i64])
            .map_err(|e| missing_case(e, case_id))?;
        if inserted == 0 {
            return Err(StoreError::Invalid(format!(
                "row {row_path} already exists"
            )));
        }
        let change = Change {
            kind: "row_added",
            row_path: Some(row_path),
            item_id: None,
            old: None,
            new: Some(position.to_string()),
        };
        let revision = events::record(&tx, case_id, change, ctx, true)?;
        tx.commit()?;
        Ok(revision)
    }

    /// Removes a roster row with everything under it (nested rows, answers, confirmations);
    /// the event keeps the removed answers as its old value.
    pub fn remove_row(
        &mut self,
        case_id: CaseId,
        row_path: &str,
        ctx: &EventContext,
    ) -> Result<Revision, StoreError> {
        let id = case_id.to_string();
        let (low, high) = nested_range(row_path);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let position: Option<i64> = tx
            .prepare_cached(
                "SELECT position FROM roster_rows WHERE case_id = ?1 AND row_path = ?2",
            )?
            .query_row(params![id, row_path], |r| r.get(0))
            .optional()?;
        let Some(position) = position else {
            return Err(StoreError::NotFound(format!(
                "row {row_path} of case {case_id}"
            )));
        };
        let removed: Vec<(String, String, String)> = tx
            .prepare_cached(
                "SELECT row_path, item_id, value FROM answers WHERE case_id = ?1
                 AND (row_path = ?2 OR (row_path >= ?3 AND row_path < ?4))
                 ORDER BY row_path, item_id",
            )?
            .query_map(params![id, row_path, low, high], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<Result<_, _>>()?;
        let removed_answers = removed
            .into_iter()
            .map(|(path, item, value)| {
                Ok(json!([path, item, serde_json::from_str::<Value>(&value)?]))
            })
            .collect::<Result<Vec<Value>, StoreError>>()?;
        for table in ["answers", "roster_rows", "confirmations"] {
            tx.prepare_cached(&format!(
                "DELETE FROM {table} WHERE case_id = ?1
                 AND (row_path = ?2 OR (row_path >= ?3 AND row_path < ?4))"
            ))?
            .execute(params![id, row_path, low, high])?;
        }
        let change = Change {
            kind: "row_removed",
            row_path: Some(row_path),
            item_id: None,
            old: Some(json!({"position": position, "answers": removed_answers}).to_string()),
            new: None,
        };
        let revision = events::record(&tx, case_id, change, ctx, true)?;
        tx.commit()?;
        Ok(revision)
    }

    /// Saves the order of roster rows: each `(row_path, position)` is stored (rows not yet
    /// known are added).
    pub fn save_rows(
        &mut self,
        case_id: CaseId,
        rows: &[(String, usize)],
        ctx: &EventContext,
    ) -> Result<Revision, StoreError> {
        let id = case_id.to_string();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (path, position) in rows {
            let position = i64::try_from(*position)
                .map_err(|_| StoreError::Invalid("row position too large".into()))?;
            tx.prepare_cached(
                "INSERT INTO roster_rows (case_id, row_path, position) VALUES (?1, ?2, ?3)
                 ON CONFLICT (case_id, row_path) DO UPDATE SET position = excluded.position",
            )?
            .execute(params![id, path, position])
            .map_err(|e| missing_case(e, case_id))?;
        }
        let change = Change {
            kind: "rows_saved",
            row_path: None,
            item_id: None,
            old: None,
            new: Some(json!(rows).to_string()),
        };
        let revision = events::record(&tx, case_id, change, ctx, true)?;
        tx.commit()?;
        Ok(revision)
    }

    /// Records the enumerator's confirmation of a soft check on a row, with a note.
    pub fn confirm_check(
        &mut self,
        case_id: CaseId,
        row_path: &str,
        check_id: &str,
        note: &str,
        ctx: &EventContext,
    ) -> Result<Revision, StoreError> {
        let id = case_id.to_string();
        let now = now_text();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let old: Option<String> = tx
            .prepare_cached(
                "SELECT note FROM confirmations
                 WHERE case_id = ?1 AND row_path = ?2 AND check_id = ?3",
            )?
            .query_row(params![id, row_path, check_id], |r| r.get(0))
            .optional()?;
        tx.prepare_cached(
            "INSERT INTO confirmations (case_id, row_path, check_id, note, confirmed_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (case_id, row_path, check_id) DO UPDATE
                 SET note = excluded.note, confirmed_at = excluded.confirmed_at",
        )?
        .execute(params![id, row_path, check_id, note, now])
        .map_err(|e| missing_case(e, case_id))?;
        let change = Change {
            kind: "check_confirmed",
            row_path: Some(row_path),
            item_id: Some(check_id),
            old: old.map(|n| Value::String(n).to_string()),
            new: Some(Value::String(note.to_string()).to_string()),
        };
        let revision = events::record(&tx, case_id, change, ctx, true)?;
        tx.commit()?;
        Ok(revision)
    }
}

/// A foreign-key failure on a child table means the case does not exist.
fn missing_case(error: rusqlite::Error, case_id: CaseId) -> StoreError {
    if error.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
        StoreError::NotFound(format!("case {case_id}"))
    } else {
        StoreError::from(error)
    }
}
