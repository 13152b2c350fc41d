//! Sealing to the office: ephemeral X25519 + HKDF-SHA256 + AES-256-GCM.
//!
//! ```text
//! sealed = 0x01 ‖ ephemeral public (32) ‖ nonce (12) ‖ ciphertext ‖ tag (16)
//! key    = HKDF-SHA256(salt = "census-seal-v1",
//!                      ikm  = X25519(ephemeral secret, office public),
//!                      info = "census-seal-v1 aes-256-gcm" ‖ ephemeral public ‖ office public)
//! ```
//!
//! The associated data (`aad`) is authenticated but not carried: the opener must supply
//! the same bytes. Only the holder of the office's [`OfficeSecret`] can open.

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hkdf::{HKDF_SHA256, Salt};
use ring::rand::{SecureRandom, SystemRandom};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use super::error::WireError;

/// Version byte of the sealed format.
pub const SEAL_VERSION: u8 = 1;
const LABEL: &[u8] = b"census-seal-v1";
const INFO: &[u8] = b"census-seal-v1 aes-256-gcm";
const HEADER_LEN: usize = 1 + 32 + NONCE_LEN;
const TAG_LEN: usize = 16;

/// The office's long-term X25519 private key. Not `Clone`, not serialisable, redacted in
/// `Debug`, zeroized on drop (x25519-dalek zeroizes its `StaticSecret`).
pub struct OfficeSecret {
    secret: StaticSecret,
}

impl std::fmt::Debug for OfficeSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OfficeSecret(<redacted>)")
    }
}

impl OfficeSecret {
    /// A fresh key from the system's CSPRNG.
    pub fn generate() -> Result<OfficeSecret, WireError> {
        let bytes = random_32()?;
        Ok(OfficeSecret {
            secret: StaticSecret::from(*bytes),
        })
    }

    /// The public key devices seal to.
    pub fn public_key(&self) -> [u8; 32] {
        PublicKey::from(&self.secret).to_bytes()
    }

    /// Rebuilds the key from its 32 secret bytes (as saved by
    /// [`OfficeSecret::to_secret_bytes_dangerous`]).
    pub fn from_secret_bytes(bytes: &[u8]) -> Result<OfficeSecret, WireError> {
        let arr: [u8; 32] = bytes.try_into().map_err(|_| {
            WireError::BadKey(format!("office key is {} bytes, not 32", bytes.len()))
        })?;
        let arr = Zeroizing::new(arr);
        Ok(OfficeSecret {
            secret: StaticSecret::from(*arr),
        })
    }

    /// The 32 secret bytes, to save in a protected file. Whoever holds them reads every
    /// batch: never log them.
    pub fn to_secret_bytes_dangerous(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.secret.to_bytes())
    }
}

fn random_32() -> Result<Zeroizing<[u8; 32]>, WireError> {
    let mut b = Zeroizing::new([0u8; 32]);
    SystemRandom::new()
        .fill(&mut b[..])
        .map_err(|_| WireError::Crypto("system random generator failed".into()))?;
    Ok(b)
}

fn derive_key(
    shared: &[u8],
    eph: &[u8; 32],
    recipient: &[u8; 32],
) -> Result<LessSafeKey, WireError> {
    let mut info = Vec::with_capacity(INFO.len() + 64);
    info.extend_from_slice(INFO);
    info.extend_from_slice(eph);
    info.extend_from_slice(recipient);
    let info_parts = [info.as_slice()];
    let prk = Salt::new(HKDF_SHA256, LABEL).extract(shared);
    let okm = prk
        .expand(&info_parts, &AES_256_GCM)
        .map_err(|_| WireError::Crypto("HKDF expand failed".into()))?;
    Ok(LessSafeKey::new(UnboundKey::from(okm)))
}

/// Seals `plaintext` so that only the holder of the office secret matching
/// `office_public` can read it; `aad` is authenticated (the opener must give the same).
pub fn seal_to_office(
    office_public: &[u8; 32],
    plaintext: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, WireError> {
    let eph_secret = StaticSecret::from(*random_32()?);
    let eph_public = PublicKey::from(&eph_secret).to_bytes();
    let shared = eph_secret.diffie_hellman(&PublicKey::from(*office_public));
    if !shared.was_contributory() {
        return Err(WireError::BadKey(
            "office public key is a low-order point".into(),
        ));
    }
    let key = derive_key(shared.as_bytes(), &eph_public, office_public)?;
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new()
        .fill(&mut nonce)
        .map_err(|_| WireError::Crypto("system random generator failed".into()))?;
    let mut out = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
    out.push(SEAL_VERSION);
    out.extend_from_slice(&eph_public);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(plaintext);
    let mut body = out.split_off(HEADER_LEN);
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(aad),
        &mut body,
    )
    .map_err(|_| WireError::Crypto("AES-GCM seal failed".into()))?;
    out.append(&mut body);
    Ok(out)
}

/// Opens what [`seal_to_office`] sealed. Any alteration of `sealed` or `aad`, or another
/// office key, gives [`WireError::CannotDecrypt`].
pub fn open_as_office(
    office_secret: &OfficeSecret,
    sealed: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, WireError> {
    let Some(&version) = sealed.first() else {
        return Err(WireError::CannotDecrypt);
    };
    if version > SEAL_VERSION {
        return Err(WireError::VersionTooNew {
            found: u32::from(version),
            supported: u32::from(SEAL_VERSION),
        });
    }
    if version != SEAL_VERSION || sealed.len() < HEADER_LEN + TAG_LEN {
        return Err(WireError::CannotDecrypt);
    }
    let mut eph = [0u8; 32];
    eph.copy_from_slice(&sealed[1..33]);
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&sealed[33..HEADER_LEN]);
    let shared = office_secret.secret.diffie_hellman(&PublicKey::from(eph));
    if !shared.was_contributory() {
        return Err(WireError::CannotDecrypt);
    }
    let key = derive_key(shared.as_bytes(), &eph, &office_secret.public_key())?;
    let mut body = sealed[HEADER_LEN..].to_vec();
    let plain_len = key
        .open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut body,
        )
        .map_err(|_| WireError::CannotDecrypt)?
        .len();
    body.truncate(plain_len);
    Ok(body)
}
