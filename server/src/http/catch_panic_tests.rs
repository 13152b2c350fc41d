//! The last-resort layer itself: a handler that panics is answered 500 with a JSON error,
//! counted, and the server goes on serving (no known request reaches it: see
//! `tests/hostile_batch.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::routing::get;
use census_core::wire::OfficeSecret;

use super::{AppState, ServerConfig, catch_panic};

async fn boom() -> &'static str {
    panic!("a defect")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_handler_is_answered_500_and_counted() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("census.db");
    let store = crate::store::open(path.to_str().unwrap()).await.unwrap();
    let state = AppState::new(
        store,
        OfficeSecret::generate().unwrap(),
        ServerConfig::default(),
    );
    let app: Router = Router::new()
        .route("/boom", get(boom))
        .route("/fine", get(|| async { "ok" }))
        .layer(catch_panic(Arc::clone(&state)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::new();
    let r = http.get(format!("{url}/boom")).send().await.unwrap();
    assert_eq!(r.status(), 500);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "internal");
    assert_eq!(state.panics.load(Ordering::Relaxed), 1);
    let r = http.get(format!("{url}/fine")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(state.panics.load(Ordering::Relaxed), 1);
}
