//! API errors: a status and a JSON [`ErrorBody`] with a stable code and words.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use census_core::wire::{ErrorBody, WireError};

use crate::store::StoreError;

/// An error reply.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine code.
    pub code: &'static str,
    /// Explanation.
    pub message: String,
    /// Seconds to wait (429).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with `status`, `code` and `message`.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 401: no or unknown bearer token.
    pub fn unauthorised() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unknown_device",
            "this device is not enrolled (missing, unknown or revoked token): enrol it with a \
             code",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.code.to_owned(),
            message: self.message,
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

impl From<WireError> for ApiError {
    fn from(e: WireError) -> ApiError {
        let (status, code) = match &e {
            WireError::BadEnvelope(_) => (StatusCode::BAD_REQUEST, "bad_envelope"),
            WireError::UnknownDevice(_) => (StatusCode::UNAUTHORIZED, "unknown_device"),
            WireError::BadSignature => (StatusCode::FORBIDDEN, "bad_signature"),
            WireError::CannotDecrypt => (StatusCode::BAD_REQUEST, "cannot_decrypt"),
            WireError::CorruptGzip(_) => (StatusCode::BAD_REQUEST, "corrupt_gzip"),
            WireError::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            WireError::BadJson(_) => (StatusCode::BAD_REQUEST, "bad_json"),
            WireError::VersionTooNew { .. } => (StatusCode::BAD_REQUEST, "version_too_new"),
            WireError::Mismatch(_) => (StatusCode::BAD_REQUEST, "envelope_mismatch"),
            WireError::BadKey(_) => (StatusCode::BAD_REQUEST, "bad_key"),
            WireError::Crypto(_) => (StatusCode::INTERNAL_SERVER_ERROR, "crypto"),
        };
        ApiError::new(status, code, e.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let (status, code) = match &e {
            StoreError::CodeUnknown => (StatusCode::FORBIDDEN, "code_unknown"),
            StoreError::CodeUsed => (StatusCode::CONFLICT, "code_used"),
            StoreError::EnumeratorMismatch => (StatusCode::FORBIDDEN, "enumerator_mismatch"),
            StoreError::BatchIdTaken => (StatusCode::CONFLICT, "batch_id_taken"),
            StoreError::NoSuchCase(_) => (StatusCode::NOT_FOUND, "no_such_case"),
            StoreError::DeviceIdTaken => (StatusCode::CONFLICT, "device_id_taken"),
            StoreError::CaseChanged { .. } => (StatusCode::CONFLICT, "case_changed"),
            StoreError::NotComplete(_) => (StatusCode::CONFLICT, "case_not_complete"),
            StoreError::SchemaTooNew { .. } | StoreError::Backend(_) => {
                let m = e.to_string();
                tracing::error!(error = %crate::logsafe::text(&m), "storage failure");
                return ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "storage",
                    "the office's database failed; try again later",
                );
            }
        };
        ApiError::new(status, code, e.to_string())
    }
}
