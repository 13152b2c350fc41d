//! The link between the screens and the sync client: starting and stopping it with the
//! store, passing the enumerator's requests, taking in its status each frame, and building
//! the home screen's sync panel. No network here: the sync thread does that.

use std::collections::HashMap;

use crate::app::state::{AppState, Screen};
use crate::i18n::Tr;
use crate::keys::DatabaseKey;
use crate::store::{CaseId, Store, StoreError};
use crate::sync::{DiagnosticsState, SyncActivity, SyncConfig, SyncHandle, SyncStatus};
use crate::ui::screens::drafts::Drafts;
use crate::ui::screens::sync_panel::{CODE_FIELD, SyncPanel};

/// Starts the sync client on the unlocked store when a server is configured.
pub fn start(state: &mut AppState, key: &DatabaseKey) {
    stop(state);
    let Some(config) = sync_config(&state.config, state.questionnaires.all()) else {
        return;
    };
    let key = DatabaseKey::from_secret_bytes(*key.expose_secret_bytes());
    let dir = state.config.data_dir.clone();
    match SyncHandle::start(config, dir, key, state.waker.clone()) {
        Ok(handle) => {
            state.sync_status = Some(handle.status().clone());
            state.sync = Some(handle);
        }
        Err(problem) => {
            state.sync_status = Some(SyncStatus {
                activity: SyncActivity::Stopped,
                problem: Some(problem),
                ..SyncStatus::default()
            });
        }
    }
}

/// The sync client's configuration from the app's: `None` without a server. The certificates
/// of the provisioning file are the only ones trusted.
pub fn sync_config(
    config: &crate::app::AppConfig,
    questionnaires: Vec<std::sync::Arc<census_core::load::Questionnaire>>,
) -> Option<SyncConfig> {
    let url = config.server_url.clone()?;
    let mut sync = SyncConfig::new(url, questionnaires);
    sync.trusted_certificates = config.trusted_certificates.clone();
    Some(sync)
}

/// Stops the sync client (at lock): the thread ends after the request in progress.
pub fn stop(state: &mut AppState) {
    state.sync = None;
    state.sync_status = None;
}

/// Asks for a sync now.
pub fn sync_now(state: &AppState) {
    if let Some(sync) = &state.sync {
        sync.request_sync();
    }
}

/// Asks the sync client to send the end of the log to the office.
pub fn send_diagnostics(state: &AppState) {
    if let Some(sync) = &state.sync {
        sync.request_diagnostics();
    }
}

/// Asks the sync client to enrol the tablet with the office's one-time code.
pub fn enrol(state: &AppState, drafts: &mut Drafts, code: &str) {
    let Some(sync) = &state.sync else { return };
    sync.request_enrol(code.trim().to_owned(), state.enumerator_id.clone());
    drafts.field(CODE_FIELD).clear();
}

/// Takes in the sync thread's latest status (never blocks); when it changed, rebuilds the
/// data of the screen shown (counts, refusals, a reopened case). The coverage screen, whose
/// report is costly to compute, is rebuilt only when a sync finished or an area arrived;
/// meanwhile only its reviewer card follows the status. Returns whether it changed.
pub fn poll(state: &mut AppState) -> bool {
    let Some(sync) = state.sync.as_mut() else {
        return false;
    };
    let status = sync.poll().clone();
    if state.sync_status.as_ref() == Some(&status) {
        return false;
    }
    let data_arrived = state.sync_status.as_ref().is_none_or(|before| {
        before.last_success != status.last_success
            || before.review_fetched_at != status.review_fetched_at
    });
    let questionnaires_arrived = data_arrived
        && status
            .last_report
            .as_ref()
            .is_some_and(|r| r.questionnaires_installed > 0);
    state.sync_status = Some(status);
    if questionnaires_arrived && let Some(store) = &state.store {
        // New versions the office published: new cases take them from now on.
        match crate::questionnaires::Questionnaires::load(store) {
            Ok(loaded) => state.questionnaires = loaded,
            Err(e) => crate::logs::store_error("questionnaires", &e),
        }
    }
    match state.screen {
        Screen::Coverage if !data_arrived => refresh_reviewer_card(state),
        Screen::Home | Screen::District(_) | Screen::Coverage | Screen::Review => {
            super::refresh(state)
        }
        _ => {}
    }
    true
}

/// Rebuilds only the coverage screen's reviewer card.
fn refresh_reviewer_card(state: &mut AppState) {
    let Some(store) = &state.store else { return };
    let tr = Tr {
        strings: &state.strings,
        lang: state.lang,
    };
    match crate::app::review_view::reviewer_card(state, store, &tr) {
        Ok(card) => state.views.coverage.reviewer = card,
        Err(e) => {
            crate::logs::store_error("reviewer_card", &e);
            state.error = Some(tr.f("open_failed", &[("detail", &e.message(&tr))]));
        }
    }
}

/// The home screen's sync panel.
pub fn panel(state: &AppState, store: &Store, tr: &Tr) -> Result<SyncPanel, StoreError> {
    let outbox = waiting(store)?;
    let Some(status) = &state.sync_status else {
        return Ok(SyncPanel {
            configured: state.config.server_url.is_some(),
            waiting: outbox,
            ..SyncPanel::default()
        });
    };
    let started = status.activity != SyncActivity::Starting;
    let activity = match status.activity {
        SyncActivity::Starting => Some(tr.t("sync_starting").to_owned()),
        SyncActivity::Enrolling => Some(tr.t("sync_enrolling").to_owned()),
        SyncActivity::Checking => Some(tr.t("sync_checking").to_owned()),
        SyncActivity::Sending { sent, total } => Some(tr.f(
            "sync_sending",
            &[("sent", &sent.to_string()), ("total", &total.to_string())],
        )),
        SyncActivity::Downloading => Some(tr.t("sync_downloading").to_owned()),
        SyncActivity::Reviewing => Some(tr.t("sync_reviewing").to_owned()),
        SyncActivity::Stopped => Some(tr.t("sync_stopped").to_owned()),
        SyncActivity::Idle
        | SyncActivity::WaitingToRetry { .. }
        | SyncActivity::WaitingForEnumerator => None,
    };
    let last_success = status.last_success.map(|at| {
        let local = at.with_timezone(&chrono::Local);
        let at = tr.ltr(&local.format("%Y-%m-%d %H:%M").to_string());
        tr.f("sync_last_success", &[("at", &at)])
    });
    Ok(SyncPanel {
        configured: true,
        enrolled: status.enrolled || !started,
        waiting: outbox,
        progress: match status.activity {
            SyncActivity::Sending { sent, total } => Some((sent, total)),
            _ => None,
        },
        activity,
        last_success,
        problem: status.problem.as_ref().map(|p| p.message(tr)),
        retry_at: match status.activity {
            SyncActivity::WaitingToRetry { at } => Some(at),
            _ => None,
        },
        busy: status.is_busy(),
        refused: refused_cases(store, tr)?,
        diagnostics_busy: status.diagnostics == Some(DiagnosticsState::Sending),
        diagnostics: status.diagnostics.as_ref().map(|d| match d {
            DiagnosticsState::Sending => tr.t("diag_sending").to_owned(),
            DiagnosticsState::Sent => tr.t("diag_sent").to_owned(),
            DiagnosticsState::Failed(problem) => {
                tr.f("diag_failed", &[("problem", &problem.message(tr))])
            }
        }),
    })
}

/// Cases waiting to be sent (see [`Store::outbox_to_send`]).
fn waiting(store: &Store) -> Result<usize, StoreError> {
    Ok(store.outbox_to_send()?.len())
}

/// "Dwelling 1.2: reason" for each case the office refused (its latest refusal).
fn refused_cases(store: &Store, tr: &Tr) -> Result<Vec<String>, StoreError> {
    let rejections = store.rejections()?;
    if rejections.is_empty() {
        return Ok(Vec::new());
    }
    let mut numbers: HashMap<CaseId, String> = HashMap::new();
    for district in store.districts()? {
        for meta in store.list_cases(&district.district_id)? {
            numbers.insert(
                meta.case_id,
                format!("{}.{}", meta.building_no, meta.dwelling_no),
            );
        }
    }
    let mut latest: Vec<(CaseId, String)> = Vec::new();
    for rejection in rejections {
        latest.retain(|(id, _)| *id != rejection.case_id);
        latest.push((rejection.case_id, rejection.reason));
    }
    Ok(latest
        .into_iter()
        .map(|(id, reason)| {
            let number = numbers.get(&id).cloned().unwrap_or_else(|| id.to_string());
            tr.f(
                "sync_refused_case",
                &[("number", &tr.ltr(&number)), ("reason", &reason)],
            )
        })
        .collect())
}

/// What the office said about one case: the supervisors' comments of the cases they sent
/// back (newest first), and the reason of the latest refusal.
pub fn office_notes(store: &Store, case_id: CaseId, tr: &Tr) -> Result<Vec<String>, StoreError> {
    let mut notes = Vec::new();
    if let Some(note) = store
        .review_notes(case_id)?
        .into_iter()
        .find(|n| n.decision == census_core::wire::Decision::SentBack)
    {
        notes.push(tr.f("case_sent_back", &[("comment", &note.comment)]));
    }
    if let Some(rejection) = store
        .rejections()?
        .into_iter()
        .rfind(|r| r.case_id == case_id)
    {
        notes.push(tr.f("case_refused", &[("reason", &rejection.reason)]));
    }
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::AppConfig;
    use crate::demo::{HOUSEHOLD_QUESTIONNAIRE_FILE, HOUSEHOLD_QUESTIONNAIRE_JSON};

    #[test]
    fn the_sync_client_trusts_the_configured_certificates_only() {
        let questionnaire = census_core::load::load_questionnaire(
            HOUSEHOLD_QUESTIONNAIRE_FILE,
            HOUSEHOLD_QUESTIONNAIRE_JSON,
        )
        .unwrap();
        let mut config = AppConfig::new("d".into());
        assert!(sync_config(&config, vec![questionnaire.clone()]).is_none());
        config.server_url = Some("https://census.example.org".to_owned());
        config.trusted_certificates = vec![b"PEM".to_vec()];
        let sync = sync_config(&config, vec![questionnaire]).unwrap();
        assert_eq!(sync.server_url, "https://census.example.org");
        assert_eq!(sync.trusted_certificates, vec![b"PEM".to_vec()]);
    }
}
