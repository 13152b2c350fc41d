//! An acknowledged batch is durable, on SQLite and PostgreSQL.
//!
//! - The server writes with durable commits: SQLite `synchronous=FULL` on the connection
//!   the store writes with (under `NORMAL` a power cut could lose a batch already
//!   acknowledged), PostgreSQL `synchronous_commit=on`; the real binary logs the setting it
//!   runs with.
//! - The real `census-server` binary is killed (SIGKILL) after a batch's transaction
//!   committed and before its reply left (`CENSUS_SERVER_FAULT_HOLD_REPLY_MS` holds the reply
//!   in that gap): the tablet got no answer, so it resends. After a restart the batch is
//!   there, the resend is answered from the stored reply (every case stored), and the same
//!   cases in a new batch are acknowledged as already had: stored exactly once.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod binary;
mod raw_http;
mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use census_core::wire::{
    BatchReply, CaseOutcome, DeviceKey, EnrolReply, EnrolRequest, b64_encode, decode_key32,
};
use census_server::store::sqlite::{SqliteStore, Synchronous};
use census_server::store::{NewCode, Storage};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_store_writes_with_full_synchronous_commits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("census.db");
    let store = SqliteStore::open(path.to_str().unwrap()).unwrap();
    assert_eq!(store.synchronous().unwrap(), Synchronous::Full);
    assert_eq!(store.durability().await.unwrap(), "synchronous=FULL");
    // What `census-server serve` opens (`store::open`) is the same.
    drop(store);
    let served = census_server::store::open(path.to_str().unwrap())
        .await
        .unwrap();
    assert_eq!(served.durability().await.unwrap(), "synchronous=FULL");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_store_writes_with_synchronous_commits() {
    let Some(url) = support::postgres_url("durable commits") else {
        return;
    };
    let url = binary::postgres_url_in_fresh_schema(&url, "durable").await;
    let store = census_server::store::open(&url).await.unwrap();
    assert_eq!(store.durability().await.unwrap(), "synchronous_commit=on");
}

/// The body of an HTTP reply, after its head.
fn body_of(reply: &[u8]) -> &[u8] {
    let at = reply
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(reply.len(), |i| i + 4);
    &reply[at..]
}

async fn post(addr: &str, path: &str, token: Option<&str>, body: &[u8]) -> Option<Vec<u8>> {
    let auth = token.map_or(String::new(), |t| format!("\r\nAuthorization: Bearer {t}"));
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: census\r\nContent-Type: application/octet-stream\
         \r\nContent-Length: {}{auth}",
        body.len()
    );
    raw_http::send(addr, &head, body).await
}

/// Batches stored so far, read beside the running server (`store`: the PostgreSQL one).
async fn stored_batches(database: &Database, beside: Option<&Arc<dyn Storage>>) -> u64 {
    match database {
        Database::Sqlite(path) => {
            let conn = rusqlite::Connection::open(path).unwrap();
            conn.busy_timeout(Duration::from_secs(10)).unwrap();
            conn.query_row("SELECT count(*) FROM batches", [], |r| r.get::<_, i64>(0))
                .unwrap() as u64
        }
        Database::Postgres(_) => beside.unwrap().counts().await.unwrap().batches,
    }
}

enum Database {
    Sqlite(String),
    Postgres(String),
}

impl Database {
    fn url(&self) -> Option<&str> {
        match self {
            Database::Sqlite(_) => None,
            Database::Postgres(url) => Some(url),
        }
    }

    fn open_arg(&self) -> &str {
        match self {
            Database::Sqlite(path) | Database::Postgres(path) => path,
        }
    }
}

async fn killed_between_commit_and_reply(data: &Path, database: Database) {
    // The frame and an enrolment code, written before the server starts.
    let code = census_server::secrets::generate_code().unwrap();
    let store = census_server::store::open(database.open_arg())
        .await
        .unwrap();
    store
        .import_districts(&[support::district("DR-1")])
        .await
        .unwrap();
    store
        .add_enrolment_code(&NewCode {
            code_hash: census_server::secrets::code_hash(&code),
            enumerator_id: "E-1".into(),
            districts: vec!["DR-1".into()],
        })
        .await
        .unwrap();
    support::set_recovery_key(store.as_ref()).await;
    // PostgreSQL is read through this store while the server runs; SQLite's file through a
    // plain connection (the server is its one store).
    let beside = matches!(database, Database::Postgres(_)).then_some(store);
    let hold = "export CENSUS_SERVER_FAULT_HOLD_REPLY_MS=600000";
    let server = binary::start(hold, data, database.url(), &[]);

    let key = DeviceKey::generate().unwrap();
    let enrol = EnrolRequest {
        code,
        device_id: "tab-durable".into(),
        device_public_key: b64_encode(&key.public_key()),
        enumerator_id: "E-1".into(),
    };
    let reply = post(
        &server.addr,
        "/v1/enrol",
        None,
        &serde_json::to_vec(&enrol).unwrap(),
    )
    .await
    .expect("the enrolment is answered (the hold is for batches only)");
    assert_eq!(raw_http::status_of(&reply), 200);
    let enrolled: EnrolReply = serde_json::from_slice(body_of(&reply)).unwrap();
    let device = support::Device {
        id: "tab-durable".into(),
        key,
        token: enrolled.device_token.clone(),
        office_public: decode_key32(&enrolled.office_public_key).unwrap(),
        enumerator: "E-1".into(),
    };
    let cases: Vec<_> = (1..=5)
        .map(|d| support::census_case("DR-1", d, 3, 1))
        .collect();
    let payload = support::payload(&device, cases.clone());
    let envelope = support::envelope(&device, &payload);

    // Send; the server commits, then holds its reply; kill it in that gap.
    let sending = {
        let (addr, token, body) = (server.addr.clone(), device.token.clone(), envelope.clone());
        tokio::spawn(async move { post(&addr, "/v1/batches", Some(&token), &body).await })
    };
    let mut waited = Duration::ZERO;
    while stored_batches(&database, beside.as_ref()).await == 0 {
        assert!(waited < raw_http::PATIENCE, "the batch was never committed");
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += Duration::from_millis(50);
    }
    drop(server); // SIGKILL, then wait for the process to end
    let answered = sending.await.unwrap();
    assert!(
        answered
            .as_deref()
            .is_none_or(|r| raw_http::status_of(r) == 0),
        "the tablet got no reply: {:?}",
        answered.map(|r| String::from_utf8_lossy(&r).into_owned())
    );

    // Restarted: the tablet resends the same batch and is answered from the stored reply.
    let server = binary::start("true", data, database.url(), &[]);
    let reply = post(&server.addr, "/v1/batches", Some(&device.token), &envelope)
        .await
        .expect("the resend is answered");
    assert_eq!(
        raw_http::status_of(&reply),
        200,
        "{}",
        String::from_utf8_lossy(&reply)
    );
    let reply: BatchReply = serde_json::from_slice(body_of(&reply)).unwrap();
    assert_eq!(reply.batch_id, payload.batch_id);
    assert_eq!(reply.results.len(), 5);
    assert!(
        reply
            .results
            .iter()
            .all(|r| r.outcome == CaseOutcome::Stored),
        "{reply:?}"
    );
    // The same cases in another batch: acknowledged, not stored again.
    let again = support::payload(&device, cases);
    let reply = post(
        &server.addr,
        "/v1/batches",
        Some(&device.token),
        &support::envelope(&device, &again),
    )
    .await
    .unwrap();
    let reply: BatchReply = serde_json::from_slice(body_of(&reply)).unwrap();
    assert!(
        reply
            .results
            .iter()
            .all(|r| r.outcome == CaseOutcome::AlreadyHad),
        "{reply:?}"
    );
    drop(server);
    drop(beside);
    let store = census_server::store::open(database.open_arg())
        .await
        .unwrap();
    let counts = store.counts().await.unwrap();
    assert_eq!(counts.cases, 5, "every case stored exactly once");
    assert_eq!(counts.batches, 2);
}

/// A data directory as the server makes it (0700), for a database written before it starts.
fn data_dir(root: &Path) -> std::path::PathBuf {
    let data = root.join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).unwrap();
    data
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_batch_killed_between_commit_and_reply_is_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_dir(dir.path());
    let path = data.join("census.db").to_string_lossy().into_owned();
    killed_between_commit_and_reply(&data, Database::Sqlite(path)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_batch_killed_between_commit_and_reply_is_stored_once() {
    let Some(url) = support::postgres_url("durable acknowledgement") else {
        return;
    };
    let url = binary::postgres_url_in_fresh_schema(&url, "durable").await;
    let dir = tempfile::tempdir().unwrap();
    let data = data_dir(dir.path());
    killed_between_commit_and_reply(&data, Database::Postgres(url)).await;
}
