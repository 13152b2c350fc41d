//! What the screens draw: plain data prepared by the app from the store and the engine.
//!
//! Screens only read these; every change they want goes back as a
//! [`crate::command::Command`]. Nothing here touches the store or the engine.

use census_core::Value;
use census_core::engine::RowPath;

use crate::command::JumpTarget;

/// The first-run screen: enrol the device.
#[derive(Debug, Clone, Default)]
pub struct EnrolView {
    /// The office's server to offer (from `--server` or the provisioning file).
    pub server_url: String,
    /// The enrolment code to offer (from the provisioning file).
    pub code: String,
    /// Whether an enrolment is under way (the office is being asked).
    pub busy: bool,
    /// A message about the last attempt, in the current language.
    pub error: Option<String>,
}

/// The unlock screen.
#[derive(Debug, Clone, Default)]
pub struct UnlockView {
    /// In demo mode, the PIN to type (shown on screen).
    pub demo_pin: Option<String>,
    /// The enumerator the tablet is enrolled for.
    pub enumerator_id: String,
    /// A message about the last attempt, in the current language.
    pub error: Option<String>,
    /// Seconds left before another attempt is accepted.
    pub wait_seconds: Option<u64>,
}

/// One district on the home screen.
#[derive(Debug, Clone, Default)]
pub struct DistrictCard {
    /// District code, e.g. `07-041-0012`.
    pub code: String,
    /// Name of the district and its commune.
    pub name: String,
    /// Buildings listed so far.
    pub buildings_listed: u32,
    /// Buildings expected by the cartography.
    pub buildings_expected: u32,
    /// Dwellings listed so far.
    pub dwellings_listed: u32,
    /// Dwellings expected by the cartography.
    pub dwellings_expected: u32,
    /// Households whose questionnaire is complete.
    pub households_done: u32,
    /// Households expected by the cartography.
    pub households_expected: u32,
    /// Revisit appointments due today.
    pub revisits_today: u32,
    /// Cases the office sent back, not completed again yet.
    pub sent_back: u32,
}

/// The home screen.
#[derive(Debug, Clone, Default)]
pub struct HomeView {
    /// The enumerator's districts.
    pub districts: Vec<DistrictCard>,
    /// Cases waiting to be sent.
    pub outbox: u32,
    /// When the tablet last synced, if ever (already formatted).
    pub last_sync: Option<String>,
    /// The sync card.
    pub sync: super::sync_panel::SyncPanel,
}

/// Where a dwelling's interview stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum DwellingStatus {
    /// No questionnaire opened yet.
    #[default]
    NotStarted,
    /// A questionnaire is open and not complete.
    InProgress,
    /// The office sent the completed questionnaire back to be corrected.
    SentBack,
    /// The questionnaire is complete.
    Complete,
    /// The household refused.
    Refused,
    /// Nobody was home.
    Absent,
    /// The dwelling is empty.
    Vacant,
}

impl DwellingStatus {
    /// Every status, in filter-menu order.
    pub const ALL: [DwellingStatus; 7] = [
        DwellingStatus::NotStarted,
        DwellingStatus::InProgress,
        DwellingStatus::SentBack,
        DwellingStatus::Complete,
        DwellingStatus::Refused,
        DwellingStatus::Absent,
        DwellingStatus::Vacant,
    ];

    /// The i18n key of the status name.
    pub fn key(self) -> &'static str {
        match self {
            DwellingStatus::NotStarted => "status_not_started",
            DwellingStatus::InProgress => "status_in_progress",
            DwellingStatus::SentBack => "status_sent_back",
            DwellingStatus::Complete => "status_complete",
            DwellingStatus::Refused => "status_refused",
            DwellingStatus::Absent => "status_absent",
            DwellingStatus::Vacant => "status_vacant",
        }
    }
}

/// A dwelling in the district list.
#[derive(Debug, Clone, Default)]
pub struct DwellingRow {
    /// Building number in the district.
    pub building_no: u32,
    /// Dwelling number in the building.
    pub dwelling_no: u32,
    /// Description (floor, door).
    pub description: String,
    /// Occupancy, in the current language.
    pub occupancy: String,
    /// Interview status.
    pub status: DwellingStatus,
    /// Revisit appointment, formatted, if any.
    pub revisit: Option<String>,
    /// The supervisor's comment when the office sent the case back.
    pub office_comment: Option<String>,
}

/// A building in the district list, with its dwellings.
#[derive(Debug, Clone, Default)]
pub struct BuildingRow {
    /// Building number in the district.
    pub number: u32,
    /// Street address.
    pub address: String,
    /// GPS point, formatted.
    pub gps: Option<String>,
    /// Listed, from cartography awaiting confirmation, or found demolished.
    pub state: BuildingRowState,
    /// Its dwellings.
    pub dwellings: Vec<DwellingRow>,
}

/// What the enumerator has found of a building, as the district screen shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BuildingRowState {
    /// Listed (or confirmed) by the enumerator.
    #[default]
    Listed,
    /// From cartography, not yet confirmed on the ground.
    ToConfirm,
    /// Found demolished or not found.
    Demolished,
}

/// The district screen.
#[derive(Debug, Clone, Default)]
pub struct DistrictView {
    /// District code.
    pub code: String,
    /// District name.
    pub name: String,
    /// Buildings in listing order.
    pub buildings: Vec<BuildingRow>,
}

/// How a question takes its answer.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerKind {
    /// Whole number typed on a numeric field.
    Integer,
    /// Decimal number.
    Decimal,
    /// Free text.
    Text,
    /// One choice among buttons: (code, label).
    Single(Vec<(String, String)>),
    /// Several choices: (code, label).
    Multiple(Vec<(String, String)>),
    /// Yes or no buttons.
    YesNo,
    /// A date typed as `YYYY-MM-DD`.
    Date,
    /// Latitude and longitude typed by hand.
    Gps,
    /// Text only.
    Note,
    /// Computed; shown, never typed.
    Calculated,
}

/// One question as shown on a section page.
#[derive(Debug, Clone)]
pub struct QuestionView {
    /// Question id.
    pub id: String,
    /// Label in the current language.
    pub label: String,
    /// Hint in the current language.
    pub hint: Option<String>,
    /// How it is answered.
    pub kind: AnswerKind,
    /// Current answer.
    pub value: Value,
    /// Whether completion needs it.
    pub required: bool,
    /// A validation message to show under it, in the current language.
    pub message: Option<String>,
}

/// One row of a roster list.
#[derive(Debug, Clone)]
pub struct RowItem {
    /// The row, e.g. `households.1/persons.4`.
    pub path: RowPath,
    /// The row's label (e.g. the person's name) or a numbered placeholder.
    pub label: String,
    /// Status text in the current language.
    pub status: String,
    /// Whether the row has problems that block completion.
    pub has_errors: bool,
    /// A few answers that tell the row apart at a glance (for a person: relationship, sex,
    /// age), in the current language.
    pub details: Vec<String>,
}

/// A roster of the current row (e.g. the persons of a household).
#[derive(Debug, Clone)]
pub struct RosterView {
    /// Roster id.
    pub id: String,
    /// Title in the current language.
    pub label: String,
    /// Name of one row (the level's label), for "Add …".
    pub row_noun: String,
    /// The rows.
    pub rows: Vec<RowItem>,
    /// Whether another row may be added.
    pub can_add: bool,
    /// Whether the roster is asked (its relevance holds).
    pub relevant: bool,
    /// How many of the level's sections come before it in interview order (the
    /// navigation draws it after them).
    pub after_sections: usize,
}

/// A failed check of the current row.
#[derive(Debug, Clone)]
pub struct CheckView {
    /// Check id.
    pub id: String,
    /// Message in the current language.
    pub message: String,
    /// Soft checks may be confirmed with a note.
    pub soft: bool,
    /// The confirmation note, once confirmed.
    pub confirmed: Option<String>,
}

/// One line of the summary.
#[derive(Debug, Clone)]
pub struct BlockingItem {
    /// What is wrong, in the current language (with the row named).
    pub message: String,
    /// Where to fix it.
    pub target: JumpTarget,
}

/// A section tab of the current row.
#[derive(Debug, Clone)]
pub struct SectionTab {
    /// Section title.
    pub label: String,
    /// Whether any of its questions is relevant.
    pub relevant: bool,
}

/// What the questionnaire area shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Page {
    /// The questions of one section of the current row.
    #[default]
    Section,
    /// The rosters of the current row.
    Rosters,
    /// What blocks completion.
    Summary,
}

/// The questionnaire screen.
#[derive(Debug, Clone, Default)]
pub struct QuestionnaireView {
    /// Title: dwelling and address.
    pub title: String,
    /// Path labels from the dwelling to the current row, with their paths.
    pub breadcrumbs: Vec<(String, RowPath)>,
    /// The current row (the root path for the dwelling itself).
    pub row: RowPath,
    /// Sections of the current row.
    pub sections: Vec<SectionTab>,
    /// The section shown.
    pub section: usize,
    /// What is shown.
    pub page: Page,
    /// The questions of the section shown (relevant ones only).
    pub questions: Vec<QuestionView>,
    /// Rosters of the current row.
    pub rosters: Vec<RosterView>,
    /// Failed checks of the current row.
    pub checks: Vec<CheckView>,
    /// Everything that blocks completion of the case.
    pub blocking: Vec<BlockingItem>,
    /// Answered and total relevant required questions.
    pub completion: (u32, u32),
    /// Whether the case is marked complete.
    pub complete: bool,
    /// Question to scroll to once (after a jump).
    pub focus: Option<String>,
    /// What the office said about the case (sent back, refused), shown at the top.
    pub office_notes: Vec<String>,
    /// Whether the questionnaire's texts in the interface language are a draft not yet
    /// reviewed by a native speaker (said under the title).
    pub draft_translation: bool,
    /// Where to go from the last section of a roster's row (a person), if the row is one.
    pub row_end: Option<RowEnd>,
}

/// The ways on from the end of a roster's row: the next row, a new one, or the list.
#[derive(Debug, Clone)]
pub struct RowEnd {
    /// The row holding the roster (the household of a person).
    pub parent: RowPath,
    /// Its title, e.g. `Ménage 1 — Ahmed Benali`.
    pub parent_title: String,
    /// The roster id.
    pub roster: String,
    /// Name of one row, for "Add …".
    pub noun: String,
    /// The following row of the roster and its label, if there is one.
    pub next: Option<(RowPath, String)>,
    /// Whether another row may be added.
    pub can_add: bool,
}

/// One district's line of the coverage table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CoverageRow {
    /// District code (or the word for the total line).
    pub code: String,
    /// Households expected by the cartography.
    pub expected_households: u64,
    /// Dwellings listed.
    pub dwellings_listed: u64,
    /// Of which occupied.
    pub occupied_dwellings: u64,
    /// Households complete.
    pub complete: u64,
    /// Households in progress.
    pub in_progress: u64,
    /// Households refused.
    pub refused: u64,
    /// Households absent, revisit due.
    pub absent: u64,
    /// Persons counted (complete and in-progress households).
    pub persons: u64,
}

/// What kind of problem a coverage line reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// A suspected omission (an occupied dwelling without a household, a district behind).
    Omission,
    /// Suspected duplicate households.
    Duplicate,
    /// A suspicious interview (too short, outside the district).
    Suspicious,
}

impl ProblemKind {
    /// Every kind, in the order shown.
    pub const ALL: [ProblemKind; 3] = [
        ProblemKind::Omission,
        ProblemKind::Duplicate,
        ProblemKind::Suspicious,
    ];

    /// The heading's translation key (`{n}`: how many).
    pub fn key(self) -> &'static str {
        match self {
            ProblemKind::Omission => "cov_omissions",
            ProblemKind::Duplicate => "cov_duplicates",
            ProblemKind::Suspicious => "cov_suspicious",
        }
    }
}

/// One problem found, in words the controller can act on (already translated).
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageProblem {
    /// Kind.
    pub kind: ProblemKind,
    /// What was found and what to do.
    pub text: String,
}

/// A district's problems.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CoverageDistrict {
    /// District code.
    pub code: String,
    /// District name.
    pub name: String,
    /// Problems found, by kind.
    pub problems: Vec<CoverageProblem>,
    /// Whether the district is on this tablet (its screen can be opened).
    pub on_tablet: bool,
}

/// The coverage screen: computed from the tablet's own data, or the office's report of a
/// reviewer's area once downloaded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CoverageView {
    /// The report's day, `YYYY-MM-DD`.
    pub today: String,
    /// For the office's report of the reviewer's area: when it was downloaded (formatted).
    pub as_of: Option<String>,
    /// The roll-ups above the district (control sectors, supervision zones), office report.
    pub areas: Vec<CoverageRow>,
    /// The controller's or supervisor's card (sign-in, area sync).
    pub reviewer: super::reviewer_card::ReviewerCard,
    /// One line per district.
    pub rows: Vec<CoverageRow>,
    /// The total line (when more than one district).
    pub total: Option<CoverageRow>,
    /// The districts with what was found in each.
    pub districts: Vec<CoverageDistrict>,
    /// Cases whose data could not be read (counted without persons), with why.
    pub unreadable: Vec<String>,
    /// The map's dots: dwellings whose position is known.
    pub map: Vec<super::coverage_map::MapDot>,
}
