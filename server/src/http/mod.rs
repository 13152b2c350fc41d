//! The HTTP API (axum): routes, shared state, serving. Paths as in `schemas/openapi.yaml`.

mod auth;
#[cfg(test)]
mod catch_panic_tests;
mod coverage;
pub mod diagnostics;
mod downloads;
mod error;
mod fault;
mod handlers;
mod html;
pub mod limits;
mod page_guard;
mod page_text;
mod review_answers;
mod review_case;
mod review_forms;
mod review_page;
mod review_queue;
pub mod serving;
pub mod session;
mod timed_body;

use session::SessionKey;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodRouter, get, post};
use census_core::wire::OfficeSecret;
use tokio::net::TcpListener;

pub use error::ApiError;

use crate::ratelimit::RateLimiter;
use crate::store::Storage;

/// Tunables of the HTTP service.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest request body accepted for a batch (bytes).
    pub max_batch_bytes: usize,
    /// Largest inflated batch payload (bytes).
    pub max_inflated_bytes: usize,
    /// Per-device burst of requests.
    pub rate_burst: u32,
    /// Per-device sustained requests per second.
    pub rate_per_second: f64,
    /// The questionnaires accepted, each case checked against its own (default: the
    /// bundled census questionnaire).
    pub questionnaires: crate::validate::Questionnaires,
    /// First day of enumeration (`YYYY-MM-DD`), for the schedule in coverage reports;
    /// `None`: the report's day (nothing is behind schedule).
    pub census_start: Option<String>,
    /// Days of enumeration.
    pub census_days: u32,
    /// The items coverage reads, per questionnaire (from `--questionnaire-file`).
    pub coverage_items: crate::facts::CoverageItems,
    /// Connection cap and read timeouts.
    pub connections: serving::ConnectionLimits,
    /// Per-address limits (enrolment, failed authentications).
    pub clients: limits::ClientLimits,
    /// Where tablets' diagnostics are kept (`POST /v1/diagnostics`), one folder per device;
    /// `None`: they are refused (503). `serve` uses `DATA_DIR/diagnostics`.
    pub diagnostics_dir: Option<std::path::PathBuf>,
}

impl Default for ServerConfig {
    /// The bundled census questionnaire accepted, coverage reading it through its own
    /// `coverage` block.
    fn default() -> ServerConfig {
        let questionnaires = crate::validate::Questionnaires::default();
        let coverage_items =
            crate::facts::CoverageItems::of_questionnaires(questionnaires.iter().map(|q| &**q))
                .unwrap_or_default();
        ServerConfig {
            max_batch_bytes: 32 * 1024 * 1024,
            max_inflated_bytes: census_core::wire::MAX_INFLATED_BYTES,
            rate_burst: 60,
            rate_per_second: 2.0,
            questionnaires,
            census_start: None,
            census_days: 30,
            coverage_items,
            connections: serving::ConnectionLimits::default(),
            clients: limits::ClientLimits::default(),
            diagnostics_dir: None,
        }
    }
}

/// Largest enrolment request body (bytes).
pub const MAX_ENROL_BYTES: usize = 64 * 1024;

/// Largest body of any other request but a batch (review decisions, sign-in forms).
pub const MAX_SMALL_BODY_BYTES: usize = 64 * 1024;

/// What every handler shares.
pub struct AppState {
    /// Storage.
    pub store: Arc<dyn Storage>,
    /// The office's current batch key (opens batches; its public half is announced).
    pub office: OfficeSecret,
    /// Batch keys rotated out (`census-server rotate-batch-key`): batches sealed to them
    /// still open.
    pub retired: Vec<OfficeSecret>,
    /// Published questionnaires compiled by this instance.
    pub published: crate::published::PublishedCache,
    /// Tunables.
    pub config: ServerConfig,
    /// Per-device rate limit.
    pub limiter: RateLimiter,
    /// Per-address limits.
    pub clients: limits::ClientBuckets,
    /// Requests that panicked (answered 500 by the last-resort layer): a defect each.
    pub panics: std::sync::atomic::AtomicU64,
    /// Signs the review page's sessions (`None` only if the system gave no randomness; then
    /// the page cannot sign anyone in and says so).
    pub sessions: Option<SessionKey>,
}

impl AppState {
    /// Shared state from its parts, with the session key every instance on this database
    /// derives alike (see [`session::SessionKey::derive`]): what `census-server serve` runs.
    pub async fn shared(
        store: Arc<dyn Storage>,
        office: OfficeSecret,
        config: ServerConfig,
    ) -> Result<Arc<Self>, String> {
        AppState::shared_with_keys(
            store,
            crate::office_keys::BatchKeys {
                current: office,
                retired: Vec::new(),
            },
            config,
        )
        .await
    }

    /// [`AppState::shared`] with retired batch keys too (what `serve` runs).
    pub async fn shared_with_keys(
        store: Arc<dyn Storage>,
        keys: crate::office_keys::BatchKeys,
        config: ServerConfig,
    ) -> Result<Arc<Self>, String> {
        let office = keys.current;
        let secret = store
            .shared_secret(session::SESSION_SECRET)
            .await
            .map_err(|e| format!("cannot read the review sessions' secret: {e}"))?;
        let key = SessionKey::derive(&office.to_secret_bytes_dangerous()[..], &secret);
        let mut state = AppState::new(store, office, config);
        match Arc::get_mut(&mut state) {
            Some(s) => {
                s.sessions = Some(key);
                s.retired = keys.retired;
            }
            None => return Err("the server state is shared before it is built".into()),
        }
        Ok(state)
    }

    /// Shared state from its parts, with a session key of this process only (tests).
    pub fn new(store: Arc<dyn Storage>, office: OfficeSecret, config: ServerConfig) -> Arc<Self> {
        let limiter = RateLimiter::new(config.rate_burst, config.rate_per_second);
        let clients = limits::ClientBuckets::new(&config.clients);
        Arc::new(AppState {
            store,
            office,
            retired: Vec::new(),
            published: crate::published::PublishedCache::default(),
            config,
            limiter,
            clients,
            panics: std::sync::atomic::AtomicU64::new(0),
            sessions: SessionKey::generate(),
        })
    }
}

/// A route: its method, its path (as in `schemas/openapi.yaml`) and what answers it.
pub type Route = (&'static str, &'static str, MethodRouter<Arc<AppState>>);

/// The API's routes (the review page's are in `review_page::routes`).
fn api_routes(state: &Arc<AppState>) -> Vec<Route> {
    let batch_limit = state.config.max_batch_bytes;
    let signed_in = from_fn_with_state(Arc::clone(state), limits::signed_in);
    vec![
        ("GET", "/health", get(handlers::health)),
        ("GET", "/v1/office-key", get(handlers::office_key)),
        (
            "POST",
            "/v1/enrol",
            post(handlers::enrol).layer(DefaultBodyLimit::max(MAX_ENROL_BYTES)),
        ),
        (
            "POST",
            "/v1/batches",
            post(handlers::batches).layer(DefaultBodyLimit::max(batch_limit)),
        ),
        (
            "POST",
            "/v1/diagnostics",
            post(diagnostics::diagnostics)
                .layer(DefaultBodyLimit::max(diagnostics::MAX_DIAGNOSTICS_BYTES)),
        ),
        ("GET", "/v1/assignment", get(downloads::assignment)),
        ("GET", "/v1/reviews", get(handlers::reviews)),
        ("GET", "/v1/questionnaires", get(downloads::questionnaires)),
        (
            "GET",
            "/v1/questionnaires/{id}/{version}",
            get(downloads::questionnaire_file),
        ),
        ("GET", "/v1/coverage", get(coverage::report)),
        (
            "GET",
            "/v1/coverage/districts.csv",
            get(coverage::districts_csv),
        ),
        ("GET", "/v1/coverage/map", get(coverage::map)),
        ("GET", "/v1/review/queue", get(coverage::queue)),
        (
            "POST",
            "/v1/review/cases/{case_id}",
            post(coverage::decide).route_layer(signed_in),
        ),
        ("GET", "/v1/cases/{case_id}/history", get(coverage::history)),
        (
            "GET",
            "/v1/office/population.csv",
            get(coverage::population_csv),
        ),
        (
            "GET",
            "/v1/office/sampling-frame.csv",
            get(coverage::sampling_frame_csv),
        ),
    ]
}

fn routed(routes: Vec<Route>) -> Router<Arc<AppState>> {
    routes
        .into_iter()
        .fold(Router::new(), |r, (_, path, handler)| {
            r.route(path, handler)
        })
}

/// Every route the server answers, as (method, path): what `schemas/openapi.yaml` must
/// document (its test checks that the router answers each with that method).
pub fn route_list(state: &Arc<AppState>) -> Vec<(&'static str, &'static str)> {
    api_routes(state)
        .into_iter()
        .chain(review_page::route_table(state))
        .map(|(method, path, _)| (method, path))
        .collect()
}

/// The application's routes.
pub fn router(state: Arc<AppState>) -> Router {
    routed(api_routes(&state))
        .merge(review_page::routes(&state))
        .fallback(handlers::not_found)
        .layer(DefaultBodyLimit::max(MAX_SMALL_BODY_BYTES))
        .layer(from_fn_with_state(Arc::clone(&state), limits::per_client))
        .layer(catch_panic(Arc::clone(&state)))
        .with_state(state)
}

/// The last resort: a handler that panics (a defect) is logged, counted in
/// [`AppState::panics`] and answered 500 with a JSON error, and the server goes on.
pub fn catch_panic(
    state: Arc<AppState>,
) -> tower_http::catch_panic::CatchPanicLayer<
    impl Fn(Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response + Clone,
> {
    tower_http::catch_panic::CatchPanicLayer::custom(
        move |panic: Box<dyn std::any::Any + Send + 'static>| {
            state
                .panics
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(panic = %what, "a request handler panicked (a defect)");
            axum::response::IntoResponse::into_response(ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the office server failed on this request; it has been logged",
            ))
        },
    )
}

/// Serves the API on `listener` until `shutdown` completes, within the configured
/// connection limits (`serving`).
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.config.connections.clone();
    serving::serve_limited(listener, router(state), &limits, shutdown).await
}
