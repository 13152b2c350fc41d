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

/// The tables ingest reads or writes that grow with the census.
pub const GROWING_TABLES: &str = "cases, case_events, batches, case_facts, listed_buildings, \
    listed_dwellings, tally_cases, tally_listing, tally_days, tally_apart, omitted_dwellings, \
    unvisited_buildings, repeated_numbers, head_counts";

/// After how many stored batches of this process the tables are analysed.
pub const ANALYSE_AFTER: [u64; 3] = [10, 100, 1_000];

/// Counts the batches this process stored and analyses the tables at [`ANALYSE_AFTER`].
#[derive(Debug, Default, Clone)]
pub struct Statistics {
    stored: Arc<AtomicU64>,
}

impl Statistics {
    /// Notes one more stored batch; at a count of [`ANALYSE_AFTER`], starts an ANALYZE of
    /// [`GROWING_TABLES`] on a connection of `pool` (a failure is logged, nothing else).
    pub fn batch_stored(&self, pool: &Pool) {
        let count = self.stored.fetch_add(1, Ordering::Relaxed) + 1;
        if !ANALYSE_AFTER.contains(&count) {
            return;
        }
        let pool = pool.clone();
        tokio::spawn(async move {
            let analysed = match pool.get().await {
                Ok(client) => client
                    .batch_execute(&format!("ANALYZE {GROWING_TABLES}"))
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
