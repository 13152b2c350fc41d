//! The test XLSForms of `tests/forms/` import to the committed JSON, which passes the JSON
//! Schema and the loader; a household played through the imported questionnaire with the
//! engine gives the values the form's logic implies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;

use census_core::Value;
use census_core::engine::{Case, IssueKind, RowPath};
use census_core::load::{Questionnaire, load_questionnaire};
use chrono::NaiveDate;
use support::{form, import_json, schema_problems};

fn expected(name: &str) -> String {
    std::fs::read_to_string(form(name)).unwrap()
}

fn household() -> Arc<Questionnaire> {
    let json = import_json("household.xlsx");
    match load_questionnaire("household.json", &json) {
        Ok(q) => q,
        Err(report) => panic!("the imported household form does not load:\n{report}"),
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

#[test]
fn household_imports_to_the_committed_json() {
    let json = import_json("household.xlsx");
    assert_eq!(
        json,
        expected("household.json"),
        "regenerate with: census-forms import household.xlsx -o household.json, and review"
    );
}

#[test]
fn household_json_passes_the_schema() {
    let problems = schema_problems(&import_json("household.xlsx"));
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn household_maps_every_column() {
    let file: serde_json::Value = serde_json::from_str(&import_json("household.xlsx")).unwrap();
    assert_eq!(file["id"], "hh_survey");
    assert_eq!(file["version"], "2024.1");
    assert_eq!(file["reference_date"], "2024-09-01");
    assert_eq!(file["languages"], serde_json::json!(["en", "fr"]));
    let intro = &file["root"]["sections"][0];
    assert_eq!(intro["label"]["fr"], "Introduction");
    let head = &intro["questions"][0];
    assert_eq!(head["hint"]["fr"], "Nom complet");
    assert_eq!(head["required"], true);
    let size = &intro["questions"][1];
    assert_eq!(size["constraint"], ". > 0 and . <= 30");
    assert_eq!(size["constraint_message"]["en"], "Between 1 and 30");
    // Nested group: its section carries both groups' conditions.
    let detail = &file["root"]["sections"][2];
    assert_eq!(detail["id"], "rooms_detail");
    assert_eq!(detail["relevant"], "(hh_size > 0) and (rooms > 1)");
    assert_eq!(file["root"]["sections"][1]["questions"][2]["default"], 1);
    // choice_filter: one filter per choice, the choice's columns filled in.
    let edu = &file["choice_lists"]["edu_p_edu"];
    assert_eq!(edu[3]["filter"], "17 <= p_age");
    assert_eq!(
        file["choice_lists"]["district_district"][2]["filter"],
        "'2' = region"
    );
    // or_other: an `other` choice and a text question to specify it.
    assert_eq!(file["choice_lists"]["water_or_other"][3]["code"], "other");
    let persons = &file["root"]["rosters"][0];
    assert_eq!(persons["relevant"], "hh_size > 0");
    assert_eq!(persons["level"]["rosters"][0]["id"], "jobs");
}

/// Plays one household: two persons, the first with two jobs.
#[test]
fn household_played_through_gives_the_forms_values() {
    let today = NaiveDate::from_ymd_opt(2024, 9, 10).unwrap();
    let mut case = Case::new(household(), today);
    let root = RowPath::root();
    assert_eq!(
        case.answer(&root, "rooms"),
        Some(&Value::Integer(1)),
        "default"
    );
    case.set_answer(&root, "hh_name", text("Amina Diallo"))
        .unwrap();
    case.set_answer(&root, "hh_size", Value::Integer(2))
        .unwrap();
    case.set_answer(&root, "region", text("1")).unwrap();
    let district = case.question_state(&root, "district").unwrap();
    assert_eq!(district.choices, ["d11", "d12"], "choice_filter by region");
    case.set_answer(&root, "district", text("d12")).unwrap();
    case.set_answer(&root, "visit_date", Value::Date(today))
        .unwrap();
    assert!(!case.is_relevant(&root, "water_other"));
    case.set_answer(
        &root,
        "water",
        Value::Multi(vec!["tap".into(), "other".into()]),
    )
    .unwrap();
    assert!(case.is_relevant(&root, "water_other"), "or_other");
    assert!(case.is_relevant(&root, "many_sources"), "count-selected");
    assert!(!case.is_relevant(&root, "area"), "nested group: one room");
    case.set_answer(&root, "rooms", Value::Integer(3)).unwrap();
    assert!(case.is_relevant(&root, "area"), "nested group: three rooms");

    let (amina, _) = case.add_row(&root, "persons").unwrap();
    let (karim, _) = case.add_row(&root, "persons").unwrap();
    for (p, name, age, sex) in [(&amina, "Amina", 40, "2"), (&karim, "Karim", 12, "1")] {
        case.set_answer(p, "p_name", text(name)).unwrap();
        case.set_answer(p, "p_age", Value::Integer(age)).unwrap();
        case.set_answer(p, "p_sex", text(sex)).unwrap();
    }
    assert_eq!(
        case.question_state(&karim, "p_edu").unwrap().choices,
        ["none", "primary", "secondary"],
        "choice_filter by age"
    );
    for income in [100.5, 200.0] {
        let (job, _) = case.add_row(&amina, "jobs").unwrap();
        case.set_answer(&job, "job_title", text("trade")).unwrap();
        case.set_answer(&job, "job_income", Value::Decimal(income))
            .unwrap();
    }
    assert_eq!(case.value(&amina, "p_num"), Value::Integer(1));
    assert_eq!(case.value(&karim, "p_num"), Value::Integer(2));
    assert_eq!(case.value(&amina, "p_adult"), Value::Integer(1));
    assert_eq!(case.value(&karim, "p_adult"), Value::Integer(0));
    assert_eq!(case.value(&amina, "p_jobs"), Value::Integer(2));
    assert_eq!(case.value(&amina, "p_income"), Value::Decimal(300.5));
    assert_eq!(case.value(&root, "n_persons"), Value::Integer(2));
    assert_eq!(case.value(&root, "n_adults"), Value::Integer(1));
    assert_eq!(case.value(&root, "total_income"), Value::Decimal(300.5));
    assert_eq!(case.value(&root, "first_name"), text("Amina"));
    assert_eq!(case.value(&root, "name_len"), Value::Integer(12));
    assert_eq!(case.value(&root, "has_tap"), Value::Bool(true));
    assert_eq!(case.value(&root, "size_check"), text("ok"));
    assert_eq!(
        case.value(&root, "income_per_person"),
        Value::Decimal(150.25)
    );
    assert_eq!(case.value(&root, "size_parity"), Value::Integer(0));
    assert!(case.is_relevant(&root, "oldest"));

    // A constraint of the form blocks: 40 persons is out of range.
    case.set_answer(&root, "hh_size", Value::Integer(40))
        .unwrap();
    let issues = case.issues();
    assert!(
        issues
            .iter()
            .any(|i| i.kind == IssueKind::ConstraintFailed && i.item == "hh_size"),
        "{issues:#?}"
    );
    assert_eq!(case.value(&root, "size_check"), text("mismatch"));
    // Karim turns 30: he counts as an adult.
    case.set_answer(&karim, "p_age", Value::Integer(30))
        .unwrap();
    assert_eq!(case.value(&root, "n_adults"), Value::Integer(2));
}

/// `regex()` and `${name}` inside labels need the format's text references and `regex`
/// (issue 15, engine side), which land on branch h-format.
#[test]
#[ignore = "needs regex() and text references in the loader (h-format, issue 15)"]
fn text_references_and_regex_import() {
    let json = import_json("textrefs.xlsx");
    assert_eq!(json, expected("textrefs.json"));
    let file: serde_json::Value = serde_json::from_str(&json).unwrap();
    let q = &file["root"]["sections"][0]["questions"];
    assert_eq!(q[0]["constraint"], "regex(., '^[0-9]{6}$')");
    assert_eq!(q[2]["label"]["en"], "How many persons live with {head}?");
    assert_eq!(q[2]["hint"]["fr"], "Vous avez écrit {district_code}");
}
