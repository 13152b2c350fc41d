//! The tablet's sync client: sends queued cases to the office in signed, sealed batches and
//! receives the assignment and supervisors' review decisions; on a controller's or
//! supervisor's tablet signed in with a reviewer code, also sends their decisions and
//! downloads their area's coverage and review queue ([`sync_review`]).
//!
//! Shape:
//! - [`SyncHandle`] (UI thread): starts the `census-sync` thread, takes requests
//!   ([`SyncHandle::request_sync`], [`SyncHandle::request_enrol`]) and hands out the latest
//!   [`SyncStatus`] without ever blocking ([`SyncHandle::poll`]). The UI thread never touches
//!   the network; the two threads talk only through channels.
//! - The sync thread opens **its own connection** to the encrypted store (SQLite WAL lets the
//!   screens keep writing meanwhile; each write of the sync thread is a short transaction).
//!   Handing it only the data directory and a copy of the database key keeps the UI's
//!   `Store` single-threaded and free of locks, and the thread can read the outbox and record
//!   acknowledgements at its own pace.
//! - [`SyncClient`]: the steps, synchronous (enrol, prepare a batch, send, apply the answer,
//!   download), used by the thread and directly by tests.
//!
//! Guarantees: a case is marked as sent only on the office's per-case acknowledgement, and
//! only at the revision sent (a change made during the upload keeps it queued); a refused
//! case stays queued with the office's reason (`Store::rejections`) and is offered again when
//! it changes or the assignment changes; any failure leaves the outbox as it was, and the
//! same revisions are sent again later (the office deduplicates by case id and revision).

mod backoff;
mod client;
mod enrolment;
mod http;
mod isolate;
mod problem;
mod records;
mod review;
mod status;
mod worker;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use census_core::load::Questionnaire;

pub use backoff::Backoff;
pub use client::{
    BatchOutcome, Credentials, PreparedBatch, SYNC_SCREEN, SentCase, SyncClient, SyncReport,
    is_enrolled,
};
pub use enrolment::{
    ExpectedKeys, OfficeEnrolment, PendingEnrolment, check_pinned_keys, enrol_with_office,
    save_enrolment, update_questionnaires,
};
pub use http::{DeviceToken, OfficeClient, install_tls_provider, paths};
pub use problem::SyncProblem;
pub use records::{RecordError, case_record, event_record, listing_record, store_assignment};
pub use review::{ReviewReport, sync_review};
pub use status::{DiagnosticsState, SyncActivity, SyncStatus};

use crate::keys::DatabaseKey;
use worker::{Command, Worker};

/// Called by the sync thread after each status change (e.g. to request a repaint).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// How often and how patiently the client works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncTiming {
    /// First wait after a failure (then doubling, with jitter).
    pub first_retry: Duration,
    /// Longest wait between automatic attempts.
    pub max_retry: Duration,
    /// How often the thread looks for queued cases when idle (then probes the office).
    pub idle_check: Duration,
    /// How often downloads are refreshed when nothing is queued.
    pub refresh_every: Duration,
    /// Whole-request timeout (a large batch on a slow link included).
    pub request_timeout: Duration,
    /// Connection timeout.
    pub connect_timeout: Duration,
}

impl Default for SyncTiming {
    fn default() -> SyncTiming {
        SyncTiming {
            first_retry: Duration::from_secs(5),
            max_retry: Duration::from_secs(10 * 60),
            idle_check: Duration::from_secs(60),
            refresh_every: Duration::from_secs(15 * 60),
            request_timeout: Duration::from_secs(120),
            connect_timeout: Duration::from_secs(15),
        }
    }
}

/// What the sync client needs to know.
#[derive(Clone)]
pub struct SyncConfig {
    /// The office's server, e.g. `https://census.example.org` (plain `http://` only for
    /// tests on loopback).
    pub server_url: String,
    /// The questionnaires installed on the tablet (cases are serialised through them).
    pub questionnaires: Vec<Arc<Questionnaire>>,
    /// Most cases per batch.
    pub max_cases_per_batch: usize,
    /// PEM certificates to trust **instead of** the platform's roots (a private office CA,
    /// or a test certificate). Empty: the platform's roots.
    pub trusted_certificates: Vec<Vec<u8>>,
    /// Retry and timeout settings.
    pub timing: SyncTiming,
}

impl SyncConfig {
    /// Defaults for `server_url` and the installed questionnaires.
    pub fn new(server_url: impl Into<String>, questionnaires: Vec<Arc<Questionnaire>>) -> Self {
        SyncConfig {
            server_url: server_url.into(),
            questionnaires,
            max_cases_per_batch: 100,
            trusted_certificates: Vec::new(),
            timing: SyncTiming::default(),
        }
    }
}

impl std::fmt::Debug for SyncConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncConfig")
            .field("server_url", &self.server_url)
            .field("questionnaires", &self.questionnaires.len())
            .field("max_cases_per_batch", &self.max_cases_per_batch)
            .field("trusted_certificates", &self.trusted_certificates.len())
            .field("timing", &self.timing)
            .finish()
    }
}

/// The UI thread's side of the sync client. Dropping it stops the thread (after the request
/// in progress, if any) without waiting for it.
pub struct SyncHandle {
    commands: mpsc::Sender<Command>,
    updates: mpsc::Receiver<SyncStatus>,
    status: SyncStatus,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for SyncHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncHandle")
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl SyncHandle {
    /// Starts the `census-sync` thread on the store in `data_dir`, opened with `key` (the
    /// thread opens its own connection). `waker` is called after each status change (e.g.
    /// `egui::Context::request_repaint`). The first sync attempt starts at once.
    pub fn start(
        config: SyncConfig,
        data_dir: PathBuf,
        key: DatabaseKey,
        waker: Option<Waker>,
    ) -> Result<SyncHandle, SyncProblem> {
        let (commands, command_rx) = mpsc::channel();
        let (update_tx, updates) = mpsc::channel();
        let worker = Worker {
            config,
            dir: data_dir,
            key,
            commands: command_rx,
            updates: update_tx,
            waker,
        };
        let thread = std::thread::Builder::new()
            .name("census-sync".to_owned())
            .spawn(move || worker.run())
            .map_err(|e| SyncProblem::Storage(format!("the sync thread could not start: {e}")))?;
        Ok(SyncHandle {
            commands,
            updates,
            status: SyncStatus::default(),
            thread: Some(thread),
        })
    }

    /// Takes in every status the thread published since the last call and returns the
    /// latest. Never blocks: call it every frame.
    pub fn poll(&mut self) -> &SyncStatus {
        while let Ok(status) = self.updates.try_recv() {
            self.status = status;
        }
        &self.status
    }

    /// The status as of the last [`SyncHandle::poll`].
    pub fn status(&self) -> &SyncStatus {
        &self.status
    }

    /// Asks for a sync now (the backoff is reset). Returns immediately.
    pub fn request_sync(&self) {
        let _ = self.commands.send(Command::SyncNow);
    }

    /// Asks the thread to enrol the tablet with the office's one-time `code` for
    /// `enumerator_id`, then sync. Returns immediately; the outcome shows in the status.
    pub fn request_enrol(&self, code: String, enumerator_id: String) {
        let _ = self.commands.send(Command::Enrol {
            code,
            enumerator_id,
        });
    }

    /// Asks the thread to send the end of the tablet's log to the office
    /// ([`crate::logs::DIAGNOSTICS_BYTES`]). Returns immediately; the outcome shows in
    /// [`SyncStatus::diagnostics`].
    pub fn request_diagnostics(&self) {
        let _ = self.commands.send(Command::SendDiagnostics);
    }

    /// Stops the thread and waits for it (at most the request in progress).
    pub fn shutdown(mut self) {
        let _ = self.commands.send(Command::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Shutdown);
    }
}
