//! The review API's messages (`/v1/review/…`), shared by the office's server and the
//! controllers' and supervisors' tablets: the queue of completed cases waiting for a decision,
//! and a decision with the office's reply. JSON Schema: `schemas/wire/review.schema.json`.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::messages::Decision;

/// A completed case waiting for a decision at its current revision (one element of the JSON
/// array of `GET /v1/review/queue`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueEntry {
    /// The case.
    pub case_id: Uuid,
    /// The revision to decide on (the latest the office holds).
    pub revision: u64,
    /// Its census district.
    pub district_id: String,
    /// Building number in the district.
    pub building_number: u32,
    /// Dwelling number in the building.
    pub dwelling_number: u32,
    /// Household number in the dwelling (absent for a dwelling-only case).
    pub household_number: Option<u32>,
    /// The enumerator who sent it.
    pub enumerator_id: String,
    /// Persons counted in the household.
    pub persons: u32,
    /// Active interviewing minutes (from the case's event log).
    pub minutes: f64,
    /// When the case last changed on the enumerator's tablet (RFC 3339).
    pub updated_at: String,
    /// The head of household's name as written on the tablet, when the case names one
    /// (absent from offices older than this field, and for cases stored before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_name: Option<String>,
    /// Soft checks the enumerator confirmed with a note (a problem the controller should
    /// read before deciding).
    #[serde(default)]
    pub soft_checks: u32,
}

/// A point of the coverage map (one element of the JSON array of `GET /v1/coverage/map`):
/// a case where its position is known, or an occupied dwelling without a case at its
/// building's position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapPoint {
    /// Its census district.
    pub district_id: String,
    /// Latitude (WGS 84).
    pub lat: f64,
    /// Longitude (WGS 84).
    pub lon: f64,
    /// The case's status, or `not_enumerated` for an occupied dwelling without a case.
    pub status: String,
}

/// A reviewer's decision on a case (`POST /v1/review/cases/{case_id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRequest {
    /// `approved` or `sent_back`.
    pub decision: Decision,
    /// What the enumerator must correct: required (not blank) when sending back, at most
    /// 2000 characters; it is shown on the enumerator's tablet, which reopens the case.
    #[serde(default)]
    pub comment: String,
    /// The revision the reviewer saw (from the queue). When given and the office holds a
    /// newer one — the enumerator changed the case since — the decision is refused with 409
    /// `case_changed`, so that nobody approves what they did not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<u64>,
}

/// The office's reply to a decision it recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionReply {
    /// The decision's position in the office's stream of decisions (devices download the
    /// decisions after a cursor, `GET /v1/reviews?since=N`).
    pub cursor: u64,
}
