//! CPU time per frame of the real app in a headless egui_kittest harness (no GPU) over a real
//! encrypted store: the roster screen of a 30-person household, the district screen with 400
//! dwellings (and 320, the size measured before virtualising the list), and the first frames
//! after a screen change (home → district) and after a language change on the district.
//!
//! `cargo bench --bench ui_frame` prints the median, 99th percentile and maximum of:
//! * the app's own frame function (`CensusApp::ui`: panels, screens, commands), and
//! * a whole harness step (egui's frame around it: layout, accessibility tree, output).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use census::app::{AppConfig, CensusApp};
use census::command::{Command, NewOccupancy};
use census::i18n::Lang;
use census_core::Value;
use chrono::NaiveDate;
use egui_kittest::Harness;

const PERSONS: usize = 30;
const WARMUP: usize = 20;
const FRAMES: usize = 500;
const DISTRICT: &str = "07-041-0012";
/// Dwellings per added building (112 buildings / 319 dwellings was the measured district).
const DWELLINGS_PER_BUILDING: usize = 3;
/// Screen and language changes measured (first frame after each).
const CHANGES: usize = 20;

type Times = Rc<RefCell<Vec<Duration>>>;

/// The demo app, unlocked, in a new data directory.
fn unlocked_app(dir: &std::path::Path) -> CensusApp {
    let mut config = AppConfig::demo(dir.to_path_buf());
    config.today = NaiveDate::from_ymd_opt(2024, 9, 5);
    let mut app = CensusApp::new(config);
    app.apply(Command::Unlock {
        pin: "280514".into(),
    });
    app
}

/// A harness drawing `app`, recording the time of each `CensusApp::ui` call.
fn harness(app: CensusApp) -> (Harness<'static, CensusApp>, Times) {
    let ui_times: Times = Rc::new(RefCell::new(Vec::with_capacity(FRAMES)));
    let times = ui_times.clone();
    let harness = Harness::builder()
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
    (harness, ui_times)
}

/// Steady frames: `WARMUP` unmeasured, then `FRAMES` measured; (app frames, harness steps).
fn steady(harness: &mut Harness<'static, CensusApp>, ui_times: &Times) -> [Vec<Duration>; 2] {
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
    let ui = ui_times.borrow().clone();
    [ui, step_times]
}

/// The district with `dwellings` dwellings (the demo's plus added buildings of
/// `DWELLINGS_PER_BUILDING`), open on its screen.
fn district_app(dir: &std::path::Path, dwellings: usize) -> CensusApp {
    let mut app = unlocked_app(dir);
    app.apply(Command::OpenDistrict(DISTRICT.into()));
    let demo = census::demo::demo_assignment().unwrap();
    let district = demo
        .districts
        .iter()
        .find(|d| d.district_id == DISTRICT)
        .unwrap();
    let mut listed: usize = district.buildings.iter().map(|b| b.dwellings.len()).sum();
    let mut building_no = district
        .buildings
        .iter()
        .map(|b| b.building_no)
        .max()
        .unwrap_or(0);
    while listed < dwellings {
        building_no += 1;
        app.apply(Command::AddBuilding {
            address: format!("{building_no} rue du Banc d'essai"),
            lat: "33.5731".into(),
            lon: "-7.5898".into(),
        });
        for d in 0..DWELLINGS_PER_BUILDING.min(dwellings - listed) {
            app.apply(Command::AddDwelling {
                building_no,
                description: format!("Étage {d}, porte {}", d + 1),
                occupancy: NewOccupancy::Occupied,
            });
            listed += 1;
        }
    }
    assert!(app.error().is_none(), "setup failed: {:?}", app.error());
    app
}

fn main() {
    println!("CensusApp::ui CPU time per frame, 1280x800 logical px, headless egui_kittest");
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "measure", "median", "p99", "max"
    );
    roster();
    for dwellings in [320, 400] {
        let dir = tempfile::tempdir().unwrap();
        let (mut harness, ui_times) = harness(district_app(dir.path(), dwellings));
        let [mut ui, mut steps] = steady(&mut harness, &ui_times);
        row(
            &format!("district {dwellings} dwellings: app frame"),
            &mut ui,
        );
        row(
            &format!("district {dwellings} dwellings: harness step"),
            &mut steps,
        );
        if dwellings == 400 {
            first_frames(&mut harness, &ui_times);
        }
    }
    println!("(60 Hz budget: 16.7 ms per frame)");
}

/// The first frame after a screen change (home → district) and after a language change on
/// the district screen, `CHANGES` times each.
fn first_frames(harness: &mut Harness<'static, CensusApp>, ui_times: &Times) {
    let mut screen = Vec::new();
    let mut language = Vec::new();
    let langs = [Lang::Ar, Lang::En, Lang::Zgh, Lang::Fr];
    for i in 0..CHANGES {
        harness.state_mut().apply(Command::GoHome);
        harness.step();
        harness.step();
        harness
            .state_mut()
            .apply(Command::OpenDistrict(DISTRICT.into()));
        ui_times.borrow_mut().clear();
        harness.step();
        screen.push(ui_times.borrow()[0]);
        harness.step();
        harness
            .state_mut()
            .apply(Command::SetLanguage(langs[i % langs.len()]));
        ui_times.borrow_mut().clear();
        harness.step();
        language.push(ui_times.borrow()[0]);
        harness.step();
    }
    row("first frame after home → district (400)", &mut screen);
    row("first frame after a language change (400)", &mut language);
}

/// The roster screen of a 30-person household.
fn roster() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = unlocked_app(dir.path());
    app.apply(Command::OpenDistrict(DISTRICT.into()));
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

    let (mut harness, ui_times) = harness(app);
    let [mut ui, mut steps] = steady(&mut harness, &ui_times);
    row(&format!("roster {PERSONS} persons: app frame"), &mut ui);
    row(
        &format!("roster {PERSONS} persons: harness step"),
        &mut steps,
    );
}

fn row(name: &str, times: &mut [Duration]) {
    times.sort();
    let pick = |q: f64| {
        let index = ((times.len() as f64 - 1.0) * q).round() as usize;
        times[index]
    };
    let ms = |d: Duration| format!("{:.3} ms", d.as_secs_f64() * 1000.0);
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        name,
        ms(pick(0.5)),
        ms(pick(0.99)),
        ms(pick(1.0))
    );
}
