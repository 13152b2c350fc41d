//! PostgreSQL queries of the export (`census-server export --since`).

use deadpool_postgres::Pool;
use uuid::Uuid;

use super::case_from_row;
use super::schema::CASE_COLUMNS;
use crate::store::{StoreError, StoredCase};

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
