//! Shared by the server's tests and its benchmark: a real server on a loopback port,
//! enrolled devices, and realistic household cases.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod area;
pub mod backends;
pub mod census;
pub mod page;
pub mod products;
pub mod webdriver;

#[allow(unused_imports)]
pub use census::census_case;

use std::sync::Arc;

use census_core::sampling::SamplingPlan;
use census_core::wire::*;
use census_server::http::{AppState, ServerConfig, serve};
use census_server::secrets;
use census_server::store::{District, NewCode, Storage};
use serde_json::{Value, json};
use uuid::Uuid;

/// The test database's URL, or `None` (with a message) to skip a PostgreSQL test; under
/// `CI=true` a missing database fails the test instead of skipping it.
pub fn postgres_url(what: &str) -> Option<String> {
    match std::env::var("CENSUS_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but CENSUS_TEST_DATABASE_URL is unset: run .ci/start-postgres")
        }
        _ => {
            eprintln!("\n*** SKIPPED: PostgreSQL {what} (set CENSUS_TEST_DATABASE_URL) ***\n");
            None
        }
    }
}

/// A server on 127.0.0.1:0 in the current runtime.
pub struct TestServer {
    pub url: String,
    pub state: Arc<AppState>,
    pub http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

pub fn district(id: &str) -> District {
    District {
        district_id: id.into(),
        control_sector: "CS-1".into(),
        supervision_zone: "ZS-1".into(),
        commune: "Rabat".into(),
        province: "Rabat".into(),
        region: "Rabat-Salé-Kénitra".into(),
        expected_buildings: 80,
        expected_dwellings: 240,
        expected_households: 250,
        sampling: SamplingPlan::systematic(200, 777).unwrap(),
    }
}

/// The coverage items of the bundled census questionnaire (`schemas/rgph2024.json`'s
/// `coverage` block), with which the tests' household cases are read.
pub fn census_items() -> census_server::facts::CoverageItems {
    let q = census_core::load::load_questionnaire(
        "rgph2024.json",
        include_str!("../../../schemas/rgph2024.json"),
    )
    .unwrap();
    census_server::facts::CoverageItems::of_questionnaires([&*q]).unwrap()
}

/// The census and the collective questionnaires' coverage items.
pub fn all_items() -> census_server::facts::CoverageItems {
    let load = |name: &str, text: &str| census_core::load::load_questionnaire(name, text).unwrap();
    let census = load(
        "rgph2024.json",
        include_str!("../../../schemas/rgph2024.json"),
    );
    let collective = load(
        "collective2024.json",
        include_str!("../../../schemas/collective2024.json"),
    );
    census_server::facts::CoverageItems::of_questionnaires([&*census, &*collective]).unwrap()
}

/// A temporary SQLite store (the directory lives as long as the returned guard).
pub async fn sqlite_store() -> (Arc<dyn Storage>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("census.db");
    let store = census_server::store::open(path.to_str().unwrap())
        .await
        .unwrap();
    (store, dir)
}

pub async fn start(store: Arc<dyn Storage>, config: ServerConfig) -> TestServer {
    let office = OfficeSecret::generate().unwrap();
    start_with(AppState::new(store, office, config)).await
}

/// Sets a fresh recovery key as the office's current one (a tablet cannot enrol without
/// one); returns its public half.
pub async fn set_recovery_key(store: &dyn Storage) -> [u8; 32] {
    let public = OfficeSecret::generate().unwrap().public_key();
    store
        .set_recovery_key(&census_server::store::RecoveryKey::new(public))
        .await
        .unwrap();
    public
}

/// A server on 127.0.0.1:0 serving `state` (several may share one database), whose office
/// has a recovery key (set unless one is).
pub async fn start_with(state: Arc<AppState>) -> TestServer {
    if state.store.recovery_key().await.unwrap().is_none() {
        set_recovery_key(state.store.as_ref()).await;
    }
    start_without_recovery_key(state).await
}

/// [`start_with`] leaving the office's recovery key as it is (maybe none).
pub async fn start_without_recovery_key(state: Arc<AppState>) -> TestServer {
    // A workspace build unifies reqwest's features with the app's `rustls-no-provider`:
    // reqwest then needs a process-wide rustls provider even for plain HTTP.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve(listener, Arc::clone(&state), async move {
        let _ = rx.await;
    }));
    TestServer {
        url,
        state,
        // No pooled connections: the server closes a connection on which it refused a body
        // unread (too large), and a pooled client could send the next request on it.
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .unwrap(),
        stop: Some(tx),
    }
}

/// An enrolled device.
pub struct Device {
    pub id: String,
    pub key: DeviceKey,
    pub token: String,
    pub office_public: [u8; 32],
    pub enumerator: String,
}

impl TestServer {
    pub async fn issue_code(&self, enumerator: &str, districts: &[&str]) -> String {
        let code = secrets::generate_code().unwrap();
        self.state
            .store
            .add_enrolment_code(&NewCode {
                code_hash: secrets::code_hash(&code),
                enumerator_id: enumerator.into(),
                districts: districts.iter().map(|d| d.to_string()).collect(),
            })
            .await
            .unwrap();
        code
    }

    pub async fn enrol(&self, device_id: &str, enumerator: &str, districts: &[&str]) -> Device {
        let code = self.issue_code(enumerator, districts).await;
        let key = DeviceKey::generate().unwrap();
        let req = EnrolRequest {
            code,
            device_id: device_id.into(),
            device_public_key: b64_encode(&key.public_key()),
            enumerator_id: enumerator.into(),
        };
        let resp = self
            .http
            .post(format!("{}/v1/enrol", self.url))
            .json(&req)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{:?}", resp.text().await);
        let reply: EnrolReply = resp.json().await.unwrap();
        Device {
            id: device_id.into(),
            key,
            token: reply.device_token,
            office_public: decode_key32(&reply.office_public_key).unwrap(),
            enumerator: enumerator.into(),
        }
    }

    pub async fn post_batch(&self, token: &str, body: Vec<u8>) -> (u16, Value) {
        let resp = self
            .http
            .post(format!("{}/v1/batches", self.url))
            .bearer_auth(token)
            .header("content-type", "application/octet-stream")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let body = resp.json::<Value>().await.unwrap_or(Value::Null);
        (status, body)
    }
}

/// A household case as the tablet would send it: a dwelling with one household of
/// `persons` persons, with an event per answer.
pub fn household_case(district: &str, dwelling: u32, persons: usize, revision: u64) -> CaseRecord {
    let mut events = Vec::new();
    let mut seq = 0;
    let mut event = |row_path: String, item: &str, new: Value| {
        seq += 1;
        EventRecord {
            seq,
            at: "2024-09-02T10:00:00Z".into(),
            kind: "answer".into(),
            row_path,
            item_id: item.into(),
            old: Value::Null,
            new,
            screen: Some("persons".into()),
            gps: None,
            last_at: None,
        }
    };
    let mut rows = Vec::new();
    for p in 1..=persons {
        let answers = json!({
            "first_name": format!("Person{p}"), "sex": if p % 2 == 0 { "f" } else { "m" },
            "relationship": if p == 1 { "head" } else { "child" }, "age": 20 + p * 7,
            "nationality": "MA", "marital_status": "single", "birthplace": "same_commune",
            "residence_5y": "same_dwelling", "literate": true, "school": "secondary",
            "activity": "employed", "occupation": "teacher", "disability_seeing": "no",
            "languages": ["darija", "french"]
        });
        for (k, v) in answers.as_object().unwrap() {
            events.push(event(format!("households.1/persons.{p}"), k, v.clone()));
        }
        rows.push(json!({"row_id": p + 1, "inputs": {}, "answers": answers, "rosters": {}}));
    }
    let household = json!({"row_id": 1, "inputs": {}, "answers": {"household_size": persons,
        "deaths_12m": false, "water": "tap", "electricity": true, "rooms": 3},
        "rosters": {"persons": rows, "deaths": []}});
    let case = json!({
        "format": "census-case", "format_version": 1,
        "questionnaire": {"id": "rgph2024", "version": "1.0.0"},
        "root": {"inputs": {"district": district}, "answers": {"dwelling_type": "apartment",
            "occupancy": "occupied", "gps": {"lat": 34.02, "lon": -6.83}},
            "rosters": {"households": [household]}},
        "confirmations": [], "next_row_id": persons + 2
    });
    CaseRecord {
        case_id: Uuid::new_v4(),
        questionnaire_id: "rgph2024".into(),
        questionnaire_version: "1.0.0".into(),
        district_id: district.into(),
        building_number: dwelling / 3 + 1,
        dwelling_number: dwelling,
        household_number: Some(1),
        status: "complete".into(),
        revision,
        long_form: Some(
            SamplingPlan::systematic(200, 777)
                .unwrap()
                .select(dwelling)
                .unwrap(),
        ),
        case,
        events,
        updated_at: "2024-09-02T10:30:00Z".into(),
    }
}

/// A device that is not enrolled anywhere (`id`, enumerator `E-1`, fresh keys, an office
/// key of its own): for building batches that go straight to a store, without HTTP.
pub fn unenrolled_device(id: &str) -> Device {
    Device {
        id: id.into(),
        key: DeviceKey::generate().unwrap(),
        token: String::new(),
        office_public: OfficeSecret::generate().unwrap().public_key(),
        enumerator: "E-1".into(),
    }
}

pub fn payload(device: &Device, cases: Vec<CaseRecord>) -> BatchPayload {
    BatchPayload {
        wire_version: WIRE_VERSION,
        batch_id: Uuid::new_v4(),
        device_id: device.id.clone(),
        enumerator_id: device.enumerator.clone(),
        created_at: "2024-09-02T11:00:00Z".into(),
        questionnaires: vec![QuestionnaireRef {
            id: "rgph2024".into(),
            version: "1.0.0".into(),
        }],
        cases,
        listing: Default::default(),
    }
}

pub fn envelope(device: &Device, p: &BatchPayload) -> Vec<u8> {
    build_batch(p, &device.key, &device.office_public)
        .unwrap()
        .to_bytes()
}
