//! The key file (`census.key`, JSON, next to the database): the database key wrapped under the
//! PIN and, separately, sealed to the office for recovery; plus the wrong-PIN counter.
//!
//! Wrong-PIN counter: each attempt is counted in the file *before* the PIN is tried (so killing
//! the app during the key derivation does not give a free guess) and reset on success. From the
//! 4th failure on, the next attempt waits ([`retry_delay`]); after [`MAX_PIN_FAILURES`] only
//! office recovery unlocks. The counter is **not** cryptographically authenticated: nothing
//! secret is available before the PIN is known, so someone who can edit or restore the file
//! can reset it. Such a person can also copy the file and guess offline, which the PIN wrap's
//! memory-hard derivation slows down ([`super::kdf`]: Argon2id, 128 MiB and about half a second
//! a guess); the counter limits guessing through the app. A missing or unreadable counter
//! fails closed (the file is refused as damaged). Real rate limiting against file-level
//! attackers needs a hardware keystore (the Android Keystore, in the launcher).
//!
//! The file is created 0600 inside a 0700 directory (Unix), like the database.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::kdf::{self, KdfParams};
use super::pin_policy::check_new_pin;
use super::protector::{self, KeyProtector};
use super::secret::fill_random;
use super::{DatabaseKey, KeyError, OfficePublicKey, OfficeSecretKey, Pin, hex, seal};
use crate::private_files;

/// The key file's name inside the data directory.
pub const KEY_FILE_NAME: &str = "census.key";
/// PBKDF2-HMAC-SHA256 iterations of the PIN wraps written before Argon2id (format 1); such a
/// wrap still opens, and is rewritten with Argon2id at its first successful unlock.
pub const PBKDF2_ITERATIONS: u32 = 310_000;
/// Wrong PINs after which only office recovery unlocks.
pub const MAX_PIN_FAILURES: u32 = 10;

/// Format 2: the PIN wrap names its derivation's parameters (Argon2id); format 1 (PBKDF2 only)
/// still loads. Format 3: the PIN wrap is under a platform layer (`protector`); a file without
/// that layer keeps format 2, so an older app still opens it.
const FORMAT: u32 = 2;
const FORMAT_PROTECTED: u32 = 3;
const PIN_WRAP_LABEL: &str = "census db-key pin-wrap v1";
const RECOVERY_LABEL: &str = "census db-key recovery v1";

/// Delay imposed before the next attempt after `failures` wrong PINs in a row.
pub fn retry_delay(failures: u32) -> chrono::Duration {
    let seconds = match failures {
        0..=3 => 0,
        4 => 30,
        5 => 60,
        6 => 120,
        7 => 300,
        8 => 900,
        _ => 1800,
    };
    chrono::Duration::seconds(seconds)
}

/// Whether a PIN may be tried now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockState {
    /// A PIN may be tried; `failures` wrong PINs so far.
    Ready {
        /// Wrong PINs in a row so far.
        failures: u32,
    },
    /// Wait until this time before the next attempt.
    WaitUntil(DateTime<Utc>),
    /// Only office recovery can unlock.
    LockedOut,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PinWrap {
    kdf: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    iterations: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    memory_kib: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    passes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lanes: Option<u32>,
    salt: String,
    nonce: String,
    wrapped_key: String,
    /// The platform layer over `wrapped_key` ([`protector`]); absent: none (formats 1 and 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    protector: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecoveryWrap {
    office_public_key: String,
    sealed_key: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFileData {
    format: u32,
    device_id: String,
    pin_wrap: PinWrap,
    recovery_wrap: RecoveryWrap,
    failed_attempts: u32,
    last_failure: Option<DateTime<Utc>>,
}

/// A loaded key file. Every change is written to disk (atomically) before it is reported.
pub struct KeyFile {
    path: PathBuf,
    data: KeyFileData,
    protector: std::sync::Arc<dyn KeyProtector>,
}

impl std::fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyFile")
            .field("path", &self.path)
            .field("device_id", &self.data.device_id)
            .field("failed_attempts", &self.data.failed_attempts)
            .finish_non_exhaustive()
    }
}

impl KeyFile {
    /// Creates a new key file with a fresh random database key wrapped under `pin` and sealed
    /// to the office. Refuses to overwrite an existing file.
    pub fn create(
        path: &Path,
        pin: &Pin,
        office_public: &OfficePublicKey,
        device_id: &str,
    ) -> Result<(KeyFile, DatabaseKey), KeyError> {
        Self::create_with_protector(path, pin, office_public, device_id, protector::installed())
    }

    /// [`KeyFile::create`] with the PIN wrap under `protector`'s layer.
    pub fn create_with_protector(
        path: &Path,
        pin: &Pin,
        office_public: &OfficePublicKey,
        device_id: &str,
        protector: std::sync::Arc<dyn KeyProtector>,
    ) -> Result<(KeyFile, DatabaseKey), KeyError> {
        if path.exists() {
            return Err(KeyError::AlreadyExists(path.to_path_buf()));
        }
        check_new_pin(pin.expose_secret_text())
            .map_err(|p| KeyError::UnacceptablePin(p.english().into()))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            private_files::create_private_dir(dir).map_err(|source| KeyError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let key = DatabaseKey::generate()?;
        let sealed = seal::seal_to_office(
            &office_public.0,
            key.expose_secret_bytes(),
            recovery_aad(device_id).as_bytes(),
        )
        .map_err(|e| KeyError::Malformed(format!("office public key: {e}")))?;
        let pin_wrap = wrap_under_pin(&key, pin, device_id, &*protector)?;
        let data = KeyFileData {
            format: format_of(&pin_wrap),
            device_id: device_id.to_string(),
            pin_wrap,
            recovery_wrap: RecoveryWrap {
                office_public_key: office_public.to_hex(),
                sealed_key: hex::encode(&sealed),
            },
            failed_attempts: 0,
            last_failure: None,
        };
        let file = KeyFile {
            path: path.to_path_buf(),
            data,
            protector,
        };
        file.save()?;
        Ok((file, key))
    }

    /// Loads an existing key file.
    pub fn load(path: &Path) -> Result<KeyFile, KeyError> {
        Self::load_with_protector(path, protector::installed())
    }

    /// [`KeyFile::load`] with `protector` for the PIN wrap's platform layer.
    pub fn load_with_protector(
        path: &Path,
        protector: std::sync::Arc<dyn KeyProtector>,
    ) -> Result<KeyFile, KeyError> {
        let text = fs::read_to_string(path).map_err(|source| KeyError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let data: KeyFileData = serde_json::from_str(&text)
            .map_err(|e| KeyError::Malformed(format!("{}: {e}", path.display())))?;
        if !(1..=FORMAT_PROTECTED).contains(&data.format) {
            return Err(KeyError::Malformed(format!(
                "{}: key file format {} is not known to this version of the app",
                path.display(),
                data.format
            )));
        }
        Ok(KeyFile {
            path: path.to_path_buf(),
            data,
            protector,
        })
    }

    /// The device id bound into both wraps.
    pub fn device_id(&self) -> &str {
        &self.data.device_id
    }

    /// Wrong PINs in a row so far.
    pub fn failed_attempts(&self) -> u32 {
        self.data.failed_attempts
    }

    /// Whether a PIN may be tried at `now`.
    pub fn lock_state(&self, now: DateTime<Utc>) -> LockState {
        let failures = self.data.failed_attempts;
        if failures >= MAX_PIN_FAILURES {
            return LockState::LockedOut;
        }
        match self.data.last_failure {
            // A clock set back before the last failure allows the attempt (each failure
            // records the new time; the lockout still holds).
            Some(last) if now >= last && now < last + retry_delay(failures) => {
                LockState::WaitUntil(last + retry_delay(failures))
            }
            _ => LockState::Ready { failures },
        }
    }

    /// Unlocks the database key with the PIN, now.
    pub fn unlock(&mut self, pin: &Pin) -> Result<DatabaseKey, KeyError> {
        self.unlock_at(pin, Utc::now())
    }

    /// Unlocks the database key with the PIN, at `now` (counts, delays and locks out).
    pub fn unlock_at(&mut self, pin: &Pin, now: DateTime<Utc>) -> Result<DatabaseKey, KeyError> {
        match self.lock_state(now) {
            LockState::LockedOut => return Err(KeyError::LockedOut),
            LockState::WaitUntil(until) => {
                let wait = (until - now).num_seconds().max(1);
                return Err(KeyError::TooSoon {
                    wait_seconds: u64::try_from(wait).unwrap_or(1),
                });
            }
            LockState::Ready { .. } => {}
        }
        // Count the attempt first, so that killing the app mid-derivation gives no free try.
        let previous = (self.data.failed_attempts, self.data.last_failure);
        self.data.failed_attempts += 1;
        self.data.last_failure = Some(now);
        if let Err(e) = self.save() {
            (self.data.failed_attempts, self.data.last_failure) = previous;
            return Err(e);
        }
        match unwrap_with_pin(
            &self.data.pin_wrap,
            pin,
            &self.data.device_id,
            &*self.protector,
        )? {
            Some(key) => {
                self.data.failed_attempts = 0;
                self.data.last_failure = None;
                // A wrap from before Argon2id (or with older parameters) is rewritten now,
                // while the key is at hand: a copy taken later resists offline guessing.
                // So is a wrap not under the installed platform layer.
                if wrap_params(&self.data.pin_wrap)?.is_outdated()
                    || self.data.pin_wrap.protector.as_deref() != self.protector.layer_name()
                {
                    self.rewrap(&key, pin)?;
                }
                self.save()?;
                Ok(key)
            }
            None if self.data.failed_attempts >= MAX_PIN_FAILURES => Err(KeyError::LockedOut),
            None => Err(KeyError::WrongPin {
                attempts_left: MAX_PIN_FAILURES - self.data.failed_attempts,
            }),
        }
    }

    /// Re-wraps the database key under `new_pin` (the database itself is not rewritten).
    pub fn change_pin(&mut self, old_pin: &Pin, new_pin: &Pin) -> Result<(), KeyError> {
        check_new_pin(new_pin.expose_secret_text())
            .map_err(|p| KeyError::UnacceptablePin(p.english().into()))?;
        let key = self.unlock(old_pin)?;
        self.rewrap(&key, new_pin)?;
        self.save()
    }

    /// Office recovery: opens the recovery wrap with the office's private key, re-wraps the
    /// database key under `new_pin` and resets the wrong-PIN counter.
    pub fn recover_with_office_key(
        &mut self,
        office_secret: &OfficeSecretKey,
        new_pin: &Pin,
    ) -> Result<(), KeyError> {
        check_new_pin(new_pin.expose_secret_text())
            .map_err(|p| KeyError::UnacceptablePin(p.english().into()))?;
        let sealed = hex::decode(&self.data.recovery_wrap.sealed_key)
            .ok_or_else(|| KeyError::Malformed("recovery wrap is not hexadecimal".into()))?;
        let opened = seal::open_as_office(
            office_secret,
            &sealed,
            recovery_aad(&self.data.device_id).as_bytes(),
        )
        .map_err(|_| KeyError::WrongOfficeKey)?;
        let bytes: [u8; 32] = opened
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::Malformed("recovered key has the wrong length".into()))?;
        let key = DatabaseKey::from_secret_bytes(bytes);
        self.rewrap(&key, new_pin)?;
        self.data.failed_attempts = 0;
        self.data.last_failure = None;
        self.save()
    }

    /// The office recovery key (hexadecimal) the database key is sealed to.
    pub fn recovery_public_key_hex(&self) -> &str {
        &self.data.recovery_wrap.office_public_key
    }

    /// Seals `key` — the database key this file guards, as the open store uses it — to
    /// another office recovery key, replacing the previous seal (a demo tablet that enrols
    /// with a real office leaves the demo key behind). The PIN wrap is unchanged. Nothing is
    /// done when the file is already sealed to `office_public`.
    pub fn reseal_for_recovery(
        &mut self,
        key: &DatabaseKey,
        office_public: &OfficePublicKey,
    ) -> Result<(), KeyError> {
        if self.data.recovery_wrap.office_public_key == office_public.to_hex() {
            return Ok(());
        }
        let sealed = seal::seal_to_office(
            &office_public.0,
            key.expose_secret_bytes(),
            recovery_aad(&self.data.device_id).as_bytes(),
        )
        .map_err(|e| KeyError::Malformed(format!("office public key: {e}")))?;
        self.data.recovery_wrap = RecoveryWrap {
            office_public_key: office_public.to_hex(),
            sealed_key: hex::encode(&sealed),
        };
        self.save()
    }

    /// Replaces the PIN wrap (current derivation, installed layer); the caller saves.
    fn rewrap(&mut self, key: &DatabaseKey, pin: &Pin) -> Result<(), KeyError> {
        self.data.pin_wrap = wrap_under_pin(key, pin, &self.data.device_id, &*self.protector)?;
        self.data.format = format_of(&self.data.pin_wrap);
        Ok(())
    }

    /// Writes the file atomically: temporary file, fsync, rename, fsync of the directory.
    fn save(&self) -> Result<(), KeyError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| KeyError::Io { path, source }
        };
        let text = serde_json::to_string_pretty(&self.data)
            .map_err(|e| KeyError::Malformed(format!("cannot encode key file: {e}")))?;
        let tmp = self.path.with_extension("key.tmp");
        let mut file = private_files::create_private_file(&tmp).map_err(io(&tmp))?;
        file.write_all(text.as_bytes()).map_err(io(&tmp))?;
        file.sync_all().map_err(io(&tmp))?;
        drop(file);
        fs::rename(&tmp, &self.path).map_err(io(&self.path))?;
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(io(dir))?;
        }
        Ok(())
    }
}

/// The format a file with this PIN wrap has.
fn format_of(wrap: &PinWrap) -> u32 {
    if wrap.protector.is_some() {
        FORMAT_PROTECTED
    } else {
        FORMAT
    }
}

fn recovery_aad(device_id: &str) -> String {
    format!("{RECOVERY_LABEL}\0{device_id}")
}

fn pin_aad(device_id: &str) -> String {
    format!("{PIN_WRAP_LABEL}\0{device_id}")
}

fn derive_kek(pin: &Pin, salt: &[u8], params: KdfParams) -> Result<LessSafeKey, KeyError> {
    let kek = params.derive(pin, salt)?;
    let unbound = UnboundKey::new(&AES_256_GCM, kek.as_ref())
        .map_err(|_| KeyError::Crypto("AES-256-GCM key setup"))?;
    Ok(LessSafeKey::new(unbound))
}

/// The derivation a wrap names.
fn wrap_params(wrap: &PinWrap) -> Result<KdfParams, KeyError> {
    let missing = |what: &str| KeyError::Malformed(format!("PIN wrap: no {what}"));
    match wrap.kdf.as_str() {
        kdf::ARGON2ID => Ok(KdfParams::Argon2id {
            memory_kib: wrap.memory_kib.ok_or_else(|| missing("Argon2id memory"))?,
            passes: wrap.passes.ok_or_else(|| missing("Argon2id passes"))?,
            lanes: wrap.lanes.ok_or_else(|| missing("Argon2id lanes"))?,
        }),
        kdf::PBKDF2_SHA256 => Ok(KdfParams::Pbkdf2 {
            iterations: wrap
                .iterations
                .ok_or_else(|| missing("PBKDF2 iterations"))?,
        }),
        _ => Err(KeyError::Malformed(
            "PIN wrap: bad key derivation name".into(),
        )),
    }
}

fn wrap_under_pin(
    key: &DatabaseKey,
    pin: &Pin,
    device_id: &str,
    protector: &dyn KeyProtector,
) -> Result<PinWrap, KeyError> {
    wrap_with(key, pin, device_id, KdfParams::current(), protector)
}

fn wrap_with(
    key: &DatabaseKey,
    pin: &Pin,
    device_id: &str,
    params: KdfParams,
    protector: &dyn KeyProtector,
) -> Result<PinWrap, KeyError> {
    let mut salt = [0u8; 16];
    fill_random(&mut salt)?;
    let mut nonce = [0u8; 12];
    fill_random(&mut nonce)?;
    let kek = derive_kek(pin, &salt, params)?;
    let mut buffer = Zeroizing::new(key.expose_secret_bytes().to_vec());
    kek.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(pin_aad(device_id).as_bytes()),
        &mut *buffer,
    )
    .map_err(|_| KeyError::Crypto("AES-256-GCM wrap"))?;
    let (stored, layer) = protector::seal_layer(protector, &buffer)?;
    let (kdf, iterations, memory_kib, passes, lanes) = match params {
        KdfParams::Argon2id {
            memory_kib,
            passes,
            lanes,
        } => (
            kdf::ARGON2ID,
            None,
            Some(memory_kib),
            Some(passes),
            Some(lanes),
        ),
        KdfParams::Pbkdf2 { iterations } => {
            (kdf::PBKDF2_SHA256, Some(iterations), None, None, None)
        }
    };
    Ok(PinWrap {
        kdf: kdf.into(),
        iterations,
        memory_kib,
        passes,
        lanes,
        salt: hex::encode(&salt),
        nonce: hex::encode(&nonce),
        wrapped_key: hex::encode(&stored),
        protector: layer,
    })
}

/// `Ok(None)` when the PIN is wrong.
fn unwrap_with_pin(
    wrap: &PinWrap,
    pin: &Pin,
    device_id: &str,
    protector: &dyn KeyProtector,
) -> Result<Option<DatabaseKey>, KeyError> {
    let damaged = |what: &str| KeyError::Malformed(format!("PIN wrap: bad {what}"));
    let params = wrap_params(wrap)?;
    let salt = hex::decode(&wrap.salt).ok_or_else(|| damaged("salt"))?;
    let nonce = hex::decode_array::<12>(&wrap.nonce).ok_or_else(|| damaged("nonce"))?;
    let stored = hex::decode(&wrap.wrapped_key).ok_or_else(|| damaged("wrapped key"))?;
    let mut buffer = protector::open_layer(protector, wrap.protector.as_deref(), stored)?;
    let kek = derive_kek(pin, &salt, params)?;
    let Ok(plain) = kek.open_in_place(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(pin_aad(device_id).as_bytes()),
        &mut buffer,
    ) else {
        return Ok(None);
    };
    let bytes: [u8; 32] = (&*plain)
        .try_into()
        .map_err(|_| damaged("wrapped key length"))?;
    Ok(Some(DatabaseKey::from_secret_bytes(bytes)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn office() -> OfficePublicKey {
        OfficeSecretKey::generate().unwrap().public_key()
    }

    /// A key file as the app wrote it before Argon2id (format 1, PBKDF2) still unlocks, and is
    /// rewritten with Argon2id by that unlock.
    #[test]
    fn a_pbkdf2_key_file_unlocks_and_is_upgraded_to_argon2id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE_NAME);
        let pin = Pin::new("4826".into()).unwrap();
        let (mut file, key) =
            KeyFile::create(&path, &Pin::new("280514".into()).unwrap(), &office(), "t-9").unwrap();
        file.data.pin_wrap = wrap_with(
            &key,
            &pin,
            "t-9",
            KdfParams::Pbkdf2 {
                iterations: PBKDF2_ITERATIONS,
            },
            &protector::NoProtector,
        )
        .unwrap();
        file.data.format = 1;
        file.save().unwrap();
        let old_text = std::fs::read_to_string(&path).unwrap();
        assert!(old_text.contains(kdf::PBKDF2_SHA256));

        let mut loaded = KeyFile::load(&path).unwrap();
        let unlocked = loaded.unlock(&pin).unwrap();
        assert_eq!(unlocked.expose_secret_bytes(), key.expose_secret_bytes());
        let new_text = std::fs::read_to_string(&path).unwrap();
        assert!(new_text.contains(kdf::ARGON2ID), "{new_text}");
        assert!(!new_text.contains(kdf::PBKDF2_SHA256));
        let mut reloaded = KeyFile::load(&path).unwrap();
        assert_eq!(reloaded.data.format, FORMAT);
        assert!(reloaded.unlock(&pin).is_ok(), "the old PIN still opens");
    }

    #[test]
    fn a_new_key_file_uses_argon2id_and_refuses_a_trivial_pin() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE_NAME);
        for weak in ["1234", "123456", "000000", "121212"] {
            let refused = KeyFile::create(&path, &Pin::new(weak.into()).unwrap(), &office(), "t");
            assert!(
                matches!(refused, Err(KeyError::UnacceptablePin(_))),
                "{weak}"
            );
            assert!(!path.exists());
        }
        KeyFile::create(&path, &Pin::new("280514".into()).unwrap(), &office(), "t").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"argon2id\""));
        assert!(text.contains(&format!("\"memory_kib\": {}", kdf::ARGON2_MEMORY_KIB)));
    }
}
