//! Building and opening signed, sealed batches.
//!
//! Steps on the device ([`build_batch`]): payload JSON → gzip → seal to the office
//! (aad = batch id ‖ device id) → Ed25519 signature over
//! `"census-batch-sig-v1" ‖ wire version (u32 BE) ‖ batch id (16) ‖ len(device id) (u8) ‖
//! device id ‖ SHA-256(sealed)`.
//!
//! Envelope bytes ([`SignedBatch::to_bytes`], sent as `application/octet-stream`):
//!
//! ```text
//! "CNSB" (4) ‖ wire version (u32 BE) ‖ batch id (16) ‖ len(device id) (u8, 1..=255) ‖
//! device id (UTF-8) ‖ signature (64) ‖ sealed (the rest)
//! ```
//!
//! The office ([`open_batch`]) checks the signature before decrypting anything, then
//! decrypts, inflates with a size cap, parses, and checks that the payload's batch id,
//! device id and wire version are the envelope's.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use ring::digest::{SHA256, digest};
use uuid::Uuid;

use super::WIRE_VERSION;
use super::error::WireError;
use super::seal::{OfficeSecret, open_as_office, seal_to_office};
use super::sign::{DeviceKey, verify_device_signature};
use super::types::BatchPayload;

/// Magic bytes opening every batch envelope.
pub const ENVELOPE_MAGIC: &[u8; 4] = b"CNSB";
/// Largest inflated payload accepted by [`open_batch`]: 64 MiB.
pub const MAX_INFLATED_BYTES: usize = 64 * 1024 * 1024;
const SIG_LABEL: &[u8] = b"census-batch-sig-v1";
const SIG_LEN: usize = 64;

/// A batch ready to send: sealed payload plus the device's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedBatch {
    /// Wire format version of the payload.
    pub wire_version: u32,
    /// The batch id (same as the payload's).
    pub batch_id: Uuid,
    /// The sending device (same as the payload's).
    pub device_id: String,
    /// The sealed, gzip-compressed payload JSON.
    pub sealed: Vec<u8>,
    /// Ed25519 signature (64 bytes).
    pub signature: Vec<u8>,
}

fn aad(batch_id: &Uuid, device_id: &str) -> Vec<u8> {
    let mut a = Vec::with_capacity(16 + device_id.len());
    a.extend_from_slice(batch_id.as_bytes());
    a.extend_from_slice(device_id.as_bytes());
    a
}

fn signed_message(wire_version: u32, batch_id: &Uuid, device_id: &str, sealed: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(SIG_LABEL.len() + 4 + 16 + 1 + device_id.len() + 32);
    m.extend_from_slice(SIG_LABEL);
    m.extend_from_slice(&wire_version.to_be_bytes());
    m.extend_from_slice(batch_id.as_bytes());
    m.push(device_id.len() as u8);
    m.extend_from_slice(device_id.as_bytes());
    m.extend_from_slice(digest(&SHA256, sealed).as_ref());
    m
}

fn check_device_id(device_id: &str) -> Result<(), WireError> {
    if device_id.is_empty() || device_id.len() > 255 {
        return Err(WireError::BadEnvelope(format!(
            "device id must be 1 to 255 bytes, not {}",
            device_id.len()
        )));
    }
    Ok(())
}

impl SignedBatch {
    /// The envelope bytes (see the module documentation).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            4 + 4 + 16 + 1 + self.device_id.len() + self.signature.len() + self.sealed.len(),
        );
        out.extend_from_slice(ENVELOPE_MAGIC);
        out.extend_from_slice(&self.wire_version.to_be_bytes());
        out.extend_from_slice(self.batch_id.as_bytes());
        out.push(self.device_id.len() as u8);
        out.extend_from_slice(self.device_id.as_bytes());
        out.extend_from_slice(&self.signature);
        out.extend_from_slice(&self.sealed);
        out
    }

    /// Parses envelope bytes; checks only the framing (not the signature).
    pub fn from_bytes(bytes: &[u8]) -> Result<SignedBatch, WireError> {
        let bad = |m: &str| WireError::BadEnvelope(m.to_owned());
        let rest = bytes
            .strip_prefix(ENVELOPE_MAGIC.as_slice())
            .ok_or_else(|| bad("missing CNSB magic"))?;
        let (version, rest) = rest.split_at_checked(4).ok_or_else(|| bad("truncated"))?;
        let mut v = [0u8; 4];
        v.copy_from_slice(version);
        let wire_version = u32::from_be_bytes(v);
        let (id, rest) = rest.split_at_checked(16).ok_or_else(|| bad("truncated"))?;
        let batch_id = Uuid::from_slice(id).map_err(|_| bad("bad batch id"))?;
        let (len, rest) = rest.split_first().ok_or_else(|| bad("truncated"))?;
        let (dev, rest) = rest
            .split_at_checked(usize::from(*len))
            .ok_or_else(|| bad("truncated device id"))?;
        let device_id = std::str::from_utf8(dev)
            .map_err(|_| bad("device id is not UTF-8"))?
            .to_owned();
        check_device_id(&device_id)?;
        let (sig, sealed) = rest
            .split_at_checked(SIG_LEN)
            .ok_or_else(|| bad("truncated signature"))?;
        Ok(SignedBatch {
            wire_version,
            batch_id,
            device_id,
            sealed: sealed.to_vec(),
            signature: sig.to_vec(),
        })
    }
}

/// Compresses, seals and signs `payload` (see the module documentation).
pub fn build_batch(
    payload: &BatchPayload,
    device_key: &DeviceKey,
    office_public: &[u8; 32],
) -> Result<SignedBatch, WireError> {
    // Serialise first: many small writes into the gzip encoder are far slower.
    let json = serde_json::to_vec(payload).map_err(|e| WireError::BadJson(e.to_string()))?;
    let compressed = gzip(&json)?;
    seal_and_sign(
        &compressed,
        payload.wire_version,
        payload.batch_id,
        &payload.device_id,
        device_key,
        office_public,
    )
}

/// Seals already-compressed bytes and signs them: the last steps of [`build_batch`], for
/// tools and tests that need to send exactly these bytes (e.g. a corrupt payload).
pub fn seal_and_sign(
    compressed: &[u8],
    wire_version: u32,
    batch_id: Uuid,
    device_id: &str,
    device_key: &DeviceKey,
    office_public: &[u8; 32],
) -> Result<SignedBatch, WireError> {
    check_device_id(device_id)?;
    let sealed = seal_to_office(office_public, compressed, &aad(&batch_id, device_id))?;
    let message = signed_message(wire_version, &batch_id, device_id, &sealed);
    Ok(SignedBatch {
        wire_version,
        batch_id,
        device_id: device_id.to_owned(),
        signature: device_key.sign(&message),
        sealed,
    })
}

/// Inflates gzip `data`, refusing to produce more than `limit` bytes.
pub fn inflate_capped(data: &[u8], limit: usize) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    GzDecoder::new(data)
        .take(cap)
        .read_to_end(&mut out)
        .map_err(|e| WireError::CorruptGzip(e.to_string()))?;
    if out.len() > limit {
        return Err(WireError::TooLarge { limit });
    }
    Ok(out)
}

/// Gzip-compresses `data` (fast level), as [`build_batch`] does.
pub fn gzip(data: &[u8]) -> Result<Vec<u8>, WireError> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(data)
        .map_err(|e| WireError::CorruptGzip(e.to_string()))?;
    gz.finish()
        .map_err(|e| WireError::CorruptGzip(e.to_string()))
}

/// Verifies the signature, then decrypts and inflates a batch already split from its
/// envelope, returning the payload's JSON bytes unparsed (the server parses them into its
/// own view). Call [`check_payload_matches`] on whatever the bytes are parsed into.
pub fn open_signed_batch_json(
    batch: &SignedBatch,
    device_public_key: &[u8],
    office_secret: &OfficeSecret,
    inflated_limit: usize,
) -> Result<Vec<u8>, WireError> {
    if batch.wire_version > WIRE_VERSION {
        return Err(WireError::VersionTooNew {
            found: batch.wire_version,
            supported: WIRE_VERSION,
        });
    }
    let message = signed_message(
        batch.wire_version,
        &batch.batch_id,
        &batch.device_id,
        &batch.sealed,
    );
    verify_device_signature(device_public_key, &message, &batch.signature)?;
    let compressed = open_as_office(
        office_secret,
        &batch.sealed,
        &aad(&batch.batch_id, &batch.device_id),
    )?;
    inflate_capped(&compressed, inflated_limit)
}

/// Checks that a parsed payload's wire version, batch id and device id are the envelope's.
pub fn check_payload_matches(
    batch: &SignedBatch,
    wire_version: u32,
    batch_id: &Uuid,
    device_id: &str,
) -> Result<(), WireError> {
    if wire_version != batch.wire_version {
        return Err(WireError::Mismatch(format!(
            "wire version {} in the envelope, {wire_version} in the payload",
            batch.wire_version
        )));
    }
    if *batch_id != batch.batch_id {
        return Err(WireError::Mismatch("batch id".into()));
    }
    if device_id != batch.device_id {
        return Err(WireError::Mismatch("device id".into()));
    }
    Ok(())
}

/// Verifies, decrypts, inflates and parses a batch already split from its envelope, with
/// the sending device's public key.
pub fn open_signed_batch(
    batch: &SignedBatch,
    device_public_key: &[u8],
    office_secret: &OfficeSecret,
    inflated_limit: usize,
) -> Result<BatchPayload, WireError> {
    let json = open_signed_batch_json(batch, device_public_key, office_secret, inflated_limit)?;
    let payload: BatchPayload =
        serde_json::from_slice(&json).map_err(|e| WireError::BadJson(e.to_string()))?;
    check_payload_matches(
        batch,
        payload.wire_version,
        &payload.batch_id,
        &payload.device_id,
    )?;
    Ok(payload)
}

/// Parses envelope `bytes`, looks up the device's public key by the envelope's device id
/// (`None`: [`WireError::UnknownDevice`]), verifies the signature before decrypting, then
/// opens the payload (inflated size capped at [`MAX_INFLATED_BYTES`]).
pub fn open_batch(
    bytes: &[u8],
    lookup_device_public_key: impl FnOnce(&str) -> Option<Vec<u8>>,
    office_secret: &OfficeSecret,
) -> Result<BatchPayload, WireError> {
    let batch = SignedBatch::from_bytes(bytes)?;
    let key = lookup_device_public_key(&batch.device_id)
        .ok_or_else(|| WireError::UnknownDevice(batch.device_id.clone()))?;
    open_signed_batch(&batch, &key, office_secret, MAX_INFLATED_BYTES)
}
