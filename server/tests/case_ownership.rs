//! A case belongs to the device that first sent it, on the real router over loopback, on
//! SQLite and PostgreSQL: another device of the same district can neither overwrite nor
//! freeze it (revision 2^63−1), revisions grow by a bounded step, `already_had` answers
//! only the owner's own revisions, and only the office moves a case to another device
//! (`census-server reassign-case`, the real binary).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use census_core::wire::CaseRecord;
use census_server::http::ServerConfig;
use census_server::validate::ownership::MAX_REVISION_STEP;
use support::backends::{Backend, cli};
use support::*;

async fn send(server: &TestServer, device: &Device, case: &CaseRecord, revision: u64) -> String {
    let mut case = case.clone();
    case.revision = revision;
    let p = payload(device, vec![case]);
    let (status, body) = server.post_batch(&device.token, envelope(device, &p)).await;
    assert_eq!(status, 200, "{body}");
    let outcome = &body["results"][0]["outcome"];
    match outcome["kind"].as_str().unwrap() {
        "rejected" => format!("rejected: {}", outcome["reason"].as_str().unwrap()),
        kind => kind.to_owned(),
    }
}

async fn stored_revision(server: &TestServer, case: &CaseRecord) -> u64 {
    let page = server.state.store.cases_page(None, 100).await.unwrap();
    page.iter()
        .find(|c| c.case_id == case.case_id)
        .map(|c| c.revision)
        .unwrap()
}

async fn ownership(backend: Backend) {
    let store = backend.store.clone();
    store
        .import_districts(&[district("DR-1"), district("DR-2")])
        .await
        .unwrap();
    let config = ServerConfig {
        rate_burst: 1000,
        rate_per_second: 1000.0,
        ..ServerConfig::default()
    };
    let server = start(store.clone(), config).await;
    let a = server.enrol("tab-a", "E-1", &["DR-1"]).await;
    let b = server.enrol("tab-b", "E-2", &["DR-1"]).await;
    let elsewhere = server.enrol("tab-c", "E-3", &["DR-2"]).await;
    let x = census_case("DR-1", 1, 3, 3);
    assert_eq!(send(&server, &a, &x, 3).await, "stored");

    // Another device of the same district: neither an overwrite nor a freeze.
    let frozen = send(&server, &b, &x, i64::MAX as u64).await;
    assert!(frozen.contains("another device"), "{frozen}");
    let overwrite = send(&server, &b, &x, 4).await;
    assert!(overwrite.contains("another device"), "{overwrite}");
    let same = send(&server, &b, &x, 3).await;
    assert!(same.contains("another device"), "not already_had: {same}");
    assert_eq!(stored_revision(&server, &x).await, 3);

    // The real device's next revisions are stored, not answered already_had.
    assert_eq!(send(&server, &a, &x, 4).await, "stored");
    assert_eq!(send(&server, &a, &x, 4).await, "already_had");
    assert_eq!(stored_revision(&server, &x).await, 4);

    // Revisions grow by a bounded step, also the first one.
    let jump = send(&server, &a, &x, 4 + MAX_REVISION_STEP + 1).await;
    assert!(jump.contains("jumps more than"), "{jump}");
    assert_eq!(send(&server, &a, &x, 4 + MAX_REVISION_STEP).await, "stored");
    let y = census_case("DR-1", 2, 2, 1);
    let high = send(&server, &a, &y, MAX_REVISION_STEP + 1).await;
    assert!(high.contains("too high"), "{high}");
    assert_eq!(send(&server, &a, &y, MAX_REVISION_STEP).await, "stored");

    // Only the office moves a case, to an enrolled device of its district.
    let case_id = x.case_id.to_string();
    let db = backend.database.as_str();
    let refused = cli(db, &["reassign-case", &case_id, "--device", "tab-zzz"]).await;
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("not enrolled"), "{said}");
    let refused = cli(db, &["reassign-case", &case_id, "--device", "tab-c"]).await;
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("does not write district DR-1"), "{said}");
    let unknown = uuid::Uuid::new_v4().to_string();
    let refused = cli(db, &["reassign-case", &unknown, "--device", "tab-b"]).await;
    assert!(!refused.status.success());
    let done = cli(db, &["reassign-case", &case_id, "--device", "tab-b"]).await;
    let said = String::from_utf8_lossy(&done.stdout);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(said.contains("from device tab-a to device tab-b"), "{said}");

    // From then on b writes it, and a no longer does.
    let now = 4 + MAX_REVISION_STEP;
    assert_eq!(send(&server, &b, &x, now).await, "already_had");
    assert_eq!(send(&server, &b, &x, now + 1).await, "stored");
    let old_owner = send(&server, &a, &x, now + 2).await;
    assert!(old_owner.contains("another device"), "{old_owner}");
    let outside = send(&server, &elsewhere, &x, now + 2).await;
    assert!(outside.contains("outside your districts"), "{outside}");
    assert_eq!(stored_revision(&server, &x).await, now + 1);
    assert_eq!(
        server
            .state
            .panics
            .load(std::sync::atomic::Ordering::Relaxed),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_belongs_to_its_device_on_sqlite() {
    ownership(support::backends::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_belongs_to_its_device_on_postgres() {
    let Some(backend) = support::backends::postgres("case ownership").await else {
        return;
    };
    ownership(backend).await;
}
