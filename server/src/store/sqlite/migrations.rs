//! Numbered, append-only migrations of the SQLite store. `schema_migrations` records each
//! one applied; opening applies those missing, in order, in one `IMMEDIATE` transaction that
//! reads the version again (two processes opening at once apply each migration once), and
//! refuses a database whose schema is newer than this build knows.
//!
//! Migration 1 is the schema as it stood before numbered migrations (December 2026): its
//! statements are written to be applied to a database of any earlier build too (tables and
//! indexes created when missing, columns added when missing), so a database created by an
//! older server upgrades in place. A later change is a new migration at the end of
//! [`MIGRATIONS`]; a released migration is never edited.

use rusqlite::Connection;

use crate::store::StoreError;
use crate::store::sqlite::rows::SCHEMA;
use crate::store::sqlite::{coverage, identity, office, shared_state, summaries};

/// One migration: its number, what it does, and how.
pub struct Migration {
    /// Its number: 1, 2, … in order, never reused.
    pub version: i64,
    /// What it does, recorded with it.
    pub name: &'static str,
    /// Applies it inside the migrations' transaction.
    pub apply: fn(&Connection) -> Result<(), StoreError>,
}

/// Every migration, in order (append only).
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "cases, events, batches, devices, reviews; coverage facts, listing, frame and \
               summaries; revocation and accountable decisions",
        apply: baseline,
    },
    Migration {
        version: 2,
        name: "server secrets kept across restarts (the review session key's source)",
        apply: shared_state_tables,
    },
    Migration {
        version: 3,
        name: "population counted apart: case_facts.population and tally_apart",
        apply: population_apart,
    },
    Migration {
        version: 4,
        name: "office publications: recovery keys (public halves) and published questionnaires",
        apply: office_tables,
    },
    Migration {
        version: 5,
        name: "review queue facts: case_facts.head_name and case_facts.soft_checks",
        apply: review_facts,
    },
    Migration {
        version: 6,
        name: "case_events as a rowid table: event arrays appended, keys in a small index",
        apply: case_events_by_rowid,
    },
    Migration {
        version: 7,
        name: "case documents and event arrays written lz4-compressed (blobs); rows written \
               before stay text and are read as they are",
        apply: packed_json,
    },
];

/// The schema version this build writes: the last migration's number.
pub fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

fn baseline(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(SCHEMA)?;
    conn.execute_batch(&coverage::tables())?;
    summaries::create(conn)?;
    identity::migrate(conn)
}

fn shared_state_tables(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(shared_state::TABLES)
        .map_err(StoreError::from)
}

fn population_apart(conn: &Connection) -> Result<(), StoreError> {
    summaries::add_missing_columns(
        conn,
        &[(
            "case_facts",
            "population",
            "TEXT NOT NULL DEFAULT 'household'",
        )],
    )?;
    conn.execute_batch(crate::store::summary_sql::APART_TABLE)
        .map_err(StoreError::from)
}

fn office_tables(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(office::TABLES).map_err(StoreError::from)
}

fn review_facts(conn: &Connection) -> Result<(), StoreError> {
    summaries::add_missing_columns(
        conn,
        &[
            ("case_facts", "head_name", "TEXT"),
            ("case_facts", "soft_checks", "BIGINT NOT NULL DEFAULT 0"),
        ],
    )
}

fn case_events_by_rowid(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(crate::store::sqlite::rows::CASE_EVENTS_BY_ROWID)
        .map_err(StoreError::from)
}

/// Nothing to rewrite: the columns keep their declared type and old rows stay readable
/// (`packed::StoredJson` reads text and blobs). The number is what matters: a build before
/// this one cannot read the blobs, and refuses a database at this version.
fn packed_json(_: &Connection) -> Result<(), StoreError> {
    Ok(())
}

/// The version the database holds (0: none recorded; a database of an older build).
pub fn version(conn: &Connection) -> Result<i64, StoreError> {
    let has_table: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
        [],
        |r| r.get(0),
    )?;
    if has_table == 0 {
        return Ok(0);
    }
    conn.query_row(
        "SELECT coalesce(max(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )
    .map_err(StoreError::from)
}

/// Applies the missing migrations; refuses a newer schema.
pub fn migrate(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let done = (|| {
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, \
             name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )?;
        let found = version(conn)?;
        if found > latest() {
            return Err(StoreError::SchemaTooNew {
                found,
                known: latest(),
            });
        }
        for m in MIGRATIONS.iter().filter(|m| m.version > found) {
            (m.apply)(conn)
                .map_err(|e| StoreError::Backend(format!("migration {} failed: {e}", m.version)))?;
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                rusqlite::params![m.version, m.name, chrono::Utc::now().to_rfc3339()],
            )?;
        }
        Ok(())
    })();
    match done {
        Ok(()) => conn.execute_batch("COMMIT").map_err(StoreError::from),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}
