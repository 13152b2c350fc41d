//! Sync client state (owned by the sync client, `src/sync/`): enrolment facts and credentials,
//! per-case rejection reasons from the office, and review decisions received.
//!
//! Its tables come from migration 3 (`schema.rs`). Everything is inside the encrypted database
//! (the device key and token included).

use census_core::wire::Decision;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{CaseId, CaseStatus, EventContext, Revision, Store, StoreError, now_text, parse_time};

/// One fact the sync client keeps between runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncKey {
    /// The device id given by the office at enrolment.
    DeviceId,
    /// The device's Ed25519 key (PKCS#8, hex). Secret.
    DeviceKey,
    /// The bearer token given by the office at enrolment. Secret.
    DeviceToken,
    /// The office's X25519 public key (hex), batches are sealed to it.
    OfficePublicKey,
    /// The enumerator id the office enrolled this tablet for.
    EnumeratorId,
    /// When the last complete sync succeeded (RFC 3339).
    LastSuccessAt,
    /// The review decisions cursor (opaque, from the office).
    ReviewCursor,
    /// The newest `listed_at` of the listing the office last acknowledged (RFC 3339).
    ListingSentAt,
    /// A controller's or supervisor's reviewer token (see `Store::set_reviewer_token`).
    /// Secret.
    ReviewerToken,
    /// The fingerprint of the last reviewer signed in ([`crate::keys::ReviewerToken::fingerprint`]),
    /// kept while the reviewer's session is closed (idle, or the tablet unlocked with the
    /// enumerator's PIN): the area received stays for that reviewer, and only for them.
    ReviewerFingerprint,
    /// The first case (`id@revision`) of the last batch the office failed on; empty when
    /// the last batch went through (see `sync::isolate`).
    FailedBatchHead,
    /// The id of the office recovery key the database key is sealed to, pinned at
    /// enrolment: a download naming another recovery key is refused.
    RecoveryKeyId,
    /// The office's server URL given at enrolment (used when the app is started without
    /// `--server` or a provisioning file).
    ServerUrl,
}

impl SyncKey {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            SyncKey::DeviceId => "device_id",
            SyncKey::DeviceKey => "device_key",
            SyncKey::DeviceToken => "device_token",
            SyncKey::OfficePublicKey => "office_public_key",
            SyncKey::EnumeratorId => "enumerator_id",
            SyncKey::LastSuccessAt => "last_success_at",
            SyncKey::ReviewCursor => "review_cursor",
            SyncKey::ListingSentAt => "listing_sent_at",
            SyncKey::ReviewerToken => "reviewer_token",
            SyncKey::ReviewerFingerprint => "reviewer_fingerprint",
            SyncKey::FailedBatchHead => "failed_batch_head",
            SyncKey::RecoveryKeyId => "recovery_key_id",
            SyncKey::ServerUrl => "server_url",
        }
    }
}

/// A case revision the office refused, with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The case.
    pub case_id: CaseId,
    /// The revision refused (a later revision is sent again).
    pub revision: Revision,
    /// The office's reason, as shown to the enumerator.
    pub reason: String,
    /// When the refusal was received.
    pub at: DateTime<Utc>,
    /// `false`: the office refused the case (it waits for a change). `true`: sending it
    /// failed on its own while other cases went through (it is retried after them).
    pub set_aside: bool,
}

/// A supervisor's review decision on a case, as received from the office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewNote {
    /// The office's id for the decision (received once).
    pub decision_id: String,
    /// The case.
    pub case_id: CaseId,
    /// Approved or sent back.
    pub decision: Decision,
    /// The supervisor's comment.
    pub comment: String,
    /// When the supervisor decided.
    pub decided_at: DateTime<Utc>,
}

/// Sets one sync fact inside the caller's transaction.
pub(super) fn put_setting(
    conn: &rusqlite::Connection,
    key: SyncKey,
    value: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO sync_setting (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key.as_str(), value])?;
    Ok(())
}

fn case_id(text: &str) -> Result<CaseId, StoreError> {
    text.parse()
        .map_err(|e| StoreError::Corrupted(format!("case id {text:?}: {e}")))
}

impl Store {
    /// One sync fact, if set.
    pub fn sync_setting(&self, key: SyncKey) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM sync_setting WHERE key = ?1")?
            .query_row([key.as_str()], |r| r.get(0))
            .optional()?)
    }

    /// Sets several sync facts in one transaction (all or none).
    pub fn set_sync_settings(&mut self, values: &[(SyncKey, &str)]) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (key, value) in values {
            put_setting(&tx, *key, value)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Records that the office refused `revision` of the case, with its reason (replacing an
    /// earlier refusal of the same case).
    pub fn record_rejection(
        &mut self,
        case_id: CaseId,
        revision: Revision,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.put_rejection(case_id, revision, reason, false)
    }

    /// Records that sending the case failed on its own (the office answered an error for it
    /// while other cases went through): it stays in the outbox with `reason` shown, and is
    /// retried after the other cases.
    pub fn set_aside(
        &mut self,
        case_id: CaseId,
        revision: Revision,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.put_rejection(case_id, revision, reason, true)
    }

    fn put_rejection(
        &mut self,
        case_id: CaseId,
        revision: Revision,
        reason: &str,
        set_aside: bool,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO sync_rejection (case_id, revision, reason, at, set_aside)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (case_id) DO UPDATE SET revision = excluded.revision,
                     reason = excluded.reason, at = excluded.at, set_aside = excluded.set_aside",
            )?
            .execute(params![
                case_id.to_string(),
                revision.0,
                reason,
                now_text(),
                i64::from(set_aside)
            ])?;
        Ok(())
    }

    /// Forgets the case's refusal (the office accepted it since).
    pub fn clear_rejection(&mut self, case_id: CaseId) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("DELETE FROM sync_rejection WHERE case_id = ?1")?
            .execute([case_id.to_string()])?;
        Ok(())
    }

    /// Forgets every refusal, so that all refused cases are offered again (e.g. after the
    /// assignment changed). Returns how many were forgotten.
    pub fn clear_all_rejections(&mut self) -> Result<usize, StoreError> {
        Ok(self.conn.execute("DELETE FROM sync_rejection", [])?)
    }

    /// Every refusal on record, oldest first.
    pub fn rejections(&self) -> Result<Vec<Rejection>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT case_id, revision, reason, at, set_aside FROM sync_rejection
             ORDER BY at, case_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, revision, reason, at, set_aside) = row?;
            out.push(Rejection {
                case_id: case_id(&id)?,
                revision: Revision(revision),
                reason,
                at: parse_time(&at)?,
                set_aside: set_aside != 0,
            });
        }
        Ok(out)
    }

    /// Records a review decision received from the office. A `sent_back` decision reopens the
    /// case (status back to in progress, through the normal change log). A decision already
    /// received changes nothing. Returns whether it was new.
    pub fn apply_review_decision(
        &mut self,
        note: &ReviewNote,
        ctx: &EventContext,
    ) -> Result<bool, StoreError> {
        // The case must exist on this tablet before anything is recorded.
        let meta = self.case_meta(note.case_id)?;
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO review_note (decision_id, case_id, decision, comment, decided_at,
                     received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (decision_id) DO NOTHING",
            )?
            .execute(params![
                note.decision_id,
                note.case_id.to_string(),
                note.decision.as_str(),
                note.comment,
                super::time_text(note.decided_at),
                now_text(),
            ])?;
        // Reopen even when the note was recorded before a crash but the status change was not.
        if note.decision == Decision::SentBack && meta.status != CaseStatus::InProgress {
            let latest = self.latest_review_decision(note.case_id)?;
            if latest.as_deref() == Some(note.decision_id.as_str()) {
                self.set_status(note.case_id, CaseStatus::InProgress, None, ctx)?;
            }
        }
        Ok(inserted == 1)
    }

    fn latest_review_decision(&self, case_id: CaseId) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT decision_id FROM review_note WHERE case_id = ?1
                 ORDER BY decided_at DESC, received_at DESC LIMIT 1",
            )?
            .query_row([case_id.to_string()], |r| r.get(0))
            .optional()?)
    }

    /// The district's cases the office sent back and the enumerator has not completed again,
    /// by (building, dwelling), with the supervisor's latest comment.
    pub fn sent_back_cases(
        &self,
        district_id: &str,
    ) -> Result<std::collections::HashMap<(u32, u32), String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.building_no, c.dwelling_no, n.comment
             FROM cases c JOIN review_note n ON n.case_id = c.case_id
             WHERE c.district_id = ?1 AND c.status = ?2 AND n.decision = ?3
               AND n.decision_id = (SELECT m.decision_id FROM review_note m
                                    WHERE m.case_id = c.case_id
                                    ORDER BY m.decided_at DESC, m.received_at DESC LIMIT 1)",
        )?;
        let rows = stmt.query_map(
            params![
                district_id,
                CaseStatus::InProgress.as_str(),
                Decision::SentBack.as_str()
            ],
            |r| {
                Ok((
                    (r.get::<_, u32>(0)?, r.get::<_, u32>(1)?),
                    r.get::<_, String>(2)?,
                ))
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The review decisions received for a case, newest first (the first one's comment is the
    /// one to show).
    pub fn review_notes(&self, case_id: CaseId) -> Result<Vec<ReviewNote>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT decision_id, decision, comment, decided_at FROM review_note
             WHERE case_id = ?1 ORDER BY decided_at DESC, received_at DESC",
        )?;
        let rows = stmt.query_map([case_id.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (decision_id, decision, comment, decided_at) = row?;
            out.push(ReviewNote {
                decision_id,
                case_id,
                decision: decision.parse::<Decision>()?,
                comment,
                decided_at: parse_time(&decided_at)?,
            });
        }
        Ok(out)
    }
}

impl Store {
    /// A case and the events of its log the office has not acknowledged, read in one
    /// transaction, so that the revision, the answers and the events sent together are one
    /// consistent state even while the screens keep writing through another connection. The enumerator's open edit is closed first: a
    /// later keystroke starts a new edit, with a new revision to send.
    pub fn case_for_sync(
        &self,
        case_id: CaseId,
    ) -> Result<(super::StoredCase, Vec<super::Event>), StoreError> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let read = super::edits::close(&self.conn, &case_id.to_string())
            .and_then(|()| self.load_case(case_id))
            .and_then(|case| {
                let acked = self.acknowledged_seq(case_id)?;
                let mut events = self.events(case_id)?;
                events.retain(|e| e.seq > acked);
                Ok((case, events))
            });
        match read {
            Ok(value) => {
                self.conn.execute_batch("COMMIT")?;
                Ok(value)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }
}
