//! The rules of `schemas/collective2024.json` through the real engine: the kind of
//! establishment decides which relationships to it are offered, "other" asks to specify,
//! the residents listed are compared with the number the manager declared, and the
//! residents' soft checks (age for the status, age and date of birth, education) fire.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use census_core::Value;
use census_core::engine::{Case, RowPath};

fn t(s: &str) -> Value {
    Value::Text(s.into())
}

fn failed(case: &Case, row: &RowPath) -> Vec<String> {
    let mut v: Vec<String> = case
        .failed_checks(row)
        .into_iter()
        .map(|c| c.check)
        .collect();
    v.sort();
    v
}

fn collective() -> std::sync::Arc<census_core::load::Questionnaire> {
    let text = include_str!("../../schemas/collective2024.json");
    census_core::load::load_questionnaire("collective2024.json", text).unwrap()
}

fn resident(case: &mut Case, status: &str, age: i64) -> RowPath {
    let (row, _) = case.add_row(&RowPath::root(), "residents").unwrap();
    case.set_answer(&row, "r_name", t("Yassine Amrani"))
        .unwrap();
    case.set_answer(&row, "r_status", t(status)).unwrap();
    case.set_answer(&row, "r_sex", t("1")).unwrap();
    case.set_answer(&row, "r_age", Value::Integer(age)).unwrap();
    row
}

#[test]
fn the_kind_of_establishment_decides_the_relationships_offered() {
    let mut case = Case::new(
        collective(),
        chrono::NaiveDate::from_ymd_opt(2024, 9, 4).unwrap(),
    );
    let root = RowPath::root();
    assert!(!case.is_relevant(&root, "e_kind_other"));
    case.set_answer(&root, "e_kind", t("9")).unwrap();
    assert!(case.is_relevant(&root, "e_kind_other"), "other: specify");
    case.set_answer(&root, "e_kind", t("2")).unwrap();
    assert!(!case.is_relevant(&root, "e_kind_other"));
    let (row, _) = case.add_row(&root, "residents").unwrap();
    // A prison has inmates and staff, not boarding pupils.
    assert!(case.set_answer(&row, "r_status", t("2")).is_err());
    case.set_answer(&row, "r_status", t("3")).unwrap();
    case.set_answer(&row, "r_status", t("1")).unwrap();
}

#[test]
fn residents_are_checked_against_the_declared_number_and_their_status() {
    let mut case = Case::new(
        collective(),
        chrono::NaiveDate::from_ymd_opt(2024, 9, 4).unwrap(),
    );
    let root = RowPath::root();
    case.set_answer(&root, "e_kind", t("1")).unwrap();
    case.set_answer(&root, "e_residents_declared", Value::Integer(3))
        .unwrap();
    let pupil = resident(&mut case, "2", 15);
    let staff = resident(&mut case, "1", 38);
    assert_eq!(failed(&case, &root), ["residents_match"]);
    let young = resident(&mut case, "2", 3);
    assert!(failed(&case, &root).is_empty());
    assert!(
        failed(&case, &pupil).is_empty(),
        "{:?}",
        failed(&case, &pupil)
    );
    assert!(failed(&case, &staff).is_empty());
    assert_eq!(failed(&case, &young), ["pupil_age"]);
    // Education: asked from 3 years, literacy from 10.
    assert!(case.is_relevant(&young, "r_edu_level"));
    assert!(!case.is_relevant(&young, "r_literate"));
    assert!(!case.is_relevant(&young, "r_marital"));
    case.set_answer(&pupil, "r_edu_level", t("4")).unwrap();
    case.set_answer(&pupil, "r_literate", Value::Bool(false))
        .unwrap();
    assert_eq!(failed(&case, &pupil), ["schooled_not_literate"]);
    // Higher education is not offered at 15.
    assert!(case.set_answer(&pupil, "r_edu_level", t("6")).is_err());
    // Age and date of birth must agree.
    let born = chrono::NaiveDate::from_ymd_opt(1990, 1, 10).unwrap();
    case.set_answer(&staff, "r_birth_date", Value::Date(born))
        .unwrap();
    assert_eq!(failed(&case, &staff), ["age_dob_agree"]);
    case.set_answer(&staff, "r_age", Value::Integer(34))
        .unwrap();
    assert!(failed(&case, &staff).is_empty());
    // A usual residence elsewhere asks for the commune.
    assert!(!case.is_relevant(&pupil, "r_usual_commune"));
    case.set_answer(&pupil, "r_usual_elsewhere", Value::Bool(true))
        .unwrap();
    assert!(case.is_relevant(&pupil, "r_usual_commune"));
}
