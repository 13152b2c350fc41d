//! Poisoned case content, on the real router over loopback, on SQLite and PostgreSQL: one
//! batch carries a good case next to every kind of bad one; the good case is stored, each
//! bad one is rejected with its reason in its own reply, no handler panics, and the
//! export (the real binary) and the coverage report still work afterwards. A batch
//! claiming wire version 0 is refused whole.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::atomic::Ordering;

use census_core::wire::{CaseRecord, WIRE_VERSION};
use census_server::http::ServerConfig;
use census_server::validate::MAX_CASE_BYTES;
use serde_json::{Value, json};
use support::backends::{
    Backend, cli, envelope_of_text, envelope_of_text_at, get, office_reviewer, payload_text,
};
use support::*;

/// A good case of `district` with `edit` applied to its document.
fn edited(dwelling: u32, edit: impl FnOnce(&mut CaseRecord)) -> CaseRecord {
    let mut case = census_case("DR-1", dwelling, 2, 1);
    edit(&mut case);
    case
}

fn root_answers(case: &mut CaseRecord) -> &mut serde_json::Map<String, Value> {
    case.case["root"]["answers"].as_object_mut().unwrap()
}

fn first_person(case: &mut CaseRecord) -> &mut serde_json::Map<String, Value> {
    case.case["root"]["rosters"]["households"][0]["rosters"]["persons"][0]["answers"]
        .as_object_mut()
        .unwrap()
}

async fn hostile_batch(backend: Backend) {
    let store = backend.store.clone();
    store.import_districts(&[district("DR-1")]).await.unwrap();
    office_reviewer(&*store, "office-token").await;
    let config = ServerConfig {
        rate_burst: 1000,
        rate_per_second: 1000.0,
        ..ServerConfig::default()
    };
    let server = start(store.clone(), config).await;
    let a = server.enrol("tab-a", "E-1", &["DR-1"]).await;
    let b = server.enrol("tab-b", "E-2", &["DR-1"]).await;

    // Before: a case of device a, and one of b, stored at revision 1.
    let of_a = census_case("DR-1", 1, 3, 1);
    let of_b = census_case("DR-1", 2, 3, 1);
    for (device, case) in [(&a, &of_a), (&b, &of_b)] {
        let p = payload(device, vec![case.clone()]);
        let (status, body) = server.post_batch(&device.token, envelope(device, &p)).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["results"][0]["outcome"]["kind"], "stored", "{body}");
    }

    let good = census_case("DR-1", 3, 4, 1);
    let mut overwrite = of_a.clone();
    overwrite.revision = 2;
    let mut jump = of_b.clone();
    jump.revision = 1 + 100_001;
    let frozen = census_case("DR-1", 20, 2, i64::MAX as u64);
    let padding = "x".repeat(60 * 1024);
    // (what, case, a part of the reason given)
    let bad: Vec<(&str, CaseRecord, &str)> = vec![
        (
            "1e999",
            edited(4, |c| {
                root_answers(c).insert("d_rooms".into(), json!("@@HUGE@@"));
            }),
            "out of range",
        ),
        (
            "lone surrogate",
            edited(5, |c| {
                first_person(c).insert("p_name".into(), json!("@@SURROGATE@@"));
            }),
            "surrogate",
        ),
        (
            "NUL",
            edited(6, |c| {
                first_person(c).insert("p_name".into(), json!("Ali\u{0}ce"));
            }),
            "NUL",
        ),
        (
            "100,000 levels of nesting",
            edited(7, |c| {
                root_answers(c).insert("d_address".into(), json!("@@DEEP@@"));
            }),
            "nested",
        ),
        (
            "oversized",
            edited(8, |c| {
                let pad: Vec<Value> = (0..20).map(|_| json!(padding)).collect();
                c.case["padding"] = json!(pad);
            }),
            "bytes, more than",
        ),
        (
            "unknown item",
            edited(9, |c| {
                root_answers(c).insert("d_swimming_pool".into(), json!(true));
            }),
            "d_swimming_pool",
        ),
        (
            "wrong type",
            edited(10, |c| {
                root_answers(c).insert("d_rooms".into(), json!("three"));
            }),
            "d_rooms",
        ),
        (
            "out of range",
            edited(11, |c| {
                root_answers(c).insert("d_gps".into(), json!({"lat": 123.0, "lon": -6.8}));
            }),
            "off the globe",
        ),
        (
            "unknown questionnaire version",
            edited(12, |c| c.questionnaire_version = "9.9.9".into()),
            "not accepted",
        ),
        (
            "unknown status",
            edited(13, |c| c.status = "finished".into()),
            "unknown status",
        ),
        ("overwrite by another device", overwrite, "another device"),
        ("revision jump", jump, "jumps more than"),
        ("revision 2^63-1 on a new case", frozen, "too high"),
    ];
    assert!(
        bad[4].1.case.to_string().len() > MAX_CASE_BYTES,
        "the oversized case must be over the limit"
    );
    let mut cases = vec![good.clone()];
    cases.extend(bad.iter().map(|(_, c, _)| c.clone()));
    let p = payload(&b, cases);
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let text = payload_text(
        &p,
        &[
            ("@@HUGE@@", "1e999".into()),
            ("@@SURROGATE@@", r#""\ud800""#.into()),
            ("@@DEEP@@", deep),
        ],
    );
    let before = store.counts().await.unwrap();
    let (status, body) = server
        .post_batch(&b.token, envelope_of_text(&b, p.batch_id, &text))
        .await;
    assert_eq!(status, 200, "{body}");
    let results = body["results"].as_array().unwrap();
    assert_eq!(results.len(), 1 + bad.len(), "{body}");
    assert_eq!(results[0]["case_id"], good.case_id.to_string());
    assert_eq!(results[0]["outcome"]["kind"], "stored", "{body}");
    for ((what, case, why), result) in bad.iter().zip(&results[1..]) {
        assert_eq!(result["case_id"], case.case_id.to_string(), "{what}");
        assert_eq!(result["outcome"]["kind"], "rejected", "{what}: {result}");
        let reason = result["outcome"]["reason"].as_str().unwrap();
        assert!(reason.contains(why), "{what}: {reason}");
    }
    let after = store.counts().await.unwrap();
    assert_eq!(after.cases, before.cases + 1, "only the good case is new");
    assert_eq!(
        server.state.panics.load(Ordering::Relaxed),
        0,
        "no request may reach the catch-panic layer"
    );

    // The real device's cases are untouched and it goes on syncing.
    let mut next = of_a.clone();
    next.revision = 2;
    let p = payload(&a, vec![next]);
    let (status, body) = server.post_batch(&a.token, envelope(&a, &p)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["results"][0]["outcome"]["kind"], "stored", "{body}");

    // Wire version 0: refused whole, with a clear error.
    let p0 = payload(&b, vec![census_case("DR-1", 30, 2, 1)]);
    let mut v0 = p0.clone();
    v0.wire_version = 0;
    let text = serde_json::to_string(&v0).unwrap();
    let (status, body) = server
        .post_batch(&b.token, envelope_of_text_at(&b, p0.batch_id, &text, 0))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "version_too_old", "{body}");
    assert!(body["message"].as_str().unwrap().contains("wire version 0"));
    assert_eq!(WIRE_VERSION, 1);

    // Coverage and the case history still answer; the export still runs.
    let (status, report) = get(&server, "/v1/coverage", "office-token").await;
    assert_eq!(status, 200, "{report}");
    let (status, history) = get(
        &server,
        &format!("/v1/cases/{}/history", good.case_id),
        "office-token",
    )
    .await;
    assert_eq!(status, 200, "{history}");
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("export");
    let done = cli(
        &backend.database,
        &["export", "--out", dir.to_str().unwrap()],
    )
    .await;
    assert!(
        done.status.success(),
        "export failed: {}",
        String::from_utf8_lossy(&done.stderr)
    );
    let said = String::from_utf8_lossy(&done.stdout);
    assert!(said.contains("exported 3 cases"), "{said}");
    assert_eq!(server.state.panics.load(Ordering::Relaxed), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_batch_on_sqlite() {
    hostile_batch(support::backends::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_batch_on_postgres() {
    let Some(backend) = support::backends::postgres("hostile batch").await else {
        return;
    };
    hostile_batch(backend).await;
}
