//! SQLite reads of the review page: one stored case with its document, and the decisions
//! of an area with their cases' places.

use rusqlite::{Connection, OptionalExtension, params_from_iter};
use uuid::Uuid;

use super::coverage::scoped;
use super::rows::stored_case_from_row;
use crate::store::coverage_sql::RECENT_DECISIONS;
use crate::store::{HistoryDecision, PlacedDecision, Scope, StoreError, StoredCase};

/// A case as stored, when it exists.
pub fn stored_case(conn: &Connection, case_id: Uuid) -> Result<Option<StoredCase>, StoreError> {
    conn.prepare_cached(
        "SELECT case_id, revision, district_id, building_number, dwelling_number,
                household_number, questionnaire_id, questionnaire_version, status,
                long_form, case_json, updated_at, device_id
           FROM cases WHERE case_id = ?1",
    )?
    .query_row([case_id.to_string()], stored_case_from_row)
    .optional()?
    .transpose()
}

/// Decisions on cases of `scope`, newest first.
pub fn recent_decisions(
    conn: &Connection,
    scope: &Scope,
    limit: u32,
) -> Result<Vec<PlacedDecision>, StoreError> {
    let (sql, p) = scoped(&format!("{RECENT_DECISIONS} LIMIT {limit}"), scope)?;
    let mut st = conn.prepare(&sql)?;
    let u = |v: i64| u32::try_from(v).unwrap_or(0);
    let rows = st.query_map(params_from_iter(&p), |r| {
        Ok((
            r.get::<_, String>(0)?,
            PlacedDecision {
                case_id: Uuid::nil(),
                district_id: r.get(1)?,
                building_number: u(r.get(2)?),
                dwelling_number: u(r.get(3)?),
                household_number: r.get::<_, Option<i64>>(4)?.map(u),
                head_name: r.get(5)?,
                decision: HistoryDecision {
                    revision: u64::try_from(r.get::<_, i64>(6)?).unwrap_or(0),
                    decision: r.get(7)?,
                    comment: r.get(8)?,
                    at: r.get(9)?,
                    reviewer: r.get(10)?,
                    reviewer_role: r.get(11)?,
                    revision_read: r
                        .get::<_, Option<i64>>(12)?
                        .and_then(|v| u64::try_from(v).ok()),
                },
            },
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, mut placed) = row?;
        placed.case_id = Uuid::parse_str(&id)?;
        out.push(placed);
    }
    Ok(out)
}
