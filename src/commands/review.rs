//! The reviewer's commands (controller, supervisor): sign in with the office's reviewer
//! code, sign out, approve or send back a case, dismiss a decision the office refused. Each
//! decision is saved in the encrypted store at once and the sync thread is asked to send it;
//! nothing here touches the network.

use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::app::state::AppState;
use crate::i18n::Tr;
use crate::keys::ReviewerToken;
use crate::store::{Store, StoreError};
use crate::ui::screens::drafts::Drafts;
use crate::ui::screens::review::COMMENT_FIELD;
use crate::ui::screens::reviewer_card::REVIEWER_CODE_FIELD;
use census_core::wire::Decision;

fn with_store(
    state: &mut AppState,
    change: impl FnOnce(&mut Store) -> Result<(), StoreError>,
) -> bool {
    let Some(store) = state.store.as_mut() else {
        return false;
    };
    match change(store) {
        Ok(()) => true,
        Err(e) => {
            let tr = Tr {
                strings: &state.strings,
                lang: state.lang,
            };
            crate::logs::store_error("review", &e);
            state.error = Some(tr.f("review_save_failed", &[("detail", &e.message(&tr))]));
            false
        }
    }
}

/// Keeps the reviewer code (encrypted), opens the reviewer's session and asks for a sync of
/// the area (the area already received stays when the same reviewer signs in again).
pub fn sign_in(state: &mut AppState, drafts: &mut Drafts, token: String) {
    drafts.field(REVIEWER_CODE_FIELD).clear();
    let Some(token) = ReviewerToken::new(token) else {
        return;
    };
    if with_store(state, |store| store.set_reviewer_token(&token)) {
        state.reviewer_last_use = Some(Instant::now());
        super::sync::sync_now(state);
    }
}

/// Forgets the reviewer code and the area's data (decisions not yet sent stay).
pub fn sign_out(state: &mut AppState, drafts: &mut Drafts) {
    state.reviewer_last_use = None;
    drafts.send_back = None;
    drafts.clear_prefix("review.");
    if with_store(state, Store::sign_out_reviewer) {
        super::sync::sync_now(state);
    }
}

/// Closes the reviewer's session: their code must be typed again before anything is seen,
/// decided or sent under it (the area received and the decisions waiting stay). Done when
/// the tablet is unlocked with the enumerator's PIN and after [`close_when_idle`].
pub fn close_session(state: &mut AppState, drafts: &mut Drafts) {
    state.reviewer_last_use = None;
    drafts.send_back = None;
    drafts.clear_prefix("review.");
    with_store(state, Store::close_reviewer_session);
}

/// Called at every frame with whether the screen was touched: closes the reviewer's session
/// after [`crate::app::AppConfig::reviewer_idle`] without a touch. Returns how long until
/// that is due while a session is open (to draw a frame then, touched or not).
pub fn close_when_idle(
    state: &mut AppState,
    drafts: &mut Drafts,
    touched: bool,
) -> Option<Duration> {
    let last_use = state.reviewer_last_use.as_mut()?;
    if touched {
        *last_use = Instant::now();
    }
    let idle = last_use.elapsed();
    if idle < state.config.reviewer_idle {
        return Some(state.config.reviewer_idle - idle);
    }
    crate::logs::outcome("reviewer_idle_close", true);
    close_session(state, drafts);
    super::refresh(state);
    None
}

/// Saves a decision for the next sync, and asks for it now.
pub fn decide(
    state: &mut AppState,
    drafts: &mut Drafts,
    (case_id, revision): (Uuid, u64),
    decision: Decision,
    comment: &str,
) {
    let comment = comment.trim();
    if decision == Decision::SentBack && comment.is_empty() {
        return;
    }
    if with_store(state, |store| {
        store.queue_review_decision(case_id, revision, decision, comment)
    }) {
        drafts.send_back = None;
        drafts.field(COMMENT_FIELD).clear();
        super::sync::sync_now(state);
    }
}

/// Forgets a decision the office refused.
pub fn dismiss(state: &mut AppState, case_id: Uuid) {
    with_store(state, |store| store.dismiss_review_decision(case_id));
}
