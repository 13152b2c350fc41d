//! The households the office's ingest benchmark replays
//! (`server/benches/data/app-households.json`) are the app's own: this test enumerates two
//! dwellings through the real screens (a household of 5 and one of 4, as an enumerator
//! types them) and builds their batch records exactly as the sync does.
//!
//! Without `CENSUS_WRITE_FIXTURE` it checks that the committed file still has the shape the
//! app produces today (the same cases, and per case the same events in the same order:
//! kind, row and question); when the app changes what it records, it fails and says how to
//! write the file again:
//! `CENSUS_WRITE_FIXTURE=1 cargo test --test app_households`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod ui_support;

use census_core::wire::CaseRecord;
use ui_support::{App, Q, doorstep, open_demo_store, start, unlock};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/server/benches/data/app-households.json"
);

/// One person of a household: name, relationship, sex, age, marital status, mother's line.
type Person<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, &'a str);

/// Fills the open dwelling, its one household and `persons`, then completes and leaves.
fn enumerate(h: &mut App<'_>, q: &Q, respondent: &str, persons: &[Person<'_>]) {
    doorstep::dwelling(h, q, "");
    doorstep::household(h, q, respondent, &persons.len().to_string());
    for (i, (name, relationship, sex, age, marital, mother)) in persons.iter().enumerate() {
        if i > 0 {
            h.click("Ajouter : Personne");
        }
        doorstep::person_identity(h, q, name, relationship, sex, age);
        h.enter();
        doorstep::person_rest(h, q, marital, mother, "1");
    }
    h.click_contains("Récapitulatif (");
    assert!(
        h.has("Rien n'empêche de terminer."),
        "nothing blocks completion"
    );
    h.click_button("Terminer");
    h.click_first("Enregistrer et quitter");
}

/// The two dwellings' cases as the sync would send them, in case order.
fn records_from_the_app() -> Vec<CaseRecord> {
    let dir = tempfile::tempdir().unwrap();
    let q = Q::load();
    let mut h = start(dir.path());
    unlock(&mut h);
    h.click("Ouvrir 07-041-0012");
    h.click("Logement 1.1");
    enumerate(
        &mut h,
        &q,
        "Ahmed Benali",
        &[
            ("Ahmed Benali", "01", "1", "47", "2", "0"),
            ("Fatima Zahra Benali", "02", "2", "43", "2", "0"),
            ("Youssef Benali", "03", "1", "21", "1", "2"),
            ("Salma Benali", "03", "2", "18", "1", "2"),
            ("Khadija Ait Lahcen", "09", "2", "71", "4", "0"),
        ],
    );
    h.click("Logement 1.2");
    enumerate(
        &mut h,
        &q,
        "Rachid Ouzzine",
        &[
            ("Rachid Ouzzine", "01", "1", "39", "2", "0"),
            ("Naima Ouzzine", "02", "2", "35", "2", "0"),
            ("Imane Ouzzine", "03", "2", "16", "1", "2"),
            ("Hamza Ouzzine", "03", "1", "15", "1", "2"),
        ],
    );
    drop(h);
    let store = open_demo_store(dir.path());
    let questionnaires = vec![ui_support::census_questionnaire()];
    let mut records = Vec::new();
    for entry in store.outbox_pending().unwrap() {
        let (stored, events) = store.case_for_sync(entry.case_id).unwrap();
        records.push(census::sync::case_record(&questionnaires, &stored, &events).unwrap());
    }
    records.sort_by_key(|r| (r.building_number, r.dwelling_number));
    records
}

/// What must not change without writing the file again: per case, its place and status,
/// and its events' kinds, rows and questions in order.
fn shape(records: &[CaseRecord]) -> Vec<(u32, u32, String, Vec<String>)> {
    records
        .iter()
        .map(|r| {
            let events = r
                .events
                .iter()
                .map(|e| format!("{} {} {}", e.kind, e.row_path, e.item_id))
                .collect();
            (
                r.building_number,
                r.dwelling_number,
                r.status.clone(),
                events,
            )
        })
        .collect()
}

#[test]
fn the_benchmark_replays_households_the_app_produces() {
    let records = records_from_the_app();
    assert_eq!(records.len(), 2, "one case per dwelling");
    assert!(records.iter().all(|r| r.status == "complete"));
    for r in &records {
        let text = serde_json::to_string(r).unwrap();
        println!(
            "dwelling {}.{}: {} events, {} bytes of JSON",
            r.building_number,
            r.dwelling_number,
            r.events.len(),
            text.len()
        );
    }
    if std::env::var_os("CENSUS_WRITE_FIXTURE").is_some() {
        let text = serde_json::to_string_pretty(&records).unwrap();
        std::fs::write(FIXTURE, text + "\n").unwrap();
        return;
    }
    let committed: Vec<CaseRecord> =
        serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap();
    assert!(
        shape(&committed) == shape(&records),
        "{FIXTURE} no longer has the shape of what the app records: write it again with \
         `CENSUS_WRITE_FIXTURE=1 cargo test --test app_households`"
    );
}
