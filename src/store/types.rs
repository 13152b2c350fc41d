//! The store's typed values: ids, statuses, cases, events, assignment and progress.

use std::fmt;
use std::str::FromStr;

use census_core::GpsPoint;
use census_core::coverage::Hierarchy;
use census_core::sampling::SamplingPlan;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// A case's id (a random UUID, also the id the server sees).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CaseId(pub uuid::Uuid);

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for CaseId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<CaseId, uuid::Error> {
        uuid::Uuid::parse_str(s).map(CaseId)
    }
}

/// A case's revision: bumped by every change to the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Revision(pub i64);

/// Where a household's interview stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Not opened yet.
    NotStarted,
    /// At least one answer saved.
    InProgress,
    /// Interview finished.
    Complete,
    /// The household refused.
    Refused,
    /// Nobody at home; a revisit appointment may be set.
    Absent,
    /// The dwelling is vacant.
    Vacant,
}

impl CaseStatus {
    /// All statuses, in display order.
    pub const ALL: [CaseStatus; 6] = [
        CaseStatus::NotStarted,
        CaseStatus::InProgress,
        CaseStatus::Complete,
        CaseStatus::Refused,
        CaseStatus::Absent,
        CaseStatus::Vacant,
    ];

    /// The stored text form.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::NotStarted => "not_started",
            CaseStatus::InProgress => "in_progress",
            CaseStatus::Complete => "complete",
            CaseStatus::Refused => "refused",
            CaseStatus::Absent => "absent",
            CaseStatus::Vacant => "vacant",
        }
    }

    /// Parses the stored text form.
    pub fn parse(text: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Paradata recorded with each change: the screen shown and the GPS fix when known.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventContext {
    /// The screen (or question) the change was made on.
    pub screen: String,
    /// The last GPS fix, when known.
    pub gps: Option<GpsPoint>,
}

/// What identifies a new household case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    /// Questionnaire id.
    pub questionnaire_id: String,
    /// Questionnaire version.
    pub questionnaire_version: String,
    /// Census district.
    pub district_id: String,
    /// Building number in the district.
    pub building_no: u32,
    /// Dwelling number in the building.
    pub dwelling_no: u32,
    /// Household number in the dwelling.
    pub household_no: u32,
    /// Whether the household takes the long form.
    pub long_form: bool,
}

/// A case's stored metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseMeta {
    /// Case id.
    pub case_id: CaseId,
    /// Questionnaire id.
    pub questionnaire_id: String,
    /// Questionnaire version.
    pub questionnaire_version: String,
    /// Census district.
    pub district_id: String,
    /// Building number.
    pub building_no: u32,
    /// Dwelling number.
    pub dwelling_no: u32,
    /// Household number.
    pub household_no: u32,
    /// Status.
    pub status: CaseStatus,
    /// Revisit appointment (local time), for absent households.
    pub revisit_at: Option<NaiveDateTime>,
    /// Visits made.
    pub visits: u32,
    /// Long-form household.
    pub long_form: bool,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change time.
    pub updated_at: DateTime<Utc>,
    /// Revision, bumped on every change.
    pub revision: Revision,
}

/// A confirmed soft check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// Row the check applies to.
    pub row_path: String,
    /// Check id.
    pub check_id: String,
    /// The enumerator's note.
    pub note: String,
}

/// Everything stored for one case.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCase {
    /// Metadata.
    pub meta: CaseMeta,
    /// Roster rows `(row_path, position)`, ordered by path then position.
    pub rows: Vec<(String, usize)>,
    /// Answers `(row_path, item_id, value)`, ordered by path then item.
    pub answers: Vec<(String, String, serde_json::Value)>,
    /// Confirmed soft checks.
    pub confirmations: Vec<Confirmation>,
}

/// One entry of a case's append-only event log (paradata).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Sequence number within the case, from 1.
    pub seq: i64,
    /// When it happened (for an answer typed in several keystrokes, the first one).
    pub at: DateTime<Utc>,
    /// For an answer typed in several keystrokes coalesced into this one event, the last
    /// keystroke's time (`None` for other events and for logs written before coalescing).
    pub last_at: Option<DateTime<Utc>>,
    /// Kind: `case_created`, `answer`, `row_added`, `row_removed`, `rows_saved`,
    /// `check_confirmed`, `status_changed`, `visit_started`.
    pub kind: String,
    /// Row concerned.
    pub row_path: Option<String>,
    /// Item concerned.
    pub item_id: Option<String>,
    /// Value before.
    pub old: Option<serde_json::Value>,
    /// Value after.
    pub new: Option<serde_json::Value>,
    /// Screen shown.
    pub screen: String,
    /// GPS fix when known.
    pub gps: Option<GpsPoint>,
}

/// A case revision waiting to be sent (or sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// Case id.
    pub case_id: CaseId,
    /// The revision to send.
    pub revision: Revision,
    /// When that revision was queued.
    pub queued_at: DateTime<Utc>,
}

/// A district assignment as delivered by the office.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    /// The districts assigned to this enumerator.
    pub districts: Vec<District>,
}

/// One census district with its expected counts, sampling plan and listed buildings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct District {
    /// District id.
    pub district_id: String,
    /// Display name.
    pub name: String,
    /// Expected number of buildings (from cartography).
    pub expected_buildings: u32,
    /// Expected number of dwellings.
    pub expected_dwellings: u32,
    /// Expected number of households.
    pub expected_households: u32,
    /// Long-form sampling parameters.
    pub sampling: SamplingPlan,
    /// The areas above the district (control sector, supervision zone, commune, province,
    /// region); `None` for a district stored before the store kept them, until the next
    /// assignment download.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hierarchy: Option<Hierarchy>,
    /// Buildings already listed by cartography.
    #[serde(default)]
    pub buildings: Vec<Building>,
}

/// A building, with its dwellings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Building {
    /// Building number in the district.
    pub building_no: u32,
    /// Address or description.
    pub address: String,
    /// Location, when known.
    pub gps: Option<GpsPoint>,
    /// Whether the enumerator listed it, cartography's record awaits confirmation, or it was
    /// found demolished.
    #[serde(default)]
    pub state: BuildingState,
    /// Dwellings in the building.
    #[serde(default)]
    pub dwellings: Vec<Dwelling>,
}

/// Where a building of the listing stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuildingState {
    /// Listed by the enumerator, or cartography's building confirmed on the ground.
    #[default]
    Listed,
    /// From cartography, not yet seen by the enumerator: not counted as listed.
    ToConfirm,
    /// Found demolished or not found on the ground: not counted, no dwellings.
    Demolished,
}

impl BuildingState {
    /// The stored text form.
    pub fn as_str(self) -> &'static str {
        match self {
            BuildingState::Listed => "listed",
            BuildingState::ToConfirm => "to_confirm",
            BuildingState::Demolished => "demolished",
        }
    }

    /// Parses the stored text form.
    pub fn parse(text: &str) -> Option<BuildingState> {
        [
            BuildingState::Listed,
            BuildingState::ToConfirm,
            BuildingState::Demolished,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// Whether a dwelling is lived in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Occupancy {
    /// Occupied.
    Occupied,
    /// Vacant.
    Vacant,
    /// Secondary or seasonal residence.
    Secondary,
    /// Not yet known.
    Unknown,
    /// A collective living quarter (boarding school, prison, barracks, hospital, hotel,
    /// worker camp…): its residents are enumerated with the collective questionnaire.
    Collective,
}

impl Occupancy {
    /// The stored text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Occupancy::Occupied => "occupied",
            Occupancy::Vacant => "vacant",
            Occupancy::Secondary => "secondary",
            Occupancy::Unknown => "unknown",
            Occupancy::Collective => "collective",
        }
    }

    /// Parses the stored text form.
    pub fn parse(text: &str) -> Option<Occupancy> {
        [
            Occupancy::Occupied,
            Occupancy::Vacant,
            Occupancy::Secondary,
            Occupancy::Unknown,
            Occupancy::Collective,
        ]
        .into_iter()
        .find(|o| o.as_str() == text)
    }
}

/// A dwelling in a building.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dwelling {
    /// Dwelling number in the building.
    pub dwelling_no: u32,
    /// Occupancy.
    pub occupancy: Occupancy,
    /// Free description (floor, door).
    #[serde(default)]
    pub description: String,
}

/// A district's progress, computed from the stored data.
#[derive(Debug, Clone, PartialEq)]
pub struct DistrictProgress {
    /// Expected buildings.
    pub expected_buildings: u32,
    /// Buildings listed.
    pub buildings_listed: u32,
    /// Expected dwellings.
    pub expected_dwellings: u32,
    /// Dwellings listed.
    pub dwellings_listed: u32,
    /// Expected households.
    pub expected_households: u32,
    /// Household cases by status (every status present, possibly 0).
    pub households_by_status: Vec<(CaseStatus, u32)>,
    /// Absent households whose revisit appointment falls on the requested date.
    pub revisits_due: Vec<CaseMeta>,
}

/// A listed building as it is sent to the office (see [`Store::listing`](super::Store::listing)).
#[derive(Debug, Clone, PartialEq)]
pub struct ListedBuildingRow {
    /// District.
    pub district_id: String,
    /// Building number in the district.
    pub building_no: u32,
    /// Location, when known.
    pub gps: Option<GpsPoint>,
    /// Listed, or found demolished (buildings still to confirm are not sent).
    pub state: BuildingState,
    /// When it was listed on this tablet, RFC 3339 (UTC, microseconds).
    pub listed_at: String,
}

/// A listed dwelling as it is sent to the office.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedDwellingRow {
    /// District.
    pub district_id: String,
    /// Building number.
    pub building_no: u32,
    /// Dwelling number in the building.
    pub dwelling_no: u32,
    /// Occupancy.
    pub occupancy: Occupancy,
    /// When it was listed on this tablet, RFC 3339 (UTC, microseconds).
    pub listed_at: String,
}

/// The tablet's whole listing of its assigned districts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredListing {
    /// Buildings, by district then number.
    pub buildings: Vec<ListedBuildingRow>,
    /// Dwellings, by district, building, then number.
    pub dwellings: Vec<ListedDwellingRow>,
}

impl StoredListing {
    /// The newest `listed_at` of the listing (the text form sorts as time does), `None`
    /// when nothing is listed.
    pub fn newest_listed_at(&self) -> Option<&str> {
        let buildings = self.buildings.iter().map(|b| b.listed_at.as_str());
        let dwellings = self.dwellings.iter().map(|d| d.listed_at.as_str());
        buildings.chain(dwellings).max()
    }

    /// The oldest `listed_at`, `None` when nothing is listed.
    pub fn oldest_listed_at(&self) -> Option<&str> {
        let buildings = self.buildings.iter().map(|b| b.listed_at.as_str());
        let dwellings = self.dwellings.iter().map(|d| d.listed_at.as_str());
        buildings.chain(dwellings).min()
    }
}
