//! Sealing data so that only the statistics office can open it.
//!
//! Construction (version 1): an ephemeral X25519 key pair per message; the shared secret with
//! the office's public key goes through HKDF-SHA256 (salt = ephemeral public ‖ office public,
//! info = a fixed label ‖ the caller's `aad`) to an AES-256-GCM key; the plaintext is
//! encrypted under a random nonce with `aad` authenticated. The caller's `aad` names the
//! purpose and binds the context (e.g. `"db-key-recovery" ‖ device id`), so a sealed value
//! cannot be replayed for another purpose or device.
//!
//! Sealed layout: `0x01 ‖ ephemeral public (32) ‖ nonce (12) ‖ ciphertext ‖ tag (16)`.

use std::fmt;

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::hkdf::{HKDF_SHA256, Salt};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use super::secret::{OfficePublicKey, OfficeSecretKey, fill_random};

const VERSION: u8 = 1;
const INFO_LABEL: &[u8] = b"census seal v1: x25519 hkdf-sha256 aes-256-gcm\0";
const HEADER_LEN: usize = 1 + 32 + 12;
const TAG_LEN: usize = 16;

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

/// Seals `plaintext` to the office public key, authenticating `aad` (purpose and context).
pub fn seal_to_office(
    office_public: &[u8; 32],
    plaintext: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, SealError> {
    let mut eph_bytes = Zeroizing::new([0u8; 32]);
    fill_random(eph_bytes.as_mut()).map_err(|_| SealError::Crypto)?;
    let ephemeral = StaticSecret::from(*eph_bytes);
    let ephemeral_public = PublicKey::from(&ephemeral).to_bytes();
    let shared = ephemeral.diffie_hellman(&PublicKey::from(*office_public));
    if !shared.was_contributory() {
        return Err(SealError::InvalidPublicKey);
    }
    let key = derive_key(shared.as_bytes(), &ephemeral_public, office_public, aad)?;
    let mut nonce = [0u8; 12];
    fill_random(&mut nonce).map_err(|_| SealError::Crypto)?;

    let mut out = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
    out.push(VERSION);
    out.extend_from_slice(&ephemeral_public);
    out.extend_from_slice(&nonce);
    let mut body = plaintext.to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(aad),
        &mut body,
    )
    .map_err(|_| SealError::Crypto)?;
    out.extend_from_slice(&body);
    Ok(out)
}

/// Opens a value sealed by [`seal_to_office`] with the office's private key and the same `aad`.
pub fn open_as_office(
    office_secret: &OfficeSecretKey,
    sealed: &[u8],
    aad: &[u8],
) -> Result<Zeroizing<Vec<u8>>, SealError> {
    if sealed.len() < HEADER_LEN + TAG_LEN || sealed[0] != VERSION {
        return Err(SealError::Malformed);
    }
    let mut ephemeral_public = [0u8; 32];
    ephemeral_public.copy_from_slice(&sealed[1..33]);
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(&sealed[33..HEADER_LEN]);
    let secret = StaticSecret::from(*office_secret.expose_secret_bytes());
    let office_public: OfficePublicKey = office_secret.public_key();
    let shared = secret.diffie_hellman(&PublicKey::from(ephemeral_public));
    if !shared.was_contributory() {
        return Err(SealError::CannotOpen);
    }
    let key = derive_key(shared.as_bytes(), &ephemeral_public, &office_public.0, aad)?;
    let mut body = Zeroizing::new(sealed[HEADER_LEN..].to_vec());
    let len = key
        .open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            body.as_mut_slice(),
        )
        .map_err(|_| SealError::CannotOpen)?
        .len();
    body.truncate(len);
    Ok(body)
}

fn derive_key(
    shared: &[u8; 32],
    ephemeral_public: &[u8; 32],
    office_public: &[u8; 32],
    aad: &[u8],
) -> Result<LessSafeKey, SealError> {
    let mut salt_bytes = [0u8; 64];
    salt_bytes[..32].copy_from_slice(ephemeral_public);
    salt_bytes[32..].copy_from_slice(office_public);
    let prk = Salt::new(HKDF_SHA256, &salt_bytes).extract(shared);
    let info = [INFO_LABEL, aad];
    let okm = prk
        .expand(&info, &AES_256_GCM)
        .map_err(|_| SealError::Crypto)?;
    Ok(LessSafeKey::new(UnboundKey::from(okm)))
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
