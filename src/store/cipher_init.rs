//! SQLCipher's process-wide start-up, completed once before any database is keyed.
//!
//! SQLite marks itself initialised *before* it runs SQLCipher's own initialisation
//! (`SQLITE_EXTRA_INIT`, outside SQLite's start-up mutexes). A second thread opening its first
//! connection in that moment sees SQLite ready, and its `PRAGMA key` fails with "An error
//! occurred with PRAGMA key or rekey" because SQLCipher is not yet: at the start of the app
//! (screen and sync thread) or of a test binary, an unlock could fail for no reason. Every
//! keyed open therefore waits here until one throwaway in-memory connection has been keyed.

use std::sync::OnceLock;
use std::time::Duration;

use rusqlite::Connection;

/// Tries before giving up (another thread still inside SQLCipher's start-up).
const ATTEMPTS: u32 = 200;
/// Pause between tries.
const PAUSE: Duration = Duration::from_millis(5);

static READY: OnceLock<Result<(), String>> = OnceLock::new();

/// Returns once SQLCipher can key a connection in this process, or the reason it cannot
/// (the same answer for every later caller). Concurrent callers wait for the first one.
pub(super) fn sqlcipher_ready() -> Result<(), String> {
    READY.get_or_init(start_sqlcipher).clone()
}

fn start_sqlcipher() -> Result<(), String> {
    let mut last_error = String::new();
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            std::thread::sleep(PAUSE);
        }
        // When this is the process's first connection, opening it runs SQLite's and
        // SQLCipher's whole start-up on this thread, and the key succeeds at once; a retry
        // only happens when another library in the process started SQLite a moment ago.
        match Connection::open_in_memory()
            .and_then(|conn| conn.execute_batch("PRAGMA key = 'sqlcipher-start-up-probe'"))
        {
            Ok(()) => return Ok(()),
            Err(e) => last_error = e.to_string(),
        }
    }
    Err(format!("SQLCipher could not start: {last_error}"))
}
