//! One case the office cannot take never stops the queue: the batch holding it fails, the
//! client sends its cases one by one, the others are acknowledged, and that case is set aside
//! with the office's answer (kept in the outbox, shown, retried after the others). A batch is
//! split only when it failed twice: a passing failure of the office sets nothing aside. The real
//! server on a loopback port refuses batches over a small size limit (413); one case carries
//! a long note that no batch under that limit can hold.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod sync_support;

use census::sync::SyncProblem;

use serde_json::json;
use sync_support::server::TestServer;
use sync_support::{add_case, ctx, enrolled, queued};

/// Text that gzip cannot shrink much (so the sealed batch stays large).
fn incompressible(len: usize) -> String {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'a' + (state % 26) as u8)
        })
        .collect()
}

#[test]
fn a_case_the_office_cannot_take_is_set_aside_and_the_others_are_sent() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = TestServer::start_with_batch_limit(dir.path(), &["DR-1"], Some(24 * 1024));
    let (_key, mut store, client) = enrolled(
        &server,
        &dir.path().join("tablet"),
        &server.url(),
        &["DR-1"],
    );
    let first = add_case(&mut store, "DR-1", 1);
    let too_big = add_case(&mut store, "DR-1", 2);
    store
        .save_answer(
            too_big,
            "",
            "d_address",
            &json!(incompressible(60_000)),
            &ctx("dwelling"),
        )
        .unwrap();
    let last = add_case(&mut store, "DR-1", 3);

    // The first failure is retried as any failure is (the office may be down a moment)…
    let first_try = client.sync_once(&mut store, &mut |_, _| {}).unwrap_err();
    assert!(
        matches!(first_try, SyncProblem::Refused(_)),
        "{first_try:?}"
    );
    assert_eq!(queued(&store).len(), 3);
    // …the same batch failing again is sent case by case.
    let report = client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    assert_eq!(report.sent, 2, "{report:?}");
    assert_eq!(report.set_aside, 1, "{report:?}");
    let stored: Vec<_> = server
        .stored_cases()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert!(stored.contains(&first.0) && stored.contains(&last.0));
    assert!(!stored.contains(&too_big.0));

    // Kept in the outbox, with the office's answer on record, and offered after the others.
    assert_eq!(queued(&store), vec![too_big]);
    let rejections = store.rejections().unwrap();
    assert_eq!(rejections.len(), 1);
    assert!(rejections[0].set_aside);
    assert_eq!(rejections[0].case_id, too_big);
    assert!(!rejections[0].reason.is_empty());

    // A later case still flows, ahead of the one set aside, and a sync where only that case
    // fails again is not an error of the whole sync.
    let later = add_case(&mut store, "DR-1", 4);
    let order: Vec<_> = client
        .pending(&store)
        .unwrap()
        .into_iter()
        .map(|e| e.case_id)
        .collect();
    assert_eq!(order, vec![later, too_big]);
    let report = client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    assert_eq!(report.set_aside, 0, "already set aside: {report:?}");
    assert_eq!(queued(&store), vec![too_big]);
    let report = client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    assert_eq!(report.sent, 0);
    assert_eq!(queued(&store), vec![too_big]);

    // Once the office takes it (here: its limit raised), it is sent and its record cleared.
    server.stop();
    server.set_max_batch_bytes(None);
    server.restart();
    let report = client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    assert!(queued(&store).is_empty());
    assert!(store.rejections().unwrap().is_empty());
}
