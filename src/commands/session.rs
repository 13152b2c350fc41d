//! Enrolment (with the office, or the demo's), unlocking and locking.

use std::path::Path;

use chrono::Utc;

use crate::app::state::{AppState, Screen};
use crate::demo;
use crate::keys::{
    DatabaseKey, KEY_FILE_NAME, KeyError, KeyFile, LockState, OfficePublicKey, Pin, check_new_pin,
};
use crate::platform::provisioning::EnrolmentPayload;
use crate::questionnaires::Questionnaires;
use crate::store::{DB_FILE_NAME, Store};
use crate::sync::{OfficeEnrolment, PendingEnrolment, SyncConfig, save_enrolment};

fn tr(state: &AppState) -> crate::i18n::Tr<'_> {
    crate::i18n::Tr {
        strings: &state.strings,
        lang: state.lang,
    }
}

/// Starts enrolling the tablet with the office: checks the form (a pasted or scanned
/// enrolment payload fills the server and code), then asks the office on a thread. The
/// key file and the store are created only once the office has answered and its keys and
/// questionnaires are checked ([`poll_enrolment`]).
pub fn enrol(state: &mut AppState, server_url: &str, code: &str, pin: String, pin_again: &str) {
    if state.enrolling.is_some() {
        return;
    }
    let tr = crate::i18n::Tr {
        strings: &state.strings,
        lang: state.lang,
    };
    let (mut server_url, mut code) = (server_url.trim().to_owned(), code.trim().to_owned());
    let mut expected = state.config.expected_keys.clone();
    if code.starts_with('{') {
        match EnrolmentPayload::parse(&code) {
            Ok(payload) => {
                server_url = payload.server_url.trim_end_matches('/').to_owned();
                code = payload.enrolment_code.clone();
                expected = payload.office_key_ids.expected();
            }
            Err(detail) => {
                state.views.enrol.error =
                    Some(tr.f("enrol_payload_unreadable", &[("detail", &detail)]));
                return;
            }
        }
    }
    let problem = if !(server_url.starts_with("https://") || server_url.starts_with("http://")) {
        Some(tr.t("enrol_server_missing").to_owned())
    } else if code.is_empty() {
        Some(tr.t("enrol_code_missing").to_owned())
    } else if let Err(problem) = check_new_pin(&pin) {
        Some(tr.t(problem.message_key()).to_owned())
    } else if pin != pin_again {
        Some(tr.t("pin_mismatch").to_owned())
    } else {
        None
    };
    if problem.is_some() {
        state.views.enrol.error = problem;
        return;
    }
    state.views.enrol.error = None;
    let pin = match Pin::new(pin) {
        Ok(pin) => pin,
        Err(e) => {
            state.views.enrol.error = Some(e.message(&tr));
            return;
        }
    };
    let mut config = SyncConfig::new(server_url.trim_end_matches('/'), Vec::new());
    config.trusted_certificates = state.config.trusted_certificates.clone();
    match PendingEnrolment::start(config, code, expected, pin, state.waker.clone()) {
        Ok(pending) => {
            state.enrolling = Some(pending);
            state.views.enrol.busy = true;
        }
        Err(problem) => state.views.enrol.error = Some(problem.message(&tr)),
    }
}

/// Takes in the office's answer to an enrolment under way; true when the tablet is now
/// enrolled (home screen).
pub fn poll_enrolment(state: &mut AppState) -> bool {
    let Some(outcome) = state.enrolling.as_ref().and_then(|p| p.outcome()) else {
        return false;
    };
    let Some(pending) = state.enrolling.take() else {
        return false;
    };
    state.views.enrol.busy = false;
    let enrolment = match outcome {
        Ok(enrolment) => enrolment,
        Err(problem) => {
            crate::logs::sync_failed("enrol", problem.key());
            state.views.enrol.error = Some(problem.message(&tr(state)));
            return false;
        }
    };
    let created = create_enrolled_device(&state.config.data_dir, pending.pin, &enrolment);
    crate::logs::outcome("enrol", created.is_ok());
    match created {
        Ok((keyfile, key, store)) => {
            state.config.server_url = Some(enrolment.server_url.clone());
            state.enumerator_id = keyfile.device_id().to_owned();
            state.keyfile = Some(keyfile);
            opened(state, store, &key);
            true
        }
        Err(error) => {
            state.views.enrol.error = Some(error.message(&tr(state)));
            false
        }
    }
}

/// Creates the key file (sealed for recovery to the office's recovery key) and the store,
/// and saves the enrolment in it. On failure nothing is left behind (the office's code is
/// spent: the supervisor issues another).
fn create_enrolled_device(
    dir: &Path,
    pin: Pin,
    enrolment: &OfficeEnrolment,
) -> Result<(KeyFile, DatabaseKey, Store), EnrolError> {
    let created = (|| {
        crate::private_files::create_private_dir(dir).map_err(|source| {
            EnrolError::DataDirectory {
                dir: dir.display().to_string(),
                source,
            }
        })?;
        let recovery = OfficePublicKey(enrolment.recovery_key);
        let (keyfile, key) = KeyFile::create(
            &dir.join(KEY_FILE_NAME),
            &pin,
            &recovery,
            &enrolment.assignment.enumerator_id,
        )?;
        let mut store = Store::open(dir, &key)?;
        save_enrolment(&mut store, enrolment).map_err(EnrolError::Saving)?;
        Ok((keyfile, key, store))
    })();
    if created.is_err() {
        for name in [KEY_FILE_NAME, DB_FILE_NAME] {
            let _ = std::fs::remove_file(dir.join(name));
        }
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(dir.join(format!("{DB_FILE_NAME}{suffix}")));
        }
    }
    created
}

/// What follows a store's opening (enrolment or unlock): the demo's questionnaires in demo
/// mode, the installed questionnaires loaded, the home screen, the sync client.
fn opened(state: &mut AppState, mut store: Store, key: &DatabaseKey) {
    if state.config.demo
        && let Err(e) = demo::install_questionnaires(&mut store)
    {
        crate::logs::store_error("open", &e);
        let message = e.message(&tr(state));
        state.fail(message);
    }
    if state.config.server_url.is_none() {
        state.config.server_url = store
            .sync_setting(crate::store::sync_state::SyncKey::ServerUrl)
            .ok()
            .flatten();
    }
    match Questionnaires::load(&store) {
        Ok(questionnaires) => state.questionnaires = questionnaires,
        Err(e) => {
            crate::logs::store_error("open", &e);
            let message = e.message(&tr(state));
            state.fail(message);
        }
    }
    state.store = Some(store);
    state.screen = Screen::Home;
    super::sync::start(state, key);
}

/// Why the device could not be enrolled.
#[derive(Debug, thiserror::Error)]
pub enum EnrolError {
    /// The demo assignment is not usable, or the demo office key is damaged.
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
    /// What the office sent could not be saved.
    #[error(transparent)]
    Saving(crate::sync::SyncProblem),
}

impl EnrolError {
    /// The enumerator's message, in the interface language.
    pub fn message(&self, tr: &crate::i18n::Tr) -> String {
        match self {
            EnrolError::Saving(problem) => problem.message(tr),
            EnrolError::Store(error) => error.message(tr),
            EnrolError::Key(error) => error.message(tr),
            other => tr.f("open_failed", &[("detail", &other.to_string())]),
        }
    }
}

/// Enrols a demo tablet: the demo assignment and the bundled questionnaires, the database
/// key sealed for recovery to the **demo** office key (demo mode only).
pub fn enrol_demo_device(
    dir: &Path,
    enumerator_id: &str,
    pin: String,
) -> Result<(KeyFile, Store), EnrolError> {
    let assignment = demo::demo_assignment()?;
    let office = demo::office_public_key()?;
    crate::private_files::create_private_dir(dir).map_err(|source| EnrolError::DataDirectory {
        dir: dir.display().to_string(),
        source,
    })?;
    let pin = Pin::new(pin)?;
    let (keyfile, key) = KeyFile::create(&dir.join(KEY_FILE_NAME), &pin, &office, enumerator_id)?;
    let mut store = Store::open(dir, &key)?;
    store.import_assignment(&assignment)?;
    demo::install_questionnaires(&mut store)?;
    Ok((keyfile, store))
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
            // The PIN is the enumerator's: a reviewer signed in before types their code again.
            Ok(mut store) => match store.close_reviewer_session() {
                Ok(()) => {
                    state.views.unlock.error = None;
                    state.reviewer_last_use = None;
                    opened(state, store, &key);
                }
                Err(e) => {
                    crate::logs::store_error("unlock", &e);
                    state.views.unlock.error = Some(e.message(&tr));
                }
            },
            Err(e) => {
                crate::logs::store_error("unlock", &e);
                state.views.unlock.error = Some(e.message(&tr))
            }
        },
        Err(KeyError::WrongPin { .. }) | Err(KeyError::UnacceptablePin(_)) => {
            state.views.unlock.error = Some(tr.t("wrong_pin").to_owned());
        }
        Err(KeyError::TooSoon { .. }) => state.views.unlock.error = None,
        Err(other) => {
            crate::logs::key_error("unlock", &other);
            state.views.unlock.error = Some(other.message(&tr));
        }
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
