//! SQLite: the office's recovery keys, published questionnaires (migration 3) and the frame
//! buildings an assignment carries.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::store::office_types::population_of;
use crate::store::{
    FrameBuildingRow, NewPublication, PublishOutcome, PublishedSummary, RecoveryKey, StoreError,
};

/// The tables: migration 3.
pub const TABLES: &str = "
CREATE TABLE IF NOT EXISTS office_recovery_keys (
    key_id TEXT PRIMARY KEY,
    public_key BLOB NOT NULL,
    set_at TEXT NOT NULL,
    current INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS office_recovery_keys_one_current
    ON office_recovery_keys (current) WHERE current = 1;
CREATE TABLE IF NOT EXISTS published_questionnaires (
    id TEXT NOT NULL,
    version TEXT NOT NULL,
    population TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    body BLOB NOT NULL,
    published_at TEXT NOT NULL,
    seq INTEGER NOT NULL UNIQUE,
    PRIMARY KEY (id, version)
);";

/// Makes `key` the current recovery key; whether it was new (else set before, and current
/// again now).
pub fn set_recovery_key(conn: &mut Connection, key: &RecoveryKey) -> Result<bool, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "UPDATE office_recovery_keys SET current = 0 WHERE current = 1",
        [],
    )?;
    let new = tx.execute(
        "INSERT OR IGNORE INTO office_recovery_keys (key_id, public_key, set_at, current)
         VALUES (?1, ?2, ?3, 1)",
        params![key.key_id, &key.public_key[..], key.set_at],
    )? == 1;
    tx.execute(
        "UPDATE office_recovery_keys SET current = 1 WHERE key_id = ?1",
        [&key.key_id],
    )?;
    tx.commit()?;
    Ok(new)
}

/// The current recovery key.
pub fn recovery_key(conn: &Connection) -> Result<Option<RecoveryKey>, StoreError> {
    let row: Option<(String, Vec<u8>, String)> = conn
        .prepare_cached(
            "SELECT key_id, public_key, set_at FROM office_recovery_keys WHERE current = 1",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    row.map(|(key_id, public_key, set_at)| {
        Ok(RecoveryKey {
            key_id,
            public_key: <[u8; 32]>::try_from(public_key.as_slice())
                .map_err(|_| StoreError::Backend("a stored recovery key is not 32 bytes".into()))?,
            set_at,
        })
    })
    .transpose()
}

/// Stores a publication unless its id@version is published already (see
/// [`PublishOutcome`]).
pub fn publish(conn: &mut Connection, p: &NewPublication) -> Result<PublishOutcome, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let before: Option<String> = tx
        .query_row(
            "SELECT sha256 FROM published_questionnaires WHERE id = ?1 AND version = ?2",
            params![p.id, p.version],
            |r| r.get(0),
        )
        .optional()?;
    let outcome = match before {
        Some(sha) if sha == p.sha256 => PublishOutcome::AlreadyPublished,
        Some(published_sha256) => PublishOutcome::Changed { published_sha256 },
        None => {
            tx.execute(
                "INSERT INTO published_questionnaires
                   (id, version, population, sha256, body, published_at, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6,
                   (SELECT coalesce(max(seq), 0) + 1 FROM published_questionnaires))",
                params![
                    p.id,
                    p.version,
                    p.population.as_str(),
                    p.sha256,
                    p.body,
                    chrono::Utc::now().to_rfc3339()
                ],
            )?;
            PublishOutcome::Published
        }
    };
    tx.commit()?;
    Ok(outcome)
}

/// The exact bytes published as `id`@`version`.
pub fn published_body(
    conn: &Connection,
    id: &str,
    version: &str,
) -> Result<Option<Vec<u8>>, StoreError> {
    conn.prepare_cached("SELECT body FROM published_questionnaires WHERE id = ?1 AND version = ?2")?
        .query_row(params![id, version], |r| r.get(0))
        .optional()
        .map_err(StoreError::from)
}

/// Every published questionnaire, oldest publication first.
pub fn published_list(conn: &Connection) -> Result<Vec<PublishedSummary>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT id, version, population, sha256, published_at FROM published_questionnaires
         ORDER BY seq",
    )?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, version, population, sha256, published_at) = row?;
        out.push(PublishedSummary {
            id,
            version,
            population: population_of(&population)?,
            sha256,
            published_at,
        });
    }
    Ok(out)
}

/// Cartography's buildings of `districts`, by district and building number.
pub fn frame_buildings(
    conn: &Connection,
    districts: &[String],
) -> Result<Vec<FrameBuildingRow>, StoreError> {
    let ids = serde_json::to_string(districts)?;
    let mut st = conn.prepare_cached(
        "SELECT district_id, building_number, lat, lon, description FROM frame_buildings
         WHERE district_id IN (SELECT value FROM json_each(?1))
         ORDER BY district_id, building_number",
    )?;
    let rows = st.query_map([ids], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, Option<f64>>(2)?,
            r.get::<_, Option<f64>>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (district_id, number, lat, lon, description) = row?;
        out.push(FrameBuildingRow {
            district_id,
            building_number: u32::try_from(number)?,
            gps: lat.zip(lon),
            description,
        });
    }
    Ok(out)
}
