//! Device identity on the real router, on SQLite and PostgreSQL: a device id is bound to the
//! key that enrolled it (another tablet cannot take it over with its own code), a revoked
//! device's token is refused at once, and text a tablet sends never reaches a log line raw.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use census_core::wire::*;
use census_server::http::ServerConfig;
use census_server::store::Storage;
use serde_json::Value;
use support::page::each_store;
use support::*;

async fn enrol_raw(
    server: &TestServer,
    code: &str,
    device_id: &str,
    key: &DeviceKey,
    enumerator: &str,
) -> (u16, Value) {
    let r = server
        .http
        .post(format!("{}/v1/enrol", server.url))
        .json(&EnrolRequest {
            code: code.into(),
            device_id: device_id.into(),
            device_public_key: b64_encode(&key.public_key()),
            enumerator_id: enumerator.into(),
        })
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn get_status(server: &TestServer, path: &str, token: &str) -> u16 {
    server
        .http
        .get(format!("{}{path}", server.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn started(store: Arc<dyn Storage>) -> TestServer {
    store
        .import_districts(&[district("DR-1"), district("DR-2")])
        .await
        .unwrap();
    start(store, ServerConfig::default()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrolling_another_tablets_id_with_ones_own_code_is_refused() {
    for t in each_store("device identity").await {
        let server = started(t.store.clone()).await;
        let victim = server.enrol("tab-victim", "E-1", &["DR-1"]).await;

        // Another enumerator, with a good code of their own, claims the victim's id.
        let code = server.issue_code("E-2", &["DR-2"]).await;
        let intruder = DeviceKey::generate().unwrap();
        let (status, body) = enrol_raw(&server, &code, "tab-victim", &intruder, "E-2").await;
        assert_eq!(
            (status, body["error"].as_str()),
            (409, Some("device_id_taken")),
            "{}: {body}",
            t.kind
        );

        // The victim keeps its token, its assignment and its right to send.
        let r = server
            .http
            .get(format!("{}/v1/assignment", server.url))
            .bearer_auth(&victim.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", t.kind);
        let assignment: Assignment = r.json().await.unwrap();
        assert_eq!(assignment.enumerator_id, "E-1");
        assert_eq!(assignment.districts[0].district_id, "DR-1");
        let p = payload(&victim, vec![census_case("DR-1", 1, 3, 1)]);
        let (status, reply) = server
            .post_batch(&victim.token, envelope(&victim, &p))
            .await;
        assert_eq!(status, 200, "{}: {reply}", t.kind);
        assert_eq!(
            reply["results"][0]["outcome"]["kind"], "stored",
            "{}: {reply}",
            t.kind
        );
        // The refused attempt did not use up the intruder's code: it still enrols a tablet
        // of its own.
        let (status, _) = enrol_raw(&server, &code, "tab-intruder", &intruder, "E-2").await;
        assert_eq!(status, 200, "{}", t.kind);

        // The same tablet (same key) given a new code re-enrols: new token, old one ends.
        let code = server.issue_code("E-1", &["DR-1", "DR-2"]).await;
        let (status, body) = enrol_raw(&server, &code, "tab-victim", &victim.key, "E-1").await;
        assert_eq!(status, 200, "{}: {body}", t.kind);
        let token = body["device_token"].as_str().unwrap();
        assert_eq!(get_status(&server, "/v1/assignment", token).await, 200);
        assert_eq!(
            get_status(&server, "/v1/assignment", &victim.token).await,
            401
        );

        // Once the office revokes the id, it may be enrolled again, by another key.
        assert!(t.store.revoke_device("tab-victim").await.unwrap());
        let code = server.issue_code("E-3", &["DR-1"]).await;
        let other = DeviceKey::generate().unwrap();
        let (status, body) = enrol_raw(&server, &code, "tab-victim", &other, "E-3").await;
        assert_eq!(status, 200, "{}: {body}", t.kind);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_devices_token_is_refused_at_once() {
    for t in each_store("device revocation").await {
        let server = started(t.store.clone()).await;
        let lost = server.enrol("tab-lost", "E-1", &["DR-1"]).await;
        let kept = server.enrol("tab-kept", "E-2", &["DR-1"]).await;
        assert_eq!(
            get_status(&server, "/v1/assignment", &lost.token).await,
            200
        );
        let first = payload(&lost, vec![census_case("DR-1", 1, 3, 1)]);
        assert_eq!(
            server
                .post_batch(&lost.token, envelope(&lost, &first))
                .await
                .0,
            200
        );

        assert!(
            t.store.revoke_device("tab-lost").await.unwrap(),
            "{}",
            t.kind
        );
        for path in ["/v1/assignment", "/v1/reviews", "/v1/questionnaires"] {
            assert_eq!(
                get_status(&server, path, &lost.token).await,
                401,
                "{}: {path}",
                t.kind
            );
        }
        let next = payload(&lost, vec![census_case("DR-1", 2, 3, 1)]);
        let (status, body) = server.post_batch(&lost.token, envelope(&lost, &next)).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("unknown_device")),
            "{}",
            t.kind
        );
        assert_eq!(
            t.store.counts().await.unwrap().cases,
            1,
            "nothing stored after revocation"
        );
        // Others are untouched; revoking twice says there was nothing left to revoke.
        assert_eq!(
            get_status(&server, "/v1/assignment", &kept.token).await,
            200
        );
        assert!(!t.store.revoke_device("tab-lost").await.unwrap());
        assert!(!t.store.revoke_device("tab-never").await.unwrap());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_device_and_revoke_reviewer_commands() {
    let (store, dir) = sqlite_store().await;
    let server = started(store.clone()).await;
    let lost = server.enrol("tab-lost", "E-1", &["DR-1"]).await;
    support::page::controller(&*store, "K. Alaoui", "k-token").await;
    let db = dir.path().join("census.db");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_census-server"))
            .arg("--data-dir")
            .arg(dir.path())
            .arg("--database")
            .arg(&db)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["revoke-device", "tab-lost"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("tab-lost revoked"));
    assert_eq!(
        get_status(&server, "/v1/assignment", &lost.token).await,
        401
    );
    let out = run(&["revoke-device", "tab-lost"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no enrolled device tab-lost"));

    assert_eq!(
        get_status(&server, "/v1/review/queue", "k-token").await,
        200
    );
    let out = run(&["revoke-reviewer", "--name", "K. Alaoui"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        get_status(&server, "/v1/review/queue", "k-token").await,
        401
    );
    assert!(
        !run(&["revoke-reviewer", "--name", "K. Alaoui"])
            .status
            .success()
    );
}

/// Everything logged by this test binary, as the operator's terminal would get it.
fn captured_log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        struct Sink(Arc<Mutex<Vec<u8>>>);
        impl Write for Sink {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let sink = Arc::clone(&log);
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || Sink(Arc::clone(&sink)))
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        log
    })
    .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_forging_device_id_never_reaches_a_log_line_raw() {
    let log = captured_log();
    let (store, _dir) = sqlite_store().await;
    let server = started(store).await;
    let code = server.issue_code("E-1", &["DR-1"]).await;
    let forged = "tab-1\nFORGED 2026-12-04T16:00:00Z  INFO census_server: enrolled device=admin\r\u{1b}[2K\u{1b}[31mFORGED-ANSI\u{202e}";
    let key = DeviceKey::generate().unwrap();
    let (status, body) = enrol_raw(&server, &code, forged, &key, "E-1").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("bad_device_id")),
        "{body}"
    );

    let text = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("tab-1\\nFORGED 2026-12-04T16:00:00Z"),
        "the refusal is logged with the id escaped: {text}"
    );
    for line in text.lines() {
        assert!(!line.starts_with("FORGED"), "a forged log line: {line:?}");
        assert!(
            !line.contains('\u{1b}') && !line.contains('\r') && !line.contains('\u{202e}'),
            "{line:?}"
        );
    }
    // The code was not used: the tablet enrols under a plain id.
    let (status, _) = enrol_raw(&server, &code, "tab-1", &key, "E-1").await;
    assert_eq!(status, 200);
}
