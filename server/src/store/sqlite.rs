//! SQLite storage: one file, one connection behind a mutex, work on tokio's blocking pool.
//! (The workspace's rusqlite is built with SQLCipher; without a key it is plain SQLite.)

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use census_core::coverage::publish::Centroid;
use census_core::coverage::{CoverageRules, Gathered, Level};

use census_core::wire::ReviewDecision;
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use super::coverage_sql as q;
use super::{
    CaseHistory, Counts, DeviceRecord, District, DistrictExtent, FrameBuildingRow, Ingested,
    MapPoint, NewCode, NewDevice, NewReview, NewReviewer, QueueEntry, Reviewer, Scope, Storage,
    StoreError, StoreFuture, StoredCase, parse_decision,
};
use crate::incoming::IncomingBatch;
use crate::store::sqlite_checkpoint::{self, WRITER_AUTOCHECKPOINT_PAGES};
use crate::store::sqlite_coverage::{self, sqlite_params};
use crate::store::sqlite_rows::{SCHEMA, district_from_row, stored_case_from_row};
use crate::store::{sqlite_identity, sqlite_ingest, sqlite_summaries};

fn be(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339()
}

fn json_list(v: &[String]) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(be)
}

/// The SQLite store.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    /// Keeps the background checkpoint thread running while a clone of the store exists.
    _alive: Arc<()>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path` and its tables.
    pub fn open(path: &str) -> Result<SqliteStore, StoreError> {
        crate::private_files::prepare_sqlite_file(path).map_err(StoreError::Backend)?;
        let conn = Connection::open(path).map_err(be)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(be)?;
        conn.execute_batch(SCHEMA).map_err(be)?;
        conn.execute_batch(&sqlite_coverage::tables()).map_err(be)?;
        sqlite_summaries::migrate(&conn)?;
        sqlite_identity::migrate(&conn)?;
        conn.pragma_update(None, "wal_autocheckpoint", WRITER_AUTOCHECKPOINT_PAGES)
            .map_err(be)?;
        let alive = Arc::new(());
        sqlite_checkpoint::start(path, &alive).map_err(StoreError::Backend)?;
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
            _alive: alive,
        })
    }

    /// Runs `f` on the connection without copying its inputs: in place on a multi-thread
    /// runtime (`block_in_place`), inline otherwise.
    fn run_ref<'a, T, F>(&'a self, f: F) -> StoreFuture<'a, T>
    where
        T: Send + 'a,
        F: FnOnce(&Mutex<Connection>) -> Result<T, StoreError> + Send + 'a,
    {
        Box::pin(async move {
            let work = || f(&self.conn);
            match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
                Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(work),
                _ => work(),
            }
        })
    }

    fn run<T, F>(&self, f: F) -> StoreFuture<'static, T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let mut guard = conn
                    .lock()
                    .map_err(|_| StoreError::Backend("connection lock poisoned".into()))?;
                f(&mut guard)
            })
            .await
            .map_err(|e| StoreError::Backend(format!("database task failed: {e}")))?
        })
    }
}

fn lock(conn: &Mutex<Connection>) -> Result<std::sync::MutexGuard<'_, Connection>, StoreError> {
    conn.lock()
        .map_err(|_| StoreError::Backend("connection lock poisoned".into()))
}

impl Storage for SqliteStore {
    fn kind(&self) -> &'static str {
        "sqlite"
    }

    fn import_districts<'a>(&'a self, districts: &'a [District]) -> StoreFuture<'a, usize> {
        let districts = districts.to_vec();
        self.run(move |conn| {
            let tx = conn.transaction().map_err(be)?;
            {
                let mut st = tx
                    .prepare(
                        "INSERT INTO districts (district_id, control_sector, supervision_zone,
                           commune, province, region, expected_buildings, expected_dwellings,
                           expected_households, rate_per_mille, random_start, take_all)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                         ON CONFLICT (district_id) DO UPDATE SET
                           control_sector = excluded.control_sector,
                           supervision_zone = excluded.supervision_zone,
                           commune = excluded.commune, province = excluded.province,
                           region = excluded.region,
                           expected_buildings = excluded.expected_buildings,
                           expected_dwellings = excluded.expected_dwellings,
                           expected_households = excluded.expected_households,
                           rate_per_mille = excluded.rate_per_mille,
                           take_all = excluded.take_all",
                    )
                    .map_err(be)?;
                for d in &districts {
                    st.execute(params![
                        d.district_id,
                        d.control_sector,
                        d.supervision_zone,
                        d.commune,
                        d.province,
                        d.region,
                        d.expected_buildings,
                        d.expected_dwellings,
                        d.expected_households,
                        d.sampling.rate_per_mille,
                        d.sampling.random_start,
                        d.sampling.take_all
                    ])
                    .map_err(be)?;
                }
            }
            let ids: Vec<String> = districts.iter().map(|d| d.district_id.clone()).collect();
            sqlite_summaries::refresh(&tx, &Scope::Districts(ids))?;
            tx.commit().map_err(be)?;
            Ok(districts.len())
        })
    }

    fn add_enrolment_code<'a>(&'a self, code: &'a NewCode) -> StoreFuture<'a, ()> {
        let code = code.clone();
        self.run(move |conn| {
            conn.execute(
                "INSERT INTO enrolment_codes (code_hash, enumerator_id, districts, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    &code.code_hash[..],
                    code.enumerator_id,
                    json_list(&code.districts)?,
                    now()
                ],
            )
            .map_err(be)?;
            Ok(())
        })
    }

    fn enrol<'a>(&'a self, device: &'a NewDevice) -> StoreFuture<'a, DeviceRecord> {
        let device = device.clone();
        self.run(move |conn| sqlite_identity::enrol_tx(conn, &device))
    }

    fn revoke_device<'a>(&'a self, device_id: &'a str) -> StoreFuture<'a, bool> {
        self.run_ref(move |conn| sqlite_identity::revoke_device(&*lock(conn)?, device_id))
    }

    fn revoke_reviewer<'a>(&'a self, name: &'a str) -> StoreFuture<'a, u64> {
        self.run_ref(move |conn| sqlite_identity::revoke_reviewer(&*lock(conn)?, name))
    }

    fn device_by_token<'a>(
        &'a self,
        token_hash: &'a [u8; 32],
    ) -> StoreFuture<'a, Option<DeviceRecord>> {
        let hash = *token_hash;
        self.run(move |conn| {
            let row: Option<(String, String, Vec<u8>, String)> = conn
                .prepare_cached(
                    "SELECT device_id, enumerator_id, public_key, districts FROM devices
                     WHERE token_hash = ?1 AND revoked_at IS NULL",
                )
                .map_err(be)?
                .query_row([&hash[..]], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()
                .map_err(be)?;
            row.map(|(device_id, enumerator_id, public_key, districts)| {
                Ok(DeviceRecord {
                    device_id,
                    enumerator_id,
                    public_key,
                    districts: serde_json::from_str(&districts).map_err(be)?,
                })
            })
            .transpose()
        })
    }

    fn districts<'a>(&'a self, ids: &'a [String]) -> StoreFuture<'a, Vec<District>> {
        let ids = ids.to_vec();
        self.run(move |conn| {
            let mut st = conn
                .prepare_cached(
                    "SELECT * FROM districts WHERE district_id IN (SELECT value FROM json_each(?1))
                     ORDER BY district_id",
                )
                .map_err(be)?;
            let rows = st
                .query_map([json_list(&ids)?], district_from_row)
                .map_err(be)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(be)
        })
    }

    fn ingest_incoming<'a>(
        &'a self,
        device: &'a DeviceRecord,
        payload: &'a IncomingBatch,
        accepted: &'a [(String, String)],
    ) -> StoreFuture<'a, Ingested> {
        self.run_ref(move |conn| {
            let long_forms = payload
                .cases
                .iter()
                .map(sqlite_ingest::long_form_text)
                .collect::<Result<Vec<_>, _>>()?;
            sqlite_ingest::ingest_tx(&mut *lock(conn)?, &long_forms, device, payload, accepted)
        })
    }

    fn reassign_case<'a>(
        &'a self,
        case_id: Uuid,
        to_device: &'a str,
    ) -> StoreFuture<'a, super::reassign::ReassignResult> {
        let to_device = to_device.to_owned();
        self.run(move |conn| super::reassign::sqlite(conn, case_id, &to_device, &now()))
    }

    fn record_review<'a>(&'a self, review: &'a NewReview) -> StoreFuture<'a, u64> {
        self.run_ref(move |conn| sqlite_identity::record_review(&mut *lock(conn)?, review))
    }

    fn reviews_since<'a>(
        &'a self,
        districts: &'a [String],
        since: u64,
        limit: u32,
    ) -> StoreFuture<'a, Vec<ReviewDecision>> {
        let districts = districts.to_vec();
        // A cursor beyond what SQLite's integers hold must not wrap to -1 ("everything").
        let since = i64::try_from(since).unwrap_or(i64::MAX);
        self.run(move |conn| {
            let mut st = conn
                .prepare_cached(
                    "SELECT r.cursor, r.case_id, r.revision, r.decision, r.comment, r.at
                     FROM reviews r JOIN cases c ON c.case_id = r.case_id
                     WHERE r.cursor > ?1
                       AND c.district_id IN (SELECT value FROM json_each(?2))
                     ORDER BY r.cursor LIMIT ?3",
                )
                .map_err(be)?;
            let rows = st
                .query_map(params![since, json_list(&districts)?, limit], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                    ))
                })
                .map_err(be)?;
            let mut out = Vec::new();
            for row in rows {
                let (cursor, case_id, revision, decision, comment, at) = row.map_err(be)?;
                out.push(ReviewDecision {
                    cursor: cursor as u64,
                    case_id: Uuid::parse_str(&case_id).map_err(be)?,
                    revision: revision as u64,
                    decision: parse_decision(&decision)?,
                    comment,
                    at,
                });
            }
            Ok(out)
        })
    }

    fn cases_page<'a>(
        &'a self,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreFuture<'a, Vec<StoredCase>> {
        self.run(move |conn| {
            let after = after.map(|u| u.to_string()).unwrap_or_default();
            let mut st = conn
                .prepare_cached(
                    "SELECT case_id, revision, district_id, building_number, dwelling_number,
                       household_number, questionnaire_id, questionnaire_version, status,
                       long_form, case_json, updated_at, device_id
                     FROM cases WHERE case_id > ?1 ORDER BY case_id LIMIT ?2",
                )
                .map_err(be)?;
            let rows = st
                .query_map(params![after, limit], stored_case_from_row)
                .map_err(be)?;
            let mut out = Vec::new();
            for r in rows {
                out.push(r.map_err(be)??);
            }
            Ok(out)
        })
    }

    fn cases_received_page<'a>(
        &'a self,
        since: &'a str,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreFuture<'a, Vec<StoredCase>> {
        let since = since.to_owned();
        self.run(move |conn| {
            crate::store::export_sqlite::cases_received_page(conn, &since, after, limit)
        })
    }

    fn counts(&self) -> StoreFuture<'_, Counts> {
        self.run(|conn| {
            let count = |table: &str| -> Result<u64, StoreError> {
                conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
                    r.get::<_, i64>(0)
                })
                .map(|n| n as u64)
                .map_err(be)
            };
            Ok(Counts {
                cases: count("cases")?,
                events: conn
                    .query_row(
                        "SELECT coalesce(sum(event_count), 0) FROM case_events",
                        [],
                        |r| r.get::<_, i64>(0),
                    )
                    .map(|n| n as u64)
                    .map_err(be)?,
                batches: count("batches")?,
            })
        })
    }

    fn import_extents<'a>(&'a self, extents: &'a [DistrictExtent]) -> StoreFuture<'a, usize> {
        let extents = extents.to_vec();
        self.run(move |conn| {
            let tx = conn.transaction().map_err(be)?;
            {
                let mut st = tx.prepare(&sqlite_params(q::UPSERT_EXTENT)).map_err(be)?;
                for e in &extents {
                    let b = e.bbox;
                    let boundary = e.boundary_json()?;
                    st.execute(params![
                        e.district_id,
                        b.lat_min,
                        b.lat_max,
                        b.lon_min,
                        b.lon_max,
                        boundary
                    ])
                    .map_err(be)?;
                }
            }
            let ids: Vec<String> = extents.iter().map(|e| e.district_id.clone()).collect();
            sqlite_summaries::refresh_outside(&tx, &Scope::Districts(ids))?;
            tx.commit().map_err(be)?;
            Ok(extents.len())
        })
    }

    fn import_frame_buildings<'a>(
        &'a self,
        buildings: &'a [FrameBuildingRow],
    ) -> StoreFuture<'a, usize> {
        let buildings = buildings.to_vec();
        self.run(move |conn| {
            let tx = conn.transaction().map_err(be)?;
            {
                let mut st = tx
                    .prepare(&sqlite_params(q::UPSERT_FRAME_BUILDING))
                    .map_err(be)?;
                for b in &buildings {
                    st.execute(params![
                        b.district_id,
                        b.building_number,
                        b.gps.map(|g| g.0),
                        b.gps.map(|g| g.1),
                        b.description
                    ])
                    .map_err(be)?;
                }
            }
            let mut ids: Vec<String> = buildings.iter().map(|b| b.district_id.clone()).collect();
            ids.sort();
            ids.dedup();
            sqlite_summaries::refresh(&tx, &Scope::Districts(ids))?;
            tx.commit().map_err(be)?;
            Ok(buildings.len())
        })
    }

    fn add_reviewer<'a>(&'a self, reviewer: &'a NewReviewer) -> StoreFuture<'a, ()> {
        let r = reviewer.clone();
        self.run(move |conn| {
            conn.execute(
                "INSERT INTO reviewers (token_hash, name, role, scope_level, scope_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    &r.token_hash[..],
                    r.name,
                    r.role.as_str(),
                    r.scope_level.as_str(),
                    r.scope_id,
                    now()
                ],
            )
            .map_err(be)?;
            Ok(())
        })
    }

    fn reviewer_by_token<'a>(
        &'a self,
        token_hash: &'a [u8; 32],
    ) -> StoreFuture<'a, Option<Reviewer>> {
        self.run_ref(move |conn| sqlite_coverage::reviewer_by_token(&*lock(conn)?, token_hash))
    }

    fn area_districts<'a>(&'a self, level: Level, id: &'a str) -> StoreFuture<'a, Vec<String>> {
        self.run_ref(move |conn| sqlite_coverage::area_districts(&*lock(conn)?, level, id))
    }

    fn gather_coverage<'a>(
        &'a self,
        scope: &'a Scope,
        rules: &'a CoverageRules,
    ) -> StoreFuture<'a, Gathered> {
        self.run_ref(move |conn| sqlite_coverage::gather(&*lock(conn)?, scope, rules))
    }

    fn rebuild_summaries(&self) -> StoreFuture<'_, ()> {
        self.run_ref(move |conn| sqlite_summaries::rebuild(&*lock(conn)?))
    }

    fn review_queue<'a>(
        &'a self,
        scope: &'a Scope,
        limit: u32,
    ) -> StoreFuture<'a, Vec<QueueEntry>> {
        self.run_ref(move |conn| sqlite_coverage::review_queue(&*lock(conn)?, scope, limit))
    }

    fn case_history(&self, case_id: Uuid) -> StoreFuture<'_, Option<CaseHistory>> {
        self.run_ref(move |conn| sqlite_coverage::case_history(&*lock(conn)?, case_id))
    }

    fn map_points<'a>(&'a self, scope: &'a Scope, limit: u32) -> StoreFuture<'a, Vec<MapPoint>> {
        self.run_ref(move |conn| sqlite_coverage::map_points(&*lock(conn)?, scope, limit))
    }

    fn centroids<'a>(&'a self, scope: &'a Scope) -> StoreFuture<'a, BTreeMap<String, Centroid>> {
        self.run_ref(move |conn| sqlite_coverage::centroids(&*lock(conn)?, scope))
    }
}
