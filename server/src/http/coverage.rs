//! The coverage and review API: reports of the caller's scope (narrowed by `level` and
//! `id`), CSV, map points, the review queue, decisions, case histories, and the office's
//! publications. Every read is limited to the caller's districts.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use census_core::coverage::publish::{self, csv_field};
use census_core::coverage::{CoverageReport, CoverageRules, Level, assemble};
use census_core::wire::Decision;
use serde::Deserialize;
use uuid::Uuid;

use super::auth::{Principal, require_office, require_reviewer};
use super::{ApiError, AppState};
use crate::logsafe;
use crate::store::{CaseHistory, MapPoint, NewReview, QueueEntry, Scope};

type Shared = State<Arc<AppState>>;

/// Most map points returned.
const MAP_LIMIT: u32 = 20_000;
/// Most queue entries returned.
const QUEUE_LIMIT: u32 = 500;

/// Narrowing and period of a report.
#[derive(Debug, Default, Deserialize)]
pub struct ReportQuery {
    /// Level to narrow to (`district`, `control_sector`, …).
    pub level: Option<String>,
    /// Area id at that level.
    pub id: Option<String>,
    /// First day of enumeration.
    pub start: Option<String>,
    /// Report day (default today).
    pub today: Option<String>,
}

fn bad_query(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad_query", message)
}

fn query_of(q: Result<Query<ReportQuery>, QueryRejection>) -> Result<ReportQuery, ApiError> {
    q.map(|Query(q)| q).map_err(|e| bad_query(e.body_text()))
}

fn valid_day(day: &str) -> Result<String, ApiError> {
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map(|d| d.format("%Y-%m-%d").to_string())
        .map_err(|_| bad_query(format!("{day:?} is not a date (YYYY-MM-DD)")))
}

/// The caller's scope narrowed to `level`/`id` (an area outside the scope gives nothing).
pub async fn narrowed(app: &AppState, who: &Principal, q: &ReportQuery) -> Result<Scope, ApiError> {
    let (Some(level), Some(id)) = (&q.level, &q.id) else {
        return Ok(who.scope.clone());
    };
    let level = Level::parse(level).ok_or_else(|| bad_query(format!("unknown level {level:?}")))?;
    if level == Level::National {
        return Ok(who.scope.clone());
    }
    let area = app.store.area_districts(level, id).await?;
    Ok(Scope::Districts(
        area.into_iter().filter(|d| who.scope.contains(d)).collect(),
    ))
}

/// The rules of a report from the query and the server's census period.
pub fn rules_of(app: &AppState, q: &ReportQuery) -> Result<CoverageRules, ApiError> {
    let today = match &q.today {
        Some(day) => valid_day(day)?,
        None => chrono::Utc::now().format("%Y-%m-%d").to_string(),
    };
    let start = match q.start.as_ref().or(app.config.census_start.as_ref()) {
        Some(day) => valid_day(day)?,
        None => today.clone(),
    };
    let mut rules = CoverageRules::new(&start, &today);
    rules.census_days = app.config.census_days;
    Ok(rules)
}

/// Builds the report of `scope`.
pub async fn build_report(
    app: &AppState,
    scope: &Scope,
    rules: CoverageRules,
) -> Result<CoverageReport, ApiError> {
    let gathered = app.store.gather_coverage(scope, &rules).await?;
    Ok(assemble(gathered, rules))
}

/// Who asks, the districts of the area asked for (within theirs), and the report's rules.
async fn asked_area(
    app: &AppState,
    who: Principal,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<(Principal, Scope, CoverageRules), ApiError> {
    let q = query_of(q)?;
    let scope = narrowed(app, &who, &q).await?;
    let rules = rules_of(app, &q)?;
    Ok((who, scope, rules))
}

/// `GET /v1/coverage`.
pub async fn report(
    State(app): Shared,
    who: Principal,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<CoverageReport>, ApiError> {
    let (who, scope, rules) = asked_area(&app, who, q).await?;
    let report = build_report(&app, &scope, rules).await?;
    tracing::info!(
        role = who.role.as_str(),
        districts = report.level(Level::District).count(),
        "coverage report"
    );
    Ok(Json(report))
}

fn csv_response(name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// Coverage per district as CSV.
pub fn districts_csv_text(report: &CoverageReport) -> String {
    let mut out = String::from(
        "district_id,expected_buildings,listed_buildings,expected_dwellings,listed_dwellings,\
         occupied_dwellings,expected_households,households,complete,in_progress,refused,\
         absent,vacant,persons,behind_schedule\n",
    );
    for a in report.level(Level::District) {
        let c = &a.counts;
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            csv_field(&a.id),
            c.expected_buildings,
            c.listed_buildings,
            c.expected_dwellings,
            c.listed_dwellings,
            c.occupied_dwellings,
            c.expected_households,
            c.households,
            c.complete,
            c.in_progress,
            c.refused,
            c.absent,
            c.vacant,
            c.persons,
            a.districts_behind > 0
        ));
    }
    out
}

/// `GET /v1/coverage/districts.csv`.
pub async fn districts_csv(
    State(app): Shared,
    who: Principal,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let (_, scope, rules) = asked_area(&app, who, q).await?;
    let report = build_report(&app, &scope, rules).await?;
    Ok(csv_response(
        "coverage-districts.csv",
        districts_csv_text(&report),
    ))
}

/// `GET /v1/coverage/map`.
pub async fn map(
    State(app): Shared,
    who: Principal,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<Vec<MapPoint>>, ApiError> {
    let scope = narrowed(&app, &who, &query_of(q)?).await?;
    Ok(Json(app.store.map_points(&scope, MAP_LIMIT).await?))
}

/// `GET /v1/review/queue`.
pub async fn queue(
    State(app): Shared,
    who: Principal,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<Vec<QueueEntry>>, ApiError> {
    let scope = narrowed(&app, &who, &query_of(q)?).await?;
    Ok(Json(app.store.review_queue(&scope, QUEUE_LIMIT).await?))
}

/// A decision posted by a reviewer, and the reply (shared with the tablets: census-core).
pub use census_core::wire::{DecisionReply, DecisionRequest};

/// The history of a case the caller may see, or 404 (a case outside the scope is not
/// revealed to exist).
pub async fn visible_history(
    app: &AppState,
    who: &Principal,
    case_id: Uuid,
) -> Result<CaseHistory, ApiError> {
    match app.store.case_history(case_id).await? {
        Some(h) if who.scope.contains(&h.district_id) => Ok(h),
        _ => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no_such_case",
            "no such case in your area",
        )),
    }
}

/// Records a decision after checking role, scope and comment. The store checks, in one
/// transaction with the case, that the case has not changed since the revision the reviewer
/// read (when they say) and that an approved case is complete (sending back is allowed at
/// any status: a controller may ask for a revisit of a case still in progress). The decision
/// keeps the reviewer's name and role, the office's time and the revision read.
pub async fn record_decision(
    app: &AppState,
    who: &Principal,
    case_id: Uuid,
    request: &DecisionRequest,
) -> Result<u64, ApiError> {
    let (decision, comment) = (request.decision, request.comment.as_str());
    require_reviewer(who)?;
    let comment = comment.trim();
    if decision == Decision::SentBack && comment.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "comment_required",
            "say what the enumerator must correct when sending a case back",
        ));
    }
    if comment.chars().count() > 2000 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "comment_too_long",
            "a comment has at most 2000 characters",
        ));
    }
    visible_history(app, who, case_id).await?;
    let cursor = app
        .store
        .record_review(&NewReview {
            case_id,
            decision,
            comment: comment.replace('\0', ""),
            reviewer: who.name.clone(),
            reviewer_role: who.role,
            revision_read: request.revision,
        })
        .await?;
    tracing::info!(
        case = %case_id,
        role = who.role.as_str(),
        reviewer = %logsafe::text(&who.name),
        cursor,
        "review decision"
    );
    Ok(cursor)
}

/// `POST /v1/review/cases/{case_id}`.
pub async fn decide(
    State(app): Shared,
    who: Principal,
    Path(case_id): Path<Uuid>,
    body: Result<Json<DecisionRequest>, JsonRejection>,
) -> Result<Json<DecisionReply>, ApiError> {
    let Json(req) =
        body.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_json", e.body_text()))?;
    let cursor = record_decision(&app, &who, case_id, &req).await?;
    Ok(Json(DecisionReply { cursor }))
}

/// `GET /v1/cases/{case_id}/history`.
pub async fn history(
    State(app): Shared,
    who: Principal,
    Path(case_id): Path<Uuid>,
) -> Result<Json<CaseHistory>, ApiError> {
    Ok(Json(visible_history(&app, &who, case_id).await?))
}

/// `GET /v1/office/population.csv`.
pub async fn population_csv(
    State(app): Shared,
    who: Principal,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let (who, scope, rules) = asked_area(&app, who, q).await?;
    require_office(&who)?;
    let report = build_report(&app, &scope, rules).await?;
    Ok(csv_response(
        "provisional-population.csv",
        publish::population_csv(&report),
    ))
}

/// `GET /v1/office/sampling-frame.csv`.
pub async fn sampling_frame_csv(
    State(app): Shared,
    who: Principal,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let (who, scope, rules) = asked_area(&app, who, q).await?;
    require_office(&who)?;
    let gathered = app.store.gather_coverage(&scope, &rules).await?;
    let hierarchy: BTreeMap<String, [String; 5]> = gathered
        .districts
        .iter()
        .map(|d| {
            (
                d.district_id.clone(),
                [
                    d.control_sector.clone(),
                    d.supervision_zone.clone(),
                    d.commune.clone(),
                    d.province.clone(),
                    d.region.clone(),
                ],
            )
        })
        .collect();
    let report = assemble(gathered, rules);
    let centroids = app.store.centroids(&scope).await?;
    Ok(csv_response(
        "sampling-frame.csv",
        publish::sampling_frame_csv(&report, &hierarchy, &centroids),
    ))
}
