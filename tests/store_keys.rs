//! PIN unlock, delays and lockout, PIN change, and office recovery through the real
//! `census-recover` binary, on real files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod store_support;

use std::path::Path;
use std::process::Command;

use census::keys::{
    KEY_FILE_NAME, KeyError, KeyFile, LockState, MAX_PIN_FAILURES, OfficePublicKey,
    OfficeSecretKey, Pin, keyfile::retry_delay,
};
use census::store::Store;
use chrono::{Duration, Utc};
use serde_json::json;
use store_support::{contains, ctx, new_case};

fn pin(text: &str) -> Pin {
    Pin::new(text.to_string()).unwrap()
}

fn recover_tool() -> Command {
    Command::new(env!("CARGO_BIN_EXE_census-recover"))
}

/// Generates an office key pair with the tool; returns (secret path, public key).
fn office_keys(dir: &Path) -> (std::path::PathBuf, OfficePublicKey) {
    let secret = dir.join("office.secret");
    let public = dir.join("office.pub");
    let out = recover_tool()
        .args(["generate-office-key", "--secret-out"])
        .arg(&secret)
        .arg("--public-out")
        .arg(&public)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (secret, OfficePublicKey::read_file(&public).unwrap())
}

#[test]
fn wrong_pins_delay_then_lock_and_office_recovery_unlocks() {
    let office_dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let (secret_path, office_public) = office_keys(office_dir.path());
    let key_path = data.path().join(KEY_FILE_NAME);
    let (mut file, key) =
        KeyFile::create(&key_path, &pin("246813"), &office_public, "tablet-0042").unwrap();
    // The raw key is nowhere in the key file.
    let key_hex = census::keys::hex::encode(key.expose_secret_bytes());
    let key_file_bytes = std::fs::read(&key_path).unwrap();
    assert!(!contains(&key_file_bytes, key_hex.as_bytes()));
    assert!(!contains(&key_file_bytes, key.expose_secret_bytes()));
    assert!(matches!(
        KeyFile::create(&key_path, &pin("1111"), &office_public, "x"),
        Err(KeyError::AlreadyExists(_))
    ));

    let mut store = Store::open(data.path(), &key).unwrap();
    let case = store.create_case(&new_case("D1", 1, 1), &ctx("l")).unwrap();
    store
        .save_answer(case, "", "name", &json!("Khadija"), &ctx("n"))
        .unwrap();
    drop(store);
    let db_before = std::fs::read(data.path().join("census.db")).unwrap();

    // The right PIN works and opens the same database.
    let unlocked = file.unlock(&pin("246813")).unwrap();
    assert_eq!(unlocked.expose_secret_bytes(), key.expose_secret_bytes());

    let mut now = Utc::now();
    let mut failures = 0;
    while failures < MAX_PIN_FAILURES {
        match file.unlock_at(&pin("1357"), now) {
            Err(KeyError::WrongPin { attempts_left }) => {
                failures += 1;
                assert_eq!(attempts_left, MAX_PIN_FAILURES - failures);
                let message = KeyError::WrongPin { attempts_left }.to_string();
                assert!(message.contains("Wrong PIN"), "{message}");
            }
            Err(KeyError::TooSoon { wait_seconds }) => {
                // Delays only after the 4th failure, and the right PIN is refused too.
                assert!(failures >= 4, "delay after {failures} failures");
                assert_eq!(wait_seconds as i64, retry_delay(failures).num_seconds());
                assert!(matches!(
                    file.unlock_at(&pin("246813"), now),
                    Err(KeyError::TooSoon { .. })
                ));
                let LockState::WaitUntil(until) = file.lock_state(now) else {
                    panic!("expected a wait");
                };
                now = until;
            }
            Err(KeyError::LockedOut) => {
                failures += 1;
                assert_eq!(failures, MAX_PIN_FAILURES);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(file.failed_attempts(), MAX_PIN_FAILURES);
    // Locked out, also with the right PIN, also after reloading, also much later.
    let later = now + Duration::days(30);
    assert!(matches!(
        file.unlock_at(&pin("246813"), later),
        Err(KeyError::LockedOut)
    ));
    let mut reloaded = KeyFile::load(&key_path).unwrap();
    assert_eq!(reloaded.lock_state(later), LockState::LockedOut);
    assert!(matches!(
        reloaded.unlock_at(&pin("246813"), later),
        Err(KeyError::LockedOut)
    ));
    assert!(
        KeyError::LockedOut
            .to_string()
            .contains("nothing was deleted")
    );
    // Nothing deleted.
    assert_eq!(
        std::fs::read(data.path().join("census.db")).unwrap(),
        db_before
    );

    // A wrong office key is refused and changes nothing.
    let wrong_dir = tempfile::tempdir().unwrap();
    let (wrong_secret, _) = office_keys(wrong_dir.path());
    let key_file_before = std::fs::read(&key_path).unwrap();
    let out = recover_tool()
        .args(["unlock", "--office-key"])
        .arg(&wrong_secret)
        .arg("--key-file")
        .arg(&key_path)
        .args(["--new-pin", "975318"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open"));
    assert_eq!(std::fs::read(&key_path).unwrap(), key_file_before);

    // Office recovery with the real tool and files.
    let out = recover_tool()
        .args(["unlock", "--office-key"])
        .arg(&secret_path)
        .arg("--key-file")
        .arg(&key_path)
        .args(["--new-pin", "975318"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("tablet-0042"));

    let mut recovered = KeyFile::load(&key_path).unwrap();
    assert_eq!(recovered.failed_attempts(), 0);
    assert!(matches!(
        recovered.unlock(&pin("246813")),
        Err(KeyError::WrongPin { .. })
    ));
    let key = recovered.unlock(&pin("975318")).unwrap();
    assert_eq!(recovered.failed_attempts(), 0);
    let store = Store::open(data.path(), &key).unwrap();
    assert_eq!(
        store.answer(case, "", "name").unwrap(),
        Some(json!("Khadija"))
    );
}

#[test]
fn pin_change_rewraps_without_touching_the_database() {
    let data = tempfile::tempdir().unwrap();
    let office = OfficeSecretKey::generate().unwrap();
    let key_path = data.path().join(KEY_FILE_NAME);
    let (mut file, key) =
        KeyFile::create(&key_path, &pin("280514"), &office.public_key(), "tablet-7").unwrap();
    let mut store = Store::open(data.path(), &key).unwrap();
    let case = store.create_case(&new_case("D1", 1, 1), &ctx("l")).unwrap();
    store
        .save_answer(case, "", "q", &json!(true), &ctx("q"))
        .unwrap();
    drop(store);
    let db_before = std::fs::read(data.path().join("census.db")).unwrap();

    assert!(matches!(
        file.change_pin(&pin("0000"), &pin("567812")),
        Err(KeyError::WrongPin { .. })
    ));
    file.change_pin(&pin("280514"), &pin("567812")).unwrap();
    assert_eq!(file.failed_attempts(), 0);
    assert_eq!(
        std::fs::read(data.path().join("census.db")).unwrap(),
        db_before
    );

    let mut reloaded = KeyFile::load(&key_path).unwrap();
    assert!(matches!(
        reloaded.unlock(&pin("280514")),
        Err(KeyError::WrongPin { .. })
    ));
    let key = reloaded.unlock(&pin("567812")).unwrap();
    let store = Store::open(data.path(), &key).unwrap();
    assert_eq!(store.answer(case, "", "q").unwrap(), Some(json!(true)));

    // The recovery wrap still works after a PIN change (library path).
    reloaded
        .recover_with_office_key(&office, &pin("864213"))
        .unwrap();
    assert!(reloaded.unlock(&pin("864213")).is_ok());
}

#[test]
fn a_damaged_key_file_is_refused_not_replaced() {
    let data = tempfile::tempdir().unwrap();
    let office = OfficeSecretKey::generate().unwrap();
    let key_path = data.path().join(KEY_FILE_NAME);
    KeyFile::create(&key_path, &pin("280514"), &office.public_key(), "t").unwrap();
    // Removing the counter fails closed.
    let text = std::fs::read_to_string(&key_path).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value.as_object_mut().unwrap().remove("failed_attempts");
    std::fs::write(&key_path, value.to_string()).unwrap();
    let err = KeyFile::load(&key_path).unwrap_err();
    assert!(matches!(err, KeyError::Malformed(_)), "{err:?}");
    assert!(err.to_string().contains("nothing was deleted"));
    assert!(key_path.exists());
}

#[test]
fn a_reseal_hands_recovery_to_the_new_office_key_and_leaves_the_pin_alone() {
    let data = tempfile::tempdir().unwrap();
    let demo = OfficeSecretKey::generate().unwrap();
    let office = OfficeSecretKey::generate().unwrap();
    let key_path = data.path().join(KEY_FILE_NAME);
    let (mut file, key) =
        KeyFile::create(&key_path, &pin("280514"), &demo.public_key(), "tablet-8").unwrap();
    assert_eq!(file.recovery_public_key_hex(), demo.public_key().to_hex());

    file.reseal_for_recovery(&key, &office.public_key())
        .unwrap();
    let mut reloaded = KeyFile::load(&key_path).unwrap();
    assert_eq!(
        reloaded.recovery_public_key_hex(),
        office.public_key().to_hex()
    );
    // The old key no longer opens it; the new one does; the PIN still unlocks.
    assert!(matches!(
        reloaded.recover_with_office_key(&demo, &pin("864213")),
        Err(KeyError::WrongOfficeKey)
    ));
    let unlocked = reloaded.unlock(&pin("280514")).unwrap();
    assert_eq!(unlocked.expose_secret_bytes(), key.expose_secret_bytes());
    reloaded
        .recover_with_office_key(&office, &pin("864213"))
        .unwrap();
    let recovered = KeyFile::load(&key_path)
        .unwrap()
        .unlock(&pin("864213"))
        .unwrap();
    assert_eq!(recovered.expose_secret_bytes(), key.expose_secret_bytes());
}
