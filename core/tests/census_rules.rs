//! The rules of `schemas/rgph2024.json` (skip logic and every consistency check) through the real engine.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_arguments,
    missing_docs
)]
use census_core::Value;
use census_core::engine::{Case, RowPath};

fn t(s: &str) -> Value {
    Value::Text(s.into())
}
fn i(n: i64) -> Value {
    Value::Integer(n)
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

/// The census questionnaire, loaded.
fn rgph2024() -> std::sync::Arc<census_core::load::Questionnaire> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schemas/rgph2024.json"
    ))
    .unwrap();
    census_core::load::load_questionnaire("rgph2024.json", &text).unwrap()
}

fn person(
    case: &mut Case,
    hh: &RowPath,
    name: &str,
    rel: &str,
    sex: &str,
    age: i64,
    mother: i64,
    marital: Option<&str>,
) -> RowPath {
    let (p, _) = case.add_row(hh, "persons").unwrap();
    case.set_answer(&p, "p_name", t(name)).unwrap();
    case.set_answer(&p, "p_relationship", t(rel)).unwrap();
    case.set_answer(&p, "p_sex", t(sex)).unwrap();
    case.set_answer(&p, "p_age", i(age)).unwrap();
    case.set_answer(&p, "p_mother_line", i(mother)).unwrap();
    if let Some(m) = marital {
        case.set_answer(&p, "p_marital", t(m)).unwrap();
    }
    p
}

#[test]
fn scenario() {
    let q = rgph2024();
    let mut case = Case::new(q, chrono::NaiveDate::from_ymd_opt(2024, 9, 5).unwrap());
    let root = RowPath::root();
    // occupancy drives the rest of the dwelling
    case.set_answer(&root, "d_occupancy", t("2")).unwrap();
    assert!(!case.is_relevant(&root, "d_rooms"));
    case.set_answer(&root, "d_occupancy", t("1")).unwrap();
    assert!(case.is_relevant(&root, "d_rooms"));
    assert_eq!(failed(&case, &root), ["households_present"]);
    case.set_answer(&root, "d_rooms", i(3)).unwrap();
    let (hh, _) = case.add_row(&root, "households").unwrap();
    assert!(failed(&case, &root).is_empty());
    case.set_input(&hh, "long_form", Value::Bool(true)).unwrap();
    case.set_answer(&hh, "hh_size_declared", i(4)).unwrap();
    let head = person(&mut case, &hh, "Ahmed", "01", "1", 45, 0, Some("2"));
    let spouse = person(&mut case, &hh, "Fatima", "02", "2", 40, 0, Some("2"));
    let child = person(&mut case, &hh, "Salma", "03", "2", 10, 2, None);
    let baby = person(&mut case, &hh, "Youssef", "05", "1", 0, 3, None);
    println!("hh {:?}", failed(&case, &hh));
    println!(
        "head {:?} spouse {:?} child {:?} baby {:?}",
        failed(&case, &head),
        failed(&case, &spouse),
        failed(&case, &child),
        failed(&case, &baby)
    );
    assert_eq!(case.row_label(&hh), "Ahmed");
    assert!(failed(&case, &hh).is_empty());
    assert!(
        failed(&case, &head).is_empty()
            && failed(&case, &spouse).is_empty()
            && failed(&case, &child).is_empty()
    );
    // baby's mother (line 3) is 10: mother_older fails
    assert_eq!(failed(&case, &baby), ["mother_older"]);
    case.set_answer(&baby, "p_mother_line", i(1)).unwrap();
    assert_eq!(failed(&case, &baby), ["mother_is_female"]);
    let st = case.question_state(&baby, "p_mother_line").unwrap();
    assert!(st.constraint_failed.is_none());
    case.set_answer(&baby, "p_mother_line", i(4)).unwrap();
    assert!(
        case.question_state(&baby, "p_mother_line")
            .unwrap()
            .constraint_failed
            .is_some(),
        "own line"
    );
    case.set_answer(&baby, "p_mother_line", i(5)).unwrap();
    assert!(
        case.question_state(&baby, "p_mother_line")
            .unwrap()
            .constraint_failed
            .is_some(),
        "beyond count"
    );
    case.set_answer(&baby, "p_mother_line", i(2)).unwrap();
    assert!(
        failed(&case, &baby).is_empty(),
        "{:?}",
        failed(&case, &baby)
    );
    // household checks
    case.set_answer(&hh, "hh_size_declared", i(5)).unwrap();
    assert_eq!(failed(&case, &hh), ["size_matches"]);
    case.set_answer(&hh, "hh_size_declared", i(4)).unwrap();
    case.set_answer(&spouse, "p_relationship", t("01")).unwrap();
    assert_eq!(failed(&case, &hh), ["one_head"]);
    case.set_answer(&spouse, "p_relationship", t("02")).unwrap();
    case.set_answer(&spouse, "p_sex", t("1")).unwrap();
    println!("spouse male {:?}", failed(&case, &spouse));
    assert!(failed(&case, &spouse).contains(&"spouse_sex".to_string()));
    case.set_answer(&spouse, "p_sex", t("2")).unwrap();
    // child too old for the head
    case.set_answer(&child, "p_age", i(40)).unwrap();
    println!("child 40 {:?}", failed(&case, &child));
    assert!(failed(&case, &child).contains(&"child_of_head_age".to_string()));
    case.set_answer(&child, "p_age", i(10)).unwrap();
    // marital status only from 12
    assert!(!case.is_relevant(&child, "p_marital"));
    // date of birth vs age
    case.set_answer(
        &child,
        "p_birth_date",
        Value::Date(chrono::NaiveDate::from_ymd_opt(2014, 3, 1).unwrap()),
    )
    .unwrap();
    assert_eq!(case.value(&child, "p_age_from_dob"), i(10));
    assert!(failed(&case, &child).is_empty());
    case.set_answer(
        &child,
        "p_birth_date",
        Value::Date(chrono::NaiveDate::from_ymd_opt(2012, 3, 1).unwrap()),
    )
    .unwrap();
    assert_eq!(failed(&case, &child), ["age_dob_agree"]);
    // education choices filtered by age
    let st = case.question_state(&child, "p_edu_level").unwrap();
    println!("edu relevant {} choices {:?}", st.relevant, st.choices);
    case.set_answer(&child, "p_school_attendance", t("1"))
        .unwrap();
    let st = case.question_state(&child, "p_edu_level").unwrap();
    assert!(st.relevant);
    assert_eq!(st.choices, ["1", "2", "3"]);
    // fertility only for women 15-49 of long-form households
    assert!(case.is_relevant(&spouse, "p_children_born"));
    assert!(!case.is_relevant(&child, "p_children_born"));
    assert!(!case.is_relevant(&head, "p_children_born"));
    case.set_answer(&spouse, "p_children_born", i(2)).unwrap();
    case.set_answer(&spouse, "p_children_living", i(3)).unwrap();
    assert!(
        case.question_state(&spouse, "p_children_living")
            .unwrap()
            .constraint_failed
            .is_some()
    );
    case.set_input(&hh, "long_form", Value::Bool(false))
        .unwrap();
    assert!(!case.is_relevant(&spouse, "p_children_born"));
    assert!(!case.is_relevant(&spouse, "p_wg_seeing"));
    // deaths
    case.set_answer(&hh, "hh_any_deaths", Value::Bool(true))
        .unwrap();
    assert_eq!(failed(&case, &hh), ["deaths_listed"]);
    let (d, _) = case.add_row(&hh, "deaths").unwrap();
    case.set_answer(&d, "dth_month", i(9)).unwrap();
    case.set_answer(&d, "dth_year", i(2024)).unwrap();
    assert_eq!(failed(&case, &d), ["death_in_period"]);
    case.set_answer(&d, "dth_year", i(2023)).unwrap();
    assert!(failed(&case, &d).is_empty());
    case.set_answer(&d, "dth_month", i(8)).unwrap();
    assert_eq!(failed(&case, &d), ["death_in_period"]);
    // crowding counts persons across households
    case.set_answer(&root, "d_rooms", i(1)).unwrap();
    assert!(failed(&case, &root).is_empty());
    for n in 0..5 {
        person(
            &mut case,
            &hh,
            &format!("X{n}"),
            "09",
            "1",
            30,
            0,
            Some("1"),
        );
    }
    assert_eq!(failed(&case, &root), ["crowding"]);
    // more person checks
    case.set_answer(&head, "p_age", i(14)).unwrap();
    assert!(failed(&case, &hh).contains(&"head_age".to_string()));
    case.set_answer(&head, "p_age", i(45)).unwrap();
    case.set_answer(&spouse, "p_age", i(14)).unwrap();
    let f = failed(&case, &spouse);
    assert!(
        f.contains(&"spouse_age".to_string()) && f.contains(&"married_young".to_string()),
        "{f:?}"
    );
    case.set_answer(&spouse, "p_age", i(40)).unwrap();
    case.set_answer(&spouse, "p_marital", t("1")).unwrap();
    assert_eq!(failed(&case, &spouse), ["spouse_married"]);
    case.set_answer(&spouse, "p_marital", t("2")).unwrap();
    let gp = person(&mut case, &hh, "Grandma", "06", "2", 50, 0, Some("4"));
    assert_eq!(failed(&case, &gp), ["parent_of_head_age"]);
    case.set_answer(&gp, "p_age", i(70)).unwrap();
    assert!(failed(&case, &gp).is_empty());
    case.set_answer(&head, "p_mother_line", i(10)).unwrap();
    assert!(
        failed(&case, &head).is_empty(),
        "{:?}",
        failed(&case, &head)
    );
    case.set_answer(&gp, "p_age", i(101)).unwrap();
    assert_eq!(failed(&case, &head), ["mother_age_gap"]);
    case.set_answer(&gp, "p_age", i(70)).unwrap();
    case.set_answer(&head, "p_mother_line", i(0)).unwrap();
    // line 1 is not the head
    case.move_row(&gp, 0).unwrap();
    assert!(failed(&case, &gp).contains(&"head_first_line".to_string()));
    case.move_row(&gp, 9).unwrap_or_default();
    // long form: education, insurance, fertility
    case.set_input(&hh, "long_form", Value::Bool(true)).unwrap();
    case.set_answer(&child, "p_birth_date", Value::Null)
        .unwrap();
    case.set_answer(&child, "p_age", i(13)).unwrap();
    case.set_answer(&child, "p_edu_level", t("4")).unwrap();
    assert!(
        failed(&case, &child).contains(&"edu_level_age".to_string()),
        "{:?}",
        failed(&case, &child)
    );
    case.set_answer(&child, "p_age", i(17)).unwrap();
    case.set_answer(&child, "p_edu_level", t("5")).unwrap();
    assert!(failed(&case, &child).contains(&"edu_higher_age".to_string()));
    case.set_answer(&child, "p_age", i(20)).unwrap();
    case.set_answer(&child, "p_marital", t("1")).unwrap();
    case.set_answer(&child, "p_mother_line", i(0)).unwrap();
    assert!(
        failed(&case, &child).is_empty(),
        "{:?}",
        failed(&case, &child)
    );
    case.set_answer(
        &child,
        "p_health_insurance",
        Value::Multi(vec!["1".into(), "5".into()]),
    )
    .unwrap();
    assert_eq!(failed(&case, &child), ["insurance_none_alone"]);
    case.set_answer(&child, "p_health_insurance", Value::Multi(vec!["5".into()]))
        .unwrap();
    assert!(failed(&case, &child).is_empty());
    case.set_answer(&spouse, "p_children_living", i(2)).unwrap();
    case.set_answer(
        &spouse,
        "p_last_birth_date",
        Value::Date(chrono::NaiveDate::from_ymd_opt(1995, 1, 1).unwrap()),
    )
    .unwrap();
    assert_eq!(failed(&case, &spouse), ["last_birth_mother_age"]);
    let st = case.question_state(&child, "p_edu_level").unwrap();
    println!("choices at 20 {:?}", st.choices);
    for issue in case.issues().iter().take(8) {
        println!("issue {:?} {} {:?}", issue.kind, issue.item, issue.row);
    }
}

#[test]
fn roster_checks_are_told_apart_from_checks_of_the_row_itself() {
    let q = rgph2024();
    // Checks that count or read the rows of a roster of their own level.
    for check in [
        "households_present",
        "crowding",
        "one_head",
        "head_age",
        "size_matches",
    ] {
        assert!(
            q.check_reads_own_rosters(check),
            "{check} reads its rosters"
        );
    }
    // Checks of a row's own answers, even when they look at sibling rows.
    for check in [
        "head_first_line",
        "spouse_sex",
        "married_age",
        "age_dob_agree",
    ] {
        assert!(
            !q.check_reads_own_rosters(check),
            "{check} is the row's own"
        );
    }
    assert!(!q.check_reads_own_rosters("no such check"));
}
