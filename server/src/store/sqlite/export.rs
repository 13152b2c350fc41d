//! SQLite queries that page through stored cases (`census-server export`, `--since`), what
//! the typed export reads beside a page of cases, and review decisions (a device's
//! download).

use std::collections::HashMap;

use census_core::wire::ReviewDecision;
use rusqlite::{Connection, params};
use uuid::Uuid;

use super::json_list;
use super::rows::stored_case_from_row;
use crate::store::packed::StoredJson;
use crate::store::{CaseRecords, HistoryDecision, RevisionEvents, StoreError, StoredCase};

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

/// Stored cases by case id after `after`, at most `limit`.
pub fn cases_page(
    conn: &Connection,
    after: Option<Uuid>,
    limit: u32,
) -> Result<Vec<StoredCase>, StoreError> {
    let after = after.map(|u| u.to_string()).unwrap_or_default();
    let mut st = conn.prepare_cached(
        "SELECT case_id, revision, district_id, building_number, dwelling_number,
               household_number, questionnaire_id, questionnaire_version, status,
               long_form, case_json, updated_at, device_id
             FROM cases WHERE case_id > ?1 ORDER BY case_id LIMIT ?2",
    )?;
    let rows = st.query_map(params![after, limit], stored_case_from_row)?;
    let mut out = Vec::new();
    for r in rows {
        out.push(r??);
    }
    Ok(out)
}

/// Review decisions after cursor `since` on cases of `districts`, at most `limit`.
pub fn reviews_since(
    conn: &Connection,
    districts: &[String],
    since: u64,
    limit: u32,
) -> Result<Vec<ReviewDecision>, StoreError> {
    // A cursor beyond what SQLite's integers hold must not wrap to -1 ("everything").
    let since = i64::try_from(since).unwrap_or(i64::MAX);
    let mut st = conn.prepare_cached(
        "SELECT r.cursor, r.case_id, r.revision, r.decision, r.comment, r.at
             FROM reviews r JOIN cases c ON c.case_id = r.case_id
             WHERE r.cursor > ?1
               AND c.district_id IN (SELECT value FROM json_each(?2))
             ORDER BY r.cursor LIMIT ?3",
    )?;
    let rows = st.query_map(params![since, json_list(districts)?, limit], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (cursor, case_id, revision, decision, comment, at) = row?;
        out.push(ReviewDecision {
            cursor: cursor as u64,
            case_id: Uuid::parse_str(&case_id)?,
            revision: revision as u64,
            decision: decision.parse()?,
            comment,
            at,
        });
    }
    Ok(out)
}

/// The revisions' events and the decisions of the cases `case_ids`, by case (a case with
/// neither is absent): one query each for the whole page.
pub fn case_records(
    conn: &Connection,
    case_ids: &[Uuid],
) -> Result<HashMap<Uuid, CaseRecords>, StoreError> {
    let mut out: HashMap<Uuid, CaseRecords> = HashMap::new();
    if case_ids.is_empty() {
        return Ok(out);
    }
    let ids: Vec<String> = case_ids.iter().map(Uuid::to_string).collect();
    let ids = json_list(&ids)?;
    let mut st = conn.prepare_cached(
        "SELECT case_id, revision, events FROM case_events
             WHERE case_id IN (SELECT value FROM json_each(?1)) ORDER BY case_id, revision",
    )?;
    let rows = st.query_map([&ids], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, StoredJson>(2)?,
        ))
    })?;
    for row in rows {
        let (id, revision, events) = row?;
        out.entry(Uuid::parse_str(&id)?)
            .or_default()
            .revisions
            .push(RevisionEvents {
                revision: revision as u64,
                events: events.value()?,
            });
    }
    let mut st = conn.prepare_cached(
        "SELECT case_id, revision, decision, comment, at, reviewer, reviewer_role,
               revision_read
             FROM reviews WHERE case_id IN (SELECT value FROM json_each(?1))
             ORDER BY case_id, cursor",
    )?;
    let rows = st.query_map([&ids], |r| {
        Ok((
            r.get::<_, String>(0)?,
            HistoryDecision {
                revision: r.get::<_, i64>(1)? as u64,
                decision: r.get(2)?,
                comment: r.get(3)?,
                at: r.get(4)?,
                reviewer: r.get(5)?,
                reviewer_role: r.get(6)?,
                revision_read: r.get::<_, Option<i64>>(7)?.map(|v| v as u64),
            },
        ))
    })?;
    for row in rows {
        let (id, decision) = row?;
        out.entry(Uuid::parse_str(&id)?)
            .or_default()
            .decisions
            .push(decision);
    }
    Ok(out)
}
