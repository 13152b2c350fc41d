//! Nothing readable at rest: distinctive text written through the store appears in no file of
//! the data directory (database, WAL, shared memory, key file); the same data written through
//! plain SQLite (the control) is found by the same scanner.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod store_support;

use std::path::Path;

use census::keys::{KEY_FILE_NAME, KeyFile, OfficeSecretKey, Pin, ReviewerToken};
use census::store::{ReviewDownload, Store};
use serde_json::json;
use store_support::{assignment, ctx, new_case, read_all_files};

const NAME: &str = "Zoubeida Qarwalliyine";
const ADDRESS: &str = "Derb Xylophone Tazmamart 7731";
const NOTE: &str = "Quokkaville seasonal worker";
const SCREEN: &str = "screen-Pomegranix";
const REVIEWER_TOKEN: &str = "rvwTokenZanzibarQuetzal42+/=";
const REVIEW_COMMENT: &str = "Xenolith relationship of person 2";

fn write_distinctive(store: &mut Store) {
    store.import_assignment(&assignment("D9", ADDRESS)).unwrap();
    let case = store
        .create_case(&new_case("D9", 1, 1), &ctx(SCREEN))
        .unwrap();
    store.add_row(case, "persons.1", 0, &ctx(SCREEN)).unwrap();
    for i in 0..50 {
        store
            .save_answer(
                case,
                "persons.1",
                "name",
                &json!(format!("{NAME} {i}")),
                &ctx(SCREEN),
            )
            .unwrap();
    }
    store
        .confirm_check(case, "persons.1", "age_check", NOTE, &ctx(SCREEN))
        .unwrap();
    // A controller's review: the reviewer token, the area received, a decision waiting.
    store
        .set_reviewer_token(&ReviewerToken::new(REVIEWER_TOKEN.to_owned()).unwrap())
        .unwrap();
    store
        .save_review_download(
            ReviewDownload::Queue,
            &format!("[{{\"enumerator_id\": \"{NAME}\"}}]"),
            chrono::Utc::now(),
        )
        .unwrap();
    store
        .queue_review_decision(
            uuid::Uuid::new_v4(),
            3,
            census_core::wire::Decision::SentBack,
            REVIEW_COMMENT,
        )
        .unwrap();
}

/// Which distinctive strings occur in which files.
fn scan(dir: &Path) -> Vec<(String, &'static str)> {
    let mut found = Vec::new();
    for (file, bytes) in read_all_files(dir) {
        for needle in [NAME, ADDRESS, NOTE, SCREEN, REVIEWER_TOKEN, REVIEW_COMMENT] {
            if store_support::contains(&bytes, needle.as_bytes()) {
                found.push((file.clone(), needle));
            }
        }
    }
    found
}

#[test]
fn encrypted_store_leaves_no_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let office = OfficeSecretKey::generate().unwrap();
    let (_file, key) = KeyFile::create(
        &dir.path().join(KEY_FILE_NAME),
        &Pin::new("482613".into()).unwrap(),
        &office.public_key(),
        "tablet-scan",
    )
    .unwrap();
    let mut store = Store::open(dir.path(), &key).unwrap();
    write_distinctive(&mut store);
    // While open: WAL and shared memory present, nothing checkpointed yet.
    let names: Vec<String> = read_all_files(dir.path())
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert!(names.iter().any(|n| n.ends_with("-wal")), "{names:?}");
    assert!(names.iter().any(|n| n == KEY_FILE_NAME), "{names:?}");
    assert_eq!(scan(dir.path()), vec![]);
    store.checkpoint().unwrap();
    assert_eq!(scan(dir.path()), vec![]);
    drop(store);
    assert_eq!(scan(dir.path()), vec![]);
}

#[test]
fn control_plain_sqlite_is_found_by_the_scanner() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_unencrypted_for_comparison_only(dir.path()).unwrap();
    write_distinctive(&mut store);
    let found = scan(dir.path());
    for needle in [NAME, ADDRESS, NOTE, SCREEN, REVIEWER_TOKEN, REVIEW_COMMENT] {
        assert!(
            found.iter().any(|(_, n)| *n == needle),
            "{needle} not found: {found:?}"
        );
    }
}
