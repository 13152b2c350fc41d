//! Paradata coalescing: the enumerator's keystrokes on one field are each durable, but make
//! one `answer` event (first and last keystroke times); another field, any other change or
//! the sync reading the case closes it; a crash in the middle of a field loses nothing typed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod store_support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use census::keys::{DatabaseKey, hex};
use census::store::{CaseId, CaseStatus, Revision, Store};
use serde_json::{Value, json};
use store_support::{Rng, ctx, new_case, open_new};

/// Types `text` into a field one character at a time, as the screens save it.
fn type_text(store: &mut Store, case: CaseId, row: &str, item: &str, text: &str) -> Revision {
    let mut revision = Revision(0);
    for end in 1..=text.chars().count() {
        let prefix: String = text.chars().take(end).collect();
        revision = store
            .save_typed_answer(case, row, item, &json!(prefix), &ctx(item))
            .unwrap();
    }
    revision
}

#[test]
fn typing_a_name_makes_one_event_with_first_and_last_times() {
    let dir = tempfile::tempdir().unwrap();
    let (key, mut store) = open_new(dir.path());
    let case = store
        .create_case(&new_case("D1", 1, 1), &ctx("list"))
        .unwrap();
    // 10 keystrokes: one revision (the case is queued once), one event.
    let revision = type_text(&mut store, case, "persons.1", "name", "Amina Idri");
    assert_eq!(revision, Revision(2));
    assert_eq!(
        store.case_meta(case).unwrap().status,
        CaseStatus::InProgress
    );
    assert_eq!(
        store.answer(case, "persons.1", "name").unwrap(),
        Some(json!("Amina Idri"))
    );
    let events = store.events(case).unwrap();
    assert_eq!(events.len(), 2, "{events:?}");
    let name = &events[1];
    assert_eq!(name.kind, "answer");
    assert_eq!(name.seq, 2);
    assert_eq!(name.row_path.as_deref(), Some("persons.1"));
    assert_eq!(name.item_id.as_deref(), Some("name"));
    assert_eq!(name.old, None);
    assert_eq!(name.new, Some(json!("Amina Idri")));
    assert_eq!(name.screen, "name");
    let last = name.last_at.unwrap();
    assert!(last >= name.at, "{name:?}");

    // Another field starts a new event; the first one is in the log as it was.
    let revision = type_text(&mut store, case, "persons.1", "age", "34");
    assert_eq!(revision, Revision(3));
    // Back to the name: a new edit, with the name as it was before it.
    type_text(&mut store, case, "persons.1", "name", "Amina Idrissi");
    drop(store);

    let store = Store::open(dir.path(), &key).unwrap();
    let events = store.events(case).unwrap();
    assert_eq!(events[0].kind, "case_created");
    let summary: Vec<(i64, &str, Option<Value>, Option<Value>)> = events[1..]
        .iter()
        .map(|e| {
            (
                e.seq,
                e.item_id.as_deref().unwrap_or(""),
                e.old.clone(),
                e.new.clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (2, "name", None, Some(json!("Amina Idri"))),
            (3, "age", None, Some(json!("34"))),
            (
                4,
                "name",
                Some(json!("Amina Idri")),
                Some(json!("Amina Idrissi"))
            ),
        ]
    );
    assert_eq!(events[1].last_at, Some(last));
    assert_eq!(store.case_meta(case).unwrap().revision, Revision(4));
}

#[test]
fn other_changes_and_the_sync_close_the_open_edit() {
    let dir = tempfile::tempdir().unwrap();
    let (_key, mut store) = open_new(dir.path());
    let case = store
        .create_case(&new_case("D1", 1, 1), &ctx("list"))
        .unwrap();
    type_text(&mut store, case, "", "head_name", "Omar");
    // A roster row added: the edit is logged before it.
    store.add_row(case, "persons.1", 0, &ctx("roster")).unwrap();
    type_text(&mut store, case, "persons.1", "name", "Sara");
    // A programmatic save: its own event, after the typed one.
    store
        .save_answer(case, "persons.1", "sex", &json!("f"), &ctx("sex"))
        .unwrap();
    let kinds: Vec<(String, Option<String>)> = store
        .events(case)
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.item_id))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("case_created".to_string(), None),
            ("answer".into(), Some("head_name".into())),
            ("row_added".into(), None),
            ("answer".into(), Some("name".into())),
            ("answer".into(), Some("sex".into())),
        ]
    );

    // The sync reads the case while a field is being typed: what it sends is the revision's
    // whole state, and the next keystroke on the same field is a new revision to send.
    let before = type_text(&mut store, case, "persons.1", "name", "Sara B");
    let (sent, events) = store.case_for_sync(case).unwrap();
    assert_eq!(sent.meta.revision, before);
    assert_eq!(events.last().unwrap().new, Some(json!("Sara B")));
    let after = store
        .save_typed_answer(case, "persons.1", "name", &json!("Sara Be"), &ctx("name"))
        .unwrap();
    assert!(after > before, "{after:?} after {before:?}");
    assert_eq!(store.outbox_pending().unwrap()[0].revision, after);
    let (_, events) = store.case_for_sync(case).unwrap();
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=events.len() as i64).collect::<Vec<_>>());
    assert_eq!(events.last().unwrap().old, Some(json!("Sara B")));
}

const CHILD_DIR: &str = "CENSUS_TYPING_CHILD_DIR";
const CHILD_KEY: &str = "CENSUS_TYPING_CHILD_KEY";
const CHILD_CASE: &str = "CENSUS_TYPING_CHILD_CASE";

/// The text typed in the crash test after `n` keystrokes on a field.
fn typed(n: u64) -> String {
    "abcdefghijklmnopqrstuvwxyz".repeat(4)[..(n % 100 + 1) as usize].to_string()
}

/// The child of the crash test: types in long fields until killed, reporting each keystroke.
#[test]
fn typing_child() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return;
    };
    let key = DatabaseKey::from_secret_bytes(
        hex::decode_array(&std::env::var(CHILD_KEY).unwrap()).unwrap(),
    );
    let case: CaseId = std::env::var(CHILD_CASE).unwrap().parse().unwrap();
    let mut store = Store::open(std::path::Path::new(&dir), &key).unwrap();
    let mut out = std::io::stdout().lock();
    writeln!(out, "READY").unwrap();
    out.flush().unwrap();
    for i in 0u64.. {
        let item = format!("q{}", i / 100);
        store
            .save_typed_answer(case, "", &item, &json!(typed(i)), &ctx("crash"))
            .unwrap();
        writeln!(out, "TYPED {i}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn sigkill_in_the_middle_of_a_field_loses_nothing_typed() {
    let dir = tempfile::tempdir().unwrap();
    let key = DatabaseKey::generate().unwrap();
    let key_hex = hex::encode(key.expose_secret_bytes());
    let mut rng = Rng(0x5851_f42d_4c95_7f2d);
    let mut verified = 0;
    for round in 0..20u32 {
        let case = {
            let mut store = Store::open(dir.path(), &key).unwrap();
            store
                .create_case(&new_case("D1", 1, round + 1), &ctx("crash"))
                .unwrap()
        };
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["typing_child", "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_DIR, dir.path())
            .env(CHILD_KEY, &key_hex)
            .env(CHILD_CASE, case.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut lines = Vec::new();
        while Instant::now() < deadline && !lines.iter().any(|l: &String| l.ends_with("READY")) {
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(50)) {
                lines.push(line);
            }
        }
        assert!(
            lines.iter().any(|l| l.ends_with("READY")),
            "child never got ready"
        );
        std::thread::sleep(Duration::from_micros(rng.below(30_000)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
        lines.extend(rx.try_iter());
        let Some(last) = lines
            .iter()
            .filter_map(|l| l.strip_prefix("TYPED "))
            .map(|n| n.parse::<u64>().unwrap())
            .max()
        else {
            continue;
        };

        let store = Store::open(dir.path(), &key).unwrap();
        assert_eq!(store.integrity_check().unwrap(), vec!["ok".to_string()]);
        // Every field finished holds its whole text; the field being typed holds at least
        // the last reported keystroke (or the one in flight at the kill).
        let field = format!("q{}", last / 100);
        let found = store.answer(case, "", &field).unwrap().unwrap();
        let in_flight = json!(typed(last + 1));
        assert!(
            found == json!(typed(last)) || (last % 100 != 99 && found == in_flight),
            "round {round}: {field} holds {found}, last reported keystroke {last}"
        );
        for done in 0..last / 100 {
            assert_eq!(
                store.answer(case, "", &format!("q{done}")).unwrap(),
                Some(json!(typed(99)))
            );
        }
        // The log ends with the field's edit, holding what the field holds.
        let events = store.events(case).unwrap();
        let open = events
            .iter()
            .rev()
            .find(|e| e.item_id.as_deref() == Some(field.as_str()))
            .unwrap();
        assert_eq!(open.new.as_ref(), Some(&found));
        // One event per field (and the creation), the next field's first keystroke perhaps.
        let expected = 2 + last / 100;
        let count = events.len() as u64;
        assert!(
            count == expected || (last % 100 == 99 && count == expected + 1),
            "round {round}: {count} events after keystroke {last}"
        );
        verified += 1;
    }
    assert!(verified > 0);
}
