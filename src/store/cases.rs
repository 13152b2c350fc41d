//! Cases: creation, status, visits, listing and loading.

use chrono::NaiveDateTime;
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};
use serde_json::json;

use super::events::{self, Change};
use super::{
    CaseId, CaseMeta, CaseStatus, Confirmation, EventContext, NewCase, Revision, Store, StoreError,
    StoredCase, now_text, parse_time,
};

const META_COLUMNS: &str = "case_id, questionnaire_id, questionnaire_version, district_id,
    building_no, dwelling_no, household_no, status, revisit_at, visits, long_form, created_at,
    updated_at, revision";

const REVISIT_FORMAT: &str = "%Y-%m-%dT%H:%M";

fn meta_from_row(r: &Row<'_>) -> rusqlite::Result<RawMeta> {
    Ok(RawMeta {
        case_id: r.get(0)?,
        questionnaire_id: r.get(1)?,
        questionnaire_version: r.get(2)?,
        district_id: r.get(3)?,
        building_no: r.get(4)?,
        dwelling_no: r.get(5)?,
        household_no: r.get(6)?,
        status: r.get(7)?,
        revisit_at: r.get(8)?,
        visits: r.get(9)?,
        long_form: r.get(10)?,
        created_at: r.get(11)?,
        updated_at: r.get(12)?,
        revision: r.get(13)?,
    })
}

struct RawMeta {
    case_id: String,
    questionnaire_id: String,
    questionnaire_version: String,
    district_id: String,
    building_no: u32,
    dwelling_no: u32,
    household_no: u32,
    status: String,
    revisit_at: Option<String>,
    visits: u32,
    long_form: bool,
    created_at: String,
    updated_at: String,
    revision: i64,
}

impl RawMeta {
    fn into_meta(self) -> Result<CaseMeta, StoreError> {
        let bad = |what: &str, text: &str| StoreError::Corrupted(format!("stored {what} {text:?}"));
        Ok(CaseMeta {
            case_id: self
                .case_id
                .parse()
                .map_err(|_| bad("case id", &self.case_id))?,
            questionnaire_id: self.questionnaire_id,
            questionnaire_version: self.questionnaire_version,
            district_id: self.district_id,
            building_no: self.building_no,
            dwelling_no: self.dwelling_no,
            household_no: self.household_no,
            status: CaseStatus::parse(&self.status).ok_or_else(|| bad("status", &self.status))?,
            revisit_at: self
                .revisit_at
                .map(|t| {
                    NaiveDateTime::parse_from_str(&t, REVISIT_FORMAT)
                        .map_err(|_| bad("revisit time", &t))
                })
                .transpose()?,
            visits: self.visits,
            long_form: self.long_form,
            created_at: parse_time(&self.created_at)?,
            updated_at: parse_time(&self.updated_at)?,
            revision: Revision(self.revision),
        })
    }
}

pub(super) fn revisit_text(time: NaiveDateTime) -> String {
    time.format(REVISIT_FORMAT).to_string()
}

impl Store {
    /// Creates a household case (status not started, revision 1) and queues it for sending.
    ///
    /// Its id is a time-ordered UUID (version 7: the creation time in milliseconds, then
    /// random bits; later cases of this tablet sort after earlier ones while its clock runs
    /// forward). The office's indexes on case ids then grow at their end as cases arrive,
    /// instead of dirtying a leaf anywhere in the tree for each household (version 4), which
    /// made the office's writes per household grow with its database. A clock set back only
    /// costs that locality: ids stay unique (their random bits). The creation time is already in
    /// the case's events.
    pub fn create_case(&mut self, new: &NewCase, ctx: &EventContext) -> Result<CaseId, StoreError> {
        let case_id = CaseId(uuid::Uuid::now_v7());
        let id = case_id.to_string();
        let now = now_text();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.prepare_cached(
            "INSERT INTO cases (case_id, questionnaire_id, questionnaire_version, district_id,
                 building_no, dwelling_no, household_no, status, revisit_at, visits, long_form,
                 created_at, updated_at, revision)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'not_started', NULL, 0, ?8, ?9, ?9, 1)",
        )?
        .execute(params![
            id,
            new.questionnaire_id,
            new.questionnaire_version,
            new.district_id,
            new.building_no,
            new.dwelling_no,
            new.household_no,
            new.long_form,
            now,
        ])?;
        let created = json!({
            "questionnaire_id": new.questionnaire_id,
            "questionnaire_version": new.questionnaire_version,
            "district_id": new.district_id,
            "building_no": new.building_no,
            "dwelling_no": new.dwelling_no,
            "household_no": new.household_no,
            "long_form": new.long_form,
        });
        let change = Change {
            kind: "case_created",
            row_path: None,
            item_id: None,
            old: None,
            new: Some(created.to_string()),
        };
        events::append(&tx, &id, &now, change, ctx)?;
        events::enqueue(&tx, &id, 1, &now)?;
        tx.commit()?;
        Ok(case_id)
    }

    /// Sets the case's status. `revisit` (a local appointment time) is only accepted with
    /// [`CaseStatus::Absent`]. Completing a case also checkpoints the WAL.
    pub fn set_status(
        &mut self,
        case_id: CaseId,
        status: CaseStatus,
        revisit: Option<NaiveDateTime>,
        ctx: &EventContext,
    ) -> Result<Revision, StoreError> {
        if revisit.is_some() && status != CaseStatus::Absent {
            return Err(StoreError::Invalid(
                "a revisit appointment can only be set for an absent household".into(),
            ));
        }
        let id = case_id.to_string();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let old: Option<(String, Option<String>)> = tx
            .prepare_cached("SELECT status, revisit_at FROM cases WHERE case_id = ?1")?
            .query_row([&id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (old_status, old_revisit) =
            old.ok_or_else(|| StoreError::NotFound(format!("case {case_id}")))?;
        let new_revisit = revisit.map(revisit_text);
        tx.prepare_cached("UPDATE cases SET status = ?2, revisit_at = ?3 WHERE case_id = ?1")?
            .execute(params![id, status.as_str(), new_revisit])?;
        let change = Change {
            kind: "status_changed",
            row_path: None,
            item_id: None,
            old: Some(json!({"status": old_status, "revisit_at": old_revisit}).to_string()),
            new: Some(json!({"status": status.as_str(), "revisit_at": new_revisit}).to_string()),
        };
        let revision = events::record(&tx, case_id, change, ctx, false)?;
        tx.commit()?;
        if status == CaseStatus::Complete {
            self.checkpoint()?;
        }
        Ok(revision)
    }

    /// Counts a new visit to the household (opening the case on another day or attempt).
    pub fn start_visit(
        &mut self,
        case_id: CaseId,
        ctx: &EventContext,
    ) -> Result<Revision, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let visits: Option<u32> = tx
            .prepare_cached(
                "UPDATE cases SET visits = visits + 1 WHERE case_id = ?1 RETURNING visits",
            )?
            .query_row([case_id.to_string()], |r| r.get(0))
            .optional()?;
        let visits = visits.ok_or_else(|| StoreError::NotFound(format!("case {case_id}")))?;
        let change = Change {
            kind: "visit_started",
            row_path: None,
            item_id: None,
            old: None,
            new: Some(visits.to_string()),
        };
        let revision = events::record(&tx, case_id, change, ctx, false)?;
        tx.commit()?;
        Ok(revision)
    }

    /// One case's metadata.
    pub fn case_meta(&self, case_id: CaseId) -> Result<CaseMeta, StoreError> {
        let raw = self
            .conn
            .prepare_cached(&format!(
                "SELECT {META_COLUMNS} FROM cases WHERE case_id = ?1"
            ))?
            .query_row([case_id.to_string()], meta_from_row)
            .optional()?;
        raw.ok_or_else(|| StoreError::NotFound(format!("case {case_id}")))?
            .into_meta()
    }

    /// The district's cases, by building, dwelling and household number.
    pub fn list_cases(&self, district_id: &str) -> Result<Vec<CaseMeta>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {META_COLUMNS} FROM cases WHERE district_id = ?1
             ORDER BY building_no, dwelling_no, household_no, created_at"
        ))?;
        let rows = stmt.query_map([district_id], meta_from_row)?;
        rows.map(|r| r.map_err(StoreError::from)?.into_meta())
            .collect()
    }

    /// Everything stored for a case: metadata, roster rows, answers and confirmations.
    pub fn load_case(&self, case_id: CaseId) -> Result<StoredCase, StoreError> {
        let meta = self.case_meta(case_id)?;
        let id = case_id.to_string();
        let rows = self
            .conn
            .prepare_cached(
                "SELECT row_path, position FROM roster_rows WHERE case_id = ?1
                 ORDER BY row_path, position",
            )?
            .query_map([&id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
            .map(|r| {
                let (path, position) = r?;
                let position = usize::try_from(position).map_err(|_| {
                    StoreError::Corrupted(format!("negative row position for {path}"))
                })?;
                Ok((path, position))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let answers = self
            .conn
            .prepare_cached(
                "SELECT row_path, item_id, value FROM answers WHERE case_id = ?1
                 ORDER BY row_path, item_id",
            )?
            .query_map([&id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .map(|r| {
                let (path, item, value) = r?;
                Ok((path, item, serde_json::from_str(&value)?))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let confirmations = self
            .conn
            .prepare_cached(
                "SELECT row_path, check_id, note FROM confirmations WHERE case_id = ?1
                 ORDER BY row_path, check_id",
            )?
            .query_map([&id], |r| {
                Ok(Confirmation {
                    row_path: r.get(0)?,
                    check_id: r.get(1)?,
                    note: r.get(2)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(StoredCase {
            meta,
            rows,
            answers,
            confirmations,
        })
    }
}
