//! The review page (`/review`): a controller, supervisor or office user signs in with the
//! code or token the office issued, then sees the coverage of their area, what may be
//! missing or duplicated, a map, the queue of completed cases to read (`review_case`) and
//! approve or send back, and the decisions made. Rendered on the server, without script, in
//! Arabic, French or English (`page_text`); the session is an HttpOnly, SameSite=Strict
//! cookie signed by the server that names the token's hash and an expiry (`session`), never
//! the token. Every form — sign-in included — carries a token bound to its cookie, and every
//! response the security headers (`page_guard`, `html::security_headers`).

use std::fmt::Write as _;
use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use census_core::coverage::{CoverageReport, DuplicateKind, Level, OmissionKind, SuspicionKind};

use super::auth::{Principal, page_session, principal_of_hash, request_identity};
use super::coverage::{ReportQuery, build_report, narrowed, rules_of};
use super::html::{esc, page_in, security_headers};
use super::page_text::{PageLang, choose, switch_links};
use super::review_forms::{self, login_page};
use super::{ApiError, AppState, review_case, review_queue};
use crate::store::MapPoint;

type Shared = State<Arc<AppState>>;

/// Most decisions listed on the page.
const DECISIONS_SHOWN: u32 = 50;

/// The page's routes (method, path, handler).
pub fn route_table(state: &Arc<AppState>) -> Vec<super::Route> {
    // A decision's sign-in is checked before its body is read (`limits::signed_in_page`).
    let signed_in =
        axum::middleware::from_fn_with_state(Arc::clone(state), super::limits::signed_in_page);
    vec![
        ("GET", "/review", get(page)),
        ("POST", "/review/login", post(review_forms::login)),
        ("POST", "/review/logout", post(review_forms::logout)),
        ("GET", "/review/cases/{case_id}", get(review_case::page)),
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

/// What the page says about one case after a form it could not record, and the language
/// asked for (`/review?…`).
#[derive(Debug, Default, serde::Deserialize)]
pub struct PageNotice {
    /// A send-back was posted without a comment for this case.
    pub comment_required: Option<uuid::Uuid>,
    /// The language asked for (`ar`, `fr`, `en`), remembered in a cookie.
    pub lang: Option<String>,
}

/// Adds the language cookie to a response when the request chose a language.
pub fn remember(mut response: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(value) = cookie {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The signed-in principal of a page request: `Ok(None)` when nobody is signed in.
pub async fn signed_in(app: &AppState, headers: &HeaderMap) -> Result<Option<Principal>, ApiError> {
    match request_identity(app, headers) {
        Some(hash) => principal_of_hash(app, &hash).await,
        None => Ok(None),
    }
}

/// The forms' token: bound to the session cookie (none when the page was asked for with a
/// bearer token, which no form can post).
pub fn csrf_of(app: &AppState, headers: &HeaderMap) -> String {
    match (page_session(app, headers), app.sessions.as_ref()) {
        (Some((value, _)), Some(key)) => key.csrf_token(&value),
        _ => String::new(),
    }
}

/// The header's right side: the language switch, who is signed in and the sign-out form.
pub fn header_right(lang: PageLang, who: &Principal, csrf: &str, path: &str) -> String {
    let role = lang.t(&format!("web_role_{}", who.role.as_str()));
    format!(
        "{} {} <form method=\"post\" action=\"/review/logout\" class=\"inline\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <button>{}</button></form>",
        switch_links(lang, path),
        esc(&lang.fill("web_signed_in_as", &[("name", &who.name), ("role", role)])),
        esc(csrf),
        lang.h("reviewer_sign_out")
    )
}

/// `GET /review`.
pub async fn page_handler(
    app: &AppState,
    headers: &HeaderMap,
    q: &ReportQuery,
    notice: &PageNotice,
) -> Response {
    let (lang, cookie) = choose(headers, notice.lang.as_deref());
    let who = match signed_in(app, headers).await {
        Ok(Some(who)) => who,
        Ok(None) => {
            let page = login_page(app, headers, lang, "web_login_intro", StatusCode::OK);
            return remember(page, cookie);
        }
        Err(e) => return e.into_response(),
    };
    let csrf = csrf_of(app, headers);
    let result = async {
        let scope = narrowed(app, &who, q).await?;
        let report = build_report(app, &scope, rules_of(app, q)?).await?;
        let queue = app.store.review_queue(&scope, 200).await?;
        let points = app.store.map_points(&scope, 20_000).await?;
        let decisions = app.store.recent_decisions(&scope, DECISIONS_SHOWN).await?;
        let mut body = render(lang, &report, &points);
        body.push_str(&review_queue::queue(lang, &queue, &report, &csrf, notice));
        body.push_str(&review_queue::decisions(lang, &decisions));
        let right = header_right(lang, &who, &csrf, "/review");
        Ok::<_, ApiError>(page_in(lang, lang.t("web_title"), &right, &body))
    }
    .await;
    match result {
        Ok(html) => remember(Html(html).into_response(), cookie),
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

fn omission_key(kind: OmissionKind) -> &'static str {
    match kind {
        OmissionKind::OccupiedDwellingWithoutHousehold => "cov_map_not_enumerated",
        OmissionKind::FrameBuildingNotVisited => "web_frame_not_listed",
        OmissionKind::DistrictBehindSchedule => "web_district_behind",
    }
}

fn duplicate_key(kind: DuplicateKind) -> &'static str {
    match kind {
        DuplicateKind::SameHouseholdNumber => "web_dup_same_number",
        DuplicateKind::SameDwellingSameHead => "web_dup_same_head",
        DuplicateKind::SameHeadNearby => "web_dup_same_head_nearby",
    }
}

/// The colour of a map point's status, and the key of its name.
fn status_style(status: &str) -> (&'static str, &'static str) {
    match status {
        "complete" => ("#1b7f3b", "status_complete"),
        "in_progress" => ("#d39200", "status_in_progress"),
        "refused" => ("#8a1c00", "status_refused"),
        "absent" => ("#7a4fb5", "status_absent"),
        "vacant" => ("#777", "status_vacant"),
        "not_enumerated" => ("#e0218a", "cov_map_not_enumerated"),
        _ => ("#1f5fa8", "status_sent_back"),
    }
}

/// The SVG map of `points` (north up, west on the left whatever the page's direction),
/// with a ring around `highlight` (a case's own position) when given.
pub fn map_svg(lang: PageLang, points: &[MapPoint], highlight: Option<(f64, f64)>) -> String {
    if points.is_empty() && highlight.is_none() {
        return format!("<p>{}</p>", lang.h("cov_map_none"));
    }
    let (w, h) = (720.0, 420.0);
    let lat = points.iter().map(|p| p.lat).chain(highlight.map(|p| p.0));
    let lon = points.iter().map(|p| p.lon).chain(highlight.map(|p| p.1));
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
         aria-label=\"{}\" dir=\"ltr\">",
        lang.h("web_map_aria")
    );
    for p in points {
        let x = 10.0 + (p.lon - lon_min) / span * (h - 20.0);
        let y = h - 10.0 - (p.lat - lat_min) / span * (h - 20.0);
        let (colour, _) = status_style(&p.status);
        let _ = write!(
            svg,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"{colour}\"/>"
        );
    }
    if let Some((lat, lon)) = highlight {
        let x = 10.0 + (lon - lon_min) / span * (h - 20.0);
        let y = h - 10.0 - (lat - lat_min) / span * (h - 20.0);
        let _ = write!(
            svg,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"9\" fill=\"none\" stroke=\"#14365c\" \
             stroke-width=\"3\"/>"
        );
    }
    svg.push_str("</svg><p>●");
    for status in [
        "complete",
        "in_progress",
        "refused",
        "absent",
        "vacant",
        "not_enumerated",
    ] {
        let (_, key) = status_style(status);
        let _ = write!(svg, " <span class=\"s-{status}\">{}</span> ·", lang.h(key));
    }
    svg.pop();
    svg.push_str("</p>");
    svg
}

/// The coverage part of the page: totals, districts, suspected omissions, duplicates and
/// suspicious interviews, and the map.
pub fn render(lang: PageLang, report: &CoverageReport, points: &[MapPoint]) -> String {
    let t = &report.totals;
    let h = |key: &str| lang.h(key);
    let mut b = String::new();
    b.push_str("<div class=\"tot\">");
    for (key, n) in [
        ("cov_expected", t.expected_households),
        ("cov_dwellings", t.listed_dwellings),
        ("cov_complete", t.complete),
        ("cov_in_progress", t.in_progress),
        ("cov_refused", t.refused),
        ("cov_absent", t.absent),
        ("cov_persons", t.persons),
    ] {
        let _ = write!(b, "<div>{}<b>{n}</b></div>", h(key));
    }
    b.push_str("</div>");
    let _ = write!(
        b,
        "<h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>\
         <th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        h("cov_district"),
        h("cov_district"),
        h("cov_expected"),
        h("cov_dwellings"),
        h("web_occupied"),
        h("cov_complete"),
        h("cov_in_progress"),
        h("cov_refused"),
        h("cov_absent"),
        h("cov_persons"),
        h("web_on_schedule"),
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
                format!("<span class=\"warn\">{}</span>", h("web_behind"))
            } else {
                h("yes")
            },
            id = esc(&a.id)
        );
    }
    b.push_str("</table>");

    let count = |key: &str, n: usize| esc(&lang.fill(key, &[("n", &n.to_string())]));
    let _ = write!(
        b,
        "<h2>{}</h2>",
        count("cov_omissions", report.omissions.len())
    );
    if report.omissions.is_empty() {
        let _ = write!(b, "<p>{}</p>", h("web_none_found"));
    } else {
        let _ = write!(
            b,
            "<table><tr><th>{}</th><th class=\"t\">{}</th><th>{}</th><th>{}</th></tr>",
            h("cov_district"),
            h("web_col_what"),
            h("web_col_building"),
            h("web_col_dwelling")
        );
        for o in report.omissions.iter().take(500) {
            let _ = write!(
                b,
                "<tr><td>{}</td><td class=\"t\">{}</td><td>{}</td><td>{}</td></tr>",
                esc(&o.district_id),
                h(omission_key(o.kind)),
                o.building_number.map(|n| n.to_string()).unwrap_or_default(),
                o.dwelling_number.map(|n| n.to_string()).unwrap_or_default()
            );
        }
        b.push_str("</table>");
    }
    let _ = write!(
        b,
        "<h2>{}</h2>",
        count("cov_duplicates", report.duplicates.len())
    );
    if report.duplicates.is_empty() {
        let _ = write!(b, "<p>{}</p>", h("web_none_found"));
    } else {
        let _ = write!(
            b,
            "<table><tr><th>{}</th><th>{}</th><th class=\"t\">{}</th></tr>",
            h("web_col_why"),
            h("cov_district"),
            h("web_col_cases")
        );
        for g in report.duplicates.iter().take(500) {
            let cases: Vec<String> = g
                .case_ids
                .iter()
                .map(|c| format!("<a href=\"/review/cases/{c}\">{c}</a>"))
                .collect();
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td><td class=\"t\">{}</td></tr>",
                h(duplicate_key(g.kind)),
                esc(&g.district_ids.join(", ")),
                cases.join(" ")
            );
        }
        b.push_str("</table>");
    }
    let _ = write!(
        b,
        "<h2>{}</h2>",
        count("cov_suspicious", report.suspicious.len())
    );
    if report.suspicious.is_empty() {
        let _ = write!(b, "<p>{}</p>", h("web_none_found"));
    } else {
        let _ = write!(
            b,
            "<table><tr><th>{}</th><th class=\"t\">{}</th><th>{}</th><th>{}</th></tr>",
            h("web_col_case"),
            h("web_col_why"),
            h("cov_district"),
            h("web_col_enumerator")
        );
        for s in report.suspicious.iter().take(500) {
            let measure = format!("{:.0}", s.measure);
            let why = match s.kind {
                SuspicionKind::TooShort => {
                    let minutes = format!("{:.1}", s.measure / 60.0);
                    lang.fill("web_too_short", &[("minutes", &minutes)])
                }
                SuspicionKind::OutsideDistrict => lang.fill("web_outside", &[("metres", &measure)]),
            };
            let _ = write!(
                b,
                "<tr><td><a href=\"/review/cases/{id}\">{id}</a></td><td class=\"t\">{}</td>\
                 <td>{}</td><td>{}</td></tr>",
                esc(&why),
                esc(&s.district_id),
                esc(&s.enumerator_id),
                id = s.case_id
            );
        }
        b.push_str("</table>");
    }
    let _ = write!(b, "<h2>{}</h2>", h("cov_map"));
    b.push_str(&map_svg(lang, points, None));
    b
}
