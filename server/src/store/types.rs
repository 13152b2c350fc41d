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
            questionnaires: Vec::new(),
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
    /// Enumerator id claimed (empty: the one the code was issued for).
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
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// No such enrolment code.
    #[error("this enrolment code is not known")]
    CodeUnknown,
    /// The code was used already.
    #[error("this enrolment code was already used")]
    CodeUsed,
    /// The code was issued for another enumerator.
    #[error("this enrolment code was issued for another enumerator")]
    EnumeratorMismatch,
    /// The batch id was already used by another device.
    #[error("this batch id was already used by another device")]
    BatchIdTaken,
    /// No such case (review of an unknown case).
    #[error("no case {0}")]
    NoSuchCase(Uuid),
    /// The device id is enrolled, not revoked, and bound to another signing key.
    #[error(
        "this device id is enrolled by another tablet (another signing key): the office must \
         revoke it (census-server revoke-device) before it is enrolled again"
    )]
    DeviceIdTaken,
    /// The case changed since the revision the reviewer read.
    #[error(
        "the enumerator changed this case after you read it (revision {read}, now {now}): \
         review it again"
    )]
    CaseChanged {
        /// The revision the reviewer read.
        read: u64,
        /// The revision the office holds.
        now: u64,
    },
    /// Only a completed case may be approved; this one has the status given.
    #[error("only a completed case can be approved; this one is {0:?} (it may be sent back)")]
    NotComplete(String),
    /// The database's schema is newer than this build knows (a newer server migrated it).
    #[error(
        "the database's schema is at version {found}, newer than this census-server knows (up \
         to {known}): a newer census-server has upgraded it; run that version (or a database \
         restored from a backup made for this one)"
    )]
    SchemaTooNew {
        /// The version the database holds.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
    /// The database failed (message for the operator's log; no personal data).
    #[error("database error: {0}")]
    Backend(String),
}

// The database drivers' errors become `Backend` with their words, so that the stores use `?`
// (`#[from]` would hold the source error, which is neither `Clone` nor `Eq`, and callers
// compare store errors).
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Backend(e.to_string())
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> StoreError {
        // The driver's own text is only "db error": the server's message says what failed.
        match e.as_db_error() {
            Some(db) => StoreError::Backend(format!(
                "{} ({}){}",
                db.message(),
                db.code().code(),
                db.detail().map(|d| format!(": {d}")).unwrap_or_default()
            )),
            None => StoreError::Backend(e.to_string()),
        }
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> StoreError {
        match e {
            deadpool_postgres::PoolError::Backend(e) => StoreError::from(e),
            other => StoreError::Backend(format!("no database connection: {other}")),
        }
    }
}

impl From<deadpool_postgres::BuildError> for StoreError {
    fn from(e: deadpool_postgres::BuildError) -> StoreError {
        StoreError::Backend(format!("cannot build the connection pool: {e}"))
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> StoreError {
        StoreError::Backend(format!("stored JSON: {e}"))
    }
}

impl From<uuid::Error> for StoreError {
    fn from(e: uuid::Error) -> StoreError {
        StoreError::Backend(format!("stored id: {e}"))
    }
}

impl From<std::num::TryFromIntError> for StoreError {
    fn from(e: std::num::TryFromIntError) -> StoreError {
        StoreError::Backend(format!("stored number out of range: {e}"))
    }
}

impl From<census_core::wire::UnknownDecision> for StoreError {
    fn from(e: census_core::wire::UnknownDecision) -> StoreError {
        StoreError::Backend(format!("a stored decision is unreadable: {e}"))
    }
}
