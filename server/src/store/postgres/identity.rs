//! PostgreSQL side of who is who: enrolment that binds a device id to the key that enrolled
//! it, revocation of devices and reviewers, and review decisions that record their reviewer
//! (the rules are described on [`super::Storage::enrol`] and [`super::Storage::record_review`]).

use deadpool_postgres::Pool;
use tokio_postgres::types::Json;

use crate::store::sqlite::identity::check;
use crate::store::{DeviceRecord, NewDevice, NewReview, StoreError};

/// Adds the columns of revocation and of accountable decisions to a database from before
/// them (part of migration 1).
pub const COLUMNS: &str = "
ALTER TABLE devices ADD COLUMN IF NOT EXISTS revoked_at TIMESTAMPTZ;
ALTER TABLE reviewers ADD COLUMN IF NOT EXISTS revoked_at TIMESTAMPTZ;
ALTER TABLE reviews ADD COLUMN IF NOT EXISTS reviewer TEXT;
ALTER TABLE reviews ADD COLUMN IF NOT EXISTS reviewer_role TEXT;
ALTER TABLE reviews ADD COLUMN IF NOT EXISTS revision_read BIGINT;
";

/// Uses a one-time code to enrol a device (see [`super::Storage::enrol`]).
pub async fn enrol(pool: &Pool, d: &NewDevice) -> Result<DeviceRecord, StoreError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let row = tx
        .query_opt(
            "SELECT enumerator_id, districts, used_by FROM enrolment_codes
             WHERE code_hash = $1 FOR UPDATE",
            &[&&d.code_hash[..]],
        )
        .await?
        .ok_or(StoreError::CodeUnknown)?;
    let enumerator: String = row.get(0);
    let districts: Json<Vec<String>> = row.get(1);
    let used_by: Option<String> = row.get(2);
    if used_by.is_some() {
        return Err(StoreError::CodeUsed);
    }
    // An empty id: the tablet enrols with the code alone, for the code's enumerator.
    if !d.enumerator_id.is_empty() && enumerator != d.enumerator_id {
        return Err(StoreError::EnumeratorMismatch);
    }
    // Two first enrolments of one id with different keys: the second waits on the row lock
    // (or on the primary key of the insert) and then sees the first's key.
    let bound = tx
        .query_opt(
            "SELECT public_key FROM devices WHERE device_id = $1 AND revoked_at IS NULL
             FOR UPDATE",
            &[&d.device_id],
        )
        .await?;
    if bound.is_some_and(|r| r.get::<_, Vec<u8>>(0) != d.public_key) {
        return Err(StoreError::DeviceIdTaken);
    }
    tx.execute(
        "UPDATE enrolment_codes SET used_by = $1 WHERE code_hash = $2",
        &[&d.device_id, &&d.code_hash[..]],
    )
    .await?;
    let written = tx
        .execute(
            "INSERT INTO devices (device_id, enumerator_id, public_key, token_hash, districts)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (device_id) DO UPDATE SET enumerator_id = excluded.enumerator_id,
               public_key = excluded.public_key, token_hash = excluded.token_hash,
               districts = excluded.districts, enrolled_at = now(), revoked_at = NULL
             WHERE devices.revoked_at IS NOT NULL OR devices.public_key = excluded.public_key",
            &[
                &d.device_id,
                &enumerator,
                &&d.public_key[..],
                &&d.token_hash[..],
                &districts,
            ],
        )
        .await?;
    if written == 0 {
        return Err(StoreError::DeviceIdTaken);
    }
    tx.commit().await?;
    Ok(DeviceRecord {
        device_id: d.device_id.clone(),
        enumerator_id: enumerator,
        public_key: d.public_key.to_vec(),
        districts: districts.0,
    })
}

/// Revokes a live device; whether there was one.
pub async fn revoke_device(pool: &Pool, device_id: &str) -> Result<bool, StoreError> {
    let client = pool.get().await?;
    let n = client
        .execute(
            "UPDATE devices SET revoked_at = now() WHERE device_id = $1 AND revoked_at IS NULL",
            &[&device_id],
        )
        .await?;
    Ok(n > 0)
}

/// Revokes every live reviewer account of `name`; how many.
pub async fn revoke_reviewer(pool: &Pool, name: &str) -> Result<u64, StoreError> {
    let client = pool.get().await?;
    client
        .execute(
            "UPDATE reviewers SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL",
            &[&name],
        )
        .await
        .map_err(StoreError::from)
}

/// Records a decision after checking, with the case's row locked, the revision read and that
/// an approved case is complete.
pub async fn record_review(pool: &Pool, r: &NewReview) -> Result<u64, StoreError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let head = tx
        .query_opt(
            "SELECT revision, status FROM cases WHERE case_id = $1 FOR UPDATE",
            &[&r.case_id],
        )
        .await?
        .ok_or(StoreError::NoSuchCase(r.case_id))?;
    let revision: i64 = head.get(0);
    let status: String = head.get(1);
    check(r, revision as u64, &status)?;
    let row = tx
        .query_one(
            "INSERT INTO reviews (case_id, revision, decision, comment, at, reviewer,
               reviewer_role, revision_read) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             RETURNING cursor",
            &[
                &r.case_id,
                &revision,
                &r.decision.as_str(),
                &r.comment,
                &chrono::Utc::now().to_rfc3339(),
                &r.reviewer,
                &r.reviewer_role.as_str(),
                &r.revision_read.map(|v| v.min(i64::MAX as u64) as i64),
            ],
        )
        .await?;
    tx.commit().await?;
    Ok(row.get::<_, i64>(0) as u64)
}
