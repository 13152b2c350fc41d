//! The office's reassignment of a case to another device (`census-server reassign-case`):
//! the only way a case changes hands (see `validate::ownership`). Each one is recorded in
//! `case_reassignments` (created on first use) in the same transaction.

use deadpool_postgres::Pool;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use tokio_postgres::types::Json;
use uuid::Uuid;

use super::StoreError;

/// A reassignment done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reassignment {
    /// The case.
    pub case_id: Uuid,
    /// The device it belonged to.
    pub from_device: String,
    /// The device it belongs to now.
    pub to_device: String,
    /// The enumerator enrolled on the new device.
    pub enumerator_id: String,
    /// The case's stored revision (the new device continues from it).
    pub revision: i64,
}

/// Why a reassignment is refused (the office's mistake, not the database's), or the
/// reassignment done.
pub type ReassignResult = Result<Reassignment, String>;

fn refusal(
    case_id: Uuid,
    to_device: &str,
    found: Option<(String, String, Vec<String>)>,
    district: &str,
) -> Option<String> {
    match found {
        None => Some(format!("device {to_device:?} is not enrolled")),
        Some((_, _, districts)) if !districts.iter().any(|d| d == district) => Some(format!(
            "device {to_device:?} does not write district {district}, where case {case_id} is: \
             enrol it for that district first"
        )),
        Some(_) => None,
    }
}

/// SQLite: moves `case_id` to `to_device`.
pub fn sqlite(
    conn: &mut Connection,
    case_id: Uuid,
    to_device: &str,
    at: &str,
) -> Result<ReassignResult, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let key = case_id.to_string();
    let case: Option<(String, String, i64)> = tx
        .query_row(
            "SELECT device_id, district_id, revision FROM cases WHERE case_id = ?1",
            [&key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (from_device, district, revision) = case.ok_or(StoreError::NoSuchCase(case_id))?;
    let device: Option<(String, String, String)> = tx
        .query_row(
            "SELECT device_id, enumerator_id, districts FROM devices WHERE device_id = ?1",
            [to_device],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let device = device
        .map(|(id, enumerator, districts)| {
            serde_json::from_str::<Vec<String>>(&districts)
                .map(|d| (id, enumerator, d))
                .map_err(StoreError::from)
        })
        .transpose()?;
    let enumerator_id = device.as_ref().map(|d| d.1.clone()).unwrap_or_default();
    if let Some(why) = refusal(case_id, to_device, device, &district) {
        return Ok(Err(why));
    }
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS case_reassignments (
           case_id TEXT NOT NULL, from_device TEXT NOT NULL, to_device TEXT NOT NULL,
           revision INTEGER NOT NULL, at TEXT NOT NULL)",
    )?;
    tx.execute(
        "UPDATE cases SET device_id = ?2 WHERE case_id = ?1",
        params![key, to_device],
    )?;
    tx.execute(
        "INSERT INTO case_reassignments (case_id, from_device, to_device, revision, at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![key, from_device, to_device, revision, at],
    )?;
    tx.commit()?;
    Ok(Ok(Reassignment {
        case_id,
        from_device,
        to_device: to_device.to_owned(),
        enumerator_id,
        revision,
    }))
}

/// PostgreSQL: moves `case_id` to `to_device`.
pub async fn postgres(
    pool: &Pool,
    case_id: Uuid,
    to_device: &str,
) -> Result<ReassignResult, StoreError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS case_reassignments (
           case_id UUID NOT NULL, from_device TEXT NOT NULL, to_device TEXT NOT NULL,
           revision BIGINT NOT NULL, at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .await?;
    let case = tx
        .query_opt(
            "SELECT device_id, district_id, revision FROM cases WHERE case_id = $1 FOR UPDATE",
            &[&case_id],
        )
        .await?
        .ok_or(StoreError::NoSuchCase(case_id))?;
    let (from_device, district, revision): (String, String, i64) =
        (case.try_get(0)?, case.try_get(1)?, case.try_get(2)?);
    let device = tx
        .query_opt(
            "SELECT device_id, enumerator_id, districts FROM devices WHERE device_id = $1",
            &[&to_device],
        )
        .await?;
    let device = match device {
        Some(row) => Some((
            row.try_get::<_, String>(0)?,
            row.try_get::<_, String>(1)?,
            row.try_get::<_, Json<Vec<String>>>(2)?.0,
        )),
        None => None,
    };
    let enumerator_id = device.as_ref().map(|d| d.1.clone()).unwrap_or_default();
    if let Some(why) = refusal(case_id, to_device, device, &district) {
        return Ok(Err(why));
    }
    tx.execute(
        "UPDATE cases SET device_id = $2 WHERE case_id = $1",
        &[&case_id, &to_device],
    )
    .await?;
    tx.execute(
        "INSERT INTO case_reassignments (case_id, from_device, to_device, revision)
         VALUES ($1, $2, $3, $4)",
        &[&case_id, &from_device, &to_device, &revision],
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(Reassignment {
        case_id,
        from_device,
        to_device: to_device.to_owned(),
        enumerator_id,
        revision,
    }))
}
