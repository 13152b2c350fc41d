//! One case the office cannot take never stops the queue.
//!
//! When the office answers a batch with an error that may come from what the batch holds (a
//! server failure, a refusal of the whole batch, an answer that cannot be read), the client
//! first retries as for any failure: the office may only be down for a moment. When the same
//! batch (same first case, same revision) fails again, its cases are sent one by one; a case
//! whose own batch fails while others go through is **set aside**: it stays in the outbox with
//! the office's answer recorded (shown to the enumerator), and travels alone after the other
//! cases at every later sync, until the office takes it or the case changes. When none goes
//! through, the problem is the office's, not a case's: nothing is set aside.

use super::client::{Credentials, SyncClient, SyncReport};
use super::problem::SyncProblem;
use crate::store::sync_state::SyncKey;
use crate::store::{CaseId, OutboxEntry, Revision, Store};
use census_core::wire::Listing;

/// Whether the office answered a batch with an error that may come from what the batch holds,
/// as opposed to no connection, an untrusted server or credentials it no longer accepts.
pub(super) fn fails_on_content(problem: &SyncProblem) -> bool {
    matches!(
        problem,
        SyncProblem::ServerTrouble | SyncProblem::Refused(_) | SyncProblem::BadAnswer(_)
    )
}

/// The case revisions set aside so far.
pub(super) fn set_aside_revisions(store: &Store) -> Result<Vec<(CaseId, Revision)>, SyncProblem> {
    Ok(store
        .rejections()?
        .into_iter()
        .filter(|r| r.set_aside)
        .map(|r| (r.case_id, r.revision))
        .collect())
}

/// A batch went through: a failure remembered before is forgotten.
pub(super) fn forget_failed_batch(store: &mut Store) -> Result<(), SyncProblem> {
    if store
        .sync_setting(SyncKey::FailedBatchHead)?
        .is_some_and(|head| !head.is_empty())
    {
        store.set_sync_settings(&[(SyncKey::FailedBatchHead, "")])?;
    }
    Ok(())
}

fn head_of(chunk: &[OutboxEntry]) -> String {
    chunk
        .first()
        .map(|e| format!("{}@{}", e.case_id, e.revision.0))
        .unwrap_or_default()
}

/// Handles a batch the office failed on (see the module documentation). `Ok` when the sync
/// may go on with the next batch.
pub(super) fn after_failed_batch(
    client: &SyncClient,
    store: &mut Store,
    credentials: &Credentials,
    chunk: &[OutboxEntry],
    listing: Option<(Listing, Option<String>)>,
    problem: SyncProblem,
    report: &mut SyncReport,
) -> Result<(), SyncProblem> {
    let already = set_aside_revisions(store)?;
    let is_known = |e: &OutboxEntry| already.contains(&(e.case_id, e.revision));
    if chunk.iter().all(is_known) {
        // A case set aside failing again proves nothing new: keep it aside, go on.
        for entry in chunk {
            store.set_aside(entry.case_id, entry.revision, &problem.to_string())?;
        }
        return Ok(());
    }
    let head = head_of(chunk);
    if store.sync_setting(SyncKey::FailedBatchHead)?.as_deref() != Some(head.as_str()) {
        // First failure of this batch: retry later as for any failure.
        store.set_sync_settings(&[(SyncKey::FailedBatchHead, &head)])?;
        return Err(problem);
    }
    send_one_by_one(client, store, credentials, chunk, listing, report)?;
    forget_failed_batch(store)
}

/// Sends each case of `chunk` in a batch of its own; sets aside those whose batch fails while
/// another goes through. When none goes through, returns the first problem of a case not
/// already set aside, and sets nothing aside.
fn send_one_by_one(
    client: &SyncClient,
    store: &mut Store,
    credentials: &Credentials,
    chunk: &[OutboxEntry],
    mut listing: Option<(Listing, Option<String>)>,
    report: &mut SyncReport,
) -> Result<(), SyncProblem> {
    let mut failed: Vec<(OutboxEntry, SyncProblem)> = Vec::new();
    let mut went_through = false;
    for entry in chunk {
        let one = std::slice::from_ref(entry);
        match client.send_chunk(store, credentials, one, listing.clone()) {
            Ok(outcome) => {
                listing = None;
                went_through = true;
                report.add(&outcome);
            }
            Err(problem) if fails_on_content(&problem) => failed.push((entry.clone(), problem)),
            Err(problem) => return Err(problem),
        }
    }
    if !went_through && let Some((_, problem)) = failed.first() {
        return Err(problem.clone());
    }
    for (entry, problem) in failed {
        store.set_aside(entry.case_id, entry.revision, &problem.to_string())?;
        report.set_aside += 1;
    }
    Ok(())
}
