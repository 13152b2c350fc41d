//! The review page in a real browser: headless Chromium (Debian's) driven through
//! chromedriver against the real server on loopback, on SQLite and PostgreSQL, in French and
//! in Arabic (right to left). A controller picks the language with the page's own link, signs
//! in with the token the office issued (typed into the form), finds the case in
//! the queue by the head of household's name, reads its questions and answers, sends it back
//! blank (refused next to the field, on the case's page, the text kept, the field focused),
//! sends it back with a comment, approves a second case from the queue and sees both
//! decisions listed with their name. Skipped with a message when Chromium or chromedriver is
//! missing, failed under `CI=true`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use census_server::secrets;
use serde_json::Value;
use support::page::*;
use support::webdriver::{Driver, browser_binaries};
use support::*;

const NAME: &str = "K. Alaoui";

/// The page's strings in `lang`, from the tablet's translation files.
struct Strings(Value);

impl Strings {
    fn of(lang: &str) -> Strings {
        let text = match lang {
            "fr" => include_str!("../../assets/i18n/fr.json"),
            "ar" => include_str!("../../assets/i18n/ar.json"),
            _ => unreachable!(),
        };
        Strings(serde_json::from_str(text).unwrap())
    }

    fn t(&self, key: &str) -> &str {
        self.0[key].as_str().unwrap_or_else(|| panic!("no {key}"))
    }

    fn n(&self, key: &str, n: usize) -> String {
        self.t(key).replace("{n}", &n.to_string())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_controller_reviews_in_french_and_arabic_in_chromium() {
    let Some((chromium, chromedriver)) = browser_binaries("the review page") else {
        return;
    };
    let driver = Driver::start(&chromium, &chromedriver).await;
    for lang in ["fr", "ar"] {
        for t in each_store("review page in a browser").await {
            review(&driver, &t, lang).await;
        }
    }
}

/// The whole review, in `lang`, on `t`'s store, in a fresh browser.
async fn review(driver: &Driver, t: &TestStore, lang: &str) {
    let s = Strings::of(lang);
    let q = support::census::questionnaire();
    let at = format!("{lang} on {}", t.kind);
    let (a, b) = (census_case("DR-1", 1, 3, 1), census_case("DR-1", 2, 4, 1));
    // The short code the office prints (`K7QMX-3PARD`), typed as a person might.
    let code = secrets::generate_reviewer_code().unwrap();
    let server = dr1_with_cases(t, NAME, &code, vec![a.clone(), b.clone()]).await;
    let browser = driver.session().await;

    // The sign-in form; the language from the page's own link.
    browser.go(&format!("{}/review", server.url)).await;
    let link = format!("nav.lang a[hreflang=\"{lang}\"]");
    browser.find(&link).await.click_to_load().await;
    assert!(
        browser
            .url()
            .await
            .ends_with(&format!("/review?lang={lang}"))
    );
    let form = browser.text("main").await;
    assert!(form.contains(s.t("reviewer_code")), "{at}: {form}");

    browser
        .find("input[name=token]")
        .await
        .send_keys(&code.to_lowercase().replace('-', " "))
        .await;
    browser
        .find("form[action=\"/review/login\"] button")
        .await
        .click_to_load()
        .await;

    // The queue, in the language chosen, right to left in Arabic.
    let html = browser.find("html").await;
    let dir = if lang == "ar" { "rtl" } else { "ltr" };
    assert_eq!(html.attribute("lang").await.as_deref(), Some(lang), "{at}");
    assert_eq!(html.attribute("dir").await.as_deref(), Some(dir), "{at}");
    assert_eq!(browser.find("main").await.css("direction").await, dir);
    let main = browser.text("main").await;
    assert!(main.contains(&s.n("open_review_n", 2)), "{at}: {main}");
    let row = browser.text(&format!("#case-{}", a.case_id)).await;
    assert!(
        row.contains("Person1 Case1"),
        "{at}: the head's name in {row}"
    );
    assert!(browser.text("header").await.contains(NAME), "{at}");

    // The case: its questions' texts in the language, and the answers.
    let open = format!("#case-{0} a[href=\"/review/cases/{0}\"]", a.case_id);
    browser.find(&open).await.click_to_load().await;
    assert!(
        browser
            .url()
            .await
            .ends_with(&format!("/review/cases/{}", a.case_id))
    );
    let case = browser.text("main").await;
    assert!(case.contains(s.t("web_answers")), "{at}: {case}");
    for question in ["p_name", "d_address"] {
        let label = q.question(question).unwrap().label(lang);
        assert!(case.contains(label), "{at}: {question} ({label})");
    }
    assert!(case.contains("Person2 Case1") && case.contains("12 rue des Orangers"));

    // Sent back blank: refused on the case's page, next to the field, the text kept.
    let field = format!("#comment-{}", a.case_id);
    browser.find(&field).await.send_keys("   ").await;
    browser
        .find("button[value=\"sent_back\"]")
        .await
        .click_to_load()
        .await;
    let error = browser.text(&format!("{field}-error")).await;
    assert_eq!(error, s.t("review_comment_needed"), "{at}");
    let comment = browser.find(&field).await;
    assert_eq!(
        comment.property("value").await,
        "   ",
        "{at}: the text kept"
    );
    assert_eq!(
        comment.attribute("aria-invalid").await.as_deref(),
        Some("true")
    );
    let focused = browser.focused().await.attribute("id").await;
    assert_eq!(
        focused.as_deref(),
        Some(&field[1..]),
        "{at}: focus on the field"
    );
    let case = browser.text("main").await;
    assert!(case.contains("Person2 Case1"), "{at}: the case still there");
    assert!(
        case.contains(&s.n("web_decisions", 0)),
        "{at}: nothing recorded"
    );
    assert_eq!(
        browser.find("html").await.attribute("dir").await.as_deref(),
        Some(dir)
    );

    // Sent back with a comment: the case's decisions list it.
    let note = if lang == "ar" {
        "تحقق من عمر الفرد 3"
    } else {
        "Vérifier l'âge de la personne 3"
    };
    comment.clear().await;
    comment.send_keys(note).await;
    browser
        .find("button[value=\"sent_back\"]")
        .await
        .click_to_load()
        .await;
    assert!(browser.url().await.ends_with("#decisions"), "{at}");
    assert_eq!(browser.text("#decisions").await, s.n("web_decisions", 1));
    let list = browser.text("#decisions + table").await;
    for what in [NAME, s.t("status_sent_back"), note] {
        assert!(list.contains(what), "{at}: {what} not in {list}");
    }

    // Back to the queue; the other case approved from its row.
    let back = format!("a[href=\"/review#case-{}\"]", a.case_id);
    browser.find(&back).await.click_to_load().await;
    assert!(
        browser
            .text("main")
            .await
            .contains(&s.n("open_review_n", 1))
    );
    let approve = format!("#case-{} button[value=\"approved\"]", b.case_id);
    browser.find(&approve).await.click_to_load().await;

    // Both decisions, with the controller's name; nothing left to decide.
    assert!(browser.url().await.ends_with("/review#decisions"), "{at}");
    let main = browser.text("main").await;
    assert!(main.contains(&s.n("open_review_n", 0)), "{at}: {main}");
    assert!(main.contains(s.t("review_empty")), "{at}");
    assert_eq!(browser.text("#decisions").await, s.n("web_decisions", 2));
    let list = browser.text("#decisions + table").await;
    assert_eq!(list.matches(NAME).count(), 2, "{at}: {list}");
    for what in [
        s.t("web_approved"),
        s.t("status_sent_back"),
        note,
        "Person1 Case1",
        "Person1 Case2",
    ] {
        assert!(list.contains(what), "{at}: {what} not in {list}");
    }
    let source = browser.source().await;
    assert!(
        source.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")),
        "{at}: {}",
        &source[..200]
    );
    browser.quit().await;
}
