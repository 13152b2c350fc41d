//! The SQLite schema and row readers.

use census_core::sampling::SamplingPlan;
use rusqlite::Row;
use uuid::Uuid;

use crate::store::packed::StoredJson;
use crate::store::{District, StoreError, StoredCase};

/// Tables, created when missing. Ids are text (UUIDs hyphenated), JSON is text. Events are
/// kept as one JSON array per case revision, holding only events newer than the case's
/// `last_seq` (so a resent event is never stored twice).
pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS districts (
  district_id TEXT PRIMARY KEY, control_sector TEXT NOT NULL, supervision_zone TEXT NOT NULL,
  commune TEXT NOT NULL, province TEXT NOT NULL, region TEXT NOT NULL,
  expected_buildings INTEGER NOT NULL, expected_dwellings INTEGER NOT NULL,
  expected_households INTEGER NOT NULL, rate_per_mille INTEGER NOT NULL,
  random_start INTEGER NOT NULL, take_all INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS enrolment_codes (
  code_hash BLOB PRIMARY KEY, enumerator_id TEXT NOT NULL, districts TEXT NOT NULL,
  created_at TEXT NOT NULL, used_by TEXT);
CREATE TABLE IF NOT EXISTS devices (
  device_id TEXT PRIMARY KEY, enumerator_id TEXT NOT NULL, public_key BLOB NOT NULL,
  token_hash BLOB NOT NULL UNIQUE, districts TEXT NOT NULL, enrolled_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS batches (
  batch_id TEXT PRIMARY KEY, device_id TEXT NOT NULL, received_at TEXT NOT NULL,
  case_count INTEGER NOT NULL, reply TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cases (
  case_id TEXT PRIMARY KEY, revision INTEGER NOT NULL, district_id TEXT NOT NULL,
  building_number INTEGER NOT NULL, dwelling_number INTEGER NOT NULL, household_number INTEGER,
  questionnaire_id TEXT NOT NULL, questionnaire_version TEXT NOT NULL, status TEXT NOT NULL,
  long_form TEXT, case_json TEXT NOT NULL, updated_at TEXT NOT NULL, device_id TEXT NOT NULL,
  batch_id TEXT NOT NULL, received_at TEXT NOT NULL, last_seq INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS cases_by_district ON cases (district_id);
CREATE TABLE IF NOT EXISTS case_events (
  case_id TEXT NOT NULL, revision INTEGER NOT NULL, event_count INTEGER NOT NULL,
  events TEXT NOT NULL, PRIMARY KEY (case_id, revision)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reviews (
  cursor INTEGER PRIMARY KEY AUTOINCREMENT, case_id TEXT NOT NULL, revision INTEGER NOT NULL,
  decision TEXT NOT NULL, comment TEXT NOT NULL, at TEXT NOT NULL);
";

/// Migration 6: `case_events` as a rowid table. Its rows are large (a revision's events,
/// tens of kB); in a `WITHOUT ROWID` table they lived in the key's B-tree, so each random
/// case id split and rewrote leaves scattered over the file, more of them as the database
/// grew. Now the arrays are appended in insertion order and the key lives in a small index.
pub const CASE_EVENTS_BY_ROWID: &str = "
CREATE TABLE case_events_by_rowid (
  case_id TEXT NOT NULL, revision INTEGER NOT NULL, event_count INTEGER NOT NULL,
  events TEXT NOT NULL, PRIMARY KEY (case_id, revision));
INSERT INTO case_events_by_rowid (case_id, revision, event_count, events)
  SELECT case_id, revision, event_count, events FROM case_events;
DROP TABLE case_events;
ALTER TABLE case_events_by_rowid RENAME TO case_events;
";

/// Reads a `SELECT * FROM districts` row.
pub fn district_from_row(r: &Row<'_>) -> rusqlite::Result<District> {
    Ok(District {
        district_id: r.get(0)?,
        control_sector: r.get(1)?,
        supervision_zone: r.get(2)?,
        commune: r.get(3)?,
        province: r.get(4)?,
        region: r.get(5)?,
        expected_buildings: r.get(6)?,
        expected_dwellings: r.get(7)?,
        expected_households: r.get(8)?,
        sampling: SamplingPlan {
            rate_per_mille: r.get(9)?,
            random_start: r.get(10)?,
            take_all: r.get(11)?,
        },
    })
}

/// Reads a case row (columns as in `SqliteStore::cases_page`).
pub fn stored_case_from_row(r: &Row<'_>) -> rusqlite::Result<Result<StoredCase, StoreError>> {
    let case_id: String = r.get(0)?;
    let revision: i64 = r.get(1)?;
    let long_form: Option<String> = r.get(9)?;
    let case_json: StoredJson = r.get(10)?;
    let parsed = (|| {
        Ok(StoredCase {
            case_id: Uuid::parse_str(&case_id)?,
            revision: revision as u64,
            district_id: r.get(2)?,
            building_number: r.get(3)?,
            dwelling_number: r.get(4)?,
            household_number: r.get(5)?,
            questionnaire_id: r.get(6)?,
            questionnaire_version: r.get(7)?,
            status: r.get(8)?,
            long_form: long_form
                .map(|s| serde_json::from_str(&s))
                .transpose()
                .map_err(|e| {
                    StoreError::Backend(format!(
                        "case {case_id}: its stored long-form decision cannot be read: {e}"
                    ))
                })?,
            case: case_json.value().map_err(|e| {
                StoreError::Backend(format!(
                    "case {case_id}: its stored JSON cannot be read: {e}"
                ))
            })?,
            updated_at: r.get(11)?,
            device_id: r.get(12)?,
        })
    })();
    Ok(parsed)
}
