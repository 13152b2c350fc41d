//! A fault-injection point for the durability test: with
//! `CENSUS_SERVER_FAULT_HOLD_REPLY_MS` set, the batch handler waits that long after the
//! batch's transaction committed and before it replies, so a test can kill the real binary
//! in exactly that gap. Unset (always, in production) it costs one cached lookup.

use std::sync::OnceLock;
use std::time::Duration;

/// The variable naming the hold, in milliseconds.
pub const HOLD_REPLY_VAR: &str = "CENSUS_SERVER_FAULT_HOLD_REPLY_MS";

fn hold() -> Option<Duration> {
    static HOLD: OnceLock<Option<Duration>> = OnceLock::new();
    *HOLD.get_or_init(|| {
        std::env::var(HOLD_REPLY_VAR)
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .map(Duration::from_millis)
    })
}

/// Waits the configured hold (if any) after batch `batch_id` committed, saying so in the log.
pub async fn hold_reply_after_commit(batch_id: uuid::Uuid) {
    if let Some(hold) = hold() {
        tracing::warn!(batch = %batch_id, ms = hold.as_millis() as u64, "fault test: batch committed, reply held");
        tokio::time::sleep(hold).await;
    }
}
