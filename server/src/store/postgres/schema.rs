//! The PostgreSQL schema (applied by `migrations` under an advisory lock, so that concurrent
//! starts do not race) and the case statements.

/// Tables, created when missing (part of migration 1).
pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS districts (
  district_id TEXT PRIMARY KEY, control_sector TEXT NOT NULL, supervision_zone TEXT NOT NULL,
  commune TEXT NOT NULL, province TEXT NOT NULL, region TEXT NOT NULL,
  expected_buildings BIGINT NOT NULL, expected_dwellings BIGINT NOT NULL,
  expected_households BIGINT NOT NULL, rate_per_mille INTEGER NOT NULL,
  random_start INTEGER NOT NULL, take_all BOOLEAN NOT NULL);
CREATE TABLE IF NOT EXISTS enrolment_codes (
  code_hash BYTEA PRIMARY KEY, enumerator_id TEXT NOT NULL, districts JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(), used_by TEXT);
CREATE TABLE IF NOT EXISTS devices (
  device_id TEXT PRIMARY KEY, enumerator_id TEXT NOT NULL, public_key BYTEA NOT NULL,
  token_hash BYTEA NOT NULL UNIQUE, districts JSONB NOT NULL,
  enrolled_at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS batches (
  batch_id UUID PRIMARY KEY, device_id TEXT NOT NULL,
  received_at TIMESTAMPTZ NOT NULL DEFAULT now(), case_count BIGINT NOT NULL, reply JSONB);
CREATE TABLE IF NOT EXISTS cases (
  case_id UUID PRIMARY KEY, revision BIGINT NOT NULL, district_id TEXT NOT NULL,
  building_number BIGINT NOT NULL, dwelling_number BIGINT NOT NULL, household_number BIGINT,
  questionnaire_id TEXT NOT NULL, questionnaire_version TEXT NOT NULL, status TEXT NOT NULL,
  long_form JSONB, case_json JSONB NOT NULL, updated_at TEXT NOT NULL, device_id TEXT NOT NULL,
  batch_id UUID NOT NULL, received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_seq BIGINT NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS cases_by_district ON cases (district_id);
CREATE TABLE IF NOT EXISTS case_events (
  case_id UUID NOT NULL, revision BIGINT NOT NULL, event_count BIGINT NOT NULL,
  events JSONB NOT NULL, PRIMARY KEY (case_id, revision));
CREATE TABLE IF NOT EXISTS reviews (
  cursor BIGSERIAL PRIMARY KEY, case_id UUID NOT NULL, revision BIGINT NOT NULL,
  decision TEXT NOT NULL, comment TEXT NOT NULL, at TEXT NOT NULL);
";

/// Upsert of a case at a newer revision, only over a case of the device's districts
/// (`$15`, text array) that belongs to the sending device (`$13`), and only by a step of at
/// most `$17` (`validate::ownership::MAX_REVISION_STEP`; also the highest first revision);
/// `$16` is the highest event seq sent and `$18` the lowest (0 without events): a log that
/// starts after the stored `last_seq` + 1 is not written (the device is asked for it). Returns the case's previous `last_seq` (0 for a new
/// case), or no row when nothing was written.
pub const UPSERT_CASE: &str = "
WITH old AS (SELECT last_seq FROM cases WHERE case_id = $1)
INSERT INTO cases (case_id, revision, district_id, building_number, dwelling_number,
  household_number, questionnaire_id, questionnaire_version, status, long_form, case_json,
  updated_at, device_id, batch_id, last_seq)
SELECT $1::uuid, $2::bigint, $3::text, $4::bigint, $5::bigint, $6::bigint, $7::text,
  $8::text, $9::text, $10::jsonb, $11::bytea, $12::text, $13::text, $14::uuid, $16::bigint
WHERE ($2::bigint <= $17::bigint OR EXISTS (SELECT 1 FROM old))
  AND $18::bigint <= COALESCE((SELECT last_seq FROM old), 0) + 1
ON CONFLICT (case_id) DO UPDATE SET revision = excluded.revision,
  district_id = excluded.district_id, building_number = excluded.building_number,
  dwelling_number = excluded.dwelling_number, household_number = excluded.household_number,
  questionnaire_id = excluded.questionnaire_id,
  questionnaire_version = excluded.questionnaire_version, status = excluded.status,
  long_form = excluded.long_form, case_json = excluded.case_json,
  updated_at = excluded.updated_at, device_id = excluded.device_id,
  batch_id = excluded.batch_id, received_at = now(),
  last_seq = GREATEST(cases.last_seq, excluded.last_seq)
WHERE cases.revision < excluded.revision
  AND excluded.revision - cases.revision <= $17::bigint
  AND cases.district_id = ANY($15) AND cases.device_id = excluded.device_id
RETURNING COALESCE((SELECT last_seq FROM old), 0)";

/// Inserts the new events of a case revision as one JSON array.
pub const INSERT_EVENTS: &str = "
INSERT INTO case_events (case_id, revision, event_count, events) VALUES ($1, $2, $3, $4)
ON CONFLICT DO NOTHING";

/// Inserts or updates a district (keeping its random start once drawn).
pub const UPSERT_DISTRICT: &str = "
INSERT INTO districts (district_id, control_sector, supervision_zone, commune, province,
  region, expected_buildings, expected_dwellings, expected_households, rate_per_mille,
  random_start, take_all)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (district_id) DO UPDATE SET control_sector = excluded.control_sector,
  supervision_zone = excluded.supervision_zone, commune = excluded.commune,
  province = excluded.province, region = excluded.region,
  expected_buildings = excluded.expected_buildings,
  expected_dwellings = excluded.expected_dwellings,
  expected_households = excluded.expected_households,
  rate_per_mille = excluded.rate_per_mille, take_all = excluded.take_all";

/// Columns read for a stored case.
pub const CASE_COLUMNS: &str = "case_id, revision, district_id, building_number,
  dwelling_number, household_number, questionnaire_id, questionnaire_version, status,
  long_form, case_json, updated_at, device_id";
