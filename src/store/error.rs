//! Store errors, with messages an enumerator can act on.

use std::fmt;
use std::path::PathBuf;

use rusqlite::ErrorCode;

/// Why a store operation failed. `Display` gives a message for the enumerator.
#[derive(Debug)]
pub enum StoreError {
    /// The device's storage is full (SQLITE_FULL): the failed change was rolled back.
    StorageFull,
    /// The database or its directory cannot be written (SQLITE_READONLY, read-only storage).
    ReadOnly,
    /// The database file is damaged (SQLITE_CORRUPT, failed page authentication).
    Corrupted(String),
    /// The database was written by a newer version of the app.
    NewerVersion {
        /// The database's schema version.
        found: i64,
        /// The newest schema version this build knows.
        supported: i64,
    },
    /// The key does not open this database (or its first page is damaged).
    WrongKey,
    /// The database file cannot be opened or created (SQLITE_CANTOPEN).
    CannotOpen {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        detail: String,
    },
    /// No such case, district or building.
    NotFound(String),
    /// The request itself is not acceptable (e.g. a revisit time for a completed case).
    Invalid(String),
    /// Anything else from SQLite or the file system.
    Other(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::StorageFull => f.write_str(
                "The tablet's storage is full: free space, your answers so far are safe.",
            ),
            StoreError::ReadOnly => f.write_str(
                "The tablet's storage cannot be written right now (read-only): restart the \
                 tablet, and if this persists contact your supervisor; your answers so far are \
                 safe and nothing was deleted.",
            ),
            StoreError::Corrupted(detail) => write!(
                f,
                "The answers database is damaged ({detail}): contact your supervisor; nothing \
                 was deleted."
            ),
            StoreError::NewerVersion { found, supported } => write!(
                f,
                "The answers database was written by a newer version of the app (schema \
                 {found}, this app knows up to {supported}): update the app; nothing was \
                 deleted."
            ),
            StoreError::WrongKey => f.write_str(
                "The answers database cannot be opened with this key (wrong key, or the file's \
                 first page is damaged): contact your supervisor; nothing was deleted.",
            ),
            StoreError::CannotOpen { path, detail } => write!(
                f,
                "The answers database {} cannot be opened ({detail}): check the tablet's \
                 storage, then contact your supervisor; nothing was deleted.",
                path.display()
            ),
            StoreError::NotFound(what) => write!(f, "Not found: {what}."),
            StoreError::Invalid(why) => write!(f, "This cannot be saved: {why}."),
            StoreError::Other(detail) => write!(
                f,
                "Unexpected storage error ({detail}); your answers so far are safe."
            ),
        }
    }
}

impl std::error::Error for StoreError {}

impl StoreError {
    /// The enumerator's message for this error, in the interface language: the sentence is
    /// translated; SQLite's own words, when there are any, follow in parentheses.
    pub fn message(&self, tr: &crate::i18n::Tr) -> String {
        let detail = match self {
            StoreError::Corrupted(detail)
            | StoreError::NotFound(detail)
            | StoreError::Invalid(detail)
            | StoreError::Other(detail) => detail.clone(),
            StoreError::CannotOpen { path, detail } if path.as_os_str().is_empty() => {
                detail.clone()
            }
            StoreError::CannotOpen { path, detail } => format!("{}: {detail}", path.display()),
            _ => String::new(),
        };
        let (found, supported) = match self {
            StoreError::NewerVersion { found, supported } => {
                (found.to_string(), supported.to_string())
            }
            _ => (String::new(), String::new()),
        };
        tr.f(
            self.key(),
            &[
                ("detail", &detail),
                ("found", &tr.ltr(&found)),
                ("supported", &tr.ltr(&supported)),
            ],
        )
    }

    /// A stable key for the message (translation tables, and the kind written to the log).
    pub fn key(&self) -> &'static str {
        match self {
            StoreError::StorageFull => "err_store_full",
            StoreError::ReadOnly => "err_store_read_only",
            StoreError::Corrupted(_) => "err_store_corrupted",
            StoreError::NewerVersion { .. } => "err_store_newer",
            StoreError::WrongKey => "err_store_wrong_key",
            StoreError::CannotOpen { .. } => "err_store_cannot_open",
            StoreError::NotFound(_) => "err_store_not_found",
            StoreError::Invalid(_) => "err_store_invalid",
            StoreError::Other(_) => "err_store_other",
        }
    }

    /// What the log may say of this error: its kind and the storage's own words with every
    /// quoted value left out (a JSON error may quote a stored answer), never a path (a data
    /// directory may hold a person's name).
    pub fn log_detail(&self) -> String {
        match self {
            StoreError::Corrupted(d)
            | StoreError::NotFound(d)
            | StoreError::Invalid(d)
            | StoreError::Other(d)
            | StoreError::CannotOpen { detail: d, .. } => {
                format!("{}: {}", self.key(), crate::logs::without_quoted(d))
            }
            StoreError::NewerVersion { found, supported } => {
                format!("{}: schema {found}, supported {supported}", self.key())
            }
            _ => self.key().to_owned(),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> StoreError {
        match error.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => StoreError::StorageFull,
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly,
            Some(ErrorCode::DatabaseCorrupt) | Some(ErrorCode::NotADatabase) => {
                StoreError::Corrupted(error.to_string())
            }
            Some(ErrorCode::CannotOpen) => StoreError::CannotOpen {
                path: PathBuf::new(),
                detail: error.to_string(),
            },
            _ => StoreError::Other(error.to_string()),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(error: serde_json::Error) -> StoreError {
        StoreError::Corrupted(format!("a stored value is not valid JSON: {error}"))
    }
}

impl From<census_core::wire::UnknownDecision> for StoreError {
    fn from(error: census_core::wire::UnknownDecision) -> StoreError {
        StoreError::Corrupted(error.to_string())
    }
}
