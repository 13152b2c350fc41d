//! Enrolment, unlocking and locking.

use std::path::Path;

use chrono::Utc;

use crate::app::state::{AppState, Screen};
use crate::command::AssignmentSource;
use crate::demo;
use crate::keys::{DatabaseKey, KEY_FILE_NAME, KeyError, KeyFile, LockState, Pin, check_new_pin};
use crate::store::Store;

/// Enrols the device: checks the form, creates the key file and the store, imports the
/// assignment, and opens the home screen.
pub fn enrol(
    state: &mut AppState,
    enumerator_id: &str,
    pin: String,
    pin_again: &str,
    assignment: &AssignmentSource,
) {
    let tr = crate::i18n::Tr {
        strings: &state.strings,
        lang: state.lang,
    };
    let problem = if enumerator_id.is_empty() {
        Some(tr.t("enumerator_missing").to_owned())
    } else if let Err(problem) = check_new_pin(&pin) {
        Some(tr.t(problem.message_key()).to_owned())
    } else if pin != pin_again {
        Some(tr.t("pin_mismatch").to_owned())
    } else {
        None
    };
    state.views.enrol.error = problem;
    if state.views.enrol.error.is_some() {
        return;
    }
    match create_device(&state.config.data_dir, enumerator_id, pin, assignment) {
        Ok((keyfile, key, store)) => {
            state.enumerator_id = keyfile.device_id().to_owned();
            state.keyfile = Some(keyfile);
            state.store = Some(store);
            state.screen = Screen::Home;
            super::sync::start(state, &key);
        }
        Err(error) => state.views.enrol.error = Some(error.message(&tr)),
    }
}

/// Why the device could not be enrolled.
#[derive(Debug, thiserror::Error)]
pub enum EnrolError {
    /// The assignment file could not be read from the tablet's storage.
    #[error("The assignment file {path} cannot be read ({source}).")]
    AssignmentUnreadable {
        /// The path typed.
        path: String,
        /// The system's reason.
        source: std::io::Error,
    },
    /// The assignment is not usable, or the app's office key is damaged.
    #[error(transparent)]
    Assignment(#[from] demo::AssignmentError),
    /// The data directory could not be created.
    #[error("The data directory {dir} cannot be created ({source}): check the storage.")]
    DataDirectory {
        /// The directory.
        dir: String,
        /// The system's reason.
        source: std::io::Error,
    },
    /// The key file could not be created.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The store could not be created or the assignment saved in it.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl EnrolError {
    /// The enumerator's message, in the interface language.
    pub fn message(&self, tr: &crate::i18n::Tr) -> String {
        match self {
            EnrolError::AssignmentUnreadable { path, source } => tr.f(
                "enrol_assignment_unreadable",
                &[("path", path), ("detail", &source.to_string())],
            ),
            EnrolError::Assignment(demo::AssignmentError::NotAnAssignment {
                source_name,
                detail,
            }) => tr.f(
                "enrol_not_an_assignment",
                &[("path", source_name), ("detail", detail)],
            ),
            other => tr.f("open_failed", &[("detail", &other.to_string())]),
        }
    }
}

/// Creates the key file and the store in `dir` and imports the assignment.
pub fn enrol_device(
    dir: &Path,
    enumerator_id: &str,
    pin: String,
    assignment: &AssignmentSource,
) -> Result<(KeyFile, Store), EnrolError> {
    create_device(dir, enumerator_id, pin, assignment).map(|(keyfile, _, store)| (keyfile, store))
}

/// [`enrol_device`], also returning the database key (for the sync client).
fn create_device(
    dir: &Path,
    enumerator_id: &str,
    pin: String,
    assignment: &AssignmentSource,
) -> Result<(KeyFile, DatabaseKey, Store), EnrolError> {
    let assignment = match assignment {
        AssignmentSource::Demo => demo::demo_assignment()?,
        AssignmentSource::File(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| {
                EnrolError::AssignmentUnreadable {
                    path: path.clone(),
                    source,
                }
            })?;
            demo::parse_assignment(path, &text)?
        }
    };
    let office = demo::office_public_key()?;
    crate::private_files::create_private_dir(dir).map_err(|source| EnrolError::DataDirectory {
        dir: dir.display().to_string(),
        source,
    })?;
    let pin = Pin::new(pin)?;
    let (keyfile, key) = KeyFile::create(&dir.join(KEY_FILE_NAME), &pin, &office, enumerator_id)?;
    let mut store = Store::open(dir, &key)?;
    store.import_assignment(&assignment)?;
    Ok((keyfile, key, store))
}

/// Tries the PIN; on success opens the store and the home screen.
pub fn unlock(state: &mut AppState, pin: String) {
    let Some(keyfile) = state.keyfile.as_mut() else {
        state.screen = Screen::Enrol;
        return;
    };
    let result = Pin::new(pin).and_then(|pin| keyfile.unlock(&pin));
    let tr = crate::i18n::Tr {
        strings: &state.strings,
        lang: state.lang,
    };
    match result {
        Ok(key) => match Store::open(&state.config.data_dir, &key) {
            Ok(store) => {
                state.store = Some(store);
                state.views.unlock.error = None;
                state.screen = Screen::Home;
                super::sync::start(state, &key);
            }
            Err(e) => {
                state.views.unlock.error = Some(tr.f("open_failed", &[("detail", &e.to_string())]))
            }
        },
        Err(KeyError::WrongPin { .. }) | Err(KeyError::UnacceptablePin(_)) => {
            state.views.unlock.error = Some(tr.t("wrong_pin").to_owned());
        }
        Err(KeyError::TooSoon { .. }) => state.views.unlock.error = None,
        Err(other) => state.views.unlock.error = Some(other.to_string()),
    }
}

/// Seconds before another PIN may be tried (None when one may be tried now).
pub fn wait_seconds(keyfile: &KeyFile) -> Option<u64> {
    let now = Utc::now();
    match keyfile.lock_state(now) {
        LockState::WaitUntil(until) => {
            let seconds = (until - now).num_seconds().max(1);
            u64::try_from(seconds).ok()
        }
        _ => None,
    }
}

/// Closes the store and the case and shows the unlock screen.
pub fn lock(state: &mut AppState) {
    super::sync::stop(state);
    state.case = None;
    state.store = None;
    state.screen = if state.keyfile.is_some() {
        Screen::Unlock
    } else {
        Screen::Enrol
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, Strings, Tr};

    #[test]
    fn enrolment_errors_say_what_to_do_in_the_interface_language() {
        let dir = tempfile::tempdir().unwrap();
        let strings = Strings::bundled();
        let french = Tr {
            strings: &strings,
            lang: Lang::Fr,
        };
        let missing = AssignmentSource::File("/nowhere/assignment.json".into());
        let error = enrol_device(dir.path(), "AR-1", "280514".into(), &missing).unwrap_err();
        assert!(matches!(error, EnrolError::AssignmentUnreadable { .. }));
        let message = error.message(&french);
        assert!(message.contains("/nowhere/assignment.json"), "{message}");
        assert!(message.contains("copiez-le"), "{message}");

        let not_json = dir.path().join("assignment.json");
        std::fs::write(&not_json, "{\"districts\": 3}").unwrap();
        let source = AssignmentSource::File(not_json.display().to_string());
        let error =
            enrol_device(&dir.path().join("data"), "AR-1", "280514".into(), &source).unwrap_err();
        let message = error.message(&french);
        assert!(message.contains("n'est pas une affectation"), "{message}");
        assert!(!dir.path().join("data").join(KEY_FILE_NAME).exists());
    }
}
