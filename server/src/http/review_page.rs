//! The review page (`/review`): a controller, supervisor or office user signs in with the
//! token the office issued, then sees the coverage of their area, what may be missing or
//! duplicated, a map, and the queue of completed cases to approve or send back. Rendered on
//! the server, without script; the session is an HttpOnly, SameSite=Strict cookie signed by
//! the server that names the token's hash and an expiry (`session`), never the token. Every
//! form — sign-in included — carries a token bound to its cookie, and every response the
//! security headers (`page_guard`, `html::security_headers`).

use std::fmt::Write as _;
use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use census_core::coverage::{CoverageReport, DuplicateKind, Level, OmissionKind, SuspicionKind};

use super::auth::{Principal, page_session, principal_of_hash, request_identity};
use super::coverage::{ReportQuery, build_report, narrowed, rules_of};
use super::html::{esc, page as html_page, security_headers};
use super::review_forms::{self, login_page};
use super::{ApiError, AppState};
use crate::store::{MapPoint, QueueEntry};

type Shared = State<Arc<AppState>>;

/// The page's title.
pub(super) const TITLE: &str = "Census coverage and review";

/// The page's routes (method, path, handler).
pub fn route_table(state: &Arc<AppState>) -> Vec<super::Route> {
    // A decision's sign-in is checked before its body is read (`limits::signed_in_page`).
    let signed_in =
        axum::middleware::from_fn_with_state(Arc::clone(state), super::limits::signed_in_page);
    vec![
        ("GET", "/review", get(page)),
        ("POST", "/review/login", post(review_forms::login)),
        ("POST", "/review/logout", post(review_forms::logout)),
        (
            "POST",
            "/review/cases/{case_id}",
            post(review_forms::decide).route_layer(signed_in),
        ),
    ]
}

/// The page's routes, each response with the security headers.
pub fn routes(state: &Arc<AppState>) -> Router<Arc<AppState>> {
    super::routed(route_table(state)).layer(axum::middleware::map_response(security_headers))
}

/// What the page says about one case after a form it could not record (`/review?…`).
#[derive(Debug, Default, serde::Deserialize)]
pub struct PageNotice {
    /// A send-back was posted without a comment for this case.
    pub comment_required: Option<uuid::Uuid>,
}

/// `GET /review`.
pub async fn page_handler(
    app: &AppState,
    headers: &HeaderMap,
    q: &ReportQuery,
    notice: &PageNotice,
) -> Response {
    let signed_in = match request_identity(app, headers) {
        Some(hash) => principal_of_hash(app, &hash).await,
        None => Ok(None),
    };
    let who = match signed_in {
        Ok(Some(who)) => who,
        Ok(None) => {
            return login_page(
                app,
                headers,
                "Use the token the statistics office gave you.",
                StatusCode::OK,
            );
        }
        Err(e) => return e.into_response(),
    };
    // The forms' token: bound to the session cookie (none when the page was asked for with
    // a bearer token, which no form can post).
    let csrf = match (page_session(app, headers), app.sessions.as_ref()) {
        (Some((value, _)), Some(key)) => key.csrf_token(&value),
        _ => String::new(),
    };
    let result = async {
        let scope = narrowed(app, &who, q).await?;
        let report = build_report(app, &scope, rules_of(app, q)?).await?;
        let queue = app.store.review_queue(&scope, 200).await?;
        let points = app.store.map_points(&scope, 20_000).await?;
        Ok::<_, ApiError>(render(&who, &report, &queue, &points, &csrf, notice))
    }
    .await;
    match result {
        Ok(html) => Html(html).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /review`.
pub async fn page(
    State(app): Shared,
    headers: HeaderMap,
    q: Result<Query<ReportQuery>, QueryRejection>,
    notice: Result<Query<PageNotice>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let notice = notice.map(|Query(n)| n).unwrap_or_default();
    page_handler(&app, &headers, &q, &notice).await
}

fn omission_text(kind: OmissionKind) -> &'static str {
    match kind {
        OmissionKind::OccupiedDwellingWithoutHousehold => "occupied dwelling without a household",
        OmissionKind::FrameBuildingNotVisited => "frame building never listed",
        OmissionKind::DistrictBehindSchedule => "district behind schedule",
    }
}

fn duplicate_text(kind: DuplicateKind) -> &'static str {
    match kind {
        DuplicateKind::SameHouseholdNumber => "same dwelling and household number",
        DuplicateKind::SameDwellingSameHead => "same head and size in one dwelling",
        DuplicateKind::SameHeadNearby => "same head and size close by",
    }
}

fn map_svg(points: &[MapPoint]) -> String {
    if points.is_empty() {
        return "<p>No positions recorded yet.</p>".into();
    }
    let (w, h) = (720.0, 420.0);
    let lat = points.iter().map(|p| p.lat);
    let lon = points.iter().map(|p| p.lon);
    let (lat_min, lat_max) = (
        lat.clone().fold(f64::MAX, f64::min),
        lat.fold(f64::MIN, f64::max),
    );
    let (lon_min, lon_max) = (
        lon.clone().fold(f64::MAX, f64::min),
        lon.fold(f64::MIN, f64::max),
    );
    let span = ((lat_max - lat_min).max(lon_max - lon_min)).max(1e-4);
    let mut svg = format!(
        "<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" \
         aria-label=\"dwellings by status\">"
    );
    for p in points {
        let x = 10.0 + (p.lon - lon_min) / span * (h - 20.0);
        let y = h - 10.0 - (p.lat - lat_min) / span * (h - 20.0);
        let colour = match p.status.as_str() {
            "complete" => "#1b7f3b",
            "in_progress" => "#d39200",
            "refused" => "#8a1c00",
            "absent" => "#7a4fb5",
            "vacant" => "#777",
            "not_enumerated" => "#e0218a",
            _ => "#1f5fa8",
        };
        let _ = write!(
            svg,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"{colour}\"/>"
        );
    }
    svg.push_str(
        "</svg><p>● <span class=\"s-complete\">complete</span> · \
        <span class=\"s-in_progress\">in progress</span> · \
        <span class=\"s-refused\">refused</span> · <span class=\"s-absent\">absent</span> · \
        <span class=\"s-vacant\">vacant</span> · \
        <span class=\"s-not_enumerated\">occupied, not enumerated</span></p>",
    );
    svg
}

/// The page of a report; `csrf` is the session's token, put in every form; `notice` marks
/// the queue row whose form could not be recorded.
pub fn render(
    who: &Principal,
    report: &CoverageReport,
    queue: &[QueueEntry],
    points: &[MapPoint],
    csrf: &str,
    notice: &PageNotice,
) -> String {
    let csrf = esc(csrf);
    let t = &report.totals;
    let mut b = String::new();
    let _ = write!(
        b,
        "<div class=\"tot\"><div>expected households<b>{}</b></div>\
         <div>dwellings listed<b>{}</b></div><div>complete<b>{}</b></div>\
         <div>in progress<b>{}</b></div><div>refused<b>{}</b></div>\
         <div>absent, revisit due<b>{}</b></div><div>persons<b>{}</b></div></div>",
        t.expected_households,
        t.listed_dwellings,
        t.complete,
        t.in_progress,
        t.refused,
        t.absent,
        t.persons
    );
    b.push_str(
        "<h2>Districts</h2><table><tr><th>district</th><th>expected households</th>\
        <th>dwellings listed</th><th>occupied</th><th>complete</th><th>in progress</th>\
        <th>refused</th><th>absent</th><th>persons</th><th>on schedule</th></tr>",
    );
    for a in report.level(Level::District).take(500) {
        let c = &a.counts;
        let _ = write!(
            b,
            "<tr><td><a href=\"/review?level=district&amp;id={id}\">{id}</a></td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td></tr>",
            c.expected_households,
            c.listed_dwellings,
            c.occupied_dwellings,
            c.complete,
            c.in_progress,
            c.refused,
            c.absent,
            c.persons,
            if a.districts_behind > 0 {
                "<span class=\"warn\">behind</span>"
            } else {
                "yes"
            },
            id = esc(&a.id)
        );
    }
    b.push_str("</table>");

    let _ = write!(
        b,
        "<h2>Suspected omissions ({})</h2>",
        report.omissions.len()
    );
    if report.omissions.is_empty() {
        b.push_str("<p>None found.</p>");
    } else {
        b.push_str(
            "<table><tr><th>district</th><th>what</th><th>building</th><th>dwelling</th></tr>",
        );
        for o in report.omissions.iter().take(500) {
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&o.district_id),
                omission_text(o.kind),
                o.building_number.map(|n| n.to_string()).unwrap_or_default(),
                o.dwelling_number.map(|n| n.to_string()).unwrap_or_default()
            );
        }
        b.push_str("</table>");
    }
    let _ = write!(
        b,
        "<h2>Suspected duplicates ({})</h2>",
        report.duplicates.len()
    );
    if report.duplicates.is_empty() {
        b.push_str("<p>None found.</p>");
    } else {
        b.push_str("<table><tr><th>why</th><th>districts</th><th>cases</th></tr>");
        for g in report.duplicates.iter().take(500) {
            let cases: Vec<String> = g.case_ids.iter().map(|c| c.to_string()).collect();
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                duplicate_text(g.kind),
                esc(&g.district_ids.join(", ")),
                esc(&cases.join(" "))
            );
        }
        b.push_str("</table>");
    }
    let _ = write!(
        b,
        "<h2>Suspicious interviews ({})</h2>",
        report.suspicious.len()
    );
    if report.suspicious.is_empty() {
        b.push_str("<p>None found.</p>");
    } else {
        b.push_str("<table><tr><th>case</th><th>why</th><th>district</th><th>enumerator</th></tr>");
        for s in report.suspicious.iter().take(500) {
            let why = match s.kind {
                SuspicionKind::TooShort => format!("too short: {:.0} s", s.measure),
                SuspicionKind::OutsideDistrict => {
                    format!("{:.0} m outside the district", s.measure)
                }
            };
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                s.case_id,
                why,
                esc(&s.district_id),
                esc(&s.enumerator_id)
            );
        }
        b.push_str("</table>");
    }
    b.push_str("<h2>Map of dwellings</h2>");
    b.push_str(&map_svg(points));

    let _ = write!(b, "<h2>Review queue ({})</h2>", queue.len());
    if queue.is_empty() {
        b.push_str("<p>No completed case is waiting.</p>");
    } else {
        b.push_str(
            "<table><tr><th>case</th><th>district / building / dwelling / household</th>\
            <th>persons</th><th>minutes</th><th>enumerator</th><th>decision</th></tr>",
        );
        for e in queue {
            // A send-back posted without a comment comes back here, on its own row, with
            // the comment field ready for the words the enumerator needs.
            let missing_comment = notice.comment_required == Some(e.case_id);
            if missing_comment {
                let _ = write!(
                    b,
                    "<tr><td colspan=\"6\"><p class=\"warn\" role=\"alert\">To send case \
                     {id} back, write what the enumerator must correct.</p></td></tr>",
                    id = e.case_id
                );
            }
            let autofocus = if missing_comment { " autofocus" } else { "" };
            let _ = write!(
                b,
                "<tr id=\"case-{id}\"><td>{id}</td><td>{} / {} / {} / {}</td><td>{}</td><td>{}</td><td>{}</td>\
                 <td><form method=\"post\" action=\"/review/cases/{id}\">\
                 <input type=\"hidden\" name=\"revision\" value=\"{rev}\">\
                 <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                 <input type=\"text\" name=\"comment\" placeholder=\"comment\" \
                 aria-label=\"comment\"{autofocus}> <button name=\"decision\" value=\"approved\">Approve</button>\
                 <button name=\"decision\" value=\"sent_back\">Send back</button></form></td></tr>",
                esc(&e.district_id),
                e.building_number,
                e.dwelling_number,
                e.household_number
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
                e.persons,
                e.minutes,
                esc(&e.enumerator_id),
                id = e.case_id,
                rev = e.revision
            );
        }
        b.push_str("</table>");
    }
    let right = format!(
        "{} ({}) <form method=\"post\" action=\"/review/logout\" class=\"inline\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <button>Sign out</button></form>",
        esc(&who.name),
        who.role.as_str()
    );
    html_page(TITLE, &right, &b)
}
