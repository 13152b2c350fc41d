//! The real census server (the `census-server` library) on a loopback port, on its own tokio
//! runtime, with SQLite storage in a temporary directory. It can be stopped and started again
//! on the same port with the same database and office key.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use census_core::sampling::SamplingPlan;
use census_core::wire::{Decision, OfficeSecret};
use census_server::http::{AppState, ServerConfig, serve};
use census_server::store::{self, Counts, District, NewCode, Storage};
use tokio::runtime::Runtime;
use tokio::sync::oneshot;
use uuid::Uuid;

/// A running (or stopped) server.
pub struct TestServer {
    runtime: Runtime,
    db_path: PathBuf,
    office_secret: Vec<u8>,
    /// The office's recovery key (kept offline by a real office; here, to check a tablet's
    /// seal).
    recovery_secret: [u8; 32],
    addr: SocketAddr,
    storage: Option<Arc<dyn Storage>>,
    max_batch_bytes: Option<usize>,
    running: Option<(
        oneshot::Sender<()>,
        tokio::task::JoinHandle<std::io::Result<()>>,
    )>,
}

impl TestServer {
    /// Starts a server with a fresh office key and an empty database in `dir`, with the
    /// given districts in its frame.
    pub fn start(dir: &Path, districts: &[&str]) -> TestServer {
        TestServer::start_with_batch_limit(dir, districts, None)
    }

    /// As [`TestServer::start`], refusing batches larger than `max_batch_bytes` (413) when
    /// given.
    pub fn start_with_batch_limit(
        dir: &Path,
        districts: &[&str],
        max_batch_bytes: Option<usize>,
    ) -> TestServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let office = OfficeSecret::generate().unwrap();
        let mut server = TestServer {
            runtime,
            db_path: dir.join("office.db"),
            office_secret: office.to_secret_bytes_dangerous().to_vec(),
            recovery_secret: *OfficeSecret::generate()
                .unwrap()
                .to_secret_bytes_dangerous(),
            addr: "127.0.0.1:0".parse().unwrap(),
            storage: None,
            max_batch_bytes,
            running: None,
        };
        server.run();
        let frame: Vec<District> = districts.iter().map(|d| district(d)).collect();
        let storage = server.storage();
        server
            .runtime
            .block_on(storage.import_districts(&frame))
            .unwrap();
        server
    }

    fn run(&mut self) {
        let path = self.db_path.to_string_lossy().to_string();
        let storage = self.runtime.block_on(store::open(&path)).unwrap();
        let defaults = ServerConfig::default();
        let config = ServerConfig {
            rate_burst: 10_000,
            rate_per_second: 10_000.0,
            max_batch_bytes: self.max_batch_bytes.unwrap_or(defaults.max_batch_bytes),
            diagnostics_dir: Some(self.diagnostics_dir()),
            ..defaults
        };
        let office = OfficeSecret::from_secret_bytes(&self.office_secret).unwrap();
        // The office's recovery key: a tablet cannot enrol without one.
        if self
            .runtime
            .block_on(storage.recovery_key())
            .unwrap()
            .is_none()
        {
            let recovery = OfficeSecret::from_secret_bytes(&self.recovery_secret)
                .unwrap()
                .public_key();
            self.runtime
                .block_on(storage.set_recovery_key(&store::RecoveryKey::new(recovery)))
                .unwrap();
        }
        let state = AppState::new(storage.clone(), office, config);
        let listener = self
            .runtime
            .block_on(tokio::net::TcpListener::bind(self.addr))
            .unwrap();
        self.addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = self.runtime.spawn(serve(listener, state, async move {
            let _ = stopped.await;
        }));
        self.storage = Some(storage);
        self.running = Some((stop, task));
    }

    /// Where the office keeps tablets' diagnostics (beside its database).
    pub fn diagnostics_dir(&self) -> PathBuf {
        self.db_path.with_file_name("diagnostics")
    }

    /// Every diagnostics file the office kept, as text, oldest first by name.
    pub fn diagnostics(&self) -> Vec<String> {
        let mut files = Vec::new();
        for device in std::fs::read_dir(self.diagnostics_dir())
            .into_iter()
            .flatten()
        {
            for file in std::fs::read_dir(device.unwrap().path()).unwrap() {
                files.push(file.unwrap().path());
            }
        }
        files.sort();
        files
            .iter()
            .map(|f| String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned())
            .collect()
    }

    /// The batch size limit used from the next (re)start on (`None`: the server's default).
    pub fn set_max_batch_bytes(&mut self, max_batch_bytes: Option<usize>) {
        self.max_batch_bytes = max_batch_bytes;
    }

    /// Stops the server (graceful: requests in progress finish) and closes its database.
    pub fn stop(&mut self) {
        if let Some((stop, task)) = self.running.take() {
            let _ = stop.send(());
            self.runtime.block_on(task).unwrap().unwrap();
        }
        self.storage = None;
    }

    /// Starts the stopped server again on the same port, database and office key.
    pub fn restart(&mut self) {
        assert!(self.running.is_none(), "the server is running");
        self.run();
    }

    /// The office's secret key (to open what a device sent, as the server does).
    pub fn office_secret(&self) -> OfficeSecret {
        OfficeSecret::from_secret_bytes(&self.office_secret).unwrap()
    }

    /// The office's recovery secret key, as `census-recover` reads it from its offline file.
    pub fn recovery_secret(&self) -> census::keys::OfficeSecretKey {
        census::keys::OfficeSecretKey::from_secret_bytes(self.recovery_secret)
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The storage (while running).
    pub fn storage(&self) -> Arc<dyn Storage> {
        self.storage.clone().expect("the server is stopped")
    }

    /// Issues a one-time enrolment code for `enumerator` writing `districts`.
    pub fn issue_code(&self, enumerator: &str, districts: &[&str]) -> String {
        let code = census_server::secrets::generate_code().unwrap();
        let new = NewCode {
            code_hash: census_server::secrets::code_hash(&code),
            enumerator_id: enumerator.to_owned(),
            districts: districts.iter().map(|d| (*d).to_owned()).collect(),
        };
        let storage = self.storage();
        self.runtime
            .block_on(storage.add_enrolment_code(&new))
            .unwrap();
        code
    }

    /// What the office's coverage report of `districts` is computed from (per-district
    /// counts from the stored listing and cases, occupied dwellings without a household).
    pub fn coverage(&self, districts: &[&str]) -> census_core::coverage::Gathered {
        let storage = self.storage();
        let scope = store::Scope::Districts(districts.iter().map(|d| (*d).to_owned()).collect());
        let rules = census_core::coverage::CoverageRules::new("2024-09-01", "2024-09-15");
        self.runtime
            .block_on(storage.gather_coverage(&scope, &rules))
            .unwrap()
    }

    /// The storage's row counts.
    pub fn counts(&self) -> Counts {
        let storage = self.storage();
        self.runtime.block_on(storage.counts()).unwrap()
    }

    /// Every stored case `(case id, revision)`, by case id.
    pub fn stored_cases(&self) -> Vec<(Uuid, u64)> {
        let storage = self.storage();
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let page = self
                .runtime
                .block_on(storage.cases_page(after, 100))
                .unwrap();
            let Some(last) = page.last() else {
                return out;
            };
            after = Some(last.case_id);
            out.extend(page.iter().map(|c| (c.case_id, c.revision)));
        }
    }

    /// Creates a reviewer account (as `census-server issue-reviewer` does) and returns its
    /// reviewer code (`K7QMX-3PARD`): a controller of control sector `scope_id`, for instance.
    pub fn add_reviewer(
        &self,
        role: store::Role,
        level: census_core::coverage::Level,
        scope_id: &str,
    ) -> String {
        let token = census_server::secrets::generate_reviewer_code().unwrap();
        let reviewer = store::NewReviewer {
            token_hash: census_server::secrets::token_hash(&token),
            name: format!("{} {scope_id}", role.as_str()),
            role,
            scope_level: level,
            scope_id: scope_id.to_owned(),
        };
        let storage = self.storage();
        self.runtime
            .block_on(storage.add_reviewer(&reviewer))
            .unwrap();
        token
    }

    /// The decisions recorded on a case `(decision, comment)`, oldest first.
    pub fn decisions(&self, case_id: Uuid) -> Vec<(String, String)> {
        let storage = self.storage();
        let history = self
            .runtime
            .block_on(storage.case_history(case_id))
            .unwrap();
        history
            .map(|h| {
                h.decisions
                    .into_iter()
                    .map(|d| (d.decision, d.comment))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A supervisor's decision on a stored case.
    pub fn review(&self, case_id: Uuid, decision: Decision, comment: &str) -> u64 {
        let storage = self.storage();
        self.runtime
            .block_on(storage.add_review(case_id, decision, comment))
            .unwrap()
    }

    /// Checks the office's invariants: one row per case, no duplicates, and returns the
    /// number of cases.
    pub fn case_count_without_duplicates(&self) -> u64 {
        let counts = self.counts();
        let cases = self.stored_cases();
        let mut ids: Vec<Uuid> = cases.iter().map(|c| c.0).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), cases.len(), "a case is stored twice");
        assert_eq!(counts.cases, cases.len() as u64);
        counts.cases
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A district of the frame.
pub fn district(id: &str) -> District {
    District {
        district_id: id.to_owned(),
        control_sector: "CS-1".into(),
        supervision_zone: "ZS-1".into(),
        commune: "Rabat-Hassan".into(),
        province: "Rabat".into(),
        region: "Rabat-Salé-Kénitra".into(),
        expected_buildings: 40,
        expected_dwellings: 60,
        expected_households: 250,
        sampling: SamplingPlan {
            rate_per_mille: 200,
            random_start: 417,
            take_all: false,
        },
    }
}
