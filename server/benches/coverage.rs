//! Coverage report time: 100,000 households (a province) on SQLite and 2,000,000 on
//! PostgreSQL (`CENSUS_TEST_DATABASE_URL`; sizes from `COVERAGE_SQLITE_HOUSEHOLDS` and
//! `COVERAGE_PG_HOUSEHOLDS`). Facts and listing are bulk-loaded (ingest is measured by the
//! `ingest` bench); each report is computed 7 times and the table prints median and max,
//! beside a baseline in the same run: one pass over the facts grouping households by district
//! and status (what the report did before the summaries), and the time to rebuild every
//! summary from the loaded facts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Instant;

use census_core::coverage::synthetic::{Area, CENSUS_START, Household, REPORT_DAY, Spec};
use census_core::coverage::{CoverageRules, assemble, name_key};
use census_server::store::postgres::PgStore;
use census_server::store::{Scope, Storage};
use support::area::import_frame;

fn area(households: u64) -> Area {
    let districts = (households / 247).max(8) as u32;
    Area::generate(Spec {
        seed: 3,
        districts,
        buildings: 130,
        dwellings: 2,
        plant: true,
    })
}

struct Row {
    case_id: uuid::Uuid,
    district: String,
    building: i64,
    dwelling: i64,
    household: i64,
    status: &'static str,
    enumerator: String,
    persons: i64,
    head: Option<String>,
    lat: f64,
    lon: f64,
    first: i64,
    last: i64,
    day: String,
    active: i64,
}

fn row(h: &Household) -> Row {
    let active = h.spacing_s * (i64::from(h.events) - 1);
    let last = h.start + chrono::Duration::seconds(active);
    Row {
        case_id: h.case_id,
        district: h.district_id.clone(),
        building: h.building_number.into(),
        dwelling: h.dwelling_number.into(),
        household: h.household_number.into(),
        status: h.status,
        enumerator: format!("E-{}", h.district_id),
        persons: h.persons.into(),
        head: name_key(&h.head_name),
        lat: h.gps.lat,
        lon: h.gps.lon,
        first: h.start.timestamp(),
        last: last.timestamp(),
        day: last.format("%Y-%m-%d").to_string(),
        active,
    }
}

fn load_sqlite(path: &std::path::Path, area: &Area) {
    let mut conn = rusqlite::Connection::open(path).unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut f = tx
            .prepare(
                "INSERT INTO case_facts (case_id, district_id, building_number,
                   dwelling_number, household_number, status, enumerator_id, persons, head_key,
                   lat, lon, first_at, last_at, last_day, active_seconds)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )
            .unwrap();
        for h in &area.households {
            let r = row(h);
            f.execute(rusqlite::params![
                r.case_id.to_string(),
                r.district,
                r.building,
                r.dwelling,
                r.household,
                r.status,
                r.enumerator,
                r.persons,
                r.head,
                r.lat,
                r.lon,
                r.first,
                r.last,
                r.day,
                r.active
            ])
            .unwrap();
        }
        let mut b = tx
            .prepare(
                "INSERT OR REPLACE INTO listed_buildings VALUES (?1, ?2, ?3, ?4, 't', 'bench')",
            )
            .unwrap();
        for l in &area.listed_buildings {
            b.execute(rusqlite::params![
                l.district_id,
                l.building_number,
                l.gps.map(|g| g.lat),
                l.gps.map(|g| g.lon)
            ])
            .unwrap();
        }
        let mut w = tx
            .prepare(
                "INSERT OR REPLACE INTO listed_dwellings VALUES (?1, ?2, ?3, ?4, 't', 'bench')",
            )
            .unwrap();
        for l in &area.listed_dwellings {
            w.execute(rusqlite::params![
                l.district_id,
                l.building_number,
                l.dwelling_number,
                l.occupancy
            ])
            .unwrap();
        }
    }
    tx.commit().unwrap();
    conn.execute_batch("ANALYZE").unwrap();
}

/// Bulk-loads the facts and listing; returns the baseline (median of a `count(*)`).
async fn load_pg(url: &str, schema: &str, area: &Area) -> String {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client
        .batch_execute(&format!("SET search_path = {schema}"))
        .await
        .unwrap();
    for chunk in area.households.chunks(50_000) {
        let rows: Vec<Row> = chunk.iter().map(row).collect();
        macro_rules! col {
            ($f:ident) => {
                rows.iter().map(|r| r.$f.clone()).collect::<Vec<_>>()
            };
        }
        client
            .execute(
                "INSERT INTO case_facts (case_id, district_id, building_number, dwelling_number,
                   household_number, status, enumerator_id, persons, head_key, lat, lon,
                   first_at, last_at, last_day, active_seconds)
                 SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[],
                 $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::bigint[], $9::text[],
                 $10::float8[], $11::float8[], $12::bigint[], $13::bigint[], $14::text[],
                 $15::bigint[])",
                &[
                    &col!(case_id),
                    &col!(district),
                    &col!(building),
                    &col!(dwelling),
                    &col!(household),
                    &col!(status),
                    &col!(enumerator),
                    &col!(persons),
                    &col!(head),
                    &col!(lat),
                    &col!(lon),
                    &col!(first),
                    &col!(last),
                    &col!(day),
                    &col!(active),
                ],
            )
            .await
            .unwrap();
    }
    for chunk in area.listed_dwellings.chunks(100_000) {
        let d: Vec<&str> = chunk.iter().map(|l| l.district_id.as_str()).collect();
        let b: Vec<i64> = chunk.iter().map(|l| i64::from(l.building_number)).collect();
        let w: Vec<i64> = chunk.iter().map(|l| i64::from(l.dwelling_number)).collect();
        let o: Vec<&str> = chunk.iter().map(|l| l.occupancy.as_str()).collect();
        client
            .execute(
                "INSERT INTO listed_dwellings SELECT d, b, w, o, 't', 'bench' FROM
                 unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[]) AS u(d, b, w, o)
                 ON CONFLICT DO NOTHING",
                &[&d, &b, &w, &o],
            )
            .await
            .unwrap();
    }
    for chunk in area.listed_buildings.chunks(100_000) {
        let d: Vec<&str> = chunk.iter().map(|l| l.district_id.as_str()).collect();
        let b: Vec<i64> = chunk.iter().map(|l| i64::from(l.building_number)).collect();
        let la: Vec<Option<f64>> = chunk.iter().map(|l| l.gps.map(|g| g.lat)).collect();
        let lo: Vec<Option<f64>> = chunk.iter().map(|l| l.gps.map(|g| g.lon)).collect();
        client
            .execute(
                "INSERT INTO listed_buildings SELECT d, b, la, lo, 't', 'bench' FROM
                 unnest($1::text[], $2::bigint[], $3::float8[], $4::float8[]) AS u(d, b, la, lo)
                 ON CONFLICT DO NOTHING",
                &[&d, &b, &la, &lo],
            )
            .await
            .unwrap();
    }
    client.batch_execute("VACUUM ANALYZE").await.unwrap();
    let mut times = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        let row = client
            .query_one(&format!("SELECT count(*) FROM ({BASELINE}) AS b"), &[])
            .await
            .unwrap();
        assert!(row.get::<_, i64>(0) > 0);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    median(times)
}

/// The baseline: one pass over the facts counting households and persons per district and
/// status, as the report did before the summaries.
const BASELINE: &str = "SELECT district_id, status, count(*), sum(persons) FROM case_facts
  GROUP BY district_id, status";

/// The median of milliseconds, formatted.
fn median(mut times: Vec<f64>) -> String {
    times.sort_by(f64::total_cmp);
    format!("{:.2} ms", times[times.len() / 2])
}

/// The median of 7 runs of `f`, formatted.
fn median_ms(mut f: impl FnMut()) -> String {
    let times = (0..7)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    median(times)
}

/// Rebuilds the summaries of the bulk-loaded data, then measures the report.
async fn measure(label: &str, store: &dyn Storage, households: usize, baseline: &str) {
    let t = Instant::now();
    store.rebuild_summaries().await.unwrap();
    let rebuild = t.elapsed().as_secs_f64();
    let rules = CoverageRules::new(CENSUS_START, REPORT_DAY);
    let mut times = Vec::new();
    let mut report = None;
    for _ in 0..7 {
        let t = Instant::now();
        let g = store.gather_coverage(&Scope::All, &rules).await.unwrap();
        report = Some(assemble(g, rules.clone()));
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let r = report.unwrap();
    println!(
        "| {label} | {households} | {:.1} ms | {:.1} ms | {baseline} | {:.1} s | {} | {} | {} |",
        times[3],
        times[6],
        rebuild,
        r.omissions.len(),
        r.duplicates.len(),
        r.suspicious.len()
    );
}

fn size(var: &str, default: u64) -> u64 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!(
        "| store | households | report, median | report, max | baseline: one group-by over the facts, median | rebuild of the summaries | omissions | duplicate groups | suspicious |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let dir = tempfile::tempdir().unwrap();
    // COVERAGE_SQLITE_PATH keeps the database for a look at its query plans.
    let path = std::env::var("COVERAGE_SQLITE_PATH")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| dir.path().join("bench.db"));
    let a = area(size("COVERAGE_SQLITE_HOUSEHOLDS", 100_000));
    let store = census_server::store::open(path.to_str().unwrap())
        .await
        .unwrap();
    import_frame(&*store, &a).await;
    load_sqlite(&path, &a);
    let baseline = {
        let conn = rusqlite::Connection::open(&path).unwrap();
        median_ms(|| {
            let n: i64 = conn
                .query_row(&format!("SELECT count(*) FROM ({BASELINE})"), [], |r| {
                    r.get(0)
                })
                .unwrap();
            assert!(n > 0);
        })
    };
    measure("SQLite", &*store, a.households.len(), &baseline).await;
    drop(a);
    let Some(url) = std::env::var("CENSUS_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        println!("(PostgreSQL skipped: set CENSUS_TEST_DATABASE_URL)");
        return;
    };
    let a = area(size("COVERAGE_PG_HOUSEHOLDS", 2_000_000));
    let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
    let pg = PgStore::connect_in_schema(&url, &schema).await.unwrap();
    import_frame(&pg, &a).await;
    let baseline = load_pg(&url, &schema, &a).await;
    measure("PostgreSQL", &pg, a.households.len(), &baseline).await;
}
