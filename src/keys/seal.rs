//! Sealing data so that only the statistics office can open it.
//!
//! One construction serves the whole system: the key file's recovery wrap here and the sync
//! batches use `census_core::wire::seal` (ephemeral X25519, HKDF-SHA256, AES-256-GCM; layout
//! `version ‖ ephemeral public (32) ‖ nonce (12) ‖ ciphertext ‖ tag (16)`). This module only
//! adapts it to the app's key types and errors. The caller's `aad` names the purpose and binds
//! the context (e.g. `"db-key-recovery" ‖ device id`), so a sealed value cannot be replayed
//! for another purpose or device.

use std::fmt;

use census_core::wire::{self, WireError};
use zeroize::Zeroizing;

use super::secret::OfficeSecretKey;

/// Smallest well-formed sealed value: version, ephemeral key, nonce and tag.
const MIN_SEALED_LEN: usize = 1 + 32 + 12 + 16;

/// Why sealing or opening failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealError {
    /// The sealed bytes are too short or of an unknown version.
    Malformed,
    /// The office key is not the one this was sealed to, or the data or context was altered.
    CannotOpen,
    /// The office public key is invalid (a low-order point).
    InvalidPublicKey,
    /// The random generator or cipher failed.
    Crypto,
}

impl fmt::Display for SealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SealError::Malformed => "the sealed data is damaged or of an unknown version",
            SealError::CannotOpen => {
                "the sealed data cannot be opened with this office key (wrong key, or the data \
                 was altered)"
            }
            SealError::InvalidPublicKey => "the office public key is not a valid X25519 key",
            SealError::Crypto => "a cryptographic operation failed",
        })
    }
}

impl std::error::Error for SealError {}

fn from_wire(error: WireError) -> SealError {
    match error {
        WireError::BadKey(_) => SealError::InvalidPublicKey,
        WireError::CannotDecrypt => SealError::CannotOpen,
        WireError::VersionTooNew { .. } => SealError::Malformed,
        _ => SealError::Crypto,
    }
}

/// Seals `plaintext` to the office public key, authenticating `aad` (purpose and context).
pub fn seal_to_office(
    office_public: &[u8; 32],
    plaintext: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, SealError> {
    wire::seal_to_office(office_public, plaintext, aad).map_err(from_wire)
}

/// Opens a value sealed by [`seal_to_office`] with the office's private key and the same `aad`.
pub fn open_as_office(
    office_secret: &OfficeSecretKey,
    sealed: &[u8],
    aad: &[u8],
) -> Result<Zeroizing<Vec<u8>>, SealError> {
    if sealed.len() < MIN_SEALED_LEN || sealed.first() != Some(&wire::SEAL_VERSION) {
        return Err(SealError::Malformed);
    }
    let secret = wire::OfficeSecret::from_secret_bytes(office_secret.expose_secret_bytes())
        .map_err(|_| SealError::Crypto)?;
    wire::open_as_office(&secret, sealed, aad)
        .map(Zeroizing::new)
        .map_err(from_wire)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper_detection() {
        let office = OfficeSecretKey::generate().unwrap();
        let public = office.public_key();
        let sealed = seal_to_office(&public.0, b"batch payload", b"purpose|device-7").unwrap();
        let opened = open_as_office(&office, &sealed, b"purpose|device-7").unwrap();
        assert_eq!(opened.as_slice(), b"batch payload");

        assert_eq!(
            open_as_office(&office, &sealed, b"purpose|device-8").unwrap_err(),
            SealError::CannotOpen
        );
        let other = OfficeSecretKey::generate().unwrap();
        assert_eq!(
            open_as_office(&other, &sealed, b"purpose|device-7").unwrap_err(),
            SealError::CannotOpen
        );
        let mut altered = sealed.clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert_eq!(
            open_as_office(&office, &altered, b"purpose|device-7").unwrap_err(),
            SealError::CannotOpen
        );
        assert_eq!(
            open_as_office(&office, &sealed[..20], b"purpose|device-7").unwrap_err(),
            SealError::Malformed
        );
    }

    #[test]
    fn low_order_public_key_is_refused() {
        assert_eq!(
            seal_to_office(&[0u8; 32], b"x", b"").unwrap_err(),
            SealError::InvalidPublicKey
        );
    }

    #[test]
    fn two_seals_differ() {
        let office = OfficeSecretKey::generate().unwrap();
        let a = seal_to_office(&office.public_key().0, b"same", b"").unwrap();
        let b = seal_to_office(&office.public_key().0, b"same", b"").unwrap();
        assert_ne!(a, b);
    }
}
