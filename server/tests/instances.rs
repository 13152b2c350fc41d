//! Several `census-server` instances on one database behave as one server: a review session
//! signed by one is accepted by another and after a restart, the per-address limits count
//! across instances (PostgreSQL), the same batch sent to two instances at once is stored
//! once with one answer, and SQLite refuses a second serving process.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod binary;
mod support;

use std::process::Stdio;
use std::sync::Arc;

use census_core::wire::{BatchReply, OfficeSecret};
use census_server::http::{AppState, ServerConfig};
use census_server::store::{self, Storage};
use serde_json::Value;
use support::page::{controller, page_with, sign_in};
use support::{TestServer, backends, census_case, district, envelope, payload, start_with};

const REVIEWER: &str = "controller-token-of-the-instances-test";

/// An instance of the office (the office key every instance shares) on `store`.
async fn instance(store: Arc<dyn Storage>, office: &[u8; 32], config: ServerConfig) -> TestServer {
    let office = OfficeSecret::from_secret_bytes(office).unwrap();
    start_with(AppState::shared(store, office, config).await.unwrap()).await
}

fn signed_in(html: &str) -> bool {
    html.contains("Sign out") && !html.contains("name=\"token\"")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_review_session_works_on_every_instance_and_after_a_restart() {
    let office = [9u8; 32];
    for backend in backends::both("review sessions across instances").await {
        controller(backend.store.as_ref(), "Amina", REVIEWER).await;
        let first = instance(Arc::clone(&backend.store), &office, Default::default()).await;
        let session = sign_in(&first, REVIEWER).await;
        assert!(signed_in(&page_with(&first, &session).await));
        if !backend.is_sqlite() {
            // A second instance: its own connections to the same database.
            let other = store::open(&backend.database).await.unwrap();
            let second = instance(other, &office, Default::default()).await;
            assert!(
                signed_in(&page_with(&second, &session).await),
                "a second instance accepts the first one's session"
            );
        }
        // A restart: the first instance stops, a new one opens the database again.
        drop(first);
        let reopened = store::open(&backend.database).await.unwrap();
        let restarted = instance(reopened, &office, Default::default()).await;
        assert!(
            signed_in(&page_with(&restarted, &session).await),
            "{}: a restart keeps the reviewer signed in",
            backend.store.kind()
        );
        // Another office (another key file) on the same database does not accept it.
        let reopened = store::open(&backend.database).await.unwrap();
        let stranger = instance(reopened, &[1u8; 32], Default::default()).await;
        assert!(!signed_in(&page_with(&stranger, &session).await));
    }
}

/// `GET /v1/assignment` with a token no one holds: the status.
async fn bad_token(server: &TestServer) -> u16 {
    server
        .http
        .get(format!("{}/v1/assignment", server.url))
        .bearer_auth("no-such-token")
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// `POST /v1/enrol` with an empty object (refused, but counted): the status.
async fn enrol_attempt(server: &TestServer) -> u16 {
    server
        .http
        .post(format!("{}/v1/enrol", server.url))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_address_limits_count_across_instances_on_postgres() {
    let Some(backend) = backends::postgres("shared rate limits").await else {
        return;
    };
    let mut config = ServerConfig::default();
    config.clients.auth_failure_burst = 3;
    config.clients.auth_failures_per_minute = 0.1;
    config.clients.enrol_burst = 2;
    config.clients.enrol_per_minute = 0.1;
    let office = [5u8; 32];
    let a = instance(Arc::clone(&backend.store), &office, config.clone()).await;
    let other = store::open(&backend.database).await.unwrap();
    let b = instance(other, &office, config).await;

    // Two enrolment attempts, one on each instance, use the address's burst of two.
    assert_ne!(enrol_attempt(&a).await, 429);
    assert_ne!(enrol_attempt(&b).await, 429);
    assert_eq!(enrol_attempt(&a).await, 429, "the burst is shared");
    assert_eq!(enrol_attempt(&b).await, 429);

    // Three failed authentications spread over both instances: the address is refused on
    // both (each instance counting alone would allow three each).
    assert_eq!(bad_token(&a).await, 401);
    assert_eq!(bad_token(&b).await, 401);
    assert_eq!(bad_token(&a).await, 401);
    assert_eq!(
        bad_token(&b).await,
        429,
        "the failures are counted together"
    );
    assert_eq!(bad_token(&a).await, 429);

    // And a restart forgets nothing.
    drop((a, b));
    let reopened = store::open(&backend.database).await.unwrap();
    let c = instance(reopened, &office, ServerConfig::default()).await;
    assert_eq!(bad_token(&c).await, 429, "the count outlives the instances");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_batch_sent_to_two_instances_at_once_is_stored_once() {
    let Some(backend) = backends::postgres("cross-instance idempotency").await else {
        return;
    };
    backend
        .store
        .import_districts(&[district("D-1")])
        .await
        .unwrap();
    let office = [7u8; 32];
    let a = instance(Arc::clone(&backend.store), &office, Default::default()).await;
    let other = store::open(&backend.database).await.unwrap();
    let b = instance(other, &office, Default::default()).await;
    let device = a.enrol("tab-1", "E-1", &["D-1"]).await;
    let rounds = 8;
    let per_batch = 4;
    for round in 0..rounds {
        let cases = (0..per_batch)
            .map(|i| census_case("D-1", round * per_batch + i + 1, 3, 1))
            .collect();
        let body = envelope(&device, &payload(&device, cases));
        let (ra, rb) = tokio::join!(
            a.post_batch(&device.token, body.clone()),
            b.post_batch(&device.token, body)
        );
        assert_eq!((ra.0, rb.0), (200, 200), "{ra:?} {rb:?}");
        let reply = |v: &Value| serde_json::from_value::<BatchReply>(v.clone()).unwrap();
        assert_eq!(reply(&ra.1), reply(&rb.1), "both instances give one answer");
        let results = reply(&ra.1).results;
        assert_eq!(results.len(), per_batch as usize);
        assert!(
            results
                .iter()
                .all(|r| r.outcome == census_core::wire::CaseOutcome::Stored),
            "{results:?}"
        );
    }
    let counts = backend.store.counts().await.unwrap();
    assert_eq!(counts.cases, u64::from(rounds * per_batch));
    assert_eq!(counts.batches, u64::from(rounds));
}

#[test]
fn a_second_server_on_one_sqlite_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let first = binary::start("true", dir.path(), None, &[]);
    let second = binary::command(
        "true",
        dir.path(),
        None,
        &["serve", "--listen", "127.0.0.1:0"],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .output()
    .unwrap();
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(!second.status.success(), "a second server must not start");
    assert!(said.contains("already serving"), "{said}");
    assert!(said.contains("PostgreSQL"), "{said}");
    // The admin commands still run beside the server.
    let admin = binary::command(
        "true",
        dir.path(),
        None,
        &["revoke-reviewer", "--name", "nobody"],
    )
    .output()
    .unwrap();
    let said = String::from_utf8_lossy(&admin.stderr);
    assert!(said.contains("no reviewer named"), "{said}");
    // Once the first one is gone (even killed), a server starts again.
    drop(first);
    let again = binary::start("true", dir.path(), None, &[]);
    assert!(!again.addr.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_starting_beside_live_ones_waits_for_no_table_lock() {
    let Some(backend) = backends::postgres("instance start under load").await else {
        return;
    };
    // A live instance's ingest in progress: its transaction holds the tables it writes.
    let (client, connection) = tokio_postgres::connect(&backend.database, tokio_postgres::NoTls)
        .await
        .unwrap();
    let task = tokio::spawn(connection);
    client
        .batch_execute(
            "BEGIN; LOCK TABLE cases, case_facts, district_extents, reviews, devices
             IN ROW EXCLUSIVE MODE;",
        )
        .await
        .unwrap();
    // A new instance opens the database meanwhile: a table lock would wait for that
    // transaction (forever here), so the deadline only guards against a hang.
    let opened = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        store::open(&backend.database),
    )
    .await;
    client.batch_execute("ROLLBACK").await.unwrap();
    drop(client);
    let _ = task.await;
    let store = opened
        .expect("the new instance waited for a table lock held by a live one")
        .unwrap();
    assert_eq!(store.kind(), "postgres");
}
