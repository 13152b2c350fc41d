//! Both databases for one test body, a batch sent as raw JSON text (to carry what a typed
//! payload cannot: `1e999`, a lone surrogate), an office reviewer, and the real binary.

use std::process::Output;
use std::sync::Arc;

use census_core::coverage::Level;
use census_core::wire::{BatchPayload, WIRE_VERSION, gzip, seal_and_sign};
use census_server::secrets;
use census_server::store::postgres::PgStore;
use census_server::store::{NewReviewer, Role, Storage};
use uuid::Uuid;

use super::{Device, TestServer, postgres_url};

/// A store, the `--database` argument that opens it from the command line, and what must
/// live as long as it.
pub struct Backend {
    pub store: Arc<dyn Storage>,
    pub database: String,
    _dir: Option<tempfile::TempDir>,
}

impl Backend {
    /// Whether this is the SQLite store (else PostgreSQL).
    pub fn is_sqlite(&self) -> bool {
        self._dir.is_some()
    }
}

/// A new SQLite database in a temporary directory.
pub async fn sqlite() -> Backend {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("census.db").to_string_lossy().into_owned();
    let store = census_server::store::open(&path).await.unwrap();
    Backend {
        store,
        database: path,
        _dir: Some(dir),
    }
}

/// A new schema of the test PostgreSQL database (`None`: skipped, see [`postgres_url`]).
pub async fn postgres(what: &str) -> Option<Backend> {
    let url = postgres_url(what)?;
    let schema = format!("t_{}", Uuid::new_v4().simple());
    let store: Arc<dyn Storage> =
        Arc::new(PgStore::connect_in_schema(&url, &schema).await.unwrap());
    let sep = if url.contains('?') { '&' } else { '?' };
    Some(Backend {
        store,
        database: format!("{url}{sep}options=-c%20search_path%3D{schema}"),
        _dir: None,
    })
}

/// SQLite, and PostgreSQL when the test database is configured: the stores a test body runs
/// on.
pub async fn both(what: &str) -> Vec<Backend> {
    let mut out = vec![sqlite().await];
    out.extend(postgres(what).await);
    out
}

/// Seals and signs payload JSON text as `device` would, for `payload`'s batch id.
pub fn envelope_of_text(device: &Device, batch_id: Uuid, json: &str) -> Vec<u8> {
    envelope_of_text_at(device, batch_id, json, WIRE_VERSION)
}

/// As [`envelope_of_text`], claiming wire version `version` in the envelope.
pub fn envelope_of_text_at(device: &Device, batch_id: Uuid, json: &str, version: u32) -> Vec<u8> {
    seal_and_sign(
        &gzip(json.as_bytes()).unwrap(),
        version,
        batch_id,
        &device.id,
        &device.key,
        &device.office_public,
    )
    .unwrap()
    .to_bytes()
}

/// `payload` as JSON text with each `(marker, text)` replaced: a string answer `"@@X@@"`
/// becomes raw JSON text.
pub fn payload_text(payload: &BatchPayload, replace: &[(&str, String)]) -> String {
    let mut json = serde_json::to_string(payload).unwrap();
    for (marker, text) in replace {
        let quoted = format!("\"{marker}\"");
        assert!(json.contains(&quoted), "{marker} not in the payload");
        json = json.replacen(&quoted, text, 1);
    }
    json
}

/// Adds an office reviewer (national scope) with `token`.
pub async fn office_reviewer(store: &dyn Storage, token: &str) {
    store
        .add_reviewer(&NewReviewer {
            token_hash: secrets::token_hash(token),
            name: "office".into(),
            role: Role::Office,
            scope_level: Level::National,
            scope_id: "national".into(),
        })
        .await
        .unwrap();
}

/// `GET path` with a bearer token: status and body text.
pub async fn get(server: &TestServer, path: &str, token: &str) -> (u16, String) {
    let r = server
        .http
        .get(format!("{}{path}", server.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Runs the real `census-server` binary on `database` (in a blocking task).
pub async fn cli(database: &str, args: &[&str]) -> Output {
    let data = tempfile::tempdir().unwrap();
    let mut all = vec![
        "--data-dir".to_string(),
        data.path().to_string_lossy().into_owned(),
        "--database".to_string(),
        database.to_string(),
    ];
    all.extend(args.iter().map(|a| a.to_string()));
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_census-server"))
            .args(&all)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    drop(data);
    out
}
