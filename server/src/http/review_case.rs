//! A case's page (`GET /review/cases/{case_id}`): where it is, every answer with its
//! question's text in the page's language, the soft checks confirmed with their notes, the
//! timeline of its events, its point on the district's map, the decisions already made, and
//! the approve / send-back form. Only for a case of the reviewer's area (404 otherwise, as
//! the API: a case elsewhere is not revealed to exist).

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use census_core::load::Questionnaire;
use uuid::Uuid;

use super::auth::Principal;
use super::coverage::visible_history;
use super::html::{esc, page_in};
use super::page_text::{PageLang, choose};
use super::review_answers::{answers, confirmations, timeline, when};
use super::review_forms::login_page;
use super::review_page::{csrf_of, header_right, map_svg, remember, signed_in};
use super::review_queue::{decision_form, decision_text, place};
use super::{ApiError, AppState};
use crate::store::{CaseHistory, MapPoint, Scope, StoredCase};

type Shared = State<Arc<AppState>>;

/// The case page's query: the language asked for.
#[derive(Debug, Default, serde::Deserialize)]
pub struct CaseQuery {
    /// `ar`, `fr` or `en`, remembered in a cookie.
    pub lang: Option<String>,
}

/// `GET /review/cases/{case_id}`.
pub async fn page(
    State(app): Shared,
    headers: HeaderMap,
    Path(case_id): Path<Uuid>,
    q: Result<Query<CaseQuery>, QueryRejection>,
) -> Response {
    let asked = q.ok().and_then(|Query(q)| q.lang);
    let (lang, cookie) = choose(&headers, asked.as_deref());
    let who = match signed_in(&app, &headers).await {
        Ok(Some(who)) => who,
        Ok(None) => {
            let page = login_page(&app, &headers, lang, "web_login_intro", StatusCode::OK);
            return remember(page, cookie);
        }
        Err(e) => return e.into_response(),
    };
    let page = case_page(
        &app,
        &headers,
        lang,
        &who,
        case_id,
        "",
        None,
        StatusCode::OK,
    )
    .await;
    remember(page, cookie)
}

/// The questionnaire a case names: one the server accepts, else a published one.
async fn questionnaire_of(app: &AppState, case: &StoredCase) -> Option<Arc<Questionnaire>> {
    let key = (
        case.questionnaire_id.clone(),
        case.questionnaire_version.clone(),
    );
    if let Some(q) = app.config.questionnaires.get(&key.0, &key.1) {
        return Some(Arc::clone(q));
    }
    match app.published.resolve(&*app.store, &[key]).await {
        Ok(found) => found.into_iter().next(),
        Err(e) => {
            tracing::warn!(case = %case.case_id, "questionnaire of a case: {e}");
            None
        }
    }
}

/// The case's position: its dwelling's GPS answer, else the first the device reported.
fn position(q: Option<&Questionnaire>, case: &StoredCase, h: &CaseHistory) -> Option<(f64, f64)> {
    let answered = q
        .and_then(|q| q.coverage_items().ok())
        .and_then(|items| census_core::coverage::case_content(&case.case, items).gps);
    answered.map(|g| (g.lat, g.lon)).or_else(|| {
        h.revisions
            .iter()
            .filter_map(|r| r.events.as_array())
            .flatten()
            .filter_map(|e| census_core::coverage::facts::gps_value(e.get("gps")?))
            .map(|g| (g.lat, g.lon))
            .next()
    })
}

/// A page saying the case is not in the reviewer's area.
fn not_found(lang: PageLang) -> Response {
    let body = format!(
        "<h2>{}</h2><p><a href=\"/review\">{}</a></p>",
        lang.h("web_no_such_case"),
        lang.h("web_back")
    );
    (
        StatusCode::NOT_FOUND,
        Html(page_in(lang, lang.t("web_title"), "", &body)),
    )
        .into_response()
}

/// The case page with `comment` in the form and `error` next to it (a refused decision),
/// answered with `status`.
#[allow(clippy::too_many_arguments)]
pub async fn case_page(
    app: &AppState,
    headers: &HeaderMap,
    lang: PageLang,
    who: &Principal,
    case_id: Uuid,
    comment: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let history = match visible_history(app, who, case_id).await {
        Ok(h) => h,
        Err(e) if e.status == StatusCode::NOT_FOUND => return not_found(lang),
        Err(e) => return e.into_response(),
    };
    let result = async {
        let Some(case) = app.store.stored_case(case_id).await? else {
            return Ok(None);
        };
        let q = questionnaire_of(app, &case).await;
        let district = Scope::Districts(vec![case.district_id.clone()]);
        let points = app.store.map_points(&district, 5_000).await?;
        Ok::<_, ApiError>(Some((case, q, points)))
    }
    .await;
    let (case, q, points) = match result {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(lang),
        Err(e) => return e.into_response(),
    };
    let csrf = csrf_of(app, headers);
    let body = render(
        lang,
        &case,
        q.as_deref(),
        &history,
        &points,
        &csrf,
        (comment, error),
    );
    let path = format!("/review/cases/{case_id}");
    let right = header_right(lang, who, &csrf, &path);
    (
        status,
        Html(page_in(lang, lang.t("web_title"), &right, &body)),
    )
        .into_response()
}

fn render(
    lang: PageLang,
    case: &StoredCase,
    q: Option<&Questionnaire>,
    history: &CaseHistory,
    points: &[MapPoint],
    csrf: &str,
    (comment, error): (&str, Option<&str>),
) -> String {
    let h = |key: &str| lang.h(key);
    let household = case
        .household_number
        .map(|n| n.to_string())
        .unwrap_or_else(|| "—".into());
    let heading = lang.fill(
        "web_case_heading",
        &[
            ("district", &case.district_id),
            ("building", &case.building_number.to_string()),
            ("dwelling", &case.dwelling_number.to_string()),
            ("household", &household),
        ],
    );
    let status_word = lang.t(&format!("status_{}", history.status));
    let questionnaire = format!("{} {}", case.questionnaire_id, case.questionnaire_version);
    let facts = lang.fill(
        "web_case_facts",
        &[
            (
                "status",
                if status_word.is_empty() {
                    &history.status
                } else {
                    status_word
                },
            ),
            ("revision", &history.revision.to_string()),
            ("questionnaire", &questionnaire),
        ],
    );
    let mut b = format!(
        "<p><a href=\"/review#case-{id}\">{}</a></p><h2>{}</h2><p>{}</p>",
        h("web_back"),
        esc(&heading),
        esc(&facts),
        id = case.case_id
    );
    if history.status != "complete" {
        b.push_str(&format!("<p class=\"warn\">{}</p>", h("web_not_complete")));
    }
    if q.is_none() {
        let text = lang.fill(
            "web_questionnaire_unknown",
            &[("questionnaire", &questionnaire)],
        );
        b.push_str(&format!("<p class=\"warn\">{}</p>", esc(&text)));
    }
    let sheet = answers(lang, q, &case.case);
    b.push_str(&format!("<h2>{}</h2>", h("web_answers")));
    b.push_str(&sheet.html);
    b.push_str(&confirmations(lang, q, &case.case, &sheet.labels));
    b.push_str(&timeline(lang, &history.revisions, &sheet.labels));

    b.push_str(&format!("<h2>{}</h2>", h("web_position")));
    match position(q, case, history) {
        Some((lat, lon)) => {
            b.push_str(&format!(
                "<p>{} <bdi>{lat:.5}</bdi> · {} <bdi>{lon:.5}</bdi></p>",
                h("latitude"),
                h("longitude")
            ));
            b.push_str(&map_svg(lang, points, Some((lat, lon))));
        }
        None => b.push_str(&format!("<p>{}</p>", h("web_no_position"))),
    }

    b.push_str(&format!(
        "<h2 id=\"decisions\">{}</h2>",
        esc(&lang.fill(
            "web_decisions",
            &[("n", &history.decisions.len().to_string())]
        ))
    ));
    if history.decisions.is_empty() {
        b.push_str(&format!("<p>{}</p>", h("web_no_decisions")));
    } else {
        b.push_str(&format!(
            "<table><tr><th>{}</th><th>{}</th><th class=\"t\">{}</th><th class=\"t\">{}</th>\
             <th class=\"t\">{}</th></tr>",
            h("web_col_when"),
            h("web_col_revision"),
            h("web_col_who"),
            h("web_col_decision"),
            h("web_col_comment")
        ));
        for d in history.decisions.iter().rev() {
            b.push_str(&format!(
                "<tr><td><bdi dir=\"ltr\">{}</bdi></td><td>{}</td><td class=\"t\">{}</td>\
                 <td class=\"t\">{}</td>\
                 <td class=\"t\">{}</td></tr>",
                esc(&when(&d.at)),
                d.revision,
                esc(d.reviewer.as_deref().unwrap_or("—")),
                decision_text(lang, &d.decision),
                esc(&d.comment)
            ));
        }
        b.push_str("</table>");
    }
    b.push_str(&format!(
        "<h2 id=\"decide\">{}</h2><p>{}</p>",
        h("web_your_decision"),
        place(
            &case.district_id,
            case.building_number,
            case.dwelling_number,
            case.household_number
        )
    ));
    if history
        .decisions
        .iter()
        .any(|d| d.revision == history.revision)
    {
        b.push_str(&format!("<p>{}</p>", h("web_already_decided")));
    }
    b.push_str(&decision_form(
        lang,
        case.case_id,
        history.revision,
        csrf,
        "case",
        comment,
        error,
    ));
    b
}
