//! Limits on what a client may make the server hold, against the real router on a loopback
//! port: an unauthenticated upload is refused from its headers (its body never read), a
//! stalled request head or body is given up, connections beyond the cap wait, and enrolment
//! and failed authentications are limited per client address. On SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod raw_http;
mod support;

use std::sync::Arc;
use std::time::Duration;

use census_server::http::ServerConfig;
use census_server::store::Storage;
use census_server::store::postgres::PgStore;
use raw_http::{PATIENCE, read_to_close, status_of};
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use uuid::Uuid;

fn addr_of(server: &TestServer) -> String {
    server.url.trim_start_matches("http://").to_owned()
}

/// Sends only a request head announcing `length` body bytes, and the reply that comes
/// without any body byte sent (`None`: no reply within `PATIENCE`).
async fn head_only(addr: &str, path: &str, auth: &str, length: usize) -> Option<Vec<u8>> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: census\r\n{auth}Content-Type: application/octet-stream\r\n\
         Content-Length: {length}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    read_to_close(&mut stream).await
}

async fn uploads_are_refused_from_their_headers(store: Arc<dyn Storage>) {
    store.import_districts(&[district("DR-1")]).await.unwrap();
    let server = start(store, ServerConfig::default()).await;
    let addr = addr_of(&server);
    let device = server.enrol("tab-1", "E-1", &["DR-1"]).await;
    let big = 32 * 1024 * 1024;
    for auth in ["", "Authorization: Bearer not-a-token\r\n"] {
        let reply = head_only(&addr, "/v1/batches", auth, big).await;
        let reply = reply.expect("an unauthenticated upload is answered before its body");
        assert_eq!(
            status_of(&reply),
            401,
            "{}",
            String::from_utf8_lossy(&reply)
        );
    }
    let case = Uuid::new_v4();
    let reply = head_only(&addr, &format!("/v1/review/cases/{case}"), "", 60_000).await;
    assert_eq!(status_of(&reply.expect("answered before the body")), 401);
    let reply = head_only(&addr, &format!("/review/cases/{case}"), "", 60_000).await;
    assert_eq!(status_of(&reply.expect("answered before the body")), 401);
    // A client that sends the body anyway still reads the 401, when the body is within what
    // the server drains before closing (4 MiB): past that, the connection may be closed under
    // the sender (a broken pipe), which is the point of not reading it.
    let (status, body) = server
        .post_batch("not-a-token", vec![0u8; 2 * 1024 * 1024])
        .await;
    assert_eq!(status, 401, "{body}");
    // An enrolled device's upload is still read and judged on its bytes, past the 64 KiB
    // that bounds other bodies.
    let (status, body) = server
        .post_batch(&device.token, vec![7u8; 512 * 1024])
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("bad_envelope"))
    );
    let p = payload(&device, vec![census_case("DR-1", 1, 3, 1)]);
    let (status, _) = server
        .post_batch(&device.token, envelope(&device, &p))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_refuses_unauthenticated_uploads_unread() {
    let (store, _dir) = sqlite_store().await;
    uploads_are_refused_from_their_headers(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_refuses_unauthenticated_uploads_unread() {
    let Some(url) = postgres_url("client limits") else {
        return;
    };
    let schema = format!("limits_{}", Uuid::new_v4().simple());
    let store: Arc<dyn Storage> =
        Arc::new(PgStore::connect_in_schema(&url, &schema).await.unwrap());
    uploads_are_refused_from_their_headers(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_heads_and_bodies_are_given_up() {
    let (store, _dir) = sqlite_store().await;
    store.import_districts(&[district("DR-1")]).await.unwrap();
    let mut config = ServerConfig::default();
    config.connections.header_read_timeout = Duration::from_secs(1);
    config.connections.body_read_timeout = Duration::from_secs(1);
    let server = start(store, config).await;
    let addr = addr_of(&server);
    let device = server.enrol("tab-1", "E-1", &["DR-1"]).await;

    // A connection that never sends a whole head is closed by the server.
    let mut silent = TcpStream::connect(&addr).await.unwrap();
    assert!(
        read_to_close(&mut silent).await.is_some(),
        "a silent connection is closed"
    );
    let mut partial = TcpStream::connect(&addr).await.unwrap();
    partial
        .write_all(b"GET /health HTTP/1.1\r\nHo")
        .await
        .unwrap();
    assert!(
        read_to_close(&mut partial).await.is_some(),
        "a partial head is given up"
    );

    // A body that stops arriving is given up, and the server says why.
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /v1/batches HTTP/1.1\r\nHost: census\r\nAuthorization: Bearer {}\r\n\
         Content-Length: 100000\r\n\r\n",
        device.token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&[0u8; 1000]).await.unwrap();
    let reply = read_to_close(&mut stream)
        .await
        .expect("a stalled body is given up");
    let text = String::from_utf8_lossy(&reply);
    assert_eq!(status_of(&reply), 400, "{text}");
    assert!(text.contains("too slowly"), "{text}");

    // A body trickled a byte at a time, never pausing for the idle timeout, is given up
    // for its rate (the default minimum, 4 KiB/s, after the 1 s grace).
    let stream = TcpStream::connect(&addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let head = format!(
        "POST /v1/batches HTTP/1.1\r\nHost: census\r\nAuthorization: Bearer {}\r\n\
         Content-Length: 100000\r\n\r\n",
        device.token
    );
    write.write_all(head.as_bytes()).await.unwrap();
    let trickle = tokio::spawn(async move {
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if write.write_all(b"x").await.is_err() {
                break;
            }
        }
    });
    let mut reply = Vec::new();
    let got = tokio::time::timeout(PATIENCE, read.read_to_end(&mut reply)).await;
    trickle.abort();
    assert!(got.is_ok(), "a trickled body is given up");
    let text = String::from_utf8_lossy(&reply);
    assert_eq!(status_of(&reply), 400, "{text}");
    assert!(text.contains("too slowly"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_wait_for_a_free_one() {
    let (store, _dir) = sqlite_store().await;
    let mut config = ServerConfig::default();
    config.connections.max_connections = 4;
    config.connections.header_read_timeout = Duration::from_secs(600);
    let server = start(store, config).await;
    let addr = addr_of(&server);
    assert_eq!(
        raw_http::health(&addr, PATIENCE).await,
        Some(200),
        "served below the cap"
    );
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(TcpStream::connect(&addr).await.unwrap());
    }
    let waiting = tokio::spawn({
        let addr = addr.clone();
        async move { raw_http::health(&addr, PATIENCE).await }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !waiting.is_finished(),
        "a fifth connection is not served while four are open"
    );
    drop(held.pop());
    assert_eq!(
        waiting.await.unwrap(),
        Some(200),
        "served once a connection closed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrolment_and_failed_sign_ins_are_limited_per_address() {
    let (store, _dir) = sqlite_store().await;
    store.import_districts(&[district("DR-1")]).await.unwrap();
    let mut config = ServerConfig::default();
    config.clients.enrol_burst = 3;
    config.clients.enrol_per_minute = 0.01;
    config.clients.auth_failure_burst = 3;
    config.clients.auth_failures_per_minute = 0.01;
    let server = start(store, config).await;
    let device = server.enrol("tab-1", "E-1", &["DR-1"]).await;

    let enrol = || {
        server
            .http
            .post(format!("{}/v1/enrol", server.url))
            .json(&serde_json::json!({"code": "WRONG", "device_id": "x",
                "device_public_key": "AAAA", "enumerator_id": "E-9"}))
            .send()
    };
    for _ in 0..2 {
        assert_ne!(enrol().await.unwrap().status(), 429);
    }
    let refused = enrol().await.unwrap();
    assert_eq!(
        refused.status(),
        429,
        "the fourth enrolment from one address"
    );
    assert!(refused.headers().contains_key("retry-after"));

    let assignment = |token: &str| {
        server
            .http
            .get(format!("{}/v1/assignment", server.url))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(assignment(&device.token).await.unwrap().status(), 200);
    for _ in 0..3 {
        assert_eq!(assignment("guess").await.unwrap().status(), 401);
    }
    let refused = assignment("guess").await.unwrap();
    assert_eq!(refused.status(), 429, "refused after three failures");
    assert!(refused.headers().contains_key("retry-after"));
    // While refused, the address gets 429 even with a good token (no token is looked up),
    // but liveness still answers.
    assert_eq!(assignment(&device.token).await.unwrap().status(), 429);
    let health = server
        .http
        .get(format!("{}/health", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_proxy_each_client_address_is_counted_apart() {
    let (store, _dir) = sqlite_store().await;
    let mut config = ServerConfig::default();
    config.clients.auth_failure_burst = 2;
    config.clients.auth_failures_per_minute = 0.01;
    config.clients.client_ip_header = Some("x-forwarded-for".into());
    let server = start(store, config).await;
    let from = |client: &'static str| {
        server
            .http
            .get(format!("{}/v1/assignment", server.url))
            .bearer_auth("guess")
            .header("x-forwarded-for", format!("198.51.100.77, {client}"))
            .send()
    };
    for _ in 0..2 {
        assert_eq!(from("203.0.113.1").await.unwrap().status(), 401);
    }
    assert_eq!(from("203.0.113.1").await.unwrap().status(), 429);
    assert_eq!(
        from("203.0.113.2").await.unwrap().status(),
        401,
        "another client behind the same proxy is not refused"
    );
}
