//! Realistic households on the real census questionnaire `schemas/rgph2024.json`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use census_core::Value;
use census_core::engine::{Case, Completion, IssueKind, RowPath};
use census_core::load::{Questionnaire, load_questionnaire};
use chrono::NaiveDate;

const RGPH: &str = include_str!("../../schemas/rgph2024.json");

fn q() -> Arc<Questionnaire> {
    match load_questionnaire("rgph2024.json", RGPH) {
        Ok(q) => q,
        Err(report) => panic!("{} problems:\n{report}", report.problems.len()),
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 9, 12).unwrap()
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn codes(c: &[&str]) -> Value {
    Value::Multi(c.iter().map(|s| s.to_string()).collect())
}

/// Who a person is; everything else is answered plausibly by [`fill_row`].
struct Person {
    name: &'static str,
    relationship: &'static str,
    sex: &'static str,
    age: i64,
    marital: &'static str,
    mother_line: i64,
}

const fn p(
    name: &'static str,
    relationship: &'static str,
    sex: &'static str,
    age: i64,
    marital: &'static str,
    mother_line: i64,
) -> Person {
    Person {
        name,
        relationship,
        sex,
        age,
        marital,
        mother_line,
    }
}

/// A plausible answer for a question, given the person's age.
fn plausible(id: &str, age: i64) -> Value {
    match id {
        "d_address" => text("12 rue de l'Atlas, Rabat"),
        "d_type" | "d_wall_material" | "d_roof_material" | "d_water_source" | "d_electricity"
        | "d_toilet" | "d_cooking_energy" | "d_tenure" | "p_nationality" | "p_birthplace"
        | "p_residence_5y" | "dth_sex" => text("1"),
        "d_occupancy" => text("1"),
        "d_rooms" => Value::Integer(4),
        "hh_respondent_name" => text("Karim Alaoui"),
        "hh_any_deaths" | "p_lived_abroad" => Value::Bool(false),
        "p_school_attendance" => text(if age < 25 { "1" } else { "2" }),
        "p_edu_level" => text(match age {
            ..5 => "1",
            5..12 => "2",
            12..15 => "3",
            15..18 => "4",
            _ => "5",
        }),
        "p_literate" | "p_mobile_phone" | "p_internet_use" => Value::Bool(true),
        "p_literacy_languages" => codes(&["1", "3"]),
        "p_spoken_languages" => codes(&["01", "06"]),
        "p_activity_status" => text(if age >= 25 { "1" } else { "5" }),
        "p_occupation" => text("Teacher"),
        "p_industry" => text("Education"),
        "p_employment_status" => text("3"),
        "p_children_born" => Value::Integer(0),
        "p_health_insurance" => codes(&["1"]),
        id if id.starts_with("p_wg_") => text("1"),
        other => panic!("no plausible answer for {other}"),
    }
}

/// Answers every required, relevant, unanswered question of a row, walking it with the
/// navigation API (answers change what is relevant, so it walks until nothing is missing).
fn fill_row(case: &mut Case, row: &RowPath, age: i64) {
    for _ in 0..10 {
        let mut current = case.next_question(row, None).map(str::to_string);
        let mut answered_any = false;
        while let Some(id) = current {
            if case.question_state(row, &id).unwrap().required_missing {
                case.set_answer(row, &id, plausible(&id, age)).unwrap();
                answered_any = true;
            }
            current = case.next_question(row, Some(&id)).map(str::to_string);
        }
        if !answered_any {
            return;
        }
    }
}

fn dwelling(case: &mut Case) {
    fill_row(case, &RowPath::root(), 0);
}

fn household(case: &mut Case, long_form: bool, people: &[Person]) -> (RowPath, Vec<RowPath>) {
    let (hh, _) = case.add_row(&RowPath::root(), "households").unwrap();
    case.set_input(&hh, "long_form", Value::Bool(long_form))
        .unwrap();
    case.set_answer(&hh, "hh_size_declared", Value::Integer(people.len() as i64))
        .unwrap();
    fill_row(case, &hh, 0);
    let mut rows = Vec::new();
    for person in people {
        let (row, _) = case.add_row(&hh, "persons").unwrap();
        case.set_answer(&row, "p_name", text(person.name)).unwrap();
        case.set_answer(&row, "p_relationship", text(person.relationship))
            .unwrap();
        case.set_answer(&row, "p_sex", text(person.sex)).unwrap();
        case.set_answer(&row, "p_age", Value::Integer(person.age))
            .unwrap();
        if person.age >= 12 {
            case.set_answer(&row, "p_marital", text(person.marital))
                .unwrap();
        }
        case.set_answer(&row, "p_mother_line", Value::Integer(person.mother_line))
            .unwrap();
        fill_row(case, &row, person.age);
        rows.push(row);
    }
    (hh, rows)
}

fn describe(case: &Case) -> String {
    case.issues()
        .iter()
        .map(|i| format!("{:?} {} {} {:?}", i.kind, i.row, i.item, i.question))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn one_person_household_completes() {
    let mut case = Case::new(q(), today());
    assert_eq!(case.completion(), Completion::NotStarted);
    dwelling(&mut case);
    let (hh, persons) = household(
        &mut case,
        false,
        &[p("Amina Benali", "01", "2", 67, "4", 0)],
    );
    assert_eq!(case.issues(), vec![], "{}", describe(&case));
    assert_eq!(case.completion(), Completion::Complete);
    assert_eq!(
        case.row_label(&hh),
        "Amina Benali",
        "household named after its head"
    );
    assert_eq!(case.value(&persons[0], "p_line"), Value::Integer(1));
    assert!(
        !case.is_relevant(&persons[0], "p_school_attendance"),
        "short form"
    );
}

fn extended_family() -> Vec<Person> {
    vec![
        p("Mohamed Alaoui", "01", "1", 62, "2", 0),
        p("Khadija Alaoui", "02", "2", 58, "2", 0),
        p("Youssef Alaoui", "03", "1", 35, "2", 2),
        p("Fatima Zahra Alaoui", "03", "2", 32, "1", 2),
        p("Hamza Alaoui", "03", "1", 28, "1", 2),
        p("Salma Alaoui", "03", "2", 20, "1", 2),
        p("Nadia Berrada", "04", "2", 30, "2", 0),
        p("Adam Alaoui", "05", "1", 8, "1", 7),
        p("Lina Alaoui", "05", "2", 5, "1", 7),
        p("Rayan Alaoui", "05", "1", 2, "1", 7),
        p("Driss Alaoui", "06", "1", 85, "4", 0),
        p("Rachida Amrani", "10", "2", 40, "3", 0),
    ]
}

#[test]
fn twelve_person_extended_family_long_form_completes() {
    let mut case = Case::new(q(), today());
    dwelling(&mut case);
    let (hh, persons) = household(&mut case, true, &extended_family());
    assert_eq!(case.issues(), vec![], "{}", describe(&case));
    assert_eq!(case.completion(), Completion::Complete);
    assert_eq!(persons.len(), 12);
    assert!(
        case.is_relevant(&persons[3], "p_children_born"),
        "woman of 32, long form"
    );
    assert!(!case.is_relevant(&persons[0], "p_children_born"), "man");
    assert!(
        !case.is_relevant(&persons[9], "p_spoken_languages"),
        "child of 2"
    );
    assert_eq!(
        case.question_state(&persons[7], "p_edu_level")
            .unwrap()
            .choices,
        vec!["1", "2"],
        "age 8: filters"
    );
    assert_eq!(case.row_status(&persons[11]), Completion::Complete);
    // The JSON round trip gives the same state.
    let back = Case::from_json(q(), today(), &case.to_json()).unwrap();
    assert_eq!(back.to_json(), case.to_json());
    assert_eq!(back.state_digest(), case.state_digest());
    assert_eq!(back.rows(&hh, "persons"), persons);
}

#[test]
fn household_with_a_death() {
    let mut case = Case::new(q(), today());
    dwelling(&mut case);
    let (hh, _) = household(
        &mut case,
        false,
        &[
            p("Omar Tazi", "01", "1", 70, "4", 0),
            p("Hassan Tazi", "03", "1", 40, "1", 0),
        ],
    );
    case.set_answer(&hh, "hh_any_deaths", Value::Bool(true))
        .unwrap();
    assert!(
        case.issues()
            .iter()
            .any(|i| i.item == "deaths_listed" && i.kind == IssueKind::HardCheck)
    );
    let (death, _) = case.add_row(&hh, "deaths").unwrap();
    case.set_answer(&death, "dth_name", text("Zohra Tazi"))
        .unwrap();
    case.set_answer(&death, "dth_sex", text("2")).unwrap();
    case.set_answer(&death, "dth_age", Value::Integer(66))
        .unwrap();
    case.set_answer(&death, "dth_month", Value::Integer(3))
        .unwrap();
    case.set_answer(&death, "dth_year", Value::Integer(2024))
        .unwrap();
    assert!(!case.is_relevant(&death, "dth_maternal"), "66 years old");
    assert_eq!(case.value(&death, "dth_months_ago"), Value::Integer(6));
    assert_eq!(case.issues(), vec![], "{}", describe(&case));
    assert_eq!(case.row_label(&death), "Zohra Tazi");
    // A death 14 months before the census night is outside the period.
    case.set_answer(&death, "dth_month", Value::Integer(7))
        .unwrap();
    case.set_answer(&death, "dth_year", Value::Integer(2023))
        .unwrap();
    let issue = case
        .issues()
        .into_iter()
        .find(|i| i.item == "death_in_period")
        .unwrap();
    assert_eq!(
        (issue.kind, issue.row, issue.question.as_deref()),
        (IssueKind::HardCheck, death.clone(), Some("dth_month"))
    );
    // A maternal death question for a woman of childbearing age.
    case.set_answer(&death, "dth_age", Value::Integer(31))
        .unwrap();
    assert!(case.is_relevant(&death, "dth_maternal"));
}

#[test]
fn invalid_households_are_caught() {
    let mut case = Case::new(q(), today());
    dwelling(&mut case);
    // No head, a declared size of 3 for 2 persons, a mother of 10 years older.
    let (hh, persons) = household(
        &mut case,
        false,
        &[
            p("Ali Idrissi", "02", "1", 30, "2", 0),
            p("Sara Idrissi", "03", "2", 20, "1", 1),
        ],
    );
    case.set_answer(&hh, "hh_size_declared", Value::Integer(3))
        .unwrap();
    case.set_answer(&persons[0], "p_sex", text("2")).unwrap();
    let found = |case: &Case, item: &str| case.issues().into_iter().find(|i| i.item == item);
    let one_head = found(&case, "one_head").expect("no head");
    assert_eq!(one_head.kind, IssueKind::HardCheck);
    assert_eq!(
        (one_head.row, one_head.question.as_deref()),
        (persons[0].clone(), Some("p_relationship"))
    );
    let size = found(&case, "size_matches").expect("size mismatch");
    assert_eq!(
        (size.kind, size.row, size.question.as_deref()),
        (IssueKind::HardCheck, hh.clone(), Some("hh_size_declared"))
    );
    let mother = found(&case, "mother_older").expect("mother too young");
    assert_eq!(
        (mother.kind, mother.row),
        (IssueKind::SoftCheck, persons[1].clone())
    );
    assert_eq!(case.completion(), Completion::InProgress);
    // Two heads.
    case.set_answer(&persons[0], "p_relationship", text("01"))
        .unwrap();
    assert!(found(&case, "one_head").is_none());
    case.set_answer(&persons[1], "p_relationship", text("01"))
        .unwrap();
    assert!(found(&case, "one_head").is_some(), "two heads");
    case.set_answer(&persons[1], "p_relationship", text("03"))
        .unwrap();
    // The mother check is soft: confirmed with a note, it stops blocking.
    case.confirm_check(
        &persons[1],
        "mother_older",
        "Stepmother, declared as mother".into(),
    )
    .unwrap();
    assert!(found(&case, "mother_older").is_none());
    case.set_answer(&hh, "hh_size_declared", Value::Integer(2))
        .unwrap();
    // With the head known, the daughter is only 10 years younger than the head too.
    let child = found(&case, "child_of_head_age").expect("child too close in age to the head");
    assert_eq!(
        (child.kind, child.row, child.question.as_deref()),
        (IssueKind::SoftCheck, persons[1].clone(), Some("p_age"))
    );
    case.confirm_check(
        &persons[1],
        "child_of_head_age",
        "Second wife's daughter".into(),
    )
    .unwrap();
    assert_eq!(case.issues(), vec![], "{}", describe(&case));
    // The confirmation survives the JSON round trip.
    let back = Case::from_json(q(), today(), &case.to_json()).unwrap();
    assert_eq!(
        back.failed_checks(&persons[1])[0].confirmed.as_deref(),
        Some("Stepmother, declared as mother")
    );
    // A constraint the enumerator must fix: an age of 130.
    case.set_answer(&persons[1], "p_age", Value::Integer(130))
        .unwrap();
    let age = found(&case, "p_age").unwrap();
    assert_eq!(age.kind, IssueKind::ConstraintFailed);
}
