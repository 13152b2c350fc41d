//! Key handling for the tablet: the random database key, its PIN wrap and office recovery
//! wrap in a small JSON key file next to the database, and the office sealing construction.
//!
//! - [`secret`]: secret value types (not `Clone`, redacted `Debug`, wiped on drop).
//! - [`seal`]: X25519 + HKDF-SHA256 + AES-256-GCM sealing to the office's public key.
//! - [`keyfile`]: the key file: PIN unlock with delays and lockout, PIN change, office recovery.

pub mod hex;
pub mod kdf;
pub mod keyfile;
pub mod pin_policy;
pub mod protector;
pub mod seal;
pub mod secret;

use std::fmt;
use std::path::PathBuf;

pub use kdf::KdfParams;
pub use keyfile::{KEY_FILE_NAME, KeyFile, LockState, MAX_PIN_FAILURES, PBKDF2_ITERATIONS};
pub use pin_policy::{NEW_PIN_MIN_DIGITS, PinProblem, check_new_pin};
pub use protector::{KeyProtector, NoProtector};
pub use seal::{SealError, open_as_office, seal_to_office};
pub use secret::{DatabaseKey, OfficePublicKey, OfficeSecretKey, Pin, ReviewerToken};

/// Why a key operation failed; the `Display` text is meant for the person holding the tablet.
#[derive(Debug)]
pub enum KeyError {
    /// The PIN was wrong; `attempts_left` more wrong PINs lock the tablet.
    WrongPin {
        /// Wrong PINs still allowed before lockout.
        attempts_left: u32,
    },
    /// Too many wrong PINs recently: the next attempt is allowed after `wait_seconds`.
    TooSoon {
        /// Seconds to wait before the next attempt.
        wait_seconds: u64,
    },
    /// Too many wrong PINs: only office recovery can unlock this tablet.
    LockedOut,
    /// The new PIN is not acceptable.
    UnacceptablePin(String),
    /// The key file cannot be read or written.
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A key file already exists where a new one was to be created.
    AlreadyExists(PathBuf),
    /// The key file (or an office key file) is damaged or not of the expected kind.
    Malformed(String),
    /// The office key given does not open this tablet's recovery wrap.
    WrongOfficeKey,
    /// The random generator or a cipher failed.
    Crypto(&'static str),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::WrongPin { attempts_left } => write!(
                f,
                "Wrong PIN. {attempts_left} more wrong PIN(s) will lock the tablet until the \
                 office unlocks it. Your answers are safe."
            ),
            KeyError::TooSoon { wait_seconds } => write!(
                f,
                "Too many wrong PINs: wait {} before trying again. Your answers are safe.",
                human_duration(*wait_seconds)
            ),
            KeyError::LockedOut => write!(
                f,
                "The tablet is locked after {MAX_PIN_FAILURES} wrong PINs. Your answers are safe \
                 and nothing was deleted: contact your supervisor so the office can unlock it."
            ),
            KeyError::UnacceptablePin(why) => write!(f, "This PIN cannot be used: {why}."),
            KeyError::Io { path, source } => write!(
                f,
                "The key file {} could not be read or written ({source}). Nothing was deleted.",
                path.display()
            ),
            KeyError::AlreadyExists(path) => write!(
                f,
                "A key file already exists at {}: it was left untouched.",
                path.display()
            ),
            KeyError::Malformed(why) => write!(
                f,
                "A key file is damaged ({why}): contact your supervisor; nothing was deleted."
            ),
            KeyError::WrongOfficeKey => write!(
                f,
                "This office key cannot open this tablet's recovery data (wrong office key, or \
                 the key file was altered)."
            ),
            KeyError::Crypto(why) => write!(f, "A cryptographic operation failed: {why}."),
        }
    }
}

impl std::error::Error for KeyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            KeyError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl KeyError {
    /// The enumerator's message for this error, in the interface language: the sentence is
    /// translated; technical words (the system's, a file's name) follow in parentheses.
    pub fn message(&self, tr: &crate::i18n::Tr) -> String {
        let detail = match self {
            KeyError::WrongPin { attempts_left } => attempts_left.to_string(),
            KeyError::TooSoon { wait_seconds } => translated_duration(*wait_seconds, tr),
            KeyError::LockedOut => MAX_PIN_FAILURES.to_string(),
            KeyError::UnacceptablePin(why) | KeyError::Malformed(why) => why.clone(),
            KeyError::Io { path, source } => format!("{}: {source}", path.display()),
            KeyError::AlreadyExists(path) => path.display().to_string(),
            KeyError::Crypto(why) => (*why).to_owned(),
            KeyError::WrongOfficeKey => String::new(),
        };
        let detail = match self {
            KeyError::WrongPin { .. } | KeyError::LockedOut | KeyError::TooSoon { .. } => {
                tr.ltr(&detail)
            }
            _ => detail,
        };
        tr.f(self.key(), &[("detail", &detail)])
    }

    /// A stable key for the message (translation tables, and the kind written to the log).
    pub fn key(&self) -> &'static str {
        match self {
            KeyError::WrongPin { .. } => "err_key_wrong_pin",
            KeyError::TooSoon { .. } => "err_key_too_soon",
            KeyError::LockedOut => "err_key_locked_out",
            KeyError::UnacceptablePin(_) => "err_key_unacceptable_pin",
            KeyError::Io { .. } => "err_key_io",
            KeyError::AlreadyExists(_) => "err_key_exists",
            KeyError::Malformed(_) => "err_key_malformed",
            KeyError::WrongOfficeKey => "err_key_wrong_office_key",
            KeyError::Crypto(_) => "err_key_crypto",
        }
    }

    /// What the log may say of this error: its kind and cause with quoted values left out,
    /// never a path or a PIN.
    pub fn log_detail(&self) -> String {
        match self {
            KeyError::WrongPin { attempts_left } => {
                format!("{}: {attempts_left} attempts left", self.key())
            }
            KeyError::TooSoon { wait_seconds } => format!("{}: {wait_seconds} s", self.key()),
            KeyError::Io { source, .. } => format!(
                "{}: {}",
                self.key(),
                crate::logs::without_quoted(&source.to_string())
            ),
            KeyError::Malformed(why) => {
                format!("{}: {}", self.key(), crate::logs::without_quoted(why))
            }
            KeyError::Crypto(why) => format!("{}: {why}", self.key()),
            _ => self.key().to_owned(),
        }
    }
}

/// A wait in the interface language ("2 min 5 s" in its words).
fn translated_duration(seconds: u64, tr: &crate::i18n::Tr) -> String {
    let s = (seconds % 60).to_string();
    if seconds < 60 {
        tr.f("duration_seconds", &[("s", &s)])
    } else {
        let m = (seconds / 60).to_string();
        tr.f("duration_minutes", &[("m", &m), ("s", &s)])
    }
}

fn human_duration(seconds: u64) -> String {
    if seconds < 60 {
        format!("{seconds} s")
    } else {
        format!("{} min {} s", seconds / 60, seconds % 60)
    }
}
