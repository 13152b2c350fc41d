//! Moves the SQLite write-ahead log into the database file from a background thread, so that
//! the writer's commits do not wait for checkpoints (and their fsyncs). The writer's own
//! automatic checkpoint stays on at a large log size, as a backstop if this thread falls
//! behind.

use std::sync::{Arc, Weak};
use std::time::Duration;

use rusqlite::Connection;

/// WAL size (pages) at which a commit checkpoints by itself.
pub const WRITER_AUTOCHECKPOINT_PAGES: u32 = 16_384;

/// How often the background thread checkpoints.
const PERIOD: Duration = Duration::from_millis(500);

/// Starts a thread that checkpoints the database at `path` (without blocking writers or
/// readers) every [`PERIOD`], for as long as `alive` has a strong reference.
pub fn start(path: &str, alive: &Arc<()>) -> Result<(), String> {
    let conn = Connection::open(path).map_err(|e| e.to_string())?;
    conn.busy_timeout(Duration::from_secs(10))
        .map_err(|e| e.to_string())?;
    let alive: Weak<()> = Arc::downgrade(alive);
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || {
            loop {
                std::thread::sleep(PERIOD);
                if alive.upgrade().is_none() {
                    break;
                }
                let done = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                if let Err(e) = done {
                    tracing::warn!(error = %e, "background checkpoint failed");
                }
            }
        })
        .map_err(|e| e.to_string())?;
    Ok(())
}
