//! A case goes to the office with the events the office has not acknowledged yet, not its
//! whole log at every revision; and when the office lost events it had acknowledged (its
//! database restored from a backup), it asks for them and the tablet sends them in the same
//! sync. Real server on loopback, real encrypted store.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod sync_support;

use std::path::{Path, PathBuf};

use census::store::{CaseId, Store};
use census::sync::{Credentials, SyncClient};
use census_core::wire;
use serde_json::json;
use sync_support::server::TestServer;
use sync_support::{add_case, ctx, enrolled, queued};

/// The seqs of the events the next batch would carry for `case`.
fn seqs_in_next_batch(
    server: &TestServer,
    client: &SyncClient,
    store: &mut Store,
    case: CaseId,
) -> Vec<u64> {
    let credentials = Credentials::load(store).unwrap();
    let device_public = credentials.device_key.public_key();
    let pending = client.pending(store).unwrap();
    let batch = client.prepare_batch(store, &credentials, &pending).unwrap();
    let payload = wire::open_batch(
        &batch.envelope,
        |_| Some(device_public.to_vec()),
        &server.office_secret(),
    )
    .unwrap();
    let record = payload
        .cases
        .iter()
        .find(|r| r.case_id == case.0)
        .expect("the case is in the batch");
    record.events.iter().map(|e| e.seq).collect()
}

/// The office database's files (the database and, when present, its WAL).
fn database_files(db: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| PathBuf::from(format!("{}{suffix}", db.display())))
        .collect()
}

fn answer(store: &mut Store, case: CaseId, rooms: i64) {
    store
        .save_answer(case, "", "d_rooms", &json!(rooms), &ctx("dwelling"))
        .unwrap();
}

#[test]
fn a_revision_carries_only_unacknowledged_events_and_a_restored_office_gets_them_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = TestServer::start(dir.path(), &["DR-1"]);
    let (_key, mut store, client) = enrolled(
        &server,
        &dir.path().join("tablet"),
        &server.url(),
        &["DR-1"],
    );
    let case = add_case(&mut store, "DR-1", 1);
    let all = store.events(case).unwrap().len() as u64;
    assert_eq!(
        seqs_in_next_batch(&server, &client, &mut store, case),
        (1..=all).collect::<Vec<_>>(),
        "the first time, the whole log"
    );
    let report = client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    assert_eq!((report.sent, report.still_pending), (1, 0));
    assert_eq!(server.counts().events, all);

    // The office's backup, taken now.
    server.stop();
    let db = dir.path().join("office.db");
    let backup = dir.path().join("backup");
    std::fs::create_dir_all(&backup).unwrap();
    for (i, file) in database_files(&db).iter().enumerate() {
        if file.exists() {
            std::fs::copy(file, backup.join(i.to_string())).unwrap();
        }
    }
    server.restart();

    // Two more answers: the next revision carries those two events only.
    answer(&mut store, case, 4);
    answer(&mut store, case, 5);
    assert_eq!(
        seqs_in_next_batch(&server, &client, &mut store, case),
        vec![all + 1, all + 2]
    );
    let report = client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    assert_eq!((report.sent, report.still_pending), (1, 0));
    assert_eq!(server.counts().events, all + 2);

    // The office is restored from the backup: it lost the two events it acknowledged.
    server.stop();
    for (i, file) in database_files(&db).iter().enumerate() {
        let saved = backup.join(i.to_string());
        if saved.exists() {
            std::fs::copy(&saved, file).unwrap();
        } else if file.exists() {
            std::fs::remove_file(file).unwrap();
        }
    }
    server.restart();
    assert_eq!(server.counts().events, all);

    // The next change goes with its one event; the office asks for the log from where it
    // is, and the same sync sends it: nothing waits, nothing is lost.
    answer(&mut store, case, 6);
    assert_eq!(
        seqs_in_next_batch(&server, &client, &mut store, case),
        vec![all + 3]
    );
    let report = client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    assert_eq!(
        (report.sent, report.rejected, report.still_pending),
        (1, 0, 0)
    );
    assert!(queued(&store).is_empty());
    assert_eq!(server.counts().events, all + 3, "every event held once");
    let revision = store.case_meta(case).unwrap().revision.0 as u64;
    assert!(server.stored_cases().contains(&(case.0, revision)));
}
