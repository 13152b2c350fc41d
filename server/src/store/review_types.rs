//! Records of coverage and review: who may see what (roles and scopes), the review queue,
//! a case's history, map points, frame buildings and district extents.

use census_core::coverage::{Boundary, BoundingBox, Level};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a signed-in user may do. Every role sees only the districts of its scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An enumerator's device: its own districts, read only.
    Enumerator,
    /// A controller: a control sector; approves and sends back.
    Controller,
    /// A supervisor: a supervision zone; approves and sends back.
    Supervisor,
    /// Statistics office staff: any area; publications and exports.
    Office,
}

impl Role {
    /// The stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Enumerator => "enumerator",
            Role::Controller => "controller",
            Role::Supervisor => "supervisor",
            Role::Office => "office",
        }
    }

    /// Parses the text form.
    pub fn parse(text: &str) -> Option<Role> {
        [
            Role::Enumerator,
            Role::Controller,
            Role::Supervisor,
            Role::Office,
        ]
        .into_iter()
        .find(|r| r.as_str() == text)
    }

    /// Whether the role may approve or send back cases.
    pub fn may_review(self) -> bool {
        self >= Role::Controller
    }

    /// The level a scope of this role is expected at (office staff may take any).
    pub fn scope_level(self) -> Option<Level> {
        match self {
            Role::Enumerator => Some(Level::District),
            Role::Controller => Some(Level::ControlSector),
            Role::Supervisor => Some(Level::SupervisionZone),
            Role::Office => None,
        }
    }
}

/// A reviewer account to create (its token's hash only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReviewer {
    /// SHA-256 of the bearer token.
    pub token_hash: [u8; 32],
    /// Name shown in the history of decisions.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Level of the scope.
    pub scope_level: Level,
    /// Area id at that level (`national` for the whole country).
    pub scope_id: String,
}

/// A reviewer as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reviewer {
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Level of the scope.
    pub scope_level: Level,
    /// Area id.
    pub scope_id: String,
}

/// The districts a query may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every district (office staff at the national level).
    All,
    /// These districts only.
    Districts(Vec<String>),
}

impl Scope {
    /// Whether `district_id` is in the scope.
    pub fn contains(&self, district_id: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Districts(ids) => ids.iter().any(|d| d == district_id),
        }
    }
}

/// A building of the cartographic frame, as imported.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameBuildingRow {
    /// District.
    pub district_id: String,
    /// Building number.
    pub building_number: u32,
    /// Latitude, longitude.
    pub gps: Option<(f64, f64)>,
    /// Description.
    pub description: String,
}

/// A district's extent, as imported.
#[derive(Debug, Clone, PartialEq)]
pub struct DistrictExtent {
    /// District.
    pub district_id: String,
    /// Its box (the box of its boundary, when it has one).
    pub bbox: BoundingBox,
    /// Its boundary, when cartography drew one.
    pub boundary: Option<Boundary>,
}

impl DistrictExtent {
    /// The boundary as stored (JSON), when there is one.
    pub fn boundary_json(&self) -> Result<Option<String>, super::StoreError> {
        self.boundary
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| super::StoreError::Backend(format!("district boundary: {e}")))
    }
}

/// A completed case waiting for a decision: defined with the review API's other wire shapes
/// in census-core, so that the server and the tablets share one definition.
pub use census_core::wire::QueueEntry;

/// One stored revision of a case with the events it brought.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevisionEvents {
    /// Revision.
    pub revision: u64,
    /// Events stored with it.
    pub events: serde_json::Value,
}

/// A case's stored revisions with their events and its decisions, oldest first: what the
/// export writes beside a case's answers, read for a whole page of cases at once
/// ([`crate::store::Storage::case_records`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseRecords {
    /// Revisions with their events, oldest first.
    pub revisions: Vec<RevisionEvents>,
    /// Decisions, oldest first.
    pub decisions: Vec<HistoryDecision>,
}

/// A decision in a case's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryDecision {
    /// Revision decided on.
    pub revision: u64,
    /// `approved` or `sent_back`.
    pub decision: String,
    /// Comment.
    pub comment: String,
    /// When (RFC 3339, the office's clock).
    pub at: String,
    /// Who decided: the reviewer's name (`None` for decisions stored before names were).
    #[serde(default)]
    pub reviewer: Option<String>,
    /// The reviewer's role (`controller`, `supervisor`, `office`).
    #[serde(default)]
    pub reviewer_role: Option<String>,
    /// The revision the reviewer said they read (`None` when they did not say; the decision
    /// then applies to `revision`, the one the office held).
    #[serde(default)]
    pub revision_read: Option<u64>,
}

/// A review decision to record, with who made it and what they read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReview {
    /// The case.
    pub case_id: Uuid,
    /// Approve or send back.
    pub decision: census_core::wire::Decision,
    /// Comment for the enumerator.
    pub comment: String,
    /// The reviewer's name.
    pub reviewer: String,
    /// The reviewer's role.
    pub reviewer_role: Role,
    /// The revision the reviewer read: the decision is refused when the office holds
    /// another ([`super::StoreError::CaseChanged`]).
    pub revision_read: Option<u64>,
}

/// The name recorded for decisions made with `census-server review` without `--reviewer`.
pub const COMMAND_LINE_REVIEWER: &str = "office (command line)";

/// Everything known of a case: where it is, its current status, every revision's events and
/// every decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseHistory {
    /// Case.
    pub case_id: Uuid,
    /// District.
    pub district_id: String,
    /// Current status.
    pub status: String,
    /// Current revision.
    pub revision: u64,
    /// Revisions with their events, oldest first.
    pub revisions: Vec<RevisionEvents>,
    /// Decisions, oldest first.
    pub decisions: Vec<HistoryDecision>,
}

/// A decision with the place of its case, for the review page's list of decisions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlacedDecision {
    /// The case.
    pub case_id: Uuid,
    /// Its district.
    pub district_id: String,
    /// Building number.
    pub building_number: u32,
    /// Dwelling number.
    pub dwelling_number: u32,
    /// Household number (absent for a dwelling-only case).
    pub household_number: Option<u32>,
    /// The head of household's name as written, when known.
    pub head_name: Option<String>,
    /// The decision with who made it, when and on which revision.
    pub decision: HistoryDecision,
}

/// A point of the coverage map: defined with the review API's other wire shapes in
/// census-core.
pub use census_core::wire::MapPoint;
