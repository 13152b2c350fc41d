//! SQLite queries of the export (`census-server export --since`).

use rusqlite::{Connection, params};
use uuid::Uuid;

use super::rows::stored_case_from_row;
use crate::store::{StoreError, StoredCase};

/// Cases received at or after `since` (RFC 3339, UTC) at their latest revision, by case id
/// after `after`, at most `limit`. Walks the primary key, so a whole pass is one scan.
pub fn cases_received_page(
    conn: &Connection,
    since: &str,
    after: Option<Uuid>,
    limit: u32,
) -> Result<Vec<StoredCase>, StoreError> {
    let after = after.map(|u| u.to_string()).unwrap_or_default();
    let mut st = conn.prepare_cached(
        "SELECT case_id, revision, district_id, building_number, dwelling_number,
               household_number, questionnaire_id, questionnaire_version, status,
               long_form, case_json, updated_at, device_id
             FROM cases WHERE case_id > ?1 AND received_at >= ?2 ORDER BY case_id LIMIT ?3",
    )?;
    let rows = st.query_map(params![after, since, limit], stored_case_from_row)?;
    let mut out = Vec::new();
    for r in rows {
        out.push(r??);
    }
    Ok(out)
}
