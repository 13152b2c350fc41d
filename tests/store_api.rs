//! The store's typed API on a real encrypted database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod store_support;

use census::store::{CaseStatus, Occupancy, Revision, SCHEMA_VERSION, Store, StoreError};
use chrono::NaiveDate;
use serde_json::{Value, json};
use store_support::{assignment, ctx, new_case, open_new};

#[test]
fn answers_are_saved_logged_and_reloaded() {
    let dir = tempfile::tempdir().unwrap();
    let (key, mut store) = open_new(dir.path());
    let case = store
        .create_case(&new_case("D1", 1, 1), &ctx("list"))
        .unwrap();
    assert_eq!(
        store.case_meta(case).unwrap().status,
        CaseStatus::NotStarted
    );
    assert_eq!(store.case_meta(case).unwrap().revision, Revision(1));

    let r1 = store
        .save_answer(case, "", "head_name", &json!("Fatima"), &ctx("q1"))
        .unwrap();
    assert_eq!(r1, Revision(2));
    assert_eq!(
        store.case_meta(case).unwrap().status,
        CaseStatus::InProgress
    );
    let r2 = store
        .save_answer(case, "", "head_name", &json!("Fatima Z."), &ctx("q1"))
        .unwrap();
    assert_eq!(r2, Revision(3));
    // Same value again: nothing changes.
    let same = store
        .save_answer(case, "", "head_name", &json!("Fatima Z."), &ctx("q1"))
        .unwrap();
    assert_eq!(same, r2);
    store
        .save_answer(
            case,
            "households.1/persons.2",
            "age",
            &json!(34),
            &ctx("age"),
        )
        .unwrap();
    store
        .save_answer(case, "", "phone", &json!("0600"), &ctx("phone"))
        .unwrap();
    // Null deletes.
    let r5 = store
        .save_answer(case, "", "phone", &Value::Null, &ctx("phone"))
        .unwrap();
    assert_eq!(r5, Revision(6));
    assert_eq!(store.answer(case, "", "phone").unwrap(), None);
    drop(store);

    let store = Store::open(dir.path(), &key).unwrap();
    let loaded = store.load_case(case).unwrap();
    assert_eq!(
        loaded.answers,
        vec![
            ("".to_string(), "head_name".to_string(), json!("Fatima Z.")),
            ("households.1/persons.2".into(), "age".into(), json!(34)),
        ]
    );
    assert_eq!(loaded.meta.revision, Revision(6));
    let events = store.events(case).unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "case_created",
            "answer",
            "answer",
            "answer",
            "answer",
            "answer"
        ]
    );
    assert_eq!(events[2].old, Some(json!("Fatima")));
    assert_eq!(events[2].new, Some(json!("Fatima Z.")));
    assert_eq!(events[5].old, Some(json!("0600")));
    assert_eq!(events[5].new, None);
    assert_eq!(events[1].screen, "q1");
    assert_eq!(events[1].gps.unwrap().accuracy_m, Some(8.0));
    assert_eq!(
        events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5, 6]
    );
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn rows_and_confirmations() {
    let dir = tempfile::tempdir().unwrap();
    let (_key, mut store) = open_new(dir.path());
    let case = store
        .create_case(&new_case("D1", 1, 1), &ctx("list"))
        .unwrap();
    store.add_row(case, "persons.1", 0, &ctx("roster")).unwrap();
    store.add_row(case, "persons.2", 1, &ctx("roster")).unwrap();
    store
        .add_row(case, "persons.10", 2, &ctx("roster"))
        .unwrap();
    assert!(matches!(
        store.add_row(case, "persons.2", 5, &ctx("roster")),
        Err(StoreError::Invalid(_))
    ));
    store
        .add_row(case, "persons.1/births.1", 0, &ctx("births"))
        .unwrap();
    store
        .save_answer(case, "persons.1", "name", &json!("Ali"), &ctx("name"))
        .unwrap();
    store
        .save_answer(case, "persons.1/births.1", "sex", &json!("m"), &ctx("b"))
        .unwrap();
    store
        .save_answer(case, "persons.10", "name", &json!("Omar"), &ctx("name"))
        .unwrap();
    store
        .confirm_check(case, "persons.1", "age_vs_parent", "adopted", &ctx("check"))
        .unwrap();
    store
        .save_rows(
            case,
            &[
                ("persons.10".into(), 0),
                ("persons.1".into(), 1),
                ("persons.2".into(), 2),
            ],
            &ctx("reorder"),
        )
        .unwrap();

    store.remove_row(case, "persons.1", &ctx("roster")).unwrap();
    let loaded = store.load_case(case).unwrap();
    assert_eq!(
        loaded.rows,
        vec![("persons.10".to_string(), 0), ("persons.2".to_string(), 2)]
    );
    assert_eq!(
        loaded.answers,
        vec![("persons.10".to_string(), "name".to_string(), json!("Omar"))]
    );
    assert!(loaded.confirmations.is_empty());
    let last = store.events(case).unwrap().pop().unwrap();
    assert_eq!(last.kind, "row_removed");
    assert_eq!(
        last.old,
        Some(json!({"position": 1, "answers": [
            ["persons.1", "name", "Ali"], ["persons.1/births.1", "sex", "m"]]}))
    );
    assert!(matches!(
        store.remove_row(case, "persons.1", &ctx("roster")),
        Err(StoreError::NotFound(_))
    ));

    store
        .confirm_check(case, "", "household_size", "big family", &ctx("check"))
        .unwrap();
    let loaded = store.load_case(case).unwrap();
    assert_eq!(loaded.confirmations.len(), 1);
    assert_eq!(loaded.confirmations[0].note, "big family");
}

#[test]
fn unknown_case_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (_key, mut store) = open_new(dir.path());
    let ghost = census::store::CaseId(uuid::Uuid::new_v4());
    for result in [
        store.save_answer(ghost, "", "x", &json!(1), &ctx("x")),
        store.add_row(ghost, "p.1", 0, &ctx("x")),
        store.set_status(ghost, CaseStatus::Vacant, None, &ctx("x")),
    ] {
        assert!(matches!(result, Err(StoreError::NotFound(_))), "{result:?}");
    }
    assert!(matches!(
        store.load_case(ghost),
        Err(StoreError::NotFound(_))
    ));
}

#[test]
fn status_revisits_and_progress() {
    let dir = tempfile::tempdir().unwrap();
    let (_key, mut store) = open_new(dir.path());
    store
        .import_assignment(&assignment("D7", "1 rue A"))
        .unwrap();
    // Import again: idempotent.
    store
        .import_assignment(&assignment("D7", "1 rue A"))
        .unwrap();
    store
        .add_building(
            "D7",
            &census::store::Building {
                state: census::store::BuildingState::Listed,
                building_no: 3,
                address: "3 rue C".into(),
                gps: None,
                dwellings: Vec::new(),
            },
        )
        .unwrap();
    store
        .add_dwelling(
            "D7",
            3,
            &census::store::Dwelling {
                dwelling_no: 1,
                occupancy: Occupancy::Vacant,
                description: String::new(),
            },
        )
        .unwrap();
    assert!(matches!(
        store.add_dwelling(
            "D7",
            99,
            &census::store::Dwelling {
                dwelling_no: 1,
                occupancy: Occupancy::Unknown,
                description: String::new(),
            }
        ),
        Err(StoreError::NotFound(_))
    ));
    let buildings = store.buildings("D7").unwrap();
    assert_eq!(buildings.len(), 3);
    assert_eq!(buildings[0].dwellings.len(), 1);
    assert_eq!(buildings[2].dwellings[0].occupancy, Occupancy::Vacant);
    assert_eq!(store.districts().unwrap()[0].sampling.random_start, 417);

    let a = store.create_case(&new_case("D7", 1, 1), &ctx("l")).unwrap();
    let b = store.create_case(&new_case("D7", 1, 2), &ctx("l")).unwrap();
    let c = store.create_case(&new_case("D7", 2, 1), &ctx("l")).unwrap();
    let d = store.create_case(&new_case("D7", 3, 1), &ctx("l")).unwrap();
    let day = NaiveDate::from_ymd_opt(2024, 9, 12).unwrap();
    let appointment = day.and_hms_opt(18, 30, 0).unwrap();
    store
        .set_status(a, CaseStatus::Absent, Some(appointment), &ctx("s"))
        .unwrap();
    store
        .set_status(
            b,
            CaseStatus::Absent,
            Some(appointment + chrono::Duration::days(1)),
            &ctx("s"),
        )
        .unwrap();
    store.start_visit(c, &ctx("s")).unwrap();
    store
        .set_status(c, CaseStatus::Complete, None, &ctx("s"))
        .unwrap();
    // Completing checkpoints: the WAL is truncated.
    let wal = dir.path().join("census.db-wal");
    assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0);
    assert!(matches!(
        store.set_status(d, CaseStatus::Refused, Some(appointment), &ctx("s")),
        Err(StoreError::Invalid(_))
    ));
    store
        .set_status(d, CaseStatus::Vacant, None, &ctx("s"))
        .unwrap();
    assert_eq!(store.case_meta(c).unwrap().visits, 1);
    assert_eq!(store.case_meta(a).unwrap().revisit_at, Some(appointment));

    let progress = store.district_progress("D7", day).unwrap();
    assert_eq!(progress.expected_buildings, 40);
    assert_eq!(progress.buildings_listed, 3);
    assert_eq!(progress.dwellings_listed, 2);
    assert_eq!(progress.expected_households, 250);
    let count = |s: CaseStatus| {
        progress
            .households_by_status
            .iter()
            .find(|(x, _)| *x == s)
            .unwrap()
            .1
    };
    assert_eq!(count(CaseStatus::Absent), 2);
    assert_eq!(count(CaseStatus::Complete), 1);
    assert_eq!(count(CaseStatus::Vacant), 1);
    assert_eq!(count(CaseStatus::NotStarted), 0);
    assert_eq!(progress.revisits_due.len(), 1);
    assert_eq!(progress.revisits_due[0].case_id, a);
    let listed: Vec<_> = store
        .list_cases("D7")
        .unwrap()
        .iter()
        .map(|m| m.case_id)
        .collect();
    assert_eq!(listed, vec![a, b, c, d]);
    assert!(store.list_cases("D8").unwrap().is_empty());
}

#[test]
fn outbox_acknowledges_only_the_sent_revision() {
    let dir = tempfile::tempdir().unwrap();
    let (_key, mut store) = open_new(dir.path());
    let a = store.create_case(&new_case("D1", 1, 1), &ctx("l")).unwrap();
    let b = store.create_case(&new_case("D1", 1, 2), &ctx("l")).unwrap();
    let ra = store.save_answer(a, "", "x", &json!(1), &ctx("x")).unwrap();
    let pending = store.outbox_pending().unwrap();
    assert_eq!(pending.len(), 2);
    let entry_a = pending.iter().find(|e| e.case_id == a).unwrap();
    assert_eq!(entry_a.revision, ra);
    // Upload of `a` at revision ra; meanwhile a new answer.
    let ra2 = store.save_answer(a, "", "y", &json!(2), &ctx("y")).unwrap();
    assert!(!store.mark_sent(a, ra).unwrap());
    assert!(store.mark_sent(a, ra2).unwrap());
    assert!(store.mark_sent(b, Revision(1)).unwrap());
    assert!(!store.mark_sent(b, Revision(1)).unwrap());
    assert!(store.outbox_pending().unwrap().is_empty());
    store.save_answer(b, "", "z", &json!(3), &ctx("z")).unwrap();
    let pending = store.outbox_pending().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].case_id, b);
    assert_eq!(pending[0].revision, Revision(2));
}

#[test]
fn event_log_is_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let (key, mut store) = open_new(dir.path());
    let case = store.create_case(&new_case("D1", 1, 1), &ctx("l")).unwrap();
    store
        .save_answer(case, "", "x", &json!(1), &ctx("x"))
        .unwrap();
    drop(store);
    // Tamper through SQLCipher directly: the triggers refuse.
    let conn = rusqlite::Connection::open(dir.path().join("census.db")).unwrap();
    let hex = census::keys::hex::encode(key.expose_secret_bytes());
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{hex}'\"; PRAGMA cipher_hmac_algorithm = HMAC_SHA256;"
    ))
    .unwrap();
    let err = conn.execute("UPDATE events SET new = '2'", []).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = conn.execute("DELETE FROM events", []).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}

/// Cartography's buildings wait to be confirmed: not counted, not sent, until the enumerator
/// confirms (or corrects) them, adds a dwelling, or marks them demolished.
#[test]
fn cartography_buildings_are_confirmed_corrected_or_marked_demolished() {
    use census::store::{Building, BuildingState, Dwelling};
    let dir = tempfile::tempdir().unwrap();
    let (_key, mut store) = open_new(dir.path());
    let mut a = assignment("D8", "1 rue A");
    a.districts[0].buildings.clear();
    for (n, address) in [(1, "Ancienne adresse"), (2, "2 rue B"), (3, "3 rue C")] {
        a.districts[0].buildings.push(Building {
            building_no: n,
            address: address.into(),
            gps: None,
            state: BuildingState::ToConfirm,
            dwellings: Vec::new(),
        });
    }
    store.import_assignment(&a).unwrap();
    let date = chrono::NaiveDate::from_ymd_opt(2024, 9, 2).unwrap();
    let listed = |store: &census::store::Store| {
        store
            .district_progress("D8", date)
            .unwrap()
            .buildings_listed
    };
    assert_eq!(listed(&store), 0, "nothing confirmed yet");
    assert!(
        store.listing().unwrap().buildings.is_empty(),
        "nothing sent"
    );

    // 1: confirmed with a corrected address; 2: a dwelling found in it confirms it;
    // 3: demolished.
    store
        .set_building_state("D8", 1, BuildingState::Listed, Some("5 rue Neuve"))
        .unwrap();
    let dwelling = Dwelling {
        dwelling_no: 1,
        occupancy: Occupancy::Occupied,
        description: String::new(),
    };
    store.add_dwelling("D8", 2, &dwelling).unwrap();
    store
        .set_building_state("D8", 3, BuildingState::Demolished, None)
        .unwrap();
    let buildings = store.buildings("D8").unwrap();
    let states: Vec<_> = buildings.iter().map(|b| b.state).collect();
    assert_eq!(
        states,
        [
            BuildingState::Listed,
            BuildingState::Listed,
            BuildingState::Demolished
        ]
    );
    assert_eq!(buildings[0].address, "5 rue Neuve");
    assert_eq!(listed(&store), 2);
    let sent = store.listing().unwrap().buildings;
    assert_eq!(sent.len(), 3, "the demolished one is sent, to be uncounted");
    assert_eq!(sent[2].state, BuildingState::Demolished);

    // A demolished building takes no dwelling; one with dwellings cannot be demolished;
    // nothing goes back to "to confirm".
    assert!(matches!(
        store.add_dwelling("D8", 3, &dwelling),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.set_building_state("D8", 2, BuildingState::Demolished, None),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.set_building_state("D8", 1, BuildingState::ToConfirm, None),
        Err(StoreError::Invalid(_))
    ));
    // Restored by mistake-undo.
    store
        .set_building_state("D8", 3, BuildingState::Listed, None)
        .unwrap();
    assert_eq!(listed(&store), 3);
}

/// Case ids are time-ordered (UUID version 7): a case created later sorts after, as text
/// too, so the office's case-id indexes grow at their end.
#[test]
fn case_ids_sort_in_creation_order() {
    let dir = tempfile::tempdir().unwrap();
    let (_key, mut store) = open_new(dir.path());
    let ids: Vec<_> = (1..=20)
        .map(|n| store.create_case(&new_case("D1", 1, n), &ctx("l")).unwrap())
        .collect();
    for id in &ids {
        assert_eq!(id.0.get_version_num(), 7, "{id}");
    }
    let texts: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let mut sorted = texts.clone();
    sorted.sort();
    assert_eq!(texts, sorted, "ids in creation order");
}
