//! Everything a screen can ask for, and [`apply`]: the one place that carries commands out
//! (store writes, engine updates, navigation). Screens only return commands.

mod advance;
pub mod case;
pub mod district;
pub mod engine_messages;
mod fills;
pub mod preferences;
mod resume;
pub mod review;
pub mod session;
pub mod sync;

use crate::command::Command;

use crate::app::state::{AppState, Screen};
use crate::app::views;
use crate::i18n::Tr;
use crate::store::BuildingState;
use crate::ui::screens::drafts::Drafts;

/// Carries out one command, then rebuilds the data of the screen shown.
pub fn apply(state: &mut AppState, drafts: &mut Drafts, command: Command) {
    crate::logs::command(&command);
    let screen_before = state.screen.name();
    match command {
        Command::SetLanguage(lang) => {
            state.lang = lang;
            // The choice applies at once either way; only its memory for the next start is
            // lost if the data directory cannot be written (the store's own writes report it).
            let _ = preferences::save_language(&state.config.data_dir, lang);
        }
        Command::Enrol {
            server_url,
            code,
            pin,
            pin_again,
        } => session::enrol(state, &server_url, &code, pin, &pin_again),
        Command::Unlock { pin } => {
            session::unlock(state, pin);
            crate::logs::outcome("unlock", state.store.is_some());
            drafts.clear();
            resume::resume(state, drafts);
        }
        Command::Lock => {
            session::lock(state);
            drafts.clear();
        }
        Command::GoHome => {
            state.case = None;
            state.screen = if state.store.is_some() {
                Screen::Home
            } else {
                Screen::Unlock
            };
            drafts.clear();
        }
        Command::OpenDistrict(code) => {
            drafts.clear();
            state.screen = Screen::District(code);
        }
        Command::OpenCoverage => {
            drafts.clear();
            state.screen = Screen::Coverage;
        }
        Command::OpenReview => {
            drafts.clear();
            state.screen = Screen::Review;
        }
        Command::ReviewerSignIn { token } => review::sign_in(state, drafts, token),
        Command::ReviewerSignOut => review::sign_out(state, drafts),
        Command::ReviewApprove { case_id, revision } => review::decide(
            state,
            drafts,
            (case_id, revision),
            census_core::wire::Decision::Approved,
            "",
        ),
        Command::ReviewOpenSendBack(case_id) => {
            drafts.clear_prefix(crate::ui::screens::review::COMMENT_FIELD);
            drafts.send_back = Some(case_id);
        }
        Command::ReviewCloseSendBack => {
            drafts.clear_prefix(crate::ui::screens::review::COMMENT_FIELD);
            drafts.send_back = None;
        }
        Command::ReviewSendBack {
            case_id,
            revision,
            comment,
        } => review::decide(
            state,
            drafts,
            (case_id, revision),
            census_core::wire::Decision::SentBack,
            &comment,
        ),
        Command::ReviewDismiss(case_id) => review::dismiss(state, case_id),
        Command::AddBuilding { address, lat, lon } => {
            district::add_building(state, drafts, &address, &lat, &lon);
        }
        Command::AddDwelling {
            building_no,
            description,
            occupancy,
        } => district::add_dwelling(state, drafts, building_no, &description, occupancy),
        Command::ConfirmBuilding {
            building_no,
            address,
        } => district::set_building_state(
            state,
            drafts,
            building_no,
            BuildingState::Listed,
            address.as_deref(),
        ),
        Command::MarkBuildingDemolished { building_no } => district::set_building_state(
            state,
            drafts,
            building_no,
            BuildingState::Demolished,
            None,
        ),
        Command::RecordVisit {
            building_no,
            dwelling_no,
            outcome,
            date,
            time,
            note,
        } => district::record_visit(
            state,
            drafts,
            building_no,
            dwelling_no,
            outcome,
            &date,
            &time,
            &note,
        ),
        Command::OpenCase {
            building_no,
            dwelling_no,
        } => {
            drafts.clear_prefix("q:");
            drafts.clear_prefix("check:");
            case::open_case(state, building_no, dwelling_no);
        }
        Command::DismissError => state.error = None,
        Command::SyncNow => sync::sync_now(state),
        Command::EnrolWithOffice { code } => sync::enrol(state, drafts, &code),
        Command::SendDiagnostics => sync::send_diagnostics(state),
        other => case::apply(state, drafts, other),
    }
    refresh(state);
    resume::remember(state);
    if state.screen.name() != screen_before {
        crate::logs::screen(state.screen.name());
    }
}

/// Shows a store error that kept a screen's data from being read (and logs its cause).
fn open_failed(state: &mut AppState, error: &crate::store::StoreError) {
    crate::logs::store_error("open_screen", error);
    let tr = Tr {
        strings: &state.strings,
        lang: state.lang,
    };
    state.error = Some(tr.f("open_failed", &[("detail", &error.message(&tr))]));
}

/// Rebuilds the view data of the screen shown (after a command, a language change, a start).
pub fn refresh(state: &mut AppState) {
    let tr = Tr {
        strings: &state.strings,
        lang: state.lang,
    };
    let today = state.config.today();
    match &state.screen {
        Screen::Enrol => {
            state.views.enrol.server_url = state.config.server_url.clone().unwrap_or_default();
            state.views.enrol.code = state.config.enrolment_code.clone().unwrap_or_default();
            state.views.enrol.busy = state.enrolling.is_some();
        }
        Screen::Unlock => {
            state.views.unlock.enumerator_id = state.enumerator_id.clone();
            state.views.unlock.demo_pin = state.config.demo.then(|| state.config.demo_pin.clone());
        }
        Screen::Home => {
            let Some(store) = &state.store else { return };
            let built = views::home_view(store, today)
                .and_then(|view| Ok((view, sync::panel(state, store, &tr)?)));
            match built {
                Ok((mut view, panel)) => {
                    view.sync = panel;
                    state.views.home = view;
                }
                Err(e) => open_failed(state, &e),
            }
        }
        Screen::District(code) => {
            let Some(store) = &state.store else { return };
            match views::district_view(store, code, &tr) {
                Ok(view) => state.views.district = view,
                Err(e) => open_failed(state, &e),
            }
        }
        Screen::Coverage => {
            let Some(store) = &state.store else { return };
            let built = crate::app::review_view::coverage_screen(state, store, today, &tr);
            match built {
                Ok(view) => state.views.coverage = view,
                Err(e) => open_failed(state, &e),
            }
        }
        Screen::Review => {
            let Some(store) = &state.store else { return };
            match crate::app::review_view::review_view(state, store, &tr) {
                Ok(view) => state.views.review = view,
                Err(e) => open_failed(state, &e),
            }
        }
        Screen::Questionnaire => {
            if let Some(open) = &state.case {
                state.views.questionnaire = crate::app::case_view::questionnaire_view(open, &tr);
            }
        }
    }
}
