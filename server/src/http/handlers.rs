//! Request handlers. Logs carry ids and counts only, never answers or names.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use census_core::wire::{
    Assignment, BatchReply, CaseOutcome, EnrolReply, EnrolRequest, OfficeKey, QuestionnaireList,
    ReviewDecisions, SignedBatch, WIRE_VERSION, b64_encode, decode_key32,
};
use serde::Deserialize;

use super::{ApiError, AppState};
use crate::incoming::open_incoming;
use crate::secrets;
use crate::store::{DeviceRecord, NewDevice};
use crate::validate;

type Shared = State<Arc<AppState>>;
type ApiResult<T> = Result<Json<T>, ApiError>;

/// The oldest wire version the office reads (version 0 was never a release: a batch
/// claiming it is refused whole).
const MIN_WIRE_VERSION: u32 = 1;

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

async fn authenticate(app: &AppState, headers: &HeaderMap) -> Result<DeviceRecord, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(ApiError::unauthorised)?;
    let device = app
        .store
        .device_by_token(&secrets::token_hash(token.trim()))
        .await?
        .ok_or_else(ApiError::unauthorised)?;
    if let Err(wait) = app.limiter.check(&device.device_id) {
        tracing::warn!(device = %device.device_id, "rate limited");
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many requests from this device; wait and retry",
        );
        e.retry_after = Some(wait.as_secs().max(1));
        return Err(e);
    }
    Ok(device)
}

async fn assignment_of(app: &AppState, device: &DeviceRecord) -> Result<Assignment, ApiError> {
    let districts = app.store.districts(&device.districts).await?;
    Ok(Assignment {
        enumerator_id: device.enumerator_id.clone(),
        districts: districts.iter().map(|d| d.to_assigned()).collect(),
    })
}

pub async fn enrol(
    State(app): Shared,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<EnrolReply> {
    let body = body.map_err(body_error)?;
    let req: EnrolRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_json", e.to_string()))?;
    let public_key = decode_key32(&req.device_public_key)?;
    if req.device_id.is_empty() || req.device_id.len() > 255 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_device_id",
            "the device id must be 1 to 255 bytes",
        ));
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
        .await?;
    tracing::info!(device = %device.device_id, districts = device.districts.len(), "enrolled");
    Ok(Json(EnrolReply {
        device_token: token,
        office_public_key: b64_encode(&app.office.public_key()),
        assignment: assignment_of(&app, &device).await?,
    }))
}

pub async fn batches(
    State(app): Shared,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<BatchReply> {
    let device = authenticate(&app, &headers).await?;
    let body = body.map_err(body_error)?;
    let envelope = SignedBatch::from_bytes(&body)?;
    if envelope.device_id != device.device_id {
        tracing::warn!(device = %device.device_id, "batch envelope names another device");
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
    let mut payload = tokio::task::spawn_blocking(move || {
        let mut payload = open_incoming(&envelope, &key, &opener.office, limit)?;
        let today = chrono::Utc::now().date_naive();
        validate::check_batch(&mut payload, &opener.config.questionnaires, today);
        Ok::<_, census_core::wire::WireError>(payload)
    })
    .await
    .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "task failed"))?
    .map_err(|e| {
        tracing::warn!(device = %device.device_id, error = %e, "batch refused");
        ApiError::from(e)
    })?;
    payload.coverage_items = app.config.coverage_items.clone();
    let accepted = app.config.questionnaires.accepted();
    let ingested = app
        .store
        .ingest_incoming(&device, &payload, &accepted)
        .await?;
    let count = |f: fn(&CaseOutcome) -> bool| {
        ingested
            .reply
            .results
            .iter()
            .filter(|r| f(&r.outcome))
            .count()
    };
    tracing::info!(
        device = %device.device_id,
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

pub async fn assignment(State(app): Shared, headers: HeaderMap) -> ApiResult<Assignment> {
    let device = authenticate(&app, &headers).await?;
    Ok(Json(assignment_of(&app, &device).await?))
}

#[derive(Debug, Deserialize)]
pub struct Since {
    #[serde(default)]
    since: u64,
}

pub async fn reviews(
    State(app): Shared,
    headers: HeaderMap,
    query: Result<Query<Since>, QueryRejection>,
) -> ApiResult<ReviewDecisions> {
    let device = authenticate(&app, &headers).await?;
    let Query(Since { since }) =
        query.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_query", e.body_text()))?;
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

pub async fn questionnaires(
    State(app): Shared,
    headers: HeaderMap,
) -> ApiResult<QuestionnaireList> {
    authenticate(&app, &headers).await?;
    Ok(Json(QuestionnaireList {
        questionnaires: app.config.questionnaires.refs(),
    }))
}
