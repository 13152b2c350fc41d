//! Every error the enumerator may see reads in their language: each variant of
//! [`StoreError`], [`KeyError`], [`SyncProblem`], the engine's [`EngineError`] and
//! [`RestoreError`] rendered in Arabic and in Tamazight has no
//! Latin letter outside the parenthesised technical detail.

use std::path::PathBuf;

use census_core::engine::EngineError;

use crate::commands::engine_messages::{engine_error_message, restore_error_message};
use crate::i18n::{Lang, Strings, Tr};
use crate::keys::KeyError;
use crate::store::{RestoreError, StoreError};
use crate::sync::SyncProblem;

/// Technical words as SQLite or the system would give them (English on purpose).
const DETAIL: &str = "disk I/O error while reading page";

fn store_errors() -> Vec<StoreError> {
    vec![
        StoreError::StorageFull,
        StoreError::ReadOnly,
        StoreError::Corrupted(DETAIL.into()),
        StoreError::NewerVersion {
            found: 9,
            supported: 3,
        },
        StoreError::WrongKey,
        StoreError::CannotOpen {
            path: PathBuf::new(),
            detail: DETAIL.into(),
        },
        StoreError::CannotOpen {
            path: PathBuf::from("/data/census/census.db"),
            detail: DETAIL.into(),
        },
        StoreError::NotFound(DETAIL.into()),
        StoreError::Invalid(DETAIL.into()),
        StoreError::Other(DETAIL.into()),
    ]
}

fn key_errors() -> Vec<KeyError> {
    vec![
        KeyError::WrongPin { attempts_left: 4 },
        KeyError::TooSoon { wait_seconds: 42 },
        KeyError::TooSoon { wait_seconds: 125 },
        KeyError::LockedOut,
        KeyError::UnacceptablePin(DETAIL.into()),
        KeyError::Io {
            path: PathBuf::from("/data/census/keys.json"),
            source: std::io::Error::other(DETAIL),
        },
        KeyError::AlreadyExists(PathBuf::from("/data/census/keys.json")),
        KeyError::Malformed(DETAIL.into()),
        KeyError::WrongOfficeKey,
        KeyError::Crypto("disk I/O error while reading page"),
    ]
}

fn sync_problems() -> Vec<SyncProblem> {
    vec![
        SyncProblem::Offline,
        SyncProblem::Untrusted,
        SyncProblem::NotEnrolled,
        SyncProblem::EnrolmentCodeRefused(DETAIL.into()),
        SyncProblem::NotRecognised,
        SyncProblem::ReviewerNotRecognised,
        SyncProblem::ServerTrouble,
        SyncProblem::Refused(DETAIL.into()),
        SyncProblem::BadAnswer(DETAIL.into()),
        SyncProblem::Storage(DETAIL.into()),
        SyncProblem::Crypto(DETAIL.into()),
    ]
}

fn engine_errors() -> Vec<EngineError> {
    vec![
        EngineError::UnknownRow(DETAIL.into()),
        EngineError::UnknownItem(DETAIL.into()),
        EngineError::WrongValue {
            item: "p_age".into(),
            message: DETAIL.into(),
        },
        EngineError::TooManyRows {
            roster: "persons".into(),
            max: 30,
        },
        EngineError::NotAllowed(DETAIL.into()),
        EngineError::BadData(DETAIL.into()),
    ]
}

fn restore_errors() -> Vec<RestoreError> {
    vec![
        RestoreError::BadRowPath {
            path: "households.x".into(),
            reason: DETAIL.into(),
        },
        RestoreError::Engine(DETAIL.into()),
    ]
}

/// The message without its parenthesised parts (the technical detail) and without the
/// left-to-right isolates around numbers.
fn sentence(message: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::new();
    for c in message.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            '\u{2066}' | '\u{2069}' => {}
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The Latin letters left in the sentence part of a message (none when translated).
fn latin_letters(message: &str) -> String {
    sentence(message)
        .chars()
        .filter(char::is_ascii_alphabetic)
        .collect()
}

/// Every message of every error, in `lang`, with what it renders.
fn messages(lang: Lang) -> Vec<(String, String)> {
    let strings = Strings::bundled();
    let tr = Tr {
        strings: &strings,
        lang,
    };
    let mut out = Vec::new();
    for e in store_errors() {
        out.push((format!("{e:?}"), e.message(&tr)));
    }
    for e in key_errors() {
        out.push((format!("{e:?}"), e.message(&tr)));
    }
    for p in sync_problems() {
        out.push((format!("{p:?}"), p.message(&tr)));
    }
    for e in engine_errors() {
        out.push((format!("{e:?}"), engine_error_message(&e, &tr)));
    }
    for e in restore_errors() {
        out.push((format!("{e:?}"), restore_error_message(&e, &tr)));
    }
    out
}

#[test]
fn every_error_reads_in_arabic_and_tamazight_with_the_detail_in_parentheses() {
    for lang in [Lang::Ar, Lang::Zgh] {
        for (variant, message) in messages(lang) {
            let latin = latin_letters(&message);
            assert!(
                latin.is_empty(),
                "{variant} in {}: Latin letters {latin:?} outside the detail: {message}",
                lang.code()
            );
            assert!(
                !message.contains('{'),
                "{variant}: a placeholder is left: {message}"
            );
            if variant.contains("disk I/O error") {
                assert!(
                    message.contains(&format!("({DETAIL}")) || message.contains(DETAIL),
                    "{variant}: the detail is kept: {message}"
                );
            }
        }
    }
}

#[test]
fn the_check_catches_an_untranslated_message() {
    // English (what a missing translation falls back to) is caught by the same check.
    for (variant, message) in messages(Lang::En) {
        assert!(
            !latin_letters(&message).is_empty(),
            "{variant}: the English text would pass: {message}"
        );
    }
    // French says the same things in its own words.
    let french = messages(Lang::Fr);
    for ((variant, english), (_, french)) in messages(Lang::En).iter().zip(&french) {
        assert_ne!(english, french, "{variant} is not translated into French");
    }
}

#[test]
fn numbers_and_waits_are_filled_in() {
    let strings = Strings::bundled();
    let arabic = Tr {
        strings: &strings,
        lang: Lang::Ar,
    };
    let wait = KeyError::TooSoon { wait_seconds: 125 }.message(&arabic);
    assert!(wait.contains("2 دقيقة و5 ثانية"), "{wait}");
    let english = Tr {
        strings: &strings,
        lang: Lang::En,
    };
    let left = KeyError::WrongPin { attempts_left: 4 }.message(&english);
    assert!(left.contains("4 more wrong PINs"), "{left}");
    let newer = StoreError::NewerVersion {
        found: 9,
        supported: 3,
    }
    .message(&english);
    assert!(
        newer.contains("version 9") && newer.contains("up to 3"),
        "{newer}"
    );
    let full = engine_error_message(
        &EngineError::TooManyRows {
            roster: "persons".into(),
            max: 30,
        },
        &english,
    );
    assert!(full.contains("maximum of 30 rows (persons)"), "{full}");
}
