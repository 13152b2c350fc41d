//! End to end: the real census server on a loopback port (SQLite in a temporary directory),
//! the real sync client, the real encrypted store. Every test checks the office's stored
//! cases through the server's storage API: never a duplicate.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod sync_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use census::store::sync_state::SyncKey;
use census::store::{CaseStatus, Store};
use census::sync::{Credentials, SyncActivity, SyncClient, SyncHandle, SyncProblem, SyncStatus};
use census_core::wire::{CaseOutcome, Decision};
use sync_support::server::TestServer;
use sync_support::{add_case, config, copy_key, ctx, enrolled, open_new, queued, wait_until};

#[test]
fn happy_path_enrol_send_everything_then_only_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), &["DR-1", "DR-2"]);
    let (_key, mut store, client) = enrolled(
        &server,
        &dir.path().join("tablet"),
        &server.url(),
        &["DR-1"],
    );

    // Enrolment stored the credentials and the assignment.
    let districts = store.districts().unwrap();
    assert_eq!(districts.len(), 1);
    assert_eq!(districts[0].district_id, "DR-1");
    assert_eq!(districts[0].expected_households, 250);
    assert!(Credentials::load(&store).is_ok());

    let cases: Vec<_> = (1..=10).map(|b| add_case(&mut store, "DR-1", b)).collect();
    let mut progress = Vec::new();
    let report = client
        .sync_once(&mut store, &mut |done, total| progress.push((done, total)))
        .unwrap();
    assert_eq!(report.sent, 10);
    assert_eq!(report.rejected, 0);
    assert_eq!(report.still_pending, 0);
    // Batches of 4: progress 0, 4, 8, 10 of 10.
    assert_eq!(progress, vec![(0, 10), (4, 10), (8, 10), (10, 10)]);
    assert!(queued(&store).is_empty());
    assert!(
        store
            .sync_setting(SyncKey::LastSuccessAt)
            .unwrap()
            .is_some()
    );
    assert_eq!(server.case_count_without_duplicates(), 10);
    let events: usize = cases.iter().map(|c| store.events(*c).unwrap().len()).sum();
    assert_eq!(server.counts().events, events as u64);

    // Nothing queued: nothing sent.
    let batches = server.counts().batches;
    let report = client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    assert_eq!(report.sent, 0);
    assert_eq!(server.counts().batches, batches);

    // One case changes: only it is sent, at its new revision, replacing the old one.
    store
        .set_status(cases[3], CaseStatus::Complete, None, &ctx("end"))
        .unwrap();
    let report = client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    assert_eq!(report.sent, 1);
    assert_eq!(server.case_count_without_duplicates(), 10);
    let revision = store.case_meta(cases[3]).unwrap().revision.0 as u64;
    assert!(server.stored_cases().contains(&(cases[3].0, revision)));
}

#[test]
fn the_same_batch_twice_and_the_same_revisions_in_a_new_batch_store_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), &["DR-1"]);
    let (_key, mut store, client) = enrolled(
        &server,
        &dir.path().join("tablet"),
        &server.url(),
        &["DR-1"],
    );
    for b in 1..=3 {
        add_case(&mut store, "DR-1", b);
    }
    let credentials = Credentials::load(&store).unwrap();
    let pending = client.pending(&store).unwrap();
    let batch = client
        .prepare_batch(&mut store, &credentials, &pending)
        .unwrap();

    let first = client.send(&credentials, &batch).unwrap();
    assert!(
        first
            .results
            .iter()
            .all(|r| r.outcome == CaseOutcome::Stored)
    );
    let counts = server.counts();
    assert_eq!(server.case_count_without_duplicates(), 3);

    // The very same bytes again: the office's stored answer, nothing written.
    let second = client.send(&credentials, &batch).unwrap();
    assert_eq!(second, first);
    assert_eq!(server.counts(), counts);

    // Applying both answers is harmless.
    let outcome = SyncClient::apply_reply(&mut store, &batch, &first).unwrap();
    assert_eq!(outcome.acknowledged, 3);
    let outcome = SyncClient::apply_reply(&mut store, &batch, &second).unwrap();
    assert_eq!(outcome.acknowledged, 0);
    assert!(queued(&store).is_empty());

    // The same revisions in a new batch (a device that lost its acknowledgements): already had.
    let again = client
        .prepare_batch(&mut store, &credentials, &pending)
        .unwrap();
    assert_ne!(again.batch_id, batch.batch_id);
    let reply = client.send(&credentials, &again).unwrap();
    assert!(
        reply
            .results
            .iter()
            .all(|r| r.outcome == CaseOutcome::AlreadyHad)
    );
    assert_eq!(server.case_count_without_duplicates(), 3);
    assert_eq!(server.counts().events, counts.events);
}

#[test]
fn a_tampered_batch_is_refused_with_a_4xx_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), &["DR-1"]);
    let (_key, mut store, client) = enrolled(
        &server,
        &dir.path().join("tablet"),
        &server.url(),
        &["DR-1"],
    );
    add_case(&mut store, "DR-1", 1);
    add_case(&mut store, "DR-1", 2);
    let credentials = Credentials::load(&store).unwrap();
    let pending = client.pending(&store).unwrap();
    let batch = client
        .prepare_batch(&mut store, &credentials, &pending)
        .unwrap();
    let len = batch.envelope.len();
    // A byte of the sealed payload, of the signature, and of the batch id.
    for position in [len - 5, len / 2, 10] {
        let mut tampered = batch.clone();
        tampered.envelope[position] ^= 0x40;
        let problem = client.send(&credentials, &tampered).unwrap_err();
        assert!(
            matches!(problem, SyncProblem::Refused(_)),
            "byte {position}: {problem:?}"
        );
        assert!(problem.to_string().contains("tell your supervisor"));
        assert_eq!(server.case_count_without_duplicates(), 0);
        assert_eq!(server.counts().batches, 0);
    }
    // Garbage instead of a batch.
    let mut garbage = batch.clone();
    garbage.envelope = b"not a batch at all".to_vec();
    assert!(matches!(
        client.send(&credentials, &garbage),
        Err(SyncProblem::Refused(_))
    ));
    assert_eq!(queued(&store).len(), 2, "nothing marked as sent");

    // The untouched batch still goes through, and the server kept running.
    let reply = client.send(&credentials, &batch).unwrap();
    SyncClient::apply_reply(&mut store, &batch, &reply).unwrap();
    assert!(queued(&store).is_empty());
    assert_eq!(server.case_count_without_duplicates(), 2);
}

#[test]
fn a_replayed_batch_changes_nothing_and_another_device_cannot_replay_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), &["DR-1"]);
    let (_key, mut store, client) = enrolled(
        &server,
        &dir.path().join("tablet"),
        &server.url(),
        &["DR-1"],
    );
    let case = add_case(&mut store, "DR-1", 1);
    let credentials = Credentials::load(&store).unwrap();
    let pending = client.pending(&store).unwrap();
    let captured = client
        .prepare_batch(&mut store, &credentials, &pending)
        .unwrap();
    let reply = client.send(&credentials, &captured).unwrap();
    SyncClient::apply_reply(&mut store, &captured, &reply).unwrap();

    // The case moves on and is sent at its new revision.
    store
        .set_status(case, CaseStatus::Complete, None, &ctx("end"))
        .unwrap();
    client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    let newest = store.case_meta(case).unwrap().revision.0 as u64;
    assert_eq!(server.stored_cases(), vec![(case.0, newest)]);
    let counts = server.counts();

    // Someone replays the captured (older) batch with this device's token: nothing changes.
    let replayed = client.send(&credentials, &captured).unwrap();
    assert_eq!(replayed, reply);
    assert_eq!(server.counts(), counts);
    assert_eq!(server.stored_cases(), vec![(case.0, newest)]);

    // Replayed from another enrolled device: refused, nothing stored.
    let (_k2, mut other_store, other_client) = enrolled(
        &server,
        &dir.path().join("tablet2"),
        &server.url(),
        &["DR-1"],
    );
    let other = Credentials::load(&other_store).unwrap();
    let refused = other_client.send(&other, &captured).unwrap_err();
    assert!(matches!(refused, SyncProblem::Refused(_)), "{refused:?}");
    assert_eq!(server.counts(), counts);
    // The other device itself is fine.
    add_case(&mut other_store, "DR-1", 7);
    other_client
        .sync_once(&mut other_store, &mut |_, _| {})
        .unwrap();
    assert_eq!(server.case_count_without_duplicates(), 2);
}

#[test]
fn a_case_of_another_district_is_rejected_with_its_reason_and_stays_on_the_tablet() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), &["DR-1", "DR-2"]);
    let (_key, mut store, client) = enrolled(
        &server,
        &dir.path().join("tablet"),
        &server.url(),
        &["DR-1"],
    );
    let mine = add_case(&mut store, "DR-1", 1);
    let foreign = add_case(&mut store, "DR-2", 1);
    let report = client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    assert_eq!(report.sent, 1);
    assert_eq!(report.rejected, 1);
    assert_eq!(
        report.still_pending, 0,
        "the refused case is not offered again"
    );
    assert_eq!(queued(&store), vec![foreign], "but it stays in the outbox");
    let rejections = store.rejections().unwrap();
    assert_eq!(rejections.len(), 1);
    assert_eq!(rejections[0].case_id, foreign);
    assert!(
        rejections[0].reason.contains("DR-2"),
        "{}",
        rejections[0].reason
    );
    let revision = store.case_meta(mine).unwrap().revision.0 as u64;
    assert_eq!(server.stored_cases(), vec![(mine.0, revision)]);
    assert_eq!(server.case_count_without_duplicates(), 1);

    // Syncing again does not resend the refused revision.
    let batches = server.counts().batches;
    client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    assert_eq!(server.counts().batches, batches);
    assert_eq!(server.case_count_without_duplicates(), 1);
}

#[test]
fn a_case_sent_back_by_the_supervisor_reopens_with_the_comment() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), &["DR-1"]);
    let (_key, mut store, client) = enrolled(
        &server,
        &dir.path().join("tablet"),
        &server.url(),
        &["DR-1"],
    );
    let approved = add_case(&mut store, "DR-1", 1);
    let sent_back = add_case(&mut store, "DR-1", 2);
    for case in [approved, sent_back] {
        store
            .set_status(case, CaseStatus::Complete, None, &ctx("end"))
            .unwrap();
    }
    client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    server.review(approved.0, Decision::Approved, "");
    server.review(
        sent_back.0,
        Decision::SentBack,
        "Age of the head is missing",
    );

    let report = client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    assert_eq!(report.reopened, 1);
    assert_eq!(
        store.case_meta(sent_back).unwrap().status,
        CaseStatus::InProgress
    );
    assert_eq!(
        store.case_meta(approved).unwrap().status,
        CaseStatus::Complete
    );
    let notes = store.review_notes(sent_back).unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].comment, "Age of the head is missing");
    assert_eq!(
        store.review_notes(approved).unwrap()[0].decision,
        "approved"
    );
    // Reopening is a change like any other: logged and queued for sending.
    let events = store.events(sent_back).unwrap();
    assert_eq!(events.last().unwrap().screen, census::sync::SYNC_SCREEN);
    assert_eq!(queued(&store), vec![sent_back]);

    // The decision is received once: completing the case again keeps it complete.
    store
        .set_status(sent_back, CaseStatus::Complete, None, &ctx("end"))
        .unwrap();
    let report = client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    assert_eq!(report.reopened, 0);
    assert_eq!(
        store.case_meta(sent_back).unwrap().status,
        CaseStatus::Complete
    );
    assert!(queued(&store).is_empty());
    assert_eq!(server.case_count_without_duplicates(), 2);
}

#[test]
fn enrolment_codes_are_checked_and_used_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), &["DR-1"]);
    let (_key, mut store) = open_new(&dir.path().join("tablet"));
    let client = SyncClient::new(config(&server.url())).unwrap();
    assert_eq!(
        client.sync_once(&mut store, &mut |_, _| {}).unwrap_err(),
        SyncProblem::NotEnrolled
    );
    let wrong = client.enrol(&mut store, "AAAA-BBBB-CCCC-DDDD", "E-001");
    assert!(
        matches!(wrong, Err(SyncProblem::EnrolmentCodeRefused(_))),
        "{wrong:?}"
    );
    assert!(Credentials::load(&store).is_err());

    let code = server.issue_code("E-001", &["DR-1"]);
    // Typed in lower case with spaces: still the code.
    let typed = code.to_lowercase().replace('-', " ");
    client.enrol(&mut store, &typed, "E-001").unwrap();
    assert!(Credentials::load(&store).is_ok());

    let (_k2, mut second) = open_new(&dir.path().join("tablet2"));
    let reused = client.enrol(&mut second, &code, "E-001").unwrap_err();
    assert!(
        matches!(reused, SyncProblem::EnrolmentCodeRefused(_)),
        "{reused:?}"
    );
    assert!(reused.to_string().contains("ask your supervisor"));
}

#[test]
fn the_background_thread_enrols_sends_and_reports_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), &["DR-1"]);
    let tablet = dir.path().join("tablet");
    let (key, mut store) = open_new(&tablet);
    for b in 1..=6 {
        add_case(&mut store, "DR-1", b);
    }
    let wakes = Arc::new(AtomicUsize::new(0));
    let counter = wakes.clone();
    let mut handle = SyncHandle::start(
        config(&server.url()),
        tablet.clone(),
        copy_key(&key),
        Some(Arc::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        })),
    )
    .unwrap();

    // Not enrolled: it says so and waits for the enumerator.
    wait_until(&mut handle, 20, |s| {
        s.activity == SyncActivity::WaitingForEnumerator
    });
    let status = handle.status().clone();
    assert_eq!(status.problem, Some(SyncProblem::NotEnrolled));
    assert!(!status.enrolled);
    assert_eq!(status.pending, 6);

    let code = server.issue_code("E-001", &["DR-1"]);
    handle.request_enrol(code, "E-001".into());
    let seen = wait_until(&mut handle, 30, |s: &SyncStatus| {
        s.activity == SyncActivity::Idle && s.enrolled && s.pending == 0
    });
    let last = seen.last().unwrap();
    assert_eq!(last.problem, None);
    assert!(last.last_success.is_some());
    assert_eq!(last.last_report.as_ref().unwrap().sent, 6);
    assert!(wakes.load(Ordering::SeqCst) > 0);
    assert_eq!(server.case_count_without_duplicates(), 6);

    // The screens keep writing through their own connection; a request sends the change.
    let case = store.outbox_pending().unwrap();
    assert!(case.is_empty());
    let new_case = add_case(&mut store, "DR-1", 9);
    handle.request_sync();
    wait_until(&mut handle, 30, |s| {
        s.activity == SyncActivity::Idle && s.last_report.as_ref().is_some_and(|r| r.sent == 1)
    });
    assert!(queued(&store).is_empty());
    assert!(
        server
            .stored_cases()
            .iter()
            .any(|(id, _)| *id == new_case.0)
    );
    assert_eq!(server.case_count_without_duplicates(), 7);

    // A building listed and no case queued: the next idle check sends the listing, without
    // waiting for the (hour-long, here) refresh.
    let building = census::store::Building {
        state: census::store::BuildingState::Listed,
        building_no: 40,
        address: "40 rue des Oliviers".to_owned(),
        gps: None,
        dwellings: vec![census::store::Dwelling {
            dwelling_no: 1,
            occupancy: census::store::Occupancy::Occupied,
            description: String::new(),
        }],
    };
    store.add_building("DR-1", &building).unwrap();
    let start = std::time::Instant::now();
    loop {
        let _ = handle.poll();
        let gathered = server.coverage(&["DR-1"]);
        let counts = gathered.counts.get("DR-1").copied().unwrap_or_default();
        if counts.listed_dwellings == 1 {
            break;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "the listing never reached the office"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    wait_until(&mut handle, 30, |s| {
        s.activity == SyncActivity::Idle && !s.listing_waiting
    });
    handle.shutdown();
    drop(store);
    // The database is still sound after two connections wrote to it.
    let reopened = Store::open(&tablet, &key).unwrap();
    assert_eq!(reopened.integrity_check().unwrap(), vec!["ok".to_owned()]);
}

#[test]
fn the_listing_reaches_the_office_in_the_first_batch_and_again_only_when_it_changed() {
    use census::store::{Building, Dwelling, Occupancy};
    use census_core::GpsPoint;
    use census_core::wire::{self, BatchPayload};
    use sync_support::proxy::{Action, Proxy};

    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), &["DR-1"]);
    let proxy = Proxy::start(server.addr(), Box::new(|_, _, _| Action::Forward));
    let (_key, mut store, client) =
        enrolled(&server, &dir.path().join("tablet"), &proxy.url(), &["DR-1"]);
    let dwelling = |dwelling_no, occupancy| Dwelling {
        dwelling_no,
        occupancy,
        description: String::new(),
    };
    store
        .add_building(
            "DR-1",
            &Building {
                state: census::store::BuildingState::Listed,
                building_no: 7,
                address: "7 rue des Oliviers".to_owned(),
                gps: Some(GpsPoint {
                    lat: 33.5731,
                    lon: -7.5898,
                    accuracy_m: Some(5.0),
                }),
                dwellings: vec![
                    dwelling(1, Occupancy::Occupied),
                    dwelling(2, Occupancy::Vacant),
                ],
            },
        )
        .unwrap();
    for b in 1..=5 {
        add_case(&mut store, "DR-1", b);
    }
    let device_public = Credentials::load(&store).unwrap().device_key.public_key();
    let office = server.office_secret();
    let received = || -> Vec<BatchPayload> {
        proxy
            .bodies(census::sync::paths::BATCHES)
            .iter()
            .map(|body| wire::open_batch(body, |_| Some(device_public.to_vec()), &office).unwrap())
            .collect()
    };

    // Five cases in batches of four: the listing rides in the first batch only.
    let report = client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    assert_eq!(report.sent, 5);
    let batches = received();
    assert_eq!(batches.len(), 2);
    let listing = &batches[0].listing;
    let building = listing
        .buildings
        .iter()
        .find(|b| b.building_number == 7)
        .expect("building 7 in the listing");
    assert_eq!(building.district_id, "DR-1");
    assert_eq!(building.gps.map(|g| g.lat), Some(33.5731));
    assert!(!building.listed_at.is_empty());
    let occupancy: Vec<(u32, &str)> = listing
        .dwellings
        .iter()
        .filter(|d| d.building_number == 7)
        .map(|d| (d.dwelling_number, d.occupancy.as_str()))
        .collect();
    assert_eq!(occupancy, vec![(1, "occupied"), (2, "vacant")]);
    assert!(batches[1].listing.is_empty());
    let newest = store
        .listing()
        .unwrap()
        .newest_listed_at()
        .map(str::to_owned);
    assert_eq!(store.sync_setting(SyncKey::ListingSentAt).unwrap(), newest);
    assert_eq!(server.case_count_without_duplicates(), 5);
    // The office stored it: its coverage counts the listing and finds the occupied dwelling
    // that has no household case (the cases are in buildings 1 to 5).
    let gathered = server.coverage(&["DR-1"]);
    let counts = gathered.counts.get("DR-1").copied().unwrap_or_default();
    assert_eq!(counts.listed_dwellings, 2);
    assert_eq!(counts.occupied_dwellings, 1);
    assert_eq!(counts.households, 5);
    assert_eq!(
        gathered.occupied_without_household,
        vec![("DR-1".to_owned(), 7, 1)]
    );

    // Nothing queued and the listing unchanged: nothing sent.
    client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    assert_eq!(received().len(), 2);

    // A dwelling listed, no case queued: one batch with no case and the whole listing,
    // accepted by the office.
    store
        .add_dwelling("DR-1", 7, &dwelling(3, Occupancy::Unknown))
        .unwrap();
    client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    let batches = received();
    assert_eq!(batches.len(), 3);
    assert!(batches[2].cases.is_empty());
    let dwellings: Vec<(u32, &str)> = batches[2]
        .listing
        .dwellings
        .iter()
        .filter(|d| d.building_number == 7)
        .map(|d| (d.dwelling_number, d.occupancy.as_str()))
        .collect();
    assert_eq!(
        dwellings,
        vec![(1, "occupied"), (2, "vacant"), (3, "unknown")]
    );
    let newest = store
        .listing()
        .unwrap()
        .newest_listed_at()
        .map(str::to_owned);
    assert_eq!(store.sync_setting(SyncKey::ListingSentAt).unwrap(), newest);
    client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    assert_eq!(received().len(), 3);
    assert_eq!(server.case_count_without_duplicates(), 5);
    let counts = server.coverage(&["DR-1"]).counts.get("DR-1").copied();
    assert_eq!(counts.map(|c| c.listed_dwellings), Some(3));
}
