//! Ingest benchmark: households per second from many simulated devices over loopback into
//! SQLite (and PostgreSQL when `CENSUS_TEST_DATABASE_URL` is set), and the client's batch
//! build time (serialise + gzip + seal + sign) for 1,000 households. Prints a table.
//!
//! `cargo bench -p census-server --bench ingest` (env `INGEST_DEVICES`, `INGEST_BATCHES`,
//! `INGEST_BATCH_SIZE` override the defaults 50, 4, 100).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use census_core::wire::{CaseOutcome, build_batch};
use census_server::http::ServerConfig;
use census_server::store::Storage;
use census_server::store::postgres::PgStore;
use census_server::store::sqlite::{SqliteStore, Synchronous};
use support::*;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn households(district: &str, n: usize, from: u32) -> Vec<census_core::wire::CaseRecord> {
    (0..n)
        .map(|i| census_case(district, from + i as u32, 4 + i % 2, 1))
        .collect()
}

fn build_time() -> (Duration, Duration, usize, usize) {
    let device = Device {
        id: "bench-tab".into(),
        key: census_core::wire::DeviceKey::generate().unwrap(),
        token: String::new(),
        office_public: census_core::wire::OfficeSecret::generate()
            .unwrap()
            .public_key(),
        enumerator: "E-1".into(),
    };
    let p = payload(&device, households("DR-1", 1000, 1));
    let json_len = serde_json::to_vec(&p).unwrap().len();
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..15 {
        let t = Instant::now();
        let b = build_batch(&p, &device.key, &device.office_public).unwrap();
        let bytes = b.to_bytes();
        times.push(t.elapsed());
        size = bytes.len();
    }
    times.sort();
    (
        times[times.len() / 2],
        times[times.len() - 1],
        json_len,
        size,
    )
}

async fn ingest(
    store: Arc<dyn Storage>,
    devices: usize,
    batches: usize,
    size: usize,
) -> (f64, usize) {
    let ids: Vec<String> = (0..devices).map(|i| format!("DR-{i:03}")).collect();
    let frame: Vec<_> = ids.iter().map(|d| district(d)).collect();
    store.import_districts(&frame).await.unwrap();
    let config = ServerConfig {
        rate_burst: 1_000_000,
        rate_per_second: 1_000_000.0,
        // Every simulated tablet enrols from the loopback address.
        clients: census_server::http::limits::ClientLimits {
            enrol_burst: 100_000,
            enrol_per_minute: 100_000.0,
            ..Default::default()
        },
        // Cases are read for coverage as in production: with the census' coverage block.
        coverage_items: census_items(),
        ..ServerConfig::default()
    };
    let server = Arc::new(start(store, config).await);
    let mut work = Vec::new();
    for (i, d) in ids.iter().enumerate() {
        let dev = server
            .enrol(&format!("tab-{i}-{}", uuid::Uuid::new_v4()), "E", &[d])
            .await;
        let envelopes: Vec<Vec<u8>> = (0..batches)
            .map(|b| {
                envelope(
                    &dev,
                    &payload(&dev, households(d, size, (b * size + 1) as u32)),
                )
            })
            .collect();
        work.push((dev.token.clone(), envelopes));
    }
    let total = devices * batches * size;
    let start_at = Instant::now();
    let mut tasks = Vec::new();
    for (token, envelopes) in work {
        let server = Arc::clone(&server);
        tasks.push(tokio::spawn(async move {
            let mut stored = 0;
            for e in envelopes {
                let (status, body) = server.post_batch(&token, e).await;
                assert_eq!(status, 200, "{body}");
                let reply: census_core::wire::BatchReply = serde_json::from_value(body).unwrap();
                stored += reply
                    .results
                    .iter()
                    .filter(|r| r.outcome == CaseOutcome::Stored)
                    .count();
            }
            stored
        }));
    }
    let mut stored = 0;
    for t in tasks {
        stored += t.await.unwrap();
    }
    let secs = start_at.elapsed().as_secs_f64();
    assert_eq!(stored, total, "every household stored once");
    (total as f64 / secs, total)
}

/// Server-side costs without HTTP: opening one 100-household batch (verify + decrypt +
/// inflate + parse), and storing batches straight into a store.
async fn breakdown(store: Arc<dyn Storage>, label: &str) -> f64 {
    let office = census_core::wire::OfficeSecret::generate().unwrap();
    let device = Device {
        id: "tab-x".into(),
        key: census_core::wire::DeviceKey::generate().unwrap(),
        token: String::new(),
        office_public: office.public_key(),
        enumerator: "E".into(),
    };
    let env = build_batch(
        &payload(&device, households("DR-X", 100, 1)),
        &device.key,
        &device.office_public,
    )
    .unwrap();
    let mut times = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        census_server::incoming::open_incoming(&env, &device.key.public_key(), &office, 1 << 26)
            .unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "| open one 100-household batch (verify, decrypt, inflate, parse; median) | {:.1} ms |",
        times[10].as_secs_f64() * 1e3
    );
    let questionnaires = census_server::validate::Questionnaires::default();
    let today = chrono::Utc::now().date_naive();
    let mut times = Vec::new();
    for _ in 0..20 {
        let mut p = census_server::incoming::open_incoming(
            &env,
            &device.key.public_key(),
            &office,
            1 << 26,
        )
        .unwrap();
        let t = Instant::now();
        census_server::validate::check_batch(&mut p, &questionnaires, today);
        times.push(t.elapsed());
        assert!(p.cases.iter().all(|c| c.refused.is_none()));
    }
    times.sort();
    println!(
        "| check one 100-household batch against its questionnaire (median) | {:.1} ms |",
        times[10].as_secs_f64() * 1e3
    );
    store.import_districts(&[district("DR-X")]).await.unwrap();
    let record = census_server::store::DeviceRecord {
        device_id: "tab-x".into(),
        enumerator_id: "E".into(),
        public_key: vec![0; 32],
        districts: vec!["DR-X".into()],
    };
    let batches: Vec<_> = (0..20)
        .map(|b| payload(&device, households("DR-X", 100, b * 100 + 1)))
        .map(|p| census_server::incoming::IncomingBatch::from_payload(&p).unwrap())
        .collect();
    let t = Instant::now();
    for p in &batches {
        store.ingest_incoming(&record, p, &[]).await.unwrap();
    }
    let rate = 2000.0 / t.elapsed().as_secs_f64();
    println!("| store only, {label}, one writer (no HTTP, no crypto) | {rate:.0} households/s |");
    rate
}

/// A temporary SQLite store with commits synced as `sync` says.
fn sqlite_store_with(sync: Synchronous) -> (Arc<dyn Storage>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("census.db");
    let store = SqliteStore::open_with(path.to_str().unwrap(), sync).unwrap();
    (Arc::new(store), dir)
}

fn main() {
    let devices = env_or("INGEST_DEVICES", 50);
    let batches = env_or("INGEST_BATCHES", 4);
    let size = env_or("INGEST_BATCH_SIZE", 100);
    let (median, max, json_len, sealed_len) = build_time();
    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| client batch build, 1,000 households (median / max of 15) | {:.1} ms / {:.1} ms |",
        median.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3
    );
    println!(
        "| batch size, 1,000 households: JSON → sealed envelope | {:.1} MB → {:.2} MB |",
        json_len as f64 / 1e6,
        sealed_len as f64 / 1e6
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        // Same-run baseline: commits not synced (`synchronous=NORMAL`, before the durable
        // acknowledgement) against what the server runs with (`FULL`, synced per batch).
        let mut rates = Vec::new();
        for sync in [Synchronous::Normal, Synchronous::Full] {
            let (direct, _d) = sqlite_store_with(sync);
            let label = format!("SQLite synchronous={}", sync.name());
            rates.push(breakdown(direct, &label).await);
        }
        println!(
            "| store only: FULL / NORMAL | {:.2} (per 100-household batch: +{:.2} ms) |",
            rates[1] / rates[0],
            (100.0 / rates[1] - 100.0 / rates[0]) * 1e3
        );
        let mut rates = Vec::new();
        for sync in [Synchronous::Normal, Synchronous::Full] {
            let (store, _dir) = sqlite_store_with(sync);
            let (rate, n) = ingest(store, devices, batches, size).await;
            println!(
                "| ingest SQLite synchronous={}: {devices} devices × {batches} batches × {size} households ({n}) | {rate:.0} households/s |",
                sync.name()
            );
            rates.push(rate);
        }
        println!("| ingest SQLite: FULL / NORMAL | {:.2} |", rates[1] / rates[0]);
        match std::env::var("CENSUS_TEST_DATABASE_URL") {
            Ok(url) => {
                let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
                let store: Arc<dyn Storage> =
                    Arc::new(PgStore::connect_in_schema(&url, &schema).await.unwrap());
                let (rate, n) = ingest(store, devices, batches, size).await;
                println!(
                    "| ingest PostgreSQL: {devices} devices × {batches} batches × {size} households ({n}) | {rate:.0} households/s |"
                );
            }
            Err(_) => println!("| ingest PostgreSQL | skipped: CENSUS_TEST_DATABASE_URL unset |"),
        }
    });
}
