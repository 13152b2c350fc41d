//! The review page a controller decides from, on the real router over HTTP, on SQLite and
//! PostgreSQL: in Arabic (right to left), French and English with the tablet's strings; the
//! queue names the head of household, the size, the interview time and the problems found;
//! a case's page lists every answer with its question's text, the soft checks confirmed and
//! the timeline; a case of another area is not shown; a refused comment comes back kept,
//! with the reason next to the field; decisions are listed with who and when.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use census_core::coverage::Level;
use census_core::wire::CaseRecord;
use census_server::http::ServerConfig;
use census_server::secrets;
use census_server::store::{NewReviewer, Role};
use support::page::*;
use support::*;
use uuid::Uuid;

const NAME: &str = "K. Alaoui";
const TOKEN: &str = "controller-token";
const OTHER: &str = "other-sector-token";
const NOTE: &str = "Adopted child <b>ages checked</b> on the family book";

/// A census case of DR-1 with one soft check confirmed (a child less than 12 years younger
/// than the head) and its note.
fn case_with_confirmation(dwelling: u32) -> CaseRecord {
    let mut case = census_case("DR-1", dwelling, 3, 1);
    let household = &case.case["root"]["rosters"]["households"][0];
    let row = format!(
        "households.{}/persons.{}",
        household["row_id"], household["rosters"]["persons"][1]["row_id"]
    );
    case.case["confirmations"] = serde_json::json!([
        {"row": row, "check": "child_of_head_age", "note": NOTE}
    ]);
    case
}

/// A server with a controller of DR-1's sector, a controller of another sector, and these
/// cases sent by a device of DR-1.
async fn with_cases(t: &TestStore, cases: Vec<CaseRecord>) -> TestServer {
    let mut elsewhere = district("DR-9");
    elsewhere.control_sector = "CS-2".into();
    t.store
        .import_districts(&[district("DR-1"), elsewhere])
        .await
        .unwrap();
    controller(&*t.store, NAME, TOKEN).await;
    t.store
        .add_reviewer(&NewReviewer {
            token_hash: secrets::token_hash(OTHER),
            name: "S. Bennani".into(),
            role: Role::Controller,
            scope_level: Level::ControlSector,
            scope_id: "CS-2".into(),
        })
        .await
        .unwrap();
    let server = start(t.store.clone(), ServerConfig::default()).await;
    send_from_dr1(&server, cases).await;
    server
}

/// GET `path` with `session`: (status, `Set-Cookie` of the language, body).
async fn get(server: &TestServer, session: &str, path: &str) -> (u16, Option<String>, String) {
    let r = no_redirect()
        .get(format!("{}{path}", server.url))
        .header("cookie", session)
        .send()
        .await
        .unwrap();
    let cookie = set_cookie(&r, "census_lang");
    (r.status().as_u16(), cookie, r.text().await.unwrap())
}

/// Posts the case page's decision form.
async fn decide(
    server: &TestServer,
    case: Uuid,
    session: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    no_redirect()
        .post(format!("{}/review/cases/{case}", server.url))
        .header("cookie", session)
        .header("content-type", FORM)
        .header("sec-fetch-site", "same-origin")
        .body(form(fields))
        .send()
        .await
        .unwrap()
}

/// English labels of the page's translated strings: none may show on another language's
/// page.
const ENGLISH_LABELS: &[&str] = &[
    "Review queue",
    "Approve",
    "Send back",
    "Sign out",
    "Head of household",
    "Problems found",
    "Suspected omissions",
    "Map of dwellings",
    "Decisions (",
    "Households expected",
    "Read the questionnaire",
    "Comment for the enumerator",
    "None found",
    "Census coverage and review",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_speaks_arabic_right_to_left_french_and_english() {
    for t in each_store("review page languages").await {
        let server = with_cases(&t, vec![case_with_confirmation(1)]).await;
        let session = sign_in(&server, TOKEN).await;

        let (status, cookie, ar) = get(&server, &session, "/review?lang=ar").await;
        assert_eq!(status, 200, "{}", t.kind);
        assert!(ar.contains("<html lang=\"ar\" dir=\"rtl\">"), "{}", t.kind);
        for arabic in [
            "استمارات للمراجعة (1)",
            "موافقة",
            "إرجاع إلى الباحث",
            "رب الأسرة",
        ] {
            assert!(ar.contains(arabic), "{}: {arabic} missing", t.kind);
        }
        for english in ENGLISH_LABELS {
            assert!(
                !ar.contains(english),
                "{}: {english} on the Arabic page",
                t.kind
            );
        }
        // The choice is remembered, and the other languages are a link away.
        let cookie = cookie.expect("the language is remembered");
        assert!(cookie.starts_with("census_lang=ar;"), "{cookie}");
        assert!(ar.contains("href=\"/review?lang=fr\""));
        let remembered = format!("{session}; {}", cookie_pair(&cookie));
        let (_, _, again) = get(&server, &remembered, "/review").await;
        assert!(again.contains("dir=\"rtl\""), "{}", t.kind);

        // French from the browser's preference, English by default.
        let r = server
            .http
            .get(format!("{}/review", server.url))
            .header("cookie", &session)
            .header("accept-language", "fr-MA,fr;q=0.9,en;q=0.5")
            .send()
            .await
            .unwrap();
        let fr = r.text().await.unwrap();
        assert!(fr.contains("<html lang=\"fr\" dir=\"ltr\">"), "{}", t.kind);
        assert!(fr.contains("Questionnaires à réviser (1)") && fr.contains("Chef de ménage"));
        let (_, _, en) = get(&server, &session, "/review").await;
        assert!(en.contains("<html lang=\"en\" dir=\"ltr\">") && en.contains("Review queue (1)"));
        // The sign-in form speaks the language too.
        let r = server
            .http
            .get(format!("{}/review?lang=ar", server.url))
            .send()
            .await
            .unwrap();
        let login = r.text().await.unwrap();
        assert!(login.contains("dir=\"rtl\"") && login.contains("الدخول كمراجع"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_shows_place_head_size_duration_and_problems() {
    for t in each_store("review queue facts").await {
        let flagged = case_with_confirmation(4);
        let plain = census_case("DR-1", 7, 2, 1);
        let server = with_cases(&t, vec![flagged.clone(), plain.clone()]).await;
        let session = sign_in(&server, TOKEN).await;
        let (_, _, page) = get(&server, &session, "/review").await;
        let row = |id: Uuid| {
            let start = page.find(&format!("<tr id=\"case-{id}\">")).expect("a row");
            let end = start + page[start..].find("</tr>").unwrap();
            page[start..end].to_owned()
        };
        let r = row(flagged.case_id);
        assert!(r.contains("DR-1 / 2 / 4 / 1"), "{}: {r}", t.kind);
        assert!(r.contains("Person1 Case4"), "{}: {r}", t.kind);
        assert!(r.contains("<td>3</td>"), "{r}");
        assert!(r.contains(" min"), "{r}");
        assert!(r.contains("Soft checks confirmed: 1"), "{r}");
        assert!(r.contains(&format!("href=\"/review/cases/{}\"", flagged.case_id)));
        let r = row(plain.case_id);
        assert!(
            r.contains("Person1 Case7") && r.contains("<td>2</td>"),
            "{r}"
        );
        assert!(!r.contains("Soft checks confirmed"), "{r}");

        // The API's queue carries the same facts for the tablets.
        let q: serde_json::Value = server
            .http
            .get(format!("{}/v1/review/queue", server.url))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let entry = q
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["case_id"] == flagged.case_id.to_string())
            .unwrap();
        assert_eq!(entry["head_name"], "Person1 Case4", "{}", t.kind);
        assert_eq!(entry["soft_checks"], 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_page_lists_questions_answers_checks_timeline_and_map() {
    let q = support::census::questionnaire();
    for t in each_store("case page").await {
        let case = case_with_confirmation(1);
        let server = with_cases(&t, vec![case.clone()]).await;
        let session = sign_in(&server, TOKEN).await;
        let path = format!("/review/cases/{}", case.case_id);
        for lang in ["en", "fr", "ar"] {
            let (status, _, page) = get(&server, &session, &format!("{path}?lang={lang}")).await;
            assert_eq!(status, 200, "{}: {lang}", t.kind);
            for question in ["p_name", "p_sex", "hh_size_declared", "d_address"] {
                let label = q.question(question).unwrap().label(lang);
                assert!(
                    page.contains(&census_server_esc(label)),
                    "{} {lang}: {question} ({label})",
                    t.kind
                );
            }
            // Answers, choice codes by their labels.
            assert!(page.contains("Person2 Case1") && page.contains("12 rue des Orangers"));
            let woman = q.question("p_sex").unwrap().choices(lang);
            let woman = woman.iter().find(|(c, _)| *c == "2").unwrap().1;
            assert!(page.contains(woman), "{lang}: {woman}");
            // The soft check with its message and the note (escaped).
            let message = q.check_message("child_of_head_age", lang).unwrap();
            assert!(
                page.contains(&census_server_esc(message)),
                "{lang}: {message}"
            );
            assert!(page.contains("Adopted child &lt;b&gt;ages checked&lt;/b&gt;"));
            assert!(!page.contains("<b>ages checked"));
            // The timeline and the map point, then the form.
            assert!(page.contains("34.02000") && page.contains("<svg"), "{lang}");
            assert!(page.contains("name=\"from\" value=\"case\""));
            assert!(!page.contains("<script"));
        }
        let (_, _, en) = get(&server, &session, &format!("{path}?lang=en")).await;
        assert!(en.contains("Event timeline") && en.contains("Revision 1 received"));
        assert!(en.contains("answers entered"), "{en}");
        let (_, _, ar) = get(&server, &session, &format!("{path}?lang=ar")).await;
        assert!(ar.contains("dir=\"rtl\"") && ar.contains("التسلسل الزمني للأحداث"));
    }
}

/// The page's escaping of a questionnaire text (the same rules as the server's).
fn census_server_esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewer_of_another_area_cannot_read_the_case() {
    for t in each_store("case page scope").await {
        let case = census_case("DR-1", 1, 3, 1);
        let server = with_cases(&t, vec![case.clone()]).await;
        let other = sign_in(&server, OTHER).await;
        let path = format!("/review/cases/{}", case.case_id);
        let (status, _, page) = get(&server, &other, &path).await;
        assert_eq!(status, 404, "{}: {page}", t.kind);
        assert!(!page.contains("Person1 Case1"), "{}", t.kind);
        let (_, _, queue) = get(&server, &other, "/review").await;
        assert!(!queue.contains("Person1 Case1") && queue.contains("Review queue (0)"));
        // An unknown case looks the same; without a session, the sign-in form.
        let (status, _, _) = get(
            &server,
            &other,
            &format!("/review/cases/{}", Uuid::new_v4()),
        )
        .await;
        assert_eq!(status, 404);
        let (status, _, page) = get(&server, "", &path).await;
        assert!(status == 200 && page.contains("Sign in") && !page.contains("Person1"));
        // Nor can they decide on it.
        let csrf = csrf_of(&get(&server, &other, "/review").await.2);
        let r = decide(
            &server,
            case.case_id,
            &other,
            &[("decision", "approved"), ("csrf", &csrf), ("from", "case")],
        )
        .await;
        assert_eq!(r.status(), 404, "{}", t.kind);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_comment_comes_back_kept_with_the_reason_next_to_it() {
    for t in each_store("refused comment on the case page").await {
        let case = census_case("DR-1", 1, 3, 1);
        let server = with_cases(&t, vec![case.clone()]).await;
        let session = sign_in(&server, TOKEN).await;
        let path = format!("/review/cases/{}", case.case_id);
        let csrf = csrf_of(&get(&server, &session, &path).await.2);
        let send_back = |comment: &'static str| {
            [
                ("decision", "sent_back"),
                ("comment", comment),
                ("revision", "1"),
                ("csrf", csrf.as_str()),
                ("from", "case"),
            ]
        };
        // Blank: the case page again, the blank kept, the reason next to the field.
        let r = decide(&server, case.case_id, &session, &send_back("   ")).await;
        assert_eq!(r.status(), 422, "{}", t.kind);
        let page = r.text().await.unwrap();
        let field = format!("id=\"comment-{}\"", case.case_id);
        let at = page.find(&field).expect("the comment field");
        let around = &page[at..];
        assert!(around.contains(" autofocus>   </textarea>"), "{around}");
        assert!(around.contains("aria-invalid=\"true\""));
        assert!(
            around.contains("a questionnaire is sent back only with a comment"),
            "{around}"
        );
        assert!(
            page.contains("Person2 Case1"),
            "the case is still there to read"
        );
        // Too long: the text the controller wrote is kept.
        let long: &'static str = Box::leak("à corriger ".repeat(200).into_boxed_str());
        let r = decide(&server, case.case_id, &session, &send_back(long)).await;
        assert_eq!(r.status(), 422, "{}", t.kind);
        let page = r.text().await.unwrap();
        assert!(page.contains(&format!(">{long}</textarea>")));
        assert!(page.contains("A comment has at most 2000 characters."));
        // In Arabic, the reason is Arabic.
        let ar = format!("{session}; census_lang=ar");
        let r = decide(&server, case.case_id, &ar, &send_back(" ")).await;
        let page = r.text().await.unwrap();
        assert!(page.contains("لا تُرجع الاستمارة إلا مع تعليق"), "{}", t.kind);
        // Nothing was recorded.
        let (_, _, page) = get(&server, &session, &path).await;
        assert!(page.contains("Decisions (0)"), "{}", t.kind);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_are_listed_with_who_when_and_what() {
    for t in each_store("decision list").await {
        let (a, b) = (census_case("DR-1", 1, 3, 1), census_case("DR-1", 2, 4, 1));
        let server = with_cases(&t, vec![a.clone(), b.clone()]).await;
        let session = sign_in(&server, TOKEN).await;
        let path = format!("/review/cases/{}", a.case_id);
        let csrf = csrf_of(&get(&server, &session, &path).await.2);
        let r = decide(
            &server,
            a.case_id,
            &session,
            &[
                ("decision", "approved"),
                ("comment", "all good"),
                ("revision", "1"),
                ("csrf", &csrf),
                ("from", "case"),
            ],
        )
        .await;
        assert!(r.status().is_redirection(), "{}: {}", t.kind, r.status());
        assert_eq!(r.headers()["location"], format!("{path}#decisions"));
        // From the queue, with a comment: back to the page's decisions.
        let r = decide(
            &server,
            b.case_id,
            &session,
            &[
                ("decision", "sent_back"),
                ("comment", "age of person 3?"),
                ("revision", "1"),
                ("csrf", &csrf),
            ],
        )
        .await;
        assert_eq!(r.headers()["location"], "/review#decisions", "{}", t.kind);

        let (_, _, case_page) = get(&server, &session, &path).await;
        assert!(case_page.contains("Decisions (1)"), "{}", t.kind);
        let year = chrono::Utc::now().format("%Y-").to_string();
        let start = case_page.find("id=\"decisions\"").unwrap();
        let list = &case_page[start..];
        assert!(list.contains(NAME) && list.contains("Approved") && list.contains("all good"));
        assert!(list.contains(&year), "{list}");

        let (_, _, page) = get(&server, &session, "/review?lang=fr").await;
        let start = page.find("id=\"decisions\"").unwrap();
        let list = &page[start..];
        assert!(list.contains("Décisions (2)"), "{}: {list}", t.kind);
        assert!(
            list.contains("Approuvé") && list.contains("Renvoyé"),
            "{list}"
        );
        assert!(list.contains("Person1 Case2") && list.contains("age of person 3?"));
        assert_eq!(list.matches(NAME).count(), 2);
        assert!(
            page.contains("Questionnaires à réviser (0)"),
            "decided: out of the queue"
        );
    }
}
