//! The sync steps, synchronous and in order: enrol; build a batch from the outbox; send it;
//! apply the office's per-case answer; download the assignment and review decisions. The
//! background thread ([`super::SyncHandle`]) strings them together; tests call them directly.

use std::collections::{BTreeSet, HashMap};

use census_core::wire::{
    self, BatchPayload, BatchReply, CaseOutcome, DeviceKey, EnrolRequest, Listing, QuestionnaireRef,
};
use chrono::{SecondsFormat, Utc};
use uuid::Uuid;
use zeroize::Zeroizing;

use super::SyncConfig;
use super::http::{DeviceToken, OfficeClient};
use super::isolate;
use super::problem::SyncProblem;
use super::records::{case_record, is_not_found, listing_record, review_note, store_assignment};
use crate::store::sync_state::SyncKey;
use crate::store::{CaseId, EventContext, OutboxEntry, Revision, Store};

/// The screen name recorded in the change log for changes made by sync (a reopened case).
pub const SYNC_SCREEN: &str = "sync";

/// What the tablet needs to talk to the office, read from the store.
pub struct Credentials {
    /// The device id the office knows.
    pub device_id: String,
    /// The enumerator the tablet is enrolled for.
    pub enumerator_id: String,
    /// The device's signing key.
    pub device_key: DeviceKey,
    /// The bearer token.
    pub token: DeviceToken,
    /// The office's X25519 public key.
    pub office_public_key: [u8; 32],
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("device_id", &self.device_id)
            .field("enumerator_id", &self.enumerator_id)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// Reads the credentials saved at enrolment; [`SyncProblem::NotEnrolled`] when any is
    /// missing.
    pub fn load(store: &Store) -> Result<Credentials, SyncProblem> {
        let get = |key| -> Result<String, SyncProblem> {
            store.sync_setting(key)?.ok_or(SyncProblem::NotEnrolled)
        };
        let device_id = get(SyncKey::DeviceId)?;
        let token = DeviceToken::new(get(SyncKey::DeviceToken)?);
        let enumerator_id = get(SyncKey::EnumeratorId)?;
        let office = get(SyncKey::OfficePublicKey)?;
        let office_public_key = wire::decode_key32(&office)?;
        let key_text = Zeroizing::new(get(SyncKey::DeviceKey)?);
        let pkcs8 = Zeroizing::new(wire::b64_decode(&key_text)?);
        let device_key = DeviceKey::from_pkcs8_dangerous(&pkcs8)?;
        Ok(Credentials {
            device_id,
            enumerator_id,
            device_key,
            token,
            office_public_key,
        })
    }
}

/// Whether the tablet holds enrolment credentials.
pub fn is_enrolled(store: &Store) -> Result<bool, SyncProblem> {
    match Credentials::load(store) {
        Ok(_) => Ok(true),
        Err(SyncProblem::NotEnrolled) => Ok(false),
        Err(e) => Err(e),
    }
}

/// A signed, sealed batch ready to send, with the case revisions it carries.
#[derive(Debug, Clone)]
pub struct PreparedBatch {
    /// The batch id.
    pub batch_id: Uuid,
    /// The envelope bytes to POST (resending them unchanged is safe).
    pub envelope: Vec<u8>,
    /// The case revisions inside (with no listing either, nothing to send: `envelope` is
    /// empty).
    pub cases: Vec<SentCase>,
    /// When the batch carries the listing: its newest `listed_at`, recorded as
    /// [`SyncKey::ListingSentAt`] once the office answers the batch.
    pub listing_newest: Option<String>,
    /// Cases left out because they could not be serialised (their reason is recorded).
    pub unreadable: usize,
}

/// One case revision inside a prepared batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentCase {
    /// The case.
    pub case_id: CaseId,
    /// The revision sent.
    pub revision: Revision,
    /// The last event seq sent with it (0 when no event went): once the office
    /// acknowledges the revision, it holds the log up to there.
    pub last_seq: i64,
}

/// What the office's answer to one batch did on the tablet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    /// Cases acknowledged (stored, or already had) and marked as sent.
    pub acknowledged: usize,
    /// Acknowledged cases changed on the tablet meanwhile (they stay queued at their newer
    /// revision).
    pub changed_meanwhile: usize,
    /// Cases refused, with their reasons recorded.
    pub rejected: usize,
    /// Cases the answer did not mention (they stay queued).
    pub unanswered: usize,
    /// Cases the office asked to receive again with earlier events (it lost events it had
    /// acknowledged): they stay queued, their log to be sent from where the office is.
    pub needs_events: Vec<CaseId>,
}

/// What one full sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Cases acknowledged by the office.
    pub sent: usize,
    /// Cases refused by the office (or not readable on the tablet), reasons recorded.
    pub rejected: usize,
    /// Cases still queued after this sync.
    pub still_pending: usize,
    /// Whether the assignment's districts changed.
    pub assignment_changed: bool,
    /// Cases reopened by a supervisor's decision.
    pub reopened: usize,
    /// Cases set aside: the office failed on each alone while the others went through (kept
    /// in the outbox with the office's answer, retried after the others).
    pub set_aside: usize,
    /// Questionnaires downloaded and installed (new versions published by the office).
    pub questionnaires_installed: usize,
}

impl SyncReport {
    pub(super) fn add(&mut self, outcome: &BatchOutcome) {
        self.sent += outcome.acknowledged + outcome.changed_meanwhile;
        self.rejected += outcome.rejected;
    }
}

/// The synchronous sync client: one per thread.
#[derive(Debug)]
pub struct SyncClient {
    config: SyncConfig,
    office: OfficeClient,
    /// Questionnaires installed by this client's downloads since it started (cases made
    /// with them are serialised through them).
    downloaded: std::sync::Mutex<Vec<std::sync::Arc<census_core::load::Questionnaire>>>,
}

/// Whether a listing whose newest `listed_at` is `newest` is newer than what the office
/// acknowledged.
fn changed_since_acknowledged(store: &Store, newest: Option<&str>) -> Result<bool, SyncProblem> {
    let acknowledged = store.sync_setting(SyncKey::ListingSentAt)?;
    Ok(match (newest, acknowledged.as_deref()) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(n), Some(a)) => n > a,
    })
}

impl SyncClient {
    /// A client for `config` (no network traffic yet).
    pub fn new(config: SyncConfig) -> Result<SyncClient, SyncProblem> {
        let office = OfficeClient::new(&config)?;
        Ok(SyncClient {
            config,
            office,
            downloaded: Default::default(),
        })
    }

    /// The HTTP side.
    pub fn office(&self) -> &OfficeClient {
        &self.office
    }

    /// The configuration.
    pub fn config(&self) -> &SyncConfig {
        &self.config
    }

    /// Enrols the tablet with the office's one-time `code` for `enumerator_id`, then stores
    /// the token, the office's public key and the assignment. The device id and key are
    /// created once and kept before anything is sent, so an enrolment whose answer was lost
    /// is retried with the same identity. Returns the office's recovery public key (checked
    /// against its id, which is pinned): the caller seals the database key to it.
    pub fn enrol(
        &self,
        store: &mut Store,
        code: &str,
        enumerator_id: &str,
    ) -> Result<Option<[u8; 32]>, SyncProblem> {
        let code = code.trim();
        if code.is_empty() {
            return Err(SyncProblem::EnrolmentCodeRefused(
                "the code is empty".to_owned(),
            ));
        }
        let device_id = match store.sync_setting(SyncKey::DeviceId)? {
            Some(id) => id,
            None => format!("tablet-{}", Uuid::new_v4()),
        };
        let device_key = match store.sync_setting(SyncKey::DeviceKey)? {
            Some(text) => {
                let text = Zeroizing::new(text);
                DeviceKey::from_pkcs8_dangerous(&Zeroizing::new(wire::b64_decode(&text)?))?
            }
            None => DeviceKey::generate()?,
        };
        let key_text = Zeroizing::new(wire::b64_encode(&device_key.to_pkcs8_dangerous()));
        store.set_sync_settings(&[
            (SyncKey::DeviceId, &device_id),
            (SyncKey::DeviceKey, &key_text),
        ])?;
        let reply = self.office.enrol(&EnrolRequest {
            code: code.to_owned(),
            device_id,
            device_public_key: wire::b64_encode(&device_key.public_key()),
            enumerator_id: enumerator_id.to_owned(),
        })?;
        let office_key = wire::decode_key32(&reply.office_public_key)
            .map_err(|e| SyncProblem::BadAnswer(e.to_string()))?;
        let token = DeviceToken::new(reply.device_token);
        store.set_sync_settings(&[
            (SyncKey::DeviceToken, token.expose_secret()),
            (SyncKey::OfficePublicKey, &wire::b64_encode(&office_key)),
            (SyncKey::EnumeratorId, &reply.assignment.enumerator_id),
        ])?;
        let recovery = match reply.office_keys.as_ref().and_then(|k| k.recovery.as_ref()) {
            Some(published) => {
                let key = super::enrolment::checked_key(published, "recovery")?;
                store.set_sync_settings(&[(SyncKey::RecoveryKeyId, &published.key_id)])?;
                Some(key)
            }
            None => None,
        };
        store.import_assignment(&store_assignment(&reply.assignment))?;
        let installed =
            super::update_questionnaires(&self.office, &token, store, &reply.assignment)?;
        self.remember(&installed);
        Ok(recovery)
    }

    /// Loads questionnaires just installed so that cases made with them can be sent.
    fn remember(&self, installed: &[crate::store::InstalledQuestionnaire]) {
        for q in installed {
            let name = format!("{}@{}.json", q.id, q.version);
            if let (Ok(loaded), Ok(mut downloaded)) = (
                census_core::load::load_questionnaire(&name, &q.body),
                self.downloaded.lock(),
            ) {
                downloaded.push(loaded);
            }
        }
    }

    /// The queued case revisions to send (see [`Store::outbox_to_send`]).
    pub fn pending(&self, store: &Store) -> Result<Vec<OutboxEntry>, SyncProblem> {
        Ok(store.outbox_to_send()?)
    }

    /// Builds one batch from `entries`, each case at its current revision with its event log.
    /// A case that cannot be serialised gets a recorded reason (shown, and retried when the
    /// case changes) instead of blocking the others.
    pub fn prepare_batch(
        &self,
        store: &mut Store,
        credentials: &Credentials,
        entries: &[OutboxEntry],
    ) -> Result<PreparedBatch, SyncProblem> {
        self.prepare_batch_with_listing(store, credentials, entries, None)
    }

    /// The whole listing of the tablet's districts in its wire form, with its newest
    /// `listed_at`, and whether it changed since the office last acknowledged it.
    pub fn listing(store: &Store) -> Result<(Listing, Option<String>, bool), SyncProblem> {
        let stored = store.listing()?;
        let newest = stored.newest_listed_at().map(str::to_owned);
        let changed = changed_since_acknowledged(store, newest.as_deref())?;
        Ok((listing_record(&stored), newest, changed))
    }

    /// Whether the listing changed since the office last acknowledged it, without reading it.
    pub fn listing_changed(store: &Store) -> Result<bool, SyncProblem> {
        changed_since_acknowledged(store, store.newest_listed_at()?.as_deref())
    }

    /// As [`SyncClient::prepare_batch`], with the listing (and its newest `listed_at`) in the
    /// batch when given: a batch with no case but a listing is still built.
    pub fn prepare_batch_with_listing(
        &self,
        store: &mut Store,
        credentials: &Credentials,
        entries: &[OutboxEntry],
        listing: Option<(Listing, Option<String>)>,
    ) -> Result<PreparedBatch, SyncProblem> {
        let mut records = Vec::with_capacity(entries.len());
        let mut cases = Vec::with_capacity(entries.len());
        let mut questionnaires = BTreeSet::new();
        let mut unreadable = 0;
        let mut questionnaires_known = self.config.questionnaires.clone();
        if let Ok(downloaded) = self.downloaded.lock() {
            questionnaires_known.extend(downloaded.iter().cloned());
        }
        for entry in entries {
            let (stored, events) = match store.case_for_sync(entry.case_id) {
                Ok(found) => found,
                Err(e) if is_not_found(&e) => continue,
                Err(e) => return Err(e.into()),
            };
            match case_record(&questionnaires_known, &stored, &events) {
                Ok(record) => {
                    questionnaires.insert((
                        record.questionnaire_id.clone(),
                        record.questionnaire_version.clone(),
                    ));
                    cases.push(SentCase {
                        case_id: stored.meta.case_id,
                        revision: stored.meta.revision,
                        last_seq: events.last().map_or(0, |e| e.seq),
                    });
                    records.push(record);
                }
                Err(why) => {
                    store.record_rejection(
                        stored.meta.case_id,
                        stored.meta.revision,
                        &why.to_string(),
                    )?;
                    unreadable += 1;
                }
            }
        }
        let (listing, listing_newest) = listing
            .filter(|(l, _)| !l.is_empty())
            .map_or((Listing::default(), None), |(l, n)| (l, n));
        if records.is_empty() && listing.is_empty() {
            return Ok(PreparedBatch {
                batch_id: Uuid::nil(),
                envelope: Vec::new(),
                cases,
                listing_newest: None,
                unreadable,
            });
        }
        let payload = BatchPayload {
            wire_version: wire::WIRE_VERSION,
            batch_id: Uuid::new_v4(),
            device_id: credentials.device_id.clone(),
            enumerator_id: credentials.enumerator_id.clone(),
            created_at: Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true),
            questionnaires: questionnaires
                .into_iter()
                .map(|(id, version)| QuestionnaireRef { id, version })
                .collect(),
            cases: records,
            listing,
        };
        let signed = wire::build_batch(
            &payload,
            &credentials.device_key,
            &credentials.office_public_key,
        )?;
        Ok(PreparedBatch {
            batch_id: payload.batch_id,
            envelope: signed.to_bytes(),
            cases,
            listing_newest,
            unreadable,
        })
    }

    /// Sends a prepared batch (unchanged bytes: a resend is safe).
    pub fn send(
        &self,
        credentials: &Credentials,
        batch: &PreparedBatch,
    ) -> Result<BatchReply, SyncProblem> {
        self.office
            .post_batch(&credentials.token, batch.envelope.clone())
    }

    /// Applies the office's per-case answer: an acknowledged case (stored or already had) is
    /// marked as sent at the revision sent, and only if it was not changed meanwhile; a
    /// refused case keeps its place in the outbox with the reason recorded.
    pub fn apply_reply(
        store: &mut Store,
        batch: &PreparedBatch,
        reply: &BatchReply,
    ) -> Result<BatchOutcome, SyncProblem> {
        if reply.batch_id != batch.batch_id {
            return Err(SyncProblem::BadAnswer(
                "the answer is for another batch".to_owned(),
            ));
        }
        let sent: HashMap<CaseId, SentCase> = batch.cases.iter().map(|c| (c.case_id, *c)).collect();
        let mut outcome = BatchOutcome::default();
        let mut answered = BTreeSet::new();
        for result in &reply.results {
            let case_id = CaseId(result.case_id);
            let Some(&SentCase {
                revision, last_seq, ..
            }) = sent.get(&case_id)
            else {
                continue;
            };
            if u64::try_from(revision.0).ok() != Some(result.revision) {
                continue;
            }
            if !answered.insert(case_id) {
                continue;
            }
            match &result.outcome {
                CaseOutcome::Stored | CaseOutcome::AlreadyHad => {
                    store.acknowledge_events(case_id, last_seq)?;
                    if store.mark_sent(case_id, revision)? {
                        outcome.acknowledged += 1;
                    } else {
                        outcome.changed_meanwhile += 1;
                    }
                    store.clear_rejection(case_id)?;
                }
                CaseOutcome::Rejected { reason } => {
                    store.record_rejection(case_id, revision, reason)?;
                    outcome.rejected += 1;
                }
                CaseOutcome::NeedsEvents { after } => {
                    let after = i64::try_from(*after).unwrap_or(i64::MAX);
                    store.resend_events_after(case_id, after)?;
                    outcome.needs_events.push(case_id);
                }
            }
        }
        outcome.unanswered = batch.cases.len().saturating_sub(answered.len());
        if let Some(newest) = &batch.listing_newest {
            store.set_sync_settings(&[(SyncKey::ListingSentAt, newest)])?;
        }
        Ok(outcome)
    }

    /// Sends every queued case, batch after batch, reporting `(done, total)` after each; the
    /// first batch also carries the whole listing of the tablet's districts (the office keeps
    /// its latest state). With no case queued, a batch of the listing alone is sent when the
    /// listing changed since the office last acknowledged it. Stops at the first failure
    /// (what was acknowledged stays acknowledged).
    pub fn upload(
        &self,
        store: &mut Store,
        credentials: &Credentials,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<SyncReport, SyncProblem> {
        let pending = self.pending(store)?;
        let total = pending.len();
        let mut report = SyncReport::default();
        let mut done = 0;
        progress(done, total);
        let (listing, newest, changed) = SyncClient::listing(store)?;
        let mut listing = Some((listing, newest));
        let set_aside = isolate::set_aside_revisions(store)?;
        let (aside, fresh): (Vec<OutboxEntry>, Vec<OutboxEntry>) = pending
            .into_iter()
            .partition(|e| set_aside.contains(&(e.case_id, e.revision)));
        // Cases set aside travel alone, after the others, so they never hold a batch up.
        let mut chunks: Vec<&[OutboxEntry]> = fresh
            .chunks(self.config.max_cases_per_batch.max(1))
            .chain(aside.chunks(1))
            .collect();
        if chunks.is_empty() && changed {
            chunks.push(&[]);
        }
        let mut asked_again = Vec::new();
        for chunk in chunks {
            let with_listing = listing.take();
            let result = self.send_chunk(store, credentials, chunk, with_listing.clone());
            match result {
                Ok(outcome) => {
                    asked_again.extend(outcome.needs_events.iter().copied());
                    report.add(&outcome);
                    isolate::forget_failed_batch(store)?;
                }
                Err(problem) if !chunk.is_empty() && isolate::fails_on_content(&problem) => {
                    isolate::after_failed_batch(
                        self,
                        store,
                        credentials,
                        chunk,
                        with_listing,
                        problem,
                        &mut report,
                    )?;
                }
                Err(problem) => return Err(problem),
            }
            done += chunk.len();
            progress(done, total);
        }
        // The office lost events it had acknowledged for some cases: they go once more, with
        // their logs from where the office is (a second refusal waits for the next sync).
        if !asked_again.is_empty() {
            let again: Vec<OutboxEntry> = self
                .pending(store)?
                .into_iter()
                .filter(|e| asked_again.contains(&e.case_id))
                .collect();
            for chunk in again.chunks(self.config.max_cases_per_batch.max(1)) {
                let outcome = self.send_chunk(store, credentials, chunk, None)?;
                report.add(&outcome);
            }
        }
        report.still_pending = self.pending(store)?.len();
        Ok(report)
    }

    /// Prepares, sends and applies one batch.
    pub(super) fn send_chunk(
        &self,
        store: &mut Store,
        credentials: &Credentials,
        chunk: &[OutboxEntry],
        listing: Option<(Listing, Option<String>)>,
    ) -> Result<BatchOutcome, SyncProblem> {
        let batch = self.prepare_batch_with_listing(store, credentials, chunk, listing)?;
        let mut outcome = BatchOutcome {
            rejected: batch.unreadable,
            ..BatchOutcome::default()
        };
        if !batch.envelope.is_empty() {
            let reply = self.send(credentials, &batch)?;
            let answered = SyncClient::apply_reply(store, &batch, &reply)?;
            outcome.acknowledged = answered.acknowledged;
            outcome.changed_meanwhile = answered.changed_meanwhile;
            outcome.rejected += answered.rejected;
            outcome.unanswered = answered.unanswered;
            outcome.needs_events = answered.needs_events;
        }
        Ok(outcome)
    }

    /// Downloads the assignment (imported into the store) and the review decisions after the
    /// stored cursor (a case sent back reopens with the supervisor's comment).
    pub fn download(
        &self,
        store: &mut Store,
        credentials: &Credentials,
        report: &mut SyncReport,
    ) -> Result<(), SyncProblem> {
        let assignment = self.office.assignment(&credentials.token)?;
        if let Some(batch) = super::check_pinned_keys(store, assignment.office_keys.as_ref())? {
            let batch = wire::b64_encode(&batch);
            if store.sync_setting(SyncKey::OfficePublicKey)?.as_deref() != Some(batch.as_str()) {
                // The office rotated its batch key: the next batch is sealed to the new one.
                store.set_sync_settings(&[(SyncKey::OfficePublicKey, &batch)])?;
            }
        }
        let installed =
            super::update_questionnaires(&self.office, &credentials.token, store, &assignment)?;
        report.questionnaires_installed += installed.len();
        self.remember(&installed);
        let before: BTreeSet<String> = store
            .districts()?
            .into_iter()
            .map(|d| d.district_id)
            .collect();
        store.import_assignment(&store_assignment(&assignment))?;
        let after: BTreeSet<String> = store
            .districts()?
            .into_iter()
            .map(|d| d.district_id)
            .collect();
        if before != after {
            report.assignment_changed = true;
            // Cases refused for being outside the districts may be accepted now.
            store.clear_all_rejections()?;
        }
        let ctx = EventContext {
            screen: SYNC_SCREEN.to_owned(),
            gps: None,
        };
        let mut cursor: u64 = store
            .sync_setting(SyncKey::ReviewCursor)?
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        for _page in 0..1000 {
            let page = self.office.reviews(&credentials.token, cursor)?;
            for decision in &page.decisions {
                let note = review_note(decision);
                let sent_back = note.decision == census_core::wire::Decision::SentBack;
                match store.apply_review_decision(&note, &ctx) {
                    Ok(true) if sent_back => report.reopened += 1,
                    Ok(_) => {}
                    // A case this tablet does not hold (e.g. a replaced tablet): nothing to do.
                    Err(e) if is_not_found(&e) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            if page.decisions.is_empty() || page.next_cursor <= cursor {
                break;
            }
            cursor = page.next_cursor;
            store.set_sync_settings(&[(SyncKey::ReviewCursor, &cursor.to_string())])?;
        }
        Ok(())
    }

    /// One full sync: upload everything queued, then download; records the success time.
    pub fn sync_once(
        &self,
        store: &mut Store,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<SyncReport, SyncProblem> {
        let credentials = Credentials::load(store)?;
        let mut report = self.upload(store, &credentials, progress)?;
        self.download(store, &credentials, &mut report)?;
        report.still_pending = self.pending(store)?.len();
        let now = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
        store.set_sync_settings(&[(SyncKey::LastSuccessAt, &now)])?;
        Ok(report)
    }
}
