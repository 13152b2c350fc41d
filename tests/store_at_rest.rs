//! The tablet's files at rest: the data directory is 0700, the database (and its WAL and
//! shared-memory files) and the key file 0600; a new store opened from two threads at once
//! (the app's screen thread and its sync thread) opens on both, every time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod store_support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::{Arc, Barrier};

use census::keys::{DatabaseKey, KEY_FILE_NAME, KeyFile, OfficeSecretKey, Pin};
use census::store::Store;
use serde_json::json;
use store_support::{ctx, new_case};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn data_and_key_files_are_private_to_the_app() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("census-data");
    let office = OfficeSecretKey::generate().unwrap();
    let pin = Pin::new("280514".into()).unwrap();
    let (_file, key) =
        KeyFile::create(&dir.join(KEY_FILE_NAME), &pin, &office.public_key(), "t-1").unwrap();
    let mut store = Store::open(&dir, &key).unwrap();
    let case = store.create_case(&new_case("D1", 1, 1), &ctx("l")).unwrap();
    store
        .save_answer(case, "", "name", &json!("Khadija"), &ctx("n"))
        .unwrap();

    assert_eq!(mode(&dir), 0o700, "data directory");
    assert_eq!(mode(&dir.join(KEY_FILE_NAME)), 0o600, "key file");
    for name in ["census.db", "census.db-wal", "census.db-shm"] {
        let path = dir.join(name);
        assert!(path.exists(), "{name} exists while the store is open");
        assert_eq!(mode(&path), 0o600, "{name}");
    }
}

#[test]
fn a_store_from_an_older_version_is_narrowed_to_its_owner() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let key = DatabaseKey::generate().unwrap();
    drop(Store::open(dir.path(), &key).unwrap());
    let db = dir.path().join("census.db");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    drop(Store::open(dir.path(), &key).unwrap());
    assert_eq!(mode(dir.path()), 0o700);
    assert_eq!(mode(&db), 0o600);
}

/// The app opens the store on its screen thread and again on its sync thread. On a new
/// store both opens race to create the file, its key and its schema: each must succeed.
#[test]
fn a_new_store_opened_from_two_threads_at_once_opens_on_both() {
    for round in 0..60 {
        let dir = tempfile::tempdir().unwrap();
        let key = Arc::new(DatabaseKey::generate().unwrap());
        let start = Arc::new(Barrier::new(2));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let dir = dir.path().to_path_buf();
                let key = Arc::clone(&key);
                let start = Arc::clone(&start);
                std::thread::spawn(move || {
                    start.wait();
                    Store::open(&dir, &key).map(|store| store.schema_version())
                })
            })
            .collect();
        for handle in handles {
            let opened = handle.join().unwrap();
            match opened {
                Ok(version) => assert!(version.unwrap() >= 1),
                Err(e) => panic!("round {round}: a concurrent first open failed: {e}"),
            }
        }
    }
}
