//! Secret values: never `Clone`, never serialized, `Debug` prints `[redacted]`, wiped on drop.
//!
//! Raw bytes only come out through methods named `expose_secret_*`, so every place that
//! handles key material is easy to find with a search.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::Path;

use ring::rand::{SecureRandom, SystemRandom};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::KeyError;
use super::hex;

/// Shortest PIN accepted.
pub const PIN_MIN_LEN: usize = 4;
/// Longest PIN accepted.
pub const PIN_MAX_LEN: usize = 64;

/// The 256-bit key that encrypts the whole database (SQLCipher raw key).
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct DatabaseKey([u8; 32]);

impl DatabaseKey {
    /// A fresh random key from the operating system's CSPRNG.
    pub fn generate() -> Result<DatabaseKey, KeyError> {
        let mut bytes = [0u8; 32];
        fill_random(&mut bytes)?;
        Ok(DatabaseKey(bytes))
    }

    /// Wraps raw key bytes (e.g. just unwrapped from the key file).
    pub fn from_secret_bytes(bytes: [u8; 32]) -> DatabaseKey {
        DatabaseKey(bytes)
    }

    /// The raw key bytes. Only for wrapping the key and keying SQLCipher.
    pub fn expose_secret_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The SQLCipher `PRAGMA key` value `x'<64 hex>'`, in memory that is wiped on drop.
    pub(crate) fn expose_secret_pragma_value(&self) -> Zeroizing<String> {
        let mut hex_text = Zeroizing::new(hex::encode(&self.0));
        let value = Zeroizing::new(format!("x'{}'", hex_text.as_str()));
        hex_text.zeroize();
        value
    }
}

impl fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DatabaseKey([redacted])")
    }
}

/// The enumerator's PIN.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct Pin(String);

impl Pin {
    /// Accepts a PIN of [`PIN_MIN_LEN`]..=[`PIN_MAX_LEN`] characters (the text is wiped when
    /// the `Pin` is dropped, also when it is rejected).
    pub fn new(text: String) -> Result<Pin, KeyError> {
        let pin = Pin(text);
        let len = pin.0.chars().count();
        if len < PIN_MIN_LEN {
            return Err(KeyError::UnacceptablePin(format!(
                "the PIN must have at least {PIN_MIN_LEN} characters"
            )));
        }
        if len > PIN_MAX_LEN {
            return Err(KeyError::UnacceptablePin(format!(
                "the PIN must have at most {PIN_MAX_LEN} characters"
            )));
        }
        Ok(pin)
    }

    /// The PIN's bytes (UTF-8). Only for the key derivation.
    pub fn expose_secret_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The PIN's text. Only for checking a newly chosen PIN against the PIN rules.
    pub fn expose_secret_text(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin([redacted])")
    }
}

/// The statistics office's long-term X25519 private key (opens recovery wraps and batches).
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct OfficeSecretKey([u8; 32]);

/// The statistics office's X25519 public key, installed on every tablet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficePublicKey(pub [u8; 32]);

const SECRET_FILE_PREFIX: &str = "census-office-secret-key-v1:";
const PUBLIC_FILE_PREFIX: &str = "census-office-public-key-v1:";

impl OfficeSecretKey {
    /// A fresh random key pair's private half.
    pub fn generate() -> Result<OfficeSecretKey, KeyError> {
        let mut bytes = [0u8; 32];
        fill_random(&mut bytes)?;
        Ok(OfficeSecretKey(bytes))
    }

    /// Wraps raw X25519 private key bytes.
    pub fn from_secret_bytes(bytes: [u8; 32]) -> OfficeSecretKey {
        OfficeSecretKey(bytes)
    }

    /// The raw private key bytes. Only for key agreement and for writing the key file.
    pub fn expose_secret_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The matching public key.
    pub fn public_key(&self) -> OfficePublicKey {
        let secret = x25519_dalek::StaticSecret::from(self.0);
        OfficePublicKey(x25519_dalek::PublicKey::from(&secret).to_bytes())
    }

    /// Writes the private key to a new file (never overwrites; mode 0600 on Unix).
    pub fn write_new_file(&self, path: &Path) -> Result<(), KeyError> {
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let io = |source| KeyError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut file = options.open(path).map_err(io)?;
        let text = Zeroizing::new(format!("{SECRET_FILE_PREFIX}{}\n", hex::encode(&self.0)));
        file.write_all(text.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)
    }

    /// Reads a private key written by [`OfficeSecretKey::write_new_file`].
    pub fn read_file(path: &Path) -> Result<OfficeSecretKey, KeyError> {
        let text = Zeroizing::new(fs::read_to_string(path).map_err(|source| KeyError::Io {
            path: path.to_path_buf(),
            source,
        })?);
        let bytes = text
            .trim()
            .strip_prefix(SECRET_FILE_PREFIX)
            .and_then(hex::decode_array::<32>)
            .ok_or_else(|| {
                KeyError::Malformed(format!(
                    "{} is not an office secret key file",
                    path.display()
                ))
            })?;
        Ok(OfficeSecretKey(bytes))
    }
}

impl fmt::Debug for OfficeSecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OfficeSecretKey([redacted])")
    }
}

impl OfficePublicKey {
    /// Writes the public key to a file (overwrites).
    pub fn write_file(&self, path: &Path) -> Result<(), KeyError> {
        fs::write(
            path,
            format!("{PUBLIC_FILE_PREFIX}{}\n", hex::encode(&self.0)),
        )
        .map_err(|source| KeyError::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Reads a public key written by [`OfficePublicKey::write_file`].
    pub fn read_file(path: &Path) -> Result<OfficePublicKey, KeyError> {
        let text = fs::read_to_string(path).map_err(|source| KeyError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        text.trim()
            .strip_prefix(PUBLIC_FILE_PREFIX)
            .and_then(hex::decode_array::<32>)
            .map(OfficePublicKey)
            .ok_or_else(|| {
                KeyError::Malformed(format!(
                    "{} is not an office public key file",
                    path.display()
                ))
            })
    }

    /// The key as lower-case hexadecimal.
    pub fn to_hex(&self) -> String {
        hex::encode(&self.0)
    }
}

/// A controller's or supervisor's reviewer token, issued by the office
/// (`census-server issue-reviewer`): signs the tablet in to the review API. Kept only in the
/// encrypted store; never logged.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct ReviewerToken(String);

impl ReviewerToken {
    /// Wraps a code or token as typed: a short reviewer code (`k7qmx 3pard`) is read as the
    /// office reads it (`K7QMX3PARD`, so that its fingerprint does not depend on how it was
    /// typed), a longer token is kept without surrounding spaces. The typed text is wiped;
    /// `None` when nothing but spaces was typed.
    pub fn new(mut text: String) -> Option<ReviewerToken> {
        let trimmed = text.trim();
        let token = census_core::access_code::normal_code(trimmed)
            .or_else(|| (!trimmed.is_empty()).then(|| trimmed.to_owned()))
            .map(ReviewerToken);
        text.zeroize();
        token
    }

    /// The token text, to store (encrypted) or send as the bearer token. Never log it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// Who holds this token, without revealing it: 16 bytes of Argon2id over the code, in
    /// hex. Each decision saved on the tablet carries it, so that it is sent only under the
    /// code of the reviewer who made it. Memory-hard, so that a copy of an enumerator's
    /// store cannot be searched for a 10-symbol reviewer code (each guess costs what a
    /// sign-in costs, ~20 MiB and tens of milliseconds).
    pub fn fingerprint(&self) -> Result<String, KeyError> {
        let params = argon2::Params::new(FINGERPRINT_MEMORY_KIB, FINGERPRINT_PASSES, 1, Some(16))
            .map_err(|_| KeyError::Crypto("reviewer fingerprint parameters"))?;
        let mut out = [0u8; 16];
        argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password_into(self.0.as_bytes(), FINGERPRINT_SALT, &mut out)
            .map_err(|_| KeyError::Crypto("reviewer fingerprint"))?;
        Ok(out.iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// Argon2id memory of a reviewer fingerprint, in KiB (19 MiB, OWASP's minimum for Argon2id).
const FINGERPRINT_MEMORY_KIB: u32 = 19 * 1024;
/// Argon2id passes of a reviewer fingerprint.
const FINGERPRINT_PASSES: u32 = 2;
/// The fixed salt of reviewer fingerprints (they are compared on one tablet only).
const FINGERPRINT_SALT: &[u8] = b"census reviewer code fingerprint v2";

impl fmt::Debug for ReviewerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReviewerToken([redacted])")
    }
}

/// Fills `out` from the operating system's CSPRNG.
pub(crate) fn fill_random(out: &mut [u8]) -> Result<(), KeyError> {
    SystemRandom::new()
        .fill(out)
        .map_err(|_| KeyError::Crypto("the system random generator failed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let key = DatabaseKey::from_secret_bytes([0xab; 32]);
        let pin = Pin::new("739146".into()).unwrap();
        let office = OfficeSecretKey::from_secret_bytes([0xcd; 32]);
        let reviewer = ReviewerToken::new(" rvw-Tok3n ".into()).unwrap();
        let all = format!("{key:?} {pin:?} {office:?} {reviewer:?}");
        assert!(all.contains("[redacted]"));
        assert!(!all.contains("abab") && !all.contains("739146") && !all.contains("cdcd"));
        assert!(!all.contains("Tok3n"));
        assert_eq!(reviewer.expose_secret(), "rvw-Tok3n");
        assert!(ReviewerToken::new("  ".into()).is_none());
    }

    #[test]
    fn a_reviewer_code_has_one_fingerprint_however_it_is_typed() {
        let printed = ReviewerToken::new("K7QMX-3PARD".into()).unwrap();
        let typed = ReviewerToken::new(" k7qmx 3pard".into()).unwrap();
        assert_eq!(typed.expose_secret(), "K7QMX3PARD");
        assert_eq!(printed.fingerprint().unwrap(), typed.fingerprint().unwrap());
        let other = ReviewerToken::new("K7QMX-3PARE".into()).unwrap();
        assert_ne!(printed.fingerprint().unwrap(), other.fingerprint().unwrap());
        assert_eq!(printed.fingerprint().unwrap().len(), 32);
    }

    #[test]
    fn pin_length_is_checked() {
        assert!(Pin::new("123".into()).is_err());
        assert!(Pin::new("1234".into()).is_ok());
        assert!(Pin::new("1".repeat(65)).is_err());
    }

    #[test]
    fn pragma_value_has_raw_key_form() {
        let key = DatabaseKey::from_secret_bytes([1; 32]);
        let value = key.expose_secret_pragma_value();
        assert_eq!(value.len(), 67);
        assert!(value.starts_with("x'01") && value.ends_with("01'"));
    }
}
