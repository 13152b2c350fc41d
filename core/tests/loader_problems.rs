//! The loader rejects broken questionnaires with every problem named: file, question,
//! position. One test per kind of problem, then a file with several at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use census_core::load::{LoadReport, Problem, load_questionnaire};
use serde_json::{Value as J, json};

const MINI: &str = include_str!("data/mini.json");

fn mini() -> J {
    serde_json::from_str(MINI).unwrap()
}

fn load(doc: &J) -> Result<(), LoadReport> {
    load_questionnaire("broken.json", &doc.to_string()).map(|_| ())
}

/// Loads `doc` after `edit`, expects a failure and returns the problems.
fn problems(edit: impl FnOnce(&mut J)) -> Vec<Problem> {
    let mut doc = mini();
    edit(&mut doc);
    match load(&doc) {
        Ok(()) => panic!("the broken file loaded"),
        Err(report) => {
            assert!(report.problems.iter().all(|p| p.file == "broken.json"));
            assert_eq!(report.to_string().lines().count(), report.problems.len());
            report.problems
        }
    }
}

/// The single problem whose message contains `needle`.
fn find<'a>(ps: &'a [Problem], needle: &str) -> &'a Problem {
    ps.iter()
        .find(|p| p.message.contains(needle))
        .unwrap_or_else(|| panic!("no problem mentions {needle:?}: {ps:#?}"))
}

/// Pointer to a question of the person level in mini.json.
fn person_q(doc: &mut J, i: usize) -> &mut J {
    &mut doc["root"]["rosters"][0]["level"]["rosters"][0]["level"]["sections"][0]["questions"][i]
}

const PERSON_Q: &str = "/root/rosters/0/level/rosters/0/level/sections/0/questions";

#[test]
fn the_test_file_itself_loads() {
    load(&mini()).unwrap();
}

#[test]
fn json_syntax_error_gives_line_and_column() {
    let err = load_questionnaire("x.json", "{\n  \"id\": \"a\",\n  oops\n}").unwrap_err();
    assert_eq!(err.problems.len(), 1);
    assert_eq!(err.problems[0].location, "line 3");
    assert_eq!(err.problems[0].column, Some(3));
}

#[test]
fn unknown_field_is_a_shape_error() {
    let ps = problems(|d| d["root"]["colour"] = json!("red"));
    assert!(ps[0].message.contains("colour"), "{ps:?}");
}

#[test]
fn unsupported_format_version() {
    let ps = problems(|d| d["format_version"] = json!(7));
    assert_eq!(find(&ps, "format_version 7").location, "/format_version");
}

#[test]
fn duplicate_ids_in_the_shared_namespace() {
    let ps = problems(|d| person_q(d, 0)["id"] = json!("persons"));
    let p = find(&ps, "duplicate id 'persons'");
    assert_eq!(p.location, format!("{PERSON_Q}/0/id"));
}

#[test]
fn duplicate_section_check_and_level_ids() {
    let ps = problems(|d| {
        d["root"]["rosters"][0]["level"]["sections"][1]["id"] = json!("s_household");
        d["root"]["checks"][0]["id"] = json!("one_head");
        d["root"]["rosters"][0]["level"]["rosters"][1]["level"]["id"] = json!("person");
    });
    find(&ps, "duplicate section id 's_household'");
    find(&ps, "duplicate check id 'one_head'");
    find(&ps, "duplicate level id 'person'");
}

#[test]
fn missing_empty_and_undeclared_translations() {
    let ps = problems(|d| {
        person_q(d, 1)["label"] = json!({"fr": "Sexe"});
        person_q(d, 2)["label"] = json!({"en": "  "});
        person_q(d, 3)["label"] = json!({"en": "Age", "de": "Alter"});
    });
    let missing = find(&ps, "has no 'en' text");
    assert_eq!(missing.question.as_deref(), Some("sex"));
    assert_eq!(missing.location, format!("{PERSON_Q}/1/label"));
    assert_eq!(
        find(&ps, "empty 'en'").question.as_deref(),
        Some("relationship")
    );
    assert_eq!(
        find(&ps, "'de' is not in languages").question.as_deref(),
        Some("age")
    );
}

#[test]
fn choice_lists() {
    let ps = problems(|d| {
        person_q(d, 1)["choices"] = json!("gender");
        person_q(d, 2).as_object_mut().unwrap().remove("choices");
        d["choice_lists"]["sex"][1]["code"] = json!("1");
    });
    assert_eq!(
        find(&ps, "unknown choice list 'gender'")
            .question
            .as_deref(),
        Some("sex")
    );
    assert_eq!(
        find(&ps, "names no choice list").question.as_deref(),
        Some("relationship")
    );
    find(&ps, "appears twice in list 'sex'");
}

#[test]
fn calculated_without_calculation() {
    let ps = problems(|d| {
        person_q(d, 4)
            .as_object_mut()
            .unwrap()
            .remove("calculation");
    });
    assert_eq!(
        find(&ps, "has no calculation").question.as_deref(),
        Some("is_head")
    );
}

#[test]
fn defaults_must_fit() {
    let ps = problems(|d| {
        person_q(d, 3)["default"] = json!("forty");
        person_q(d, 1)["default"] = json!("7");
    });
    assert_eq!(
        find(&ps, "does not fit a integer").location,
        format!("{PERSON_Q}/3/default")
    );
    assert_eq!(
        find(&ps, "'7' is not a code").question.as_deref(),
        Some("sex")
    );
}

#[test]
fn syntax_error_in_an_expression_has_a_column() {
    let ps = problems(|d| person_q(d, 3)["constraint"] = json!(". >= 0 and and . <= 120"));
    let p = &ps[0];
    assert_eq!(p.question.as_deref(), Some("age"));
    assert_eq!(p.location, format!("{PERSON_Q}/3/constraint"));
    assert_eq!(p.column, Some(12), "{p:?}");
}

#[test]
fn type_errors_name_question_and_column() {
    let ps = problems(|d| {
        person_q(d, 6)["relevant"] = json!("age + 1");
        person_q(d, 10)["calculation"] = json!("p_name * 2");
        person_q(d, 8)["constraint"] = json!(". = 'x'");
        d["root"]["rosters"][0]["level"]["sections"][0]["questions"][1]["relevant"] =
            json!("age > 3");
    });
    let rel = ps
        .iter()
        .find(|p| p.location.ends_with("/6/relevant"))
        .unwrap();
    assert!(rel.message.contains("boolean"), "{rel:?}");
    let calc = ps
        .iter()
        .find(|p| p.question.as_deref() == Some("older_than_head"))
        .unwrap();
    assert_eq!(calc.column, Some(1), "{calc:?}");
    assert!(
        ps.iter()
            .any(|p| p.question.as_deref() == Some("mother_line")),
        "`.` is an integer: {ps:#?}"
    );
    let unknown = ps
        .iter()
        .find(|p| p.question.as_deref() == Some("hh_size"))
        .unwrap();
    assert!(
        unknown.message.contains("age"),
        "a person's question is not visible from the household: {unknown:?}"
    );
}

#[test]
fn calculated_types_flow_into_their_uses() {
    // is_head is boolean: adding it to a number is a type error where it is used.
    let ps = problems(|d| person_q(d, 10)["calculation"] = json!("is_head + 1"));
    assert_eq!(ps.len(), 1, "{ps:#?}");
    assert_eq!(ps[0].question.as_deref(), Some("older_than_head"));
}

#[test]
fn dot_inside_an_aggregate_row_expression() {
    let ps = problems(|d| person_q(d, 0)["constraint"] = json!("count(persons, p_name = .) = 1"));
    assert_eq!(ps.len(), 1, "{ps:#?}");
    assert_eq!(ps[0].question.as_deref(), Some("p_name"));
    assert!(ps[0].column.is_some());
}

#[test]
fn check_naming_unknown_question() {
    let ps = problems(|d| d["root"]["checks"][0]["questions"] = json!(["dw_rooms", "rooms"]));
    let p = find(&ps, "unknown question 'rooms'");
    assert_eq!(p.location, "/root/checks/0/questions/1");
    assert_eq!(p.question.as_deref(), Some("crowded"));
}

#[test]
fn cycle_between_calculated_questions_names_the_path() {
    let ps = problems(|d| {
        person_q(d, 4)["calculation"] = json!("older_than_head");
        person_q(d, 10)["calculation"] = json!("is_head");
    });
    let p = find(&ps, "circular dependency");
    assert!(
        p.message.contains("is_head") && p.message.contains("older_than_head"),
        "{p:?}"
    );
    assert!(p.location.starts_with(PERSON_Q), "{p:?}");
}

#[test]
fn relevance_that_depends_on_itself() {
    let ps = problems(|d| person_q(d, 6)["relevant"] = json!("answered(marital)"));
    let p = find(&ps, "circular dependency");
    assert!(p.message.contains("relevant of marital"), "{p:?}");
    // Through an aggregate: a household count of persons whose relevance depends on it.
    let ps = problems(|d| {
        d["root"]["rosters"][0]["level"]["rosters"][0]["relevant"] = json!("hh_heads = 1")
    });
    find(&ps, "circular dependency");
}

#[test]
fn invalid_reference_date() {
    let ps = problems(|d| d["reference_date"] = json!("2024-02-30"));
    assert_eq!(find(&ps, "reference_date").location, "/reference_date");
}

#[test]
fn several_problems_are_listed_together() {
    let ps = problems(|d| {
        d["reference_date"] = json!("soon");
        person_q(d, 3)["constraint"] = json!(". >= 0 and");
        person_q(d, 1)["label"] = json!({"fr": "Sexe"});
        d["root"]["checks"][0]["expression"] = json!("dw_total_persons <= 4 * rooms");
        d["root"]["rosters"][0]["min_rows"] = json!(9);
    });
    assert!(ps.len() >= 5, "{ps:#?}");
    let text = LoadReport {
        problems: ps.clone(),
    }
    .to_string();
    for needle in [
        "broken.json at /reference_date",
        "(age)",
        "(sex)",
        "(crowded)",
        "min_rows 9",
    ] {
        assert!(text.contains(needle), "{needle} missing in:\n{text}");
    }
    let unknown = ps
        .iter()
        .find(|p| p.question.as_deref() == Some("crowded"))
        .unwrap();
    assert_eq!(unknown.column, Some(25), "{unknown:?}");
}

#[test]
fn never_panics_on_truncated_or_mangled_files() {
    for cut in (0..MINI.len()).step_by(97) {
        if let Some(prefix) = MINI.get(..cut) {
            assert!(load_questionnaire("cut.json", prefix).is_err());
        }
    }
    for garbage in ["", "null", "[]", "{}", "\"x\"", "{\"format_version\": -1}"] {
        assert!(load_questionnaire("g.json", garbage).is_err());
    }
    // Every expression replaced by odd text still gives problems, never a panic.
    for odd in [
        "",
        "(",
        "count(",
        "at(persons)",
        "position(1)",
        "'unterminated",
        "1 +",
        "count(households, count(persons, position() > at(persons, 1, age)))",
    ] {
        let mut doc = mini();
        person_q(&mut doc, 3)["constraint"] = json!(odd);
        person_q(&mut doc, 4)["calculation"] = json!(odd);
        let _ = load(&doc);
    }
}
