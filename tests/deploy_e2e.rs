//! A census deployed from nothing, on the real binaries: the office makes its recovery key
//! offline (`census-recover keygen`), gives the server only its public half, imports the
//! frame and cartography's buildings, publishes the household and the collective
//! questionnaires and issues a code (`census-server`, run as a process, on SQLite and on
//! PostgreSQL). A tablet with an empty data directory enrols with the office's enrolment
//! payload alone (the real app, driven through its UI), lists a household dwelling and a
//! collective living quarter, interviews both and syncs; coverage counts both, the
//! quarter's residents apart. The office publishes version 2 of the household
//! questionnaire: the tablet's next new case uses it while the case already started stays
//! on version 1, and the office reads both. The enumerator forgets the PIN: the office's
//! offline recovery key restores the data, another key is refused, and the tablet was never
//! sealed to the demo key.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod ui_support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use census::app::AppConfig;
use census::keys::{KEY_FILE_NAME, KeyFile, Pin};
use census::store::Store;
use ui_support::{App, frames_until, start_syncing};

const DISTRICT: &str = "01-001-0007";
const PIN: &str = "582047";
const NEW_PIN: &str = "739154";

/// The two deployments run one after the other: each drives a server process and a tablet
/// with timeouts, which two at once on two cores could overrun.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The `census-server` binary, built if needed (it belongs to another package of the
/// workspace, so cargo does not hand its path to this test). Asked for with the targets
/// `cargo test --workspace` builds, so that the dependencies' features are the same and
/// nothing is compiled again under the README's test command.
fn server_binary() -> PathBuf {
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--quiet",
            "--workspace",
            "--bins",
            "--tests",
            "--examples",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .unwrap();
    assert!(status.success(), "census-server builds");
    let exe = std::env::current_exe().unwrap();
    let debug_dir = exe.parent().unwrap().parent().unwrap();
    debug_dir.join(format!("census-server{}", std::env::consts::EXE_SUFFIX))
}

/// The office's command line on one data directory and database.
struct Office {
    binary: PathBuf,
    data_dir: PathBuf,
    database: Option<String>,
}

impl Office {
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.binary);
        command.arg("--data-dir").arg(&self.data_dir);
        if let Some(database) = &self.database {
            command.arg("--database").arg(database);
        }
        command.args(args);
        command
    }

    /// Runs an admin command; its standard output (it must succeed).
    fn run(&self, args: &[&str]) -> String {
        let out = self.command(args).output().unwrap();
        assert!(
            out.status.success(),
            "census-server {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs an admin command that must fail; its standard error.
    fn refused(&self, args: &[&str]) -> String {
        let out = self.command(args).output().unwrap();
        assert!(!out.status.success(), "census-server {args:?} should fail");
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// `serve` on a free loopback port, once `/health` answers.
    fn serve(&self) -> (Server, String) {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let listen = format!("127.0.0.1:{port}");
        let child = self
            .command(&["serve", "--listen", &listen])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Server(child);
        let url = format!("http://{listen}");
        let start = Instant::now();
        while reqwest::blocking::get(format!("{url}/health")).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the server starts"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        (server, url)
    }
}

/// A serving office process, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn recover(args: &[&str], new_pin: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_census-recover"))
        .args(args)
        .env("CENSUS_NEW_PIN", new_pin)
        .output()
        .unwrap()
}

/// `census-recover keygen`: the private half written to `path`, the public half printed.
fn keygen(path: &Path) -> String {
    let out = recover(&["keygen", "--private-out", path.to_str().unwrap()], "");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("public key: "))
        .unwrap_or_else(|| panic!("no public key printed: {text}"))
        .trim()
        .to_owned()
}

fn schema_file(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// The tablet's store, opened beside the app with `pin`.
fn tablet_store(dir: &Path, pin: &str) -> Store {
    let mut keyfile = KeyFile::load(&dir.join(KEY_FILE_NAME)).unwrap();
    let key = keyfile.unlock(&Pin::new(pin.to_owned()).unwrap()).unwrap();
    Store::open(dir, &key).unwrap()
}

fn settled(app: &App<'_>) -> bool {
    app.state()
        .sync_status()
        .is_some_and(|s| s.enrolled && !s.is_busy() && s.last_success.is_some() && s.pending == 0)
}

fn sync(h: &mut App<'_>) {
    let before = h.state().sync_status().and_then(|s| s.last_success);
    h.click_button("Synchroniser maintenant");
    frames_until(h, "a complete sync", |app| {
        settled(app) && app.state().sync_status().and_then(|s| s.last_success) != before
    });
}

/// Lists a dwelling in `building` (a collective living quarter when `collective`).
fn list_dwelling(h: &mut App<'_>, building: u32, address: &str, collective: bool) {
    h.click(&format!("Ajouter un logement ({building})"));
    h.type_in("Adresse", address);
    if collective {
        h.click("Logement collectif");
    }
    h.click("Créer");
}

/// Opens a dwelling's case and leaves it saved; returns whether `question` was shown.
fn open_and_leave(h: &mut App<'_>, dwelling: &str, question: &str) -> bool {
    h.click(&format!("Logement {dwelling}"));
    assert_eq!(h.state().error(), None, "dwelling {dwelling} opens");
    let shown = h.has_contains(question);
    h.click_first("Enregistrer et quitter");
    shown
}

fn deploy_and_count(database: Option<String>) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    census::sync::install_tls_provider();
    let root = tempfile::tempdir().unwrap();
    let offline = root.path().join("offline");
    std::fs::create_dir_all(&offline).unwrap();
    let office = Office {
        binary: server_binary(),
        data_dir: root.path().join("office"),
        database,
    };
    let tablet_dir = root.path().join("tablet");

    // Office: keys separated by duty, frame, buildings, questionnaires.
    let recovery_public = keygen(&offline.join("recovery.secret"));
    let refused = office.refused(&["set-recovery-key", "not-a-key"]);
    assert!(!refused.is_empty());
    office.run(&["set-recovery-key", &recovery_public]);
    let frame = root.path().join("frame.csv");
    std::fs::write(
        &frame,
        format!(
            "district_id,control_sector,supervision_zone,commune,province,region,\
             expected_buildings,expected_dwellings,expected_households\n\
             {DISTRICT},CS-01-001-01,ZS-01-001,Agdal,Rabat,Rabat-Salé-Kénitra,2,3,3\n"
        ),
    )
    .unwrap();
    office.run(&["import-frame", frame.to_str().unwrap()]);
    let buildings = root.path().join("buildings.csv");
    std::fs::write(
        &buildings,
        format!(
            "district_id,building_number,lat,lon,description\n\
             {DISTRICT},1,34.0101,-6.8402,12 rue Oued Ziz\n\
             {DISTRICT},2,34.0105,-6.8410,Internat du lycée Moulay Youssef\n"
        ),
    )
    .unwrap();
    office.run(&["import-buildings", buildings.to_str().unwrap()]);
    let broken = root.path().join("broken.json");
    std::fs::write(&broken, "{\"id\": \"x\"}").unwrap();
    office.refused(&["publish", broken.to_str().unwrap()]);
    office.run(&["publish", &schema_file("rgph2024.json")]);
    office.run(&["publish", &schema_file("collective2024.json")]);
    let (server, url) = office.serve();
    let issued = office.run(&[
        "issue-code",
        "--enumerator",
        "AR-0101-007",
        "--districts",
        DISTRICT,
        "--server-url",
        &url,
    ]);
    let payload = issued
        .lines()
        .find(|l| l.trim_start().starts_with('{'))
        .unwrap_or_else(|| panic!("no enrolment payload printed: {issued}"))
        .trim()
        .to_owned();

    // Tablet: nothing but the payload and a PIN.
    let mut config = AppConfig::new(tablet_dir.clone());
    config.today = chrono::NaiveDate::from_ymd_opt(2024, 9, 5);
    let mut h = start_syncing(config);
    assert!(h.has("Enrôler cette tablette"));
    h.type_in("Code d'enrôlement", &payload);
    h.type_in("Code PIN", PIN);
    h.type_in("Code PIN (confirmation)", PIN);
    h.click_button("Enrôler");
    frames_until(&mut h, "the enrolment", |h| h.has("Mes districts"));

    // Listing: cartography's buildings are there; a dwelling and a collective quarter.
    h.click(&format!("Ouvrir {DISTRICT}"));
    assert!(h.has_contains("Internat du lycée Moulay Youssef"));
    list_dwelling(&mut h, 1, "2e étage", false);
    list_dwelling(&mut h, 2, "Bâtiment des pensionnaires", true);
    assert!(open_and_leave(&mut h, "1.1", "Adresse"));
    assert!(
        open_and_leave(&mut h, "2.1", "Nom de l'établissement"),
        "a collective quarter opens the collective questionnaire"
    );
    h.click("Retour");

    // The interviews' answers (the doorstep flow itself is tested elsewhere).
    {
        let mut store = tablet_store(&tablet_dir, PIN);
        let ctx = ui_support::test_ctx();
        let cases = store.list_cases(DISTRICT).unwrap();
        let household = cases.iter().find(|c| c.building_no == 1).unwrap();
        assert_eq!(household.questionnaire_id, "rgph2024");
        let quarter = cases.iter().find(|c| c.building_no == 2).unwrap();
        assert_eq!(quarter.questionnaire_id, "collective2024");
        store
            .add_row(household.case_id, "households.1", 0, &ctx)
            .unwrap();
        for (n, (name, relationship)) in [("Said Alaoui", "01"), ("Nadia Alaoui", "02")]
            .iter()
            .enumerate()
        {
            let row = format!("households.1/persons.{}", n + 2);
            store.add_row(household.case_id, &row, n, &ctx).unwrap();
            let answers = [("p_name", name), ("p_relationship", relationship)];
            for (item, value) in answers {
                store
                    .save_answer(
                        household.case_id,
                        &row,
                        item,
                        &serde_json::json!(value),
                        &ctx,
                    )
                    .unwrap();
            }
        }
        for (n, name) in ["Youssef Amrani", "Omar Tazi", "Hamza Idrissi"]
            .iter()
            .enumerate()
        {
            let row = format!("residents.{}", n + 1);
            store.add_row(quarter.case_id, &row, n, &ctx).unwrap();
            store
                .save_answer(
                    quarter.case_id,
                    &row,
                    "r_name",
                    &serde_json::json!(name),
                    &ctx,
                )
                .unwrap();
        }
    }
    sync(&mut h);

    // Version 2 of the household questionnaire: new cases only.
    let v2 = root.path().join("rgph2024-v2.json");
    let text = std::fs::read_to_string(schema_file("rgph2024.json")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["version"] = serde_json::json!("1.1.0");
    std::fs::write(&v2, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    office.run(&["publish", v2.to_str().unwrap()]);
    let changed = root.path().join("rgph2024-v2-changed.json");
    json["title"]["fr"] = serde_json::json!("Un autre texte");
    std::fs::write(&changed, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    office.refused(&["publish", changed.to_str().unwrap()]);
    sync(&mut h);
    h.click(&format!("Ouvrir {DISTRICT}"));
    list_dwelling(&mut h, 1, "3e étage", false);
    assert!(open_and_leave(&mut h, "1.2", "Adresse"));
    assert!(open_and_leave(&mut h, "1.1", "Adresse"));
    h.click("Retour");
    sync(&mut h);
    {
        let store = tablet_store(&tablet_dir, PIN);
        let versions: Vec<(u32, String)> = store
            .list_cases(DISTRICT)
            .unwrap()
            .into_iter()
            .filter(|c| c.questionnaire_id == "rgph2024")
            .map(|c| (c.dwelling_no, c.questionnaire_version))
            .collect();
        assert!(versions.contains(&(1, "1.0.0".to_owned())), "{versions:?}");
        assert!(versions.contains(&(2, "1.1.0".to_owned())), "{versions:?}");
    }

    // The office counted both, the quarter's residents apart.
    let token = office
        .run(&[
            "issue-reviewer",
            "--name",
            "Office",
            "--role",
            "office",
            "--scope",
            "national:national",
        ])
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap()
        .split_whitespace()
        .last()
        .unwrap()
        .to_owned();
    let report: serde_json::Value = reqwest::blocking::Client::new()
        .get(format!("{url}/v1/coverage"))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let text = report.to_string();
    assert!(text.contains(DISTRICT), "{text}");
    let national = report_counts(&report);
    assert_eq!(national.0, 2, "household persons: {text}");
    assert_eq!(national.1, 3, "collective residents, counted apart: {text}");
    drop(server);
    drop(h);

    // The PIN is forgotten: the offline recovery key restores the tablet.
    let key_file = tablet_dir.join(KEY_FILE_NAME);
    let sealed_to = std::fs::read_to_string(&key_file).unwrap();
    assert!(
        !sealed_to.contains(census::demo::DEMO_OFFICE_PUBLIC_HEX.trim()),
        "the demo key is never used outside demo mode"
    );
    let other = offline.join("other.secret");
    keygen(&other);
    let refused = recover(
        &[
            "unlock",
            "--office-key",
            other.to_str().unwrap(),
            "--key-file",
            key_file.to_str().unwrap(),
        ],
        NEW_PIN,
    );
    assert!(!refused.status.success(), "another key is refused");
    let recovered = recover(
        &[
            "unlock",
            "--office-key",
            offline.join("recovery.secret").to_str().unwrap(),
            "--key-file",
            key_file.to_str().unwrap(),
        ],
        NEW_PIN,
    );
    assert!(recovered.status.success(), "{recovered:?}");
    let store = tablet_store(&tablet_dir, NEW_PIN);
    assert_eq!(store.list_cases(DISTRICT).unwrap().len(), 3);
}

/// (household persons, collective residents counted apart) of a coverage report's totals.
fn report_counts(report: &serde_json::Value) -> (u64, u64) {
    let totals = &report["totals"];
    (
        totals["persons"].as_u64().unwrap_or_default(),
        totals["persons_apart"].as_u64().unwrap_or_default(),
    )
}

#[test]
fn an_office_deploys_a_census_on_sqlite_and_a_tablet_enrols_with_a_code_alone() {
    deploy_and_count(None);
}

#[test]
fn the_same_deployment_on_postgresql() {
    let url = match std::env::var("CENSUS_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but CENSUS_TEST_DATABASE_URL is unset: run .ci/start-postgres")
        }
        _ => {
            eprintln!(
                "\n*** SKIPPED: deployment on PostgreSQL (set CENSUS_TEST_DATABASE_URL) ***\n"
            );
            return;
        }
    };
    let schema = format!("deploy_{}", uuid::Uuid::new_v4().simple());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        census_server::store::postgres::PgStore::connect_in_schema(&url, &schema)
            .await
            .unwrap();
    });
    let sep = if url.contains('?') { '&' } else { '?' };
    deploy_and_count(Some(format!(
        "{url}{sep}options=-c%20search_path%3D{schema}"
    )));
}
