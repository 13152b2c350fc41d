//! How SQLite commits reach the disk. The server acknowledges a batch only after its
//! transaction commits; under `synchronous=NORMAL` in WAL mode that commit is not yet
//! synced, so a power cut or OS crash could lose a batch the tablet was told is stored (and
//! the tablet, having marked it sent, never resends it). The server therefore writes with
//! `synchronous=FULL`: each commit syncs the write-ahead log before it returns.

use rusqlite::Connection;

use crate::store::StoreError;

/// SQLite's `synchronous` setting for the writing connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synchronous {
    /// WAL synced only at checkpoints: a commit may be lost in a power cut. Benchmarks'
    /// baseline only.
    Normal,
    /// WAL synced at every commit: what the server runs with.
    Full,
}

impl Synchronous {
    /// The pragma's name for this setting.
    pub fn name(self) -> &'static str {
        match self {
            Synchronous::Normal => "NORMAL",
            Synchronous::Full => "FULL",
        }
    }
}

/// Puts the connection in WAL mode with `synchronous` commits.
pub fn set(conn: &Connection, synchronous: Synchronous) -> Result<(), StoreError> {
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(|e| StoreError::Backend(format!("cannot set the journal mode: {e}")))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Backend(format!(
            "the database stays in journal mode {mode:?}, not WAL (is it on a network file \
             system?)"
        )));
    }
    conn.pragma_update(None, "synchronous", synchronous.name())
        .map_err(|e| StoreError::Backend(format!("cannot set synchronous commits: {e}")))
}

/// The connection's `synchronous` setting.
pub fn get(conn: &Connection) -> Result<Synchronous, StoreError> {
    let level: i64 = conn
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .map_err(|e| StoreError::Backend(format!("cannot read the synchronous setting: {e}")))?;
    match level {
        1 => Ok(Synchronous::Normal),
        2 => Ok(Synchronous::Full),
        other => Err(StoreError::Backend(format!(
            "unexpected synchronous level {other} (0 off, 1 normal, 2 full, 3 extra)"
        ))),
    }
}
