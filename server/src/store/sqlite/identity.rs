//! SQLite side of who is who: enrolment that binds a device id to the key that enrolled it,
//! revocation of devices and reviewers, and review decisions that record their reviewer
//! (the rules are described on [`super::Storage::enrol`] and [`super::Storage::record_review`]).

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::store::{DeviceRecord, NewDevice, NewReview, StoreError};
use census_core::wire::Decision;

fn now() -> String {
    chrono::Utc::now().to_rfc3339()
}

/// Adds the columns of revocation and of accountable decisions to a database from before
/// them (additive: existing rows read as live, and as decisions of an unrecorded reviewer).
pub fn migrate(conn: &Connection) -> Result<(), StoreError> {
    crate::store::sqlite::summaries::add_missing_columns(
        conn,
        &[
            ("devices", "revoked_at", "TEXT"),
            ("reviewers", "revoked_at", "TEXT"),
            ("reviews", "reviewer", "TEXT"),
            ("reviews", "reviewer_role", "TEXT"),
            ("reviews", "revision_read", "INTEGER"),
        ],
    )
}

/// Uses a one-time code to enrol a device (see [`super::Storage::enrol`]).
pub fn enrol_tx(conn: &mut Connection, d: &NewDevice) -> Result<DeviceRecord, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let code: Option<(String, String, Option<String>)> = tx
        .query_row(
            "SELECT enumerator_id, districts, used_by FROM enrolment_codes WHERE code_hash = ?1",
            [&d.code_hash[..]],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((enumerator, districts, used_by)) = code else {
        return Err(StoreError::CodeUnknown);
    };
    if used_by.is_some() {
        return Err(StoreError::CodeUsed);
    }
    // An empty id: the tablet enrols with the code alone, for the code's enumerator.
    if !d.enumerator_id.is_empty() && enumerator != d.enumerator_id {
        return Err(StoreError::EnumeratorMismatch);
    }
    let bound: Option<Vec<u8>> = tx
        .query_row(
            "SELECT public_key FROM devices WHERE device_id = ?1 AND revoked_at IS NULL",
            [&d.device_id],
            |r| r.get(0),
        )
        .optional()?;
    if bound.is_some_and(|key| key != d.public_key) {
        return Err(StoreError::DeviceIdTaken);
    }
    tx.execute(
        "UPDATE enrolment_codes SET used_by = ?1 WHERE code_hash = ?2",
        params![d.device_id, &d.code_hash[..]],
    )?;
    tx.execute(
        "INSERT INTO devices (device_id, enumerator_id, public_key, token_hash, districts,
           enrolled_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (device_id) DO UPDATE SET enumerator_id = excluded.enumerator_id,
           public_key = excluded.public_key, token_hash = excluded.token_hash,
           districts = excluded.districts, enrolled_at = excluded.enrolled_at,
           revoked_at = NULL",
        params![
            d.device_id,
            enumerator,
            &d.public_key[..],
            &d.token_hash[..],
            districts,
            now()
        ],
    )?;
    tx.commit()?;
    Ok(DeviceRecord {
        device_id: d.device_id.clone(),
        enumerator_id: enumerator,
        public_key: d.public_key.to_vec(),
        districts: serde_json::from_str(&districts)?,
    })
}

/// Revokes a live device; whether there was one.
pub fn revoke_device(conn: &Connection, device_id: &str) -> Result<bool, StoreError> {
    let n = conn.execute(
        "UPDATE devices SET revoked_at = ?1 WHERE device_id = ?2 AND revoked_at IS NULL",
        params![now(), device_id],
    )?;
    Ok(n > 0)
}

/// Revokes every live reviewer account of `name`; how many.
pub fn revoke_reviewer(conn: &Connection, name: &str) -> Result<u64, StoreError> {
    let n = conn.execute(
        "UPDATE reviewers SET revoked_at = ?1 WHERE name = ?2 AND revoked_at IS NULL",
        params![now(), name],
    )?;
    Ok(n as u64)
}

/// Records a decision after checking, in the same transaction, the revision read and that an
/// approved case is complete.
pub fn record_review(conn: &mut Connection, r: &NewReview) -> Result<u64, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let key = r.case_id.to_string();
    let head: Option<(i64, String)> = tx
        .query_row(
            "SELECT revision, status FROM cases WHERE case_id = ?1",
            [&key],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let (revision, status) = head.ok_or(StoreError::NoSuchCase(r.case_id))?;
    check(r, revision as u64, &status)?;
    tx.execute(
        "INSERT INTO reviews (case_id, revision, decision, comment, at, reviewer, reviewer_role,
           revision_read) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            key,
            revision,
            r.decision.as_str(),
            r.comment,
            now(),
            r.reviewer,
            r.reviewer_role.as_str(),
            r.revision_read.map(|v| v as i64)
        ],
    )?;
    let cursor = tx.last_insert_rowid() as u64;
    tx.commit()?;
    Ok(cursor)
}

/// The rules a decision must meet against the case as stored (both databases).
pub(crate) fn check(r: &NewReview, revision: u64, status: &str) -> Result<(), StoreError> {
    if let Some(read) = r.revision_read
        && read != revision
    {
        return Err(StoreError::CaseChanged {
            read,
            now: revision,
        });
    }
    if r.decision == Decision::Approved && status != "complete" {
        return Err(StoreError::NotComplete(status.to_owned()));
    }
    Ok(())
}
