//! `schemas/openapi.yaml` is the contract: every route of the real router is documented
//! with its method (and the spec lists no route the server lacks), the router answers each
//! documented method, and real responses of a real server on a loopback port — every route,
//! with real data stored — have a status the spec lists for that operation, a documented
//! content type, and a body that validates against the spec's schema (JSON bodies against
//! `schemas/wire/*.json`, CSV and HTML against their documented first line).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;

use census_core::coverage::Level;
use census_server::http::ServerConfig;
use census_server::secrets;
use census_server::store::{NewReviewer, Role};
use serde_json::{Value, json};
use support::page::{FORM, cookie_pair, csrf_of, form, no_redirect, set_cookie};

const BASE: &str = "https://census.example/schemas/";

fn schemas_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas")
}

fn spec() -> Value {
    let text = std::fs::read_to_string(schemas_dir().join("openapi.yaml")).unwrap();
    serde_norway::from_str(&text).unwrap()
}

/// `$ref`s to files (`wire/x.schema.json#/…`) made absolute, as the files' `$id`s are.
fn absolute_refs(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| match (k.as_str(), v) {
                    ("$ref", Value::String(r)) if !r.starts_with('#') => {
                        (k.clone(), Value::String(format!("{BASE}{r}")))
                    }
                    _ => (k.clone(), absolute_refs(v)),
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(absolute_refs).collect()),
        other => other.clone(),
    }
}

struct Contract {
    spec: Value,
    registry: jsonschema::Registry<'static>,
}

impl Contract {
    fn load() -> Contract {
        let mut registry = jsonschema::Registry::new();
        for entry in std::fs::read_dir(schemas_dir().join("wire")).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let schema: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            jsonschema::meta::validate(&schema).unwrap();
            registry = registry.add(format!("{BASE}wire/{name}"), schema).unwrap();
        }
        Contract {
            spec: spec(),
            registry: registry.prepare().unwrap(),
        }
    }

    fn operation(&self, method: &str, path: &str) -> &Value {
        let op = &self.spec["paths"][path][method.to_ascii_lowercase()];
        assert!(op.is_object(), "{method} {path} is not in openapi.yaml");
        op
    }

    /// Checks one real response of `method path` against the spec.
    fn check(&self, method: &str, path: &str, status: u16, content_type: &str, body: &[u8]) {
        let what = format!("{method} {path} → {status}");
        let mut response = &self.operation(method, path)["responses"][status.to_string()];
        assert!(
            response.is_object(),
            "{what}: status not documented in openapi.yaml ({})",
            String::from_utf8_lossy(body)
        );
        if let Some(r) = response["$ref"].as_str() {
            let name = r.trim_start_matches("#/components/responses/");
            response = &self.spec["components"]["responses"][name];
        }
        let Some(content) = response["content"].as_object() else {
            assert!(
                body.is_empty() || content_type.is_empty(),
                "{what}: a body the spec does not document"
            );
            return;
        };
        let media = content_type.split(';').next().unwrap_or("").trim();
        let schema = &content
            .get(media)
            .unwrap_or_else(|| panic!("{what}: content type {media:?} not documented"))["schema"];
        let instance = if media == "application/json" {
            serde_json::from_slice(body)
                .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {body:?}"))
        } else {
            Value::String(String::from_utf8(body.to_vec()).unwrap())
        };
        let validator = jsonschema::options()
            .with_registry(&self.registry)
            .offline()
            .build(&absolute_refs(schema))
            .unwrap_or_else(|e| panic!("{what}: the spec's schema does not build: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        let shown: String = instance.to_string().chars().take(1500).collect();
        assert!(errors.is_empty(), "{what}: {errors:#?}\n{shown}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_is_in_the_spec_and_the_spec_lists_only_routes() {
    let (store, _dir) = support::sqlite_store().await;
    let server = support::start(store, ServerConfig::default()).await;
    let routes: BTreeSet<(String, String)> = census_server::http::route_list(&server.state)
        .into_iter()
        .map(|(m, p)| (m.to_ascii_lowercase(), p.to_owned()))
        .collect();
    let spec = spec();
    let mut documented = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                documented.insert((method.clone(), path.clone()));
            }
        }
    }
    let missing: Vec<_> = routes.difference(&documented).collect();
    let stale: Vec<_> = documented.difference(&routes).collect();
    assert!(
        missing.is_empty(),
        "routes missing from openapi.yaml: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "openapi.yaml lists routes the server lacks: {stale:?}"
    );
    // The router answers each route with its method (not 404 or 405).
    for (method, path) in &routes {
        let url = format!(
            "{}{}",
            server.url,
            path.replace("{case_id}", "00000000-0000-4000-8000-000000000000")
        );
        let request = match method.as_str() {
            "get" => server.http.get(&url),
            _ => server.http.post(&url).header("content-type", FORM).body(""),
        };
        let status = request.send().await.unwrap().status().as_u16();
        assert!(
            status != 404 && status != 405 || path.contains("{case_id}") && status == 404,
            "{method} {path}: {status}"
        );
    }
}

/// Sends a request and checks its response against the contract; the response's status
/// and body.
async fn exchange(
    contract: &Contract,
    (method, path): (&str, &str),
    request: reqwest::RequestBuilder,
) -> (u16, Vec<u8>, reqwest::header::HeaderMap) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = response.bytes().await.unwrap().to_vec();
    if let Ok(dir) = std::env::var("OPENAPI_DUMP") {
        let name = format!("{method}{path}-{status}").replace(['/', '{', '}'], "_");
        // Writing the spec: keep the real bodies, check nothing.
        std::fs::write(format!("{dir}/{name}"), &body).unwrap();
        return (status, body, headers);
    }
    contract.check(method, path, status, &content_type, &body);
    (status, body, headers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_responses_validate_against_the_spec() {
    let contract = Contract::load();
    let (store, _dir) = support::sqlite_store().await;
    store
        .import_districts(&[support::district("DR-1")])
        .await
        .unwrap();
    let server = support::start(store, ServerConfig::default()).await;
    let url = |p: &str| format!("{}{p}", server.url);
    let http = &server.http;
    let store = &server.state.store;
    store
        .add_reviewer(&NewReviewer {
            token_hash: secrets::token_hash("office-token"),
            name: "Office".into(),
            role: Role::Office,
            scope_level: Level::National,
            scope_id: "national".into(),
        })
        .await
        .unwrap();
    let office = "office-token";

    exchange(&contract, ("GET", "/health"), http.get(url("/health"))).await;
    exchange(
        &contract,
        ("GET", "/v1/office-key"),
        http.get(url("/v1/office-key")),
    )
    .await;
    // Enrolment: refused (unknown code), then through the helper (checked below).
    let refused = json!({"code": "nope", "device_id": "tab-x",
        "device_public_key": census_core::wire::b64_encode(&[7; 32]), "enumerator_id": "E"});
    exchange(
        &contract,
        ("POST", "/v1/enrol"),
        http.post(url("/v1/enrol")).json(&refused),
    )
    .await;
    let device = server.enrol("tab-1", "E-1", &["DR-1"]).await;
    let cases: Vec<_> = (1..=3)
        .map(|d| support::census_case("DR-1", d, 3, 1))
        .collect();
    let case_id = cases[0].case_id;
    let batch = support::envelope(&device, &support::payload(&device, cases));
    let (status, _, _) = exchange(
        &contract,
        ("POST", "/v1/batches"),
        http.post(url("/v1/batches"))
            .bearer_auth(&device.token)
            .header("content-type", "application/octet-stream")
            .body(batch),
    )
    .await;
    assert_eq!(status, 200);
    exchange(
        &contract,
        ("POST", "/v1/batches"),
        http.post(url("/v1/batches")).body("x"),
    )
    .await;
    for path in ["/v1/assignment", "/v1/reviews", "/v1/questionnaires"] {
        exchange(
            &contract,
            ("GET", path),
            http.get(url(path)).bearer_auth(&device.token),
        )
        .await;
    }
    // A published questionnaire's bytes, an unknown one, and no token.
    let file = schemas_dir().join("rgph2024.json");
    let publication = census_server::published::prepare(&file).unwrap();
    store.publish_questionnaire(&publication).await.unwrap();
    let published = "/v1/questionnaires/{id}/{version}";
    for (path, token) in [
        (
            "/v1/questionnaires/rgph2024/1.0.0",
            Some(device.token.as_str()),
        ),
        ("/v1/questionnaires/rgph2024/1.0.0", Some(office)),
        ("/v1/questionnaires/rgph2024/9.9.9", Some(office)),
        ("/v1/questionnaires/rgph2024/1.0.0", None),
    ] {
        let request = http.get(url(path));
        let request = match token {
            Some(t) => request.bearer_auth(t),
            None => request,
        };
        exchange(&contract, ("GET", published), request).await;
    }
    exchange(
        &contract,
        ("GET", "/v1/reviews"),
        http.get(url("/v1/reviews?since=-1"))
            .bearer_auth(&device.token),
    )
    .await;
    for path in [
        "/v1/coverage",
        "/v1/coverage/districts.csv",
        "/v1/coverage/map",
        "/v1/review/queue",
        "/v1/office/population.csv",
        "/v1/office/sampling-frame.csv",
    ] {
        let (status, _, _) = exchange(
            &contract,
            ("GET", path),
            http.get(url(path)).bearer_auth(office),
        )
        .await;
        assert_eq!(status, 200, "{path}");
        exchange(&contract, ("GET", path), http.get(url(path))).await;
    }
    let decide = "/v1/review/cases/{case_id}";
    let (status, _, _) = exchange(
        &contract,
        ("POST", decide),
        http.post(url(&format!("/v1/review/cases/{case_id}")))
            .bearer_auth(office)
            .json(&json!({"decision": "sent_back", "comment": "check the ages", "revision": 1})),
    )
    .await;
    assert_eq!(status, 200);
    exchange(
        &contract,
        ("POST", decide),
        http.post(url(&format!("/v1/review/cases/{case_id}")))
            .bearer_auth(office)
            .json(&json!({"decision": "approved", "comment": "", "revision": 7})),
    )
    .await;
    let history = "/v1/cases/{case_id}/history";
    let (status, _, _) = exchange(
        &contract,
        ("GET", history),
        http.get(url(&format!("/v1/cases/{case_id}/history")))
            .bearer_auth(office),
    )
    .await;
    assert_eq!(status, 200);
    exchange(
        &contract,
        ("GET", history),
        http.get(url(&format!("/v1/cases/{}/history", uuid::Uuid::new_v4())))
            .bearer_auth(office),
    )
    .await;
    exchange(
        &contract,
        ("GET", "/v1/reviews"),
        http.get(url("/v1/reviews")).bearer_auth(&device.token),
    )
    .await;

    // The review page: sign-in form, sign in, the page, a decision, sign out.
    let page = no_redirect();
    let (_, body, headers) =
        exchange(&contract, ("GET", "/review"), page.get(url("/review"))).await;
    let login_cookie = headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("census_login="))
        .map(cookie_pair)
        .unwrap();
    let csrf = csrf_of(&String::from_utf8(body).unwrap());
    let response = page
        .post(url("/review/login"))
        .header("cookie", &login_cookie)
        .header("content-type", FORM)
        .body(form(&[("token", office), ("csrf", &csrf)]));
    let signed = response.send().await.unwrap();
    let status = signed.status().as_u16();
    let session = cookie_pair(&set_cookie(&signed, "census_session").unwrap());
    contract.check("POST", "/review/login", status, "", b"");
    exchange(
        &contract,
        ("POST", "/review/login"),
        page.post(url("/review/login"))
            .header("content-type", FORM)
            .body(form(&[("token", "wrong"), ("csrf", "x")])),
    )
    .await;
    let (_, body, _) = exchange(
        &contract,
        ("GET", "/review"),
        page.get(url("/review")).header("cookie", &session),
    )
    .await;
    let html = String::from_utf8(body).unwrap();
    let csrf = csrf_of(&html);
    let other =
        uuid::Uuid::parse_str(&html[html.find("/review/cases/").unwrap() + 14..][..36]).unwrap();
    exchange(
        &contract,
        ("GET", "/review/cases/{case_id}"),
        page.get(url(&format!("/review/cases/{other}?lang=ar")))
            .header("cookie", &session),
    )
    .await;
    exchange(
        &contract,
        ("POST", "/review/cases/{case_id}"),
        page.post(url(&format!("/review/cases/{other}")))
            .header("cookie", &session)
            .header("content-type", FORM)
            .body(form(&[
                ("decision", "sent_back"),
                ("comment", "see the head's age"),
                ("revision", "1"),
                ("csrf", &csrf),
            ])),
    )
    .await;
    exchange(
        &contract,
        ("POST", "/review/cases/{case_id}"),
        page.post(url(&format!("/review/cases/{other}")))
            .header("content-type", FORM)
            .body(form(&[("decision", "approved"), ("csrf", "x")])),
    )
    .await;
    exchange(
        &contract,
        ("POST", "/review/logout"),
        page.post(url("/review/logout"))
            .header("cookie", &session)
            .header("content-type", FORM)
            .body(form(&[("csrf", &csrf)])),
    )
    .await;
}
