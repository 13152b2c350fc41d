//! SQLite storage: one file, one connection behind a mutex (batches committed in groups,
//! `group_commit`), work on tokio's blocking pool.
//! (The workspace's rusqlite is built with SQLCipher; without a key it is plain SQLite.)

mod checkpoint;
pub(crate) mod coverage;
mod durability;
mod export;
mod group_commit;
pub(crate) mod identity;
mod ingest;
pub mod migrations;
mod office;
mod review_reads;
mod rows;
pub(crate) mod shared_state;
mod summaries;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use census_core::coverage::publish::Centroid;
use census_core::coverage::{CoverageRules, Gathered, Level};

use census_core::wire::ReviewDecision;
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use crate::incoming::IncomingBatch;
use crate::store::coverage_sql as q;
use crate::store::{
    CaseHistory, CaseRecords, Counts, DeviceRecord, District, DistrictExtent, FrameBuildingRow,
    Ingested, MapPoint, NewCode, NewDevice, NewPublication, NewReview, NewReviewer, PublishOutcome,
    PublishedSummary, QueueEntry, RecoveryKey, Reviewer, Scope, Storage, StoreError, StoreFuture,
    StoredCase,
};
use checkpoint::WRITER_AUTOCHECKPOINT_PAGES;
use coverage::sqlite_params;
pub use durability::Synchronous;
use group_commit::Writer;
use rows::district_from_row;

fn now() -> String {
    chrono::Utc::now().to_rfc3339()
}

fn json_list(v: &[String]) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(StoreError::from)
}

/// The writer's page cache: 64 MiB (a negative `cache_size` counts KiB).
const CACHE_KIB: i64 = -65_536;

/// Database bytes read through a memory map rather than copied by `read` (256 MiB).
const MMAP_BYTES: i64 = 268_435_456;

/// The SQLite store.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Writer>,
    /// A second connection for the question every request asks (who is this token?): it
    /// reads committed rows only, and neither waits for nor cuts short a commit group.
    reader: Arc<std::sync::Mutex<Connection>>,
    /// Keeps the background checkpoint thread running while a clone of the store exists.
    _alive: Arc<()>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path` and its tables, with every
    /// commit durable ([`Synchronous::Full`]): an acknowledged batch survives a power cut.
    pub fn open(path: &str) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with(path, Synchronous::Full)
    }

    /// [`SqliteStore::open`] with another commit durability: benchmarks use
    /// [`Synchronous::Normal`] as their same-run baseline. The server never does.
    pub fn open_with(path: &str, synchronous: Synchronous) -> Result<SqliteStore, StoreError> {
        crate::private_files::prepare_sqlite_file(path).map_err(StoreError::Backend)?;
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        durability::set(&conn, synchronous)?;
        migrations::migrate(&conn)?;
        summaries::rebuild_if_stale(&conn)?;
        conn.pragma_update(None, "wal_autocheckpoint", WRITER_AUTOCHECKPOINT_PAGES)?;
        // The writer keeps its working set (indexes of cases, facts, summaries) in memory
        // instead of re-reading pages from the OS at every batch (default: 2 MB).
        conn.pragma_update(None, "cache_size", CACHE_KIB)?;
        conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
        let reader = Connection::open(path)?;
        reader.busy_timeout(std::time::Duration::from_secs(10))?;
        reader.pragma_update(None, "query_only", true)?;
        let alive = Arc::new(());
        checkpoint::start(path, &alive).map_err(StoreError::Backend)?;
        Ok(SqliteStore {
            conn: Arc::new(Writer::new(conn)),
            reader: Arc::new(std::sync::Mutex::new(reader)),
            _alive: alive,
        })
    }

    /// The `synchronous` setting of the connection the store writes with.
    pub fn synchronous(&self) -> Result<Synchronous, StoreError> {
        durability::get(&*lock(&self.conn)?)
    }

    /// Runs `f` on the connection without copying its inputs: in place on a multi-thread
    /// runtime (`block_in_place`), inline otherwise.
    fn run_ref<'a, T, F>(&'a self, f: F) -> StoreFuture<'a, T>
    where
        T: Send + 'a,
        F: FnOnce(&Writer) -> Result<T, StoreError> + Send + 'a,
    {
        Box::pin(async move { in_place(|| f(&self.conn)) })
    }

    /// Runs `f` on the reading connection, in place as [`SqliteStore::run_ref`] does.
    fn run_read<'a, T, F>(&'a self, f: F) -> StoreFuture<'a, T>
    where
        T: Send + 'a,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'a,
    {
        Box::pin(async move {
            in_place(|| {
                let conn = self.reader.lock().map_err(|_| {
                    StoreError::Backend("the reading connection is unusable".into())
                })?;
                f(&conn)
            })
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
                let mut guard = conn.lock()?;
                f(&mut guard)
            })
            .await
            .map_err(|e| StoreError::Backend(format!("database task failed: {e}")))?
        })
    }
}

/// Runs blocking database work in place: through `block_in_place` on a multi-thread
/// runtime (the worker's other tasks move elsewhere), inline otherwise.
fn in_place<T>(work: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(work),
        _ => work(),
    }
}

/// The writer's connection for work other than a batch (see [`Writer::lock`]).
fn lock(conn: &Writer) -> Result<std::sync::MutexGuard<'_, Connection>, StoreError> {
    conn.lock()
}

impl Storage for SqliteStore {
    fn kind(&self) -> &'static str {
        "sqlite"
    }

    fn durability(&self) -> StoreFuture<'_, String> {
        self.run_ref(move |conn| {
            Ok(format!(
                "synchronous={}",
                durability::get(&*lock(conn)?)?.name()
            ))
        })
    }

    fn import_districts<'a>(&'a self, districts: &'a [District]) -> StoreFuture<'a, usize> {
        let districts = districts.to_vec();
        self.run(move |conn| {
            let tx = conn.transaction()?;
            {
                let mut st = tx.prepare(
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
                )?;
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
                    ])?;
                }
            }
            let ids: Vec<String> = districts.iter().map(|d| d.district_id.clone()).collect();
            summaries::refresh(&tx, &Scope::Districts(ids))?;
            tx.commit()?;
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
            )?;
            Ok(())
        })
    }

    fn enrol<'a>(&'a self, device: &'a NewDevice) -> StoreFuture<'a, DeviceRecord> {
        let device = device.clone();
        self.run(move |conn| identity::enrol_tx(conn, &device))
    }

    fn revoke_device<'a>(&'a self, device_id: &'a str) -> StoreFuture<'a, bool> {
        self.run_ref(move |conn| identity::revoke_device(&*lock(conn)?, device_id))
    }

    fn revoke_reviewer<'a>(&'a self, name: &'a str) -> StoreFuture<'a, u64> {
        self.run_ref(move |conn| identity::revoke_reviewer(&*lock(conn)?, name))
    }

    fn device_by_token<'a>(
        &'a self,
        token_hash: &'a [u8; 32],
    ) -> StoreFuture<'a, Option<DeviceRecord>> {
        let hash = *token_hash;
        self.run_read(move |conn| {
            let row: Option<(String, String, Vec<u8>, String)> = conn
                .prepare_cached(
                    "SELECT device_id, enumerator_id, public_key, districts FROM devices
                     WHERE token_hash = ?1 AND revoked_at IS NULL",
                )?
                .query_row([&hash[..]], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()?;
            row.map(|(device_id, enumerator_id, public_key, districts)| {
                Ok(DeviceRecord {
                    device_id,
                    enumerator_id,
                    public_key,
                    districts: serde_json::from_str(&districts)?,
                })
            })
            .transpose()
        })
    }

    fn districts<'a>(&'a self, ids: &'a [String]) -> StoreFuture<'a, Vec<District>> {
        let ids = ids.to_vec();
        self.run(move |conn| {
            let mut st = conn.prepare_cached(
                "SELECT * FROM districts WHERE district_id IN (SELECT value FROM json_each(?1))
                     ORDER BY district_id",
            )?;
            let rows = st.query_map([json_list(&ids)?], district_from_row)?;
            rows.collect::<Result<Vec<_>, _>>()
                .map_err(StoreError::from)
        })
    }

    fn ingest_incoming<'a>(
        &'a self,
        device: &'a DeviceRecord,
        payload: &'a IncomingBatch,
        accepted: &'a [(String, String)],
    ) -> StoreFuture<'a, Ingested> {
        self.run_ref(move |conn| {
            let prepared = payload
                .cases
                .iter()
                .map(ingest::PreparedCase::of)
                .collect::<Result<Vec<_>, _>>()?;
            conn.ingest(|conn| ingest::ingest_tx(conn, &prepared, device, payload, accepted))
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
        self.run_ref(move |conn| identity::record_review(&mut *lock(conn)?, review))
    }

    fn reviews_since<'a>(
        &'a self,
        districts: &'a [String],
        since: u64,
        limit: u32,
    ) -> StoreFuture<'a, Vec<ReviewDecision>> {
        self.run_ref(move |conn| export::reviews_since(&*lock(conn)?, districts, since, limit))
    }

    fn cases_page<'a>(
        &'a self,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreFuture<'a, Vec<StoredCase>> {
        self.run(move |conn| export::cases_page(conn, after, limit))
    }

    fn cases_received_page<'a>(
        &'a self,
        since: &'a str,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreFuture<'a, Vec<StoredCase>> {
        let since = since.to_owned();
        self.run(move |conn| export::cases_received_page(conn, &since, after, limit))
    }

    fn counts(&self) -> StoreFuture<'_, Counts> {
        self.run(|conn| {
            let count = |table: &str| -> Result<u64, StoreError> {
                conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
                    r.get::<_, i64>(0)
                })
                .map(|n| n as u64)
                .map_err(StoreError::from)
            };
            Ok(Counts {
                cases: count("cases")?,
                events: conn
                    .query_row(
                        "SELECT coalesce(sum(event_count), 0) FROM case_events",
                        [],
                        |r| r.get::<_, i64>(0),
                    )
                    .map(|n| n as u64)?,
                batches: count("batches")?,
            })
        })
    }

    fn import_extents<'a>(&'a self, extents: &'a [DistrictExtent]) -> StoreFuture<'a, usize> {
        let extents = extents.to_vec();
        self.run(move |conn| {
            let tx = conn.transaction()?;
            {
                let mut st = tx.prepare(&sqlite_params(q::UPSERT_EXTENT))?;
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
                    ])?;
                }
            }
            let ids: Vec<String> = extents.iter().map(|e| e.district_id.clone()).collect();
            summaries::refresh_outside(&tx, &Scope::Districts(ids))?;
            tx.commit()?;
            Ok(extents.len())
        })
    }

    fn import_frame_buildings<'a>(
        &'a self,
        buildings: &'a [FrameBuildingRow],
    ) -> StoreFuture<'a, usize> {
        let buildings = buildings.to_vec();
        self.run(move |conn| {
            let tx = conn.transaction()?;
            {
                let mut st = tx.prepare(&sqlite_params(q::UPSERT_FRAME_BUILDING))?;
                for b in &buildings {
                    st.execute(params![
                        b.district_id,
                        b.building_number,
                        b.gps.map(|g| g.0),
                        b.gps.map(|g| g.1),
                        b.description
                    ])?;
                }
            }
            let mut ids: Vec<String> = buildings.iter().map(|b| b.district_id.clone()).collect();
            ids.sort();
            ids.dedup();
            summaries::refresh(&tx, &Scope::Districts(ids))?;
            tx.commit()?;
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
            )?;
            Ok(())
        })
    }

    fn reviewer_by_token<'a>(
        &'a self,
        token_hash: &'a [u8; 32],
    ) -> StoreFuture<'a, Option<Reviewer>> {
        self.run_read(move |conn| coverage::reviewer_by_token(conn, token_hash))
    }

    fn area_districts<'a>(&'a self, level: Level, id: &'a str) -> StoreFuture<'a, Vec<String>> {
        self.run_ref(move |conn| coverage::area_districts(&*lock(conn)?, level, id))
    }

    fn gather_coverage<'a>(
        &'a self,
        scope: &'a Scope,
        rules: &'a CoverageRules,
    ) -> StoreFuture<'a, Gathered> {
        self.run_ref(move |conn| coverage::gather(&*lock(conn)?, scope, rules))
    }

    fn rebuild_summaries(&self) -> StoreFuture<'_, ()> {
        self.run_ref(move |conn| summaries::rebuild(&*lock(conn)?))
    }

    fn review_queue<'a>(
        &'a self,
        scope: &'a Scope,
        limit: u32,
    ) -> StoreFuture<'a, Vec<QueueEntry>> {
        self.run_ref(move |conn| coverage::review_queue(&*lock(conn)?, scope, limit))
    }

    fn case_history(&self, case_id: Uuid) -> StoreFuture<'_, Option<CaseHistory>> {
        self.run_ref(move |conn| coverage::case_history(&*lock(conn)?, case_id))
    }

    fn case_records<'a>(&'a self, ids: &'a [Uuid]) -> StoreFuture<'a, HashMap<Uuid, CaseRecords>> {
        self.run_ref(move |conn| export::case_records(&*lock(conn)?, ids))
    }

    fn stored_case(&self, case_id: Uuid) -> StoreFuture<'_, Option<StoredCase>> {
        self.run_ref(move |conn| review_reads::stored_case(&*lock(conn)?, case_id))
    }

    fn recent_decisions<'a>(
        &'a self,
        scope: &'a Scope,
        limit: u32,
    ) -> StoreFuture<'a, Vec<crate::store::PlacedDecision>> {
        self.run_ref(move |conn| review_reads::recent_decisions(&*lock(conn)?, scope, limit))
    }

    fn map_points<'a>(&'a self, scope: &'a Scope, limit: u32) -> StoreFuture<'a, Vec<MapPoint>> {
        self.run_ref(move |conn| coverage::map_points(&*lock(conn)?, scope, limit))
    }

    fn centroids<'a>(&'a self, scope: &'a Scope) -> StoreFuture<'a, BTreeMap<String, Centroid>> {
        self.run_ref(move |conn| coverage::centroids(&*lock(conn)?, scope))
    }

    fn shared_secret<'a>(&'a self, name: &'a str) -> StoreFuture<'a, [u8; 32]> {
        self.run_ref(move |conn| shared_state::shared_secret(&*lock(conn)?, name))
    }

    fn set_recovery_key<'a>(&'a self, key: &'a RecoveryKey) -> StoreFuture<'a, bool> {
        self.run_ref(move |conn| office::set_recovery_key(&mut *lock(conn)?, key))
    }

    fn recovery_key(&self) -> StoreFuture<'_, Option<RecoveryKey>> {
        self.run_ref(move |conn| office::recovery_key(&*lock(conn)?))
    }

    fn publish_questionnaire<'a>(
        &'a self,
        publication: &'a NewPublication,
    ) -> StoreFuture<'a, PublishOutcome> {
        self.run_ref(move |conn| office::publish(&mut *lock(conn)?, publication))
    }

    fn published_body<'a>(
        &'a self,
        id: &'a str,
        version: &'a str,
    ) -> StoreFuture<'a, Option<Vec<u8>>> {
        self.run_ref(move |conn| office::published_body(&*lock(conn)?, id, version))
    }

    fn published_questionnaires(&self) -> StoreFuture<'_, Vec<PublishedSummary>> {
        self.run_ref(move |conn| office::published_list(&*lock(conn)?))
    }

    fn frame_buildings<'a>(
        &'a self,
        districts: &'a [String],
    ) -> StoreFuture<'a, Vec<FrameBuildingRow>> {
        self.run_ref(move |conn| office::frame_buildings(&*lock(conn)?, districts))
    }
}
