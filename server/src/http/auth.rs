//! Who is asking: a reviewer's token (controller, supervisor, office) or an enrolled
//! device's (enumerator), from the `Authorization: Bearer` header or the review page's
//! session cookie. The scope — the districts the caller may read — is resolved here, on the
//! server, for every request. Handlers take the caller as an extractor: [`AuthedDevice`]
//! (an enrolled device, rate limited) or [`Principal`] (a reviewer or a device).

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use census_core::coverage::Level;

use super::{ApiError, AppState};
use crate::store::DeviceRecord;
use crate::store::{Role, Scope};
use crate::{logsafe, secrets};

/// The review page's session cookie.
pub const SESSION_COOKIE: &str = "census_session";

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
        tracing::warn!(device = %logsafe::text(&device.device_id), "rate limited");
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

/// The device a request's bearer token names, checked from the headers alone: as an
/// extractor before the body one, it refuses an unknown token before any body is read.
pub struct AuthedDevice(pub DeviceRecord);

impl FromRequestParts<Arc<AppState>> for AuthedDevice {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<AppState>,
    ) -> Result<AuthedDevice, ApiError> {
        authenticate(app, &parts.headers).await.map(AuthedDevice)
    }
}

/// A signed-in caller; as an extractor, the request's principal or 401.
#[derive(Debug, Clone)]
pub struct Principal {
    /// Name (reviewer) or enumerator id (device).
    pub name: String,
    /// Role.
    pub role: Role,
    /// The districts it may read.
    pub scope: Scope,
}

/// The value of the cookie `name` in the request, if any.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_owned())
}

/// The review page's session of a request: its cookie value and the token hash it names,
/// when the cookie is valid and unexpired (whether its holder is still live is asked of the
/// store, at every request).
pub fn page_session(app: &AppState, headers: &HeaderMap) -> Option<(String, [u8; 32])> {
    let value = cookie(headers, SESSION_COOKIE)?;
    let hash = app
        .sessions
        .as_ref()?
        .verify(&value, chrono::Utc::now().timestamp())?;
    Some((value, hash))
}

/// The token hash a request proves: its bearer token's, or its valid session cookie's.
pub fn request_identity(app: &AppState, headers: &HeaderMap) -> Option<[u8; 32]> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| secrets::token_hash(t.trim()));
    bearer.or_else(|| page_session(app, headers).map(|(_, hash)| hash))
}

/// Resolves a token hash to a principal; `None` when no one holds it.
pub async fn principal_of_hash(
    app: &AppState,
    hash: &[u8; 32],
) -> Result<Option<Principal>, ApiError> {
    if let Some(reviewer) = app.store.reviewer_by_token(hash).await? {
        let scope = if reviewer.scope_level == Level::National {
            Scope::All
        } else {
            Scope::Districts(
                app.store
                    .area_districts(reviewer.scope_level, &reviewer.scope_id)
                    .await?,
            )
        };
        return Ok(Some(Principal {
            name: reviewer.name,
            role: reviewer.role,
            scope,
        }));
    }
    Ok(app.store.device_by_token(hash).await?.map(|d| Principal {
        name: d.enumerator_id,
        role: Role::Enumerator,
        scope: Scope::Districts(d.districts),
    }))
}

/// The principal of a request, or 401.
pub async fn principal(app: &AppState, headers: &HeaderMap) -> Result<Principal, ApiError> {
    let hash = request_identity(app, headers).ok_or_else(signed_out)?;
    principal_of_hash(app, &hash).await?.ok_or_else(signed_out)
}

impl FromRequestParts<Arc<AppState>> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<AppState>,
    ) -> Result<Principal, ApiError> {
        principal(app, &parts.headers).await
    }
}

fn signed_out() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unknown_token",
        "sign in with the token the office issued you",
    )
}

/// 403 unless the principal may review.
pub fn require_reviewer(p: &Principal) -> Result<(), ApiError> {
    if p.role.may_review() {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not_a_reviewer",
            "only controllers, supervisors and the office approve or send back cases",
        ))
    }
}

/// 403 unless the principal is office staff.
pub fn require_office(p: &Principal) -> Result<(), ApiError> {
    if p.role == Role::Office {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "office_only",
            "publications are for the statistics office",
        ))
    }
}
