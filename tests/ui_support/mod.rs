//! Shared helpers of the UI tests: start the real app on a data directory in an
//! egui_kittest harness, find widgets by their label, read labels from the questionnaire.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

pub mod doorstep;

use std::path::Path;

use census::app::{AppConfig, CensusApp};
use chrono::NaiveDate;
use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The app in a harness, with what the enumerator would have done to drive it so far.
pub struct App<'a> {
    /// The harness.
    pub h: Harness<'a, CensusApp>,
    /// The window's size.
    pub size: egui::Vec2,
    /// Taps: clicks, and the tap that puts the cursor in a field before typing.
    pub taps: u32,
    /// Fields typed into.
    pub typed: u32,
    /// Taps on a widget that was off screen at that moment: each needed a scroll first.
    pub scrolls: u32,
}

/// Starts the app in demo mode on `dir` (enrolled on first start), on 5 September 2024.
pub fn start(dir: &Path) -> App<'static> {
    start_with(AppConfig::demo(dir.to_path_buf()))
}

/// Starts the app with `config`, on 5 September 2024.
pub fn start_with(mut config: AppConfig) -> App<'static> {
    config.today = NaiveDate::from_ymd_opt(2024, 9, 5);
    start_as_configured(config)
}

/// Starts the app in demo mode on `dir` with its clock on `today`.
pub fn start_on(dir: &Path, today: NaiveDate) -> App<'static> {
    let mut config = AppConfig::demo(dir.to_path_buf());
    config.today = Some(today);
    start_as_configured(config)
}

/// Starts the app in demo mode on `dir`, on 5 September 2024, in a window of `width` × `height`.
pub fn start_sized(dir: &Path, width: f32, height: f32) -> App<'static> {
    let mut config = AppConfig::demo(dir.to_path_buf());
    config.today = NaiveDate::from_ymd_opt(2024, 9, 5);
    sized(config, egui::Vec2::new(width, height))
}

/// Starts the app with `config`, on 5 September 2024, in a window of `width` × `height`.
pub fn start_sized_with(mut config: AppConfig, width: f32, height: f32) -> App<'static> {
    config.today = NaiveDate::from_ymd_opt(2024, 9, 5);
    sized(config, egui::Vec2::new(width, height))
}

fn start_as_configured(config: AppConfig) -> App<'static> {
    sized(config, egui::Vec2::new(1280.0, 800.0))
}

fn sized(config: AppConfig, size: egui::Vec2) -> App<'static> {
    let app = CensusApp::new(config);
    let h = Harness::builder()
        .with_size(size)
        .with_context_setup(census::app::setup_context)
        .build_ui_state(|ui, app: &mut CensusApp| app.ui(ui), app);
    let mut app = App {
        h,
        size,
        taps: 0,
        typed: 0,
        scrolls: 0,
    };
    app.h.run();
    app
}

/// Starts the app like [`start_with`], allowing more frames per `run`: the sync thread's
/// waker asks for frames whenever the status changes, at any moment.
pub fn start_syncing(mut config: AppConfig) -> App<'static> {
    config.today = NaiveDate::from_ymd_opt(2024, 9, 5);
    let app = CensusApp::new(config);
    let h = Harness::builder()
        .with_size(egui::Vec2::new(1280.0, 800.0))
        .with_max_steps(200)
        .with_context_setup(census::app::setup_context)
        .build_ui_state(|ui, app: &mut CensusApp| app.ui(ui), app);
    let mut app = App {
        h,
        size: egui::Vec2::new(1280.0, 800.0),
        taps: 0,
        typed: 0,
        scrolls: 0,
    };
    app.h.run();
    app
}

/// Runs frames (the sync thread works meanwhile) until `done` holds; panics after 30 s (a
/// deadline for a loaded CI machine, not a timing).
pub fn frames_until(app: &mut App<'_>, what: &str, done: impl Fn(&App<'_>) -> bool) {
    let start = std::time::Instant::now();
    loop {
        // The sync thread's waker may ask for frames at any time: step until settled or
        // `max_steps`, whichever comes first, and look again.
        let _ = app.h.try_run();
        if done(app) {
            return;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "timed out waiting for {what} on {:?}; sync status: {:#?}",
            app.state().screen(),
            app.state().sync_status()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Types the demo PIN and unlocks (the app opens where it was left: home the first time).
pub fn unlock(app: &mut App<'_>) {
    app.type_in("Code PIN", "280514");
    app.click_button("Déverrouiller");
    assert!(app.has_button("Verrouiller"), "unlocked");
}

impl<'a> App<'a> {
    /// The app.
    pub fn state(&self) -> &CensusApp {
        self.h.state()
    }

    /// Counts one tap on a widget at `rect`, and a scroll when it was off screen.
    fn tap_at(&mut self, rect: egui::Rect) {
        self.taps += 1;
        if rect.min.y < 0.0 || rect.max.y > self.size.y {
            self.scrolls += 1;
        }
    }

    /// Clicks the one widget with this label.
    #[track_caller]
    pub fn click(&mut self, label: &str) {
        let rect = self.h.get_by_label(label).rect();
        self.tap_at(rect);
        self.h.get_by_label(label).click_accesskit();
        self.h.run();
    }

    /// Clicks the one button with this label.
    #[track_caller]
    pub fn click_button(&mut self, label: &str) {
        let button = self
            .h
            .get_by_role_and_label(egui::accesskit::Role::Button, label);
        let rect = button.rect();
        button.click_accesskit();
        self.tap_at(rect);
        self.h.run();
    }

    /// Clicks the first widget with this label.
    #[track_caller]
    pub fn click_first(&mut self, label: &str) {
        let node = self.h.get_all_by_label(label).next().unwrap();
        let rect = node.rect();
        node.click_accesskit();
        self.tap_at(rect);
        self.h.run();
    }

    /// Clicks the first button whose label contains `part`.
    #[track_caller]
    pub fn click_contains(&mut self, part: &str) {
        let node = self
            .h
            .get_all_by(|n| {
                n.role() == egui::accesskit::Role::Button
                    && n.label().is_some_and(|l| l.contains(part))
            })
            .next()
            .unwrap();
        let rect = node.rect();
        node.click_accesskit();
        self.tap_at(rect);
        self.h.run();
    }

    /// Types `text` into the field with this label.
    #[track_caller]
    pub fn type_in(&mut self, label: &str, text: &str) {
        let rect = self.h.get_by_label(label).rect();
        self.tap_at(rect);
        self.typed += 1;
        self.h.get_by_label(label).focus();
        self.h.run();
        self.h.get_by_label(label).type_text(text);
        self.h.run();
    }

    /// Types `text` into the field with this label, which must already have the keyboard
    /// (given by the app after the question before): no tap.
    #[track_caller]
    pub fn type_focused(&mut self, label: &str, text: &str) {
        assert!(
            self.h.get_by_label(label).is_focused(),
            "{label:?} should have the keyboard"
        );
        self.typed += 1;
        self.h.get_by_label(label).type_text(text);
        self.h.run();
    }

    /// Presses Enter (the keyboard's "next").
    pub fn enter(&mut self) {
        self.h.key_press(Key::Enter);
        self.h.run();
    }

    /// Replaces the text of the field with this label.
    #[track_caller]
    pub fn replace_in(&mut self, label: &str, text: &str) {
        self.h.get_by_label(label).focus();
        self.h.run();
        let old = self.field_value(label).unwrap_or_default();
        for _ in 0..old.chars().count() {
            self.h.key_press(Key::Backspace);
            self.h.run();
        }
        self.h.get_by_label(label).type_text(text);
        self.h.run();
    }

    /// The text of the field with this label.
    pub fn field_value(&self, label: &str) -> Option<String> {
        self.h.get_by_label(label).value()
    }

    /// Whether some widget has exactly this label (or text).
    pub fn has(&self, text: &str) -> bool {
        self.h.query_all_by_label(text).next().is_some()
    }

    /// Whether some widget's label contains `part`.
    pub fn has_contains(&self, part: &str) -> bool {
        self.h.query_all_by_label_contains(part).next().is_some()
    }

    /// Whether a button has exactly this label.
    pub fn has_button(&self, label: &str) -> bool {
        self.h
            .query_all_by_role_and_label(egui::accesskit::Role::Button, label)
            .next()
            .is_some()
    }

    /// Whether a button's label contains `part`.
    pub fn has_button_contains(&self, part: &str) -> bool {
        self.h
            .query_all_by(|n| {
                n.role() == egui::accesskit::Role::Button
                    && n.label().is_some_and(|l| l.contains(part))
            })
            .next()
            .is_some()
    }

    /// From a person, back to the household's roster list.
    pub fn back_to_household(&mut self) {
        self.click_contains("Ménage 1");
        self.click_contains("Membres du ménage (");
    }
}

/// The questionnaire file, for its French labels.
pub struct Q {
    json: serde_json::Value,
}

impl Q {
    /// Reads `schemas/rgph2024.json`.
    pub fn load() -> Q {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schemas/rgph2024.json"
        ))
        .unwrap();
        Q {
            json: serde_json::from_str(&text).unwrap(),
        }
    }

    fn find<'j>(
        level: &'j serde_json::Value,
        key: &str,
        id: &str,
    ) -> Option<&'j serde_json::Value> {
        if key == "questions" {
            for section in level["sections"].as_array().into_iter().flatten() {
                for q in section["questions"].as_array().into_iter().flatten() {
                    if q["id"] == id {
                        return Some(q);
                    }
                }
            }
        } else {
            for c in level[key].as_array().into_iter().flatten() {
                if c["id"] == id {
                    return Some(c);
                }
            }
        }
        level["rosters"]
            .as_array()
            .into_iter()
            .flatten()
            .find_map(|r| Q::find(&r["level"], key, id))
    }

    /// A question.
    pub fn question(&self, id: &str) -> &serde_json::Value {
        Q::find(&self.json["root"], "questions", id).unwrap_or_else(|| panic!("no question {id}"))
    }

    /// A question's constraint message in French.
    pub fn constraint_message(&self, id: &str) -> String {
        self.question(id)["constraint_message"]["fr"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// A check's message in French.
    pub fn check_message(&self, id: &str) -> String {
        let check = Q::find(&self.json["root"], "checks", id).unwrap();
        check["message"]["fr"].as_str().unwrap().to_owned()
    }
}

/// The field label of a question as the screen shows it (with " *" when required).
pub fn label(q: &Q, id: &str) -> String {
    let question = q.question(id);
    let text = question["label"]["fr"].as_str().unwrap();
    if question["required"].as_bool() == Some(true) {
        format!("{text} *")
    } else {
        text.to_owned()
    }
}

/// The accessible name of a choice button: "question: choice" (`yes` / `no` for yes/no).
pub fn choice(q: &Q, id: &str, code: &str) -> String {
    let question = q.question(id);
    let text = question["label"]["fr"].as_str().unwrap();
    let choice = match code {
        "yes" => "Oui".to_owned(),
        "no" => "Non".to_owned(),
        _ => {
            let list = question["choices"].as_str().unwrap();
            let choices = q.json["choice_lists"][list].as_array().unwrap();
            let c = choices.iter().find(|c| c["code"] == code).unwrap();
            c["label"]["fr"].as_str().unwrap().to_owned()
        }
    };
    format!("{text}: {choice}")
}

/// The event context of a test's edits.
pub fn test_ctx() -> census::store::EventContext {
    census::store::EventContext {
        screen: "test".to_owned(),
        gps: None,
    }
}

/// The bundled census questionnaire.
pub fn census_questionnaire() -> std::sync::Arc<census_core::load::Questionnaire> {
    census_core::load::load_questionnaire(
        census::demo::HOUSEHOLD_QUESTIONNAIRE_FILE,
        census::demo::HOUSEHOLD_QUESTIONNAIRE_JSON,
    )
    .unwrap()
}

/// A household case of the census questionnaire in `district`, left in progress.
pub fn new_case(
    store: &mut census::store::Store,
    district: &str,
    (building_no, dwelling_no, household_no): (u32, u32, u32),
) -> census::store::CaseId {
    let q = census_questionnaire();
    store
        .create_case(
            &census::store::NewCase {
                questionnaire_id: q.id().to_owned(),
                questionnaire_version: q.version().to_owned(),
                district_id: district.to_owned(),
                building_no,
                dwelling_no,
                household_no,
                long_form: false,
            },
            &test_ctx(),
        )
        .unwrap()
}

/// A household of two persons headed by `head` (then Fatima Benali, spouse), in progress.
pub fn two_person_household(
    store: &mut census::store::Store,
    district: &str,
    numbers: (u32, u32, u32),
    head: &str,
) -> census::store::CaseId {
    let ctx = test_ctx();
    let case = new_case(store, district, numbers);
    store.add_row(case, "households.1", 0, &ctx).unwrap();
    for (n, (name, relationship)) in [(head, "01"), ("Fatima Benali", "02")].iter().enumerate() {
        // Row ids are unique in a case: the household is row 1.
        let row = format!("households.1/persons.{}", n + 2);
        store.add_row(case, &row, n, &ctx).unwrap();
        store
            .save_answer(case, &row, "p_name", &serde_json::json!(name), &ctx)
            .unwrap();
        store
            .save_answer(
                case,
                &row,
                "p_relationship",
                &serde_json::json!(relationship),
                &ctx,
            )
            .unwrap();
    }
    case
}

/// The demo tablet's encrypted store in `dir`, opened with the demo PIN (as a second
/// connection beside the app, or after it).
pub fn open_demo_store(dir: &Path) -> census::store::Store {
    let mut keyfile = census::keys::KeyFile::load(&dir.join(census::keys::KEY_FILE_NAME)).unwrap();
    let key = keyfile
        .unlock(&census::keys::Pin::new("280514".to_owned()).unwrap())
        .unwrap();
    census::store::Store::open(dir, &key).unwrap()
}
