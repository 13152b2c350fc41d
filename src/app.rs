//! The app: one struct holding the state, whose frame function only assembles panels and
//! hands the screens' commands to [`crate::commands::apply`].

pub mod case_view;
pub mod config;
pub mod coverage_view;
pub mod review_view;
pub mod state;
pub mod views;

use std::path::PathBuf;

use egui::{Align, Layout, Ui};

pub use config::AppConfig;
use state::{AppState, Screen, Views};

use crate::command::Command;
use crate::commands;
use crate::i18n::{Lang, Strings};
use crate::keys::{KEY_FILE_NAME, KeyFile};
use crate::ui::design;
use crate::ui::screens::{
    coverage::coverage_ui, district::district_ui, drafts::Drafts, enrol::enrol_ui, home::home_ui,
    questionnaire::navigation_ui, questionnaire::questionnaire_ui, review::review_ui,
    unlock::unlock_ui,
};

/// The enumerator's app.
#[derive(Debug)]
pub struct CensusApp {
    state: AppState,
    drafts: Drafts,
}

impl CensusApp {
    /// Starts the app on `config.data_dir`: enrolment on first run (automatic in demo
    /// mode), else the unlock screen. Never fails: problems are shown on screen.
    pub fn new(config: AppConfig) -> CensusApp {
        crate::logs::init(&config.data_dir);
        crate::logs::app_started(config.demo);
        let lang = commands::preferences::load_language(&config.data_dir).unwrap_or(Lang::Fr);
        let mut state = AppState {
            config,
            lang,
            strings: Strings::bundled(),
            screen: Screen::Enrol,
            keyfile: None,
            enumerator_id: String::new(),
            store: None,
            questionnaires: Default::default(),
            enrolling: None,
            case: None,
            error: None,
            views: Views::default(),
            sync: None,
            sync_status: None,
            waker: None,
            reviewer_last_use: None,
            remembered_place: None,
        };
        let key_path = state.config.data_dir.join(KEY_FILE_NAME);
        if state.config.demo && !key_path.exists() {
            let enrolled = commands::session::enrol_demo_device(
                &state.config.data_dir,
                crate::demo::DEMO_ENUMERATOR_ID,
                state.config.demo_pin.clone(),
            );
            if let Err(error) = enrolled {
                let message = error.message(&state.tr());
                state.fail(message);
            }
        }
        if key_path.exists() {
            match KeyFile::load(&key_path) {
                Ok(keyfile) => {
                    state.enumerator_id = keyfile.device_id().to_owned();
                    state.keyfile = Some(keyfile);
                    state.screen = Screen::Unlock;
                }
                Err(e) => {
                    crate::logs::key_error("key_file_load", &e);
                    let message = e.message(&state.tr());
                    state.fail(message);
                }
            }
        }
        let mut app = CensusApp {
            state,
            drafts: Drafts::default(),
        };
        commands::refresh(&mut app.state);
        crate::logs::screen(app.state.screen.name());
        app
    }

    /// The screen shown (for tests and the launcher).
    pub fn screen(&self) -> &Screen {
        &self.state.screen
    }

    /// The interface language.
    pub fn language(&self) -> Lang {
        self.state.lang
    }

    /// The error banner's text, if one is shown.
    pub fn error(&self) -> Option<&str> {
        self.state.error.as_deref()
    }

    /// The row of the open case shown (e.g. `households.1/persons.4`).
    pub fn current_row(&self) -> Option<census_core::engine::RowPath> {
        self.state.case.as_ref().map(|open| open.row.clone())
    }

    /// The open case in the engine's stable JSON form (what a restart must rebuild).
    pub fn case_snapshot(&self) -> Option<serde_json::Value> {
        self.state.case.as_ref().map(|open| open.case.to_json())
    }

    /// The latest sync status (`None` without a server or while locked).
    pub fn sync_status(&self) -> Option<&crate::sync::SyncStatus> {
        self.state.sync_status.as_ref()
    }

    /// Carries out one command (as if a screen had returned it).
    pub fn apply(&mut self, command: Command) {
        commands::apply(&mut self.state, &mut self.drafts, command);
    }

    /// Draws one frame into `ui` (the whole window) and applies what the screens asked.
    pub fn ui(&mut self, ui: &mut Ui) {
        let mut out = Vec::new();
        if self.state.waker.is_none() {
            let ctx = ui.ctx().clone();
            self.state.waker = Some(std::sync::Arc::new(move || ctx.request_repaint()));
        }
        commands::sync::poll(&mut self.state);
        let touched = ui.input(|i| !i.events.is_empty());
        if let Some(due) =
            commands::review::close_when_idle(&mut self.state, &mut self.drafts, touched)
        {
            ui.ctx().request_repaint_after(due);
        }
        if self.state.enrolling.is_some() && commands::session::poll_enrolment(&mut self.state) {
            self.drafts.clear();
            commands::refresh(&mut self.state);
        }
        let rtl = self.state.lang.is_rtl();
        if let (Screen::Unlock, Some(keyfile)) = (&self.state.screen, &self.state.keyfile) {
            let wait = commands::session::wait_seconds(keyfile);
            self.state.views.unlock.wait_seconds = wait;
            if wait.is_some() {
                // A countdown is on screen: redraw once a second while it runs.
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_secs(1));
            }
        }
        egui::Panel::top("top_bar").show(ui, |ui| {
            out.extend(self.top_bar(ui));
        });
        if let Some(message) = &self.state.error {
            let tr = self.state.tr();
            egui::Panel::top("error_banner").show(ui, |ui| {
                design::row(ui, rtl, |ui| {
                    design::error(ui, message, rtl);
                    if design::outlined_button(ui, tr.t("dismiss")).clicked() {
                        out.push(Command::DismissError);
                    }
                });
            });
        }
        let tr = self.state.tr();
        let views = &self.state.views;
        let drafts = &mut self.drafts;
        if self.state.screen == Screen::Questionnaire {
            let side = if rtl {
                egui::Panel::right("sections")
            } else {
                egui::Panel::left("sections")
            };
            side.resizable(false).exact_size(240.0).show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    out.extend(navigation_ui(ui, &views.questionnaire, &tr));
                });
            });
        }
        egui::CentralPanel::default_margins().show(ui, |ui| {
            let layout = if rtl {
                Layout::top_down(Align::Max)
            } else {
                Layout::top_down(Align::Min)
            };
            ui.with_layout(layout, |ui| match &self.state.screen {
                // Every form scrolls: on a small screen, or with the on-screen keyboard up, the
                // button at its foot must stay reachable. The district and the questionnaire
                // scroll their own lists.
                Screen::Enrol => {
                    out.extend(scrolling(ui, |ui| enrol_ui(ui, &views.enrol, &tr, drafts)))
                }
                Screen::Unlock => out.extend(scrolling(ui, |ui| {
                    unlock_ui(ui, &views.unlock, &tr, drafts)
                })),
                Screen::Home => {
                    out.extend(scrolling(ui, |ui| home_ui(ui, &views.home, &tr, drafts)))
                }
                Screen::District(_) => out.extend(district_ui(ui, &views.district, &tr, drafts)),
                Screen::Coverage => out.extend(scrolling(ui, |ui| {
                    coverage_ui(ui, &views.coverage, &tr, drafts)
                })),
                Screen::Review => out.extend(scrolling(ui, |ui| {
                    review_ui(ui, &views.review, &tr, drafts)
                })),
                Screen::Questionnaire => {
                    out.extend(questionnaire_ui(ui, &views.questionnaire, &tr, drafts));
                }
            });
        });
        for command in out {
            commands::apply(&mut self.state, &mut self.drafts, command);
        }
    }

    fn top_bar(&self, ui: &mut Ui) -> Vec<Command> {
        let mut out = Vec::new();
        let tr = self.state.tr();
        let rtl = tr.rtl();
        design::row(ui, rtl, |ui| {
            design::inline_text(ui, tr.t("app_title"), None);
            ui.separator();
            for lang in Lang::ALL {
                let selected = lang == self.state.lang;
                if design::toggle_chip(ui, lang.native_name(), selected).clicked() && !selected {
                    out.push(Command::SetLanguage(lang));
                }
            }
            if self.state.store.is_some() {
                ui.separator();
                if design::outlined_button(ui, tr.t("lock")).clicked() {
                    out.push(Command::Lock);
                }
            }
        });
        out
    }
}

impl eframe::App for CensusApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        CensusApp::ui(self, ui);
    }
}

/// Prepares the egui context: fonts for Arabic and Tifinagh, the house style.
pub fn setup_context(ctx: &egui::Context) {
    crate::ui::fonts::install_fonts(ctx);
    crate::ui::theme::apply_theme(ctx);
}

/// Runs the app in a native window on `data_dir` (normal mode: enrolment on first run).
/// This is the entry point of the desktop binary and of the Android launcher.
pub fn run(native_options: eframe::NativeOptions, data_dir: PathBuf) -> eframe::Result {
    run_with(native_options, AppConfig::new(data_dir))
}

/// Runs the app in a native window with a full configuration (demo mode, fixed date).
pub fn run_with(native_options: eframe::NativeOptions, config: AppConfig) -> eframe::Result {
    eframe::run_native(
        "census",
        native_options,
        Box::new(move |cc| {
            setup_context(&cc.egui_ctx);
            Ok(Box::new(CensusApp::new(config)))
        }),
    )
}

/// Draws a screen inside a vertical scroll area and returns its commands.
fn scrolling(ui: &mut Ui, screen: impl FnOnce(&mut Ui) -> Vec<Command>) -> Vec<Command> {
    egui::ScrollArea::vertical().show(ui, screen).inner
}
