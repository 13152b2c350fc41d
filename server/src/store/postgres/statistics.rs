//! Planner statistics at the start of a census. The ingest statements are prepared once per
//! connection and PostgreSQL soon keeps a generic plan for each; one made while the tables
//! were empty (never analysed) reads them whole (sequential scans of `case_facts` and the
//! summaries, millions of rows read from one tablet's first 20,000 households) until an
//! ANALYZE invalidates it, and autovacuum's first ANALYZE comes late. So each server
//! process analyses the tables ingest reads after its 10th, 100th and 1,000th stored batch,
//! in the background (the reply does not wait; inserts are not blocked).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use deadpool_postgres::Pool;

use crate::store::summary_sql;

/// What refreshes the statistics of the tables ingest reads or writes that grow with the
/// census: the cases, their events, batches and listing, then the facts and summaries as a
/// rebuild of the summaries analyses them ([`summary_sql::ANALYZE`]).
pub fn analyse_growing_tables() -> String {
    format!(
        "ANALYZE cases, case_events, batches, listed_buildings, listed_dwellings; {}",
        summary_sql::ANALYZE
    )
}

/// After how many stored batches of this process the tables are analysed.
pub const ANALYSE_AFTER: [u64; 3] = [10, 100, 1_000];

/// Counts the batches this process stored and analyses the tables at [`ANALYSE_AFTER`].
#[derive(Debug, Default, Clone)]
pub struct Statistics {
    stored: Arc<AtomicU64>,
}

impl Statistics {
    /// Notes one more stored batch; at a count of [`ANALYSE_AFTER`], starts an ANALYZE of
    /// the growing tables ([`analyse_growing_tables`]) on a connection of `pool` (a failure is logged, nothing else).
    pub fn batch_stored(&self, pool: &Pool) {
        let count = self.stored.fetch_add(1, Ordering::Relaxed) + 1;
        if !ANALYSE_AFTER.contains(&count) {
            return;
        }
        let pool = pool.clone();
        tokio::spawn(async move {
            let analysed = match pool.get().await {
                Ok(client) => client
                    .batch_execute(&analyse_growing_tables())
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match analysed {
                Ok(()) => tracing::info!(batches = count, "planner statistics refreshed"),
                Err(e) => tracing::warn!(
                    batches = count,
                    error = %crate::logsafe::text(&e),
                    "planner statistics not refreshed (autovacuum will)"
                ),
            }
        });
    }
}
