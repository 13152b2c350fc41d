//! Enrolment with the office from nothing (a server URL and a one-time code), the office
//! keys a tablet pins, and the questionnaires an assignment names.
//!
//! Order at enrolment: the office answers the code with a token, its keys and the
//! assignment; the tablet checks the keys (each id is the key's own fingerprint, and matches
//! the provisioning file's when it names them; a recovery key must be present), downloads
//! each questionnaire the assignment names and checks it (digest, then the loader). Only
//! then does the caller create the key file — sealed for recovery to the office's
//! **recovery** key — and the store, and [`save_enrolment`] writes everything in it.

use std::collections::BTreeSet;

use census_core::wire::{
    self, Assignment, DeviceKey, EnrolRequest, OfficeKeys, PublishedKey, PublishedQuestionnaire,
};
use uuid::Uuid;
use zeroize::Zeroizing;

use super::http::{DeviceToken, OfficeClient};
use super::records::store_assignment;
use super::{SyncConfig, SyncProblem};
use crate::questionnaires::check_download;
use crate::store::sync_state::SyncKey;
use crate::store::{InstalledQuestionnaire, Store};

/// Office key ids a provisioning file says to expect (checked at enrolment).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpectedKeys {
    /// The batch key's id.
    pub batch: Option<String>,
    /// The recovery key's id.
    pub recovery: Option<String>,
}

/// What the office gave a new tablet: its identity, the office's keys, the assignment and
/// the questionnaires (checked). Secrets are redacted from `Debug`.
pub struct OfficeEnrolment {
    /// The office's server, as reached.
    pub server_url: String,
    /// The device id the tablet enrolled under.
    pub device_id: String,
    device_key_pkcs8: Zeroizing<Vec<u8>>,
    token: DeviceToken,
    /// The office's batch key (batches are sealed to it).
    pub batch_key: [u8; 32],
    /// The office's recovery public key: the database key is sealed to it.
    pub recovery_key: [u8; 32],
    /// Its id, pinned in the store.
    pub recovery_key_id: String,
    /// The assignment.
    pub assignment: Assignment,
    /// The questionnaires the assignment names, checked.
    pub questionnaires: Vec<InstalledQuestionnaire>,
}

impl std::fmt::Debug for OfficeEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OfficeEnrolment")
            .field("device_id", &self.device_id)
            .field("recovery_key_id", &self.recovery_key_id)
            .field("districts", &self.assignment.districts.len())
            .field("questionnaires", &self.questionnaires)
            .finish_non_exhaustive()
    }
}

/// A published key, checked: its id is its own fingerprint.
pub(super) fn checked_key(key: &PublishedKey, what: &str) -> Result<[u8; 32], SyncProblem> {
    let bytes = wire::decode_key32(&key.public_key)
        .map_err(|e| SyncProblem::OfficeKeys(format!("the {what} key does not decode: {e}")))?;
    if wire::key_id(&bytes) != key.key_id {
        return Err(SyncProblem::OfficeKeys(format!(
            "the {what} key's id {} is not its fingerprint",
            key.key_id
        )));
    }
    Ok(bytes)
}

/// The office's keys, checked against `expected`: (batch key, recovery key, recovery id).
fn check_keys(
    keys: Option<&OfficeKeys>,
    expected: &ExpectedKeys,
) -> Result<([u8; 32], [u8; 32], String), SyncProblem> {
    let keys = keys.ok_or_else(|| {
        SyncProblem::OfficeKeys("the office sent no key ids: its server needs an update".into())
    })?;
    let batch = checked_key(&keys.batch, "batch")?;
    let recovery = keys.recovery.as_ref().ok_or_else(|| {
        SyncProblem::OfficeKeys("the office has not set its recovery key yet".into())
    })?;
    let recovery_key = checked_key(recovery, "recovery")?;
    for (what, want, got) in [
        ("batch", &expected.batch, &keys.batch.key_id),
        ("recovery", &expected.recovery, &recovery.key_id),
    ] {
        if let Some(want) = want
            && !want.eq_ignore_ascii_case(got)
        {
            return Err(SyncProblem::OfficeKeys(format!(
                "the provisioning file expects {what} key {want}, the server has {got}"
            )));
        }
    }
    Ok((batch, recovery_key, recovery.key_id.clone()))
}

/// Enrols with the office at `config.server_url` with a one-time `code`, and downloads what
/// the tablet needs to work offline. Nothing is written on the tablet.
pub fn enrol_with_office(
    config: &SyncConfig,
    code: &str,
    expected: &ExpectedKeys,
) -> Result<OfficeEnrolment, SyncProblem> {
    let code = code.trim();
    if code.is_empty() {
        return Err(SyncProblem::EnrolmentCodeRefused(
            "the code is empty".to_owned(),
        ));
    }
    let office = OfficeClient::new(config)?;
    let device_id = format!("tablet-{}", Uuid::new_v4());
    let device_key = DeviceKey::generate()?;
    let reply = office.enrol(&EnrolRequest {
        code: code.to_owned(),
        device_id: device_id.clone(),
        device_public_key: wire::b64_encode(&device_key.public_key()),
        enumerator_id: String::new(),
    })?;
    let (batch_key, recovery_key, recovery_key_id) =
        check_keys(reply.office_keys.as_ref(), expected)?;
    let announced = wire::decode_key32(&reply.office_public_key)
        .map_err(|e| SyncProblem::BadAnswer(e.to_string()))?;
    if announced != batch_key {
        return Err(SyncProblem::OfficeKeys(
            "the office announced two different batch keys".into(),
        ));
    }
    let token = DeviceToken::new(reply.device_token);
    let mut questionnaires = Vec::new();
    for published in named_questionnaires(&reply.assignment) {
        questionnaires.push(download_questionnaire(&office, &token, &published)?);
    }
    Ok(OfficeEnrolment {
        server_url: config.server_url.clone(),
        device_id,
        device_key_pkcs8: device_key.to_pkcs8_dangerous(),
        token,
        batch_key,
        recovery_key,
        recovery_key_id,
        assignment: reply.assignment,
        questionnaires,
    })
}

/// An enrolment under way on its own thread (the screen stays responsive; a dead network
/// takes the request timeout to say so).
pub struct PendingEnrolment {
    /// The PIN chosen, kept (wiped on drop) until the key file is created with it.
    pub pin: crate::keys::Pin,
    receiver: std::sync::mpsc::Receiver<Result<OfficeEnrolment, SyncProblem>>,
}

impl std::fmt::Debug for PendingEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PendingEnrolment { .. }")
    }
}

impl PendingEnrolment {
    /// Starts [`enrol_with_office`] on a thread; `waker` is called when it ends.
    pub fn start(
        config: SyncConfig,
        code: String,
        expected: ExpectedKeys,
        pin: crate::keys::Pin,
        waker: Option<super::Waker>,
    ) -> Result<PendingEnrolment, SyncProblem> {
        let (sender, receiver) = std::sync::mpsc::channel();
        let code = Zeroizing::new(code);
        std::thread::Builder::new()
            .name("census-enrol".to_owned())
            .spawn(move || {
                let result = enrol_with_office(&config, &code, &expected);
                // The screen may have been closed meanwhile: nobody to tell.
                let _ = sender.send(result);
                if let Some(wake) = waker {
                    wake();
                }
            })
            .map_err(|e| SyncProblem::Storage(format!("no thread for enrolment: {e}")))?;
        Ok(PendingEnrolment { pin, receiver })
    }

    /// The outcome, once the office answered (or could not be reached).
    pub fn outcome(&self) -> Option<Result<OfficeEnrolment, SyncProblem>> {
        match self.receiver.try_recv() {
            Ok(result) => Some(result),
            Err(std::sync::mpsc::TryRecvError::Empty) => None,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => Some(Err(SyncProblem::Storage(
                "the enrolment stopped unexpectedly".to_owned(),
            ))),
        }
    }
}

/// Writes an enrolment into the tablet's (new) store: credentials, pinned recovery key id,
/// questionnaires, assignment.
pub fn save_enrolment(store: &mut Store, enrolment: &OfficeEnrolment) -> Result<(), SyncProblem> {
    let key_text = Zeroizing::new(wire::b64_encode(&enrolment.device_key_pkcs8));
    store.set_sync_settings(&[
        (SyncKey::DeviceId, &enrolment.device_id),
        (SyncKey::DeviceKey, &key_text),
        (SyncKey::DeviceToken, enrolment.token.expose_secret()),
        (
            SyncKey::OfficePublicKey,
            &wire::b64_encode(&enrolment.batch_key),
        ),
        (SyncKey::EnumeratorId, &enrolment.assignment.enumerator_id),
        (SyncKey::RecoveryKeyId, &enrolment.recovery_key_id),
        (SyncKey::ServerUrl, &enrolment.server_url),
    ])?;
    for q in &enrolment.questionnaires {
        store.install_questionnaire(q)?;
    }
    store.import_assignment(&store_assignment(&enrolment.assignment))?;
    set_district_questionnaires(store, &enrolment.assignment)?;
    Ok(())
}

/// The questionnaires an assignment names, each once.
fn named_questionnaires(assignment: &Assignment) -> Vec<PublishedQuestionnaire> {
    let mut seen = BTreeSet::new();
    assignment
        .districts
        .iter()
        .flat_map(|d| &d.questionnaires)
        .filter(|q| seen.insert((q.id.clone(), q.version.clone())))
        .cloned()
        .collect()
}

fn download_questionnaire(
    office: &OfficeClient,
    token: &DeviceToken,
    published: &PublishedQuestionnaire,
) -> Result<InstalledQuestionnaire, SyncProblem> {
    let body = office.questionnaire(token, &published.id, &published.version)?;
    check_download(published, body).map_err(SyncProblem::BadAnswer)
}

/// Makes the questionnaires an assignment names those of its districts' new cases (each is
/// installed by then).
fn set_district_questionnaires(
    store: &mut Store,
    assignment: &Assignment,
) -> Result<(), SyncProblem> {
    for district in &assignment.districts {
        for q in &district.questionnaires {
            store.set_district_questionnaire(
                &district.district_id,
                q.population,
                &q.id,
                &q.version,
            )?;
        }
    }
    Ok(())
}

/// Downloads and installs the questionnaires `assignment` names that the tablet lacks, and
/// makes them its districts' questionnaires for new cases (a case already started keeps
/// its own). Returns those newly installed.
pub fn update_questionnaires(
    office: &OfficeClient,
    token: &DeviceToken,
    store: &mut Store,
    assignment: &Assignment,
) -> Result<Vec<InstalledQuestionnaire>, SyncProblem> {
    let mut installed = Vec::new();
    for published in named_questionnaires(assignment) {
        if store.has_questionnaire(&published.id, &published.version)? {
            continue;
        }
        let q = download_questionnaire(office, token, &published)?;
        store.install_questionnaire(&q)?;
        installed.push(q);
    }
    set_district_questionnaires(store, assignment)?;
    Ok(installed)
}

/// Checks the office keys of a download against the recovery key pinned at enrolment.
/// Returns the batch key to seal to from now on (the office may have rotated it).
/// A tablet enrolled before keys were pinned (nothing pinned) accepts the keys as they are.
pub fn check_pinned_keys(
    store: &Store,
    keys: Option<&OfficeKeys>,
) -> Result<Option<[u8; 32]>, SyncProblem> {
    let Some(keys) = keys else {
        return Ok(None);
    };
    let batch = checked_key(&keys.batch, "batch")?;
    if let Some(pinned) = store.sync_setting(SyncKey::RecoveryKeyId)? {
        let announced = keys.recovery.as_ref().map(|k| k.key_id.as_str());
        if announced != Some(pinned.as_str()) {
            return Err(SyncProblem::OfficeKeys(format!(
                "the office announces recovery key {}, this tablet was enrolled with {pinned}",
                announced.unwrap_or("none")
            )));
        }
    }
    Ok(Some(batch))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(batch: [u8; 32], recovery: Option<[u8; 32]>) -> OfficeKeys {
        OfficeKeys {
            batch: PublishedKey::new(&batch),
            recovery: recovery.map(|k| PublishedKey::new(&k)),
        }
    }

    #[test]
    fn keys_are_checked_against_their_ids_and_the_provisioning_file() {
        let good = keys([1; 32], Some([2; 32]));
        let (batch, recovery, id) = check_keys(Some(&good), &ExpectedKeys::default()).unwrap();
        assert_eq!((batch, recovery), ([1; 32], [2; 32]));
        assert_eq!(id, wire::key_id(&[2; 32]));

        let expected = ExpectedKeys {
            batch: None,
            recovery: Some(wire::key_id(&[3; 32])),
        };
        let refused = check_keys(Some(&good), &expected).unwrap_err();
        assert!(matches!(refused, SyncProblem::OfficeKeys(_)), "{refused:?}");

        let none = check_keys(Some(&keys([1; 32], None)), &ExpectedKeys::default());
        assert!(matches!(none, Err(SyncProblem::OfficeKeys(m)) if m.contains("recovery")));

        let mut forged = good.clone();
        forged.batch.key_id = wire::key_id(&[9; 32]);
        assert!(check_keys(Some(&forged), &ExpectedKeys::default()).is_err());
        assert!(check_keys(None, &ExpectedKeys::default()).is_err());
    }
}
