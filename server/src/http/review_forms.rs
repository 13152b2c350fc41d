//! The review page's forms: sign-in (with its pre-session token), sign-out and decisions
//! (with the session's token). Each refuses a form that does not carry the token bound to
//! its cookie, or that the browser says came from another origin (`page_guard`).

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
use super::html::{esc, page as html_page};
use super::page_guard::{LOGIN_COOKIE, cross_origin, over_tls, refused, set_cookie};
use super::review_page::TITLE;
use super::session::{LOGIN_FORM_SECONDS, SESSION_SECONDS};
use super::{ApiError, AppState};
use crate::secrets;

type Shared = State<Arc<AppState>>;

fn no_sessions_page() -> Response {
    let body = "<h2>Sign in</h2><p class=\"warn\">This server cannot open sessions (no \
                randomness at start): restart it, or use the API with your token.</p>";
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(html_page(TITLE, "", body)),
    )
        .into_response()
}

/// The sign-in form with a fresh pre-session cookie and the form's token bound to it.
pub(super) fn login_page(
    app: &AppState,
    headers: &HeaderMap,
    message: &str,
    status: StatusCode,
) -> Response {
    let Some(key) = app.sessions.as_ref() else {
        return no_sessions_page();
    };
    // A form already open in another tab keeps working: a valid pre-session cookie with
    // more than a few minutes left is kept, not replaced.
    let now = chrono::Utc::now().timestamp();
    let kept = cookie(headers, LOGIN_COOKIE).filter(|c| key.verify_login(c, now + 300));
    let Some(login_cookie) = kept.or_else(|| key.issue_login(now)) else {
        return no_sessions_page();
    };
    let body = format!(
        "<h2>Sign in</h2><p>{}</p><form method=\"post\" action=\"/review/login\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <label>Reviewer token <input type=\"password\" name=\"token\" autocomplete=\"off\" \
         required></label> <button type=\"submit\">Sign in</button></form>",
        esc(message),
        esc(&key.login_form_token(&login_cookie))
    );
    let cookie = set_cookie(
        LOGIN_COOKIE,
        &login_cookie,
        "/review",
        LOGIN_FORM_SECONDS,
        over_tls(headers),
    );
    (
        status,
        [(header::SET_COOKIE, cookie)],
        Html(html_page(TITLE, "", &body)),
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
    let Some(key) = app.sessions.as_ref() else {
        return no_sessions_page();
    };
    let from_our_form = cookie(&headers, LOGIN_COOKIE).is_some_and(|c| {
        key.verify_login(&c, chrono::Utc::now().timestamp())
            && key.verify_login_form(&c, &form.csrf)
    });
    if cross_origin(&headers) || !from_our_form {
        return login_page(
            &app,
            &headers,
            "This sign-in did not come from this page, or its form expired: sign in again here.",
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
            "That token is not known: check it and try again.",
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
        return refused("This sign-out did not come from your review page.");
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
}

/// `POST /review/cases/{case_id}`: only from a signed-in page (its session cookie and the
/// session's token).
pub async fn decide(
    State(app): Shared,
    headers: HeaderMap,
    Path(case_id): Path<Uuid>,
    Form(form): Form<DecisionForm>,
) -> Response {
    let signed_out = |app: &AppState| {
        login_page(
            app,
            &headers,
            "Your session ended: sign in again.",
            StatusCode::UNAUTHORIZED,
        )
    };
    let Some((session, hash)) = page_session(&app, &headers) else {
        return signed_out(&app);
    };
    if !csrf_ok(&app, &headers, &session, &form.csrf) {
        return refused(
            "This decision did not come from your review page: reload the page and decide \
             again.",
        );
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
    if decision == Decision::SentBack && form.comment.trim().is_empty() {
        // Back to the page, at the case, saying what is missing: not a bare error page.
        return Redirect::to(&format!(
            "/review?comment_required={case_id}#case-{case_id}"
        ))
        .into_response();
    }
    let request = DecisionRequest {
        decision,
        comment: form.comment,
        revision: form.revision,
    };
    match record_decision(&app, &who, case_id, &request).await {
        Ok(_) => Redirect::to("/review").into_response(),
        Err(e) => {
            let body = format!(
                "<h2>Not recorded</h2><p class=\"warn\">{}</p><p><a href=\"/review\">Back</a></p>",
                esc(&e.message)
            );
            (e.status, Html(html_page(TITLE, "", &body))).into_response()
        }
    }
}
