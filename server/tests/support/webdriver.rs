//! A small W3C WebDriver client for browser tests: starts Debian's `chromedriver` on a free
//! loopback port (killed with its Chromium when dropped, a failing test included), opens
//! headless Chromium sessions with a fresh profile each, and drives them with plain JSON
//! calls (navigate, find by CSS, type, click, read text, attributes and the page source).
//! The binaries are `/usr/bin/chromium` and `/usr/bin/chromedriver`, or `CENSUS_CHROMIUM`
//! and `CENSUS_CHROMEDRIVER`; when one is missing a test skips with a message, except under
//! `CI=true`, where it fails naming the binary.

use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The W3C name of an element reference in a reply.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Chromium's flags on a closed network: headless, as root, nothing fetched in the background.
const CHROMIUM_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1024",
];

/// The browser's and the driver's paths, or `None` (with a message) to skip; under
/// `CI=true` a missing binary fails the test instead.
pub fn browser_binaries(what: &str) -> Option<(String, String)> {
    let path = |var: &str, default: &str| std::env::var(var).unwrap_or_else(|_| default.into());
    let chromium = path("CENSUS_CHROMIUM", "/usr/bin/chromium");
    let driver = path("CENSUS_CHROMEDRIVER", "/usr/bin/chromedriver");
    for (binary, package) in [(&chromium, "chromium"), (&driver, "chromium-driver")] {
        if std::path::Path::new(binary).is_file() {
            continue;
        }
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but {binary} is missing: install Debian's {package} (.ci/run does)");
        }
        eprintln!(
            "\n*** SKIPPED: {what} in a browser ({binary} is missing: apt-get install {package}) ***\n"
        );
        return None;
    }
    Some((chromium, driver))
}

/// A running `chromedriver` (its own process group, so that its Chromium dies with it).
pub struct Driver {
    url: String,
    chromium: String,
    child: Child,
    http: reqwest::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = rustix::process::Pid::from_child(&self.child);
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    /// Starts `driver` on a free loopback port and waits until it is ready.
    pub async fn start(chromium: &str, driver: &str) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("{driver}: {e}"));
        // A workspace build unifies reqwest's features with the app's `rustls-no-provider`.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let driver = Driver {
            url: format!("http://127.0.0.1:{port}"),
            chromium: chromium.into(),
            child,
            http: reqwest::Client::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = async {
                let r = driver.http.get(format!("{}/status", driver.url)).send();
                r.await.ok()?.json::<Value>().await.ok()
            };
            if ready.await.is_some_and(|s| s["value"]["ready"] == true) {
                return driver;
            }
            assert!(Instant::now() < deadline, "chromedriver not ready in 20 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A new headless Chromium with an empty profile (removed with the session).
    pub async fn session(&self) -> Session {
        let profile = tempfile::tempdir().unwrap();
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| a.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "timeouts": {"implicit": 5000, "pageLoad": 20000},
            "goog:chromeOptions": {"binary": self.chromium, "args": args},
        }}});
        let reply = call(&self.http, "POST", &format!("{}/session", self.url), caps).await;
        Session {
            base: format!(
                "{}/session/{}",
                self.url,
                reply["sessionId"].as_str().unwrap()
            ),
            http: self.http.clone(),
            _profile: profile,
        }
    }
}

/// One WebDriver command: the reply's `value`, or a panic with the driver's error.
async fn call(http: &reqwest::Client, method: &str, url: &str, body: Value) -> Value {
    let request = match method {
        "GET" => http.get(url),
        "DELETE" => http.delete(url),
        _ => http.post(url).json(&body),
    };
    let reply: Value = request.send().await.unwrap().json().await.unwrap();
    let value = reply["value"].clone();
    if let Some(error) = value.get("error") {
        panic!("WebDriver {method} {url}: {error}: {}", value["message"]);
    }
    value
}

/// A browser session (a tab of a fresh Chromium).
pub struct Session {
    base: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

/// An element of the current page.
pub struct Element<'a> {
    session: &'a Session,
    id: String,
}

impl Session {
    async fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        call(&self.http, method, &format!("{}{path}", self.base), body).await
    }

    /// Loads `url` and waits for it.
    pub async fn go(&self, url: &str) {
        self.cmd("POST", "/url", json!({ "url": url })).await;
    }

    /// The address shown.
    pub async fn url(&self) -> String {
        self.cmd("GET", "/url", Value::Null)
            .await
            .as_str()
            .unwrap()
            .into()
    }

    /// The current page's HTML as the browser holds it.
    pub async fn source(&self) -> String {
        let source = self.cmd("GET", "/source", Value::Null).await;
        source.as_str().unwrap().into()
    }

    /// The first element matching `css` (waiting up to the implicit timeout); a panic
    /// naming the selector and the page's address when there is none.
    pub async fn find(&self, css: &str) -> Element<'_> {
        let body = json!({"using": "css selector", "value": css});
        let url = format!("{}/element", self.base);
        let reply: Value = self
            .http
            .post(&url)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let Some(id) = reply["value"][ELEMENT].as_str() else {
            panic!("no `{css}` on {}: {}", self.url().await, reply["value"]);
        };
        Element {
            session: self,
            id: id.into(),
        }
    }

    /// The element that has the keyboard focus.
    pub async fn focused(&self) -> Element<'_> {
        let value = self.cmd("GET", "/element/active", Value::Null).await;
        Element {
            session: self,
            id: value[ELEMENT].as_str().unwrap().into(),
        }
    }

    /// The visible text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await
    }

    /// Ends the session (its Chromium exits).
    pub async fn quit(self) {
        self.cmd("DELETE", "", Value::Null).await;
    }
}

impl Element<'_> {
    fn path(&self, rest: &str) -> String {
        format!("/element/{}{rest}", self.id)
    }

    /// Clicks it.
    pub async fn click(&self) {
        self.session
            .cmd("POST", &self.path("/click"), json!({}))
            .await;
    }

    /// Clicks a link or a form's button and waits until the page it loads replaced this one
    /// (chromedriver's click may return before a form's answer arrived).
    pub async fn click_to_load(&self) {
        let old = self.session.find("html").await;
        self.click().await;
        let deadline = Instant::now() + Duration::from_secs(20);
        while !old.is_stale().await {
            assert!(Instant::now() < deadline, "no new page in 20 s");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Whether its page is gone (a new one loaded).
    async fn is_stale(&self) -> bool {
        let url = format!("{}{}", self.session.base, self.path("/name"));
        let reply: Value = self
            .session
            .http
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        reply["value"]["error"] == "stale element reference"
    }

    /// Types `text` into it.
    pub async fn send_keys(&self, text: &str) {
        let body = json!({ "text": text });
        self.session.cmd("POST", &self.path("/value"), body).await;
    }

    /// Empties a field.
    pub async fn clear(&self) {
        self.session
            .cmd("POST", &self.path("/clear"), json!({}))
            .await;
    }

    /// Its rendered text.
    pub async fn text(&self) -> String {
        let text = self
            .session
            .cmd("GET", &self.path("/text"), Value::Null)
            .await;
        text.as_str().unwrap().into()
    }

    /// Its attribute `name` as written in the page (`None`: absent).
    pub async fn attribute(&self, name: &str) -> Option<String> {
        let path = self.path(&format!("/attribute/{name}"));
        let value = self.session.cmd("GET", &path, Value::Null).await;
        value.as_str().map(str::to_owned)
    }

    /// The computed value of its CSS property `name` (`direction`, say).
    pub async fn css(&self, name: &str) -> String {
        let path = self.path(&format!("/css/{name}"));
        let value = self.session.cmd("GET", &path, Value::Null).await;
        value.as_str().unwrap().into()
    }

    /// Its DOM property `name` (a field's current `value`, say).
    pub async fn property(&self, name: &str) -> Value {
        let path = self.path(&format!("/property/{name}"));
        self.session.cmd("GET", &path, Value::Null).await
    }
}
