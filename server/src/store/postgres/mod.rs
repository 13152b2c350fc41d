//! PostgreSQL storage (tokio-postgres with a deadpool connection pool).

mod coverage;
mod export;
mod identity;
mod ingest;
pub mod migrations;
mod office;
mod review_reads;
mod schema;
mod shared_state;
mod statistics;
mod summaries;

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use census_core::coverage::publish::Centroid;
use census_core::coverage::{CoverageRules, Gathered, Level};

use census_core::sampling::SamplingPlan;
use census_core::wire::ReviewDecision;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;
use tokio_postgres::types::Json;
use uuid::Uuid;

use crate::incoming::IncomingBatch;
use crate::store::{
    CaseHistory, CaseRecords, Counts, DeviceRecord, District, DistrictExtent, FrameBuildingRow,
    Ingested, MapPoint, NewCode, NewDevice, NewPublication, NewReview, NewReviewer, PublishOutcome,
    PublishedSummary, QueueEntry, RecoveryKey, Reviewer, Scope, Storage, StoreError, StoreFuture,
    StoredCase,
};
use schema::{CASE_COLUMNS, UPSERT_DISTRICT};

use crate::store::packed::StoredJson;

fn u32_of(v: i64) -> Result<u32, StoreError> {
    u32::try_from(v).map_err(StoreError::from)
}

/// The PostgreSQL store.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    statistics: statistics::Statistics,
}

impl PgStore {
    /// Connects to `url` (`postgres://user:password@host/db`) and creates missing tables.
    pub async fn connect(url: &str) -> Result<PgStore, StoreError> {
        PgStore::connect_with(url, None).await
    }

    /// Like [`PgStore::connect`], but every connection works in `schema` (created when
    /// missing; letters, digits and `_` only): isolated stores in one database, for tests.
    pub async fn connect_in_schema(url: &str, schema: &str) -> Result<PgStore, StoreError> {
        if schema.is_empty()
            || !schema
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(StoreError::Backend(format!("bad schema name {schema:?}")));
        }
        PgStore::connect_with(url, Some(schema)).await
    }

    async fn connect_with(url: &str, schema: Option<&str>) -> Result<PgStore, StoreError> {
        let mut config = tokio_postgres::Config::from_str(url)
            .map_err(|e| StoreError::Backend(format!("bad PostgreSQL URL: {e}")))?;
        if let Some(schema) = schema {
            let (client, connection) = config.connect(NoTls).await?;
            let task = tokio::spawn(connection);
            client
                .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                .await?;
            drop(client);
            let _ = task.await;
        }
        // Reports are a few short queries each: JIT compilation would cost more than it saves.
        let mut options = config.get_options().unwrap_or_default().to_owned();
        options.push_str(" -c jit=off");
        // A batch is acknowledged only once its commit is on disk (the database's default,
        // forced here in case the cluster or role turned it off).
        options.push_str(" -c synchronous_commit=on");
        if let Some(schema) = schema {
            options.push_str(&format!(" -c search_path={schema}"));
        }
        config.options(options.trim());
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager).max_size(16).build()?;
        migrations::migrate(&pool).await?;
        summaries::rebuild_if_stale(&pool).await?;
        Ok(PgStore {
            pool,
            statistics: statistics::Statistics::default(),
        })
    }
}

fn district_from_row(r: &tokio_postgres::Row) -> Result<District, StoreError> {
    Ok(District {
        district_id: r.get(0),
        control_sector: r.get(1),
        supervision_zone: r.get(2),
        commune: r.get(3),
        province: r.get(4),
        region: r.get(5),
        expected_buildings: u32_of(r.get(6))?,
        expected_dwellings: u32_of(r.get(7))?,
        expected_households: u32_of(r.get(8))?,
        sampling: SamplingPlan {
            rate_per_mille: u16::try_from(r.get::<_, i32>(9))?,
            random_start: u16::try_from(r.get::<_, i32>(10))?,
            take_all: r.get(11),
        },
    })
}

pub(super) fn case_from_row(r: &tokio_postgres::Row) -> Result<StoredCase, StoreError> {
    Ok(StoredCase {
        case_id: r.get(0),
        revision: r.get::<_, i64>(1) as u64,
        district_id: r.get(2),
        building_number: u32_of(r.get(3))?,
        dwelling_number: u32_of(r.get(4))?,
        household_number: r.get::<_, Option<i64>>(5).map(u32_of).transpose()?,
        questionnaire_id: r.get(6),
        questionnaire_version: r.get(7),
        status: r.get(8),
        long_form: r.get(9),
        case: r.get::<_, StoredJson>(10).value()?,
        updated_at: r.get(11),
        device_id: r.get(12),
    })
}

impl Storage for PgStore {
    fn kind(&self) -> &'static str {
        "postgres"
    }

    fn durability(&self) -> StoreFuture<'_, String> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let row = client.query_one("SHOW synchronous_commit", &[]).await?;
            Ok(format!("synchronous_commit={}", row.get::<_, String>(0)))
        })
    }

    fn import_districts<'a>(&'a self, districts: &'a [District]) -> StoreFuture<'a, usize> {
        Box::pin(async move {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            let st = tx.prepare_cached(UPSERT_DISTRICT).await?;
            for d in districts {
                tx.execute(
                    &st,
                    &[
                        &d.district_id,
                        &d.control_sector,
                        &d.supervision_zone,
                        &d.commune,
                        &d.province,
                        &d.region,
                        &i64::from(d.expected_buildings),
                        &i64::from(d.expected_dwellings),
                        &i64::from(d.expected_households),
                        &i32::from(d.sampling.rate_per_mille),
                        &i32::from(d.sampling.random_start),
                        &d.sampling.take_all,
                    ],
                )
                .await?;
            }
            let ids = districts.iter().map(|d| d.district_id.clone()).collect();
            summaries::refresh(&tx, &Scope::Districts(ids)).await?;
            tx.commit().await?;
            Ok(districts.len())
        })
    }

    fn add_enrolment_code<'a>(&'a self, code: &'a NewCode) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client
                .execute(
                    "INSERT INTO enrolment_codes (code_hash, enumerator_id, districts)
                     VALUES ($1, $2, $3)",
                    &[
                        &&code.code_hash[..],
                        &code.enumerator_id,
                        &Json(&code.districts),
                    ],
                )
                .await?;
            Ok(())
        })
    }

    fn enrol<'a>(&'a self, device: &'a NewDevice) -> StoreFuture<'a, DeviceRecord> {
        Box::pin(identity::enrol(&self.pool, device))
    }

    fn revoke_device<'a>(&'a self, device_id: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(identity::revoke_device(&self.pool, device_id))
    }

    fn revoke_reviewer<'a>(&'a self, name: &'a str) -> StoreFuture<'a, u64> {
        Box::pin(identity::revoke_reviewer(&self.pool, name))
    }

    fn device_by_token<'a>(
        &'a self,
        token_hash: &'a [u8; 32],
    ) -> StoreFuture<'a, Option<DeviceRecord>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let st = client
                .prepare_cached(
                    "SELECT device_id, enumerator_id, public_key, districts FROM devices
                     WHERE token_hash = $1 AND revoked_at IS NULL",
                )
                .await?;
            let row = client.query_opt(&st, &[&&token_hash[..]]).await?;
            Ok(row.map(|r| DeviceRecord {
                device_id: r.get(0),
                enumerator_id: r.get(1),
                public_key: r.get(2),
                districts: r.get::<_, Json<Vec<String>>>(3).0,
            }))
        })
    }

    fn districts<'a>(&'a self, ids: &'a [String]) -> StoreFuture<'a, Vec<District>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let rows = client
                .query(
                    "SELECT * FROM districts WHERE district_id = ANY($1) ORDER BY district_id",
                    &[&ids],
                )
                .await?;
            rows.iter().map(district_from_row).collect()
        })
    }

    fn ingest_incoming<'a>(
        &'a self,
        device: &'a DeviceRecord,
        payload: &'a IncomingBatch,
        accepted: &'a [(String, String)],
    ) -> StoreFuture<'a, Ingested> {
        Box::pin(async move {
            let ingested = ingest::ingest_tx(&self.pool, device, payload, accepted).await?;
            if !ingested.replayed {
                self.statistics.batch_stored(&self.pool);
            }
            Ok(ingested)
        })
    }

    fn reassign_case<'a>(
        &'a self,
        case_id: Uuid,
        to_device: &'a str,
    ) -> StoreFuture<'a, super::reassign::ReassignResult> {
        Box::pin(super::reassign::postgres(&self.pool, case_id, to_device))
    }

    fn record_review<'a>(&'a self, review: &'a NewReview) -> StoreFuture<'a, u64> {
        Box::pin(identity::record_review(&self.pool, review))
    }

    fn reviews_since<'a>(
        &'a self,
        districts: &'a [String],
        since: u64,
        limit: u32,
    ) -> StoreFuture<'a, Vec<ReviewDecision>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let rows = client
                .query(
                    "SELECT r.cursor, r.case_id, r.revision, r.decision, r.comment, r.at
                     FROM reviews r JOIN cases c ON c.case_id = r.case_id
                     WHERE r.cursor > $1 AND c.district_id = ANY($2)
                     ORDER BY r.cursor LIMIT $3",
                    &[
                        &(since.min(i64::MAX as u64) as i64),
                        &districts,
                        &i64::from(limit),
                    ],
                )
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(ReviewDecision {
                        cursor: r.get::<_, i64>(0) as u64,
                        case_id: r.get(1),
                        revision: r.get::<_, i64>(2) as u64,
                        decision: r.get::<_, &str>(3).parse()?,
                        comment: r.get(4),
                        at: r.get(5),
                    })
                })
                .collect()
        })
    }

    fn cases_page<'a>(
        &'a self,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreFuture<'a, Vec<StoredCase>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let rows = client
                .query(
                    &format!(
                        "SELECT {CASE_COLUMNS} FROM cases
                         WHERE $1::uuid IS NULL OR case_id > $1 ORDER BY case_id LIMIT $2"
                    ),
                    &[&after, &i64::from(limit)],
                )
                .await?;
            rows.iter().map(case_from_row).collect()
        })
    }

    fn cases_received_page<'a>(
        &'a self,
        since: &'a str,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreFuture<'a, Vec<StoredCase>> {
        Box::pin(export::cases_received_page(&self.pool, since, after, limit))
    }

    fn counts(&self) -> StoreFuture<'_, Counts> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let row = client
                .query_one(
                    "SELECT (SELECT count(*) FROM cases),
                       (SELECT coalesce(sum(event_count), 0)::BIGINT FROM case_events),
                       (SELECT count(*) FROM batches)",
                    &[],
                )
                .await?;
            Ok(Counts {
                cases: row.get::<_, i64>(0) as u64,
                events: row.get::<_, i64>(1) as u64,
                batches: row.get::<_, i64>(2) as u64,
            })
        })
    }

    fn import_extents<'a>(&'a self, extents: &'a [DistrictExtent]) -> StoreFuture<'a, usize> {
        Box::pin(coverage::import_extents(&self.pool, extents))
    }

    fn import_frame_buildings<'a>(
        &'a self,
        buildings: &'a [FrameBuildingRow],
    ) -> StoreFuture<'a, usize> {
        Box::pin(coverage::import_frame_buildings(&self.pool, buildings))
    }

    fn add_reviewer<'a>(&'a self, reviewer: &'a NewReviewer) -> StoreFuture<'a, ()> {
        Box::pin(coverage::add_reviewer(&self.pool, reviewer))
    }

    fn reviewer_by_token<'a>(
        &'a self,
        token_hash: &'a [u8; 32],
    ) -> StoreFuture<'a, Option<Reviewer>> {
        Box::pin(coverage::reviewer_by_token(&self.pool, token_hash))
    }

    fn area_districts<'a>(&'a self, level: Level, id: &'a str) -> StoreFuture<'a, Vec<String>> {
        Box::pin(coverage::area_districts(&self.pool, level, id))
    }

    fn gather_coverage<'a>(
        &'a self,
        scope: &'a Scope,
        rules: &'a CoverageRules,
    ) -> StoreFuture<'a, Gathered> {
        Box::pin(coverage::gather(&self.pool, scope, rules))
    }

    fn rebuild_summaries(&self) -> StoreFuture<'_, ()> {
        Box::pin(summaries::rebuild(&self.pool))
    }

    fn review_queue<'a>(
        &'a self,
        scope: &'a Scope,
        limit: u32,
    ) -> StoreFuture<'a, Vec<QueueEntry>> {
        Box::pin(coverage::review_queue(&self.pool, scope, limit))
    }

    fn case_history(&self, case_id: Uuid) -> StoreFuture<'_, Option<CaseHistory>> {
        Box::pin(coverage::case_history(&self.pool, case_id))
    }

    fn case_records<'a>(&'a self, ids: &'a [Uuid]) -> StoreFuture<'a, HashMap<Uuid, CaseRecords>> {
        Box::pin(export::case_records(&self.pool, ids))
    }

    fn stored_case(&self, case_id: Uuid) -> StoreFuture<'_, Option<StoredCase>> {
        Box::pin(review_reads::stored_case(&self.pool, case_id))
    }

    fn recent_decisions<'a>(
        &'a self,
        scope: &'a Scope,
        limit: u32,
    ) -> StoreFuture<'a, Vec<crate::store::PlacedDecision>> {
        Box::pin(review_reads::recent_decisions(&self.pool, scope, limit))
    }

    fn map_points<'a>(&'a self, scope: &'a Scope, limit: u32) -> StoreFuture<'a, Vec<MapPoint>> {
        Box::pin(coverage::map_points(&self.pool, scope, limit))
    }

    fn centroids<'a>(&'a self, scope: &'a Scope) -> StoreFuture<'a, BTreeMap<String, Centroid>> {
        Box::pin(coverage::centroids(&self.pool, scope))
    }

    fn shared_secret<'a>(&'a self, name: &'a str) -> StoreFuture<'a, [u8; 32]> {
        Box::pin(shared_state::shared_secret(&self.pool, name))
    }

    fn shared_bucket<'a>(
        &'a self,
        bucket: &'a str,
        client: &'a str,
        rule: crate::ratelimit::BucketRule,
        take: bool,
    ) -> StoreFuture<'a, Option<Result<(), std::time::Duration>>> {
        Box::pin(async move {
            shared_state::bucket(&self.pool, bucket, client, rule, take)
                .await
                .map(Some)
        })
    }

    fn set_recovery_key<'a>(&'a self, key: &'a RecoveryKey) -> StoreFuture<'a, bool> {
        Box::pin(office::set_recovery_key(&self.pool, key))
    }

    fn recovery_key(&self) -> StoreFuture<'_, Option<RecoveryKey>> {
        Box::pin(office::recovery_key(&self.pool))
    }

    fn publish_questionnaire<'a>(
        &'a self,
        publication: &'a NewPublication,
    ) -> StoreFuture<'a, PublishOutcome> {
        Box::pin(office::publish(&self.pool, publication))
    }

    fn published_body<'a>(
        &'a self,
        id: &'a str,
        version: &'a str,
    ) -> StoreFuture<'a, Option<Vec<u8>>> {
        Box::pin(office::published_body(&self.pool, id, version))
    }

    fn published_questionnaires(&self) -> StoreFuture<'_, Vec<PublishedSummary>> {
        Box::pin(office::published_list(&self.pool))
    }

    fn frame_buildings<'a>(
        &'a self,
        districts: &'a [String],
    ) -> StoreFuture<'a, Vec<FrameBuildingRow>> {
        Box::pin(office::frame_buildings(&self.pool, districts))
    }
}
