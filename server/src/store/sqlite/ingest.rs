//! SQLite ingest: one batch in one IMMEDIATE transaction — the batch id claimed once, the
//! listing and each case written with its facts, the coverage summaries brought up to date
//! before the commit.

use census_core::wire::{BatchReply, CaseOutcome, CaseResult};
use rusqlite::{Connection, OptionalExtension, params};

use crate::facts::FactsContext;
use crate::incoming::{IncomingBatch, IncomingCase};
use crate::store::packed::PackedCase;
use crate::store::sqlite::{coverage, summaries};
use crate::store::{DeviceRecord, Ingested, Scope, StoreError, precheck};
use crate::summaries::Touched;
use crate::validate::ownership::{StoredCopy, WriteRule, decide};

fn now() -> String {
    chrono::Utc::now().to_rfc3339()
}

/// A case's columns that take CPU to build, built before the connection is locked so the
/// single writer only writes: the long-form text, the packed document and the packed events
/// (see [`PackedCase`]).
pub struct PreparedCase {
    long_form: Option<String>,
    packed: PackedCase,
}

impl PreparedCase {
    /// Builds a case's prepared columns.
    pub fn of(case: &IncomingCase) -> Result<PreparedCase, StoreError> {
        Ok(PreparedCase {
            long_form: case
                .long_form
                .as_ref()
                .map(serde_json::to_string)
                .transpose()?,
            packed: PackedCase::of(case),
        })
    }
}

/// Stores a verified batch (see `Storage::ingest_incoming`) on `tx`, inside the savepoint
/// the writer gives it in its commit group (see `group_commit`).
pub fn ingest_tx(
    tx: &Connection,
    prepared: &[PreparedCase],
    device: &DeviceRecord,
    payload: &IncomingBatch,
    accepted: &[(String, String)],
) -> Result<Ingested, StoreError> {
    let batch_key = payload.batch_id.to_string();
    let seen: Option<(String, String)> = tx
        .prepare_cached("SELECT device_id, reply FROM batches WHERE batch_id = ?1")?
        .query_row([&batch_key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((owner, reply)) = seen {
        if owner != device.device_id {
            return Err(StoreError::BatchIdTaken);
        }
        let reply: BatchReply = serde_json::from_str(&reply)?;
        return Ok(Ingested {
            reply,
            replayed: true,
        });
    }
    let received = now();
    let mut touched = Touched::default();
    let ctx = FactsContext {
        shapes: summaries::load_shapes(tx, &Scope::Districts(device.districts.clone()))?,
        items: payload.coverage_items.clone(),
    };
    let (_, skipped) = coverage::write_listing(tx, payload, device, &mut touched)?;
    if skipped > 0 {
        tracing::warn!(device = %device.device_id, skipped, "listing rows outside the device's districts skipped");
    }
    let mut results = Vec::with_capacity(payload.cases.len());
    for (case, prepared) in payload.cases.iter().zip(prepared) {
        let outcome = match precheck(case, device, accepted) {
            Some(reason) => CaseOutcome::Rejected { reason },
            None => store_case(
                tx,
                case,
                prepared,
                device,
                (&batch_key, &received),
                (&ctx, &mut touched),
            )?,
        };
        results.push(CaseResult {
            case_id: case.case_id,
            revision: case.revision,
            outcome,
        });
    }
    summaries::apply(tx, &touched)?;
    let reply = BatchReply {
        batch_id: payload.batch_id,
        results,
    };
    tx.prepare_cached(
        "INSERT INTO batches (batch_id, device_id, received_at, case_count, reply)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        batch_key,
        device.device_id,
        received,
        payload.cases.len() as i64,
        serde_json::to_string(&reply)?
    ])?;
    Ok(Ingested {
        reply,
        replayed: false,
    })
}

fn store_case(
    tx: &Connection,
    case: &IncomingCase,
    prepared: &PreparedCase,
    device: &DeviceRecord,
    (batch_key, received): (&str, &str),
    (ctx, touched): (&FactsContext, &mut Touched),
) -> Result<CaseOutcome, StoreError> {
    let case_key = case.case_id.to_string();
    let existing: Option<(StoredCopy, i64)> = tx
        .prepare_cached(
            "SELECT revision, district_id, device_id, last_seq FROM cases WHERE case_id = ?1",
        )?
        .query_row([&case_key], |r| {
            let copy = StoredCopy {
                revision: r.get(0)?,
                district_id: r.get(1)?,
                device_id: r.get(2)?,
            };
            Ok((copy, r.get(3)?))
        })
        .optional()?;
    let revision = case.revision as i64;
    match decide(
        existing.as_ref().map(|e| &e.0),
        case.revision,
        &device.device_id,
        &device.districts,
    ) {
        WriteRule::Write => {}
        WriteRule::AlreadyHad => return Ok(CaseOutcome::AlreadyHad),
        WriteRule::Refuse(reason) => return Ok(CaseOutcome::Rejected { reason }),
    }
    let last_seq = existing.map_or(0, |e| e.1);
    if let Some(after) = case.events_gap(last_seq) {
        return Ok(CaseOutcome::NeedsEvents { after });
    }
    let max_seq = case.max_seq();
    tx.prepare_cached(
        "INSERT INTO cases (case_id, revision, district_id, building_number, dwelling_number,
           household_number, questionnaire_id, questionnaire_version, status, long_form,
           case_json, updated_at, device_id, batch_id, received_at, last_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
         ON CONFLICT (case_id) DO UPDATE SET revision = excluded.revision,
           district_id = excluded.district_id, building_number = excluded.building_number,
           dwelling_number = excluded.dwelling_number,
           household_number = excluded.household_number,
           questionnaire_id = excluded.questionnaire_id,
           questionnaire_version = excluded.questionnaire_version, status = excluded.status,
           long_form = excluded.long_form, case_json = excluded.case_json,
           updated_at = excluded.updated_at, device_id = excluded.device_id,
           batch_id = excluded.batch_id, received_at = excluded.received_at,
           last_seq = excluded.last_seq",
    )?
    .execute(params![
        case_key,
        revision,
        case.district_id,
        case.building_number,
        case.dwelling_number,
        case.household_number,
        case.questionnaire_id,
        case.questionnaire_version,
        case.status,
        prepared.long_form,
        prepared.packed.case,
        case.updated_at,
        device.device_id,
        batch_key,
        received,
        max_seq.max(last_seq),
    ])?;
    let events = prepared.packed.events_after(case, last_seq);
    if let Some((count, packed)) = events.map_err(StoreError::Backend)? {
        tx.prepare_cached(
            "INSERT OR IGNORE INTO case_events (case_id, revision, event_count, events)
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![case_key, revision, count as i64, &*packed])?;
    }
    coverage::write_facts(tx, case, device, last_seq, (ctx, touched))?;
    Ok(CaseOutcome::Stored)
}
