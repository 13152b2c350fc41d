//! PostgreSQL at the start of a census: the server analyses the tables ingest reads after
//! its 10th stored batch, so that the plans it prepared on empty tables (sequential scans)
//! are made again with statistics, long before autovacuum's first ANALYZE.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::{Duration, Instant};

use census_server::incoming::IncomingBatch;
use census_server::store::postgres::PgStore;
use census_server::store::{DeviceRecord, Storage};
use support::{census_case, district, payload};

/// How many times `table` of `schema` has been analysed by an ANALYZE command (not
/// autovacuum).
async fn analysed(url: &str, schema: &str, table: &str) -> i64 {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    let task = tokio::spawn(connection);
    let row = client
        .query_opt(
            "SELECT analyze_count FROM pg_stat_user_tables
             WHERE schemaname = $1 AND relname = $2",
            &[&schema, &table],
        )
        .await
        .unwrap();
    drop(client);
    let _ = task.await;
    row.map_or(0, |r| r.get(0))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tables_are_analysed_after_the_tenth_batch() {
    let Some(url) = support::postgres_url("planner statistics") else {
        return;
    };
    let schema = format!("stats_{}", uuid::Uuid::new_v4().simple());
    let store = PgStore::connect_in_schema(&url, &schema).await.unwrap();
    store.import_districts(&[district("DR-S")]).await.unwrap();
    let device = support::unenrolled_device("stats-tab");
    let record = DeviceRecord {
        device_id: device.id.clone(),
        enumerator_id: "E-1".into(),
        public_key: vec![0; 32],
        districts: vec!["DR-S".into()],
    };
    let send = async |batch: u32| {
        let cases = (1..=3).map(|i| census_case("DR-S", batch * 3 + i, 4, 1));
        let incoming = IncomingBatch::from_payload(&payload(&device, cases.collect())).unwrap();
        let ingested = store
            .ingest_incoming(&record, &incoming, &[])
            .await
            .unwrap();
        assert!(!ingested.replayed);
    };
    let tables = ["case_facts", "cases", "tally_cases", "head_counts"];
    for batch in 0..9 {
        send(batch).await;
    }
    // Nine batches: only the ANALYZE of the empty summaries when the store was created.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut before = Vec::new();
    for table in tables {
        before.push(analysed(&url, &schema, table).await);
    }
    assert_eq!(before, [1, 0, 1, 1]);
    send(9).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    for (table, before) in tables.into_iter().zip(before) {
        while analysed(&url, &schema, table).await == before {
            assert!(
                Instant::now() < deadline,
                "{table} not analysed 30 s after the 10th batch"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
