//! The batch payload: what a device sends, before compression, sealing and signing.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::sampling::LongFormSelection;
use crate::value::GpsPoint;

/// A questionnaire by id and version.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QuestionnaireRef {
    /// Questionnaire id (e.g. `rgph2024`).
    pub id: String,
    /// Questionnaire version (e.g. `1.0.0`).
    pub version: String,
}

/// One entry of a case's event log (an answer changed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    /// Sequence number within the case, from 1.
    pub seq: u64,
    /// When, RFC 3339.
    pub at: String,
    /// Event kind (e.g. `answer`, `add_row`, `remove_row`, `status`).
    pub kind: String,
    /// Row path (e.g. `households.1/persons.2`), empty for the root.
    pub row_path: String,
    /// Item id, empty when the event is not about one item.
    pub item_id: String,
    /// Value before (answer JSON form; null when none).
    pub old: serde_json::Value,
    /// Value after (answer JSON form; null when none).
    pub new: serde_json::Value,
    /// Screen shown when the event happened, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen: Option<String>,
    /// Position of the device, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gps: Option<GpsPoint>,
    /// For an answer typed in several keystrokes coalesced into this one event (`at` being
    /// the first), the last keystroke's time, RFC 3339; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_at: Option<String>,
}

/// A case at one revision, with its event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseRecord {
    /// The case's id, generated on the tablet.
    pub case_id: Uuid,
    /// Questionnaire id.
    pub questionnaire_id: String,
    /// Questionnaire version.
    pub questionnaire_version: String,
    /// Census district (DR) id.
    pub district_id: String,
    /// Building number within the district.
    pub building_number: u32,
    /// Dwelling number within the building.
    pub dwelling_number: u32,
    /// Household number within the dwelling (none for a dwelling-only case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub household_number: Option<u32>,
    /// Case status (e.g. `in_progress`, `complete`, `refused`, `absent`).
    pub status: String,
    /// Revision, increasing with every saved change on the tablet.
    pub revision: u64,
    /// The long-form decision, when made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long_form: Option<LongFormSelection>,
    /// The case in the engine's `census-case` JSON form.
    pub case: serde_json::Value,
    /// The events the office has not acknowledged yet, in seq order (the whole log the
    /// first time the case is sent).
    #[serde(default)]
    pub events: Vec<EventRecord>,
    /// Last change, RFC 3339.
    pub updated_at: String,
}

/// What a device sends in one batch (before gzip, sealing and signing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchPayload {
    /// Wire format version ([`super::WIRE_VERSION`]).
    pub wire_version: u32,
    /// The batch's id: a resend of the same batch keeps it.
    pub batch_id: Uuid,
    /// The sending device.
    pub device_id: String,
    /// The enumerator signed in on the device.
    pub enumerator_id: String,
    /// When the batch was built, RFC 3339.
    pub created_at: String,
    /// Questionnaire versions the cases use.
    pub questionnaires: Vec<QuestionnaireRef>,
    /// The cases.
    pub cases: Vec<CaseRecord>,
    /// The device's listing of buildings and dwellings (the whole listing of its districts,
    /// idempotent: the office keeps the latest state of each). Absent in older batches.
    #[serde(default, skip_serializing_if = "Listing::is_empty")]
    pub listing: Listing,
}

/// A building as listed on the tablet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListedBuildingRecord {
    /// District.
    pub district_id: String,
    /// Building number within the district.
    pub building_number: u32,
    /// Location, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gps: Option<GpsPoint>,
    /// `true` when the enumerator found it demolished (or not at all) on the ground: the
    /// office stops counting it as listed. Absent: listed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub demolished: bool,
    /// When it was listed, RFC 3339.
    pub listed_at: String,
}

/// A dwelling as listed on the tablet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListedDwellingRecord {
    /// District.
    pub district_id: String,
    /// Building number.
    pub building_number: u32,
    /// Dwelling number within the building.
    pub dwelling_number: u32,
    /// `occupied`, `vacant`, `secondary` or `unknown`.
    pub occupancy: String,
    /// When it was listed, RFC 3339.
    pub listed_at: String,
}

/// The listing part of a batch.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Listing {
    /// Buildings.
    #[serde(default)]
    pub buildings: Vec<ListedBuildingRecord>,
    /// Dwellings.
    #[serde(default)]
    pub dwellings: Vec<ListedDwellingRecord>,
}

impl Listing {
    /// Whether nothing is listed.
    pub fn is_empty(&self) -> bool {
        self.buildings.is_empty() && self.dwellings.is_empty()
    }
}
