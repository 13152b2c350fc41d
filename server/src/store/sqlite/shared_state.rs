//! SQLite: state the server keeps across restarts rather than in the process — today the
//! secret the review page's session key is derived from (`http::session`). Per-address rate
//! limits stay in the one serving process (SQLite is served by one process only).

use ring::rand::{SecureRandom, SystemRandom};
use rusqlite::{Connection, OptionalExtension, params};

use crate::store::StoreError;

/// The tables: migration 2.
pub const TABLES: &str = "
CREATE TABLE IF NOT EXISTS server_secrets (
    name TEXT PRIMARY KEY,
    secret BLOB NOT NULL,
    created_at TEXT NOT NULL
);";

/// A fresh random secret.
pub fn random_secret() -> Result<[u8; 32], StoreError> {
    let mut bytes = [0u8; 32];
    SystemRandom::new().fill(&mut bytes).map_err(|_| {
        StoreError::Backend("the system gave no randomness for a server secret".into())
    })?;
    Ok(bytes)
}

/// The secret named `name`, created at its first use (see `Storage::shared_secret`).
pub fn shared_secret(conn: &Connection, name: &str) -> Result<[u8; 32], StoreError> {
    let fresh = random_secret()?;
    conn.execute(
        "INSERT OR IGNORE INTO server_secrets (name, secret, created_at) VALUES (?1, ?2, ?3)",
        params![name, &fresh[..], chrono::Utc::now().to_rfc3339()],
    )?;
    let stored: Option<Vec<u8>> = conn
        .query_row(
            "SELECT secret FROM server_secrets WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()?;
    stored
        .and_then(|s| <[u8; 32]>::try_from(s.as_slice()).ok())
        .ok_or_else(|| {
            StoreError::Backend(format!(
                "the server secret {name:?} is missing or not 32 bytes"
            ))
        })
}
