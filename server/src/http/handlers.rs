//! Request handlers. Logs carry ids and counts only, never answers or names.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use census_core::wire::{
    BatchReply, CaseOutcome, EnrolReply, EnrolRequest, OfficeKey, ReviewDecisions, SignedBatch,
    WIRE_VERSION, b64_encode, decode_key32,
};
use serde::Deserialize;

use super::auth::AuthedDevice;
use super::downloads::{assignment_of, no_recovery_key, office_keys};
use super::{ApiError, AppState};
use crate::incoming::IncomingBatch;
use crate::store::{NewDevice, StoreError};
use crate::{logsafe, secrets, validate};

type Shared = State<Arc<AppState>>;
type ApiResult<T> = Result<Json<T>, ApiError>;

/// The oldest wire version the office reads (version 0 was never a release: a batch
/// claiming it is refused whole).
const MIN_WIRE_VERSION: u32 = 1;

/// Most questionnaires of one batch looked up among the published ones.
const MAX_PUBLISHED_LOOKUPS: usize = 8;

/// Most review decisions returned in one page.
const REVIEW_PAGE: u32 = 500;

pub async fn health() -> &'static str {
    "ok"
}

pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

pub async fn office_key(State(app): Shared) -> Json<OfficeKey> {
    Json(OfficeKey {
        office_public_key: b64_encode(&app.office.public_key()),
    })
}

fn body_error(rejection: BytesRejection) -> ApiError {
    let status = rejection.status();
    let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
        "too_large"
    } else {
        "bad_body"
    };
    ApiError::new(status, code, rejection.body_text())
}

pub async fn enrol(
    State(app): Shared,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<EnrolReply> {
    let body = body.map_err(body_error)?;
    let req: EnrolRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_json", e.to_string()))?;
    let public_key = decode_key32(&req.device_public_key)?;
    if req.device_id.is_empty() || req.device_id.len() > 255 || !logsafe::is_plain(&req.device_id) {
        tracing::warn!(device = %logsafe::text(&req.device_id), "enrolment refused: bad device id");
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_device_id",
            "the device id must be 1 to 255 bytes, without control characters or backslashes",
        ));
    }
    // Checked before the code is used: the office sets its key and the same code works.
    let keys = office_keys(&app).await?;
    if keys.recovery.is_none() {
        tracing::warn!("enrolment refused: the office has set no recovery key");
        return Err(no_recovery_key());
    }
    let token = secrets::generate_token()
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "crypto", e))?;
    let device = app
        .store
        .enrol(&NewDevice {
            code_hash: secrets::code_hash(&req.code),
            device_id: req.device_id.clone(),
            enumerator_id: req.enumerator_id.clone(),
            public_key,
            token_hash: secrets::token_hash(&token),
        })
        .await
        .inspect_err(|e| {
            if *e == StoreError::DeviceIdTaken {
                tracing::warn!(
                    device = %logsafe::text(&req.device_id),
                    "enrolment refused: the device id is bound to another key"
                );
            }
        })?;
    tracing::info!(
        device = %logsafe::text(&device.device_id),
        districts = device.districts.len(),
        "enrolled"
    );
    Ok(Json(EnrolReply {
        device_token: token,
        office_public_key: b64_encode(&app.office.public_key()),
        assignment: assignment_of(&app, &device, keys.clone()).await?,
        office_keys: Some(keys),
    }))
}

pub async fn batches(
    State(app): Shared,
    AuthedDevice(device): AuthedDevice,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<BatchReply> {
    let body = body.map_err(body_error)?;
    let envelope = SignedBatch::from_bytes(&body)?;
    if envelope.device_id != device.device_id {
        tracing::warn!(device = %logsafe::text(&device.device_id), "batch envelope names another device");
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forged",
            "the batch names another device than the one authenticated",
        ));
    }
    if envelope.wire_version < MIN_WIRE_VERSION {
        tracing::warn!(device = %device.device_id, version = envelope.wire_version, "batch refused: wire version too old");
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "version_too_old",
            format!(
                "wire version {} is not supported: this office reads wire versions \
                 {MIN_WIRE_VERSION} to {WIRE_VERSION}; update the application",
                envelope.wire_version
            ),
        ));
    }
    let opener = Arc::clone(&app);
    let key = device.public_key.clone();
    let limit = app.config.max_inflated_bytes;
    // Opening and checking every case is CPU work: off the async workers.
    let payload = tokio::task::spawn_blocking(move || {
        crate::office_keys::open_with_any(&envelope, &key, &opener.office, &opener.retired, limit)
    })
    .await
    .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "task failed"))?
    .map_err(|e| {
        tracing::warn!(
            device = %logsafe::text(&device.device_id),
            error = %logsafe::text(&e.to_string()),
            "batch refused"
        );
        ApiError::from(e)
    })?;
    let (payload, accepted) = check_cases(&app, payload).await?;
    let ingested = app
        .store
        .ingest_incoming(&device, &payload, &accepted)
        .await?;
    super::fault::hold_reply_after_commit(payload.batch_id).await;
    let count = |f: fn(&CaseOutcome) -> bool| {
        ingested
            .reply
            .results
            .iter()
            .filter(|r| f(&r.outcome))
            .count()
    };
    tracing::info!(
        device = %logsafe::text(&device.device_id),
        batch = %payload.batch_id,
        cases = payload.cases.len(),
        stored = count(|o| *o == CaseOutcome::Stored),
        already_had = count(|o| *o == CaseOutcome::AlreadyHad),
        rejected = count(|o| matches!(o, CaseOutcome::Rejected { .. })),
        replayed = ingested.replayed,
        "batch"
    );
    Ok(Json(ingested.reply))
}

#[derive(Debug, Deserialize)]
pub struct Since {
    /// Read as text and checked by [`cursor`]: a number the stores cannot hold must not
    /// wrap around to "everything".
    #[serde(default)]
    since: Option<String>,
}

/// The largest cursor: the stores keep cursors as signed 64-bit integers.
const MAX_CURSOR: u64 = i64::MAX as u64;

/// A cursor query parameter `name`: absent is 0, else a whole number 0..=i64::MAX (the
/// `next_cursor` of an earlier reply); anything else is a 400 in words.
pub fn cursor(name: &str, text: Option<&str>) -> Result<u64, ApiError> {
    let Some(text) = text else {
        return Ok(0);
    };
    text.parse::<u64>()
        .ok()
        .filter(|n| *n <= MAX_CURSOR && text.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| {
            let shown: String = text.chars().take(40).collect();
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_cursor",
                format!(
                    "{name} must be a whole number from 0 to {MAX_CURSOR} (the next_cursor \
                     of an earlier reply), not {shown:?}"
                ),
            )
        })
}

pub async fn reviews(
    State(app): Shared,
    AuthedDevice(device): AuthedDevice,
    query: Result<Query<Since>, QueryRejection>,
) -> ApiResult<ReviewDecisions> {
    let Query(Since { since }) =
        query.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_query", e.body_text()))?;
    let since = cursor("since", since.as_deref())?;
    let decisions = app
        .store
        .reviews_since(&device.districts, since, REVIEW_PAGE)
        .await?;
    let next_cursor = decisions.last().map_or(since, |d| d.cursor);
    Ok(Json(ReviewDecisions {
        decisions,
        next_cursor,
    }))
}

/// Checks every case of an opened batch against its questionnaire: those given to `serve`
/// and those published (looked up as the batch names them, so a questionnaire published
/// after the server started is accepted). Returns the batch, with the coverage items of its
/// questionnaires, and the (id, version) pairs accepted.
async fn check_cases(
    app: &Arc<AppState>,
    mut payload: IncomingBatch,
) -> Result<(IncomingBatch, Vec<(String, String)>), ApiError> {
    let given = &app.config.questionnaires;
    let mut wanted: Vec<(String, String)> = payload
        .cases
        .iter()
        .filter(|c| c.refused.is_none())
        .filter(|c| {
            given
                .get(&c.questionnaire_id, &c.questionnaire_version)
                .is_none()
        })
        .map(|c| (c.questionnaire_id.clone(), c.questionnaire_version.clone()))
        .collect();
    wanted.sort();
    wanted.dedup();
    // A batch naming many unknown questionnaires costs a few lookups, not one per name:
    // the cases of the others are refused as not accepted.
    wanted.truncate(MAX_PUBLISHED_LOOKUPS);
    let published = app.published.resolve(app.store.as_ref(), &wanted).await?;
    let (questionnaires, items) = if published.is_empty() {
        (given.clone(), app.config.coverage_items.clone())
    } else {
        // Publishing requires a coverage block, so every published file has one.
        let items = app
            .config
            .coverage_items
            .with(published.iter().filter_map(|q| {
                let (id, version) = (q.id().to_owned(), q.version().to_owned());
                q.coverage_items()
                    .ok()
                    .map(|items| (id, version, items.clone()))
            }));
        let all = given.iter().cloned().chain(published);
        (validate::Questionnaires::new(all), items)
    };
    let checker = questionnaires.clone();
    let mut payload = tokio::task::spawn_blocking(move || {
        let today = chrono::Utc::now().date_naive();
        validate::check_batch(&mut payload, &checker, today);
        payload
    })
    .await
    .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "task failed"))?;
    payload.coverage_items = items;
    Ok((payload, questionnaires.accepted()))
}
