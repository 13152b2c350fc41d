//! Numbered, append-only migrations of the PostgreSQL store. `schema_migrations` records
//! each one applied; a start applies those missing, in order, in one transaction under the
//! schema's advisory lock (instances starting together apply each migration once), and
//! refuses a database whose schema is newer than this build knows.
//!
//! Migration 1 is the schema as it stood before numbered migrations (December 2026), written
//! so that it also applies to a database of any earlier build (tables and indexes created
//! when missing, columns added when missing): such a database upgrades in place. A later
//! change is a new migration at the end of [`MIGRATIONS`]; a released one is never edited.

use deadpool_postgres::{Pool, Transaction};

use crate::store::StoreError;
use crate::store::postgres::schema::SCHEMA;
use crate::store::postgres::summaries::SCHEMA_LOCK;
use crate::store::postgres::{coverage, identity, office, shared_state, summaries};

/// One migration: its number, what it does, and its statements.
pub struct Migration {
    /// Its number: 1, 2, … in order, never reused.
    pub version: i64,
    /// What it does, recorded with it.
    pub name: &'static str,
    /// Its SQL, run inside the migrations' transaction.
    pub sql: fn() -> String,
}

/// Every migration, in order (append only).
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "cases, events, batches, devices, reviews; coverage facts, listing, frame and \
               summaries; revocation and accountable decisions",
        sql: baseline,
    },
    Migration {
        version: 2,
        name: "state shared by instances: server secrets and per-address rate buckets",
        sql: shared_state_tables,
    },
    Migration {
        version: 3,
        name: "population counted apart: case_facts.population and tally_apart",
        sql: population_apart,
    },
    Migration {
        version: 4,
        name: "office publications: recovery keys (public halves) and published questionnaires",
        sql: office_tables,
    },
    Migration {
        version: 5,
        name: "review queue facts: case_facts.head_name and case_facts.soft_checks",
        sql: review_facts,
    },
    Migration {
        version: 6,
        name: "case documents and event arrays as json text (was jsonb); large values \
               compressed with lz4 (was pglz)",
        sql: json_text_documents,
    },
    Migration {
        version: 7,
        name: "case documents and event arrays as bytea, packed by the server (lz4); values \
               written before are their JSON text's bytes and read as they are",
        sql: packed_documents,
    },
];

/// The schema version this build writes: the last migration's number.
pub fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

fn baseline() -> String {
    format!(
        "{SCHEMA} {} {} {}",
        coverage::tables(),
        summaries::create(),
        identity::COLUMNS
    )
}

fn shared_state_tables() -> String {
    shared_state::TABLES.to_string()
}

fn population_apart() -> String {
    crate::store::summary_sql::APART_TABLES.to_string()
}

fn office_tables() -> String {
    office::TABLES.to_string()
}

fn review_facts() -> String {
    crate::store::summary_sql::REVIEW_FACTS_COLUMNS.to_string()
}

/// The case documents and event arrays are kept as the JSON text the device sent (`json`,
/// was `jsonb`) and large values are compressed with lz4 (was pglz). At ingest of the app's
/// households PostgreSQL spent most of its CPU building `jsonb` (sorting every object's
/// keys, copying strings character by character) and in pglz; nothing reads these columns
/// with `jsonb` operators (the server reads them whole), and `json` input only validates.
/// The type change rewrites both tables once (an existing large database needs that time).
/// A server built without lz4 keeps pglz.
fn json_text_documents() -> String {
    "ALTER TABLE cases ALTER COLUMN case_json TYPE json USING case_json::json;
     ALTER TABLE case_events ALTER COLUMN events TYPE json USING events::json;
     DO $$ BEGIN
       ALTER TABLE cases ALTER COLUMN case_json SET COMPRESSION lz4;
       ALTER TABLE case_events ALTER COLUMN events SET COMPRESSION lz4;
       ALTER TABLE batches ALTER COLUMN reply SET COMPRESSION lz4;
     EXCEPTION WHEN feature_not_supported THEN
       RAISE NOTICE 'this PostgreSQL has no lz4: large values stay compressed with pglz';
     END $$;"
        .to_string()
}

/// The server packs case documents and event arrays itself (`store::packed`), before the
/// transaction: PostgreSQL no longer validates ~18 kB of `json` input per household nor
/// compresses it, and receives a fifth of the bytes. Existing values become their text's
/// UTF-8 bytes, which `packed::unpack` reads as they are (the type change rewrites both
/// tables once). lz4 stays the column compression for those older values.
fn packed_documents() -> String {
    "ALTER TABLE cases ALTER COLUMN case_json TYPE bytea USING convert_to(case_json::text, 'UTF8');
     ALTER TABLE case_events ALTER COLUMN events TYPE bytea USING convert_to(events::text, 'UTF8');
     DO $$ BEGIN
       ALTER TABLE cases ALTER COLUMN case_json SET COMPRESSION lz4;
       ALTER TABLE case_events ALTER COLUMN events SET COMPRESSION lz4;
     EXCEPTION WHEN feature_not_supported THEN
       RAISE NOTICE 'this PostgreSQL has no lz4: older values stay compressed with pglz';
     END $$;"
        .to_string()
}

/// The version the database holds (0: none recorded; a database of an older build).
pub async fn version(tx: &Transaction<'_>) -> Result<i64, StoreError> {
    let row = tx
        .query_one(
            "SELECT coalesce(max(version), 0)::bigint FROM schema_migrations",
            &[],
        )
        .await?;
    Ok(row.get(0))
}

/// Applies the missing migrations; refuses a newer schema.
pub async fn migrate(pool: &Pool) -> Result<(), StoreError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.batch_execute(SCHEMA_LOCK).await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, \
         name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .await?;
    let found = version(&tx).await?;
    if found > latest() {
        return Err(StoreError::SchemaTooNew {
            found,
            known: latest(),
        });
    }
    for m in MIGRATIONS.iter().filter(|m| m.version > found) {
        tx.batch_execute(&(m.sql)())
            .await
            .map_err(|e| StoreError::Backend(format!("migration {} failed: {e}", m.version)))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &[&m.version, &m.name],
        )
        .await?;
    }
    tx.commit().await.map_err(StoreError::from)
}
