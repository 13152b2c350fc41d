//! PostgreSQL storage (tokio-postgres with a deadpool connection pool).

use std::collections::BTreeMap;
use std::str::FromStr;

use census_core::coverage::publish::Centroid;
use census_core::coverage::{CoverageRules, Gathered, Level};

use census_core::sampling::SamplingPlan;
use census_core::wire::{BatchReply, CaseOutcome, CaseResult, Decision, ReviewDecision};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Transaction};
use futures_util::future::join_all;
use serde_json::value::RawValue;
use tokio_postgres::NoTls;
use tokio_postgres::types::Json;
use uuid::Uuid;

use super::pg_schema::{CASE_COLUMNS, INSERT_EVENTS, SCHEMA, UPSERT_CASE, UPSERT_DISTRICT};
use super::{
    CaseHistory, Counts, DeviceRecord, District, DistrictExtent, FOREIGN_CASE, FrameBuildingRow,
    Ingested, MapPoint, NewCode, NewDevice, NewReviewer, QueueEntry, Reviewer, Scope, Storage,
    StoreError, StoreFuture, StoredCase, decision_text, parse_decision, precheck,
};
use super::{pg_coverage, pg_summaries};
use crate::facts::{FactsContext, FactsRow};
use crate::incoming::{IncomingBatch, IncomingCase};
use crate::summaries::{FactsBefore, Touched};

fn be(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn u32_of(v: i64) -> Result<u32, StoreError> {
    u32::try_from(v).map_err(be)
}

/// The PostgreSQL store.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
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
            let (client, connection) = config.connect(NoTls).await.map_err(be)?;
            let task = tokio::spawn(connection);
            client
                .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                .await
                .map_err(be)?;
            drop(client);
            let _ = task.await;
        }
        // Reports are a few short queries each: JIT compilation would cost more than it saves.
        let mut options = config.get_options().unwrap_or_default().to_owned();
        options.push_str(" -c jit=off");
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
        let pool = Pool::builder(manager).max_size(16).build().map_err(be)?;
        let client = pool.get().await.map_err(be)?;
        client.batch_execute(SCHEMA).await.map_err(be)?;
        client
            .batch_execute(&pg_coverage::tables())
            .await
            .map_err(be)?;
        drop(client);
        pg_summaries::migrate(&pool).await?;
        Ok(PgStore { pool })
    }
}

/// Upserts `case` if it is newer and of the device's districts: the case's previous
/// `last_seq` (0 for a new case), or `None` when nothing was written.
async fn upsert_case(
    tx: &Transaction<'_>,
    upsert: &tokio_postgres::Statement,
    case: &IncomingCase,
    device: &DeviceRecord,
    batch_id: Uuid,
) -> Result<Option<i64>, StoreError> {
    let written = tx
        .query_opt(
            upsert,
            &[
                &case.case_id,
                &(case.revision as i64),
                &case.district_id,
                &i64::from(case.building_number),
                &i64::from(case.dwelling_number),
                &case.household_number.map(i64::from),
                &case.questionnaire_id,
                &case.questionnaire_version,
                &case.status,
                &case.long_form.as_ref().map(Json),
                &Json(&*case.case),
                &case.updated_at,
                &device.device_id,
                &batch_id,
                &device.districts,
                &case.max_seq(),
            ],
        )
        .await
        .map_err(be)?;
    Ok(written.map(|row| row.get::<_, i64>(0)))
}

/// A case's facts before and after it was written.
type FactsChange = (Option<FactsBefore>, FactsRow);

/// After [`upsert_case`]: stores the case's new events and facts, or tells why nothing was
/// written.
async fn finish_case(
    tx: &Transaction<'_>,
    insert: &tokio_postgres::Statement,
    case: &IncomingCase,
    device: &DeviceRecord,
    written: Option<i64>,
    ctx: &FactsContext,
) -> Result<(CaseOutcome, Option<FactsChange>), StoreError> {
    let Some(last_seq) = written else {
        let row = tx
            .query_one(
                "SELECT district_id FROM cases WHERE case_id = $1",
                &[&case.case_id],
            )
            .await
            .map_err(be)?;
        let district: String = row.get(0);
        if !device.districts.contains(&district) {
            let reason = FOREIGN_CASE.into();
            return Ok((CaseOutcome::Rejected { reason }, None));
        }
        return Ok((CaseOutcome::AlreadyHad, None));
    };
    if let Some((count, text)) = case.new_events(last_seq).map_err(be)? {
        let owned;
        let events: &RawValue = if count == case.event_seqs.len() {
            &case.events
        } else {
            owned = RawValue::from_string(text.into_owned()).map_err(be)?;
            &owned
        };
        tx.execute(
            insert,
            &[
                &case.case_id,
                &(case.revision as i64),
                &(count as i64),
                &Json(events),
            ],
        )
        .await
        .map_err(be)?;
    }
    let change = pg_coverage::write_facts(tx, case, device, last_seq, ctx).await?;
    Ok((CaseOutcome::Stored, Some(change)))
}

/// Whether two cases of the batch share an id (then they are written one after another).
fn has_duplicate_ids(cases: &[IncomingCase]) -> bool {
    let mut seen = std::collections::HashSet::with_capacity(cases.len());
    cases.iter().any(|c| !seen.insert(c.case_id))
}

impl PgStore {
    /// Writes the cases of a batch in `tx`, noting what the summaries must follow. The
    /// statements of all cases are pipelined (sent without waiting for each reply: a few
    /// round trips for the batch, not a few per case); they run in order, as if one after
    /// another. A batch naming a case twice is written strictly one case after another.
    async fn store_cases(
        &self,
        tx: &Transaction<'_>,
        device: &DeviceRecord,
        payload: &IncomingBatch,
        accepted: &[(String, String)],
        touched: &mut Touched,
    ) -> Result<Vec<CaseOutcome>, StoreError> {
        let upsert = tx.prepare_cached(UPSERT_CASE).await.map_err(be)?;
        let insert = tx.prepare_cached(INSERT_EVENTS).await.map_err(be)?;
        let ctx = FactsContext {
            shapes: pg_summaries::load_shapes(tx, &Scope::Districts(device.districts.clone()))
                .await?,
            items: payload.coverage_items.clone(),
        };
        let checks: Vec<Option<String>> = payload
            .cases
            .iter()
            .map(|c| precheck(c, device, accepted))
            .collect();
        let mut outcomes = Vec::with_capacity(payload.cases.len());
        let mut note = |(outcome, change): (CaseOutcome, Option<FactsChange>)| {
            if let Some((before, after)) = change {
                touched.case(before.as_ref(), &after);
            }
            outcomes.push(outcome);
        };
        if has_duplicate_ids(&payload.cases) {
            for (case, check) in payload.cases.iter().zip(checks) {
                note(match check {
                    Some(reason) => (CaseOutcome::Rejected { reason }, None),
                    None => {
                        let written =
                            upsert_case(tx, &upsert, case, device, payload.batch_id).await?;
                        finish_case(tx, &insert, case, device, written, &ctx).await?
                    }
                });
            }
            return Ok(outcomes);
        }
        let written = join_all(payload.cases.iter().zip(&checks).map(|(case, check)| {
            let upsert = &upsert;
            async move {
                match check {
                    Some(_) => Ok(None),
                    None => upsert_case(tx, upsert, case, device, payload.batch_id)
                        .await
                        .map(Some),
                }
            }
        }))
        .await;
        let finished = join_all(payload.cases.iter().zip(written).zip(&checks).map(
            |((case, written), check)| {
                let (insert, ctx) = (&insert, &ctx);
                async move {
                    match (check, written?) {
                        (Some(reason), _) => Ok((
                            CaseOutcome::Rejected {
                                reason: reason.clone(),
                            },
                            None,
                        )),
                        (None, Some(w)) => finish_case(tx, insert, case, device, w, ctx).await,
                        (None, None) => Err(be("case neither checked nor written")),
                    }
                }
            },
        ))
        .await;
        for result in finished {
            note(result?);
        }
        Ok(outcomes)
    }

    async fn ingest_tx(
        &self,
        device: &DeviceRecord,
        payload: &IncomingBatch,
        accepted: &[(String, String)],
    ) -> Result<Ingested, StoreError> {
        let mut client = self.pool.get().await.map_err(be)?;
        let tx = client.transaction().await.map_err(be)?;
        // Claiming the id waits for a concurrent transaction holding the same id.
        let claimed = tx
            .execute(
                "INSERT INTO batches (batch_id, device_id, case_count) VALUES ($1, $2, $3)
                 ON CONFLICT (batch_id) DO NOTHING",
                &[
                    &payload.batch_id,
                    &device.device_id,
                    &(payload.cases.len() as i64),
                ],
            )
            .await
            .map_err(be)?;
        if claimed == 0 {
            let row = tx
                .query_one(
                    "SELECT device_id, reply FROM batches WHERE batch_id = $1",
                    &[&payload.batch_id],
                )
                .await
                .map_err(be)?;
            let owner: String = row.get(0);
            if owner != device.device_id {
                return Err(StoreError::BatchIdTaken);
            }
            let reply: Option<Json<BatchReply>> = row.get(1);
            let reply = reply.ok_or_else(|| be("stored batch has no reply"))?.0;
            return Ok(Ingested {
                reply,
                replayed: true,
            });
        }
        let mut touched = Touched::default();
        let (_, skipped) = pg_coverage::write_listing(&tx, payload, device, &mut touched).await?;
        if skipped > 0 {
            tracing::warn!(device = %device.device_id, skipped, "listing rows outside the device's districts skipped");
        }
        let outcomes = self
            .store_cases(&tx, device, payload, accepted, &mut touched)
            .await?;
        pg_summaries::apply(&tx, &touched).await?;
        let results = payload
            .cases
            .iter()
            .zip(outcomes)
            .map(|(case, outcome)| CaseResult {
                case_id: case.case_id,
                revision: case.revision,
                outcome,
            })
            .collect();
        let reply = BatchReply {
            batch_id: payload.batch_id,
            results,
        };
        tx.execute(
            "UPDATE batches SET reply = $2 WHERE batch_id = $1",
            &[&payload.batch_id, &Json(&reply)],
        )
        .await
        .map_err(be)?;
        tx.commit().await.map_err(be)?;
        Ok(Ingested {
            reply,
            replayed: false,
        })
    }

    async fn enrol_tx(&self, d: &NewDevice) -> Result<DeviceRecord, StoreError> {
        let mut client = self.pool.get().await.map_err(be)?;
        let tx = client.transaction().await.map_err(be)?;
        let row = tx
            .query_opt(
                "SELECT enumerator_id, districts, used_by FROM enrolment_codes
                 WHERE code_hash = $1 FOR UPDATE",
                &[&&d.code_hash[..]],
            )
            .await
            .map_err(be)?
            .ok_or(StoreError::CodeUnknown)?;
        let enumerator: String = row.get(0);
        let districts: Json<Vec<String>> = row.get(1);
        let used_by: Option<String> = row.get(2);
        if used_by.is_some() {
            return Err(StoreError::CodeUsed);
        }
        if enumerator != d.enumerator_id {
            return Err(StoreError::EnumeratorMismatch);
        }
        tx.execute(
            "UPDATE enrolment_codes SET used_by = $1 WHERE code_hash = $2",
            &[&d.device_id, &&d.code_hash[..]],
        )
        .await
        .map_err(be)?;
        tx.execute(
            "INSERT INTO devices (device_id, enumerator_id, public_key, token_hash, districts)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (device_id) DO UPDATE SET enumerator_id = excluded.enumerator_id,
               public_key = excluded.public_key, token_hash = excluded.token_hash,
               districts = excluded.districts, enrolled_at = now()",
            &[
                &d.device_id,
                &d.enumerator_id,
                &&d.public_key[..],
                &&d.token_hash[..],
                &districts,
            ],
        )
        .await
        .map_err(be)?;
        tx.commit().await.map_err(be)?;
        Ok(DeviceRecord {
            device_id: d.device_id.clone(),
            enumerator_id: d.enumerator_id.clone(),
            public_key: d.public_key.to_vec(),
            districts: districts.0,
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
            rate_per_mille: u16::try_from(r.get::<_, i32>(9)).map_err(be)?,
            random_start: u16::try_from(r.get::<_, i32>(10)).map_err(be)?,
            take_all: r.get(11),
        },
    })
}

fn case_from_row(r: &tokio_postgres::Row) -> Result<StoredCase, StoreError> {
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
        case: r.get(10),
        updated_at: r.get(11),
        device_id: r.get(12),
    })
}

impl Storage for PgStore {
    fn kind(&self) -> &'static str {
        "postgres"
    }

    fn import_districts<'a>(&'a self, districts: &'a [District]) -> StoreFuture<'a, usize> {
        Box::pin(async move {
            let mut client = self.pool.get().await.map_err(be)?;
            let tx = client.transaction().await.map_err(be)?;
            let st = tx.prepare_cached(UPSERT_DISTRICT).await.map_err(be)?;
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
                .await
                .map_err(be)?;
            }
            let ids = districts.iter().map(|d| d.district_id.clone()).collect();
            pg_summaries::refresh(&tx, &Scope::Districts(ids)).await?;
            tx.commit().await.map_err(be)?;
            Ok(districts.len())
        })
    }

    fn add_enrolment_code<'a>(&'a self, code: &'a NewCode) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let client = self.pool.get().await.map_err(be)?;
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
                .await
                .map_err(be)?;
            Ok(())
        })
    }

    fn enrol<'a>(&'a self, device: &'a NewDevice) -> StoreFuture<'a, DeviceRecord> {
        Box::pin(self.enrol_tx(device))
    }

    fn device_by_token<'a>(
        &'a self,
        token_hash: &'a [u8; 32],
    ) -> StoreFuture<'a, Option<DeviceRecord>> {
        Box::pin(async move {
            let client = self.pool.get().await.map_err(be)?;
            let st = client
                .prepare_cached(
                    "SELECT device_id, enumerator_id, public_key, districts FROM devices
                     WHERE token_hash = $1",
                )
                .await
                .map_err(be)?;
            let row = client
                .query_opt(&st, &[&&token_hash[..]])
                .await
                .map_err(be)?;
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
            let client = self.pool.get().await.map_err(be)?;
            let rows = client
                .query(
                    "SELECT * FROM districts WHERE district_id = ANY($1) ORDER BY district_id",
                    &[&ids],
                )
                .await
                .map_err(be)?;
            rows.iter().map(district_from_row).collect()
        })
    }

    fn ingest_incoming<'a>(
        &'a self,
        device: &'a DeviceRecord,
        payload: &'a IncomingBatch,
        accepted: &'a [(String, String)],
    ) -> StoreFuture<'a, Ingested> {
        Box::pin(self.ingest_tx(device, payload, accepted))
    }

    fn add_review<'a>(
        &'a self,
        case_id: Uuid,
        decision: Decision,
        comment: &'a str,
    ) -> StoreFuture<'a, u64> {
        Box::pin(async move {
            let client = self.pool.get().await.map_err(be)?;
            let row = client
                .query_opt(
                    "INSERT INTO reviews (case_id, revision, decision, comment, at)
                     SELECT case_id, revision, $2, $3, $4 FROM cases WHERE case_id = $1
                     RETURNING cursor",
                    &[
                        &case_id,
                        &decision_text(decision),
                        &comment,
                        &chrono::Utc::now().to_rfc3339(),
                    ],
                )
                .await
                .map_err(be)?
                .ok_or(StoreError::NoSuchCase(case_id))?;
            Ok(row.get::<_, i64>(0) as u64)
        })
    }

    fn reviews_since<'a>(
        &'a self,
        districts: &'a [String],
        since: u64,
        limit: u32,
    ) -> StoreFuture<'a, Vec<ReviewDecision>> {
        Box::pin(async move {
            let client = self.pool.get().await.map_err(be)?;
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
                .await
                .map_err(be)?;
            rows.iter()
                .map(|r| {
                    Ok(ReviewDecision {
                        cursor: r.get::<_, i64>(0) as u64,
                        case_id: r.get(1),
                        revision: r.get::<_, i64>(2) as u64,
                        decision: parse_decision(r.get(3))?,
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
            let client = self.pool.get().await.map_err(be)?;
            let rows = client
                .query(
                    &format!(
                        "SELECT {CASE_COLUMNS} FROM cases
                         WHERE $1::uuid IS NULL OR case_id > $1 ORDER BY case_id LIMIT $2"
                    ),
                    &[&after, &i64::from(limit)],
                )
                .await
                .map_err(be)?;
            rows.iter().map(case_from_row).collect()
        })
    }

    fn counts(&self) -> StoreFuture<'_, Counts> {
        Box::pin(async move {
            let client = self.pool.get().await.map_err(be)?;
            let row = client
                .query_one(
                    "SELECT (SELECT count(*) FROM cases),
                       (SELECT coalesce(sum(event_count), 0)::BIGINT FROM case_events),
                       (SELECT count(*) FROM batches)",
                    &[],
                )
                .await
                .map_err(be)?;
            Ok(Counts {
                cases: row.get::<_, i64>(0) as u64,
                events: row.get::<_, i64>(1) as u64,
                batches: row.get::<_, i64>(2) as u64,
            })
        })
    }

    fn import_extents<'a>(&'a self, extents: &'a [DistrictExtent]) -> StoreFuture<'a, usize> {
        Box::pin(pg_coverage::import_extents(&self.pool, extents))
    }

    fn import_frame_buildings<'a>(
        &'a self,
        buildings: &'a [FrameBuildingRow],
    ) -> StoreFuture<'a, usize> {
        Box::pin(pg_coverage::import_frame_buildings(&self.pool, buildings))
    }

    fn add_reviewer<'a>(&'a self, reviewer: &'a NewReviewer) -> StoreFuture<'a, ()> {
        Box::pin(pg_coverage::add_reviewer(&self.pool, reviewer))
    }

    fn reviewer_by_token<'a>(
        &'a self,
        token_hash: &'a [u8; 32],
    ) -> StoreFuture<'a, Option<Reviewer>> {
        Box::pin(pg_coverage::reviewer_by_token(&self.pool, token_hash))
    }

    fn area_districts<'a>(&'a self, level: Level, id: &'a str) -> StoreFuture<'a, Vec<String>> {
        Box::pin(pg_coverage::area_districts(&self.pool, level, id))
    }

    fn gather_coverage<'a>(
        &'a self,
        scope: &'a Scope,
        rules: &'a CoverageRules,
    ) -> StoreFuture<'a, Gathered> {
        Box::pin(pg_coverage::gather(&self.pool, scope, rules))
    }

    fn rebuild_summaries(&self) -> StoreFuture<'_, ()> {
        Box::pin(pg_summaries::rebuild(&self.pool))
    }

    fn review_queue<'a>(
        &'a self,
        scope: &'a Scope,
        limit: u32,
    ) -> StoreFuture<'a, Vec<QueueEntry>> {
        Box::pin(pg_coverage::review_queue(&self.pool, scope, limit))
    }

    fn case_history(&self, case_id: Uuid) -> StoreFuture<'_, Option<CaseHistory>> {
        Box::pin(pg_coverage::case_history(&self.pool, case_id))
    }

    fn map_points<'a>(&'a self, scope: &'a Scope, limit: u32) -> StoreFuture<'a, Vec<MapPoint>> {
        Box::pin(pg_coverage::map_points(&self.pool, scope, limit))
    }

    fn centroids<'a>(&'a self, scope: &'a Scope) -> StoreFuture<'a, BTreeMap<String, Centroid>> {
        Box::pin(pg_coverage::centroids(&self.pool, scope))
    }
}
