//! The data-quality rules of the questionnaire format (issue 15): choice filters enforced,
//! `regex`, text references, free order of sections and rosters, complete loader
//! messages, metadata items and the case title. Each on `tests/data/mini.json`, edited.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use census_core::Value;
use census_core::engine::{Case, Completion, EngineError, IssueKind, RowPath};
use census_core::load::{LevelPart, Problem, Questionnaire, load_questionnaire};
use chrono::NaiveDate;
use serde_json::{Value as J, json};

const MINI: &str = include_str!("data/mini.json");
const PERSON_Q: &str = "/root/rosters/0/level/rosters/0/level/sections/0/questions";

fn mini() -> J {
    serde_json::from_str(MINI).unwrap()
}

fn load(doc: &J) -> Arc<Questionnaire> {
    match load_questionnaire("t.json", &doc.to_string()) {
        Ok(q) => q,
        Err(report) => panic!("does not load:\n{report}"),
    }
}

fn problems(edit: impl FnOnce(&mut J)) -> Vec<Problem> {
    let mut doc = mini();
    edit(&mut doc);
    match load_questionnaire("broken.json", &doc.to_string()) {
        Ok(_) => panic!("the broken file loaded"),
        Err(report) => report.problems,
    }
}

fn find<'a>(ps: &'a [Problem], needle: &str) -> &'a Problem {
    ps.iter()
        .find(|p| p.message.contains(needle))
        .unwrap_or_else(|| panic!("no problem mentions {needle:?}: {ps:#?}"))
}

fn person_q(doc: &mut J, i: usize) -> &mut J {
    &mut doc["root"]["rosters"][0]["level"]["rosters"][0]["level"]["sections"][0]["questions"][i]
}

fn household_level(doc: &mut J) -> &mut J {
    &mut doc["root"]["rosters"][0]["level"]
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 9, 10).unwrap()
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// A case with one household and one person.
fn one_person(q: Arc<Questionnaire>) -> (Case, RowPath, RowPath) {
    let mut case = Case::new(q, today());
    let (hh, _) = case.add_row(&RowPath::root(), "households").unwrap();
    let (p, _) = case.add_row(&hh, "persons").unwrap();
    (case, hh, p)
}

// 1. Choice filters.

#[test]
fn a_code_the_filter_hides_is_refused_when_set() {
    let (mut case, _, p) = one_person(load(&mini()));
    case.set_answer(&p, "age", Value::Integer(15)).unwrap();
    // Code 3 (higher education) is filtered to `age >= 17`.
    let err = case.set_answer(&p, "education", text("3")).unwrap_err();
    match &err {
        EngineError::WrongValue { item, message } => {
            assert_eq!(item, "education");
            assert!(message.contains("'3' is not offered"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(case.answer(&p, "education"), None);
    case.set_answer(&p, "education", text("2")).unwrap();
    case.set_answer(&p, "age", Value::Integer(20)).unwrap();
    case.set_answer(&p, "education", text("3")).unwrap();
}

#[test]
fn a_stored_code_a_later_change_hides_is_a_blocking_issue() {
    let (mut case, _, p) = one_person(load(&mini()));
    case.set_input(&RowPath::root(), "long_form", Value::Bool(true))
        .unwrap();
    case.set_answer(&p, "age", Value::Integer(20)).unwrap();
    case.set_answer(&p, "education", text("3")).unwrap();
    let hidden = |case: &Case| {
        case.issues()
            .into_iter()
            .filter(|i| i.kind == IssueKind::ChoiceNotOffered)
            .collect::<Vec<_>>()
    };
    assert!(hidden(&case).is_empty());
    // The age is corrected: higher education is no longer possible.
    case.set_answer(&p, "age", Value::Integer(15)).unwrap();
    let issues = hidden(&case);
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].row, p);
    assert_eq!(issues[0].question.as_deref(), Some("education"));
    for lang in ["ar", "fr", "zgh", "en"] {
        let m = issues[0].message.get(lang).unwrap();
        assert!(m.contains('3'), "{lang}: {m}");
    }
    assert_eq!(
        case.question_state(&p, "education").unwrap().hidden_codes,
        ["3"]
    );
    assert_ne!(case.completion(), Completion::Complete);
    // Answering again clears it.
    case.set_answer(&p, "education", text("2")).unwrap();
    assert!(hidden(&case).is_empty());
}

// 2. regex.

#[test]
fn regex_checks_a_pattern_compiled_at_load() {
    let mut doc = mini();
    person_q(&mut doc, 0)["constraint"] = json!("regex(., '^[A-Z][a-z]+$')");
    person_q(&mut doc, 0)["constraint_message"] = json!({"en": "A name", "fr": "Un nom"});
    let (mut case, _, p) = one_person(load(&doc));
    case.set_answer(&p, "p_name", text("Amina")).unwrap();
    assert!(
        case.question_state(&p, "p_name")
            .unwrap()
            .constraint_failed
            .is_none()
    );
    case.set_answer(&p, "p_name", text("amina 2")).unwrap();
    assert!(
        case.question_state(&p, "p_name")
            .unwrap()
            .constraint_failed
            .is_some()
    );
}

#[test]
fn a_bad_pattern_is_a_load_error_at_its_position() {
    let ps = problems(|d| {
        person_q(d, 0)["constraint"] = json!("regex(., '^[0-9{6}$')");
        person_q(d, 0)["constraint_message"] = json!({"en": "x", "fr": "x"});
    });
    let p = find(&ps, "invalid regular expression");
    assert_eq!(p.location, format!("{PERSON_Q}/0/constraint"));
    assert_eq!(p.question.as_deref(), Some("p_name"));
    // The `[` at character 2 of the pattern, column 12 of the expression.
    assert!(p.message.contains("character 2 of the pattern"), "{p:?}");
    assert_eq!(p.column, Some(12), "{p:?}");
    let ps = problems(|d| {
        person_q(d, 0)["constraint"] = json!("regex(., p_name)");
        person_q(d, 0)["constraint_message"] = json!({"en": "x", "fr": "x"});
    });
    find(&ps, "must be written as a text in quotes");
}

// 3. Text references.

#[test]
fn labels_show_answers_and_follow_their_changes() {
    let mut doc = mini();
    person_q(&mut doc, 3)["label"] =
        json!({"en": "How old is {p_name} ({sex})?", "fr": "Quel âge a {p_name} ({sex}) ?"});
    person_q(&mut doc, 3)["hint"] = json!({"en": "{{exact}} age in {hh_name}", "fr": "âge"});
    let (mut case, hh, p) = one_person(load(&doc));
    assert_eq!(case.label(&p, "age", "en"), "How old is … (…)?");
    let changes = case.set_answer(&p, "p_name", text("Amina")).unwrap();
    assert!(
        changes.items.contains(&(p.clone(), "age".to_string())),
        "{changes:?}"
    );
    case.set_answer(&p, "sex", text("2")).unwrap();
    let sex_label_fr = load(&mini())
        .question("sex")
        .unwrap()
        .choices("fr")
        .into_iter()
        .find(|(c, _)| *c == "2")
        .unwrap()
        .1
        .to_string();
    assert_eq!(
        case.label(&p, "age", "fr"),
        format!("Quel âge a Amina ({sex_label_fr}) ?")
    );
    let changes = case.set_answer(&hh, "hh_name", text("Alaoui")).unwrap();
    assert!(changes.items.contains(&(p.clone(), "age".to_string())));
    assert_eq!(
        case.hint(&p, "age", "en").as_deref(),
        Some("{exact} age in Alaoui")
    );
}

#[test]
fn check_and_constraint_messages_show_answers() {
    let mut doc = mini();
    person_q(&mut doc, 3)["constraint"] = json!(". <= 120");
    person_q(&mut doc, 3)["constraint_message"] =
        json!({"en": "{age} years is too old", "fr": "{age} ans, c'est trop"});
    let (mut case, _, p) = one_person(load(&doc));
    case.set_answer(&p, "age", Value::Integer(130)).unwrap();
    let failed = case
        .question_state(&p, "age")
        .unwrap()
        .constraint_failed
        .unwrap();
    assert_eq!(failed.get("en").unwrap(), "130 years is too old");
    assert_eq!(failed.get("fr").unwrap(), "130 ans, c'est trop");
}

#[test]
fn references_are_checked_by_the_loader() {
    let ps = problems(|d| person_q(d, 3)["label"] = json!({"en": "Age of {p_nam}", "fr": "Âge"}));
    let p = find(&ps, "unknown name `p_nam`");
    assert_eq!(p.location, format!("{PERSON_Q}/3/label/en"));
    // A person's answer cannot be shown in a household text.
    let ps = problems(|d| {
        household_level(d)["sections"][0]["questions"][0]["label"] =
            json!({"en": "Name of {p_name}", "fr": "Nom"});
    });
    let p = find(&ps, "`{p_name}` is asked in person rows");
    assert_eq!(
        p.location,
        "/root/rosters/0/level/sections/0/questions/0/label/en"
    );
    let ps = problems(|d| person_q(d, 3)["hint"] = json!({"en": "a { b", "fr": "x"}));
    assert_eq!(
        find(&ps, "without its `}`").location,
        format!("{PERSON_Q}/3/hint/en")
    );
}

// 4. Free order.

#[test]
fn a_section_may_follow_a_roster() {
    let mut doc = mini();
    household_level(&mut doc)["order"] = json!(["s_household", "persons", "deaths", "s_ict"]);
    household_level(&mut doc)["sections"][1]["questions"][0]["required"] = json!(true);
    let q = load(&doc);
    assert_eq!(
        q.level_parts("household"),
        [
            LevelPart::Section("s_household"),
            LevelPart::Roster("persons"),
            LevelPart::Roster("deaths"),
            LevelPart::Section("s_ict"),
        ]
    );
    let (mut case, _, p) = one_person(q);
    case.set_input(&RowPath::root(), "long_form", Value::Bool(true))
        .unwrap();
    let issues = case.issues();
    let at =
        |pred: &dyn Fn(&census_core::engine::Issue) -> bool| issues.iter().position(pred).unwrap();
    let person_issue = at(&|i| i.row == p);
    let ict_issue = at(&|i| i.item == "hh_internet");
    assert!(person_issue < ict_issue, "{issues:#?}");
    // An old file keeps sections before rosters.
    assert_eq!(
        load(&mini()).level_parts("household").last(),
        Some(&LevelPart::Roster("deaths"))
    );
}

#[test]
fn an_order_must_name_every_part_once() {
    let ps = problems(|d| household_level(d)["order"] = json!(["s_household", "persons", "nope"]));
    assert_eq!(
        find(&ps, "order names 'nope'").location,
        "/root/rosters/0/level/order/2"
    );
    find(&ps, "order leaves out 's_ict'");
    find(&ps, "order leaves out 'deaths'");
}

// 5. Loader messages.

#[test]
fn a_constraint_needs_a_message() {
    let ps = problems(|d| person_q(d, 0)["constraint"] = json!("len(.) > 1"));
    let p = find(&ps, "has a constraint but no constraint_message");
    assert_eq!(p.location, format!("{PERSON_Q}/0/constraint_message"));
    assert_eq!(p.question.as_deref(), Some("p_name"));
}

#[test]
fn a_child_roster_name_says_where_it_lives_and_what_to_write() {
    let ps = problems(|d| {
        household_level(d)["sections"][0]["questions"][0]["relevant"] = json!("age > 15")
    });
    let p = find(&ps, "unknown name `age`");
    assert!(p.message.contains("roster `persons`"), "{p:?}");
    assert!(p.message.contains("count(persons"), "{p:?}");
    assert!(p.message.contains("at(persons, 1, age)"), "{p:?}");
    let ps = problems(|d| person_q(d, 3)["relevant"] = json!("sexx = '1'"));
    assert!(
        find(&ps, "unknown name `sexx`")
            .message
            .contains("did you mean `sex`?")
    );
}

#[test]
fn type_errors_suggest_the_fix() {
    let ps = problems(|d| person_q(d, 3)["relevant"] = json!("sex = 2"));
    assert!(
        find(&ps, "compared with").message.contains("write `'2'`"),
        "{ps:?}"
    );
    let mut doc = mini();
    doc["root"]["inputs"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "visit", "type": "date"}));
    doc["root"]["sections"][0]["questions"][1]["relevant"] = json!("visit > '2024-09-01'");
    let report = load_questionnaire("b.json", &doc.to_string()).unwrap_err();
    let p = find(&report.problems, "compared with");
    assert!(p.message.contains("date('2024-09-01')"), "{p:?}");
}

#[test]
fn shape_errors_are_collected_with_the_others_each_once() {
    let ps = problems(|d| {
        person_q(d, 3)["relevent"] = json!("age > 1");
        household_level(d)["sections"][0]["lable"] = json!({});
        d["reference_date"] = json!("soon");
    });
    let relevent: Vec<_> = ps
        .iter()
        .filter(|p| p.message.contains("relevent"))
        .collect();
    assert_eq!(relevent.len(), 1, "{ps:#?}");
    assert_eq!(relevent[0].location, format!("{PERSON_Q}/3/relevent"));
    assert!(relevent[0].message.contains("did you mean `relevant`?"));
    find(&ps, "did you mean `label`?");
    find(&ps, "reference_date");
}

// 6. Metadata and title.

#[test]
fn metadata_items_are_readable_in_expressions_and_the_title_names_the_case() {
    let mut doc = mini();
    doc["case_title"] = json!("coalesce(district_id, '?') + ' by ' + meta.enumerator_id");
    person_q(&mut doc, 3)["label"] = json!({"en": "Age ({meta.device_id})", "fr": "Âge"});
    person_q(&mut doc, 6)["relevant"] =
        json!("age >= 15 and days_between(meta.start, today()) >= 0");
    let (mut case, _, p) = one_person(load(&doc));
    assert_eq!(case.title(), "");
    let root = RowPath::root();
    case.set_input(&root, "meta.enumerator_id", text("E042"))
        .unwrap();
    case.set_input(&root, "district_id", text("D7")).unwrap();
    assert_eq!(case.title(), "D7 by E042");
    case.set_input(&root, "meta.device_id", text("tab-9"))
        .unwrap();
    assert_eq!(case.label(&p, "age", "en"), "Age (tab-9)");
    case.set_answer(&p, "age", Value::Integer(30)).unwrap();
    assert!(!case.is_relevant(&p, "marital"), "meta.start unset: null");
    case.set_input(&root, "meta.start", Value::Date(today()))
        .unwrap();
    assert!(case.is_relevant(&p, "marital"));
}
