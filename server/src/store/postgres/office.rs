//! PostgreSQL: the office's recovery keys, published questionnaires (migration 3) and the
//! frame buildings an assignment carries. Every instance reads them from the database, so
//! what one instance's command line set or published, the others serve at once.

use deadpool_postgres::Pool;

use crate::store::office_types::population_of;
use crate::store::{
    FrameBuildingRow, NewPublication, PublishOutcome, PublishedSummary, RecoveryKey, StoreError,
};

/// The tables: migration 3.
pub const TABLES: &str = "
CREATE TABLE IF NOT EXISTS office_recovery_keys (
    key_id TEXT PRIMARY KEY,
    public_key BYTEA NOT NULL,
    set_at TEXT NOT NULL,
    current BOOLEAN NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX IF NOT EXISTS office_recovery_keys_one_current
    ON office_recovery_keys (current) WHERE current;
CREATE TABLE IF NOT EXISTS published_questionnaires (
    id TEXT NOT NULL,
    version TEXT NOT NULL,
    population TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    body BYTEA NOT NULL,
    published_at TEXT NOT NULL,
    seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    PRIMARY KEY (id, version)
);";

/// One writer of the office's publications at a time (recovery keys, questionnaires).
const LOCK: &str = "LOCK TABLE office_recovery_keys, published_questionnaires IN SHARE ROW \
                    EXCLUSIVE MODE";

/// Makes `key` the current recovery key; whether it was new.
pub async fn set_recovery_key(pool: &Pool, key: &RecoveryKey) -> Result<bool, StoreError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.batch_execute(LOCK).await?;
    tx.execute(
        "UPDATE office_recovery_keys SET current = false WHERE current",
        &[],
    )
    .await?;
    let new = tx
        .execute(
            "INSERT INTO office_recovery_keys (key_id, public_key, set_at, current)
             VALUES ($1, $2, $3, true) ON CONFLICT (key_id) DO NOTHING",
            &[&key.key_id, &&key.public_key[..], &key.set_at],
        )
        .await?
        == 1;
    tx.execute(
        "UPDATE office_recovery_keys SET current = true WHERE key_id = $1",
        &[&key.key_id],
    )
    .await?;
    tx.commit().await?;
    Ok(new)
}

/// The current recovery key.
pub async fn recovery_key(pool: &Pool) -> Result<Option<RecoveryKey>, StoreError> {
    let client = pool.get().await?;
    let row = client
        .query_opt(
            "SELECT key_id, public_key, set_at FROM office_recovery_keys WHERE current",
            &[],
        )
        .await?;
    row.map(|r| {
        let public_key: Vec<u8> = r.try_get(1)?;
        Ok(RecoveryKey {
            key_id: r.try_get(0)?,
            public_key: <[u8; 32]>::try_from(public_key.as_slice())
                .map_err(|_| StoreError::Backend("a stored recovery key is not 32 bytes".into()))?,
            set_at: r.try_get(2)?,
        })
    })
    .transpose()
}

/// Stores a publication unless its id@version is published already.
pub async fn publish(pool: &Pool, p: &NewPublication) -> Result<PublishOutcome, StoreError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.batch_execute(LOCK).await?;
    let before = tx
        .query_opt(
            "SELECT sha256 FROM published_questionnaires WHERE id = $1 AND version = $2",
            &[&p.id, &p.version],
        )
        .await?;
    let outcome = match before.map(|r| r.get::<_, String>(0)) {
        Some(sha) if sha == p.sha256 => PublishOutcome::AlreadyPublished,
        Some(published_sha256) => PublishOutcome::Changed { published_sha256 },
        None => {
            tx.execute(
                "INSERT INTO published_questionnaires
                   (id, version, population, sha256, body, published_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &p.id,
                    &p.version,
                    &p.population.as_str(),
                    &p.sha256,
                    &p.body,
                    &chrono::Utc::now().to_rfc3339(),
                ],
            )
            .await?;
            PublishOutcome::Published
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

/// The exact bytes published as `id`@`version`.
pub async fn published_body(
    pool: &Pool,
    id: &str,
    version: &str,
) -> Result<Option<Vec<u8>>, StoreError> {
    let client = pool.get().await?;
    let row = client
        .query_opt(
            "SELECT body FROM published_questionnaires WHERE id = $1 AND version = $2",
            &[&id, &version],
        )
        .await?;
    Ok(row.map(|r| r.get(0)))
}

/// Every published questionnaire, oldest publication first.
pub async fn published_list(pool: &Pool) -> Result<Vec<PublishedSummary>, StoreError> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT id, version, population, sha256, published_at
             FROM published_questionnaires ORDER BY seq",
            &[],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(PublishedSummary {
                id: r.try_get(0)?,
                version: r.try_get(1)?,
                population: population_of(r.try_get(2)?)?,
                sha256: r.try_get(3)?,
                published_at: r.try_get(4)?,
            })
        })
        .collect()
}

/// Cartography's buildings of `districts`, by district and building number.
pub async fn frame_buildings(
    pool: &Pool,
    districts: &[String],
) -> Result<Vec<FrameBuildingRow>, StoreError> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT district_id, building_number, lat, lon, description FROM frame_buildings
             WHERE district_id = ANY($1) ORDER BY district_id, building_number",
            &[&districts],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let lat: Option<f64> = r.try_get(2)?;
            let lon: Option<f64> = r.try_get(3)?;
            Ok(FrameBuildingRow {
                district_id: r.try_get(0)?,
                building_number: u32::try_from(r.try_get::<_, i64>(1)?)?,
                gps: lat.zip(lon),
                description: r.try_get(4)?,
            })
        })
        .collect()
}
