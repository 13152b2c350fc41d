//! PostgreSQL reads of the review page: one stored case with its document, and the
//! decisions of an area with their cases' places.

use deadpool_postgres::Pool;
use uuid::Uuid;

use super::case_from_row;
use super::coverage::query;
use super::schema::CASE_COLUMNS;
use crate::store::coverage_sql::RECENT_DECISIONS;
use crate::store::{HistoryDecision, PlacedDecision, Scope, StoreError, StoredCase};

/// A case as stored, when it exists.
pub async fn stored_case(pool: &Pool, case_id: Uuid) -> Result<Option<StoredCase>, StoreError> {
    let client = pool.get().await?;
    client
        .query_opt(
            &format!("SELECT {CASE_COLUMNS} FROM cases WHERE case_id = $1"),
            &[&case_id],
        )
        .await?
        .as_ref()
        .map(case_from_row)
        .transpose()
}

/// Decisions on cases of `scope`, newest first.
pub async fn recent_decisions(
    pool: &Pool,
    scope: &Scope,
    limit: u32,
) -> Result<Vec<PlacedDecision>, StoreError> {
    let rows = query(pool, &format!("{RECENT_DECISIONS} LIMIT {limit}"), scope).await?;
    let u = |v: i64| u32::try_from(v).unwrap_or(0);
    Ok(rows
        .iter()
        .map(|r| PlacedDecision {
            case_id: r.get(0),
            district_id: r.get(1),
            building_number: u(r.get(2)),
            dwelling_number: u(r.get(3)),
            household_number: r.get::<_, Option<i64>>(4).map(u),
            head_name: r.get(5),
            decision: HistoryDecision {
                revision: u64::try_from(r.get::<_, i64>(6)).unwrap_or(0),
                decision: r.get(7),
                comment: r.get(8),
                at: r.get(9),
                reviewer: r.get(10),
                reviewer_role: r.get(11),
                revision_read: r
                    .get::<_, Option<i64>>(12)
                    .and_then(|v| u64::try_from(v).ok()),
            },
        })
        .collect())
}
