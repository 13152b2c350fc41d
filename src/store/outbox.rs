//! The sync outbox: which case revisions wait to be sent, and their acknowledgement.

use rusqlite::{OptionalExtension, params};

use super::{CaseId, OutboxEntry, Revision, Store, StoreError, parse_time};

impl Store {
    /// Case revisions waiting to be sent, oldest first.
    pub fn outbox_pending(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT case_id, revision, queued_at FROM outbox WHERE state = 'pending'
             ORDER BY queued_at, case_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, revision, queued_at) = row?;
            out.push(OutboxEntry {
                case_id: id
                    .parse()
                    .map_err(|e| StoreError::Corrupted(format!("case id {id:?}: {e}")))?,
                revision: Revision(revision),
                queued_at: parse_time(&queued_at)?,
            });
        }
        Ok(out)
    }

    /// The case revisions to send, in order: the outbox, minus the revisions the office
    /// refused (a later revision is offered again), with the cases set aside after a failure
    /// of their own last, so that they never hold up the others.
    pub fn outbox_to_send(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let rejections = self.rejections()?;
        let held = |entry: &OutboxEntry, set_aside: bool| {
            rejections.iter().any(|r| {
                r.case_id == entry.case_id
                    && r.revision == entry.revision
                    && r.set_aside == set_aside
            })
        };
        let (retried, first): (Vec<OutboxEntry>, Vec<OutboxEntry>) = self
            .outbox_pending()?
            .into_iter()
            .filter(|e| !held(e, false))
            .partition(|e| held(e, true));
        Ok(first.into_iter().chain(retried).collect())
    }

    /// Marks the case's queued revision as sent, only if `revision` is still the latest one
    /// queued (a change made during the upload keeps the case pending). Returns whether it did.
    pub fn mark_sent(&mut self, case_id: CaseId, revision: Revision) -> Result<bool, StoreError> {
        let changed = self
            .conn
            .prepare_cached(
                "UPDATE outbox SET state = 'sent'
             WHERE case_id = ?1 AND revision = ?2 AND state = 'pending'",
            )?
            .execute(params![case_id.to_string(), revision.0])?;
        Ok(changed == 1)
    }

    /// The last event of the case the office acknowledged holding (0: none, or not known).
    pub fn acknowledged_seq(&self, case_id: CaseId) -> Result<i64, StoreError> {
        let seq = self
            .conn
            .prepare_cached("SELECT acked_seq FROM outbox WHERE case_id = ?1")?
            .query_row([case_id.to_string()], |r| r.get::<_, i64>(0))
            .optional()?;
        Ok(seq.unwrap_or(0))
    }

    /// Records that the office holds the case's events up to `seq` (it acknowledged a
    /// revision sent with them): later batches carry only the events after it.
    pub fn acknowledge_events(&mut self, case_id: CaseId, seq: i64) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("UPDATE outbox SET acked_seq = MAX(acked_seq, ?2) WHERE case_id = ?1")?
            .execute(params![case_id.to_string(), seq])?;
        Ok(())
    }

    /// The office holds the case's events up to `seq` only (it lost later ones it had
    /// acknowledged): the next batch carries the log from there.
    pub fn resend_events_after(&mut self, case_id: CaseId, seq: i64) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("UPDATE outbox SET acked_seq = MIN(acked_seq, ?2) WHERE case_id = ?1")?
            .execute(params![case_id.to_string(), seq.max(0)])?;
        Ok(())
    }
}
