//! Numbered migrations: a database written by the last build without them (the fixtures in
//! `tests/data/`: a SQLite `.dump` and a PostgreSQL `pg_dump --inserts` of databases that
//! build created by storing five census cases in two batches, plus one review on SQLite)
//! upgrades in place, keeps its data and takes new batches; opening again applies nothing;
//! a database whose schema is newer than this build knows is refused in clear words, by
//! the store and by the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod binary;
mod support;

use std::sync::Arc;

use census_core::wire::CaseOutcome;
use census_server::store::postgres::PgStore;
use census_server::store::sqlite::{SqliteStore, migrations as sqlite_migrations};
use census_server::store::{DeviceRecord, Storage, StoreError};

const SQLITE_BEFORE: &str = include_str!("data/sqlite-before-migrations.sql");
const POSTGRES_BEFORE: &str = include_str!("data/postgres-before-migrations.sql");

/// The device that wrote the fixtures' cases.
fn fixture_device() -> DeviceRecord {
    DeviceRecord {
        device_id: "tab-durable".into(),
        enumerator_id: "E-1".into(),
        public_key: vec![0; 32],
        districts: vec!["DR-1".into()],
    }
}

/// What every upgraded database must still hold and do.
async fn keeps_its_data_and_takes_new_batches(store: Arc<dyn Storage>) {
    let counts = store.counts().await.unwrap();
    assert_eq!((counts.cases, counts.batches), (5, 2));
    let cases = store.cases_page(None, 10).await.unwrap();
    assert_eq!(cases.len(), 5);
    assert!(
        cases
            .iter()
            .all(|c| c.district_id == "DR-1" && c.revision == 1)
    );
    // Its old cases take a new revision from their device; new cases are stored.
    let device = fixture_device();
    let mut old = support::census_case("DR-1", 1, 3, 2);
    old.case_id = cases[0].case_id;
    let new = support::census_case("DR-1", 40, 4, 1);
    let (old_id, new_id) = (old.case_id, new.case_id);
    let dev = support::Device {
        id: device.device_id.clone(),
        key: census_core::wire::DeviceKey::generate().unwrap(),
        token: String::new(),
        office_public: [0; 32],
        enumerator: "E-1".into(),
    };
    let reply = store
        .ingest(
            &device,
            &support::payload(&dev, vec![old, new]),
            &[],
            &support::census_items(),
        )
        .await
        .unwrap();
    assert!(
        reply
            .reply
            .results
            .iter()
            .all(|r| r.outcome == CaseOutcome::Stored),
        "{reply:?}"
    );
    assert_eq!(store.counts().await.unwrap().cases, 6);
    // Documents and event arrays written before migration 7 (plain JSON) and after it
    // (packed) read back alike: a case not sent again, the one sent again (its events all
    // stored before, so no second array), the new one.
    let untouched = cases[1].case_id;
    for (id, revisions) in [(untouched, 1), (old_id, 1), (new_id, 1)] {
        let case = store.stored_case(id).await.unwrap().unwrap();
        assert_eq!(case.case["format"], "census-case", "{id}");
        let history = store.case_history(id).await.unwrap().unwrap();
        assert_eq!(history.revisions.len(), revisions, "{id}");
        assert!(
            history.revisions.iter().all(|r| r.events.is_array()),
            "{id}: {history:?}"
        );
    }
    // The coverage summaries follow the stored facts.
    let report = store
        .gather_coverage(
            &census_server::store::Scope::All,
            &census_core::coverage::CoverageRules::new("2024-09-01", "2024-09-02"),
        )
        .await
        .unwrap();
    assert_eq!(report.counts["DR-1"].households, 6, "{report:?}");
}

fn sqlite_version(path: &std::path::Path) -> (i64, i64) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row(
        "SELECT max(version), count(*) FROM schema_migrations",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

/// Every `(case, revision, event count, events)` row of `case_events`, in key order.
fn sqlite_events(path: &std::path::Path) -> Vec<(String, i64, i64, String)> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut st = conn
        .prepare("SELECT case_id, revision, event_count, events FROM case_events ORDER BY 1, 2")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_database_of_the_last_build_without_migrations_upgrades_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("census.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(SQLITE_BEFORE)
        .unwrap();
    let events_before = sqlite_events(&path);
    assert!(!events_before.is_empty(), "the old database holds events");
    let store = SqliteStore::open(path.to_str().unwrap()).unwrap();
    let latest = sqlite_migrations::latest();
    assert_eq!(sqlite_version(&path), (latest, latest));
    assert_eq!(
        sqlite_events(&path),
        events_before,
        "every event array kept through migration 6"
    );
    let events_table: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'case_events'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        !events_table.to_uppercase().contains("WITHOUT ROWID"),
        "{events_table}"
    );
    let reviews = store
        .reviews_since(&["DR-1".to_owned()], 0, 10)
        .await
        .unwrap();
    assert_eq!(reviews.len(), 1, "the review written before the upgrade");
    keeps_its_data_and_takes_new_batches(Arc::new(store)).await;
    let kinds: (i64, i64) = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT count(*) FILTER (WHERE typeof(case_json) = 'blob'), count(*) FROM cases",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        kinds,
        (2, 6),
        "the two cases written since migration 7 are packed"
    );
    // Opened again: nothing more to apply.
    drop(SqliteStore::open(path.to_str().unwrap()).unwrap());
    assert_eq!(sqlite_version(&path), (latest, latest));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_database_with_a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let path = data.join("census.db");
    // Created by the real binary, then "upgraded" by an imaginary newer build.
    let created = binary::command("true", &data, None, &["issue-code", "--enumerator", "E"])
        .arg("--districts")
        .arg("DR-1")
        .output()
        .unwrap();
    assert!(!created.status.success(), "DR-1 is not in the frame");
    let newer = sqlite_migrations::latest() + 1;
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, 'later', 'x')",
            [newer],
        )
        .unwrap();
    let refused = SqliteStore::open(path.to_str().unwrap()).err();
    assert_eq!(
        refused,
        Some(StoreError::SchemaTooNew {
            found: newer,
            known: newer - 1
        })
    );
    let run = binary::command("true", &data, None, &["serve", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(
        stderr.contains(&format!(
            "the database's schema is at version {newer}, newer than this census-server knows"
        )),
        "{stderr}"
    );
    // Nothing was changed by the refused opens.
    assert_eq!(sqlite_version(&path), (newer, newer));
}

async fn postgres_fixture(url: &str) -> String {
    let schema = format!("before_{}", uuid::Uuid::new_v4().simple());
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    let task = tokio::spawn(connection);
    client
        .batch_execute(&POSTGRES_BEFORE.replace("{schema}", &schema))
        .await
        .unwrap();
    drop(client);
    let _ = task.await;
    schema
}

/// Runs `sql` in `schema` and returns the first row's two numbers.
async fn postgres_pair(url: &str, schema: &str, sql: &str) -> (i64, i64) {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    let task = tokio::spawn(connection);
    client
        .batch_execute(&format!("SET search_path = {schema}"))
        .await
        .unwrap();
    let row = client.query_one(sql, &[]).await.unwrap();
    let pair = (row.get(0), row.get(1));
    drop(client);
    let _ = task.await;
    pair
}

async fn postgres_version(url: &str, schema: &str) -> (i64, i64) {
    postgres_pair(
        url,
        schema,
        "SELECT max(version), count(*) FROM schema_migrations",
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_database_of_the_last_build_without_migrations_upgrades_in_place() {
    let Some(url) = support::postgres_url("migrations") else {
        return;
    };
    let schema = postgres_fixture(&url).await;
    let store = PgStore::connect_in_schema(&url, &schema).await.unwrap();
    let latest = census_server::store::postgres::migrations::latest();
    assert_eq!(postgres_version(&url, &schema).await, (latest, latest));
    keeps_its_data_and_takes_new_batches(Arc::new(store)).await;
    drop(PgStore::connect_in_schema(&url, &schema).await.unwrap());
    assert_eq!(postgres_version(&url, &schema).await, (latest, latest));
    // Migrations 6 and 7: the documents and event arrays are bytea (packed by the server),
    // the large columns are compressed with lz4 (Debian's PostgreSQL has it).
    let columns = "FROM pg_attribute
         WHERE attrelid IN ('cases'::regclass, 'case_events'::regclass, 'batches'::regclass)
           AND attname IN ('case_json', 'events', 'reply')";
    let lz4 = postgres_pair(
        &url,
        &schema,
        &format!("SELECT count(*) FILTER (WHERE attcompression = 'l'), count(*) {columns}"),
    )
    .await;
    assert_eq!(lz4, (3, 3));
    let bytea = postgres_pair(
        &url,
        &schema,
        &format!("SELECT count(*) FILTER (WHERE atttypid = 'bytea'::regtype), count(*) {columns}"),
    )
    .await;
    assert_eq!(bytea, (2, 3));
    // The old documents are their JSON text; the two written since are packed.
    let packed = postgres_pair(
        &url,
        &schema,
        "SELECT count(*) FILTER (WHERE get_byte(case_json, 0) = 1), count(*) FROM cases",
    )
    .await;
    assert_eq!(packed, (2, 6));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_database_with_a_newer_schema_is_refused() {
    let Some(url) = support::postgres_url("migrations") else {
        return;
    };
    let schema = format!("newer_{}", uuid::Uuid::new_v4().simple());
    let store = PgStore::connect_in_schema(&url, &schema).await.unwrap();
    let newer = census_server::store::postgres::migrations::latest() + 1;
    drop(store);
    let inserted = postgres_pair(
        &url,
        &schema,
        &format!(
            "WITH i AS (INSERT INTO schema_migrations (version, name) VALUES ({newer}, 'later') \
             RETURNING version) SELECT version, 0::bigint FROM i"
        ),
    )
    .await;
    assert_eq!(inserted.0, newer);
    let refused = PgStore::connect_in_schema(&url, &schema).await.err();
    assert_eq!(
        refused,
        Some(StoreError::SchemaTooNew {
            found: newer,
            known: newer - 1
        })
    );
}
