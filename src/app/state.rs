//! The app's state between frames: the screen, the open store and case, the cached view
//! data the screens draw, and the one error banner.

use census_core::engine::{Case, RowPath};

use super::config::AppConfig;
use crate::i18n::{Lang, Strings, Tr};
use crate::keys::KeyFile;
use crate::store::{CaseId, CaseMeta, Store};
use crate::sync::{SyncHandle, SyncStatus, Waker};
use crate::ui::screens::view::{
    CoverageView, DistrictView, EnrolView, HomeView, Page, QuestionnaireView, UnlockView,
};

/// Which screen is shown.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Screen {
    /// First run.
    #[default]
    Enrol,
    /// Locked.
    Unlock,
    /// My districts.
    Home,
    /// One district (its code).
    District(String),
    /// Coverage of the tablet's districts, or of the reviewer's area.
    Coverage,
    /// The review queue of the reviewer's area.
    Review,
    /// The open case.
    Questionnaire,
}

impl Screen {
    /// The screen's name for the log (never a district's code or a case's data).
    pub fn name(&self) -> &'static str {
        match self {
            Screen::Enrol => "enrol",
            Screen::Unlock => "unlock",
            Screen::Home => "home",
            Screen::District(_) => "district",
            Screen::Coverage => "coverage",
            Screen::Review => "review",
            Screen::Questionnaire => "questionnaire",
        }
    }
}

/// The dwelling case being interviewed.
#[derive(Debug)]
pub struct OpenCase {
    /// Store id.
    pub id: CaseId,
    /// Stored metadata.
    pub meta: CaseMeta,
    /// The engine's state of the case.
    pub case: Case,
    /// The row shown.
    pub row: RowPath,
    /// What is shown for that row.
    pub page: Page,
    /// The section shown (index in the row's level).
    pub section: usize,
    /// A question to bring into view once.
    pub focus: Option<String>,
    /// The dwelling's number in the district, e.g. `1.2` (building.dwelling).
    pub number: String,
    /// The building's address.
    pub address: String,
    /// What the office said about this case (a supervisor's comment when it was sent back,
    /// the reason it was refused), in the office's words.
    pub office_notes: Vec<String>,
    /// Rows the enumerator has left for good (gone up or sideways, not down into one of
    /// their rows): their roster checks ("one head", "size = persons") are shown from then on.
    pub rows_left: std::collections::BTreeSet<RowPath>,
    /// Every roster check is shown: the summary was asked for, or the case was reopened
    /// after completion or sent back by the office.
    pub all_checks_due: bool,
    /// Answers the tablet filled from their source (`fill_from`), by row and question, as
    /// filled: one still equal to it follows its source; one the enumerator changed stays.
    pub filled: std::collections::BTreeMap<(RowPath, String), census_core::Value>,
}

/// Cached view data, rebuilt after every command.
#[derive(Debug, Clone, Default)]
pub struct Views {
    /// Enrolment.
    pub enrol: EnrolView,
    /// Unlock.
    pub unlock: UnlockView,
    /// Home.
    pub home: HomeView,
    /// District.
    pub district: DistrictView,
    /// Questionnaire.
    pub questionnaire: QuestionnaireView,
    /// Coverage.
    pub coverage: CoverageView,
    /// Review.
    pub review: crate::ui::screens::review::ReviewView,
}

/// Everything the app holds between frames.
pub struct AppState {
    /// How the app was started.
    pub config: AppConfig,
    /// The interface language.
    pub lang: Lang,
    /// The screens' strings.
    pub strings: Strings,
    /// The screen shown.
    pub screen: Screen,
    /// The key file, once enrolled.
    pub keyfile: Option<KeyFile>,
    /// The enumerator number (from the store's settings once unlocked).
    pub enumerator_id: String,
    /// The open store, once unlocked.
    pub store: Option<Store>,
    /// An enrolment with the office under way.
    pub enrolling: Option<crate::sync::PendingEnrolment>,
    /// The questionnaires installed in the open store (empty while locked).
    pub questionnaires: crate::questionnaires::Questionnaires,
    /// The case being interviewed.
    pub case: Option<OpenCase>,
    /// The error banner (shown once, until dismissed or replaced).
    pub error: Option<String>,
    /// The screens' data.
    pub views: Views,
    /// The sync client, while unlocked with a server configured.
    pub sync: Option<SyncHandle>,
    /// The last sync status taken from [`AppState::sync`].
    pub sync_status: Option<SyncStatus>,
    /// Wakes the UI when the sync status changes (set at the first frame).
    pub waker: Option<Waker>,
    /// When a signed-in reviewer last touched the screen (`None`: no reviewer session open);
    /// the session closes after [`AppConfig::reviewer_idle`] without a touch.
    pub reviewer_last_use: Option<std::time::Instant>,
    /// The place last written to the store for the next start ([`crate::commands::resume`]).
    pub remembered_place: Option<crate::store::ResumePlace>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.config)
            .field("lang", &self.lang)
            .field("screen", &self.screen)
            .field("unlocked", &self.store.is_some())
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// The strings in the current language.
    pub fn tr(&self) -> Tr<'_> {
        Tr {
            strings: &self.strings,
            lang: self.lang,
        }
    }

    /// Shows `message` in the error banner.
    pub fn fail(&mut self, message: String) {
        self.error = Some(message);
    }
}
