//! Shared helpers for the sync end-to-end tests: a real encrypted store with cases of the
//! bundled questionnaire, and the sync configuration for it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod proxy;
pub mod server;
pub mod tls;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use census::keys::DatabaseKey;
use census::store::{CaseId, EventContext, NewCase, Store};
use census::sync::{SyncConfig, SyncTiming};
use census_core::GpsPoint;
use census_core::load::Questionnaire;
use serde_json::json;

/// The questionnaire bundled with the app.
pub fn questionnaire() -> Arc<Questionnaire> {
    census_core::load::load_questionnaire(
        census::demo::HOUSEHOLD_QUESTIONNAIRE_FILE,
        census::demo::HOUSEHOLD_QUESTIONNAIRE_JSON,
    )
    .unwrap()
}

/// A sync configuration for `url` with short timings (tests must not wait minutes).
pub fn config(url: &str) -> SyncConfig {
    let mut config = SyncConfig::new(url, vec![questionnaire()]);
    config.max_cases_per_batch = 4;
    config.timing = SyncTiming {
        first_retry: Duration::from_millis(100),
        max_retry: Duration::from_millis(400),
        idle_check: Duration::from_millis(300),
        refresh_every: Duration::from_secs(3600),
        request_timeout: Duration::from_secs(20),
        connect_timeout: Duration::from_secs(5),
    };
    config
}

/// A new encrypted store in `dir`.
pub fn open_new(dir: &Path) -> (DatabaseKey, Store) {
    let key = DatabaseKey::generate().unwrap();
    let store = Store::open(dir, &key).unwrap();
    (key, store)
}

/// A copy of the key (for the sync thread's own connection).
pub fn copy_key(key: &DatabaseKey) -> DatabaseKey {
    DatabaseKey::from_secret_bytes(*key.expose_secret_bytes())
}

/// An event context with a GPS fix.
pub fn ctx(screen: &str) -> EventContext {
    EventContext {
        screen: screen.to_owned(),
        gps: Some(GpsPoint {
            lat: 33.5731,
            lon: -7.5898,
            accuracy_m: Some(8.0),
        }),
    }
}

/// Creates a dwelling case of the bundled questionnaire in `district` with a few answers.
pub fn add_case(store: &mut Store, district: &str, building_no: u32) -> CaseId {
    let q = questionnaire();
    let case = store
        .create_case(
            &NewCase {
                questionnaire_id: q.id().to_owned(),
                questionnaire_version: q.version().to_owned(),
                district_id: district.to_owned(),
                building_no,
                dwelling_no: 1,
                household_no: 1,
                long_form: false,
            },
            &ctx("district"),
        )
        .unwrap();
    let answers = [
        ("district_id", json!(district)),
        ("building_number", json!(building_no)),
        ("dwelling_number", json!(1)),
        (
            "d_address",
            json!(format!("{building_no} rue des Orangers")),
        ),
        ("d_rooms", json!(3)),
    ];
    for (item, value) in answers {
        store
            .save_answer(case, "", item, &value, &ctx("dwelling"))
            .unwrap();
    }
    case
}

/// The case ids queued in the outbox.
pub fn queued(store: &Store) -> Vec<CaseId> {
    store
        .outbox_pending()
        .unwrap()
        .into_iter()
        .map(|e| e.case_id)
        .collect()
}

/// A store enrolled with `server` for enumerator `E-001` writing `districts`, and a client.
pub fn enrolled(
    server: &server::TestServer,
    dir: &Path,
    url: &str,
    districts: &[&str],
) -> (DatabaseKey, Store, census::sync::SyncClient) {
    let (key, mut store) = open_new(dir);
    let client = census::sync::SyncClient::new(config(url)).unwrap();
    let code = server.issue_code("E-001", districts);
    client.enrol(&mut store, &code, "E-001").unwrap();
    (key, store, client)
}

/// Polls the handle until `done` holds (panics after `seconds`), returning every distinct
/// status seen on the way and the last one.
pub fn wait_until(
    handle: &mut census::sync::SyncHandle,
    seconds: u64,
    done: impl Fn(&census::sync::SyncStatus) -> bool,
) -> Vec<census::sync::SyncStatus> {
    let start = std::time::Instant::now();
    let mut seen: Vec<census::sync::SyncStatus> = Vec::new();
    loop {
        let status = handle.poll().clone();
        if seen.last() != Some(&status) {
            seen.push(status.clone());
        }
        if done(&status) {
            return seen;
        }
        assert!(
            start.elapsed() < Duration::from_secs(seconds),
            "timed out; statuses seen: {seen:#?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}
