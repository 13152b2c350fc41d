//! Records the storage reads and writes, and its error.

use census_core::sampling::SamplingPlan;
use census_core::wire::AssignedDistrict;
use uuid::Uuid;

/// A census district of the frame.
#[derive(Debug, Clone, PartialEq)]
pub struct District {
    /// District id.
    pub district_id: String,
    /// Control sector.
    pub control_sector: String,
    /// Supervision zone.
    pub supervision_zone: String,
    /// Commune.
    pub commune: String,
    /// Province.
    pub province: String,
    /// Region.
    pub region: String,
    /// Expected buildings.
    pub expected_buildings: u32,
    /// Expected dwellings.
    pub expected_dwellings: u32,
    /// Expected households.
    pub expected_households: u32,
    /// Long-form sampling plan.
    pub sampling: SamplingPlan,
}

impl District {
    /// The district as sent in an assignment (no buildings list yet).
    pub fn to_assigned(&self) -> AssignedDistrict {
        AssignedDistrict {
            district_id: self.district_id.clone(),
            control_sector: self.control_sector.clone(),
            supervision_zone: self.supervision_zone.clone(),
            commune: self.commune.clone(),
            province: self.province.clone(),
            region: self.region.clone(),
            expected_buildings: self.expected_buildings,
            expected_dwellings: self.expected_dwellings,
            expected_households: self.expected_households,
            sampling: self.sampling,
            buildings: Vec::new(),
        }
    }
}

/// A one-time enrolment code, as stored (its hash only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCode {
    /// SHA-256 of the normalised code.
    pub code_hash: [u8; 32],
    /// The enumerator it is issued for.
    pub enumerator_id: String,
    /// The districts the enrolled device may write.
    pub districts: Vec<String>,
}

/// An enrolment attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDevice {
    /// SHA-256 of the normalised code presented.
    pub code_hash: [u8; 32],
    /// Device id.
    pub device_id: String,
    /// Enumerator id claimed.
    pub enumerator_id: String,
    /// Ed25519 public key.
    pub public_key: [u8; 32],
    /// SHA-256 of the new bearer token.
    pub token_hash: [u8; 32],
}

/// An enrolled device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    /// Device id.
    pub device_id: String,
    /// Enumerator id.
    pub enumerator_id: String,
    /// Ed25519 public key.
    pub public_key: Vec<u8>,
    /// Districts the device may write.
    pub districts: Vec<String>,
}

/// A stored case (latest revision), for export.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCase {
    /// Case id.
    pub case_id: Uuid,
    /// Revision stored.
    pub revision: u64,
    /// District.
    pub district_id: String,
    /// Building number.
    pub building_number: u32,
    /// Dwelling number.
    pub dwelling_number: u32,
    /// Household number.
    pub household_number: Option<u32>,
    /// Questionnaire id.
    pub questionnaire_id: String,
    /// Questionnaire version.
    pub questionnaire_version: String,
    /// Status.
    pub status: String,
    /// Long-form decision (JSON), if any.
    pub long_form: Option<serde_json::Value>,
    /// The census-case JSON.
    pub case: serde_json::Value,
    /// Last change on the device.
    pub updated_at: String,
    /// Device that sent it.
    pub device_id: String,
}

/// Row counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Stored cases.
    pub cases: u64,
    /// Stored events.
    pub events: u64,
    /// Processed batches.
    pub batches: u64,
}

/// A storage failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// No such enrolment code.
    CodeUnknown,
    /// The code was used already.
    CodeUsed,
    /// The code was issued for another enumerator.
    EnumeratorMismatch,
    /// The batch id was already used by another device.
    BatchIdTaken,
    /// No such case (review of an unknown case).
    NoSuchCase(Uuid),
    /// The device id is enrolled, not revoked, and bound to another signing key.
    DeviceIdTaken,
    /// The case changed since the revision the reviewer read.
    CaseChanged {
        /// The revision the reviewer read.
        read: u64,
        /// The revision the office holds.
        now: u64,
    },
    /// Only a completed case may be approved; this one has the status given.
    NotComplete(String),
    /// The database's schema is newer than this build knows (a newer server migrated it).
    SchemaTooNew {
        /// The version the database holds.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
    /// The database failed (message for the operator's log; no personal data).
    Backend(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::CodeUnknown => write!(f, "this enrolment code is not known"),
            StoreError::CodeUsed => write!(f, "this enrolment code was already used"),
            StoreError::EnumeratorMismatch => {
                write!(f, "this enrolment code was issued for another enumerator")
            }
            StoreError::BatchIdTaken => {
                write!(f, "this batch id was already used by another device")
            }
            StoreError::NoSuchCase(id) => write!(f, "no case {id}"),
            StoreError::DeviceIdTaken => write!(
                f,
                "this device id is enrolled by another tablet (another signing key): the \
                 office must revoke it (census-server revoke-device) before it is enrolled again"
            ),
            StoreError::CaseChanged { read, now } => write!(
                f,
                "the enumerator changed this case after you read it (revision {read}, now \
                 {now}): review it again"
            ),
            StoreError::NotComplete(status) => write!(
                f,
                "only a completed case can be approved; this one is {status:?} (it may be sent \
                 back)"
            ),
            StoreError::SchemaTooNew { found, known } => write!(
                f,
                "the database's schema is at version {found}, newer than this census-server \
                 knows (up to {known}): a newer census-server has upgraded it; run that version \
                 (or a database restored from a backup made for this one)"
            ),
            StoreError::Backend(m) => write!(f, "database error: {m}"),
        }
    }
}

impl std::error::Error for StoreError {}
