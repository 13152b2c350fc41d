//! Failures give the right error and delete nothing: wrong key, a newer schema, a corrupted
//! file, a full device (simulated with `max_page_count`, and a real small tmpfs when running
//! as root), and read-only storage (a read-only mount when root, which ignores file
//! permissions; directory and file permissions otherwise).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod store_support;

use std::path::Path;
use std::process::Command;

use census::keys::{DatabaseKey, hex};
use census::store::{CaseId, Store, StoreError};
use serde_json::json;
use store_support::{ctx, new_case, open_new, store_with_answers};

fn db_path(dir: &Path) -> std::path::PathBuf {
    dir.join("census.db")
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().len()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A tmpfs mounted for the duration of a test (root only), unmounted on drop.
struct Mount(tempfile::TempDir);

impl Mount {
    fn tmpfs(size: &str) -> Option<Mount> {
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        ok.then_some(Mount(dir))
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    fn remount(&self, options: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(self.path())
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0.path()).status();
    }
}

#[test]
fn wrong_key_is_reported_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (_key, case) = store_with_answers(dir.path(), 20);
    let before = std::fs::read(db_path(dir.path())).unwrap();
    let err = Store::open(dir.path(), &DatabaseKey::generate().unwrap()).unwrap_err();
    assert!(matches!(err, StoreError::WrongKey), "{err:?}");
    assert!(err.to_string().contains("nothing was deleted"));
    assert_eq!(std::fs::read(db_path(dir.path())).unwrap(), before);
    let _ = case;
}

#[test]
fn newer_schema_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let (key, _case) = store_with_answers(dir.path(), 5);
    {
        let conn = rusqlite::Connection::open(db_path(dir.path())).unwrap();
        let hex = hex::encode(key.expose_secret_bytes());
        conn.execute_batch(&format!(
            "PRAGMA key = \"x'{hex}'\"; PRAGMA cipher_hmac_algorithm = HMAC_SHA256; PRAGMA user_version = 99;"
        ))
        .unwrap();
    }
    let before = std::fs::read(db_path(dir.path())).unwrap();
    let err = Store::open(dir.path(), &key).unwrap_err();
    assert!(
        matches!(err, StoreError::NewerVersion { found: 99, .. }),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("written by a newer version of the app"),
        "{message}"
    );
    assert!(message.contains("nothing was deleted"), "{message}");
    assert_eq!(std::fs::read(db_path(dir.path())).unwrap(), before);
}

#[test]
fn corrupted_file_is_reported_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (key, case) = store_with_answers(dir.path(), 2000);
    let path = db_path(dir.path());
    let mut bytes = std::fs::read(&path).unwrap();
    let len = bytes.len();
    assert!(
        len > 64 * 1024,
        "database too small to corrupt its middle: {len}"
    );
    for b in &mut bytes[len / 2..len / 2 + 3000] {
        *b = 0x5a;
    }
    std::fs::write(&path, &bytes).unwrap();

    // Whichever step first touches the damaged pages must say "corrupted".
    let outcome = (|| -> Result<(), StoreError> {
        let store = Store::open(dir.path(), &key)?;
        store.load_case(case)?;
        let problems = store.integrity_check()?;
        if problems != ["ok"] {
            return Err(StoreError::Corrupted(problems.join("; ")));
        }
        Ok(())
    })();
    let err = outcome.unwrap_err();
    assert!(matches!(err, StoreError::Corrupted(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains("contact your supervisor; nothing was deleted")
    );
    assert_eq!(size(&path), len as u64);
}

fn fill_until_full(store: &mut Store, case: CaseId) -> (usize, StoreError) {
    let big = "y".repeat(3000);
    for i in 0..100_000 {
        match store.save_answer(case, "", &format!("big{i}"), &json!(big), &ctx("fill")) {
            Ok(_) => {}
            Err(e) => return (i, e),
        }
    }
    panic!("storage never filled up");
}

#[test]
fn full_storage_simulated_keeps_earlier_answers() {
    let dir = tempfile::tempdir().unwrap();
    let (key, mut store) = open_new(dir.path());
    let case = store.create_case(&new_case("D1", 1, 1), &ctx("s")).unwrap();
    let pages = store.simulate_storage_limit(200).unwrap();
    assert_eq!(pages, 200);
    let (saved, err) = fill_until_full(&mut store, case);
    assert!(matches!(err, StoreError::StorageFull), "{err:?}");
    assert!(err.to_string().contains("storage is full"));
    assert!(err.to_string().contains("your answers so far are safe"));
    assert!(saved > 10);
    drop(store);
    let store = Store::open(dir.path(), &key).unwrap();
    assert_eq!(store.integrity_check().unwrap(), vec!["ok".to_string()]);
    let stored = store.load_case(case).unwrap();
    assert_eq!(stored.answers.len(), saved);
}

#[test]
fn full_tmpfs_keeps_earlier_answers() {
    if !is_root() {
        eprintln!("not root: real full-device test skipped (the simulated one ran)");
        return;
    }
    let Some(mount) = Mount::tmpfs("600k") else {
        eprintln!("tmpfs mount refused: real full-device test skipped");
        return;
    };
    let data = mount.path().join("data");
    let (key, mut store) = open_new(&data);
    let case = store.create_case(&new_case("D1", 1, 1), &ctx("s")).unwrap();
    let (saved, err) = fill_until_full(&mut store, case);
    assert!(matches!(err, StoreError::StorageFull), "{err:?}");
    assert!(saved > 10);
    drop(store);
    // Free space (as the enumerator would), then everything saved before is there.
    mount.remount("size=4m");
    let store = Store::open(&data, &key).unwrap();
    assert_eq!(store.integrity_check().unwrap(), vec!["ok".to_string()]);
    assert_eq!(store.load_case(case).unwrap().answers.len(), saved);
}

#[test]
fn read_only_storage_is_reported_and_nothing_deleted() {
    let root = is_root();
    let mount = if root { Mount::tmpfs("4m") } else { None };
    let base = tempfile::tempdir().unwrap();
    let data = match &mount {
        Some(m) => m.path().join("data"),
        None => base.path().join("data"),
    };
    let (key, case) = store_with_answers(&data, 10);
    let db = db_path(&data);
    let len = size(&db);
    match &mount {
        Some(m) => m.remount("ro"),
        None if root => panic!("running as root but could not mount a tmpfs"),
        None => {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
            std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o555)).unwrap();
        }
    }
    let err = Store::open(&data, &key).unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly), "{err:?}");
    assert!(err.to_string().contains("nothing was deleted"));
    assert_eq!(size(&db), len);
    // Writable again: everything is there.
    match &mount {
        Some(m) => m.remount("rw"),
        None => {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
            std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
    let store = Store::open(&data, &key).unwrap();
    assert_eq!(store.load_case(case).unwrap().answers.len(), 10);
}
