//! Bad input against the real server on a loopback port: each gets a clear 4xx with a JSON
//! error, stores nothing, and the server keeps serving.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use census_core::wire::*;
use census_server::http::ServerConfig;
use serde_json::Value;
use support::*;
use uuid::Uuid;

fn raw(device: &Device, compressed: &[u8], batch_id: Uuid) -> Vec<u8> {
    seal_and_sign(
        compressed,
        WIRE_VERSION,
        batch_id,
        &device.id,
        &device.key,
        &device.office_public,
    )
    .unwrap()
    .to_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_and_nothing_is_stored() {
    let (store, _dir) = sqlite_store().await;
    store
        .import_districts(&[district("DR-1"), district("DR-2")])
        .await
        .unwrap();
    let config = ServerConfig {
        max_batch_bytes: 1024 * 1024,
        max_inflated_bytes: 4 * 1024 * 1024,
        ..ServerConfig::default()
    };
    let server = start(store, config).await;
    let a = server.enrol("tab-a", "E-1", &["DR-1"]).await;
    let b = server.enrol("tab-b", "E-2", &["DR-2"]).await;
    let good = payload(&a, vec![census_case("DR-1", 1, 4, 1)]);

    let intruder = DeviceKey::generate().unwrap();
    let mut bad_sig = build_batch(&good, &a.key, &a.office_public).unwrap();
    bad_sig.signature[3] ^= 1;
    let mut claims_b = payload(&a, vec![census_case("DR-1", 2, 4, 1)]);
    claims_b.device_id = b.id.clone();
    let other_office = OfficeSecret::generate().unwrap();
    let mut too_new = payload(&a, vec![census_case("DR-1", 3, 4, 1)]);
    too_new.wire_version = WIRE_VERSION + 1;
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let bomb = gzip(&vec![b' '; 16 * 1024 * 1024]).unwrap();

    let table: Vec<(&str, String, Vec<u8>, u16, &str)> = vec![
        (
            "oversized body",
            a.token.clone(),
            vec![0; 2 * 1024 * 1024],
            413,
            "too_large",
        ),
        (
            "garbage",
            a.token.clone(),
            b"hello, office".to_vec(),
            400,
            "bad_envelope",
        ),
        ("empty", a.token.clone(), Vec::new(), 400, "bad_envelope"),
        (
            "garbage gzip",
            a.token.clone(),
            raw(&a, b"\x1f\x8b\x08\x00not really gzip", Uuid::new_v4()),
            400,
            "corrupt_gzip",
        ),
        (
            "deeply nested JSON",
            a.token.clone(),
            raw(&a, &gzip(deep.as_bytes()).unwrap(), Uuid::new_v4()),
            400,
            "bad_json",
        ),
        (
            "gzip bomb",
            a.token.clone(),
            raw(&a, &bomb, Uuid::new_v4()),
            413,
            "too_large",
        ),
        (
            "wrong signature",
            a.token.clone(),
            bad_sig.to_bytes(),
            403,
            "bad_signature",
        ),
        (
            "signed by another key",
            a.token.clone(),
            build_batch(&good, &intruder, &a.office_public)
                .unwrap()
                .to_bytes(),
            403,
            "bad_signature",
        ),
        (
            "no token",
            String::new(),
            envelope(&a, &good),
            401,
            "unknown_device",
        ),
        (
            "unknown token",
            "not-a-token".into(),
            envelope(&a, &good),
            401,
            "unknown_device",
        ),
        (
            "forged: envelope of another device",
            a.token.clone(),
            build_batch(&claims_b, &intruder, &a.office_public)
                .unwrap()
                .to_bytes(),
            403,
            "forged",
        ),
        (
            "sealed to another office",
            a.token.clone(),
            build_batch(&good, &a.key, &other_office.public_key())
                .unwrap()
                .to_bytes(),
            400,
            "cannot_decrypt",
        ),
        (
            "newer wire version",
            a.token.clone(),
            build_batch(&too_new, &a.key, &a.office_public)
                .unwrap()
                .to_bytes(),
            400,
            "version_too_new",
        ),
    ];
    let before = server.state.store.counts().await.unwrap();
    for (name, token, body, status, code) in table {
        let (got, body) = server.post_batch(&token, body).await;
        assert_eq!(got, status, "{name}: {body}");
        assert_eq!(body["error"], code, "{name}: {body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{name}"
        );
        assert_eq!(
            server.state.store.counts().await.unwrap(),
            before,
            "{name} stored"
        );
        let health = server
            .http
            .get(format!("{}/health", server.url))
            .send()
            .await;
        assert_eq!(health.unwrap().status(), 200, "after {name}");
    }

    // Cases outside the device's districts are rejected one by one; nothing stored.
    let outside = payload(&a, vec![census_case("DR-2", 1, 4, 1)]);
    let (status, body) = server.post_batch(&a.token, envelope(&a, &outside)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["results"][0]["outcome"]["kind"], "rejected");
    let reason = body["results"][0]["outcome"]["reason"].as_str().unwrap();
    assert!(reason.contains("outside your districts"), "{reason}");
    assert_eq!(
        server.state.store.counts().await.unwrap().cases,
        before.cases
    );

    // A good batch, then the same bytes again: the stored reply, nothing re-processed.
    let bytes = envelope(&a, &good);
    let (status, first) = server.post_batch(&a.token, bytes.clone()).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["results"][0]["outcome"]["kind"], "stored");
    let after_first = server.state.store.counts().await.unwrap();
    let (status, replay) = server.post_batch(&a.token, bytes).await;
    assert_eq!(status, 200);
    assert_eq!(replay, first);
    assert_eq!(server.state.store.counts().await.unwrap(), after_first);
    assert_eq!(after_first.cases, before.cases + 1);

    // Device b cannot reuse a's batch id (replayed by another device).
    let mut stolen = payload(&b, vec![census_case("DR-2", 9, 4, 1)]);
    stolen.batch_id = good.batch_id;
    let (status, body) = server.post_batch(&b.token, envelope(&b, &stolen)).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"], "batch_id_taken");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrolment_refusals() {
    let (store, _dir) = sqlite_store().await;
    store.import_districts(&[district("DR-1")]).await.unwrap();
    let server = start(store, ServerConfig::default()).await;
    let code = server.issue_code("E-1", &["DR-1"]).await;
    let key = b64_encode(&DeviceKey::generate().unwrap().public_key());
    let post = |body: Vec<u8>| {
        let http = server.http.clone();
        let url = format!("{}/v1/enrol", server.url);
        async move {
            let r = http
                .post(url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let req = |code: &str, enumerator: &str, key: &str| {
        serde_json::to_vec(&EnrolRequest {
            code: code.into(),
            device_id: "tab-1".into(),
            device_public_key: key.into(),
            enumerator_id: enumerator.into(),
        })
        .unwrap()
    };
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("not JSON", b"{{{".to_vec(), 400, "bad_json"),
        (
            "deep JSON",
            "[".repeat(50_000).into_bytes(),
            400,
            "bad_json",
        ),
        ("too big", vec![b' '; 100 * 1024], 413, "too_large"),
        ("bad key", req(&code, "E-1", "AAAA"), 400, "bad_key"),
        (
            "unknown code",
            req("ZZZZ-ZZZZ", "E-1", &key),
            403,
            "code_unknown",
        ),
        (
            "other enumerator",
            req(&code, "E-9", &key),
            403,
            "enumerator_mismatch",
        ),
    ];
    for (name, body, status, error) in cases {
        let (got, body) = post(body).await;
        assert_eq!(
            (got, body["error"].as_str().unwrap()),
            (status, error),
            "{name}: {body}"
        );
    }
    let (got, body) = post(req(&code.to_lowercase(), "E-1", &key)).await;
    assert_eq!(got, 200, "{body}");
    assert_eq!(body["assignment"]["districts"][0]["district_id"], "DR-1");
    let (got, body) = post(req(&code, "E-1", &key)).await;
    assert_eq!((got, body["error"].as_str().unwrap()), (409, "code_used"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_device_rate_limit() {
    let (store, _dir) = sqlite_store().await;
    store.import_districts(&[district("DR-1")]).await.unwrap();
    let config = ServerConfig {
        rate_burst: 3,
        rate_per_second: 0.01,
        ..ServerConfig::default()
    };
    let server = start(store, config).await;
    let a = server.enrol("tab-a", "E-1", &["DR-1"]).await;
    let b = server.enrol("tab-b", "E-1", &["DR-1"]).await;
    let get = |token: String| {
        let http = server.http.clone();
        let url = format!("{}/v1/assignment", server.url);
        async move { http.get(url).bearer_auth(token).send().await.unwrap() }
    };
    for _ in 0..3 {
        assert_eq!(get(a.token.clone()).await.status(), 200);
    }
    let limited = get(a.token.clone()).await;
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    assert_eq!(
        limited.json::<Value>().await.unwrap()["error"],
        "rate_limited"
    );
    assert_eq!(get(b.token.clone()).await.status(), 200);
}
