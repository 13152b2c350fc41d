//! Engine timings on the real census questionnaire (`schemas/rgph2024.json`, long form on)
//! for a 10-person and a 40-person household. Prints a table; asserts nothing.
//!
//! Run with `cargo bench -p census-core --bench engine`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use census_core::Value;
use census_core::engine::{Case, RowPath};
use census_core::load::{Questionnaire, load_questionnaire};
use chrono::NaiveDate;

const RGPH: &str = include_str!("../../schemas/rgph2024.json");

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn plausible(id: &str, age: i64) -> Value {
    let codes = |c: &[&str]| Value::Multi(c.iter().map(|s| s.to_string()).collect());
    match id {
        "d_address" => text("12 rue de l'Atlas, Rabat"),
        "d_rooms" => Value::Integer(12),
        "hh_respondent_name" => text("Karim Alaoui"),
        "hh_any_deaths" | "p_lived_abroad" => Value::Bool(false),
        "p_school_attendance" => text(if age < 25 { "1" } else { "2" }),
        "p_edu_level" => text(if age < 18 { "2" } else { "5" }),
        "p_literate" | "p_mobile_phone" | "p_internet_use" => Value::Bool(true),
        "p_literacy_languages" => codes(&["1", "3"]),
        "p_spoken_languages" => codes(&["01", "06"]),
        "p_activity_status" => text(if age >= 25 { "1" } else { "5" }),
        "p_occupation" => text("Teacher"),
        "p_industry" => text("Education"),
        "p_children_born" => Value::Integer(0),
        "p_health_insurance" => codes(&["1"]),
        id if id.starts_with("p_wg_") => text("1"),
        _ => text("1"),
    }
}

fn fill_row(case: &mut Case, row: &RowPath, age: i64) {
    for _ in 0..10 {
        let ids: Vec<String> = case
            .row_questions(row)
            .into_iter()
            .map(str::to_string)
            .collect();
        let mut any = false;
        for id in ids {
            if case
                .question_state(row, &id)
                .is_some_and(|s| s.required_missing)
            {
                let _ = case.set_answer(row, &id, plausible(&id, age));
                any = true;
            }
        }
        if !any {
            return;
        }
    }
}

fn add_person(case: &mut Case, hh: &RowPath, i: usize) -> RowPath {
    let (row, _) = case.add_row(hh, "persons").unwrap();
    let age = if i == 0 { 60 } else { 20 + (i as i64 % 30) };
    case.set_answer(&row, "p_name", text(&format!("Person {i}")))
        .unwrap();
    case.set_answer(
        &row,
        "p_relationship",
        text(if i == 0 { "01" } else { "09" }),
    )
    .unwrap();
    case.set_answer(
        &row,
        "p_sex",
        text(if i.is_multiple_of(2) { "1" } else { "2" }),
    )
    .unwrap();
    case.set_answer(&row, "p_age", Value::Integer(age)).unwrap();
    case.set_answer(&row, "p_marital", text("1")).unwrap();
    case.set_answer(&row, "p_mother_line", Value::Integer(0))
        .unwrap();
    fill_row(case, &row, age);
    row
}

fn household(q: &Arc<Questionnaire>, n: usize) -> (Case, RowPath, Vec<RowPath>) {
    let today = NaiveDate::from_ymd_opt(2024, 9, 12).unwrap();
    let mut case = Case::new(q.clone(), today);
    fill_row(&mut case, &RowPath::root(), 0);
    let (hh, _) = case.add_row(&RowPath::root(), "households").unwrap();
    case.set_input(&hh, "long_form", Value::Bool(true)).unwrap();
    case.set_answer(&hh, "hh_size_declared", Value::Integer(n as i64))
        .unwrap();
    fill_row(&mut case, &hh, 0);
    let persons = (0..n).map(|i| add_person(&mut case, &hh, i)).collect();
    (case, hh, persons)
}

fn quantile(samples: &mut [Duration], q: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
    samples.get(i).copied().unwrap_or_default()
}

fn us(d: Duration) -> String {
    format!("{:.2} µs", d.as_secs_f64() * 1e6)
}

fn main() {
    let mut loads = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        black_box(load_questionnaire("rgph2024.json", RGPH).unwrap());
        loads.push(t.elapsed());
    }
    let q = load_questionnaire("rgph2024.json", RGPH).unwrap();
    println!(
        "rgph2024.json: load + compile (median of 30): {:.2} ms",
        quantile(&mut loads, 0.5).as_secs_f64() * 1e3
    );
    println!();
    println!(
        "| persons | answer median | answer p99 | add person median | issues() | recompute_all \
         | slowest 3 questions (median / p99) |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut breakdown = Vec::new();
    for n in [10usize, 40] {
        let (mut case, hh, persons) = household(&q, n);
        assert!(
            case.issues().is_empty(),
            "the benchmark household should be complete"
        );
        // Answers to varied questions, each changing a value.
        let mut answers = Vec::new();
        let mut by_question: std::collections::BTreeMap<&str, Vec<Duration>> = Default::default();
        // Each (person, question) pair comes back every `period` answers, with the other value.
        let gcd = |mut a: usize, mut b: usize| {
            while b != 0 {
                (a, b) = (b, a % b);
            }
            a
        };
        let period = 8 * n / gcd(8, n);
        for i in 0..20_000usize {
            let row = &persons[(i * 7) % n];
            let flip = (i / period) % 2 == 0;
            let (id, v) = match i % 8 {
                0 => ("p_name", text(if flip { "Amina" } else { "Fatima" })),
                1 => ("p_age", Value::Integer(if flip { 31 } else { 32 })),
                2 => ("p_wg_seeing", text(if flip { "2" } else { "1" })),
                3 => ("p_sex", text(if flip { "2" } else { "1" })),
                4 => ("p_activity_status", text(if flip { "1" } else { "2" })),
                5 => (
                    "p_spoken_languages",
                    Value::Multi(vec![if flip { "02" } else { "01" }.to_string()]),
                ),
                6 => ("p_internet_use", Value::Bool(flip)),
                _ => ("p_marital", text(if flip { "2" } else { "1" })),
            };
            let t = Instant::now();
            let changes = case.set_answer(row, id, v).unwrap();
            let elapsed = t.elapsed();
            if i < period {
                continue; // the first round sets some answers to the value they had
            }
            assert!(
                !changes.items.is_empty(),
                "every benchmarked answer changes a value"
            );
            black_box(changes);
            answers.push(elapsed);
            by_question.entry(id).or_default().push(elapsed);
        }
        let mut adds = Vec::new();
        for i in 0..200 {
            let t = Instant::now();
            let (row, changes) = case.add_row(&hh, "persons").unwrap();
            adds.push(t.elapsed());
            black_box(changes);
            if i % 2 == 0 || case.rows(&hh, "persons").len() > n {
                case.remove_row(&row).unwrap();
            }
        }
        let mut issues = Vec::new();
        let mut full = Vec::new();
        for _ in 0..50 {
            let t = Instant::now();
            black_box(case.issues());
            issues.push(t.elapsed());
            let t = Instant::now();
            case.recompute_all();
            full.push(t.elapsed());
        }
        let mut slowest: Vec<(Duration, Duration, &str)> = by_question
            .iter_mut()
            .map(|(id, samples)| (quantile(samples, 0.5), quantile(samples, 0.99), *id))
            .collect();
        slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
        let slowest: Vec<String> = slowest
            .iter()
            .take(3)
            .map(|(median, p99, id)| format!("{id} {} / {}", us(*median), us(*p99)))
            .collect();
        println!(
            "| {n} | {} | {} | {} | {} | {} | {} |",
            us(quantile(&mut answers, 0.5)),
            us(quantile(&mut answers, 0.99)),
            us(quantile(&mut adds, 0.5)),
            us(quantile(&mut issues, 0.5)),
            us(quantile(&mut full, 0.5)),
            slowest.join("; "),
        );
        breakdown.push((n, by_question));
    }
    println!();
    println!("Per question (median / p99):");
    for (n, mut by_question) in breakdown {
        let cells: Vec<String> = by_question
            .iter_mut()
            .map(|(id, samples)| {
                format!(
                    "{id} {} / {}",
                    us(quantile(samples, 0.5)),
                    us(quantile(samples, 0.99))
                )
            })
            .collect();
        println!("  {n} persons: {}", cells.join("; "));
    }
}
