//! The office's HTTP API as seen from the tablet: one blocking `reqwest` client used only on
//! the sync thread (or in tests). Every failure becomes a [`SyncProblem`].
//!
//! TLS is rustls with the `ring` provider (installed once, process-wide, by
//! [`install_tls_provider`]), verifying the server against the platform's roots, or only
//! against the certificates given in [`SyncConfig::trusted_certificates`] when there are any.

use std::time::Duration;

use census_core::wire::{
    Assignment, BatchReply, DecisionReply, DecisionRequest, EnrolReply, EnrolRequest, ErrorBody,
    OfficeKey, ReviewDecisions,
};
use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use super::SyncConfig;
use super::problem::SyncProblem;
use crate::keys::ReviewerToken;

/// The server's paths (see `schemas/openapi.yaml`).
pub mod paths {
    /// Liveness probe (no authentication, cheap).
    pub const HEALTH: &str = "/health";
    /// Enrolment with a one-time code.
    pub const ENROL: &str = "/v1/enrol";
    /// Batch upload.
    pub const BATCHES: &str = "/v1/batches";
    /// The end of the tablet's log, for the office's support staff.
    pub const DIAGNOSTICS: &str = "/v1/diagnostics";
    /// The device's assignment.
    pub const ASSIGNMENT: &str = "/v1/assignment";
    /// Review decisions after a cursor (`?since=N`).
    pub const REVIEWS: &str = "/v1/reviews";
    /// The office's public key.
    pub const OFFICE_KEY: &str = "/v1/office-key";
    /// The coverage report of the caller's area (reviewer).
    pub const COVERAGE: &str = "/v1/coverage";
    /// The map points of the caller's area (reviewer).
    pub const COVERAGE_MAP: &str = "/v1/coverage/map";
    /// The review queue of the caller's area (reviewer).
    pub const REVIEW_QUEUE: &str = "/v1/review/queue";
    /// A decision on a case: `/v1/review/cases/{case_id}` (reviewer).
    pub const REVIEW_CASES: &str = "/v1/review/cases";
    /// A published questionnaire: `/v1/questionnaires/{id}/{version}`.
    pub const QUESTIONNAIRES: &str = "/v1/questionnaires";
}

/// The device's bearer token. Redacted in `Debug`, wiped on drop.
pub struct DeviceToken(Zeroizing<String>);

impl DeviceToken {
    /// Wraps a token.
    pub fn new(token: String) -> DeviceToken {
        DeviceToken(Zeroizing::new(token))
    }

    /// The token text, to store (encrypted) or send. Never log it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for DeviceToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceToken(<redacted>)")
    }
}

/// Installs rustls' `ring` crypto provider as the process default (once; later calls and an
/// already installed provider are fine).
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// What an HTTP exchange is, to word its failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exchange {
    Enrol,
    Authenticated,
    /// With a controller's or supervisor's reviewer token.
    Reviewer,
}

impl Exchange {
    /// The exchange's name for the log.
    fn name(self) -> &'static str {
        match self {
            Exchange::Enrol => "enrol",
            Exchange::Authenticated => "device",
            Exchange::Reviewer => "reviewer",
        }
    }
}

/// A connection to the office's server.
#[derive(Debug, Clone)]
pub struct OfficeClient {
    base: String,
    http: Client,
}

/// How long an idle connection to the office may be reused (below the office's 10 s).
const IDLE_CONNECTION_REUSE: Duration = Duration::from_secs(5);

impl OfficeClient {
    /// A client for the server at `config.server_url`.
    pub fn new(config: &SyncConfig) -> Result<OfficeClient, SyncProblem> {
        install_tls_provider();
        let mut builder = Client::builder()
            .timeout(config.timing.request_timeout)
            .connect_timeout(config.timing.connect_timeout)
            // The office closes a keep-alive connection idle for 10 s: never reuse one idle
            // that long (it could be closed under the next request).
            .pool_idle_timeout(IDLE_CONNECTION_REUSE)
            .user_agent(concat!("census-tablet/", env!("CARGO_PKG_VERSION")))
            .no_proxy();
        if !config.trusted_certificates.is_empty() {
            let mut certs = Vec::new();
            for pem in &config.trusted_certificates {
                let cert = reqwest::Certificate::from_pem(pem).map_err(|e| {
                    SyncProblem::Crypto(format!("the office certificate is not valid PEM: {e}"))
                })?;
                certs.push(cert);
            }
            builder = builder.tls_certs_only(certs);
        }
        let http = builder.build().map_err(|e| {
            SyncProblem::Crypto(format!("the connection could not be prepared: {e}"))
        })?;
        Ok(OfficeClient {
            base: config.server_url.trim_end_matches('/').to_owned(),
            http,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Whether the server answers its health probe (a cheap check before real work).
    pub fn is_reachable(&self) -> bool {
        self.http
            .get(self.url(paths::HEALTH))
            .timeout(Duration::from_secs(5))
            .send()
            .is_ok_and(|r| r.status().is_success())
    }

    /// Enrols the device with a one-time code.
    pub fn enrol(&self, request: &EnrolRequest) -> Result<EnrolReply, SyncProblem> {
        let req = self.http.post(self.url(paths::ENROL)).json(request);
        read_json(send(req)?, Exchange::Enrol)
    }

    /// Uploads one batch envelope; the reply holds one result per case.
    pub fn post_batch(
        &self,
        token: &DeviceToken,
        envelope: Vec<u8>,
    ) -> Result<BatchReply, SyncProblem> {
        let req = self
            .http
            .post(self.url(paths::BATCHES))
            .bearer_auth(token.expose_secret())
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(envelope);
        read_json(send(req)?, Exchange::Authenticated)
    }

    /// Sends the end of the tablet's log (plain text) to the office.
    pub fn post_diagnostics(&self, token: &DeviceToken, log: Vec<u8>) -> Result<(), SyncProblem> {
        let req = self
            .http
            .post(self.url(paths::DIAGNOSTICS))
            .bearer_auth(token.expose_secret())
            .header(reqwest::header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(log);
        read_body(send(req)?, Exchange::Authenticated).map(drop)
    }

    /// The device's current assignment.
    pub fn assignment(&self, token: &DeviceToken) -> Result<Assignment, SyncProblem> {
        let req = self
            .http
            .get(self.url(paths::ASSIGNMENT))
            .bearer_auth(token.expose_secret());
        read_json(send(req)?, Exchange::Authenticated)
    }

    /// A published questionnaire's file, as the text the office published.
    pub fn questionnaire(
        &self,
        token: &DeviceToken,
        id: &str,
        version: &str,
    ) -> Result<String, SyncProblem> {
        let segment = |s: &str| -> String {
            s.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                        char::from(b).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect()
        };
        let url = format!(
            "{}/{}/{}",
            self.url(paths::QUESTIONNAIRES),
            segment(id),
            segment(version)
        );
        let req = self.http.get(url).bearer_auth(token.expose_secret());
        let body = read_body(send(req)?, Exchange::Authenticated)?;
        String::from_utf8(body)
            .map_err(|_| SyncProblem::BadAnswer("the questionnaire is not UTF-8 text".to_owned()))
    }

    /// Review decisions after `cursor`.
    pub fn reviews(
        &self,
        token: &DeviceToken,
        cursor: u64,
    ) -> Result<ReviewDecisions, SyncProblem> {
        let req = self
            .http
            .get(format!("{}?since={cursor}", self.url(paths::REVIEWS)))
            .bearer_auth(token.expose_secret());
        read_json(send(req)?, Exchange::Authenticated)
    }

    /// A reviewer's download (`paths::COVERAGE`, `paths::REVIEW_QUEUE`) as the JSON text the
    /// office sent.
    pub fn reviewer_download(
        &self,
        token: &ReviewerToken,
        path: &str,
    ) -> Result<String, SyncProblem> {
        let req = self
            .http
            .get(self.url(path))
            .bearer_auth(token.expose_secret());
        let body = read_body(send(req)?, Exchange::Reviewer)?;
        String::from_utf8(body)
            .map_err(|_| SyncProblem::BadAnswer("the answer is not UTF-8 text".to_owned()))
    }

    /// Posts a reviewer's decision on a case.
    pub fn post_decision(
        &self,
        token: &ReviewerToken,
        case_id: uuid::Uuid,
        decision: &DecisionRequest,
    ) -> Result<DecisionReply, SyncProblem> {
        let req = self
            .http
            .post(format!("{}/{case_id}", self.url(paths::REVIEW_CASES)))
            .bearer_auth(token.expose_secret())
            .json(decision);
        read_json(send(req)?, Exchange::Reviewer)
    }

    /// The office's public key (no authentication).
    pub fn office_key(&self) -> Result<OfficeKey, SyncProblem> {
        read_json(
            send(self.http.get(self.url(paths::OFFICE_KEY)))?,
            Exchange::Authenticated,
        )
    }
}

fn send(request: RequestBuilder) -> Result<Response, SyncProblem> {
    // Any failure before an answer (no route, refused, reset, timeout) leaves the outcome
    // unknown: the same cases are sent again later, which the office deduplicates.
    request.send().map_err(|e| {
        if is_certificate_error(&e) {
            SyncProblem::Untrusted
        } else {
            SyncProblem::Offline
        }
    })
}

/// Whether the failure is the server's certificate being refused (somewhere in the chain of
/// causes, possibly wrapped in an I/O error).
fn is_certificate_error(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return matches!(
                tls,
                rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented
            );
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
            && is_certificate_error(inner)
        {
            return true;
        }
        next = e.source();
    }
    false
}

fn read_json<T: DeserializeOwned>(
    response: Response,
    exchange: Exchange,
) -> Result<T, SyncProblem> {
    let body = read_body(response, exchange)?;
    serde_json::from_slice(&body)
        .map_err(|e| SyncProblem::BadAnswer(format!("unexpected answer: {e}")))
}

/// The body of a successful answer, or the failure in words.
fn read_body(response: Response, exchange: Exchange) -> Result<Vec<u8>, SyncProblem> {
    let status = response.status();
    // A connection cut while the answer is read is a lost answer, not a refusal.
    let body = response.bytes().map_err(|_| SyncProblem::Offline)?;
    if status.is_success() {
        return Ok(body.to_vec());
    }
    crate::logs::http_status(exchange.name(), status.as_u16());
    let error = serde_json::from_slice::<ErrorBody>(&body).ok();
    let code = error.as_ref().map(|b| b.error.clone()).unwrap_or_default();
    let message = error
        .map(|b| b.message)
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned());
    Err(match (status, exchange) {
        (_, Exchange::Enrol) if code == "no_recovery_key" => SyncProblem::OfficeKeys(message),
        (StatusCode::TOO_MANY_REQUESTS, _) => SyncProblem::ServerTrouble,
        (s, _) if s.is_server_error() => SyncProblem::ServerTrouble,
        (
            StatusCode::BAD_REQUEST
            | StatusCode::UNAUTHORIZED
            | StatusCode::FORBIDDEN
            | StatusCode::NOT_FOUND
            | StatusCode::CONFLICT
            | StatusCode::GONE,
            Exchange::Enrol,
        ) => SyncProblem::EnrolmentCodeRefused(message),
        (StatusCode::UNAUTHORIZED, Exchange::Authenticated) => SyncProblem::NotRecognised,
        (StatusCode::UNAUTHORIZED, Exchange::Reviewer) => SyncProblem::ReviewerNotRecognised,
        _ => SyncProblem::Refused(message),
    })
}
