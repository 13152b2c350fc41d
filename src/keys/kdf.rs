//! Deriving the key that wraps the database key from the enumerator's PIN.
//!
//! New wraps use **Argon2id**, memory-hard: every guess of a PIN made on a copied key file
//! costs [`ARGON2_MEMORY_KIB`] of memory and about half a second of one core on the build
//! machine (`cargo bench --bench store` measures it), so a GPU or a many-core attacker gains
//! little over the tablet itself. Key files written before it name `pbkdf2-hmac-sha256`: they
//! still open, and the wrap is rewritten with Argon2id at the first successful unlock.

use std::num::NonZeroU32;

use argon2::{Algorithm, Argon2, Params, Version};
use ring::pbkdf2;
use zeroize::Zeroizing;

use super::{KeyError, Pin};

/// The name of the memory-hard derivation in the key file.
pub const ARGON2ID: &str = "argon2id";
/// The name of the derivation used by key files from before Argon2id.
pub const PBKDF2_SHA256: &str = "pbkdf2-hmac-sha256";
/// Argon2id memory per derivation, in KiB (128 MiB: well within a low-end tablet's memory,
/// and twice the 64 MiB floor the design asks of a guess).
pub const ARGON2_MEMORY_KIB: u32 = 128 * 1024;
/// Argon2id passes over that memory: one derivation takes about 0.55 s on the 2-core build
/// machine (`cargo bench --bench store`: 64 MiB × 4 passes measured 163 ms), so a guess costs
/// ≥ 0.5 s while unlocking stays under 1 s.
pub const ARGON2_PASSES: u32 = 7;
/// Argon2id lanes (one: a tablet derives on one core; an attacker's cores guess in parallel
/// anyway).
pub const ARGON2_LANES: u32 = 1;
/// Smallest Argon2id memory a key file may name: a file edited to name less is refused as
/// damaged (lowering the cost would not reveal the key, but a weak file is a fault to report).
pub const ARGON2_MIN_MEMORY_KIB: u32 = 8 * 1024;

/// How a wrap's key was derived, as named in the key file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KdfParams {
    /// Argon2id (RFC 9106), version 0x13.
    Argon2id {
        /// Memory in KiB.
        memory_kib: u32,
        /// Passes over the memory.
        passes: u32,
        /// Parallel lanes.
        lanes: u32,
    },
    /// PBKDF2-HMAC-SHA256 (key files from before Argon2id; read only).
    Pbkdf2 {
        /// Iterations.
        iterations: u32,
    },
}

impl KdfParams {
    /// The parameters every new wrap uses.
    pub const fn current() -> KdfParams {
        KdfParams::Argon2id {
            memory_kib: ARGON2_MEMORY_KIB,
            passes: ARGON2_PASSES,
            lanes: ARGON2_LANES,
        }
    }

    /// Whether a wrap made with these parameters should be rewritten with [`KdfParams::current`].
    pub fn is_outdated(&self) -> bool {
        *self != KdfParams::current()
    }

    /// The 32-byte key-encryption key for `pin` and `salt`.
    pub fn derive(&self, pin: &Pin, salt: &[u8]) -> Result<Zeroizing<[u8; 32]>, KeyError> {
        let mut kek = Zeroizing::new([0u8; 32]);
        match *self {
            KdfParams::Argon2id {
                memory_kib,
                passes,
                lanes,
            } => {
                if memory_kib < ARGON2_MIN_MEMORY_KIB {
                    return Err(KeyError::Malformed(format!(
                        "PIN wrap: Argon2id memory {memory_kib} KiB is below the minimum \
                         {ARGON2_MIN_MEMORY_KIB} KiB"
                    )));
                }
                let params = Params::new(memory_kib, passes, lanes, Some(32))
                    .map_err(|e| KeyError::Malformed(format!("PIN wrap: Argon2id {e}")))?;
                Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
                    .hash_password_into(pin.expose_secret_bytes(), salt, kek.as_mut())
                    .map_err(|_| KeyError::Crypto("Argon2id key derivation"))?;
            }
            KdfParams::Pbkdf2 { iterations } => {
                let iterations = NonZeroU32::new(iterations)
                    .ok_or_else(|| KeyError::Malformed("zero PBKDF2 iterations".into()))?;
                pbkdf2::derive(
                    pbkdf2::PBKDF2_HMAC_SHA256,
                    iterations,
                    salt,
                    pin.expose_secret_bytes(),
                    kek.as_mut(),
                );
            }
        }
        Ok(kek)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn argon2id_matches_the_rfc_9106_shape_and_differs_by_pin_and_salt() {
        let small = KdfParams::Argon2id {
            memory_kib: ARGON2_MIN_MEMORY_KIB,
            passes: 1,
            lanes: 1,
        };
        let pin = Pin::new("280514".into()).unwrap();
        let other = Pin::new("280515".into()).unwrap();
        let a = small.derive(&pin, b"0123456789abcdef").unwrap();
        assert_eq!(*a, *small.derive(&pin, b"0123456789abcdef").unwrap());
        assert_ne!(*a, *small.derive(&other, b"0123456789abcdef").unwrap());
        assert_ne!(*a, *small.derive(&pin, b"fedcba9876543210").unwrap());
    }

    #[test]
    fn a_file_naming_too_little_memory_is_refused() {
        let weak = KdfParams::Argon2id {
            memory_kib: 64,
            passes: 1,
            lanes: 1,
        };
        let pin = Pin::new("280514".into()).unwrap();
        assert!(matches!(
            weak.derive(&pin, b"0123456789abcdef"),
            Err(KeyError::Malformed(_))
        ));
    }
}
