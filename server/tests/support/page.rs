//! The review page as a browser uses it: the sign-in form's token and pre-session cookie,
//! sign-in, the session cookie and the token of the page's forms; and the stores a test runs
//! on (SQLite, and PostgreSQL when the test database is set).

use std::sync::Arc;

use census_core::coverage::Level;
use census_server::secrets;
use census_server::store::postgres::PgStore;
use census_server::store::{NewReviewer, Role, Storage};
use uuid::Uuid;

use census_core::wire::CaseRecord;
use census_server::http::ServerConfig;

use super::{TestServer, district, envelope, payload, postgres_url, sqlite_store, start};

/// A store to run on, and what keeps it alive.
pub struct TestStore {
    /// `sqlite` or `postgres`.
    pub kind: &'static str,
    pub store: Arc<dyn Storage>,
    _dir: Option<tempfile::TempDir>,
}

/// A fresh SQLite store and, when `CENSUS_TEST_DATABASE_URL` is set, a fresh PostgreSQL one
/// (its own schema); under `CI=true` a missing database fails.
pub async fn each_store(what: &str) -> Vec<TestStore> {
    let (store, dir) = sqlite_store().await;
    let mut out = vec![TestStore {
        kind: "sqlite",
        store,
        _dir: Some(dir),
    }];
    if let Some(url) = postgres_url(what) {
        let schema = format!("t_{}", Uuid::new_v4().simple());
        let store: Arc<dyn Storage> =
            Arc::new(PgStore::connect_in_schema(&url, &schema).await.unwrap());
        out.push(TestStore {
            kind: "postgres",
            store,
            _dir: None,
        });
    }
    out
}

/// Adds a controller of control sector `CS-1` named `name` with `token`.
pub async fn controller(store: &dyn Storage, name: &str, token: &str) {
    store
        .add_reviewer(&NewReviewer {
            token_hash: secrets::token_hash(token),
            name: name.into(),
            role: Role::Controller,
            scope_level: Level::ControlSector,
            scope_id: "CS-1".into(),
        })
        .await
        .unwrap();
}

/// The `name=value` part of the `Set-Cookie` header naming `name`, if any.
pub fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.to_owned())
}

/// The first part (`name=value`) of a `Set-Cookie` value.
pub fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

/// The value of the first `csrf` hidden field of a page.
pub fn csrf_of(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    let end = start + html[start..].find('"').unwrap();
    html[start..end].to_owned()
}

/// The content type of a posted form.
pub const FORM: &str = "application/x-www-form-urlencoded";

/// A form body (`application/x-www-form-urlencoded`).
pub fn form(fields: &[(&str, &str)]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A client that does not follow redirects (to see a sign-in's cookie).
pub fn no_redirect() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

/// The sign-in form as the page serves it: its pre-session cookie (`name=value`) and token.
pub async fn login_form(server: &TestServer) -> (String, String) {
    let r = server
        .http
        .get(format!("{}/review", server.url))
        .send()
        .await
        .unwrap();
    let cookie = cookie_pair(&set_cookie(&r, "census_login").expect("a pre-session cookie"));
    let html = r.text().await.unwrap();
    assert!(html.contains("Sign in"), "{html}");
    (cookie, csrf_of(&html))
}

/// Signs in on the page with `token` as a browser would; the session cookie (`name=value`).
pub async fn sign_in(server: &TestServer, token: &str) -> String {
    let (login_cookie, csrf) = login_form(server).await;
    let r = no_redirect()
        .post(format!("{}/review/login", server.url))
        .header("cookie", login_cookie)
        .header("content-type", FORM)
        .body(form(&[("token", token), ("csrf", &csrf)]))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    cookie_pair(&set_cookie(&r, "census_session").expect("a session cookie"))
}

/// The signed-in page's HTML.
pub async fn page_with(server: &TestServer, session: &str) -> String {
    page_at(server, session, "/review").await
}

/// The page at `path` (e.g. `/review?…`) as seen with `session`.
pub async fn page_at(server: &TestServer, session: &str, path: &str) -> String {
    server
        .http
        .get(format!("{}{path}", server.url))
        .header("cookie", session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// A server on `t` with a controller of DR-1's sector named `name` signing in with `code`,
/// and `cases` sent by a device of DR-1.
pub async fn dr1_with_cases(
    t: &TestStore,
    name: &str,
    code: &str,
    cases: Vec<CaseRecord>,
) -> TestServer {
    t.store.import_districts(&[district("DR-1")]).await.unwrap();
    controller(&*t.store, name, code).await;
    let server = start(t.store.clone(), ServerConfig::default()).await;
    send_from_dr1(&server, cases).await;
    server
}

/// Enrols a device of DR-1 and sends `cases`: all accepted.
pub async fn send_from_dr1(server: &TestServer, cases: Vec<CaseRecord>) {
    let device = server.enrol("tab-1", "E-1", &["DR-1"]).await;
    let p = payload(&device, cases);
    let (status, reply) = server
        .post_batch(&device.token, envelope(&device, &p))
        .await;
    assert_eq!(status, 200, "{reply}");
}
