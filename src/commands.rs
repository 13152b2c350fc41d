//! Everything a screen can ask for, and [`apply`]: the one place that carries commands out
//! (store writes, engine updates, navigation). Screens only return commands.

pub mod case;
pub mod district;
pub mod review;
pub mod session;
pub mod sync;

use census_core::Value;

use crate::app::state::{AppState, Screen};
use crate::app::views;
use crate::i18n::{Lang, Tr};
use crate::ui::screens::drafts::Drafts;
use crate::ui::screens::view::JumpTarget;

/// Carries out one command, then rebuilds the data of the screen shown.
pub fn apply(state: &mut AppState, drafts: &mut Drafts, command: Command) {
    match command {
        Command::SetLanguage(lang) => state.lang = lang,
        Command::Enrol {
            enumerator_id,
            pin,
            pin_again,
            assignment,
        } => {
            session::enrol(state, &enumerator_id, pin, &pin_again, &assignment);
            if state.store.is_some() {
                drafts.clear();
            }
        }
        Command::Unlock { pin } => {
            session::unlock(state, pin);
            drafts.clear();
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
        other => case::apply(state, drafts, other),
    }
    refresh(state);
}

/// Rebuilds the view data of the screen shown (after a command, a language change, a start).
pub fn refresh(state: &mut AppState) {
    let tr = Tr {
        strings: &state.strings,
        lang: state.lang,
    };
    let today = state.config.today();
    match &state.screen {
        Screen::Enrol => state.views.enrol.demo_available = true,
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
                Err(e) => state.error = Some(tr.f("open_failed", &[("detail", &e.to_string())])),
            }
        }
        Screen::District(code) => {
            let Some(store) = &state.store else { return };
            match views::district_view(store, code, &tr) {
                Ok(view) => state.views.district = view,
                Err(e) => state.error = Some(tr.f("open_failed", &[("detail", &e.to_string())])),
            }
        }
        Screen::Coverage => {
            let Some(store) = &state.store else { return };
            let built = crate::app::review_view::coverage_screen(state, store, today, &tr);
            match built {
                Ok(view) => state.views.coverage = view,
                Err(e) => state.error = Some(tr.f("open_failed", &[("detail", &e.to_string())])),
            }
        }
        Screen::Review => {
            let Some(store) = &state.store else { return };
            match crate::app::review_view::review_view(state, store, &tr) {
                Ok(view) => state.views.review = view,
                Err(e) => state.error = Some(tr.f("open_failed", &[("detail", &e.to_string())])),
            }
        }
        Screen::Questionnaire => {
            if let Some(open) = &state.case {
                state.views.questionnaire = crate::app::case_view::questionnaire_view(open, &tr);
            }
        }
    }
}

/// Where the district assignment comes from at enrolment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignmentSource {
    /// The bundled demo assignment.
    Demo,
    /// A JSON file delivered by the office.
    File(String),
}

/// How a visit ended without an interview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitOutcome {
    /// The household refused.
    Refused,
    /// Nobody was at home.
    Absent,
}

/// Occupancy chosen when adding a dwelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewOccupancy {
    /// Lived in.
    Occupied,
    /// Empty.
    Vacant,
    /// Secondary or seasonal residence.
    Secondary,
}

/// A request from a screen.
#[derive(Clone, PartialEq)]
pub enum Command {
    /// Show the interface (and questionnaire texts) in another language.
    SetLanguage(Lang),
    /// Enrol the device.
    Enrol {
        /// Enumerator number.
        enumerator_id: String,
        /// The PIN.
        pin: String,
        /// The PIN typed again.
        pin_again: String,
        /// The district assignment.
        assignment: AssignmentSource,
    },
    /// Unlock with a PIN.
    Unlock {
        /// The PIN typed.
        pin: String,
    },
    /// Close the store and show the unlock screen.
    Lock,
    /// Show the home screen.
    GoHome,
    /// Show a district.
    OpenDistrict(String),
    /// Show the coverage of the tablet's districts.
    OpenCoverage,
    /// Add a building to the open district.
    AddBuilding {
        /// Street address.
        address: String,
        /// Latitude as typed.
        lat: String,
        /// Longitude as typed.
        lon: String,
    },
    /// Add a dwelling to a building of the open district.
    AddDwelling {
        /// Building number.
        building_no: u32,
        /// Floor, door.
        description: String,
        /// Occupancy.
        occupancy: NewOccupancy,
    },
    /// Open (or create) the questionnaire of a dwelling.
    OpenCase {
        /// Building number.
        building_no: u32,
        /// Dwelling number in the building.
        dwelling_no: u32,
    },
    /// Record a visit without interview, with a revisit appointment.
    RecordVisit {
        /// Building number.
        building_no: u32,
        /// Dwelling number in the building.
        dwelling_no: u32,
        /// Refusal or absence.
        outcome: VisitOutcome,
        /// Revisit date as typed (`YYYY-MM-DD`, may be empty for a refusal).
        date: String,
        /// Revisit time as typed (`HH:MM`).
        time: String,
        /// Note.
        note: String,
    },
    /// Show another row of the open case (path text; empty for the dwelling).
    OpenRow(String),
    /// Show a section of the current row.
    OpenSection(usize),
    /// Show the rosters of the current row.
    ShowRosters,
    /// Show what blocks completion.
    ShowSummary,
    /// Save one answer.
    SetAnswer {
        /// Row path text.
        row: String,
        /// Question id.
        question: String,
        /// The new value (null clears it).
        value: Value,
    },
    /// Add a row to a roster of a row, and open it.
    AddRow {
        /// The owning row (path text).
        parent: String,
        /// Roster id.
        roster: String,
    },
    /// Remove a roster row and its answers.
    RemoveRow(String),
    /// Confirm a failed soft check with a note.
    ConfirmCheck {
        /// Row path text.
        row: String,
        /// Check id.
        check: String,
        /// Why the answers are right.
        note: String,
    },
    /// Go where a problem can be fixed.
    JumpTo(JumpTarget),
    /// Mark the open case complete (only when nothing blocks).
    Complete,
    /// Leave the open case (everything is already saved).
    SaveAndLeave,
    /// Hide the error banner.
    DismissError,
    /// Send the waiting cases to the office now.
    SyncNow,
    /// Enrol the tablet with the office using its one-time code.
    EnrolWithOffice {
        /// The code from the office.
        code: String,
    },
    /// Show the review queue of the reviewer's area.
    OpenReview,
    /// Sign a controller or supervisor in with the reviewer code the office issued.
    ReviewerSignIn {
        /// The code as typed (a secret: never in `Debug`).
        token: String,
    },
    /// Forget the reviewer code and the area's data.
    ReviewerSignOut,
    /// Approve a case of the queue.
    ReviewApprove {
        /// The case.
        case_id: uuid::Uuid,
        /// The revision shown.
        revision: u64,
    },
    /// Start writing the send-back comment of a case.
    ReviewOpenSendBack(uuid::Uuid),
    /// Give up sending a case back.
    ReviewCloseSendBack,
    /// Send a case back to its enumerator with a comment.
    ReviewSendBack {
        /// The case.
        case_id: uuid::Uuid,
        /// The revision shown.
        revision: u64,
        /// What the enumerator must correct.
        comment: String,
    },
    /// Forget a decision the office refused.
    ReviewDismiss(uuid::Uuid),
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Enrol { enumerator_id, .. } => f
                .debug_struct("Enrol")
                .field("enumerator_id", enumerator_id)
                .finish_non_exhaustive(),
            Command::Unlock { .. } => f.write_str("Unlock { .. }"),
            Command::SetLanguage(l) => write!(f, "SetLanguage({l:?})"),
            Command::OpenDistrict(d) => write!(f, "OpenDistrict({d})"),
            Command::SetAnswer {
                row,
                question,
                value,
            } => write!(f, "SetAnswer({row}, {question}, {value:?})"),
            other => f.write_str(other.name()),
        }
    }
}

impl Command {
    /// A short name of the command (for paradata and debugging; never holds secrets).
    pub fn name(&self) -> &'static str {
        match self {
            Command::SetLanguage(_) => "set_language",
            Command::Enrol { .. } => "enrol",
            Command::Unlock { .. } => "unlock",
            Command::Lock => "lock",
            Command::GoHome => "go_home",
            Command::OpenDistrict(_) => "open_district",
            Command::OpenCoverage => "open_coverage",
            Command::AddBuilding { .. } => "add_building",
            Command::AddDwelling { .. } => "add_dwelling",
            Command::OpenCase { .. } => "open_case",
            Command::RecordVisit { .. } => "record_visit",
            Command::OpenRow(_) => "open_row",
            Command::OpenSection(_) => "open_section",
            Command::ShowRosters => "show_rosters",
            Command::ShowSummary => "show_summary",
            Command::SetAnswer { .. } => "set_answer",
            Command::AddRow { .. } => "add_row",
            Command::RemoveRow(_) => "remove_row",
            Command::ConfirmCheck { .. } => "confirm_check",
            Command::JumpTo(_) => "jump_to",
            Command::Complete => "complete",
            Command::SaveAndLeave => "save_and_leave",
            Command::DismissError => "dismiss_error",
            Command::SyncNow => "sync_now",
            Command::EnrolWithOffice { .. } => "enrol_with_office",
            Command::OpenReview => "open_review",
            Command::ReviewerSignIn { .. } => "reviewer_sign_in",
            Command::ReviewerSignOut => "reviewer_sign_out",
            Command::ReviewApprove { .. } => "review_approve",
            Command::ReviewOpenSendBack(_) => "review_open_send_back",
            Command::ReviewCloseSendBack => "review_close_send_back",
            Command::ReviewSendBack { .. } => "review_send_back",
            Command::ReviewDismiss(_) => "review_dismiss",
        }
    }
}
