//! CPU time per frame of the roster screen of a 30-person household, drawn by the real app
//! in a headless egui_kittest harness (no GPU) over a real encrypted store.
//!
//! `cargo bench --bench ui_frame` prints the median and 99th percentile of:
//! * the app's own frame function (`CensusApp::ui`: panels, screens, commands), and
//! * a whole harness step (egui's frame around it: layout, accessibility tree, output).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use census::app::{AppConfig, CensusApp};
use census::command::Command;
use census_core::Value;
use chrono::NaiveDate;
use egui_kittest::Harness;

const PERSONS: usize = 30;
const WARMUP: usize = 20;
const FRAMES: usize = 500;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = AppConfig::demo(dir.path().to_path_buf());
    config.today = NaiveDate::from_ymd_opt(2024, 9, 5);
    let mut app = CensusApp::new(config);
    app.apply(Command::Unlock {
        pin: "280514".into(),
    });
    app.apply(Command::OpenDistrict("07-041-0012".into()));
    app.apply(Command::OpenCase {
        building_no: 1,
        dwelling_no: 1,
    });
    app.apply(Command::AddRow {
        parent: census_core::engine::RowPath::root(),
        roster: "households".into(),
    });
    let household = app.current_row().unwrap();
    for i in 1..=PERSONS {
        app.apply(Command::AddRow {
            parent: household.clone(),
            roster: "persons".into(),
        });
        let row = app.current_row().unwrap();
        let answers = [
            ("p_name", Value::Text(format!("Personne {i} Benali"))),
            (
                "p_relationship",
                Value::Text(if i == 1 { "01" } else { "03" }.into()),
            ),
            (
                "p_sex",
                Value::Text(if i % 2 == 0 { "2" } else { "1" }.into()),
            ),
            ("p_age", Value::Integer(i64::try_from(60 - i).unwrap())),
        ];
        for (question, value) in answers {
            app.apply(Command::SetAnswer {
                row: row.clone(),
                question: question.into(),
                value,
            });
        }
    }
    app.apply(Command::OpenRow(household));
    app.apply(Command::ShowRosters);
    assert!(app.error().is_none(), "setup failed: {:?}", app.error());

    let ui_times = Rc::new(RefCell::new(Vec::with_capacity(FRAMES)));
    let times = ui_times.clone();
    let mut harness = Harness::builder()
        .with_size(egui::Vec2::new(1280.0, 800.0))
        .with_context_setup(census::app::setup_context)
        .build_ui_state(
            move |ui, app: &mut CensusApp| {
                let start = Instant::now();
                app.ui(ui);
                times.borrow_mut().push(start.elapsed());
            },
            app,
        );
    for _ in 0..WARMUP {
        harness.step();
    }
    ui_times.borrow_mut().clear();
    let mut step_times = Vec::with_capacity(FRAMES);
    for _ in 0..FRAMES {
        let start = Instant::now();
        harness.step();
        step_times.push(start.elapsed());
    }
    let mut ui = ui_times.borrow().clone();
    println!("roster screen, {PERSONS}-person household, {FRAMES} frames, 1280x800 logical px");
    println!(
        "{:<34} {:>10} {:>10} {:>10}",
        "measure", "median", "p99", "max"
    );
    row("CensusApp::ui (app frame)", &mut ui);
    row("harness step (egui frame)", &mut step_times);
    println!("(60 Hz budget: 16.7 ms per frame)");
}

fn row(name: &str, times: &mut [Duration]) {
    times.sort();
    let pick = |q: f64| {
        let index = ((times.len() as f64 - 1.0) * q).round() as usize;
        times[index]
    };
    let ms = |d: Duration| format!("{:.3} ms", d.as_secs_f64() * 1000.0);
    println!(
        "{:<34} {:>10} {:>10} {:>10}",
        name,
        ms(pick(0.5)),
        ms(pick(0.99)),
        ms(pick(1.0))
    );
}
