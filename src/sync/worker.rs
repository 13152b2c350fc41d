//! The sync thread's loop: waits for a request, a scheduled retry or the periodic check;
//! runs a sync; publishes status snapshots. It owns its own [`Store`] connection to the
//! same encrypted database (WAL lets the screens keep writing meanwhile).

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::Instant;

use chrono::{DateTime, Utc};

use super::backoff::Backoff;
use super::client::{SyncClient, is_enrolled};
use super::problem::SyncProblem;
use super::status::{DiagnosticsState, SyncActivity, SyncStatus};
use super::{SyncConfig, Waker};
use crate::keys::DatabaseKey;
use crate::store::sync_state::SyncKey;
use crate::store::{ReviewDownload, Store};

/// What the UI thread asks of the sync thread.
pub(super) enum Command {
    /// Sync now (resets the backoff).
    SyncNow,
    /// Enrol with a one-time code, then sync.
    Enrol {
        /// The code.
        code: String,
        /// The enumerator signed in.
        enumerator_id: String,
    },
    /// Send the end of the log to the office.
    SendDiagnostics,
    /// Stop the thread.
    Shutdown,
}

pub(super) struct Worker {
    pub config: SyncConfig,
    pub dir: PathBuf,
    pub key: DatabaseKey,
    pub commands: Receiver<Command>,
    pub updates: Sender<SyncStatus>,
    pub waker: Option<Waker>,
}

struct Running {
    client: SyncClient,
    dir: PathBuf,
    store: Store,
    /// The database key the store was opened with (SQLCipher holds it in memory anyway):
    /// an enrolment seals it to the office's recovery key.
    key: DatabaseKey,
    status: SyncStatus,
    updates: Sender<SyncStatus>,
    waker: Option<Waker>,
    backoff: Backoff,
    /// When the next automatic attempt is due (a retry); `None`: only the periodic check.
    next_due: Option<Instant>,
    last_attempt: Option<Instant>,
}

impl Worker {
    pub(super) fn run(self) {
        let Worker {
            config,
            dir,
            key,
            commands,
            updates,
            waker,
        } = self;
        let mut status = SyncStatus::default();
        let publish = |status: &SyncStatus| {
            let _ = updates.send(status.clone());
            if let Some(w) = &waker {
                w();
            }
        };
        let client = match SyncClient::new(config.clone()) {
            Ok(c) => c,
            Err(problem) => {
                status.problem = Some(problem);
                status.activity = SyncActivity::Stopped;
                publish(&status);
                return;
            }
        };
        // Opening can fail transiently (storage busy, full): retry with backoff.
        let mut backoff = Backoff::new(config.timing.first_retry, config.timing.max_retry);
        let store = loop {
            match Store::open(&dir, &key) {
                Ok(store) => break store,
                Err(e) => {
                    crate::logs::store_error("sync_open", &e);
                    let delay = backoff.next_delay();
                    status.problem = Some(SyncProblem::from(e));
                    status.activity = SyncActivity::WaitingToRetry {
                        at: Instant::now() + delay,
                    };
                    publish(&status);
                    match commands.recv_timeout(delay) {
                        Ok(Command::Shutdown) | Err(RecvTimeoutError::Disconnected) => return,
                        _ => {}
                    }
                }
            }
        };
        backoff.reset();
        let mut running = Running {
            client,
            dir,
            store,
            key,
            status,
            updates,
            waker,
            backoff,
            next_due: Some(Instant::now()),
            last_attempt: None,
        };
        running.refresh_counts();
        running.publish();
        running.serve(&commands);
    }
}

impl Running {
    fn publish(&self) {
        let _ = self.updates.send(self.status.clone());
        if let Some(w) = &self.waker {
            w();
        }
    }

    fn set_activity(&mut self, activity: SyncActivity) {
        self.status.activity = activity;
        self.publish();
    }

    fn refresh_counts(&mut self) {
        if let Err(problem) = self.read_counts() {
            self.status.problem = Some(problem);
        }
    }

    fn read_counts(&mut self) -> Result<(), SyncProblem> {
        self.status.pending = self.client.pending(&self.store)?.len();
        self.status.rejected = self.store.rejections()?.len();
        self.status.enrolled = is_enrolled(&self.store)?;
        self.status.listing_waiting =
            self.status.enrolled && SyncClient::listing_changed(&self.store)?;
        self.status.last_success = self
            .store
            .sync_setting(SyncKey::LastSuccessAt)?
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| t.with_timezone(&Utc));
        self.status.reviewer = self.store.reviewer_token()?.is_some();
        let decisions = self.store.queued_review_decisions()?;
        self.status.review_refused = decisions.iter().filter(|d| d.refusal.is_some()).count();
        self.status.review_waiting = decisions.len() - self.status.review_refused;
        self.status.review_fetched_at = self
            .store
            .review_download(ReviewDownload::Queue)?
            .map(|d| d.fetched_at);
        if !self.status.reviewer {
            self.status.review_problem = None;
        }
        Ok(())
    }

    fn serve(&mut self, commands: &Receiver<Command>) {
        let timing = self.client.config().timing.clone();
        loop {
            let now = Instant::now();
            let wait = match self.next_due {
                Some(at) => at.saturating_duration_since(now),
                None => timing.idle_check,
            };
            match commands.recv_timeout(wait) {
                Ok(Command::SyncNow) => {
                    self.backoff.reset();
                    crate::logs::sync_attempt("enumerator");
                    self.attempt(false);
                }
                Ok(Command::SendDiagnostics) => self.send_diagnostics(),
                Ok(Command::Enrol {
                    code,
                    enumerator_id,
                }) => self.enrol(&code, &enumerator_id),
                Ok(Command::Shutdown) | Err(RecvTimeoutError::Disconnected) => {
                    self.status.activity = SyncActivity::Stopped;
                    self.publish();
                    return;
                }
                Err(RecvTimeoutError::Timeout) => {
                    // Idle: move the WAL into the database file here, off the screens'
                    // keystroke path (autosaves never checkpoint on their own but every
                    // 1,000 saves). A failure is harmless and retried at the next idle check.
                    let _ = self.store.idle_checkpoint();
                    if self.next_due.is_some() {
                        // A scheduled retry: probe cheaply first.
                        crate::logs::sync_attempt("scheduled");
                        self.attempt(true);
                    } else {
                        self.refresh_counts();
                        let refresh_due = self
                            .last_attempt
                            .is_none_or(|t| t.elapsed() >= timing.refresh_every);
                        let waiting = self.status.pending
                            + self.status.review_waiting
                            + usize::from(self.status.listing_waiting);
                        let signed_in = self.status.enrolled || self.status.reviewer;
                        if signed_in && (waiting > 0 || refresh_due) {
                            crate::logs::sync_attempt("automatic");
                            self.attempt(true);
                        } else {
                            self.publish();
                        }
                    }
                }
            }
        }
    }

    fn enrol(&mut self, code: &str, enumerator_id: &str) {
        self.set_activity(SyncActivity::Enrolling);
        crate::logs::sync_attempt("enrolment");
        match self.client.enrol(&mut self.store, code, enumerator_id) {
            Ok(recovery) => {
                crate::logs::outcome("enrolment", true);
                if let Some(recovery) = recovery {
                    self.seal_for_recovery(recovery);
                }
                self.status.problem = None;
                self.backoff.reset();
                self.attempt(false);
            }
            Err(problem) => self.failed(problem),
        }
    }

    /// Seals the database key to the office's recovery key, replacing the seal the tablet
    /// was set up with (the demo key on a demo tablet): from now on only the office can
    /// recover a forgotten PIN. A failure is logged and shown; the enrolment stands.
    fn seal_for_recovery(&mut self, recovery: [u8; 32]) {
        let path = self.dir.join(crate::keys::KEY_FILE_NAME);
        let sealed = crate::keys::KeyFile::load(&path).and_then(|mut file| {
            file.reseal_for_recovery(&self.key, &crate::keys::OfficePublicKey(recovery))
        });
        if let Err(e) = sealed {
            crate::logs::key_error("recovery_seal", &e);
            self.status.problem = Some(SyncProblem::OfficeKeys(format!(
                "the database key could not be sealed to the office's recovery key: {e}"
            )));
        }
    }

    /// Sends the end of the log to the office; the outcome goes into the status.
    fn send_diagnostics(&mut self) {
        self.status.diagnostics = Some(DiagnosticsState::Sending);
        self.publish();
        let log = crate::logs::tail(&self.dir, crate::logs::DIAGNOSTICS_BYTES);
        let bytes = log.len();
        let sent = super::client::Credentials::load(&self.store).and_then(|credentials| {
            self.client
                .office()
                .post_diagnostics(&credentials.token, log)
        });
        self.status.diagnostics = Some(match sent {
            Ok(()) => {
                crate::logs::diagnostics_sent(bytes);
                DiagnosticsState::Sent
            }
            Err(problem) => {
                crate::logs::sync_failed("diagnostics", problem.key());
                DiagnosticsState::Failed(problem)
            }
        });
        self.publish();
    }

    /// One sync attempt; with `probe`, a cheap health check first (automatic attempts).
    /// A reviewer signed in on the tablet is served first (their decisions are sent and
    /// the area downloaded), then the device's own cases when it is enrolled.
    fn attempt(&mut self, probe: bool) {
        self.last_attempt = Some(Instant::now());
        self.refresh_counts();
        let reviewing = self.status.reviewer;
        if !self.status.enrolled && !reviewing {
            self.failed(SyncProblem::NotEnrolled);
            return;
        }
        self.set_activity(SyncActivity::Checking);
        if probe && !self.client.office().is_reachable() {
            if reviewing {
                self.status.review_problem = Some(SyncProblem::Offline);
            }
            if !self.status.enrolled {
                // A reviewer's tablet the office never enrolled: the device's own line stays
                // "not enrolled"; the reviewer's line says offline, and it tries again.
                self.status.problem = Some(SyncProblem::NotEnrolled);
                self.schedule_retry();
                return;
            }
            self.failed(SyncProblem::Offline);
            return;
        }
        let review_retry = reviewing && !self.review_part();
        if !self.status.enrolled {
            self.refresh_counts();
            self.status.problem = Some(SyncProblem::NotEnrolled);
            self.settle(review_retry);
            return;
        }
        match self.device_part() {
            Ok(report) => {
                crate::logs::sync_succeeded(
                    report.sent,
                    report.rejected,
                    report.still_pending,
                    report.reopened,
                );
                self.status.problem = None;
                self.status.last_report = Some(report);
                self.refresh_counts();
                self.settle(review_retry);
            }
            Err(problem) => self.failed(problem),
        }
    }

    /// The reviewer's part; records its problem. Returns whether it is done (`false`: to
    /// be retried on its own, e.g. offline).
    fn review_part(&mut self) -> bool {
        self.set_activity(SyncActivity::Reviewing);
        match super::review::sync_review(self.client.office(), &mut self.store) {
            Ok(_) => {
                self.status.review_problem = None;
                true
            }
            Err(problem) => {
                crate::logs::sync_failed("review", problem.key());
                let retry = problem.retries_on_its_own();
                self.status.review_problem = Some(problem);
                !retry
            }
        }
    }

    /// The device's part: upload the queued cases, download assignment and decisions.
    fn device_part(&mut self) -> Result<super::client::SyncReport, SyncProblem> {
        let updates = self.updates.clone();
        let waker = self.waker.clone();
        let mut snapshot = self.status.clone();
        let mut progress = |sent: usize, total: usize| {
            snapshot.activity = SyncActivity::Sending { sent, total };
            let _ = updates.send(snapshot.clone());
            if let Some(w) = &waker {
                w();
            }
        };
        let credentials = super::client::Credentials::load(&self.store)?;
        let mut report = self
            .client
            .upload(&mut self.store, &credentials, &mut progress)?;
        self.status.activity = SyncActivity::Downloading;
        self.publish();
        self.client
            .download(&mut self.store, &credentials, &mut report)?;
        let now = Utc::now();
        self.store.set_sync_settings(&[(
            SyncKey::LastSuccessAt,
            &now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        )])?;
        Ok(report)
    }

    /// The next automatic attempt after the backoff's delay.
    /// After an attempt whose device part is done: try again soon when the reviewer's part
    /// failed, otherwise rest until the next refresh.
    fn settle(&mut self, review_retry: bool) {
        if review_retry {
            self.schedule_retry();
        } else {
            self.backoff.reset();
            self.next_due = None;
            self.set_activity(SyncActivity::Idle);
        }
    }

    fn schedule_retry(&mut self) {
        let at = Instant::now() + self.backoff.next_delay();
        self.next_due = Some(at);
        self.set_activity(SyncActivity::WaitingToRetry { at });
    }

    fn failed(&mut self, problem: SyncProblem) {
        crate::logs::sync_failed("sync", problem.key());
        self.refresh_counts();
        let review_retry = self
            .status
            .review_problem
            .as_ref()
            .is_some_and(SyncProblem::retries_on_its_own);
        if problem.retries_on_its_own() || review_retry {
            self.status.problem = Some(problem);
            self.schedule_retry();
        } else {
            self.next_due = None;
            self.status.problem = Some(problem);
            self.set_activity(SyncActivity::WaitingForEnumerator);
        }
    }
}
