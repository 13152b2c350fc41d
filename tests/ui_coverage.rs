//! The coverage screen driven through the real UI (egui_kittest) on a real encrypted store:
//! an occupied dwelling without a household questionnaire and two households with the same
//! head and size in one dwelling are reported in words; a clean district says so.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod ui_support;

use std::path::Path;

use census::store::{Assignment, Building, CaseStatus, District, Dwelling, Occupancy};
use census_core::sampling::SamplingPlan;
use egui_kittest::kittest::Queryable;
use serde_json::json;
use ui_support::{
    new_case, open_demo_store, start, start_on, test_ctx, two_person_household, unlock,
};

const DUPLICATE: &str = "Même chef de ménage et même taille dans un logement : construction 41, \
                         logement 2, ménage 1 ; construction 41, logement 2, ménage 2. Vérifiez \
                         qu'un ménage n'a pas été compté deux fois.";
const OMISSION: &str = "Construction 41, logement 1 : listé comme occupé mais sans questionnaire \
                        ménage. Visitez-le et recensez le ménage.";
const TOO_SHORT: &str = "Construction 42, logement 1, ménage 1 : terminé après seulement 0 min \
                         d'entretien pour 2 personnes. Vérifiez l'entretien avec l'agent \
                         recenseur.";
const PROBLEMS: &str = "07-041-0010";
const CLEAN: &str = "07-041-0011";
const NO_PROBLEM: &str = "Aucun problème trouvé dans ce district.";

fn district(
    id: &str,
    name: &str,
    expected_households: u32,
    buildings: &[(u32, &[u32])],
) -> District {
    District {
        district_id: id.to_owned(),
        name: name.to_owned(),
        expected_buildings: buildings.len() as u32,
        expected_dwellings: buildings.iter().map(|(_, d)| d.len() as u32).sum(),
        expected_households,
        sampling: SamplingPlan {
            rate_per_mille: 200,
            random_start: 1,
            take_all: false,
        },
        hierarchy: None,
        buildings: buildings
            .iter()
            .map(|(building_no, dwellings)| Building {
                state: census::store::BuildingState::Listed,
                building_no: *building_no,
                address: format!("{building_no} rue des Figuiers"),
                // Just north of the demo district, a building every 90 m or so.
                gps: Some(census_core::GpsPoint {
                    lat: 31.5672 + f64::from(building_no % 40) * 0.0008,
                    lon: -7.6640 + f64::from(id.ends_with('1')) * 0.0015,
                    accuracy_m: Some(6.0),
                }),
                dwellings: dwellings
                    .iter()
                    .map(|&dwelling_no| Dwelling {
                        dwelling_no,
                        occupancy: Occupancy::Occupied,
                        description: String::new(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Adds to the demo tablet in `dir` a district with problems and a clean one.
fn seed(dir: &Path) {
    let mut store = open_demo_store(dir);
    store
        .import_assignment(&Assignment {
            districts: vec![
                // Building 41: dwelling 1 occupied and never interviewed; dwelling 2 holds two
                // households with the same head and size. Building 42: a household completed
                // within seconds.
                district(
                    PROBLEMS,
                    "Aït Ourir nord (Al Haouz) — DR 10",
                    4,
                    &[(41, &[1, 2]), (42, &[1])],
                ),
                // One occupied dwelling whose household refused: nothing missing.
                district(CLEAN, "Aït Ourir est (Al Haouz) — DR 11", 1, &[(41, &[1])]),
            ],
        })
        .unwrap();
    two_person_household(&mut store, PROBLEMS, (41, 2, 1), "Ahmed Benali");
    two_person_household(&mut store, PROBLEMS, (41, 2, 2), "Ahmed  BENALI");
    let quick = two_person_household(&mut store, PROBLEMS, (42, 1, 1), "Omar Tazi");
    store
        .set_status(quick, CaseStatus::Complete, None, &test_ctx())
        .unwrap();
    let refused = new_case(&mut store, CLEAN, (41, 1, 1));
    store
        .set_status(refused, CaseStatus::Refused, None, &test_ctx())
        .unwrap();
}

/// The demo tablet in `dir` with the seeded districts, on the coverage screen.
fn seeded_coverage(dir: &Path) -> ui_support::App<'static> {
    let mut h = start(dir);
    unlock(&mut h);
    drop(h);
    seed(dir);
    let mut h = start(dir);
    unlock(&mut h);
    h.click_button("Couverture");
    h
}

#[test]
fn coverage_shows_the_omission_and_the_duplicate_and_a_clean_district_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = seeded_coverage(dir.path());
    assert!(h.has("Couverture de mes districts"));
    // The table: one line per district.
    for code in ["07-041-0012", CLEAN, PROBLEMS] {
        assert!(h.has(code), "table line of {code}");
    }
    assert!(h.has("Total"));
    assert!(
        h.has("3 (3)"),
        "07-041-0010: 3 dwellings listed, 3 occupied"
    );

    assert!(
        !h.has_contains("n'ont pas pu être lues"),
        "every case was read back through the engine"
    );
    assert!(h.has(OMISSION), "the occupied dwelling without a household");
    assert!(
        h.has(DUPLICATE),
        "the two households with the same head and size"
    );
    assert!(h.has(TOO_SHORT), "the household completed within seconds");
    // The map: every building has a position; 16 occupied dwellings without a household in
    // the demo district and 1 in 07-041-0010, 3 vacant or secondary; the cases at their
    // buildings.
    assert!(h.has("Carte des logements"));
    assert!(h.has("Logement occupé sans ménage : 17"));
    assert!(h.has("Vacant : 3"));
    assert!(h.has("Terminé : 1"));
    assert!(h.has("En cours : 2"));
    assert!(h.has("Refus : 1"));
    // The demo district: nothing finished, but on the first day nobody is behind.
    assert!(!h.has_contains("En retard"));
    assert_eq!(
        h.h.query_all_by_label(NO_PROBLEM).count(),
        1,
        "only 07-041-0011 is clean (the demo district and 07-041-0010 are not)"
    );

    // In Arabic, the same rows in Arabic.
    h.click("العربية");
    assert!(h.has("تغطية مناطقي"));
    assert!(h.has_contains("البناية 41، المسكن 1: مسجل كمشغول"));
    assert_eq!(
        h.h.query_all_by_label("لم يتم العثور على أي مشكلة في هذه المنطقة.")
            .count(),
        1
    );
    h.click("Français");

    // The way into the district.
    h.click_button("Voir le district 07-041-0010");
    assert!(h.has("District 07-041-0010"));
    drop(h);

    // A week after the listing (stamped by the real clock) with still nothing finished in
    // the demo district: behind schedule.
    let week_later = chrono::Utc::now().date_naive() + chrono::Days::new(7);
    let mut h = start_on(dir.path(), week_later);
    unlock(&mut h);
    h.click_button("Retour"); // it opens on the district it was left on
    h.click_button("Couverture");
    assert!(h.has_contains("En retard : 0 % des ménages attendus terminés"));
}

#[test]
fn a_duplicate_resolved_on_the_tablet_leaves_the_coverage_report() {
    let dir = tempfile::tempdir().unwrap();
    let h = seeded_coverage(dir.path());
    let before = h.h.query_all_by_label(NO_PROBLEM).count();
    assert_eq!(before, 1);
    assert!(h.has(DUPLICATE));
    drop(h);

    // A different head in household 2: no longer a duplicate.
    {
        let mut store = open_demo_store(dir.path());
        let cases = store.list_cases(PROBLEMS).unwrap();
        let second = cases.iter().find(|c| c.household_no == 2).unwrap();
        store
            .save_answer(
                second.case_id,
                "households.1/persons.2",
                "p_name",
                &json!("Omar Tazi"),
                &test_ctx(),
            )
            .unwrap();
    }
    let mut h = start(dir.path());
    unlock(&mut h);
    h.click_button("Couverture");
    assert!(!h.has(DUPLICATE));
    assert!(h.has(OMISSION), "the omission is still there");
}

/// Fills a data directory for the coverage screenshot (also an ordinary test):
/// `CENSUS_SCREENSHOT_DIR=/tmp/shots cargo test --test ui_coverage prepare_screenshot_data`,
/// then `cargo run -- --data-dir /tmp/shots --demo --today 2024-09-05`.
#[test]
fn prepare_screenshot_data() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = std::env::var("CENSUS_SCREENSHOT_DIR")
        .unwrap_or_else(|_| scratch.path().display().to_string());
    let dir = Path::new(&dir);
    let h = seeded_coverage(dir);
    assert!(h.has(OMISSION));
}
