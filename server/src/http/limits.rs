//! Per-client limits in front of the handlers: a token bucket per client address on
//! `/v1/enrol` and on failed authentications (answers 401), and sign-in checked from the
//! headers before a reviewer's POST body is read.
//!
//! On PostgreSQL the counts live in the database ([`crate::store::Storage::shared_bucket`]):
//! every instance behind a load balancer sees the same count, and a restart forgets none.
//! On SQLite (one serving process) they are kept in the process ([`RateLimiter`]), which is
//! also the fallback when the database cannot be asked.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::{ApiError, AppState, auth, html};
use crate::ratelimit::{BucketRule, RateLimiter};

/// Limits per client address (IPv4 address, or IPv6 /64 prefix).
#[derive(Debug, Clone)]
pub struct ClientLimits {
    /// Enrolment requests one address may send at once.
    pub enrol_burst: u32,
    /// Enrolment requests one address may send per minute, sustained.
    pub enrol_per_minute: f64,
    /// Failed authentications (401) one address may cause at once before it is refused.
    pub auth_failure_burst: u32,
    /// Failed authentications per minute, sustained, before the address is refused.
    pub auth_failures_per_minute: f64,
    /// A header naming the client's address, set by a trusted reverse proxy (e.g.
    /// `x-forwarded-for`: its last address is taken); `None`: the connection's peer.
    pub client_ip_header: Option<String>,
}

impl Default for ClientLimits {
    fn default() -> ClientLimits {
        ClientLimits {
            enrol_burst: 30,
            enrol_per_minute: 30.0,
            auth_failure_burst: 30,
            auth_failures_per_minute: 6.0,
            client_ip_header: None,
        }
    }
}

/// The per-address buckets.
#[derive(Debug)]
pub struct ClientBuckets {
    enrol: RateLimiter,
    failures: RateLimiter,
    enrol_rule: BucketRule,
    failure_rule: BucketRule,
}

/// The two per-address buckets.
#[derive(Debug, Clone, Copy)]
enum Bucket {
    Enrol,
    Failures,
}

impl ClientBuckets {
    /// Empty buckets sized by `limits`.
    pub fn new(limits: &ClientLimits) -> ClientBuckets {
        let enrol = (limits.enrol_burst, limits.enrol_per_minute / 60.0);
        let failures = (
            limits.auth_failure_burst,
            limits.auth_failures_per_minute / 60.0,
        );
        ClientBuckets {
            enrol: RateLimiter::new(enrol.0, enrol.1),
            failures: RateLimiter::new(failures.0, failures.1),
            enrol_rule: BucketRule::new(enrol.0, enrol.1),
            failure_rule: BucketRule::new(failures.0, failures.1),
        }
    }
}

/// Looks at (with `take`, takes a token of) a client's bucket: the database's when the
/// store shares them, else (or when the database cannot be asked) this process's.
async fn bucket(app: &AppState, which: Bucket, key: &str, take: bool) -> Result<(), Duration> {
    let b = &app.clients;
    let (name, limiter, rule) = match which {
        Bucket::Enrol => ("enrol", &b.enrol, b.enrol_rule),
        Bucket::Failures => ("auth-failures", &b.failures, b.failure_rule),
    };
    match app.store.shared_bucket(name, key, rule, take).await {
        Ok(Some(answer)) => return answer,
        Ok(None) => {}
        Err(e) => {
            tracing::warn!(error = %e, "shared rate limits unavailable: this instance counts alone")
        }
    }
    if take {
        limiter.check(key)
    } else {
        limiter.peek(key)
    }
}

/// The key a client is counted under: its IPv4 address, or its IPv6 /64 prefix (one
/// subscriber usually holds a whole /64).
pub fn client_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

fn header_ip(headers: &HeaderMap, name: &str) -> Option<IpAddr> {
    let value = headers.get_all(name).iter().next_back()?.to_str().ok()?;
    let last = value.rsplit(',').next()?.trim();
    last.parse::<IpAddr>()
        .ok()
        .or_else(|| last.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

/// The address a request is counted under.
fn request_key(app: &AppState, req: &Request) -> String {
    let from_header = app
        .config
        .clients
        .client_ip_header
        .as_deref()
        .and_then(|name| header_ip(req.headers(), name));
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    from_header
        .or(peer)
        .map_or_else(|| "unknown".to_owned(), client_key)
}

fn too_many(wait: Duration, message: &str) -> Response {
    let mut e = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message);
    e.retry_after = Some(wait.as_secs().max(1));
    e.into_response()
}

/// Paths no per-address limit applies to.
fn exempt(path: &str) -> bool {
    matches!(path, "/health" | "/v1/office-key")
}

/// Middleware: refuses an address that failed authentication too often (before any token
/// is looked up), limits `/v1/enrol` per address, and counts each 401 against the address.
pub async fn per_client(State(app): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if exempt(req.uri().path()) {
        return next.run(req).await;
    }
    let key = request_key(&app, &req);
    // Refusals are not logged one by one (a flood would flood the log): only when an
    // address starts being refused.
    if let Err(wait) = bucket(&app, Bucket::Failures, &key, false).await {
        return too_many(
            wait,
            "too many failed sign-ins from this address; wait and retry",
        );
    }
    if req.uri().path() == "/v1/enrol"
        && let Err(wait) = bucket(&app, Bucket::Enrol, &key, true).await
    {
        tracing::debug!(client = %key, "enrolment rate limited");
        return too_many(
            wait,
            "too many enrolment attempts from this address; wait and retry",
        );
    }
    let response = next.run(req).await;
    if response.status() == StatusCode::UNAUTHORIZED {
        let _ = bucket(&app, Bucket::Failures, &key, true).await;
        if bucket(&app, Bucket::Failures, &key, false).await.is_err() {
            tracing::warn!(client = %key, "too many failed authentications: address refused");
        }
    }
    response
}

/// Route middleware for authenticated API POSTs: 401 unless the headers carry a known token
/// or session, decided before the body is read (an unauthenticated upload is never read).
pub async fn signed_in(State(app): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    match auth::principal(&app, req.headers()).await {
        Ok(_) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

/// [`signed_in`] for the review page's forms: a page asking to sign in again (401).
pub async fn signed_in_page(
    State(app): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    match auth::principal(&app, req.headers()).await {
        Ok(_) => next.run(req).await,
        Err(e) if e.status == StatusCode::UNAUTHORIZED => {
            let lang = super::page_text::of_request(req.headers());
            let body = format!(
                "<h2>{}</h2><p><a href=\"/review\">{}</a></p>",
                lang.h("web_session_ended"),
                lang.h("reviewer_sign_in")
            );
            (
                StatusCode::UNAUTHORIZED,
                Html(html::page_in(lang, lang.t("web_title"), "", &body)),
            )
                .into_response()
        }
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_counted_by_prefix() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(client_key(mapped), "192.0.2.7");
    }

    #[test]
    fn the_proxy_header_gives_its_last_address() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            axum::http::HeaderValue::from_static("203.0.113.9, 198.51.100.4"),
        );
        assert_eq!(
            header_ip(&h, "x-forwarded-for"),
            "198.51.100.4".parse().ok()
        );
        assert_eq!(header_ip(&h, "x-real-ip"), None);
    }
}
