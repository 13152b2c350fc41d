//! The review page's forms: sign-in (with its pre-session token), sign-out and decisions
//! (with the session's token). Each refuses a form that does not carry the token bound to
//! its cookie, or that the browser says came from another origin (`page_guard`). Pages are
//! in the language the request chose (`page_text`).

use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, Html, IntoResponse, Redirect, Response};
use census_core::wire::{Decision, DecisionRequest};
use serde::Deserialize;
use uuid::Uuid;

use super::auth::{SESSION_COOKIE, cookie, page_session, principal_of_hash};
use super::coverage::record_decision;
use super::html::{esc, page_in};
use super::page_guard::{LOGIN_COOKIE, cross_origin, over_tls, refused, set_cookie};
use super::page_text::{PageLang, of_request};
use super::review_case::case_page;
use super::session::{LOGIN_FORM_SECONDS, SESSION_SECONDS};
use super::{ApiError, AppState};
use crate::secrets;

type Shared = State<Arc<AppState>>;

fn no_sessions_page(lang: PageLang) -> Response {
    let body = format!(
        "<h2>{}</h2><p class=\"warn\">{}</p>",
        lang.h("reviewer_sign_in"),
        lang.h("web_no_sessions")
    );
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(page_in(lang, lang.t("web_title"), "", &body)),
    )
        .into_response()
}

/// The sign-in form in `lang`, saying the text of `message_key`, with a fresh pre-session
/// cookie and the form's token bound to it.
pub(super) fn login_page(
    app: &AppState,
    headers: &HeaderMap,
    lang: PageLang,
    message_key: &str,
    status: StatusCode,
) -> Response {
    let Some(key) = app.sessions.as_ref() else {
        return no_sessions_page(lang);
    };
    // A form already open in another tab keeps working: a valid pre-session cookie with
    // more than a few minutes left is kept, not replaced.
    let now = chrono::Utc::now().timestamp();
    let kept = cookie(headers, LOGIN_COOKIE).filter(|c| key.verify_login(c, now + 300));
    let Some(login_cookie) = kept.or_else(|| key.issue_login(now)) else {
        return no_sessions_page(lang);
    };
    let body = format!(
        "<h2>{title}</h2><p>{}</p><form method=\"post\" action=\"/review/login\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <label>{} <input type=\"password\" name=\"token\" autocomplete=\"off\" \
         required></label> <button type=\"submit\">{title}</button></form>",
        lang.h(message_key),
        esc(&key.login_form_token(&login_cookie)),
        lang.h("reviewer_code"),
        title = lang.h("reviewer_sign_in"),
    );
    let cookie = set_cookie(
        LOGIN_COOKIE,
        &login_cookie,
        "/review",
        LOGIN_FORM_SECONDS,
        over_tls(headers),
    );
    let right = super::page_text::switch_links(lang, "/review");
    (
        status,
        [(header::SET_COOKIE, cookie)],
        Html(page_in(lang, lang.t("web_title"), &right, &body)),
    )
        .into_response()
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    token: String,
    /// The form's token, bound to the pre-session cookie.
    #[serde(default)]
    csrf: String,
}

/// `POST /review/login`: only from the page's own sign-in form (its token and cookie).
pub async fn login(
    State(app): Shared,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let lang = of_request(&headers);
    let Some(key) = app.sessions.as_ref() else {
        return no_sessions_page(lang);
    };
    let from_our_form = cookie(&headers, LOGIN_COOKIE).is_some_and(|c| {
        key.verify_login(&c, chrono::Utc::now().timestamp())
            && key.verify_login_form(&c, &form.csrf)
    });
    if cross_origin(&headers) || !from_our_form {
        return login_page(
            &app,
            &headers,
            lang,
            "web_login_forged",
            StatusCode::FORBIDDEN,
        );
    }
    let hash = secrets::token_hash(form.token.trim());
    match principal_of_hash(&app, &hash).await {
        Ok(Some(_)) => {
            let secure = over_tls(&headers);
            let session = key.issue(&hash, chrono::Utc::now().timestamp());
            (
                AppendHeaders([
                    (
                        header::SET_COOKIE,
                        set_cookie(SESSION_COOKIE, &session, "/", SESSION_SECONDS, secure),
                    ),
                    (
                        header::SET_COOKIE,
                        set_cookie(LOGIN_COOKIE, "", "/review", 0, secure),
                    ),
                ]),
                Redirect::to("/review"),
            )
                .into_response()
        }
        Ok(None) => login_page(
            &app,
            &headers,
            lang,
            "review_code_unknown",
            StatusCode::UNAUTHORIZED,
        ),
        Err(e) => e.into_response(),
    }
}

/// A form posted by a signed-in page: its CSRF token.
#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

/// Whether the session's CSRF token came with the form, from the page's origin.
fn csrf_ok(app: &AppState, headers: &HeaderMap, session_cookie: &str, token: &str) -> bool {
    !cross_origin(headers)
        && app
            .sessions
            .as_ref()
            .is_some_and(|key| key.verify_csrf(session_cookie, token))
}

/// `POST /review/logout`.
pub async fn logout(
    State(app): Shared,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Response {
    if let Some((value, _)) = page_session(&app, &headers)
        && !csrf_ok(&app, &headers, &value, &form.csrf)
    {
        return refused(
            of_request(&headers),
            of_request(&headers).t("web_form_elsewhere"),
        );
    }
    (
        [(
            header::SET_COOKIE,
            set_cookie(SESSION_COOKIE, "", "/", 0, over_tls(&headers)),
        )],
        Redirect::to("/review"),
    )
        .into_response()
}

/// A decision from the page.
#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    decision: String,
    #[serde(default)]
    comment: String,
    /// The revision shown on the page.
    revision: Option<u64>,
    /// The session's CSRF token.
    #[serde(default)]
    csrf: String,
    /// The page that posted it: `case` (the case's page: a refusal is shown there, with the
    /// comment kept) or the queue (the default).
    #[serde(default)]
    from: String,
}

/// `POST /review/cases/{case_id}`: only from a signed-in page (its session cookie and the
/// session's token).
pub async fn decide(
    State(app): Shared,
    headers: HeaderMap,
    Path(case_id): Path<Uuid>,
    Form(form): Form<DecisionForm>,
) -> Response {
    let lang = of_request(&headers);
    let signed_out = |app: &AppState| {
        login_page(
            app,
            &headers,
            lang,
            "web_session_ended",
            StatusCode::UNAUTHORIZED,
        )
    };
    let Some((session, hash)) = page_session(&app, &headers) else {
        return signed_out(&app);
    };
    if !csrf_ok(&app, &headers, &session, &form.csrf) {
        return refused(lang, lang.t("web_form_elsewhere"));
    }
    let who = match principal_of_hash(&app, &hash).await {
        Ok(Some(who)) => who,
        Ok(None) => return signed_out(&app),
        Err(e) => return e.into_response(),
    };
    let decision: Decision = match form.decision.parse() {
        Ok(decision) => decision,
        Err(_) => {
            return ApiError::new(StatusCode::BAD_REQUEST, "bad_decision", "unknown decision")
                .into_response();
        }
    };
    let on_case_page = form.from == "case";
    // A comment the office cannot take comes back where it was typed, kept, with the
    // reason next to the field: on the case's page, or at the case's row of the queue.
    let missing = decision == Decision::SentBack && form.comment.trim().is_empty();
    let too_long = form.comment.trim().chars().count() > 2000;
    if missing || too_long {
        if !on_case_page {
            return Redirect::to(&format!(
                "/review?comment_required={case_id}#case-{case_id}"
            ))
            .into_response();
        }
        let error = lang.t(if missing {
            "review_comment_needed"
        } else {
            "web_comment_too_long"
        });
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return case_page(
            &app,
            &headers,
            lang,
            &who,
            case_id,
            &form.comment,
            Some(error),
            status,
        )
        .await;
    }
    let request = DecisionRequest {
        decision,
        comment: form.comment,
        revision: form.revision,
    };
    let back = if on_case_page {
        format!("/review/cases/{case_id}#decisions")
    } else {
        "/review#decisions".to_owned()
    };
    match record_decision(&app, &who, case_id, &request).await {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(e) if on_case_page && e.status != StatusCode::NOT_FOUND => {
            // Refused (the case changed since it was read, or is not complete): the case
            // again, as it is now, with the comment kept and the office's reason.
            case_page(
                &app,
                &headers,
                lang,
                &who,
                case_id,
                &request.comment,
                Some(&e.message),
                e.status,
            )
            .await
        }
        Err(e) => {
            let body = format!(
                "<h2>{}</h2><p class=\"warn\">{}</p><p><a href=\"/review\">{}</a></p>",
                lang.h("web_not_recorded"),
                esc(&e.message),
                lang.h("web_back")
            );
            (
                e.status,
                Html(page_in(lang, lang.t("web_title"), "", &body)),
            )
                .into_response()
        }
    }
}
