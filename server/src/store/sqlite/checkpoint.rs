//! Moves the SQLite write-ahead log into the database file from a background thread, so that
//! the writer's commits do not wait for checkpoints (and their fsyncs). The writer's own
//! automatic checkpoint stays on at a large log size, as a backstop if this thread falls
//! behind.

use std::sync::{Arc, Weak};
use std::time::Duration;

use rusqlite::Connection;

/// WAL size (pages) at which a commit checkpoints by itself: 512 MiB, well above what the
/// background thread lets accumulate (at 150 MB/s of log, 300 MB between two of its runs).
pub const WRITER_AUTOCHECKPOINT_PAGES: u32 = 131_072;

/// How often the background thread checkpoints. A page changed several times between two
/// checkpoints is copied into the file once: at census volume each leaf of the indexes on
/// random case ids is changed about twice a second, and checkpointing every 2 s rather than
/// every 0.5 s cut the bytes written per household at 200,000 stored from 44 to 35 kB
/// (ingest bench, alternating runs).
const PERIOD: Duration = Duration::from_millis(2_000);

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
