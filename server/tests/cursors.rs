//! Cursors in query strings (the real router on a loopback port, SQLite and PostgreSQL): a
//! `since` above what the stores hold (2^64−1 wrapped to −1 on SQLite, "everything"), below
//! zero or not a number is a 400 in words; valid cursors page as before.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;

use census_core::wire::{Decision, ReviewDecisions};
use census_server::http::ServerConfig;
use census_server::store::Storage;
use census_server::store::postgres::PgStore;
use serde_json::Value;
use support::*;
use uuid::Uuid;

async fn cursors_are_checked(store: Arc<dyn Storage>) {
    let server = start(store, ServerConfig::default()).await;
    let device = server.enrol("tab-1", "E-1", &["DR-1"]).await;
    let case = census_case("DR-1", 1, 2, 1);
    let case_id = case.case_id;
    let (status, body) = server
        .post_batch(
            &device.token,
            envelope(&device, &payload(&device, vec![case])),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let cursor = server
        .state
        .store
        .add_review(case_id, Decision::SentBack, "check the ages")
        .await
        .unwrap();

    let get = |since: &str| {
        let url = format!("{}/v1/reviews?since={since}", server.url);
        let request = server.http.get(url).bearer_auth(&device.token);
        async move {
            let resp = request.send().await.unwrap();
            let status = resp.status().as_u16();
            (status, resp.text().await.unwrap())
        }
    };
    for bad in [
        "18446744073709551615",
        "9223372036854775808",
        "99999999999999999999999",
        "-1",
        "abc",
        "+5",
        "1.5",
        "",
    ] {
        let (status, body) = get(bad).await;
        assert_eq!(status, 400, "since={bad:?}: {body}");
        let body: Value = serde_json::from_str(&body).unwrap();
        let message = body["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("since") && message.contains("9223372036854775807"),
            "since={bad:?}: {body}"
        );
    }
    let (status, body) = get("0").await;
    assert_eq!(status, 200, "{body}");
    let page: ReviewDecisions = serde_json::from_str(&body).unwrap();
    assert_eq!(page.decisions.len(), 1);
    assert_eq!(page.next_cursor, cursor);
    let (status, body) = get(&cursor.to_string()).await;
    assert_eq!(status, 200, "{body}");
    let page: ReviewDecisions = serde_json::from_str(&body).unwrap();
    assert!(page.decisions.is_empty());
    assert_eq!(page.next_cursor, cursor);
    let (status, body) = get("9223372036854775807").await;
    assert_eq!(status, 200, "{body}");
    let page: ReviewDecisions = serde_json::from_str(&body).unwrap();
    assert!(page.decisions.is_empty());
    // The stores themselves never wrap a cursor above i64::MAX around to "everything".
    let districts = vec!["DR-1".to_owned()];
    for since in [u64::MAX, i64::MAX as u64 + 1] {
        let after = server
            .state
            .store
            .reviews_since(&districts, since, 10)
            .await
            .unwrap();
        assert!(after.is_empty(), "since {since}: {after:?}");
    }
    // Absent: from the start.
    let resp = server
        .http
        .get(format!("{}/v1/reviews", server.url))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let page: ReviewDecisions = resp.json().await.unwrap();
    assert_eq!(page.decisions.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_review_cursor_out_of_range_is_refused_on_sqlite() {
    let (store, _dir) = sqlite_store().await;
    cursors_are_checked(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_review_cursor_out_of_range_is_refused_on_postgres() {
    let Some(url) = postgres_url("cursors") else {
        return;
    };
    let schema = format!("cursors_{}", Uuid::new_v4().simple());
    let store: Arc<dyn Storage> =
        Arc::new(PgStore::connect_in_schema(&url, &schema).await.unwrap());
    cursors_are_checked(store).await;
}
