//! The reviewer's part of a sync, when a controller or supervisor signed in on the tablet:
//! send the decisions saved in the review outbox, then download the area's coverage report,
//! review queue and map points into the encrypted store. Only the sync thread (and tests) call this.

use census_core::coverage::CoverageReport;
use census_core::wire::{DecisionRequest, MapPoint, QueueEntry};
use chrono::Utc;

use super::http::{OfficeClient, paths};
use super::problem::SyncProblem;
use crate::store::{ReviewDownload, Store};

/// What the reviewer's part of a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewReport {
    /// Decisions the office recorded.
    pub sent: usize,
    /// Decisions the office refused (kept with its words).
    pub refused: usize,
    /// Cases in the queue downloaded.
    pub queued_cases: usize,
}

/// Sends the waiting decisions, then downloads the area; `Ok(None)` when no reviewer is
/// signed in. A decision the office refuses (4xx) keeps its place with the office's words
/// and the others go on; any other failure stops here (what was sent stays sent) and the
/// rest waits for the next attempt.
pub fn sync_review(
    office: &OfficeClient,
    store: &mut Store,
) -> Result<Option<ReviewReport>, SyncProblem> {
    let (Some(token), Some(signed_in)) = (store.reviewer_token()?, store.reviewer_fingerprint()?)
    else {
        return Ok(None);
    };
    let mut report = ReviewReport::default();
    for queued in store.queued_review_decisions()? {
        // A decision waits for the reviewer who made it: it is sent under their code only.
        if queued.refusal.is_some() || queued.reviewer != signed_in {
            continue;
        }
        let request = DecisionRequest {
            decision: queued.decision,
            comment: queued.comment.clone(),
            revision: Some(queued.revision),
        };
        match office.post_decision(&token, queued.case_id, &request) {
            Ok(_) => {
                store.review_decision_sent(queued.case_id, &queued.decided_at)?;
                report.sent += 1;
            }
            Err(SyncProblem::Refused(message)) => {
                store.review_decision_refused(queued.case_id, &queued.decided_at, &message)?;
                report.refused += 1;
            }
            Err(other) => return Err(other),
        }
    }
    let coverage = office.reviewer_download(&token, paths::COVERAGE)?;
    serde_json::from_str::<CoverageReport>(&coverage)
        .map_err(|e| SyncProblem::BadAnswer(format!("coverage report: {e}")))?;
    let queue = office.reviewer_download(&token, paths::REVIEW_QUEUE)?;
    let entries: Vec<QueueEntry> = serde_json::from_str(&queue)
        .map_err(|e| SyncProblem::BadAnswer(format!("review queue: {e}")))?;
    report.queued_cases = entries.len();
    let map = office.reviewer_download(&token, paths::COVERAGE_MAP)?;
    serde_json::from_str::<Vec<MapPoint>>(&map)
        .map_err(|e| SyncProblem::BadAnswer(format!("coverage map: {e}")))?;
    // Signed out (or another code typed) meanwhile: keep nothing of this area.
    let still = store.reviewer_token()?;
    if still.as_ref().map(|t| t.expose_secret()) != Some(token.expose_secret()) {
        return Ok(Some(report));
    }
    let now = Utc::now();
    store.save_review_download(ReviewDownload::Coverage, &coverage, now)?;
    store.save_review_download(ReviewDownload::Queue, &queue, now)?;
    store.save_review_download(ReviewDownload::Map, &map, now)?;
    Ok(Some(report))
}
