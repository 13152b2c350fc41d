//! Property: after any sequence of edits, the incrementally maintained state equals a
//! full recomputation from the stored answers (and the JSON round trip keeps it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use census_core::Value;
use census_core::engine::{Case, RowPath};
use census_core::load::{Questionnaire, load_questionnaire};
use chrono::NaiveDate;
use proptest::prelude::*;

const MINI: &str = include_str!("data/mini.json");

fn q() -> Arc<Questionnaire> {
    load_questionnaire("mini.json", MINI).unwrap()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 9, 10).unwrap()
}

#[derive(Debug, Clone)]
enum Op {
    Answer {
        row: usize,
        question: usize,
        value: usize,
    },
    Input(bool),
    Add {
        parent: usize,
        roster: usize,
    },
    Remove(usize),
    Move {
        row: usize,
        to: usize,
    },
    Confirm(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..20usize, 0..20usize, 0..10usize).prop_map(|(row, question, value)| Op::Answer { row, question, value }),
        1 => any::<bool>().prop_map(Op::Input),
        3 => (0..20usize, 0..3usize).prop_map(|(parent, roster)| Op::Add { parent, roster }),
        1 => (0..20usize).prop_map(Op::Remove),
        1 => (0..20usize, 0..5usize).prop_map(|(row, to)| Op::Move { row, to }),
        1 => (0..20usize).prop_map(Op::Confirm),
    ]
}

/// Every row of the case, root first.
fn all_rows(case: &Case) -> Vec<RowPath> {
    let mut out = vec![RowPath::root()];
    for hh in case.rows(&RowPath::root(), "households") {
        out.push(hh.clone());
        out.extend(case.rows(&hh, "persons"));
        out.extend(case.rows(&hh, "deaths"));
    }
    out
}

fn answer_for(level: &str, question: usize, value: usize) -> (&'static str, Value) {
    let t = |s: &str| Value::Text(s.to_string());
    let int = |choices: &[i64]| {
        choices
            .get(value)
            .map_or(Value::Null, |i| Value::Integer(*i))
    };
    let code = |choices: &[&str]| choices.get(value).map_or(Value::Null, |c| t(c));
    let boolean = || {
        if value >= 6 {
            Value::Null
        } else {
            Value::Bool(value.is_multiple_of(2))
        }
    };
    match level {
        "dwelling" => match question % 4 {
            0 => ("dw_type", code(&["1", "2", "3"])),
            1 => ("dw_rooms", int(&[0, 1, 2, 3, 40])),
            _ => ("dw_occupied", boolean()),
        },
        "household" => match question % 5 {
            0 => ("hh_name", code(&["Alaoui", "", "Bennani"])),
            1 => ("hh_size", int(&[1, 2, 3, 4, 0])),
            2 => ("had_death", boolean()),
            _ => ("hh_internet", boolean()),
        },
        "person" => match question % 8 {
            0 => ("p_name", code(&["Ali", "Sara", "Omar"])),
            1 => ("sex", code(&["1", "2"])),
            2 | 3 => ("relationship", code(&["01", "02", "03", "04", "01"])),
            4 | 5 => ("age", int(&[0, 5, 11, 12, 17, 18, 40, 130, -1])),
            6 => ("mother_line", int(&[1, 2, 3, 4])),
            _ => ("marital", code(&["1", "2"])),
        },
        _ => match question % 2 {
            0 => ("d_name", code(&["X", "Y"])),
            _ => ("d_age", int(&[1, 70, 90])),
        },
    }
}

fn apply(case: &mut Case, op: &Op) {
    let rows = all_rows(case);
    let pick = |i: usize| rows.get(i % rows.len()).cloned().unwrap();
    let level_of =
        |case: &Case, row: &RowPath| case.questionnaire().level_of(row).unwrap().to_string();
    match op {
        Op::Answer {
            row,
            question,
            value,
        } => {
            let row = pick(*row);
            let (id, v) = answer_for(&level_of(case, &row), *question, *value);
            case.set_answer(&row, id, v).unwrap();
        }
        Op::Input(b) => {
            case.set_input(&RowPath::root(), "long_form", Value::Bool(*b))
                .unwrap();
        }
        Op::Add { parent, roster } => {
            let parent = pick(*parent);
            let roster = match (level_of(case, &parent).as_str(), roster) {
                ("dwelling", _) => "households",
                ("household", 0 | 1) => "persons",
                ("household", _) => "deaths",
                _ => return,
            };
            let _ = case.add_row(&parent, roster);
        }
        Op::Remove(row) => {
            let row = pick(*row);
            if !row.is_root() {
                case.remove_row(&row).unwrap();
            }
        }
        Op::Move { row, to } => {
            let row = pick(*row);
            let _ = case.move_row(&row, *to);
        }
        Op::Confirm(row) => {
            let row = pick(*row);
            let soft: Vec<String> = case
                .failed_checks(&row)
                .into_iter()
                .filter(|c| c.confirmed.is_none())
                .map(|c| c.check)
                .collect();
            for check in soft {
                let _ = case.confirm_check(&row, &check, "checked with the respondent".into());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn incremental_state_equals_full_recompute(ops in prop::collection::vec(op(), 1..60)) {
        let q = q();
        let mut case = Case::new(q.clone(), today());
        for op in &ops {
            apply(&mut case, op);
        }
        let mut full = case.clone();
        full.recompute_all();
        prop_assert_eq!(case.state_digest(), full.state_digest());
        prop_assert_eq!(case.to_json(), full.to_json());
        prop_assert_eq!(case.issues(), full.issues());
        // Reloading from JSON computes everything from the stored answers alone.
        let reloaded = Case::from_json(q, today(), &case.to_json()).unwrap();
        prop_assert_eq!(reloaded.state_digest(), case.state_digest());
        prop_assert_eq!(reloaded.to_json(), case.to_json());
    }
}
