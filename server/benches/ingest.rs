//! Ingest benchmark over loopback, client and server on the same machine, with the
//! households the app really produces (`benches/data/app-households.json`, replayed under new
//! ids, places and names) and, as a same-run baseline, the lighter synthetic households the
//! bench used before. Prints tables:
//!
//! - the client's batch build (serialise + gzip + seal + sign) of 1,000 households, and the
//!   bytes per household on the wire;
//! - the server's own costs without HTTP (open, check, store at `synchronous` NORMAL/FULL);
//! - households/s at a fixed volume (`INGEST_TOTAL`, default 20,000) from 1, 8 and 50
//!   devices, into SQLite and PostgreSQL (when `CENSUS_TEST_DATABASE_URL` is set);
//! - households/s and bytes stored per household as the database grows, slice after slice
//!   of 20,000, up to `INGEST_GROWTH` households (default 0: skipped; the figure is
//!   200,000), then one slice into an empty database again (the machine's drift over the run);
//! - on PostgreSQL, the real binary reached directly, then one and two instances behind a
//!   real HAProxy (`INGEST_BALANCER=0` skips it).
//!
//! `cargo bench -p census-server --bench ingest`; `INGEST_STORES=sqlite` (or `postgres`)
//! runs one database only. Case ids are time-ordered as the app makes them;
//! `INGEST_CASE_IDS=random` sends random ones (older tablets), the case-id indexes' worst case.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/support/mod.rs"]
mod support;

#[path = "../tests/binary/mod.rs"]
mod binary;
#[path = "../tests/haproxy/mod.rs"]
mod haproxy;

#[path = "ingest_support/balanced.rs"]
mod balanced;
#[path = "ingest_support/replay.rs"]
mod replay;
#[path = "ingest_support/sizes.rs"]
mod sizes;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use census_core::wire::{CaseOutcome, CaseRecord, build_batch};
use census_server::http::ServerConfig;
use census_server::store::Storage;
use census_server::store::postgres::PgStore;
use census_server::store::sqlite::{SqliteStore, Synchronous};
use replay::Replay;
use support::*;

/// The allocator the server binary runs with (`src/main.rs`), so that the in-process server
/// measured here allocates as the real one does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Which households a run sends.
#[derive(Clone, Copy)]
enum Households<'a> {
    /// The app's own, replayed.
    App(&'a Replay),
    /// The bench's earlier synthetic households (4–5 persons, few events): the baseline.
    Synthetic,
}

impl Households<'_> {
    fn name(self) -> &'static str {
        match self {
            Households::App(_) => "app households",
            Households::Synthetic => "synthetic households",
        }
    }

    /// `n` households of `district`, numbered from `from`.
    fn make(self, district: &str, n: usize, from: u32) -> Vec<CaseRecord> {
        (0..n as u32)
            .map(|i| match self {
                Households::App(replay) => replay.household(district, from + i),
                Households::Synthetic => census_case(district, from + i, 4 + (i % 2) as usize, 1),
            })
            .collect()
    }
}

fn bench_device() -> Device {
    unenrolled_device("bench-tab")
}

/// The client's build of a 1,000-household batch: median and max of 15, and the JSON and
/// sealed sizes per household.
fn build_time(kind: Households<'_>) {
    let device = bench_device();
    let p = payload(&device, kind.make("DR-1", 1000, 1));
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
    println!(
        "| {}: build of 1,000 (median / max of 15) | {:.1} ms / {:.1} ms |",
        kind.name(),
        times[7].as_secs_f64() * 1e3,
        times[14].as_secs_f64() * 1e3
    );
    println!(
        "| {}: per household, JSON → sealed envelope | {:.1} kB → {:.2} kB |",
        kind.name(),
        json_len as f64 / 1000.0 / 1000.0,
        size as f64 / 1000.0 / 1000.0
    );
}

/// Households per district, about a census enumeration area: every run has districts of
/// this size, so the device count changes only how many tablets send at once, not the shape
/// of the data (a district's summaries are recomputed from its facts at each batch).
const PER_DISTRICT: usize = 200;

/// One run's shape: `devices` tablets, each sending `batches` batches of `size` households
/// (`size` divides [`PER_DISTRICT`]), district after district (`{prefix}-{device}-{k}`).
struct Plan<'a> {
    prefix: &'a str,
    devices: usize,
    batches: usize,
    size: usize,
}

impl<'a> Plan<'a> {
    /// A slice of the growth measure: 50 devices × 4 batches × 100 households (20,000).
    fn growth_slice(prefix: &'a str) -> Plan<'a> {
        Plan {
            prefix,
            devices: 50,
            batches: 4,
            size: 100,
        }
    }

    /// The districts device `device` enumerates.
    fn districts(&self, device: usize) -> Vec<String> {
        let n = (self.batches * self.size).div_ceil(PER_DISTRICT);
        (0..n)
            .map(|k| format!("{}-{device:03}-{k:03}", self.prefix))
            .collect()
    }

    /// Batch `batch` of device `device`: its district and first dwelling number.
    fn batch_place(&self, device: usize, batch: usize) -> (String, u32) {
        let first = batch * self.size;
        let district = format!("{}-{device:03}-{:03}", self.prefix, first / PER_DISTRICT);
        (district, (first % PER_DISTRICT + 1) as u32)
    }

    /// The households of every batch of device `device`, in order.
    fn batches_of(&self, kind: Households<'_>, device: usize) -> Vec<Vec<CaseRecord>> {
        (0..self.batches)
            .map(|b| {
                let (district, from) = self.batch_place(device, b);
                kind.make(&district, self.size, from)
            })
            .collect()
    }
}

/// Households per second over HTTP for `plan` into `store` (the envelopes are built before
/// the clock starts; every household must be stored once).
async fn ingest(store: Arc<dyn Storage>, plan: &Plan<'_>, kind: Households<'_>) -> f64 {
    let frame: Vec<_> = (0..plan.devices)
        .flat_map(|i| plan.districts(i))
        .map(|d| district(&d))
        .collect();
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
    for i in 0..plan.devices {
        let districts = plan.districts(i);
        let names: Vec<&str> = districts.iter().map(String::as_str).collect();
        let dev = server
            .enrol(&format!("tab-{i}-{}", uuid::Uuid::new_v4()), "E", &names)
            .await;
        let envelopes: Vec<Vec<u8>> = plan
            .batches_of(kind, i)
            .into_iter()
            .map(|cases| envelope(&dev, &payload(&dev, cases)))
            .collect();
        work.push((dev.token.clone(), envelopes));
    }
    let total = plan.devices * plan.batches * plan.size;
    send_all(&server.http, &server.url, work, total).await
}

/// Sends each device's envelopes (`(token, envelopes)`) to `base`, the devices at once and
/// each its batches in order, and returns households/s; every one of the `total` households
/// must be stored once.
async fn send_all(
    http: &reqwest::Client,
    base: &str,
    work: Vec<(String, Vec<Vec<u8>>)>,
    total: usize,
) -> f64 {
    let start_at = Instant::now();
    let mut tasks = Vec::new();
    for (token, envelopes) in work {
        let http = http.clone();
        let url = format!("{base}/v1/batches");
        tasks.push(tokio::spawn(async move {
            let mut stored = 0;
            for body in envelopes {
                let resp = http
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/octet-stream")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), 200, "{:?}", resp.text().await);
                let reply: census_core::wire::BatchReply = resp.json().await.unwrap();
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
    total as f64 / secs
}

/// Server-side costs without HTTP: opening one 100-household batch (verify + decrypt +
/// inflate + parse), checking it, and storing batches straight into a store.
async fn breakdown(store: Arc<dyn Storage>, label: &str, kind: Households<'_>) -> f64 {
    let office = census_core::wire::OfficeSecret::generate().unwrap();
    let device = Device {
        office_public: office.public_key(),
        ..bench_device()
    };
    let env = build_batch(
        &payload(&device, kind.make("DR-X", 100, 1)),
        &device.key,
        &device.office_public,
    )
    .unwrap();
    let open = || {
        census_server::incoming::open_incoming(&env, &device.key.public_key(), &office, 1 << 26)
            .unwrap()
    };
    let mut times = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        open();
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "| {}: open one 100-household batch (verify, decrypt, inflate, parse; median) | {:.1} ms |",
        kind.name(),
        times[10].as_secs_f64() * 1e3
    );
    let questionnaires = census_server::validate::Questionnaires::default();
    let today = chrono::Utc::now().date_naive();
    let mut times = Vec::new();
    for _ in 0..20 {
        let mut p = open();
        let t = Instant::now();
        census_server::validate::check_batch(&mut p, &questionnaires, today);
        times.push(t.elapsed());
        assert!(p.cases.iter().all(|c| c.refused.is_none()));
    }
    times.sort();
    println!(
        "| {}: check one 100-household batch against its questionnaire (median) | {:.1} ms |",
        kind.name(),
        times[10].as_secs_f64() * 1e3
    );
    store.import_districts(&[district("DR-X")]).await.unwrap();
    let record = census_server::store::DeviceRecord {
        device_id: "bench-tab".into(),
        enumerator_id: "E".into(),
        public_key: vec![0; 32],
        districts: vec!["DR-X".into()],
    };
    let batches: Vec<_> = (0..20)
        .map(|b| payload(&device, kind.make("DR-X", 100, b * 100 + 1)))
        .map(|p| census_server::incoming::IncomingBatch::from_payload(&p).unwrap())
        .collect();
    let t = Instant::now();
    for p in &batches {
        store.ingest_incoming(&record, p, &[]).await.unwrap();
    }
    let rate = 2000.0 / t.elapsed().as_secs_f64();
    println!(
        "| {}: store only, {label}, one writer (no HTTP, no crypto) | {rate:.0} households/s |",
        kind.name()
    );
    rate
}

/// A temporary SQLite store with commits synced as `sync` says, and its file.
fn sqlite_store_with(sync: Synchronous) -> (Arc<dyn Storage>, tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("census.db");
    let store = SqliteStore::open_with(path.to_str().unwrap(), sync).unwrap();
    (Arc::new(store), dir, path)
}

/// A store of `kind` ("sqlite", "postgres") as the server runs it, with what measures its
/// size on disk. `None` when PostgreSQL is not configured.
async fn fresh_store(kind: &str) -> Option<(Arc<dyn Storage>, Sizer)> {
    match kind {
        "sqlite" => {
            let (store, dir, path) = sqlite_store_with(Synchronous::Full);
            Some((store, Sizer::Sqlite { _dir: dir, path }))
        }
        _ => {
            let url = std::env::var("CENSUS_TEST_DATABASE_URL").ok()?;
            let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
            let store: Arc<dyn Storage> =
                Arc::new(PgStore::connect_in_schema(&url, &schema).await.unwrap());
            Some((store, Sizer::Postgres(url, schema)))
        }
    }
}

/// Measures a bench store's size on disk.
enum Sizer {
    /// The temporary directory (kept while the store is used) and the database file.
    Sqlite {
        _dir: tempfile::TempDir,
        path: PathBuf,
    },
    Postgres(String, String),
}

impl Sizer {
    async fn bytes(&self) -> u64 {
        match self {
            Sizer::Sqlite { path, .. } => sizes::sqlite_bytes(path),
            Sizer::Postgres(url, schema) => sizes::postgres_bytes(url, schema).await,
        }
    }

    /// Frees what the store took: the temporary directory, or the PostgreSQL schema.
    async fn discard(self) {
        if let Sizer::Postgres(url, schema) = self {
            sizes::drop_postgres_schema(&url, &schema).await;
        }
    }
}

/// Households/s at a fixed volume from 1, 8 and 50 devices (batches of 100).
async fn concurrency(kind: &str, total: usize, replay: &Replay) {
    for devices in [1, 8, 50] {
        let Some((store, sizer)) = fresh_store(kind).await else {
            println!("| {kind} | skipped: CENSUS_TEST_DATABASE_URL unset |");
            return;
        };
        let batches = (total / (devices * 100)).max(1);
        let plan = Plan {
            prefix: "DR",
            devices,
            batches,
            size: 100,
        };
        let rate = ingest(store, &plan, Households::App(replay)).await;
        let scans = match &sizer {
            Sizer::Postgres(url, schema) => {
                let (scans, rows) = sizes::postgres_seq_scans(url, schema, "case_facts").await;
                format!(" ({scans} sequential scans of case_facts, {rows} rows read by them)")
            }
            Sizer::Sqlite { .. } => String::new(),
        };
        sizer.discard().await;
        println!(
            "| {kind}, {devices} devices × {batches} batches × 100 app households ({}) | {rate:.0} households/s{scans} |",
            devices * batches * 100
        );
    }
}

/// Households/s and bytes per household, slice after slice of 20,000, up to `up_to`.
async fn growth(kind: &str, up_to: usize, replay: &Replay) {
    let Some((store, sizer)) = fresh_store(kind).await else {
        println!("| {kind} | skipped: CENSUS_TEST_DATABASE_URL unset |");
        return;
    };
    let mut stored = 0;
    let mut first = None;
    let mut last = None;
    let mut written = sizes::process_disk_writes();
    for slice in 0.. {
        if stored >= up_to {
            break;
        }
        let prefix = format!("G{slice:02}");
        let plan = Plan::growth_slice(&prefix);
        let rate = ingest(Arc::clone(&store), &plan, Households::App(replay)).await;
        stored += 20_000;
        let bytes = sizer.bytes().await;
        // Written to disk for the slice: its sends, the background checkpoints and the size
        // check's own checkpoint (which moves the rest of the log into the file).
        let now_written = sizes::process_disk_writes();
        let slice_writes = match (kind, written, now_written) {
            ("sqlite", Some(a), Some(b)) => format!(
                " | {:.1} kB written to disk per household",
                b.saturating_sub(a) as f64 / 20_000.0 / 1000.0
            ),
            _ => String::new(),
        };
        written = now_written;
        let base = *first.get_or_insert(rate);
        last = Some(rate);
        println!(
            "| {kind}, {stored} stored | {rate:.0} households/s ({:.2} of the first slice) | {:.1} kB per household{slice_writes} |",
            rate / base,
            bytes as f64 / stored as f64 / 1000.0
        );
    }
    drop(store);
    sizer.discard().await;
    // The machine is shared: its speed drifts over a run of several minutes. The same slice
    // into an empty database right after the last one tells growth from drift.
    if let (Some(last), Some((fresh, sizer))) = (last, fresh_store(kind).await) {
        let plan = Plan::growth_slice("GF");
        let rate = ingest(Arc::clone(&fresh), &plan, Households::App(replay)).await;
        println!(
            "| {kind}, an empty database again, right after | {rate:.0} households/s (the last slice is {:.2} of it) |",
            last / rate
        );
        drop(fresh);
        sizer.discard().await;
    }
}

fn main() {
    let total = env_or("INGEST_TOTAL", 20_000);
    let up_to = env_or("INGEST_GROWTH", 0);
    let stores: Vec<String> = std::env::var("INGEST_STORES")
        .unwrap_or_else(|_| "sqlite,postgres".into())
        .split(',')
        .map(str::to_owned)
        .collect();
    let replay = Replay::load();
    println!(
        "App households: {:.1} persons each on average (fixture of the app's own records), \
         case ids {}.\n",
        replay.persons_per_household(),
        if replay.random_ids() {
            "random (version 4, INGEST_CASE_IDS=random)"
        } else {
            "time-ordered as the app makes them (version 7)"
        }
    );
    println!("| measure | value |");
    println!("|---|---|");
    for kind in [Households::App(&replay), Households::Synthetic] {
        build_time(kind);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        // Same-run baseline: commits not synced (`synchronous=NORMAL`) against what the
        // server runs with (`FULL`, synced per batch).
        let mut rates = Vec::new();
        for sync in [Synchronous::Normal, Synchronous::Full] {
            let (direct, _d, _p) = sqlite_store_with(sync);
            let label = format!("SQLite synchronous={}", sync.name());
            rates.push(breakdown(direct, &label, Households::App(&replay)).await);
        }
        println!(
            "| store only: FULL / NORMAL | {:.2} (per 100-household batch: +{:.2} ms) |",
            rates[1] / rates[0],
            (100.0 / rates[1] - 100.0 / rates[0]) * 1e3
        );
        // Same-run baseline: the synthetic households the bench sent before.
        let mut rates = Vec::new();
        for kind in [Households::Synthetic, Households::App(&replay)] {
            let (store, _dir, _p) = sqlite_store_with(Synchronous::Full);
            let plan = Plan {
                prefix: "DR",
                devices: 50,
                batches: 4,
                size: 100,
            };
            let rate = ingest(store, &plan, kind).await;
            println!(
                "| SQLite, 50 devices × 4 batches × 100 {} | {rate:.0} households/s |",
                kind.name()
            );
            rates.push(rate);
        }
        println!(
            "| app / synthetic households | {:.2} |",
            rates[1] / rates[0]
        );
        for kind in &stores {
            concurrency(kind, total, &replay).await;
        }
        if up_to > 0 {
            for kind in &stores {
                growth(kind, up_to, &replay).await;
            }
        }
        let balancer = std::env::var("INGEST_BALANCER").map_or(true, |v| v != "0");
        if balancer && stores.iter().any(|s| s == "postgres") {
            balanced::run(total, &replay).await;
        }
    });
}
