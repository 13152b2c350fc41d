//! Every rule type of the engine on a small questionnaire (`tests/data/mini.json`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use census_core::Value;
use census_core::engine::{Case, Completion, IssueKind, RowPath};
use census_core::load::{Questionnaire, load_questionnaire};
use chrono::NaiveDate;

const MINI: &str = include_str!("data/mini.json");

fn q() -> Arc<Questionnaire> {
    match load_questionnaire("mini.json", MINI) {
        Ok(q) => q,
        Err(report) => panic!("mini.json does not load:\n{report}"),
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 9, 10).unwrap()
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn root() -> RowPath {
    RowPath::root()
}

/// A case with one household and `n` persons (no answers in them yet).
fn household(n: usize) -> (Case, RowPath, Vec<RowPath>) {
    let mut case = Case::new(q(), today());
    let (hh, _) = case.add_row(&root(), "households").unwrap();
    let persons = (0..n)
        .map(|_| case.add_row(&hh, "persons").unwrap().0)
        .collect();
    (case, hh, persons)
}

fn person(case: &mut Case, p: &RowPath, name: &str, sex: &str, rel: &str, age: i64) {
    case.set_answer(p, "p_name", text(name)).unwrap();
    case.set_answer(p, "sex", text(sex)).unwrap();
    case.set_answer(p, "relationship", text(rel)).unwrap();
    case.set_answer(p, "age", Value::Integer(age)).unwrap();
}

#[test]
fn loads_and_applies_defaults() {
    let case = Case::new(q(), today());
    assert_eq!(
        case.answer(&root(), "dw_occupied"),
        Some(&Value::Bool(true))
    );
    assert_eq!(case.value(&root(), "dw_total_persons"), Value::Integer(0));
    assert_eq!(case.completion(), Completion::NotStarted);
}

#[test]
fn relevance_hides_values_and_chains() {
    let (mut case, _hh, persons) = household(1);
    let p = &persons[0];
    assert!(
        !case.is_relevant(p, "marital"),
        "age unknown: marital not asked"
    );
    case.set_answer(p, "age", Value::Integer(30)).unwrap();
    assert!(case.is_relevant(p, "marital"));
    case.set_answer(p, "marital", text("2")).unwrap();
    assert_eq!(case.value(p, "marital"), text("2"));
    // Age 5: marital is no longer relevant; its stored answer stays but reads as null.
    let changes = case.set_answer(p, "age", Value::Integer(5)).unwrap();
    assert!(changes.items.contains(&(p.clone(), "marital".to_string())));
    assert!(!case.is_relevant(p, "marital"));
    assert_eq!(case.answer(p, "marital"), Some(&text("2")));
    assert_eq!(case.value(p, "marital"), Value::Null);
    // Section relevance through a dwelling input, seen from a household and a person.
    let hh = p.parent().unwrap();
    assert!(!case.is_relevant(&hh, "hh_internet"));
    assert!(!case.is_relevant(p, "education"));
    case.set_input(&root(), "long_form", Value::Bool(true))
        .unwrap();
    assert!(case.is_relevant(&hh, "hh_internet"));
    assert!(!case.is_relevant(p, "education"), "age 5");
    case.set_answer(p, "age", Value::Integer(7)).unwrap();
    assert!(
        case.is_relevant(p, "education"),
        "ancestor input reaches persons"
    );
    // A non-relevant roster hides its rows' questions.
    case.set_answer(&root(), "dw_occupied", Value::Bool(false))
        .unwrap();
    assert!(!case.is_relevant(p, "p_name"));
    assert_eq!(case.value(&root(), "dw_total_persons"), Value::Integer(0));
}

#[test]
fn constraints_reject_answers_until_fixed() {
    let (mut case, _hh, persons) = household(1);
    let p = &persons[0];
    case.set_answer(p, "age", Value::Integer(130)).unwrap();
    let state = case.question_state(p, "age").unwrap();
    assert_eq!(
        state.constraint_failed.unwrap().get("en").unwrap(),
        "Age 0 to 120"
    );
    assert!(
        case.issues()
            .iter()
            .any(|i| i.kind == IssueKind::ConstraintFailed && i.question.as_deref() == Some("age"))
    );
    case.set_answer(p, "age", Value::Integer(40)).unwrap();
    assert!(
        case.question_state(p, "age")
            .unwrap()
            .constraint_failed
            .is_none()
    );
    // A constraint using position(): the mother's line cannot be the person's own.
    case.set_answer(p, "age", Value::Integer(10)).unwrap();
    case.set_answer(p, "mother_line", Value::Integer(1))
        .unwrap();
    assert!(
        case.question_state(p, "mother_line")
            .unwrap()
            .constraint_failed
            .is_some()
    );
}

#[test]
fn wrong_types_and_codes_are_engine_errors() {
    let (mut case, _hh, persons) = household(1);
    let p = &persons[0];
    assert!(case.set_answer(p, "age", text("12")).is_err());
    assert!(case.set_answer(p, "sex", text("9")).is_err());
    assert!(
        case.set_answer(p, "is_head", Value::Bool(true)).is_err(),
        "calculated"
    );
    assert!(
        case.set_answer(p, "hh_name", text("x")).is_err(),
        "household question on a person row"
    );
    assert!(case.set_answer(p, "nope", text("x")).is_err());
    assert!(
        case.set_answer(&"households.99".parse().unwrap(), "hh_name", text("x"))
            .is_err()
    );
    assert!(
        case.set_input(&root(), "long_form", Value::Integer(1))
            .is_err()
    );
    // Null clears.
    case.set_answer(p, "age", Value::Integer(3)).unwrap();
    case.set_answer(p, "age", Value::Null).unwrap();
    assert_eq!(case.answer(p, "age"), None);
}

#[test]
fn aggregates_over_persons() {
    let (mut case, hh, persons) = household(3);
    person(&mut case, &persons[0], "Fatima", "2", "01", 44);
    person(&mut case, &persons[1], "Ahmed", "1", "02", 50);
    person(&mut case, &persons[2], "Sara", "2", "03", 12);
    assert_eq!(case.value(&hh, "hh_heads"), Value::Integer(1));
    assert_eq!(case.value(&hh, "head_age"), Value::Integer(44));
    assert_eq!(case.value(&hh, "oldest"), Value::Integer(50));
    assert_eq!(case.value(&hh, "youngest"), Value::Integer(12));
    assert_eq!(case.value(&hh, "total_age"), Value::Integer(106));
    assert_eq!(case.value(&hh, "all_named"), Value::Bool(true));
    assert_eq!(case.value(&hh, "any_child"), Value::Bool(true));
    assert_eq!(
        case.value(&persons[1], "older_than_head"),
        Value::Bool(true),
        "person reads a household aggregate"
    );
    assert_eq!(case.value(&root(), "dw_total_persons"), Value::Integer(3));
    assert_eq!(case.value(&root(), "dw_adults"), Value::Integer(2));
    // at(): the mother's age by line number.
    case.set_answer(&persons[2], "mother_line", Value::Integer(1))
        .unwrap();
    assert_eq!(case.value(&persons[2], "mother_age"), Value::Integer(44));
    // Changing the head changes first() and every person's comparison.
    case.set_answer(&persons[0], "relationship", text("02"))
        .unwrap();
    case.set_answer(&persons[1], "relationship", text("01"))
        .unwrap();
    assert_eq!(case.value(&hh, "head_age"), Value::Integer(50));
    assert_eq!(
        case.value(&persons[0], "older_than_head"),
        Value::Bool(false)
    );
    // Nulls: an unanswered age is skipped by min/max/sum; all() turns null.
    let (p4, _) = case.add_row(&hh, "persons").unwrap();
    assert_eq!(case.value(&hh, "total_age"), Value::Integer(106));
    assert_eq!(case.value(&hh, "all_named"), Value::Bool(false));
    assert_eq!(case.value(&hh, "any_child"), Value::Bool(true));
    case.remove_row(&persons[2]).unwrap();
    assert_eq!(
        case.value(&hh, "any_child"),
        Value::Null,
        "no child known, one age unknown"
    );
    case.set_answer(&p4, "age", Value::Integer(30)).unwrap();
    assert_eq!(case.value(&hh, "any_child"), Value::Bool(false));
}

#[test]
fn flattened_roster_counts_persons_of_all_households() {
    let mut case = Case::new(q(), today());
    let (h1, _) = case.add_row(&root(), "households").unwrap();
    let (h2, _) = case.add_row(&root(), "households").unwrap();
    for _ in 0..2 {
        case.add_row(&h1, "persons").unwrap();
    }
    let (p, _) = case.add_row(&h2, "persons").unwrap();
    assert_eq!(case.value(&root(), "dw_total_persons"), Value::Integer(3));
    case.set_answer(&p, "age", Value::Integer(20)).unwrap();
    assert_eq!(case.value(&root(), "dw_adults"), Value::Integer(1));
    case.remove_row(&h1).unwrap();
    assert_eq!(case.value(&root(), "dw_total_persons"), Value::Integer(1));
    assert!(case.rows(&h1, "persons").is_empty());
}

#[test]
fn position_follows_moves_and_removals() {
    let (mut case, hh, persons) = household(3);
    assert_eq!(case.value(&persons[2], "line"), Value::Integer(3));
    case.move_row(&persons[2], 0).unwrap();
    assert_eq!(case.value(&persons[2], "line"), Value::Integer(1));
    assert_eq!(case.value(&persons[0], "line"), Value::Integer(2));
    assert_eq!(
        case.rows(&hh, "persons"),
        vec![persons[2].clone(), persons[0].clone(), persons[1].clone()]
    );
    case.remove_row(&persons[0]).unwrap();
    assert_eq!(case.value(&persons[1], "line"), Value::Integer(2));
    assert!(case.move_row(&persons[1], 5).is_err());
    // Row ids are never reused.
    let (again, _) = case.add_row(&hh, "persons").unwrap();
    assert!(!persons.contains(&again));
}

#[test]
fn choice_filters_follow_age() {
    let (mut case, _hh, persons) = household(1);
    let p = &persons[0];
    case.set_input(&root(), "long_form", Value::Bool(true))
        .unwrap();
    case.set_answer(p, "age", Value::Integer(10)).unwrap();
    assert_eq!(
        case.question_state(p, "education").unwrap().choices,
        vec!["0", "1", "2"]
    );
    let changes = case.set_answer(p, "age", Value::Integer(20)).unwrap();
    assert!(
        changes
            .items
            .contains(&(p.clone(), "education".to_string()))
    );
    assert_eq!(
        case.question_state(p, "education").unwrap().choices,
        vec!["0", "1", "2", "3"]
    );
}

#[test]
fn hard_and_soft_checks_with_confirmation() {
    let (mut case, hh, persons) = household(2);
    person(&mut case, &persons[0], "A", "2", "01", 30);
    person(&mut case, &persons[1], "B", "1", "01", 8);
    let kinds: Vec<(IssueKind, String)> = case
        .issues()
        .into_iter()
        .map(|i| (i.kind, i.item))
        .collect();
    assert!(kinds.contains(&(IssueKind::HardCheck, "one_head".into())));
    assert!(kinds.contains(&(IssueKind::HardCheck, "head_adult".into())));
    let one_head = case
        .issues()
        .into_iter()
        .find(|i| i.item == "one_head")
        .unwrap();
    assert_eq!(one_head.question.as_deref(), Some("relationship"));
    assert_eq!(
        one_head.row, persons[0],
        "jump to the first person's relationship"
    );
    assert!(
        case.confirm_check(&hh, "one_head", "ok".into()).is_err(),
        "hard checks cannot be confirmed"
    );
    case.set_answer(&persons[1], "relationship", text("03"))
        .unwrap();
    assert!(
        case.failed_checks(&hh)
            .iter()
            .all(|c| c.check != "one_head")
    );
    // Soft: the mother only 10 years older.
    case.set_answer(&persons[1], "mother_line", Value::Integer(1))
        .unwrap();
    case.set_answer(&persons[0], "age", Value::Integer(18))
        .unwrap();
    let failed = case.failed_checks(&persons[1]);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].check, "mother_older");
    assert!(
        case.confirm_check(&persons[1], "mother_older", "  ".into())
            .is_err(),
        "empty note"
    );
    case.confirm_check(&persons[1], "mother_older", "Adoptive mother".into())
        .unwrap();
    assert_eq!(
        case.failed_checks(&persons[1])[0].confirmed.as_deref(),
        Some("Adoptive mother")
    );
    assert!(case.issues().iter().all(|i| i.item != "mother_older"));
    // Still failing after an unrelated change: the confirmation stays.
    case.set_answer(&persons[1], "p_name", text("Bob")).unwrap();
    assert!(case.issues().iter().all(|i| i.item != "mother_older"));
    // Passing clears it; failing again needs a new confirmation.
    case.set_answer(&persons[0], "age", Value::Integer(40))
        .unwrap();
    assert!(case.failed_checks(&persons[1]).is_empty());
    case.set_answer(&persons[0], "age", Value::Integer(18))
        .unwrap();
    assert!(
        case.issues()
            .iter()
            .any(|i| i.item == "mother_older" && i.kind == IssueKind::SoftCheck)
    );
    assert!(
        case.confirm_check(&persons[0], "mother_older", "x".into())
            .is_err(),
        "passes in that row"
    );
}

#[test]
fn min_and_max_rows() {
    let mut case = Case::new(q(), today());
    assert!(
        case.issues()
            .iter()
            .any(|i| i.kind == IssueKind::TooFewRows && i.item == "households")
    );
    for _ in 0..5 {
        case.add_row(&root(), "households").unwrap();
    }
    assert!(case.add_row(&root(), "households").is_err(), "max_rows 5");
    assert!(
        case.add_row(&root(), "persons").is_err(),
        "persons belong to households"
    );
}

fn complete_household(case: &mut Case) -> RowPath {
    case.set_answer(&root(), "dw_type", text("1")).unwrap();
    case.set_answer(&root(), "dw_rooms", Value::Integer(3))
        .unwrap();
    let (hh, _) = case.add_row(&root(), "households").unwrap();
    case.set_answer(&hh, "hh_name", text("Alaoui")).unwrap();
    case.set_answer(&hh, "hh_size", Value::Integer(2)).unwrap();
    case.set_answer(&hh, "had_death", Value::Bool(false))
        .unwrap();
    let (a, _) = case.add_row(&hh, "persons").unwrap();
    person(case, &a, "Karim", "1", "01", 40);
    case.set_answer(&a, "marital", text("2")).unwrap();
    let (b, _) = case.add_row(&hh, "persons").unwrap();
    person(case, &b, "Nadia", "2", "02", 38);
    case.set_answer(&b, "marital", text("2")).unwrap();
    hh
}

#[test]
fn navigation_and_completion() {
    let mut case = Case::new(q(), today());
    assert_eq!(
        case.section_questions(&root(), "s_dwelling"),
        vec!["dw_type", "dw_rooms", "dw_occupied", "dw_note"]
    );
    assert_eq!(case.next_question(&root(), None), Some("dw_type"));
    assert_eq!(
        case.next_question(&root(), Some("dw_rooms")),
        Some("dw_occupied")
    );
    assert_eq!(case.previous_question(&root(), "dw_rooms"), Some("dw_type"));
    assert_eq!(case.next_question(&root(), Some("dw_note")), None);
    let first = case.issues().into_iter().next().unwrap();
    assert_eq!(
        (first.kind, first.question.as_deref()),
        (IssueKind::RequiredMissing, Some("dw_type"))
    );
    let hh = complete_household(&mut case);
    assert_eq!(case.issues(), vec![], "complete");
    assert_eq!(case.completion(), Completion::Complete);
    let persons = case.rows(&hh, "persons");
    assert_eq!(case.row_label(&persons[1]), "Nadia");
    assert_eq!(case.row_label(&hh), "Alaoui");
    assert_eq!(case.row_status(&persons[0]), Completion::Complete);
    // A third person: the size check (soft) and the new person's questions block.
    let (c, _) = case.add_row(&hh, "persons").unwrap();
    assert_eq!(case.row_label(&c), "3");
    assert_eq!(case.row_status(&c), Completion::NotStarted);
    assert_eq!(case.completion(), Completion::InProgress);
    let issues = case.issues();
    assert_eq!(issues[0].row, c, "first error first: the new person's name");
    assert_eq!(issues[0].question.as_deref(), Some("p_name"));
    assert!(
        issues
            .iter()
            .any(|i| i.item == "size_match" && i.kind == IssueKind::SoftCheck)
    );
    // The navigation skips questions that are not relevant.
    case.set_answer(&c, "age", Value::Integer(4)).unwrap();
    assert_eq!(case.next_question(&c, Some("age")), Some("mother_line"));
    case.set_answer(&c, "age", Value::Integer(40)).unwrap();
    assert_eq!(case.next_question(&c, Some("age")), Some("marital"));
    assert_eq!(case.next_question(&c, Some("marital")), None);
}

#[test]
fn deaths_roster_follows_its_relevance() {
    let mut case = Case::new(q(), today());
    let hh = complete_household(&mut case);
    case.set_answer(&hh, "had_death", Value::Bool(true))
        .unwrap();
    assert!(case.issues().iter().any(|i| i.item == "deaths_listed"));
    let (d, _) = case.add_row(&hh, "deaths").unwrap();
    assert!(
        case.issues()
            .iter()
            .any(|i| i.row == d && i.question.as_deref() == Some("d_name"))
    );
    case.set_answer(&d, "d_name", text("Omar")).unwrap();
    case.set_answer(&d, "d_age", Value::Integer(70)).unwrap();
    assert_eq!(case.issues(), vec![]);
    // No death after all: the death row is no longer relevant and blocks nothing.
    case.set_answer(&hh, "had_death", Value::Bool(false))
        .unwrap();
    case.set_answer(&d, "d_name", Value::Null).unwrap();
    assert!(!case.is_relevant(&d, "d_name"));
    assert_eq!(case.issues(), vec![]);
}

#[test]
fn changes_name_what_changed() {
    let (mut case, hh, persons) = household(2);
    let changes = case
        .set_answer(&persons[0], "relationship", text("01"))
        .unwrap();
    let items: Vec<(String, String)> = changes
        .items
        .iter()
        .map(|(p, i)| (p.to_string(), i.clone()))
        .collect();
    assert!(items.contains(&(persons[0].to_string(), "relationship".into())));
    assert!(items.contains(&(persons[0].to_string(), "is_head".into())));
    assert!(items.contains(&(hh.to_string(), "hh_heads".into())));
    assert!(items.contains(&(hh.to_string(), "one_head".into())));
    // The name changes the row label only in its own row.
    let changes = case
        .set_answer(&persons[1], "p_name", text("Zineb"))
        .unwrap();
    assert!(
        changes
            .items
            .iter()
            .all(|(p, _)| p == &persons[1] || p == &hh),
        "{changes:?}"
    );
    assert!(
        changes
            .items
            .contains(&(persons[1].clone(), "persons".to_string())),
        "row label"
    );
    // Setting the same value again changes nothing.
    assert!(
        case.set_answer(&persons[1], "p_name", text("Zineb"))
            .unwrap()
            .items
            .is_empty()
    );
    let (p3, changes) = case.add_row(&hh, "persons").unwrap();
    assert_eq!(changes.rows_added, vec![p3.clone()]);
    assert_eq!(case.remove_row(&p3).unwrap().rows_removed, vec![p3]);
}
