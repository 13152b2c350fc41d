//! The questionnaire's `coverage` block: the census questionnaire declares the items coverage
//! reads, and a block naming a missing or misplaced item is refused by the loader with the
//! field, the item and what is wrong.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use census_core::coverage::{ItemMap, NoCoverage, Population};
use census_core::load::{Problem, load_questionnaire};
use serde_json::{Value as J, json};

const CENSUS: &str = include_str!("../../schemas/rgph2024.json");
const COLLECTIVE: &str = include_str!("../../schemas/collective2024.json");

fn census() -> J {
    serde_json::from_str(CENSUS).unwrap()
}

fn problems(edit: impl FnOnce(&mut J)) -> Vec<Problem> {
    let mut doc = census();
    edit(&mut doc);
    match load_questionnaire("census.json", &doc.to_string()) {
        Ok(_) => panic!("the file loaded"),
        Err(report) => report.problems,
    }
}

#[test]
fn the_census_questionnaire_declares_what_coverage_reads() {
    let q = load_questionnaire("rgph2024.json", CENSUS).unwrap();
    let census = ItemMap {
        population: Population::Household,
        households: Some("households".into()),
        persons: "persons".into(),
        relationship: Some("p_relationship".into()),
        head_code: Some("01".into()),
        name: "p_name".into(),
        dwelling_gps: "d_gps".into(),
    };
    assert_eq!(q.coverage_items(), Ok(&census));
}

#[test]
fn a_file_without_the_block_loads_but_is_refused_for_coverage() {
    let mut doc = census();
    doc.as_object_mut().unwrap().remove("coverage");
    let q = load_questionnaire("rgph2024.json", &doc.to_string()).unwrap();
    let refusal = q.coverage_items().unwrap_err();
    assert_eq!(
        refusal,
        NoCoverage {
            questionnaire_id: "rgph2024".into(),
            version: "1.0.0".into()
        }
    );
    assert_eq!(
        refusal.to_string(),
        "questionnaire rgph2024 1.0.0 has no \"coverage\" block: coverage cannot tell which \
         roster holds its persons, so its cases cannot be counted (declare the block, see \
         schemas/FORMAT.md)"
    );
}

#[test]
fn the_collective_questionnaire_counts_its_residents_apart() {
    let q = load_questionnaire("collective2024.json", COLLECTIVE).unwrap();
    let items = q.coverage_items().unwrap();
    assert_eq!(items.population, Population::Collective);
    assert_eq!(items.households, None);
    assert_eq!(items.relationship, None);
    assert_eq!(q.roster(&items.persons).unwrap().owner(), q.root_level());
}

#[test]
fn a_block_without_households_or_head_is_checked_too() {
    // Persons straight under the dwelling: the census persons roster is not there.
    let ps = problems(|d| {
        let block = d["coverage"].as_object_mut().unwrap();
        block.remove("households");
    });
    assert!(
        ps[0]
            .message
            .contains("must be a roster of the dwelling level"),
        "{ps:#?}"
    );
    let ps = problems(|d| {
        d["coverage"].as_object_mut().unwrap().remove("head_code");
    });
    assert_eq!(ps[0].location, "/coverage/head_code", "{ps:#?}");
    assert!(ps[0].message.contains("needs the head's code"), "{ps:#?}");
    let ps = problems(|d| d["coverage"]["population"] = json!("collective"));
    assert_eq!(ps[0].location, "/coverage/households", "{ps:#?}");
    assert!(ps[0].message.contains("leave `households` out"), "{ps:#?}");
    let ps = problems(|d| d["coverage"]["population"] = json!("hotel"));
    assert!(ps[0].message.contains("unknown variant"), "{ps:#?}");
}

#[test]
fn a_block_naming_missing_or_misplaced_items_is_refused() {
    let ps = problems(|d| d["coverage"]["name"] = json!("p_nom"));
    assert_eq!(ps.len(), 1, "{ps:#?}");
    assert_eq!(ps[0].location, "/coverage/name");
    assert_eq!(ps[0].question.as_deref(), Some("p_nom"));
    assert!(ps[0].message.contains("no question has this id"));

    let ps = problems(|d| d["coverage"]["head_code"] = json!("99"));
    assert!(
        ps[0].message.contains("\"99\" is not one of its choices"),
        "{ps:#?}"
    );

    let ps = problems(|d| d["coverage"]["persons"] = json!("households"));
    assert!(
        ps[0]
            .message
            .contains("must be a roster of the household level"),
        "{ps:#?}"
    );

    let ps = problems(|d| d["coverage"]["dwelling_gps"] = json!("p_name"));
    let messages: Vec<&str> = ps.iter().map(|p| p.message.as_str()).collect();
    assert!(
        messages.iter().any(|m| m.contains("of the dwelling level")),
        "{ps:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("must be a gps question")),
        "{ps:#?}"
    );

    let ps = problems(|d| d["coverage"]["colour"] = json!("blue"));
    assert!(ps[0].message.contains("unknown field"), "{ps:#?}");
}

#[test]
fn the_typed_case_gives_the_same_content_as_its_document() {
    use census_core::engine::{Case, RowPath};
    use census_core::{GpsPoint, Value};
    let q = load_questionnaire("rgph2024.json", CENSUS).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2024, 9, 12).unwrap();
    let mut case = Case::new(q.clone(), today);
    let root = RowPath::root();
    let gps = GpsPoint {
        lat: 34.0,
        lon: -6.8,
        accuracy_m: Some(5.0),
    };
    case.set_answer(&root, "d_gps", Value::Gps(gps)).unwrap();
    for _ in 0..2 {
        let (household, _) = case.add_row(&root, "households").unwrap();
        for (name, relationship) in [("Ahmed Benali", "01"), ("Salma Benali", "02")] {
            let (person, _) = case.add_row(&household, "persons").unwrap();
            case.set_answer(&person, "p_name", Value::Text(name.into()))
                .unwrap();
            case.set_answer(&person, "p_relationship", Value::Text(relationship.into()))
                .unwrap();
        }
    }
    let items = q.coverage_items().unwrap();
    let typed = census_core::coverage::case_content_of(&case, items);
    let document = census_core::coverage::case_content(&case.to_json(), items);
    assert_eq!(typed, document);
    assert_eq!(typed.persons, 4);
    assert!(typed.head_key.is_some());
    assert_eq!(typed.gps, Some(gps));
}
