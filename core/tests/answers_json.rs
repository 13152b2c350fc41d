//! The case JSON form: round trip, versioning, clear errors, and restoring a case from
//! answers saved one by one (as the store does).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use census_core::Value;
use census_core::engine::{Case, EngineError, RowPath};
use census_core::load::{Questionnaire, load_questionnaire};
use chrono::NaiveDate;
use serde_json::json;

const MINI: &str = include_str!("data/mini.json");

fn q() -> Arc<Questionnaire> {
    load_questionnaire("mini.json", MINI).unwrap()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 9, 10).unwrap()
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// A case with two households, persons, a death, a removed row and a confirmation.
fn sample() -> (Case, RowPath, Vec<RowPath>) {
    let mut case = Case::new(q(), today());
    case.set_input(&RowPath::root(), "long_form", Value::Bool(true))
        .unwrap();
    case.set_input(&RowPath::root(), "district_id", text("DR-0042"))
        .unwrap();
    case.set_answer(&RowPath::root(), "dw_rooms", Value::Integer(3))
        .unwrap();
    let (hh, _) = case.add_row(&RowPath::root(), "households").unwrap();
    case.set_answer(&hh, "hh_name", text("Alaoui")).unwrap();
    case.set_answer(&hh, "had_death", Value::Bool(true))
        .unwrap();
    let mut persons = Vec::new();
    for (name, age) in [("Karim", 40), ("Nadia", 38), ("Lina", 30)] {
        let (p, _) = case.add_row(&hh, "persons").unwrap();
        case.set_answer(&p, "p_name", text(name)).unwrap();
        case.set_answer(&p, "age", Value::Integer(age)).unwrap();
        persons.push(p);
    }
    case.remove_row(&persons.remove(1)).unwrap();
    case.move_row(&persons[1], 0).unwrap();
    case.set_answer(&persons[0], "relationship", text("01"))
        .unwrap();
    case.set_answer(&persons[0], "age", Value::Integer(20))
        .unwrap();
    case.set_answer(&persons[1], "mother_line", Value::Integer(2))
        .unwrap();
    case.set_answer(&persons[1], "age", Value::Integer(12))
        .unwrap();
    case.set_answer(&persons[1], "education", text("1"))
        .unwrap();
    let (d, _) = case.add_row(&hh, "deaths").unwrap();
    case.set_answer(&d, "d_name", text("Omar")).unwrap();
    case.add_row(&RowPath::root(), "households").unwrap();
    assert_eq!(case.failed_checks(&persons[1])[0].check, "mother_older");
    case.confirm_check(
        &persons[1],
        "mother_older",
        "Mother's age given by a neighbour".into(),
    )
    .unwrap();
    (case, hh, persons)
}

#[test]
fn round_trip_keeps_everything() {
    let (case, hh, persons) = sample();
    let json = case.to_json();
    assert_eq!(json["format"], "census-case");
    assert_eq!(json["format_version"], 1);
    assert_eq!(
        json["questionnaire"],
        json!({"id": "mini", "version": "0.1.0"})
    );
    assert_eq!(json["root"]["inputs"]["district_id"], "DR-0042");
    let hh_json = &json["root"]["rosters"]["households"][0];
    assert_eq!(hh_json["row_id"], 1);
    assert_eq!(
        hh_json["rosters"]["persons"][0]["answers"]["p_name"], "Lina",
        "order kept"
    );
    assert!(
        hh_json["answers"].get("hh_heads").is_none(),
        "calculated values are not stored"
    );
    assert_eq!(json["confirmations"][0]["row"], persons[1].to_string());
    assert_eq!(json["next_row_id"], 7);

    let back = Case::from_json(q(), today(), &json).unwrap();
    assert_eq!(back.to_json(), json);
    assert_eq!(back.state_digest(), case.state_digest());
    assert_eq!(back.issues(), case.issues());
    assert_eq!(back.rows(&hh, "persons"), case.rows(&hh, "persons"));
    assert_eq!(
        back.failed_checks(&persons[1])[0].confirmed.as_deref(),
        Some("Mother's age given by a neighbour")
    );
    // Row ids are not reused after a reload either.
    let mut back = back;
    let (new, _) = back.add_row(&hh, "persons").unwrap();
    assert_eq!(new.last().unwrap().1.0, 7);
}

#[test]
fn newer_format_and_wrong_shapes_are_clear_errors() {
    let (case, _, _) = sample();
    let good = case.to_json();
    let load = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut j = good.clone();
        edit(&mut j);
        match Case::from_json(q(), today(), &j) {
            Ok(_) => panic!("accepted"),
            Err(EngineError::BadData(m)) => m,
            Err(other) => panic!("{other:?}"),
        }
    };
    assert!(load(&|j| j["format_version"] = json!(2)).contains("written by a newer version"));
    assert!(load(&|j| j["format"] = json!("other")).contains("not a case document"));
    assert!(
        load(&|j| j["questionnaire"]["id"] = json!("rgph2024"))
            .contains("questionnaire 'rgph2024'")
    );
    let m = load(&|j| j["root"]["answers"]["dw_colour"] = json!("red"));
    assert!(m.contains("dw_colour"), "{m}");
    let m = load(&|j| j["root"]["rosters"]["households"][0]["answers"]["hh_name"] = json!(12));
    assert!(m.contains("hh_name") && m.contains("text"), "{m}");
    let m = load(&|j| j["root"]["rosters"]["households"][0]["answers"]["hh_heads"] = json!(1));
    assert!(m.contains("calculated"), "{m}");
    let m = load(&|j| j["root"]["rosters"]["households"][1]["row_id"] = json!(1));
    assert!(m.contains("row id 1"), "{m}");
    let m = load(&|j| j["root"]["rosters"]["persons"] = json!([]));
    assert!(m.contains("unknown roster 'persons'"), "{m}");
    let m = load(&|j| j["root"]["rosters"]["households"][0]["answers"]["p_name"] = json!("x"));
    assert!(m.contains("p_name"), "{m}");
    let m = load(&|j| j["confirmations"][0]["row"] = json!("households.1/"));
    assert!(m.contains("malformed"), "{m}");
    let m = load(&|j| j["root"]["answers"]["dw_type"] = json!("9"));
    assert!(m.contains("'9'"), "{m}");
    assert!(Case::from_json(q(), today(), &json!([1, 2])).is_err());
}

#[test]
fn restore_from_rows_and_answers_saved_one_by_one() {
    let (case, hh, persons) = sample();
    // What a store would have kept: every row with its position, every answer as JSON.
    let json = case.to_json();
    let mut rows = Vec::new();
    let mut answers = Vec::new();
    fn walk(
        path: RowPath,
        node: &serde_json::Value,
        rows: &mut Vec<(RowPath, usize)>,
        answers: &mut Vec<(RowPath, String, serde_json::Value)>,
    ) {
        for kind in ["inputs", "answers"] {
            for (id, v) in node[kind].as_object().unwrap() {
                answers.push((path.clone(), id.clone(), v.clone()));
            }
        }
        for (roster, list) in node["rosters"].as_object().unwrap() {
            for (i, row) in list.as_array().unwrap().iter().enumerate() {
                let id = census_core::engine::RowId(row["row_id"].as_u64().unwrap() as u32);
                let child = path.child(roster, id);
                rows.push((child.clone(), i));
                walk(child, row, rows, answers);
            }
        }
    }
    walk(RowPath::root(), &json["root"], &mut rows, &mut answers);
    rows.reverse(); // any order
    answers.reverse();
    let confirmations = vec![(
        persons[1].clone(),
        "mother_older".to_string(),
        "Mother's age given by a neighbour".to_string(),
    )];
    let mut restored =
        Case::restore(q(), today(), rows.clone(), answers.clone(), confirmations).unwrap();
    restored.reserve_row_ids(case.next_row_id());
    assert_eq!(restored.to_json(), json);
    assert_eq!(restored.state_digest(), case.state_digest());
    assert_eq!(restored.rows(&hh, "persons"), case.rows(&hh, "persons"));
    // Errors name the row.
    let orphan = vec![("households.9/persons.3".parse().unwrap(), 0)];
    let err = Case::restore(q(), today(), orphan, vec![], vec![]).unwrap_err();
    assert!(err.to_string().contains("households.9"), "{err}");
    let bad_answer = vec![(hh.clone(), "age".to_string(), json!(3))];
    assert!(
        Case::restore(q(), today(), rows, bad_answer, vec![]).is_err(),
        "age is a person question"
    );
}
