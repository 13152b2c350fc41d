//! Review accountability and the review page's safety, on the real router, on SQLite and
//! PostgreSQL: a decision records who made it, when and on which revision, and the case
//! history lists it; only a completed case can be approved; a revoked reviewer's token and
//! page session end at once; the page's forms (sign-in included) need their token and come
//! from the page's own origin; the page sends the security headers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::{Value, json};
use support::page::*;
use support::*;
use uuid::Uuid;

const NAME: &str = "K. Alaoui";
const TOKEN: &str = "controller-token";

async fn decide_api(server: &TestServer, case: Uuid, token: &str, body: Value) -> (u16, Value) {
    let r = server
        .http
        .post(format!("{}/v1/review/cases/{case}", server.url))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn history(server: &TestServer, case: Uuid) -> Value {
    let r = server
        .http
        .get(format!("{}/v1/cases/{case}/history", server.url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// Posts a decision form from the page with `session` and these extra headers.
async fn decide_page(
    server: &TestServer,
    case: Uuid,
    session: &str,
    fields: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut req = no_redirect()
        .post(format!("{}/review/cases/{case}", server.url))
        .header("cookie", session)
        .header("content-type", FORM)
        .body(form(fields));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_records_reviewer_time_and_revision_and_is_in_the_history() {
    for t in each_store("review accountability").await {
        let (a, b) = (census_case("DR-1", 1, 3, 2), census_case("DR-1", 2, 3, 1));
        let server = dr1_with_cases(&t, NAME, TOKEN, vec![a.clone(), b.clone()]).await;
        let (status, body) = decide_api(
            &server,
            a.case_id,
            TOKEN,
            json!({"decision": "sent_back", "comment": "age of person 2?", "revision": 2}),
        )
        .await;
        assert_eq!(status, 200, "{}: {body}", t.kind);
        let h = history(&server, a.case_id).await;
        let d = &h["decisions"][0];
        assert_eq!(d["reviewer"], NAME, "{}: {h}", t.kind);
        assert_eq!(d["reviewer_role"], "controller");
        assert_eq!(d["revision_read"], 2);
        assert_eq!(d["revision"], 2);
        assert_eq!(d["decision"], "sent_back");
        assert!(
            chrono::DateTime::parse_from_rfc3339(d["at"].as_str().unwrap()).is_ok(),
            "{d}"
        );

        // A decision from the page records its reviewer too.
        let session = sign_in(&server, TOKEN).await;
        let csrf = csrf_of(&page_with(&server, &session).await);
        let r = decide_page(
            &server,
            b.case_id,
            &session,
            &[("decision", "approved"), ("revision", "1"), ("csrf", &csrf)],
            &[("sec-fetch-site", "same-origin")],
        )
        .await;
        assert!(r.status().is_redirection(), "{}: {}", t.kind, r.status());
        let d = &history(&server, b.case_id).await["decisions"][0];
        assert_eq!(
            (d["reviewer"].as_str(), d["revision_read"].as_u64()),
            (Some(NAME), Some(1))
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_back_without_a_comment_returns_to_the_page_at_the_case() {
    for t in each_store("send back without a comment").await {
        let case = census_case("DR-1", 1, 3, 2);
        let server = dr1_with_cases(&t, NAME, TOKEN, vec![case.clone()]).await;
        let session = sign_in(&server, TOKEN).await;
        let csrf = csrf_of(&page_with(&server, &session).await);
        let r = decide_page(
            &server,
            case.case_id,
            &session,
            &[
                ("decision", "sent_back"),
                ("comment", "  "),
                ("csrf", &csrf),
            ],
            &[("sec-fetch-site", "same-origin")],
        )
        .await;
        assert!(r.status().is_redirection(), "{}: {}", t.kind, r.status());
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        let id = case.case_id;
        assert_eq!(
            location,
            format!("/review?comment_required={id}#case-{id}"),
            "{}",
            t.kind
        );
        assert_eq!(
            history(&server, id).await["decisions"],
            json!([]),
            "nothing recorded"
        );

        // The page it returns to names the case and readies its comment field.
        let page = page_at(&server, &session, &location).await;
        assert!(
            page.contains(&format!(
                "To send case {id} back, write what the enumerator must correct."
            )),
            "{}",
            t.kind
        );
        assert!(page.contains(&format!("<tr id=\"case-{id}\">")));
        assert_eq!(page.matches(" autofocus>").count(), 1, "one field focused");
        // Without the notice, no message.
        assert!(!page_with(&server, &session).await.contains("To send case"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_in_progress_case_cannot_be_approved_but_can_be_sent_back() {
    for t in each_store("approval of an in-progress case").await {
        let mut open = census_case("DR-1", 1, 3, 1);
        open.status = "in_progress".into();
        let server = dr1_with_cases(&t, NAME, TOKEN, vec![open.clone()]).await;
        let (status, body) = decide_api(
            &server,
            open.case_id,
            TOKEN,
            json!({"decision": "approved"}),
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (409, Some("case_not_complete")),
            "{}: {body}",
            t.kind
        );
        let (status, body) = decide_api(
            &server,
            open.case_id,
            TOKEN,
            json!({"decision": "approved", "revision": 1}),
        )
        .await;
        assert_eq!(status, 409, "{}: {body}", t.kind);
        // The office's command line follows the same rule.
        assert!(
            t.store
                .add_review(open.case_id, census_core::wire::Decision::Approved, "")
                .await
                .is_err()
        );
        assert_eq!(history(&server, open.case_id).await["decisions"], json!([]));
        let (status, body) = decide_api(
            &server,
            open.case_id,
            TOKEN,
            json!({"decision": "sent_back", "comment": "the head's age is missing"}),
        )
        .await;
        assert_eq!(status, 200, "{}: {body}", t.kind);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_reviewer_loses_token_and_page_session_at_once() {
    for t in each_store("reviewer revocation").await {
        let case = census_case("DR-1", 1, 3, 1);
        let server = dr1_with_cases(&t, NAME, TOKEN, vec![case.clone()]).await;
        let session = sign_in(&server, TOKEN).await;
        let page = page_with(&server, &session).await;
        assert!(page.contains("Review queue (1)"), "{}: {page}", t.kind);
        let csrf = csrf_of(&page);

        assert_eq!(
            t.store.revoke_reviewer(NAME).await.unwrap(),
            1,
            "{}",
            t.kind
        );
        let r = server
            .http
            .get(format!("{}/v1/review/queue", server.url))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{}", t.kind);
        assert!(page_with(&server, &session).await.contains("Sign in"));
        let r = decide_page(
            &server,
            case.case_id,
            &session,
            &[("decision", "approved"), ("csrf", &csrf)],
            &[],
        )
        .await;
        assert_eq!(r.status(), 401, "{}", t.kind);
        let (status, _) = decide_api(
            &server,
            case.case_id,
            TOKEN,
            json!({"decision": "approved"}),
        )
        .await;
        assert_eq!(status, 401);
        assert!(
            t.store
                .reviews_since(&["DR-1".into()], 0, 10)
                .await
                .unwrap()
                .is_empty()
        );
        // Signing in again with the revoked token fails.
        let (login_cookie, login_csrf) = login_form(&server).await;
        let r = no_redirect()
            .post(format!("{}/review/login", server.url))
            .header("cookie", login_cookie)
            .header("content-type", FORM)
            .body(form(&[("token", TOKEN), ("csrf", &login_csrf)]))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{}", t.kind);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_posted_from_elsewhere_are_refused() {
    for t in each_store("review page forms").await {
        let case = census_case("DR-1", 1, 3, 1);
        let server = dr1_with_cases(&t, NAME, TOKEN, vec![case.clone()]).await;
        let login = |cookie: Option<String>,
                     fields: Vec<(&'static str, String)>,
                     site: Option<&'static str>| {
            let url = format!("{}/review/login", server.url);
            async move {
                let mut req = no_redirect().post(url).header("content-type", FORM);
                if let Some(c) = cookie {
                    req = req.header("cookie", c);
                }
                if let Some(s) = site {
                    req = req.header("sec-fetch-site", s);
                }
                let fields: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                req.body(form(&fields)).send().await.unwrap()
            }
        };
        // Login CSRF: a form elsewhere that signs the browser in with the attacker's token.
        let r = login(None, vec![("token", TOKEN.into())], None).await;
        assert_eq!(
            r.status(),
            403,
            "{}: sign-in without the form's token",
            t.kind
        );
        assert!(set_cookie(&r, "census_session").is_none());
        let (login_cookie, csrf) = login_form(&server).await;
        let r = login(
            Some(login_cookie.clone()),
            vec![("token", TOKEN.into()), ("csrf", "00".repeat(32))],
            None,
        )
        .await;
        assert_eq!(r.status(), 403, "{}: a wrong token", t.kind);
        let (_, other_csrf) = login_form(&server).await;
        let r = login(
            Some(login_cookie.clone()),
            vec![("token", TOKEN.into()), ("csrf", other_csrf)],
            None,
        )
        .await;
        assert_eq!(r.status(), 403, "{}: another form's token", t.kind);
        let r = login(
            Some(login_cookie.clone()),
            vec![("token", TOKEN.into()), ("csrf", csrf.clone())],
            Some("same-site"),
        )
        .await;
        assert_eq!(
            r.status(),
            403,
            "{}: from another origin of this site",
            t.kind
        );
        let r = login(
            Some(login_cookie),
            vec![("token", TOKEN.into()), ("csrf", csrf)],
            Some("same-origin"),
        )
        .await;
        assert!(r.status().is_redirection(), "{}: {}", t.kind, r.status());
        let session = cookie_pair(&set_cookie(&r, "census_session").unwrap());

        // A decision posted with the session cookie but without the page's token.
        let r = decide_page(
            &server,
            case.case_id,
            &session,
            &[("decision", "approved")],
            &[],
        )
        .await;
        assert_eq!(r.status(), 403, "{}: decision without the token", t.kind);
        let page = page_with(&server, &session).await;
        let csrf = csrf_of(&page);
        let r = decide_page(
            &server,
            case.case_id,
            &session,
            &[("decision", "approved"), ("csrf", &csrf)],
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
        assert_eq!(r.status(), 403, "{}: decision from another site", t.kind);
        // Another session's token does not do either.
        let other = sign_in(&server, TOKEN).await;
        let other_csrf = csrf_of(&page_with(&server, &other).await);
        if other != session {
            let r = decide_page(
                &server,
                case.case_id,
                &session,
                &[("decision", "approved"), ("csrf", &other_csrf)],
                &[],
            )
            .await;
            assert_eq!(r.status(), 403, "{}", t.kind);
        }
        assert!(
            t.store
                .reviews_since(&["DR-1".into()], 0, 10)
                .await
                .unwrap()
                .is_empty(),
            "{}",
            t.kind
        );
        let r = no_redirect()
            .post(format!("{}/review/logout", server.url))
            .header("cookie", &session)
            .header("content-type", FORM)
            .body("")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{}: sign-out without the token", t.kind);

        // The page's own form, with its token, is recorded.
        let r = decide_page(
            &server,
            case.case_id,
            &session,
            &[("decision", "approved"), ("csrf", &csrf)],
            &[],
        )
        .await;
        assert!(r.status().is_redirection(), "{}: {}", t.kind, r.status());
        assert_eq!(
            t.store
                .reviews_since(&["DR-1".into()], 0, 10)
                .await
                .unwrap()
                .len(),
            1
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_sends_security_headers_and_secure_cookies_behind_tls() {
    let t = each_store("review page headers").await.remove(0);
    let server = dr1_with_cases(&t, NAME, TOKEN, vec![census_case("DR-1", 1, 3, 1)]).await;
    let check = |r: &reqwest::Response, what: &str| {
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'"), "{what}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("script-src"),
            "{what}: {csp}"
        );
        assert_eq!(h["x-frame-options"], "DENY", "{what}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{what}");
    };
    let url = format!("{}/review", server.url);
    let r = server.http.get(&url).send().await.unwrap();
    check(&r, "sign-in page");
    assert!(!set_cookie(&r, "census_login").unwrap().contains("Secure"));
    let session = sign_in(&server, TOKEN).await;
    let r = server
        .http
        .get(&url)
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    check(&r, "signed-in page");
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Review queue (1)")
            && !html.contains("<script")
            && !html.contains(" style=\"")
    );
    let r = decide_page(
        &server,
        Uuid::new_v4(),
        &session,
        &[("decision", "approved")],
        &[],
    )
    .await;
    check(&r, "refused form");

    // Behind a TLS terminator that says so, every cookie is Secure.
    let r = server
        .http
        .get(&url)
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    let login_cookie = set_cookie(&r, "census_login").unwrap();
    assert!(login_cookie.contains("; Secure"), "{login_cookie}");
    let csrf = csrf_of(&r.text().await.unwrap());
    let r = no_redirect()
        .post(format!("{}/review/login", server.url))
        .header("cookie", cookie_pair(&login_cookie))
        .header("x-forwarded-proto", "https")
        .header("content-type", FORM)
        .body(form(&[("token", TOKEN), ("csrf", &csrf)]))
        .send()
        .await
        .unwrap();
    let cookie = set_cookie(&r, "census_session").unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    assert!(cookie.contains("; Secure"), "{cookie}");
}
