//! The sync wire format: batch payloads, replies and downloads (serde types), and the
//! crypto that makes a batch readable only by the office and unforgeable in transit.
//!
//! - [`types`]: what a device sends ([`BatchPayload`], [`CaseRecord`], [`EventRecord`]).
//! - [`messages`]: replies and downloads ([`BatchReply`], [`Assignment`],
//!   [`ReviewDecision`], enrolment).
//! - [`seal`]: ephemeral X25519 + HKDF-SHA256 + AES-256-GCM to the office's key.
//! - [`sign`]: device Ed25519 keys.
//! - [`batch`]: [`build_batch`] / [`open_batch`] and the envelope bytes.
//! - [`review`]: the review API of controllers and supervisors ([`QueueEntry`],
//!   [`DecisionRequest`], [`DecisionReply`]).
//!
//! JSON Schemas: `schemas/wire/`; HTTP endpoints: `schemas/openapi.yaml`.

pub mod batch;
pub mod error;
pub mod messages;
pub mod review;
pub mod seal;
pub mod sign;
pub mod types;

#[cfg(test)]
mod tests;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

pub use batch::{
    MAX_INFLATED_BYTES, SignedBatch, build_batch, check_payload_matches, gzip, inflate_capped,
    open_batch, open_signed_batch, open_signed_batch_json, seal_and_sign,
};
pub use error::WireError;
pub use messages::{
    AssignedDistrict, Assignment, BatchReply, CaseOutcome, CaseResult, Decision, EnrolReply,
    EnrolRequest, ErrorBody, FrameBuilding, OfficeKey, OfficeKeys, PublishedKey,
    PublishedQuestionnaire, QuestionnaireList, ReviewDecision, ReviewDecisions, UnknownDecision,
    key_id, sha256_hex,
};
pub use review::{DecisionReply, DecisionRequest, MapPoint, QueueEntry};
pub use seal::{OfficeSecret, SEAL_VERSION, open_as_office, seal_to_office};
pub use sign::{DeviceKey, verify_device_signature};
pub use types::{
    BatchPayload, CaseRecord, EventRecord, ListedBuildingRecord, ListedDwellingRecord, Listing,
    QuestionnaireRef,
};

/// The wire format version this build writes and the newest it reads.
pub const WIRE_VERSION: u32 = 1;

/// Standard base64 (with padding), as used for keys in JSON messages.
pub fn b64_encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes standard base64.
pub fn b64_decode(text: &str) -> Result<Vec<u8>, WireError> {
    STANDARD
        .decode(text.trim())
        .map_err(|e| WireError::BadKey(format!("not base64: {e}")))
}

/// Decodes a base64 32-byte key (X25519 or Ed25519 public key).
pub fn decode_key32(text: &str) -> Result<[u8; 32], WireError> {
    let bytes = b64_decode(text)?;
    bytes
        .as_slice()
        .try_into()
        .map_err(|_| WireError::BadKey(format!("key is {} bytes, not 32", bytes.len())))
}
