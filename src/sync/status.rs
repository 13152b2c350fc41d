//! What the screens show about sync: the current activity, the last problem, counts and the
//! last success. Snapshots travel from the sync thread to the UI thread by channel.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::client::SyncReport;
use super::problem::SyncProblem;

/// What the sync thread is doing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncActivity {
    /// Opening the database (only at start).
    Starting,
    /// Nothing to do right now.
    Idle,
    /// Enrolling the tablet with a code.
    Enrolling,
    /// Checking that the office can be reached.
    Checking,
    /// Sending cases: `sent` of `total` done.
    Sending {
        /// Cases handled so far.
        sent: usize,
        /// Cases to send in this sync.
        total: usize,
    },
    /// Downloading the assignment and review decisions.
    Downloading,
    /// Sending a reviewer's decisions and downloading the area.
    Reviewing,
    /// The last attempt failed; the next one starts on its own at `at`.
    WaitingToRetry {
        /// When the next attempt starts.
        at: Instant,
    },
    /// Nothing will happen until the enumerator acts (enrolment, supervisor).
    WaitingForEnumerator,
    /// The sync thread has stopped.
    Stopped,
}

/// Where the enumerator's "Send diagnostics" stands.
#[derive(Debug, Clone, PartialEq)]
pub enum DiagnosticsState {
    /// Being sent.
    Sending,
    /// The office stored them.
    Sent,
    /// They could not be sent (asking again retries).
    Failed(SyncProblem),
}

/// A snapshot of the sync client's state, for the home screen.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncStatus {
    /// What is happening now.
    pub activity: SyncActivity,
    /// The last problem, until an attempt succeeds. `Display` gives the enumerator's message.
    pub problem: Option<SyncProblem>,
    /// Cases waiting to be sent (not counting refused ones).
    pub pending: usize,
    /// Cases the office refused (their reasons: `Store::rejections`).
    pub rejected: usize,
    /// Whether the listing (buildings, dwellings) changed since the office acknowledged it:
    /// then the next idle check sends it, as it would a case.
    pub listing_waiting: bool,
    /// Whether the tablet holds enrolment credentials.
    pub enrolled: bool,
    /// When the last complete sync succeeded.
    pub last_success: Option<DateTime<Utc>>,
    /// What the last complete sync did.
    pub last_report: Option<SyncReport>,
    /// Whether a reviewer (controller, supervisor) is signed in on this tablet.
    pub reviewer: bool,
    /// The last problem of the reviewer's part, until it succeeds.
    pub review_problem: Option<SyncProblem>,
    /// Reviewer's decisions waiting to be sent (not counting refused ones).
    pub review_waiting: usize,
    /// Reviewer's decisions the office refused.
    pub review_refused: usize,
    /// When the area (coverage and queue) was last downloaded.
    pub review_fetched_at: Option<DateTime<Utc>>,
    /// The last request to send diagnostics, once asked for.
    pub diagnostics: Option<DiagnosticsState>,
}

impl Default for SyncStatus {
    fn default() -> SyncStatus {
        SyncStatus {
            activity: SyncActivity::Starting,
            problem: None,
            pending: 0,
            rejected: 0,
            listing_waiting: false,
            enrolled: false,
            last_success: None,
            last_report: None,
            reviewer: false,
            review_problem: None,
            review_waiting: 0,
            review_refused: 0,
            review_fetched_at: None,
            diagnostics: None,
        }
    }
}

impl SyncStatus {
    /// Time left before the next automatic attempt, when one is scheduled.
    pub fn retry_in(&self) -> Option<Duration> {
        match self.activity {
            SyncActivity::WaitingToRetry { at } => {
                Some(at.saturating_duration_since(Instant::now()))
            }
            _ => None,
        }
    }

    /// Progress of the current upload as a fraction in `[0, 1]`, while sending.
    pub fn progress(&self) -> Option<f32> {
        match self.activity {
            SyncActivity::Sending { sent, total } if total > 0 => {
                Some((sent.min(total) as f32) / (total as f32))
            }
            SyncActivity::Sending { .. } => Some(1.0),
            _ => None,
        }
    }

    /// Whether a sync is running right now.
    pub fn is_busy(&self) -> bool {
        matches!(
            self.activity,
            SyncActivity::Enrolling
                | SyncActivity::Checking
                | SyncActivity::Sending { .. }
                | SyncActivity::Downloading
                | SyncActivity::Reviewing
        )
    }

    /// One line for the home screen, in English (the screens may build their own from the
    /// fields and [`SyncProblem::key`]).
    pub fn summary(&self) -> String {
        if let Some(problem) = &self.problem {
            return match self.retry_in() {
                Some(left) => format!("{problem} Next try in {} s.", left.as_secs().max(1)),
                None => problem.to_string(),
            };
        }
        match self.activity {
            SyncActivity::Sending { sent, total } => format!("Sending cases: {sent} of {total}"),
            SyncActivity::Checking => "Connecting to the office…".to_owned(),
            SyncActivity::Downloading => "Receiving updates from the office…".to_owned(),
            SyncActivity::Reviewing => "Sending decisions, receiving the area…".to_owned(),
            SyncActivity::Enrolling => "Enrolling the tablet…".to_owned(),
            SyncActivity::Starting => "Starting…".to_owned(),
            SyncActivity::Stopped => "Sending is stopped.".to_owned(),
            _ if self.rejected > 0 => format!(
                "{} case(s) refused by the office: open them to see why; {} waiting to be sent",
                self.rejected, self.pending
            ),
            _ if self.pending > 0 => format!("{} case(s) waiting to be sent", self.pending),
            _ => match self.last_success {
                Some(at) => format!("All cases sent (last sync {})", at.format("%Y-%m-%d %H:%M")),
                None => "Nothing to send yet".to_owned(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_and_retry_are_derived_from_the_activity() {
        let mut status = SyncStatus {
            activity: SyncActivity::Sending { sent: 3, total: 12 },
            ..SyncStatus::default()
        };
        assert_eq!(status.progress(), Some(0.25));
        assert!(status.is_busy());
        assert_eq!(status.summary(), "Sending cases: 3 of 12");
        status.activity = SyncActivity::WaitingToRetry {
            at: Instant::now() + Duration::from_secs(30),
        };
        status.problem = Some(SyncProblem::Offline);
        let left = status.retry_in().unwrap();
        assert!(left <= Duration::from_secs(30) && left > Duration::from_secs(25));
        assert!(status.summary().starts_with("No connection to the office"));
        assert!(status.summary().contains("Next try in"));
        assert_eq!(status.progress(), None);
        assert!(!status.is_busy());
    }
}
