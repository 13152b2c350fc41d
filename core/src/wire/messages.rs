//! The server's replies and the downloads: batch results, assignment, review decisions,
//! office key, questionnaire list, enrolment, and the JSON error body.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::types::QuestionnaireRef;
use crate::sampling::SamplingPlan;
use crate::value::GpsPoint;

/// What the server did with one case of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CaseOutcome {
    /// Stored at this revision: the device may mark the case as sent.
    Stored,
    /// The server already had this revision or a newer one: also an acknowledgement.
    AlreadyHad,
    /// Not stored; the device keeps the case and shows the reason.
    Rejected {
        /// Why, in words.
        reason: String,
    },
    /// Not stored: the device sends only the events the office has not acknowledged, and
    /// this batch's start at a later event than the office holds (the office lost events
    /// it had acknowledged, e.g. restored from a backup). The device sends the case again
    /// with its events after `after`.
    NeedsEvents {
        /// The last event seq of this case the office holds.
        after: u64,
    },
}

impl CaseOutcome {
    /// Whether the device may mark the case (at this revision) as sent.
    pub fn is_acknowledged(&self) -> bool {
        matches!(self, CaseOutcome::Stored | CaseOutcome::AlreadyHad)
    }
}

/// The result for one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseResult {
    /// The case.
    pub case_id: Uuid,
    /// The revision sent.
    pub revision: u64,
    /// What happened.
    pub outcome: CaseOutcome,
}

/// The server's answer to a batch: one result per case, in the batch's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchReply {
    /// The batch answered.
    pub batch_id: Uuid,
    /// One result per case.
    pub results: Vec<CaseResult>,
}

/// A building of the cartographic frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameBuilding {
    /// Building number within the district.
    pub building_number: u32,
    /// Location, when cartography has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gps: Option<GpsPoint>,
    /// Free description (street, landmark).
    #[serde(default)]
    pub description: String,
}

/// One census district (DR) assigned to a device, with its place in the hierarchy and
/// its expected counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignedDistrict {
    /// District id.
    pub district_id: String,
    /// Control sector id.
    pub control_sector: String,
    /// Supervision zone id.
    pub supervision_zone: String,
    /// Commune.
    pub commune: String,
    /// Province.
    pub province: String,
    /// Region.
    pub region: String,
    /// Expected buildings (cartography).
    pub expected_buildings: u32,
    /// Expected dwellings.
    pub expected_dwellings: u32,
    /// Expected households.
    pub expected_households: u32,
    /// Long-form sampling plan of the district.
    pub sampling: SamplingPlan,
    /// Buildings of the frame (may be empty when cartography has none).
    #[serde(default)]
    pub buildings: Vec<FrameBuilding>,
    /// The published questionnaires the district's new cases use: at most one per
    /// population (household, collective). Empty from an office that publishes none (the
    /// tablet then keeps what it has).
    #[serde(default)]
    pub questionnaires: Vec<PublishedQuestionnaire>,
}

/// A questionnaire the office published, as named in an assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedQuestionnaire {
    /// Questionnaire id (e.g. `rgph2024`).
    pub id: String,
    /// Version (e.g. `1.0.0`); a published `id@version` never changes.
    pub version: String,
    /// Whom it counts (from its `coverage` block).
    pub population: crate::coverage::Population,
    /// SHA-256 of the file's bytes as published, lowercase hex: the tablet checks the
    /// download against it (`GET /v1/questionnaires/{id}/{version}`).
    pub sha256: String,
}

/// An office public key (X25519) with its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedKey {
    /// [`key_id`] of the key.
    pub key_id: String,
    /// The 32-byte public key, standard base64.
    pub public_key: String,
}

impl PublishedKey {
    /// The published form of `public_key`.
    pub fn new(public_key: &[u8; 32]) -> PublishedKey {
        PublishedKey {
            key_id: key_id(public_key),
            public_key: super::b64_encode(public_key),
        }
    }
}

/// A public key's id (its fingerprint): the first 8 bytes of its SHA-256, as 16 lowercase
/// hex digits. Printed by the office's tools, carried in key files and provisioning files,
/// pinned by the tablet at enrolment.
pub fn key_id(public_key: &[u8; 32]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, public_key);
    digest.as_ref()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The SHA-256 of `bytes`, lowercase hex: how a published questionnaire is named by its
/// contents.
pub fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The office's public keys, as a tablet downloads them at enrolment and with every
/// assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeKeys {
    /// The key batches are sealed to now (a new one is announced here when the office
    /// rotates it; batches sealed to an older one stay readable at the office).
    pub batch: PublishedKey,
    /// The recovery key a tablet seals its database key to (its private half is kept
    /// offline); `None` while the office has not set one: a tablet then refuses to enrol.
    #[serde(default)]
    pub recovery: Option<PublishedKey>,
}

impl AssignedDistrict {
    /// The areas above the district.
    pub fn hierarchy(&self) -> crate::coverage::Hierarchy {
        crate::coverage::Hierarchy {
            control_sector: self.control_sector.clone(),
            supervision_zone: self.supervision_zone.clone(),
            commune: self.commune.clone(),
            province: self.province.clone(),
            region: self.region.clone(),
        }
    }
}

/// A device's assignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    /// The enumerator the device is enrolled for.
    pub enumerator_id: String,
    /// The districts the device may write.
    pub districts: Vec<AssignedDistrict>,
    /// The office's public keys now (checked against those pinned at enrolment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office_keys: Option<OfficeKeys>,
}

/// A supervisor's decision on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Approved: nothing more to do.
    Approved,
    /// Sent back: the case reopens on the tablet with the comment.
    SentBack,
}

impl Decision {
    /// The decision's text, as on the wire and in both stores: `approved` or `sent_back`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approved => "approved",
            Decision::SentBack => "sent_back",
        }
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text that is not a review decision (neither `approved` nor `sent_back`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownDecision(pub String);

impl std::fmt::Display for UnknownDecision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:?} is not a review decision (approved or sent_back)",
            self.0
        )
    }
}

impl std::error::Error for UnknownDecision {}

impl std::str::FromStr for Decision {
    type Err = UnknownDecision;

    fn from_str(text: &str) -> Result<Decision, UnknownDecision> {
        match text {
            "approved" => Ok(Decision::Approved),
            "sent_back" => Ok(Decision::SentBack),
            other => Err(UnknownDecision(other.to_owned())),
        }
    }
}

impl PartialEq<&str> for Decision {
    fn eq(&self, text: &&str) -> bool {
        self.as_str() == *text
    }
}

/// A review decision, downloaded by the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewDecision {
    /// Cursor position of this decision (increasing).
    pub cursor: u64,
    /// The case.
    pub case_id: Uuid,
    /// The revision reviewed.
    pub revision: u64,
    /// Approved or sent back.
    pub decision: Decision,
    /// The reviewer's comment.
    #[serde(default)]
    pub comment: String,
    /// When, RFC 3339.
    pub at: String,
}

/// A page of review decisions after a cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewDecisions {
    /// The decisions, by increasing cursor.
    pub decisions: Vec<ReviewDecision>,
    /// The cursor to ask from next time (the last decision's, or the one asked).
    pub next_cursor: u64,
}

/// The office's public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeKey {
    /// X25519 public key, standard base64 (32 bytes).
    pub office_public_key: String,
}

/// The questionnaires the office accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionnaireList {
    /// Questionnaire ids and versions.
    pub questionnaires: Vec<QuestionnaireRef>,
}

/// Enrolment request: a device presents a one-time code issued by the office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolRequest {
    /// The one-time code.
    pub code: String,
    /// The device's id (stable for the device).
    pub device_id: String,
    /// The device's Ed25519 public key, standard base64 (32 bytes).
    pub device_public_key: String,
    /// The enumerator the code was issued for.
    pub enumerator_id: String,
}

/// Enrolment reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrolReply {
    /// Bearer token for every later request. A secret: store it encrypted, never log it.
    pub device_token: String,
    /// The office's X25519 public key, standard base64.
    pub office_public_key: String,
    /// The device's assignment.
    pub assignment: Assignment,
    /// The office's public keys with their ids (the batch key above among them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office_keys: Option<OfficeKeys>,
}

/// The JSON body of every error reply (4xx and 5xx).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable machine code (e.g. `bad_signature`, `unknown_device`, `too_large`).
    pub error: String,
    /// Explanation in words.
    pub message: String,
}
