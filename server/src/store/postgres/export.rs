//! PostgreSQL queries of the export (`census-server export --since`, and what the typed
//! export reads beside a page of cases).

use std::collections::HashMap;

use deadpool_postgres::Pool;
use uuid::Uuid;

use super::case_from_row;
use super::schema::CASE_COLUMNS;
use crate::store::packed::StoredJson;
use crate::store::{CaseRecords, HistoryDecision, RevisionEvents, StoreError, StoredCase};

/// Cases received at or after `since` (RFC 3339) at their latest revision, by case id after
/// `after`, at most `limit`. Walks the primary key, so a whole pass is one scan.
pub async fn cases_received_page(
    pool: &Pool,
    since: &str,
    after: Option<Uuid>,
    limit: u32,
) -> Result<Vec<StoredCase>, StoreError> {
    let client = pool.get().await?;
    let rows = client
        .query(
            &format!(
                "SELECT {CASE_COLUMNS} FROM cases
                 WHERE ($1::uuid IS NULL OR case_id > $1)
                   AND received_at >= $2::text::timestamptz
                 ORDER BY case_id LIMIT $3"
            ),
            &[&after, &since, &i64::from(limit)],
        )
        .await?;
    rows.iter().map(case_from_row).collect()
}

/// The revisions' events and the decisions of the cases `case_ids`, by case (a case with
/// neither is absent): two prepared queries for a whole page, sent together on one
/// connection, each walking an index or one scan rather than a round trip per case.
pub async fn case_records(
    pool: &Pool,
    case_ids: &[Uuid],
) -> Result<HashMap<Uuid, CaseRecords>, StoreError> {
    let mut out: HashMap<Uuid, CaseRecords> = HashMap::new();
    if case_ids.is_empty() {
        return Ok(out);
    }
    let client = pool.get().await?;
    let events = client
        .prepare_cached(
            "SELECT case_id, revision, events FROM case_events
             WHERE case_id = ANY($1) ORDER BY case_id, revision",
        )
        .await?;
    let decisions = client
        .prepare_cached(
            "SELECT case_id, revision, decision, comment, at, reviewer, reviewer_role,
               revision_read
             FROM reviews WHERE case_id = ANY($1) ORDER BY case_id, cursor",
        )
        .await?;
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&case_ids];
    let (events, decisions) = tokio::try_join!(
        client.query(&events, &params),
        client.query(&decisions, &params)
    )?;
    for r in &events {
        out.entry(r.try_get(0)?)
            .or_default()
            .revisions
            .push(RevisionEvents {
                revision: r.try_get::<_, i64>(1)? as u64,
                events: r.try_get::<_, StoredJson>(2)?.value()?,
            });
    }
    for r in &decisions {
        out.entry(r.try_get(0)?)
            .or_default()
            .decisions
            .push(HistoryDecision {
                revision: r.try_get::<_, i64>(1)? as u64,
                decision: r.try_get(2)?,
                comment: r.try_get(3)?,
                at: r.try_get(4)?,
                reviewer: r.try_get(5)?,
                reviewer_role: r.try_get(6)?,
                revision_read: r.try_get::<_, Option<i64>>(7)?.map(|v| v as u64),
            });
    }
    Ok(out)
}
