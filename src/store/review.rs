//! Review on a controller's or supervisor's tablet: the reviewer token (with the sync
//! facts, encrypted like the device's credentials), what the office sent of the area (the
//! coverage report and the review queue, kept as the raw JSON received with the time it was
//! fetched) and the review outbox — each decision saved at once, until the office
//! acknowledges it or refuses it with its words.

use census_core::wire::Decision;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use uuid::Uuid;

use super::sync_state::{SyncKey, put_setting};
use super::{Store, StoreError, now_text, parse_time};
use crate::keys::ReviewerToken;

/// What the office sends of a reviewer's area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewDownload {
    /// The coverage report (`GET /v1/coverage`).
    Coverage,
    /// The review queue (`GET /v1/review/queue`).
    Queue,
    /// The map points (`GET /v1/coverage/map`).
    Map,
}

impl ReviewDownload {
    fn as_str(self) -> &'static str {
        match self {
            ReviewDownload::Coverage => "coverage",
            ReviewDownload::Queue => "queue",
            ReviewDownload::Map => "map",
        }
    }
}

/// A download as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDownload {
    /// The JSON as the office sent it.
    pub body: String,
    /// When it was fetched.
    pub fetched_at: DateTime<Utc>,
}

/// A decision made on the tablet, waiting to be sent (or refused by the office).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedDecision {
    /// The case.
    pub case_id: Uuid,
    /// The revision decided on (as shown in the queue).
    pub revision: u64,
    /// Approved or sent back.
    pub decision: Decision,
    /// The comment for the enumerator.
    pub comment: String,
    /// When it was decided (RFC 3339, as stored: it identifies this decision).
    pub decided_at: String,
    /// The office's words when it refused the decision; `None` while waiting to be sent.
    pub refusal: Option<String>,
    /// The fingerprint of the reviewer's code it was made under
    /// ([`ReviewerToken::fingerprint`]).
    pub reviewer: String,
}

impl Store {
    /// Keeps the reviewer token (replacing an earlier one). The area received stays when the
    /// same reviewer signs in again after their session was closed; it is forgotten when
    /// another code is typed.
    pub fn set_reviewer_token(&mut self, token: &ReviewerToken) -> Result<(), StoreError> {
        let fingerprint = token
            .fingerprint()
            .map_err(|e| StoreError::Other(e.to_string()))?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let earlier: Option<String> = tx
            .query_row(
                "SELECT value FROM sync_setting WHERE key = ?1",
                [SyncKey::ReviewerFingerprint.as_str()],
                |r| r.get(0),
            )
            .optional()?;
        if earlier.as_deref() != Some(fingerprint.as_str()) {
            tx.execute("DELETE FROM review_download", [])?;
        }
        put_setting(&tx, SyncKey::ReviewerToken, token.expose_secret())?;
        put_setting(&tx, SyncKey::ReviewerFingerprint, &fingerprint)?;
        tx.commit()?;
        Ok(())
    }

    /// The reviewer token, when a reviewer is signed in.
    pub fn reviewer_token(&self) -> Result<Option<ReviewerToken>, StoreError> {
        Ok(self
            .sync_setting(SyncKey::ReviewerToken)?
            .and_then(ReviewerToken::new))
    }

    /// The fingerprint of the reviewer signed in last ([`ReviewerToken::fingerprint`], kept
    /// when it was signed in, so that it is not derived again at every sync).
    pub fn reviewer_fingerprint(&self) -> Result<Option<String>, StoreError> {
        self.sync_setting(SyncKey::ReviewerFingerprint)
    }

    /// Whether a reviewer's session was closed with their area kept: their code must be
    /// typed again to see it (and to send their decisions).
    pub fn reviewer_session_closed(&self) -> Result<bool, StoreError> {
        Ok(self.sync_setting(SyncKey::ReviewerToken)?.is_none()
            && self.sync_setting(SyncKey::ReviewerFingerprint)?.is_some())
    }

    /// Closes the reviewer's session (idle, or the tablet unlocked with the enumerator's
    /// PIN): forgets the token, so that nothing can be decided or sent under it until the
    /// code is typed again; the area received and the decisions waiting stay.
    pub fn close_reviewer_session(&mut self) -> Result<(), StoreError> {
        self.conn.execute(
            "DELETE FROM sync_setting WHERE key = ?1",
            [SyncKey::ReviewerToken.as_str()],
        )?;
        Ok(())
    }

    /// Signs the reviewer out: forgets the token and what was downloaded of the area, in one
    /// transaction. Decisions not yet sent stay, and are sent when the same reviewer signs in
    /// again (never under another reviewer's code).
    pub fn sign_out_reviewer(&mut self) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for key in [SyncKey::ReviewerToken, SyncKey::ReviewerFingerprint] {
            tx.execute("DELETE FROM sync_setting WHERE key = ?1", [key.as_str()])?;
        }
        tx.execute("DELETE FROM review_download", [])?;
        tx.commit()?;
        Ok(())
    }

    /// Keeps a download (replacing the previous one of its kind).
    pub fn save_review_download(
        &mut self,
        kind: ReviewDownload,
        body: &str,
        fetched_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO review_download (kind, body, fetched_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (kind) DO UPDATE SET body = excluded.body,
                     fetched_at = excluded.fetched_at",
            )?
            .execute(params![kind.as_str(), body, super::time_text(fetched_at)])?;
        Ok(())
    }

    /// The last download of a kind, if any.
    pub fn review_download(
        &self,
        kind: ReviewDownload,
    ) -> Result<Option<StoredDownload>, StoreError> {
        let row = self
            .conn
            .prepare_cached("SELECT body, fetched_at FROM review_download WHERE kind = ?1")?
            .query_row([kind.as_str()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .optional()?;
        row.map(|(body, at)| {
            Ok(StoredDownload {
                body,
                fetched_at: parse_time(&at)?,
            })
        })
        .transpose()
    }

    /// Saves a decision at once, to be sent at the next sync under the signed-in reviewer's
    /// code (replacing an earlier decision on the same case not yet sent, or refused).
    /// Refused ([`StoreError::Invalid`]) when no reviewer is signed in.
    pub fn queue_review_decision(
        &mut self,
        case_id: Uuid,
        revision: u64,
        decision: Decision,
        comment: &str,
    ) -> Result<(), StoreError> {
        let revision = i64::try_from(revision)
            .map_err(|_| StoreError::Corrupted(format!("revision {revision}")))?;
        let reviewer = self
            .reviewer_token()?
            .and(self.reviewer_fingerprint()?)
            .ok_or_else(|| StoreError::Invalid("sign in with your reviewer code first".into()))?;
        self.conn
            .prepare_cached(
                "INSERT INTO review_outbox (case_id, revision, decision, comment, decided_at,
                     refusal, reviewer)
                 VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6)
                 ON CONFLICT (case_id) DO UPDATE SET revision = excluded.revision,
                     decision = excluded.decision, comment = excluded.comment,
                     decided_at = excluded.decided_at, refusal = NULL,
                     reviewer = excluded.reviewer",
            )?
            .execute(params![
                case_id.to_string(),
                revision,
                decision.as_str(),
                comment,
                now_text(),
                reviewer
            ])?;
        Ok(())
    }

    /// Every decision of the review outbox (waiting or refused), oldest first.
    pub fn queued_review_decisions(&self) -> Result<Vec<QueuedDecision>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT case_id, revision, decision, comment, decided_at, refusal, reviewer
             FROM review_outbox ORDER BY decided_at, case_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, revision, decision, comment, decided_at, refusal, reviewer) = row?;
            out.push(QueuedDecision {
                case_id: Uuid::parse_str(&id)
                    .map_err(|e| StoreError::Corrupted(format!("case id {id:?}: {e}")))?,
                revision: u64::try_from(revision).unwrap_or_default(),
                decision: decision.parse::<Decision>()?,
                comment,
                decided_at,
                refusal,
                reviewer,
            });
        }
        Ok(out)
    }

    /// The office recorded the decision: it leaves the outbox — unless it was replaced by
    /// a newer decision meanwhile (`decided_at` identifies the one sent).
    pub fn review_decision_sent(
        &mut self,
        case_id: Uuid,
        decided_at: &str,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("DELETE FROM review_outbox WHERE case_id = ?1 AND decided_at = ?2")?
            .execute(params![case_id.to_string(), decided_at])?;
        Ok(())
    }

    /// The office refused the decision: it stays, with the office's words, until dismissed.
    pub fn review_decision_refused(
        &mut self,
        case_id: Uuid,
        decided_at: &str,
        message: &str,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE review_outbox SET refusal = ?3 WHERE case_id = ?1 AND decided_at = ?2",
            )?
            .execute(params![case_id.to_string(), decided_at, message])?;
        Ok(())
    }

    /// Forgets a decision the office refused (the reviewer has read why).
    pub fn dismiss_review_decision(&mut self, case_id: Uuid) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("DELETE FROM review_outbox WHERE case_id = ?1 AND refusal IS NOT NULL")?
            .execute([case_id.to_string()])?;
        Ok(())
    }
}
