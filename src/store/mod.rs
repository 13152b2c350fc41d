//! The tablet's encrypted offline case store (SQLCipher through rusqlite).
//!
//! One [`Store`] per data directory, used from one thread. Every change is one transaction:
//! the answer (or row, status, confirmation), an event in the append-only paradata log, the
//! case's revision bump and the sync outbox entry commit together or not at all. No SQL
//! leaves this module.
//!
//! Files in the data directory: [`DB_FILE_NAME`] (with its `-wal` and `-shm`) and the key file
//! ([`crate::keys::KEY_FILE_NAME`]).

mod answers;
mod assignment;
mod buildings;
mod cases;
mod cipher_init;
mod edits;
mod error;
mod events;
mod outbox;
mod questionnaires;
mod restore;
mod resume;
mod review;
mod schema;
pub mod sync_state;
mod types;

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::keys::DatabaseKey;

pub use error::StoreError;
pub use questionnaires::InstalledQuestionnaire;
pub use restore::RestoreError;
pub use resume::{CasePlace, ResumePlace};
pub use review::{QueuedDecision, ReviewDownload, StoredDownload};
pub use schema::SCHEMA_VERSION;
pub use types::{
    Assignment, Building, BuildingState, CaseId, CaseMeta, CaseStatus, Confirmation, District,
    DistrictProgress, Dwelling, Event, EventContext, ListedBuildingRow, ListedDwellingRow, NewCase,
    Occupancy, OutboxEntry, Revision, StoredCase, StoredListing,
};

/// The database file's name inside the data directory.
pub const DB_FILE_NAME: &str = "census.db";
/// How long a connection waits for another one holding the database (a migration, a
/// checkpoint) before it reports the store busy.
const BUSY_TIMEOUT_SECONDS: u64 = 10;

/// Write transactions after which a save moves the WAL into the database file itself
/// (`PRAGMA wal_checkpoint(PASSIVE)`), when nothing did it at idle meanwhile: the bound on
/// the WAL's growth (a few MB).
const WRITES_PER_CHECKPOINT: u32 = 1_000;

/// An open case store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Saves since the WAL was last checkpointed by this connection.
    writes_since_checkpoint: u32,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating if needed) the encrypted store in `dir` with the raw database key, and
    /// runs the pending migrations. A wrong key gives [`StoreError::WrongKey`].
    pub fn open(dir: &Path, key: &DatabaseKey) -> Result<Store, StoreError> {
        Store::open_inner(dir, Some(key))
    }

    /// Opens a store **without encryption**. Never use it in the app: it exists only as the
    /// plain-SQLite control for the benchmark and the no-plaintext test.
    pub fn open_unencrypted_for_comparison_only(dir: &Path) -> Result<Store, StoreError> {
        Store::open_inner(dir, None)
    }

    fn open_inner(dir: &Path, key: Option<&DatabaseKey>) -> Result<Store, StoreError> {
        let path = dir.join(DB_FILE_NAME);
        if let Err(e) = crate::private_files::create_private_dir(dir) {
            return Err(io_error(dir, &e));
        }
        // Created 0600 before SQLite sees it (its -wal and -shm files take the same mode);
        // an existing file from an older version is narrowed to 0600.
        if let Err(e) = crate::private_files::ensure_private_file(&path) {
            return Err(io_error(&path, &e));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(&path, flags)
            .map_err(|e| classify_open_error(dir, &path, e))?;
        // Set before anything reads the file: a second connection opening the store while
        // the first creates or migrates it waits instead of failing at once.
        conn.busy_timeout(std::time::Duration::from_secs(BUSY_TIMEOUT_SECONDS))
            .map_err(|e| classify_open_error(dir, &path, e))?;
        if let Some(key) = key {
            cipher_init::sqlcipher_ready().map_err(StoreError::Other)?;
            // Silence SQLCipher's own stderr logging (ignored where not supported).
            conn.execute_batch("PRAGMA cipher_log_level = NONE")
                .map_err(|e| classify_open_error(dir, &path, e))?;
            let pragma = zeroize::Zeroizing::new(format!(
                "PRAGMA key = \"{}\"",
                key.expose_secret_pragma_value().as_str()
            ));
            conn.execute_batch(&pragma)
                .map_err(|e| classify_open_error(dir, &path, e))?;
            // Page HMAC with SHA-256 instead of SQLCipher 4's default SHA-512: SHA-256 has
            // hardware support on ARMv8 tablets (and SHA-NI here); ~20 % faster autosave in
            // `benches/store.rs`. Part of the file format: every tool opening the database
            // (e.g. the sqlcipher shell after office recovery) must set it too.
            conn.execute_batch("PRAGMA cipher_hmac_algorithm = HMAC_SHA256")
                .map_err(|e| classify_open_error(dir, &path, e))?;
        }
        // The first read authenticates page 1: a wrong key fails here.
        match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        }) {
            Ok(_) => {}
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::NotADatabase) => {
                return Err(if key.is_some() {
                    StoreError::WrongKey
                } else {
                    StoreError::Corrupted(e.to_string())
                });
            }
            Err(e) => return Err(classify_open_error(dir, &path, e)),
        }
        // Refuse a newer schema before changing anything in the file.
        let found = schema::current_version(&conn)?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::NewerVersion {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        let mode = switch_to_wal(&conn).map_err(|e| classify_open_error(dir, &path, e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Other(format!(
                "the database could not switch to WAL mode (got {mode})"
            )));
        }
        // No automatic checkpoint inside a commit (it made the slowest autosaves): the WAL is
        // checkpointed at idle ([`Store::idle_checkpoint`]), when a case is completed, at
        // close, and every [`WRITES_PER_CHECKPOINT`] saves at the latest.
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = ON;
             PRAGMA wal_autocheckpoint = 0;",
        )?;
        schema::migrate(&mut conn).map_err(|e| match e {
            StoreError::CannotOpen { detail, .. } => classify_cannot_open(dir, &path, detail),
            other => other,
        })?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(Store {
            conn,
            path,
            writes_since_checkpoint: 0,
        })
    }

    /// The database file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        schema::current_version(&self.conn)
    }

    /// Moves the WAL's content into the database file and truncates the WAL
    /// (`PRAGMA wal_checkpoint(TRUNCATE)`); called when a case is completed.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        if busy != 0 {
            return Err(StoreError::Other(
                "the checkpoint could not complete".into(),
            ));
        }
        Ok(())
    }

    /// Moves what it can of the WAL into the database file without waiting for readers
    /// (`PRAGMA wal_checkpoint(PASSIVE)`); for idle moments (the sync thread, a screen
    /// change), off the keystroke path.
    pub fn idle_checkpoint(&mut self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        self.writes_since_checkpoint = 0;
        Ok(())
    }

    /// Counts a save; after [`WRITES_PER_CHECKPOINT`] of them without a checkpoint, does one.
    fn after_write(&mut self) -> Result<(), StoreError> {
        self.writes_since_checkpoint += 1;
        if self.writes_since_checkpoint >= WRITES_PER_CHECKPOINT {
            self.idle_checkpoint()?;
        }
        Ok(())
    }

    /// `PRAGMA integrity_check`: `["ok"]` for a sound database, else the problems found.
    pub fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Testing aid: caps the database at `max_pages` pages (`PRAGMA max_page_count`), so that
    /// a full device can be simulated without privileges. Returns the cap now in force.
    pub fn simulate_storage_limit(&self, max_pages: u64) -> Result<u64, StoreError> {
        let pages: i64 =
            self.conn
                .query_row(&format!("PRAGMA max_page_count = {max_pages}"), [], |r| {
                    r.get(0)
                })?;
        Ok(u64::try_from(pages).unwrap_or(0))
    }
}

/// `PRAGMA journal_mode = WAL`, retried for up to the busy timeout: while another connection
/// creates the same new file (the screen and sync threads opening a new store at once),
/// SQLite reports the switch busy at once, without waiting in its busy handler.
fn switch_to_wal(conn: &Connection) -> Result<String, rusqlite::Error> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(BUSY_TIMEOUT_SECONDS);
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)) {
            Err(e)
                if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy)
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            other => return other,
        }
    }
}

/// The current time as stored (RFC 3339, UTC, microseconds).
fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn time_text(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupted(format!("stored time {text:?}: {e}")))
}

fn classify_open_error(dir: &Path, path: &Path, error: rusqlite::Error) -> StoreError {
    match StoreError::from(error) {
        StoreError::CannotOpen { detail, .. } => classify_cannot_open(dir, path, detail),
        other => other,
    }
}

/// SQLITE_CANTOPEN often means a read-only directory (no `-wal`/`-shm` can be created):
/// probe the directory to tell the enumerator which.
fn classify_cannot_open(dir: &Path, path: &Path, detail: String) -> StoreError {
    let probe = dir.join(".census-write-probe");
    match fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = fs::remove_file(&probe);
            StoreError::CannotOpen {
                path: path.to_path_buf(),
                detail,
            }
        }
        Err(e) => io_error(dir, &e),
    }
}

fn io_error(dir: &Path, error: &std::io::Error) -> StoreError {
    match error.kind() {
        std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied => {
            StoreError::ReadOnly
        }
        std::io::ErrorKind::StorageFull => StoreError::StorageFull,
        _ => StoreError::CannotOpen {
            path: dir.to_path_buf(),
            detail: error.to_string(),
        },
    }
}
