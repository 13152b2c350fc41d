//! What a screen can ask for: the [`Command`] enum and the small value types it carries.
//! Screens build commands; [`crate::commands::apply`] carries them out. This module imports
//! nothing of the screens, the app state, the store or the sync client, so every layer can
//! name a command without depending on the code that applies it.

use census_core::Value;
use census_core::engine::RowPath;

use crate::i18n::Lang;

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
    /// A collective living quarter (enumerated with the collective questionnaire).
    Collective,
}

/// Where a blocking problem can be fixed.
#[derive(Debug, Clone, PartialEq)]
pub struct JumpTarget {
    /// The row.
    pub row: RowPath,
    /// Section index in the row's level (None: the row's roster list).
    pub section: Option<usize>,
    /// Question id to bring into view.
    pub question: Option<String>,
}

/// A request from a screen.
#[derive(Clone, PartialEq)]
pub enum Command {
    /// Show the interface (and questionnaire texts) in another language.
    SetLanguage(Lang),
    /// Enrol the tablet with the office: the server's address and the one-time code (or the
    /// office's enrolment payload, scanned or pasted in its place), and the PIN twice.
    Enrol {
        /// The office's server (`https://…`).
        server_url: String,
        /// The one-time code, or the enrolment payload's JSON text. A secret.
        code: String,
        /// The PIN. A secret.
        pin: String,
        /// The PIN typed again. A secret.
        pin_again: String,
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
    /// Confirm a building of the open district as found on the ground (cartography's
    /// building, or one marked demolished by mistake), with its corrected address when one
    /// was typed.
    ConfirmBuilding {
        /// Building number.
        building_no: u32,
        /// The corrected address; `None` keeps the one listed.
        address: Option<String>,
    },
    /// Mark a building of the open district demolished (or not found on the ground).
    MarkBuildingDemolished {
        /// Building number.
        building_no: u32,
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
    /// Show another row of the open case (the root path for the dwelling).
    OpenRow(RowPath),
    /// Show a section of the current row.
    OpenSection(usize),
    /// Show the rosters of the current row.
    ShowRosters,
    /// Show what blocks completion.
    ShowSummary,
    /// Save one answer.
    SetAnswer {
        /// The row.
        row: RowPath,
        /// Question id.
        question: String,
        /// The new value (null clears it).
        value: Value,
    },
    /// The enumerator pressed Enter in a question's field: bring the next question of the
    /// section into view, with the keyboard in its field.
    NextQuestion {
        /// The row.
        row: RowPath,
        /// The question left.
        question: String,
    },
    /// Add a row to a roster of a row, and open it.
    AddRow {
        /// The owning row.
        parent: RowPath,
        /// Roster id.
        roster: String,
    },
    /// Remove a roster row and its answers.
    RemoveRow(RowPath),
    /// Confirm a failed soft check with a note.
    ConfirmCheck {
        /// The row.
        row: RowPath,
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
    /// Send the end of the tablet's log to the office (for support).
    SendDiagnostics,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Enrol { server_url, .. } => f
                .debug_struct("Enrol")
                .field("server_url", server_url)
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
            Command::ConfirmBuilding { .. } => "confirm_building",
            Command::MarkBuildingDemolished { .. } => "mark_building_demolished",
            Command::OpenCase { .. } => "open_case",
            Command::RecordVisit { .. } => "record_visit",
            Command::OpenRow(_) => "open_row",
            Command::OpenSection(_) => "open_section",
            Command::ShowRosters => "show_rosters",
            Command::ShowSummary => "show_summary",
            Command::SetAnswer { .. } => "set_answer",
            Command::NextQuestion { .. } => "next_question",
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
            Command::SendDiagnostics => "send_diagnostics",
        }
    }
}
