//! Household cases of the bundled census questionnaire (`schemas/rgph2024.json`), built
//! through the engine as the tablet builds them: what the office accepts by default over
//! HTTP, where every case is checked against its questionnaire.

use std::sync::Arc;

use census_core::engine::{Case, RowPath};
use census_core::load::Questionnaire;
use census_core::sampling::SamplingPlan;
use census_core::value::{GpsPoint, Value};
use census_core::wire::{CaseRecord, EventRecord};
use chrono::NaiveDate;
use uuid::Uuid;

/// The bundled census questionnaire, compiled once per test binary (a household built per
/// call would otherwise spend most of its time compiling it).
pub fn questionnaire() -> Arc<Questionnaire> {
    static COMPILED: std::sync::OnceLock<Arc<Questionnaire>> = std::sync::OnceLock::new();
    Arc::clone(COMPILED.get_or_init(|| {
        census_core::load::load_questionnaire(
            "rgph2024.json",
            census_server::validate::BUNDLED_QUESTIONNAIRE,
        )
        .unwrap()
    }))
}

/// A dwelling with one household of `persons` persons (the first the head), each answer
/// with its event, of the bundled questionnaire.
pub fn census_case(district: &str, dwelling: u32, persons: usize, revision: u64) -> CaseRecord {
    let q = questionnaire();
    let today = NaiveDate::from_ymd_opt(2024, 9, 2).unwrap();
    let mut case = Case::new(q, today);
    let mut events = Vec::new();
    let mut answer = |case: &mut Case, row: &RowPath, item: &str, v: Value| {
        let json = v.to_json();
        case.set_answer(row, item, v).unwrap();
        events.push(EventRecord {
            seq: events.len() as u64 + 1,
            at: "2024-09-02T10:00:00Z".into(),
            kind: "answer".into(),
            row_path: row.to_string(),
            item_id: item.into(),
            old: serde_json::Value::Null,
            new: json,
            screen: Some("persons".into()),
            gps: None,
            last_at: None,
        });
    };
    let root = RowPath::root();
    let building = dwelling / 3 + 1;
    case.set_input(&root, "district_id", Value::Text(district.into()))
        .unwrap();
    case.set_input(&root, "building_number", Value::Integer(building.into()))
        .unwrap();
    case.set_input(&root, "dwelling_number", Value::Integer(dwelling.into()))
        .unwrap();
    let text = |s: &str| Value::Text(s.into());
    answer(&mut case, &root, "d_address", text("12 rue des Orangers"));
    answer(&mut case, &root, "d_type", text("1"));
    answer(&mut case, &root, "d_occupancy", text("1"));
    answer(&mut case, &root, "d_rooms", Value::Integer(3));
    answer(
        &mut case,
        &root,
        "d_gps",
        Value::Gps(GpsPoint {
            lat: 34.02,
            lon: -6.83,
            accuracy_m: Some(8.0),
        }),
    );
    let (household, _) = case.add_row(&root, "households").unwrap();
    case.set_input(&household, "household_number", Value::Integer(1))
        .unwrap();
    answer(
        &mut case,
        &household,
        "hh_respondent_name",
        text("Respondent"),
    );
    answer(
        &mut case,
        &household,
        "hh_size_declared",
        Value::Integer(persons as i64),
    );
    for p in 1..=persons {
        let (person, _) = case.add_row(&household, "persons").unwrap();
        answer(
            &mut case,
            &person,
            "p_name",
            text(&format!("Person{p} Case{dwelling}")),
        );
        let relationship = if p == 1 { "01" } else { "03" };
        answer(&mut case, &person, "p_relationship", text(relationship));
        answer(
            &mut case,
            &person,
            "p_sex",
            text(if p % 2 == 0 { "2" } else { "1" }),
        );
        answer(
            &mut case,
            &person,
            "p_age",
            Value::Integer(20 + p as i64 * 7),
        );
        answer(&mut case, &person, "p_marital", text("1"));
        answer(&mut case, &person, "p_nationality", text("1"));
    }
    CaseRecord {
        case_id: Uuid::new_v4(),
        questionnaire_id: "rgph2024".into(),
        questionnaire_version: "1.0.0".into(),
        district_id: district.into(),
        building_number: building,
        dwelling_number: dwelling,
        household_number: Some(1),
        status: "complete".into(),
        revision,
        long_form: Some(
            SamplingPlan::systematic(200, 777)
                .unwrap()
                .select(dwelling)
                .unwrap(),
        ),
        case: case.to_json(),
        events,
        updated_at: "2024-09-02T10:30:00Z".into(),
    }
}
