//! Office data products: time and peak memory of the real `census-server` binary.
//!
//! `cargo bench -p census-server --bench export -- PERSONS[,PERSONS…]|none [HOUSEHOLDS
//! [sqlite|postgres|both]]` (default `50000,100000,200000 100000 both`; the sizes
//! are `1000000 2000000`; `none 2000000` times only the tabulation, the third argument
//! chooses the databases).
//! For each size, on SQLite and on PostgreSQL (`CENSUS_TEST_DATABASE_URL`), household cases
//! of the bundled questionnaire (1 to 7 persons, built through the engine) are bulk-loaded
//! into the cases table (ingest has its own bench), then the table prints, per run: wall
//! time, peak RSS (the child's `VmHWM`, polled), and the ratio to the same run's baseline —
//! the full questionnaire-aware CSV export. Rows: the generic export (the previous one),
//! the full `--format csv` and `--format parquet` (with the size of what they wrote), and
//! both with `--since` after 1 % of the cases changed. Then `tabulate` of HOUSEHOLDS
//! households (with the bulk load's own time, for planning a bigger run). Each PostgreSQL
//! schema is dropped once measured (2,000,000 households hold gigabytes).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use census_core::engine::{Case, RowPath};
use census_core::value::{GpsPoint, Value};
use chrono::NaiveDate;
use support::backends::Backend;
use support::census::questionnaire;
use uuid::Uuid;

/// A household case document of `persons` persons (the bundled questionnaire).
fn template(persons: usize) -> String {
    let mut case = Case::new(
        questionnaire(),
        NaiveDate::from_ymd_opt(2024, 9, 2).unwrap(),
    );
    let root = RowPath::root();
    let text = |s: &str| Value::Text(s.into());
    case.set_input(&root, "district_id", text("DR-1")).unwrap();
    case.set_input(&root, "building_number", Value::Integer(1))
        .unwrap();
    case.set_input(&root, "dwelling_number", Value::Integer(1))
        .unwrap();
    case.set_answer(&root, "d_type", text("2")).unwrap();
    case.set_answer(&root, "d_occupancy", text("1")).unwrap();
    let gps = GpsPoint {
        lat: 34.02,
        lon: -6.83,
        accuracy_m: Some(6.0),
    };
    case.set_answer(&root, "d_gps", Value::Gps(gps)).unwrap();
    let (hh, _) = case.add_row(&root, "households").unwrap();
    case.set_input(&hh, "household_number", Value::Integer(1))
        .unwrap();
    case.set_input(&hh, "long_form", Value::Bool(true)).unwrap();
    for p in 0..persons {
        let (row, _) = case.add_row(&hh, "persons").unwrap();
        let rel = if p == 0 { "01" } else { "03" };
        case.set_answer(&row, "p_name", text(&format!("Person {p}")))
            .unwrap();
        case.set_answer(&row, "p_relationship", text(rel)).unwrap();
        case.set_answer(&row, "p_sex", text(if p % 2 == 0 { "1" } else { "2" }))
            .unwrap();
        let age = if p < 2 {
            40 - p as i64
        } else {
            2 + 3 * p as i64
        };
        case.set_answer(&row, "p_age", Value::Integer(age)).unwrap();
        let mother = if p >= 2 { 2 } else { 0 };
        case.set_answer(&row, "p_mother_line", Value::Integer(mother))
            .unwrap();
        case.set_answer(
            &row,
            "p_spoken_languages",
            Value::Multi(vec!["01".into(), "03".into()]),
        )
        .unwrap();
    }
    case.to_json().to_string()
}

struct Load {
    cases: u64,
    persons: u64,
}

/// Sizes 1..=7 in turn: 4 persons a household on average.
fn size_of(i: u64) -> usize {
    (i % 7) as usize + 1
}

const OLD: &str = "2024-09-02T10:00:00+00:00";

async fn load(backend: &Backend, persons: u64, templates: &[String]) -> Load {
    let mut rows = Vec::new();
    let (mut cases, mut total) = (0u64, 0u64);
    while total < persons {
        let size = size_of(cases);
        rows.push((Uuid::new_v4(), cases, size));
        total += size as u64;
        cases += 1;
    }
    let district = |i: u64| format!("DR-{:05}", i / 250);
    if backend.is_sqlite() {
        let mut conn = rusqlite::Connection::open(&backend.database).unwrap();
        let tx = conn.transaction().unwrap();
        {
            let mut st = tx
                .prepare(
                    "INSERT INTO cases (case_id, revision, district_id, building_number,
                       dwelling_number, household_number, questionnaire_id,
                       questionnaire_version, status, long_form, case_json, updated_at,
                       device_id, batch_id, received_at, last_seq)
                     VALUES (?1, 1, ?2, ?3, ?4, 1, 'rgph2024', '1.0.0', 'complete',
                       '{\"selected\":true}', ?5, ?6, 'tab-1', ?7, ?6, 0)",
                )
                .unwrap();
            let batch = Uuid::new_v4().to_string();
            for (id, i, size) in &rows {
                st.execute(rusqlite::params![
                    id.to_string(),
                    district(*i),
                    i64::try_from((i % 250) / 3 + 1).unwrap(),
                    i64::try_from(i % 250 + 1).unwrap(),
                    &templates[size - 1],
                    OLD,
                    batch
                ])
                .unwrap();
            }
        }
        tx.commit().unwrap();
    } else {
        let (client, conn) = tokio_postgres::connect(&backend.database, tokio_postgres::NoTls)
            .await
            .unwrap();
        let task = tokio::spawn(conn);
        let batch = Uuid::new_v4();
        for chunk in rows.chunks(2000) {
            let ids: Vec<Uuid> = chunk.iter().map(|r| r.0).collect();
            let districts: Vec<String> = chunk.iter().map(|r| district(r.1)).collect();
            let buildings: Vec<i64> = chunk.iter().map(|r| (r.1 % 250) as i64 / 3 + 1).collect();
            let dwellings: Vec<i64> = chunk.iter().map(|r| (r.1 % 250) as i64 + 1).collect();
            let docs: Vec<String> = chunk.iter().map(|r| templates[r.2 - 1].clone()).collect();
            client
                .execute(
                    "INSERT INTO cases (case_id, revision, district_id, building_number,
                       dwelling_number, household_number, questionnaire_id,
                       questionnaire_version, status, long_form, case_json, updated_at,
                       device_id, batch_id, received_at, last_seq)
                     SELECT id, 1, d, b, w, 1, 'rgph2024', '1.0.0', 'complete',
                       '{\"selected\":true}'::jsonb, doc::jsonb, $6::text, 'tab-1', $7,
                       $6::text::timestamptz, 0
                     FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::bigint[],
                       $5::text[]) AS t(id, d, b, w, doc)",
                    &[
                        &ids, &districts, &buildings, &dwellings, &docs, &OLD, &batch,
                    ],
                )
                .await
                .unwrap();
        }
        drop(client);
        let _ = task.await;
    }
    Load {
        cases,
        persons: total,
    }
}

/// Marks 1 % of the cases changed now (revision 2, received now).
async fn change_one_percent(backend: &Backend) -> u64 {
    if backend.is_sqlite() {
        let conn = rusqlite::Connection::open(&backend.database).unwrap();
        conn.execute(
            "UPDATE cases SET revision = 2, received_at = ?1 WHERE rowid % 100 = 0",
            [chrono::Utc::now().to_rfc3339()],
        )
        .unwrap() as u64
    } else {
        let (client, conn) = tokio_postgres::connect(&backend.database, tokio_postgres::NoTls)
            .await
            .unwrap();
        let task = tokio::spawn(conn);
        let n = client
            .execute(
                "UPDATE cases SET revision = 2, received_at = now()
                 WHERE abs(hashtext(case_id::text)) % 100 = 0",
                &[],
            )
            .await
            .unwrap();
        drop(client);
        let _ = task.await;
        n
    }
}

/// The stores asked for (`sqlite`, `postgres` or `both`), each new and empty.
async fn backends(which: &str, what: &str) -> Vec<Backend> {
    let mut out = Vec::new();
    if which != "postgres" {
        out.push(support::backends::sqlite().await);
    }
    if which != "sqlite" {
        out.extend(support::backends::postgres(what).await);
    }
    out
}

/// Drops a PostgreSQL backend's schema (its data is measured and no longer needed).
async fn drop_schema(backend: &Backend) {
    let Some((url, schema)) = backend.database.split_once("options=-c%20search_path%3D") else {
        return;
    };
    let (client, conn) =
        tokio_postgres::connect(url.trim_end_matches(['?', '&']), tokio_postgres::NoTls)
            .await
            .unwrap();
    let task = tokio::spawn(conn);
    client
        .batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
        .await
        .unwrap();
    drop(client);
    let _ = task.await;
}

/// Peak resident memory of a running process, in MiB (`VmHWM`).
fn peak_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Runs the binary; returns wall time and peak RSS.
fn run(database: &str, args: &[&str]) -> (Duration, f64) {
    let data = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_census-server"))
        .arg("--data-dir")
        .arg(data.path())
        .arg("--database")
        .arg(database)
        .args(args)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut peak: f64 = 0.0;
    loop {
        if let Some(m) = peak_mib(child.id()) {
            peak = peak.max(m);
        }
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "census-server {args:?} failed");
            return (start.elapsed(), peak);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn row(what: &str, size: &str, db: &str, t: Duration, mib: f64, base: Duration) {
    println!(
        "| {what:<42} | {size:>18} | {db:<10} | {:>9.2} | {mib:>8.1} | {:>6.2} |",
        t.as_secs_f64(),
        t.as_secs_f64() / base.as_secs_f64().max(1e-9)
    );
}

fn dir_mib(dir: &Path) -> f64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum::<u64>() as f64
        / (1024.0 * 1024.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let sizes: Vec<u64> = match args.first().map_or("50000,100000,200000", String::as_str) {
        "none" => Vec::new(),
        list => list
            .split(',')
            .map(|s| s.parse().expect("sizes: persons, comma-separated"))
            .collect(),
    };
    let households: u64 = args.get(1).map_or(100_000, |s| s.parse().unwrap());
    let which = args.get(2).map_or("both", String::as_str);
    assert!(
        ["sqlite", "postgres", "both"].contains(&which),
        "databases: sqlite, postgres or both"
    );
    let templates: Vec<String> = (1..=7).map(template).collect();
    println!(
        "| {:<42} | {:>18} | {:<10} | {:>9} | {:>8} | {:>6} |",
        "run", "size", "database", "seconds", "peak MiB", "ratio"
    );
    println!(
        "|{:-<44}|{:-<20}|{:-<12}|{:-<11}|{:-<10}|{:-<8}|",
        "", "", "", "", "", ""
    );
    for &persons in &sizes {
        for backend in backends(which, "export bench").await {
            let db = if backend.is_sqlite() {
                "SQLite"
            } else {
                "PostgreSQL"
            };
            let loaded = load(&backend, persons, &templates).await;
            let size = format!("{}p/{}c", loaded.persons, loaded.cases);
            let root = tempfile::tempdir_in("/var/tmp").unwrap();
            let out = |n: &str| root.path().join(n).to_string_lossy().into_owned();
            let full = out("full");
            let (base, base_mib) = run(
                &backend.database,
                &["export", "--format", "csv", "--out", &full],
            );
            let generic = out("generic");
            let (t, mib) = run(&backend.database, &["export", "--out", &generic]);
            row("generic export (previous)", &size, db, t, mib, base);
            row(
                &format!("--format csv, full ({:.0} MiB)", dir_mib(Path::new(&full))),
                &size,
                db,
                base,
                base_mib,
                base,
            );
            let pq = out("parquet");
            let (t, mib) = run(
                &backend.database,
                &["export", "--format", "parquet", "--out", &pq],
            );
            row(
                &format!(
                    "--format parquet, full ({:.0} MiB)",
                    dir_mib(Path::new(&pq))
                ),
                &size,
                db,
                t,
                mib,
                base,
            );
            let since = chrono::Utc::now().to_rfc3339();
            let changed = change_one_percent(&backend).await;
            for format in ["csv", "parquet"] {
                let part = out(&format!("part-{format}"));
                let (t, mib) = run(
                    &backend.database,
                    &[
                        "export", "--format", format, "--since", &since, "--out", &part,
                    ],
                );
                row(
                    &format!("--format {format} --since ({changed} changed)"),
                    &size,
                    db,
                    t,
                    mib,
                    base,
                );
            }
            if !backend.is_sqlite() {
                drop_schema(&backend).await;
            }
        }
    }
    // Tabulation: HOUSEHOLDS households (4 persons on average), against the full export of
    // the same data as the baseline.
    for backend in backends(which, "tabulate bench").await {
        let db = if backend.is_sqlite() {
            "SQLite"
        } else {
            "PostgreSQL"
        };
        let start = Instant::now();
        let loaded = load(&backend, households * 4, &templates).await;
        let size = format!("{}h/{}p", loaded.cases, loaded.persons);
        let took = start.elapsed();
        println!(
            "| {:<42} | {size:>18} | {db:<10} | {:>9.2} | {:>8} | {:>6} |",
            "(bulk load, bench process)",
            took.as_secs_f64(),
            "-",
            "-"
        );
        let root = tempfile::tempdir_in("/var/tmp").unwrap();
        let tables = root.path().join("tables").to_string_lossy().into_owned();
        let (t, mib) = run(&backend.database, &["tabulate", "--out", &tables]);
        row("tabulate", &size, db, t, mib, t);
        if !backend.is_sqlite() {
            drop_schema(&backend).await;
        }
    }
}
