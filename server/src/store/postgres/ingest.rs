//! PostgreSQL ingest: one batch in one transaction — the batch id claimed (waiting for a
//! concurrent claim of the same id), the listing and the cases written with their statements
//! pipelined, the coverage summaries brought up to date before the commit.

use census_core::wire::{BatchReply, CaseOutcome, CaseResult};
use deadpool_postgres::{Pool, Transaction};
use futures_util::future::join_all;
use tokio_postgres::types::Json;
use uuid::Uuid;

use crate::facts::{FactsContext, FactsRow};
use crate::incoming::{IncomingBatch, IncomingCase};
use crate::store::packed::PackedCase;
use crate::store::postgres::schema::{INSERT_EVENTS, UPSERT_CASE};
use crate::store::postgres::{coverage, summaries};
use crate::store::{DeviceRecord, Ingested, Scope, StoreError, precheck};
use crate::summaries::{FactsBefore, Touched};
use crate::validate::ownership::{MAX_REVISION_STEP, StoredCopy, WriteRule, decide};

/// Upserts `case` if it is newer by a bounded step, of the device's districts and
/// belongs to the device (see `validate::ownership`): the case's previous
/// `last_seq` (0 for a new case), or `None` when nothing was written.
async fn upsert_case(
    tx: &Transaction<'_>,
    upsert: &tokio_postgres::Statement,
    (case, packed): (&IncomingCase, &PackedCase),
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
                &packed.case,
                &case.updated_at,
                &device.device_id,
                &batch_id,
                &device.districts,
                &case.max_seq(),
                &(MAX_REVISION_STEP as i64),
                &case.first_seq(),
            ],
        )
        .await?;
    Ok(written.map(|row| row.get::<_, i64>(0)))
}

/// A case's facts before and after it was written.
type FactsChange = (Option<FactsBefore>, FactsRow);

/// After [`upsert_case`]: stores the case's new events and facts, or tells why nothing was
/// written.
async fn finish_case(
    tx: &Transaction<'_>,
    insert: &tokio_postgres::Statement,
    (case, packed): (&IncomingCase, &PackedCase),
    device: &DeviceRecord,
    written: Option<i64>,
    ctx: &FactsContext,
) -> Result<(CaseOutcome, Option<FactsChange>), StoreError> {
    let Some(last_seq) = written else {
        let row = tx
            .query_opt(
                "SELECT revision, district_id, device_id, last_seq FROM cases WHERE case_id = $1",
                &[&case.case_id],
            )
            .await?;
        let (stored, last_seq) = match row {
            Some(row) => (
                Some(StoredCopy {
                    revision: row.try_get(0)?,
                    district_id: row.try_get(1)?,
                    device_id: row.try_get(2)?,
                }),
                row.try_get(3)?,
            ),
            None => (None, 0),
        };
        let outcome = match decide(
            stored.as_ref(),
            case.revision,
            &device.device_id,
            &device.districts,
        ) {
            WriteRule::AlreadyHad => CaseOutcome::AlreadyHad,
            WriteRule::Refuse(reason) => CaseOutcome::Rejected { reason },
            WriteRule::Write => match case.events_gap(last_seq) {
                Some(after) => CaseOutcome::NeedsEvents { after },
                None => CaseOutcome::Rejected {
                    reason: "the office could not store this case now: send it again".into(),
                },
            },
        };
        return Ok((outcome, None));
    };
    let events = packed.events_after(case, last_seq);
    if let Some((count, events)) = events.map_err(StoreError::Backend)? {
        tx.execute(
            insert,
            &[
                &case.case_id,
                &(case.revision as i64),
                &(count as i64),
                &&*events,
            ],
        )
        .await?;
    }
    let change = coverage::write_facts(tx, case, device, last_seq, ctx).await?;
    Ok((CaseOutcome::Stored, Some(change)))
}

/// Whether two cases of the batch share an id (then they are written one after another).
fn has_duplicate_ids(cases: &[IncomingCase]) -> bool {
    let mut seen = std::collections::HashSet::with_capacity(cases.len());
    cases.iter().any(|c| !seen.insert(c.case_id))
}

/// Writes the cases of a batch in `tx`, noting what the summaries must follow. The
/// statements of all cases are pipelined (sent without waiting for each reply: a few
/// round trips for the batch, not a few per case); they run in order, as if one after
/// another. A batch naming a case twice is written strictly one case after another.
async fn store_cases(
    tx: &Transaction<'_>,
    device: &DeviceRecord,
    payload: &IncomingBatch,
    accepted: &[(String, String)],
    touched: &mut Touched,
) -> Result<Vec<CaseOutcome>, StoreError> {
    let upsert = tx.prepare_cached(UPSERT_CASE).await?;
    let insert = tx.prepare_cached(INSERT_EVENTS).await?;
    let ctx = FactsContext {
        shapes: summaries::load_shapes(tx, &Scope::Districts(device.districts.clone())).await?,
        items: payload.coverage_items.clone(),
    };
    let packed: Vec<PackedCase> = payload.cases.iter().map(PackedCase::of).collect();
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
        for ((case, packed), check) in payload.cases.iter().zip(&packed).zip(checks) {
            let case = (case, packed);
            note(match check {
                Some(reason) => (CaseOutcome::Rejected { reason }, None),
                None => {
                    let written = upsert_case(tx, &upsert, case, device, payload.batch_id).await?;
                    finish_case(tx, &insert, case, device, written, &ctx).await?
                }
            });
        }
        return Ok(outcomes);
    }
    let written = join_all(
        payload
            .cases
            .iter()
            .zip(&packed)
            .zip(&checks)
            .map(|(case, check)| {
                let upsert = &upsert;
                async move {
                    match check {
                        Some(_) => Ok(None),
                        None => upsert_case(tx, upsert, case, device, payload.batch_id)
                            .await
                            .map(Some),
                    }
                }
            }),
    )
    .await;
    let finished = join_all(
        payload
            .cases
            .iter()
            .zip(&packed)
            .zip(written)
            .zip(&checks)
            .map(|((case, written), check)| {
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
                        (None, None) => Err(StoreError::Backend(
                            "case neither checked nor written".into(),
                        )),
                    }
                }
            }),
    )
    .await;
    for result in finished {
        note(result?);
    }
    Ok(outcomes)
}

/// Stores a verified batch (see `Storage::ingest_incoming`) in one transaction.
pub async fn ingest_tx(
    pool: &Pool,
    device: &DeviceRecord,
    payload: &IncomingBatch,
    accepted: &[(String, String)],
) -> Result<Ingested, StoreError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
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
        .await?;
    if claimed == 0 {
        let row = tx
            .query_one(
                "SELECT device_id, reply FROM batches WHERE batch_id = $1",
                &[&payload.batch_id],
            )
            .await?;
        let owner: String = row.get(0);
        if owner != device.device_id {
            return Err(StoreError::BatchIdTaken);
        }
        let reply: Option<Json<BatchReply>> = row.get(1);
        let reply = reply
            .ok_or_else(|| StoreError::Backend("stored batch has no reply".into()))?
            .0;
        return Ok(Ingested {
            reply,
            replayed: true,
        });
    }
    let mut touched = Touched::default();
    let (_, skipped) = coverage::write_listing(&tx, payload, device, &mut touched).await?;
    if skipped > 0 {
        tracing::warn!(device = %device.device_id, skipped, "listing rows outside the device's districts skipped");
    }
    let outcomes = store_cases(&tx, device, payload, accepted, &mut touched).await?;
    summaries::apply(&tx, &touched).await?;
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
    .await?;
    tx.commit().await?;
    Ok(Ingested {
        reply,
        replayed: false,
    })
}
