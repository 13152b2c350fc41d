//! End to end under faults: an answer lost after the office committed, a 500 then recovery,
//! the server restarted in the middle of a sync, the office unreachable then back. The real
//! server, the real client, the real encrypted store; a small TCP proxy injects the faults.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod sync_support;

use census::sync::{Credentials, SyncActivity, SyncClient, SyncHandle, SyncProblem};
use sync_support::proxy::{Action, Proxy};
use sync_support::server::TestServer;
use sync_support::{add_case, config, copy_key, enrolled, queued, wait_until};

#[test]
fn an_answer_lost_after_the_office_committed_is_recovered_by_sending_again() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), &["DR-1"]);
    // The first two batch uploads reach the office, but their answers never reach the device.
    let proxy = Proxy::start(
        server.addr(),
        Box::new(|method, path, index| {
            if method == "POST" && path == "/v1/batches" && index < 2 {
                Action::DropAnswer
            } else {
                Action::Forward
            }
        }),
    );
    let (_key, mut store, client) =
        enrolled(&server, &dir.path().join("tablet"), &proxy.url(), &["DR-1"]);
    for b in 1..=3 {
        add_case(&mut store, "DR-1", b);
    }
    let credentials = Credentials::load(&store).unwrap();
    let pending = client.pending(&store).unwrap();
    let batch = client
        .prepare_batch(&mut store, &credentials, &pending)
        .unwrap();

    // Lost answer: the device cannot know, so it keeps everything queued.
    assert_eq!(
        client.send(&credentials, &batch).unwrap_err(),
        SyncProblem::Offline
    );
    assert_eq!(queued(&store).len(), 3);
    assert_eq!(
        server.case_count_without_duplicates(),
        3,
        "the office committed"
    );

    // The whole sync fails the same way (a new batch, same revisions)…
    assert_eq!(
        client.sync_once(&mut store, &mut |_, _| {}).unwrap_err(),
        SyncProblem::Offline
    );
    assert_eq!(queued(&store).len(), 3);
    assert_eq!(server.case_count_without_duplicates(), 3);

    // …and sending again once the connection holds acknowledges everything, once.
    let reply = client.send(&credentials, &batch).unwrap();
    let outcome = SyncClient::apply_reply(&mut store, &batch, &reply).unwrap();
    assert_eq!(outcome.acknowledged, 3);
    assert!(queued(&store).is_empty());
    let report = client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    assert_eq!(report.sent, 0);
    assert_eq!(server.case_count_without_duplicates(), 3);
    let drops = proxy
        .log()
        .iter()
        .filter(|(_, _, a)| *a == Action::DropAnswer)
        .count();
    assert_eq!(drops, 2);
}

#[test]
fn a_500_is_retried_with_backoff_on_its_own_until_the_office_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), &["DR-1"]);
    let proxy = Proxy::start(
        server.addr(),
        Box::new(|method, path, index| {
            if method == "POST" && path == "/v1/batches" && index < 2 {
                Action::Answer500
            } else {
                Action::Forward
            }
        }),
    );
    let tablet = dir.path().join("tablet");
    let (key, mut store, _client) = enrolled(&server, &tablet, &proxy.url(), &["DR-1"]);
    for b in 1..=5 {
        add_case(&mut store, "DR-1", b);
    }
    let mut handle = SyncHandle::start(config(&proxy.url()), tablet, copy_key(&key), None).unwrap();
    let seen = wait_until(&mut handle, 30, |s| {
        s.activity == SyncActivity::Idle && s.pending == 0
    });
    let retrying: Vec<_> = seen
        .iter()
        .filter(|s| matches!(s.activity, SyncActivity::WaitingToRetry { .. }))
        .collect();
    assert!(!retrying.is_empty(), "no retry was scheduled: {seen:#?}");
    assert!(
        retrying
            .iter()
            .all(|s| s.problem == Some(SyncProblem::ServerTrouble))
    );
    assert!(
        retrying[0]
            .summary()
            .contains("will be retried automatically")
    );
    assert_eq!(seen.last().unwrap().problem, None);
    assert!(queued(&store).is_empty());
    assert_eq!(server.case_count_without_duplicates(), 5);
    // Automatic retries probe the cheap health endpoint first.
    assert!(proxy.log().iter().any(|(_, p, _)| p == "/health"));
    handle.shutdown();
}

#[test]
fn a_server_restarted_in_the_middle_of_a_sync_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = TestServer::start(dir.path(), &["DR-1"]);
    let url = server.url();
    let (_key, mut store, client) = enrolled(&server, &dir.path().join("tablet"), &url, &["DR-1"]);
    for b in 1..=10 {
        add_case(&mut store, "DR-1", b);
    }
    let credentials = Credentials::load(&store).unwrap();
    // Batches of 4: the server goes down right after the first one was acknowledged.
    let result = client.upload(&mut store, &credentials, &mut |done, _| {
        if done == 4 {
            server.stop();
        }
    });
    assert_eq!(result.unwrap_err(), SyncProblem::Offline);
    assert_eq!(queued(&store).len(), 6);

    server.restart();
    assert_eq!(server.url(), url);
    assert_eq!(server.case_count_without_duplicates(), 4);
    let report = client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    assert_eq!(report.sent, 6);
    assert!(queued(&store).is_empty());
    assert_eq!(server.case_count_without_duplicates(), 10);
}

#[test]
fn when_the_office_comes_back_the_thread_sends_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = TestServer::start(dir.path(), &["DR-1"]);
    let tablet = dir.path().join("tablet");
    let (key, mut store, _client) = enrolled(&server, &tablet, &server.url(), &["DR-1"]);
    for b in 1..=3 {
        add_case(&mut store, "DR-1", b);
    }
    server.stop();
    let mut handle =
        SyncHandle::start(config(&server.url()), tablet, copy_key(&key), None).unwrap();
    wait_until(&mut handle, 30, |s| {
        s.problem == Some(SyncProblem::Offline)
            && matches!(s.activity, SyncActivity::WaitingToRetry { .. })
    });
    let status = handle.status().clone();
    assert_eq!(status.pending, 3);
    assert!(status.retry_in().is_some());
    assert!(
        status
            .summary()
            .starts_with("No connection to the office: your cases are safe on the tablet")
    );

    // Nobody asks: the office comes back and the thread notices by itself.
    server.restart();
    wait_until(&mut handle, 30, |s| {
        s.activity == SyncActivity::Idle && s.pending == 0 && s.problem.is_none()
    });
    assert!(queued(&store).is_empty());
    assert_eq!(server.case_count_without_duplicates(), 3);
    handle.shutdown();
}

#[test]
fn a_reviewers_tablet_offline_stays_not_enrolled_for_the_device_and_offline_for_the_reviewer() {
    let dir = tempfile::tempdir().unwrap();
    let tablet = dir.path().join("tablet");
    let (key, mut store) = sync_support::open_new(&tablet);
    store
        .set_reviewer_token(&census::keys::ReviewerToken::new("rv-code".to_owned()).unwrap())
        .unwrap();
    drop(store);
    // Nothing listens on the discard port: every attempt, and every probe, finds no office.
    let mut handle =
        SyncHandle::start(config("http://127.0.0.1:9"), tablet, copy_key(&key), None).unwrap();
    wait_until(&mut handle, 20, |s| {
        s.review_problem == Some(SyncProblem::Offline)
            && matches!(s.activity, SyncActivity::WaitingToRetry { .. })
    });
    // Let several automatic retries (each probing first) pass.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let status = handle.poll().clone();
    assert_eq!(status.review_problem, Some(SyncProblem::Offline));
    assert_eq!(
        status.problem,
        Some(SyncProblem::NotEnrolled),
        "{status:#?}"
    );
    assert!(matches!(
        status.activity,
        SyncActivity::WaitingToRetry { .. }
    ));
    handle.shutdown();
}
