//! Residents of collective living quarters are the population counted apart: on both
//! databases, a household case and a boarding school's case in one district give the
//! household population and, beside it, the persons counted apart; a revision of the
//! establishment moves only that figure; `tabulate` shows the counted-apart line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;

use census_core::coverage::{CoverageRules, Level, assemble, publish};
use census_core::engine::{Case, RowPath};
use census_core::load::{Questionnaire, load_questionnaire};
use census_core::wire::{CaseRecord, QuestionnaireRef};
use census_core::{GpsPoint, Value};
use census_server::store::{DeviceRecord, Scope, Storage};
use chrono::NaiveDate;
use uuid::Uuid;

use support::backends::both;
use support::{Device, census_case, district, payload};

const DISTRICT: &str = "D-APART";

fn collective() -> Arc<Questionnaire> {
    load_questionnaire(
        "collective2024.json",
        include_str!("../../schemas/collective2024.json"),
    )
    .unwrap()
}

/// A boarding school of `residents` (pupils, then one member of staff), complete, built with
/// the engine on the collective questionnaire.
fn boarding_school(case_id: Uuid, residents: usize, revision: u64) -> CaseRecord {
    let q = collective();
    let mut case = Case::new(q, NaiveDate::from_ymd_opt(2024, 9, 3).unwrap());
    let root = RowPath::root();
    let text = |s: &str| Value::Text(s.into());
    case.set_input(&root, "district_id", text(DISTRICT))
        .unwrap();
    case.set_input(&root, "building_number", Value::Integer(40))
        .unwrap();
    case.set_input(&root, "dwelling_number", Value::Integer(1))
        .unwrap();
    for (item, value) in [
        ("e_name", text("Internat du lycée Ibn Battouta")),
        ("e_kind", text("1")),
        ("e_management", text("1")),
        ("e_address", text("Avenue Hassan II")),
        ("e_manager_name", text("Khadija Bennani")),
        ("e_manager_function", text("Surveillante générale")),
    ] {
        case.set_answer(&root, item, value).unwrap();
    }
    let gps = GpsPoint {
        lat: 34.01,
        lon: -6.84,
        accuracy_m: Some(6.0),
    };
    case.set_answer(&root, "e_gps", Value::Gps(gps)).unwrap();
    case.set_answer(
        &root,
        "e_residents_declared",
        Value::Integer(residents as i64),
    )
    .unwrap();
    for i in 1..=residents {
        let (row, _) = case.add_row(&root, "residents").unwrap();
        let staff = i == residents;
        let (status, age) = if staff { ("1", 41) } else { ("2", 15) };
        case.set_answer(&row, "r_name", text(&format!("Résident {i}")))
            .unwrap();
        case.set_answer(&row, "r_status", text(status)).unwrap();
        case.set_answer(&row, "r_sex", text(if i % 2 == 0 { "2" } else { "1" }))
            .unwrap();
        case.set_answer(&row, "r_age", Value::Integer(age)).unwrap();
    }
    CaseRecord {
        case_id,
        questionnaire_id: "collective2024".into(),
        questionnaire_version: "1.0.0".into(),
        district_id: DISTRICT.into(),
        building_number: 40,
        dwelling_number: 1,
        household_number: None,
        status: "complete".into(),
        revision,
        long_form: None,
        case: case.to_json(),
        events: Vec::new(),
        updated_at: "2024-09-03T10:00:00Z".into(),
    }
}

fn device() -> (DeviceRecord, Device) {
    let record = DeviceRecord {
        device_id: "tab-apart".into(),
        enumerator_id: "E-apart".into(),
        public_key: vec![0; 32],
        districts: vec![DISTRICT.into()],
    };
    let fake = Device {
        id: "tab-apart".into(),
        key: census_core::wire::DeviceKey::generate().unwrap(),
        token: String::new(),
        office_public: [1; 32],
        enumerator: "E-apart".into(),
    };
    (record, fake)
}

async fn send(store: &dyn Storage, cases: Vec<CaseRecord>) {
    let (record, fake) = device();
    let mut batch = payload(&fake, cases);
    batch.questionnaires.push(QuestionnaireRef {
        id: "collective2024".into(),
        version: "1.0.0".into(),
    });
    let done = store
        .ingest(&record, &batch, &[], &support::all_items())
        .await
        .unwrap();
    assert!(
        done.reply
            .results
            .iter()
            .all(|r| matches!(r.outcome, census_core::wire::CaseOutcome::Stored)),
        "{:?}",
        done.reply
    );
}

async fn totals(store: &dyn Storage) -> census_core::coverage::CoverageReport {
    let rules = CoverageRules::new("2024-09-01", "2024-09-05");
    let gathered = store.gather_coverage(&Scope::All, &rules).await.unwrap();
    assemble(gathered, rules)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collective_residents_are_counted_apart_on_both_databases() {
    for backend in both("apart").await {
        let store = &*backend.store;
        store.import_districts(&[district(DISTRICT)]).await.unwrap();
        let school = Uuid::new_v4();
        send(
            store,
            vec![
                census_case(DISTRICT, 7, 4, 1),
                boarding_school(school, 30, 1),
            ],
        )
        .await;
        let report = totals(store).await;
        let t = report.totals;
        assert_eq!(t.persons, 4, "the household's persons only");
        assert_eq!(t.households, 1, "an establishment is not a household");
        assert_eq!(t.complete, 1);
        assert_eq!(t.establishments, 1);
        assert_eq!(t.persons_apart, 30);
        // Its roster comes from the register: not an interview too short for its size.
        assert!(
            report.suspicious.iter().all(|s| s.case_id != school),
            "{:?}",
            report.suspicious
        );
        let d = report
            .level(Level::District)
            .find(|a| a.id == DISTRICT)
            .unwrap();
        assert_eq!((d.counts.persons, d.counts.persons_apart), (4, 30));
        let csv = publish::population_csv(&report);
        let national = csv.lines().nth(1).unwrap();
        assert_eq!(national, "national,national,1,1,4,1,30");

        // A revision of the establishment (three pupils left) moves only the apart figure.
        send(store, vec![boarding_school(school, 27, 2)]).await;
        let t = totals(store).await.totals;
        assert_eq!((t.persons, t.establishments, t.persons_apart), (4, 1, 27));

        // tabulate: the household tables hold the household, the page the apart line.
        let out = tempfile::tempdir().unwrap();
        let dir = out.path().join("tables");
        let questionnaires = [support::census::questionnaire(), collective()];
        let tab = census_server::tabulate::tabulate(store, &dir, &questionnaires)
            .await
            .unwrap();
        assert_eq!((tab.persons, tab.households), (4, 1));
        assert_eq!((tab.persons_apart, tab.establishments), (27, 1));
        assert_eq!(tab.unread, 0);
        let page = std::fs::read_to_string(dir.join("index.html")).unwrap();
        assert!(
            page.contains(
                "Population counted apart (collective living quarters): <strong>27</strong> \
                 persons in 1 establishments."
            ),
            "{page}"
        );
        let area = std::fs::read_to_string(dir.join("population_by_area.csv")).unwrap();
        assert!(area.contains("national,national,1,1,4,1,27\n"), "{area}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_of_a_questionnaire_without_coverage_items_counts_nobody() {
    let backend = support::backends::sqlite().await;
    let store = &*backend.store;
    store.import_districts(&[district(DISTRICT)]).await.unwrap();
    let (record, fake) = device();
    let mut batch = payload(&fake, vec![boarding_school(Uuid::new_v4(), 12, 1)]);
    batch.questionnaires.push(QuestionnaireRef {
        id: "collective2024".into(),
        version: "1.0.0".into(),
    });
    // Read with the census items only: the establishment's questionnaire is unknown, its
    // case is stored but not counted (never read with the census names).
    store
        .ingest(&record, &batch, &[], &support::census_items())
        .await
        .unwrap();
    let t = totals(store).await.totals;
    assert_eq!(store.counts().await.unwrap().cases, 1);
    assert_eq!((t.persons, t.persons_apart, t.households), (0, 0, 1));
}
