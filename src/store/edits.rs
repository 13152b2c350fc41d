//! The open edit: the enumerator's keystrokes on one field, coalesced into one `answer`
//! event (old value before the first keystroke, value after the last, first and last times).
//!
//! Each keystroke is durable at once (the answer and the open edit are written in the same
//! transaction), but it writes only those two rows: the event log, the revision bump and the
//! outbox entry are written once per field edit. The edit stays open (in `open_edit`, one row
//! per case) until another change to the case, a keystroke on another field, or the sync
//! reading the case closes it into the append-only log; [`Store::events`] shows it as the
//! log's last event meanwhile.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::Value;

use super::answers::{current_revision, stored_answer, write_answer};
use super::events::{self, decode_event};
use super::{CaseId, Event, EventContext, Revision, Store, StoreError, now_text};

/// Closes the case's open edit, if any: appends it to the event log as one `answer` event
/// and moves the case's last-change time to its last keystroke.
pub(super) fn close(conn: &Connection, case_id: &str) -> Result<(), StoreError> {
    let moved = conn
        .prepare_cached(
            "INSERT INTO events (case_id, seq, at, kind, row_path, item_id, old, new, screen,
                                 lat, lon, accuracy_m, last_at)
             SELECT case_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE case_id = ?1),
                    first_at, 'answer', row_path, item_id, old, new, screen,
                    lat, lon, accuracy_m, last_at
             FROM open_edit WHERE case_id = ?1",
        )?
        .execute([case_id])?;
    if moved > 0 {
        conn.prepare_cached(
            "UPDATE cases SET updated_at = MAX(updated_at,
                 (SELECT last_at FROM open_edit WHERE case_id = ?1))
             WHERE case_id = ?1",
        )?
        .execute([case_id])?;
        conn.prepare_cached("DELETE FROM open_edit WHERE case_id = ?1")?
            .execute([case_id])?;
    }
    Ok(())
}

/// The case's open edit as the event it will become (numbered after `last_seq`).
pub(super) fn open_event(
    conn: &Connection,
    case_id: &str,
    last_seq: i64,
) -> Result<Option<Event>, StoreError> {
    let row = conn
        .prepare_cached(
            "SELECT first_at, row_path, item_id, old, new, screen, lat, lon, accuracy_m, last_at
             FROM open_edit WHERE case_id = ?1",
        )?
        .query_row([case_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<f64>>(6)?,
                r.get::<_, Option<f64>>(7)?,
                r.get::<_, Option<f64>>(8)?,
                r.get::<_, Option<String>>(9)?,
            ))
        })
        .optional()?;
    row.map(
        |(at, row_path, item_id, old, new, screen, lat, lon, accuracy_m, last_at)| {
            decode_event(
                last_seq + 1,
                at,
                "answer".into(),
                row_path,
                item_id,
                old,
                new,
                screen,
                (lat, lon, accuracy_m),
                last_at,
            )
        },
    )
    .transpose()
}

impl Store {
    /// Saves one answer typed by the enumerator (a JSON `null` clears it), durable when this
    /// returns. Keystrokes on the same field coalesce into one open edit, logged as one
    /// `answer` event with the first and last keystroke times: only the first keystroke of
    /// an edit bumps the case revision and queues it for sending. A keystroke on another
    /// field, any other change to the case, or the sync reading the case closes the edit.
    /// Saving the value already stored changes nothing and returns the current revision.
    pub fn save_typed_answer(
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
        let now = now_text();
        let continued = tx
            .prepare_cached(
                "UPDATE open_edit SET new = ?4, last_at = ?5
                 WHERE case_id = ?1 AND row_path = ?2 AND item_id = ?3",
            )?
            .execute(params![id, row_path, item_id, new_text, now])?;
        let revision = if continued == 1 {
            current_revision(&tx, case_id)?
        } else {
            close(&tx, &id)?;
            let revision = events::bump(&tx, case_id, &now, true)?;
            let gps = ctx.gps;
            tx.prepare_cached(
                "INSERT INTO open_edit (case_id, row_path, item_id, first_at, last_at, old, new,
                                        screen, lat, lon, accuracy_m)
                 VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                id,
                row_path,
                item_id,
                now,
                old,
                new_text,
                ctx.screen,
                gps.map(|g| g.lat),
                gps.map(|g| g.lon),
                gps.and_then(|g| g.accuracy_m),
            ])?;
            revision
        };
        tx.commit()?;
        self.after_write()?;
        Ok(revision)
    }
}
