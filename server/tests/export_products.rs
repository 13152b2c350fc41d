//! Office data products on SQLite and PostgreSQL, through the real binary: a generated area
//! exported with `export --format csv` and read by DuckDB (its Python package, a reader
//! nobody here wrote): persons by sex and 5-year age group, and mothers joined to their
//! children by line number, equal to the counts kept while generating the area; labels in
//! every language; `tabulate` totals equal to `publish`'s legal population.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use census_core::value::GpsPoint;
use support::backends::cli;
use support::products::*;

const QUERY: &str = r#"
import duckdb, json, sys
d = sys.argv[1]
con = duckdb.connect()
p = f"read_csv_auto('{d}/persons.csv', header=true)"
out = {}
out["by_sex_age"] = con.execute(
    f"SELECT p_sex, floor(p_age / 5) * 5 AS g, count(*) FROM {p} GROUP BY ALL ORDER BY ALL"
).fetchall()
out["mothers"] = con.execute(
    f"""SELECT count(*), sum(m.p_age - c.p_age), count(*) FILTER (WHERE m.p_sex = 2)
        FROM {p} c JOIN {p} m ON c.case_id = m.case_id
         AND c.households_line = m.households_line AND c.p_mother_line = m.persons_line"""
).fetchone()
out["spoken"] = con.execute(
    f"SELECT sum(p_spoken_languages_01), sum(p_spoken_languages_03) FROM {p}"
).fetchone()
out["types"] = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {p}").fetchall()}
h = f"read_csv_auto('{d}/dwellings.csv', header=true)"
out["gps"] = con.execute(f"SELECT count(*), min(d_gps_lat), max(d_gps_accuracy) FROM {h}").fetchone()
print(json.dumps(out, default=float))
"#;

fn duckdb(python: &Path, dir: &Path) -> serde_json::Value {
    let o = std::process::Command::new(python)
        .args(["-c", QUERY])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "duckdb: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duckdb_reads_persons_by_sex_and_age_and_joins_mothers_by_line() {
    let python = duckdb_python();
    for backend in support::backends::both("export to DuckDB").await {
        let (cases, truth) = area(25, 7);
        load_area(&backend, cases).await;
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let o = cli(
            &backend.database,
            &["export", "--format", "csv", "--out", out.to_str().unwrap()],
        )
        .await;
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        for f in [
            "dwellings.csv",
            "households.csv",
            "persons.csv",
            "deaths.csv",
            "data_dictionary.csv",
            "value_labels.csv",
            "load.do",
            "load.sps",
            "load.R",
        ] {
            assert!(out.join(f).is_file(), "{f} missing");
        }
        // Every row carries the questionnaire version and the long-form flag.
        let persons = read_csv(&out.join("persons.csv"));
        let version = persons[0]
            .iter()
            .position(|h| h == "questionnaire_version")
            .unwrap();
        let lf = persons[0].iter().position(|h| h == "long_form").unwrap();
        assert_eq!(persons.len() as u64, 1 + truth.persons);
        assert!(persons[1..].iter().all(|r| r[version] == "1.0.0"));
        assert!(persons[1..].iter().all(|r| r[lf] == "0" || r[lf] == "1"));

        let Some(python) = &python else { continue };
        let got = duckdb(python, &out);
        let by_sex_age: BTreeMap<(u8, i64), u64> = got["by_sex_age"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let sex = r[0].as_u64().unwrap() as u8;
                let group = r[1].as_f64().unwrap() as i64;
                ((sex, group), r[2].as_u64().unwrap())
            })
            .collect();
        assert_eq!(by_sex_age, truth.by_sex_age);
        let mothers = &got["mothers"];
        assert_eq!(mothers[0].as_u64(), Some(truth.mothers_joined));
        assert_eq!(
            mothers[1].as_f64().map(|v| v as i64),
            Some(truth.age_gap_sum)
        );
        assert_eq!(mothers[2].as_u64(), Some(truth.mothers_joined));
        assert!(truth.mothers_joined > 20, "the area has mothers");
        let spoken = &got["spoken"];
        assert_eq!(
            spoken[0].as_f64().map(|v| v as u64),
            truth.spoken.get("01").copied()
        );
        assert_eq!(
            spoken[1].as_f64().map(|v| v as u64),
            truth.spoken.get("03").copied()
        );
        // Typed columns: numbers and codes are numbers to DuckDB, keys join as integers.
        let types = &got["types"];
        for c in [
            "p_age",
            "p_sex",
            "persons_line",
            "households_line",
            "p_mother_line",
        ] {
            let t = types[c].as_str().unwrap_or("");
            assert!(t.contains("INT"), "{c} is {t}");
        }
        assert_eq!(got["gps"][0].as_u64(), Some(truth.households));
        assert_eq!(got["gps"][2].as_f64(), Some(5.0));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn labels_are_in_the_language_asked() {
    let backend = support::backends::sqlite().await;
    let (cases, _) = area(2, 11);
    load_area(&backend, cases).await;
    let mut sex_labels = Vec::new();
    for (lang, woman) in [
        ("fr", "Féminin"),
        ("ar", "أنثى"),
        ("en", "Female"),
        ("zgh", ""),
    ] {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let o = cli(
            &backend.database,
            &[
                "export",
                "--format",
                "csv",
                "--lang",
                lang,
                "--out",
                out.to_str().unwrap(),
            ],
        )
        .await;
        assert!(
            o.status.success(),
            "{lang}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let dict = read_csv(&out.join("data_dictionary.csv"));
        let age = dict
            .iter()
            .find(|r| r[0] == "persons.csv" && r[1] == "p_age")
            .unwrap();
        assert!(!age[4].is_empty(), "{lang}: no label for p_age");
        let values = read_csv(&out.join("value_labels.csv"));
        let female = values
            .iter()
            .find(|r| r[1] == "p_sex" && r[2] == "2")
            .unwrap()[3]
            .clone();
        if !woman.is_empty() {
            assert_eq!(female, woman, "{lang}");
        }
        let stata = std::fs::read_to_string(out.join("load.do")).unwrap();
        assert!(stata.contains(&format!("\"{female}\"")), "{lang}: {stata}");
        sex_labels.push(age[4].clone());
    }
    sex_labels.sort();
    sex_labels.dedup();
    assert!(
        sex_labels.len() >= 3,
        "labels differ by language: {sex_labels:?}"
    );
    let o = cli(
        &backend.database,
        &[
            "export",
            "--format",
            "csv",
            "--lang",
            "xx",
            "--out",
            "/nonexistent/x",
        ],
    )
    .await;
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("xx"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tabulate_totals_are_publishs_legal_population() {
    for backend in support::backends::both("tabulate").await {
        let (cases, truth) = area(20, 3);
        load_area(&backend, cases).await;
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("tables");
        let o = cli(
            &backend.database,
            &["tabulate", "--out", out.to_str().unwrap()],
        )
        .await;
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        // The area file is publish's, from the same summaries.
        let scope = census_server::store::Scope::All;
        let rules = support::area::rules();
        let gathered = backend.store.gather_coverage(&scope, &rules).await.unwrap();
        let report = census_core::coverage::assemble(gathered, rules);
        let publish = census_core::coverage::publish::population_csv(&report);
        let written = std::fs::read_to_string(out.join("population_by_area.csv")).unwrap();
        assert_eq!(written, publish);
        let national: u64 = report
            .level(census_core::coverage::Level::National)
            .map(|a| a.counts.persons)
            .sum();
        assert_eq!(national, truth.persons);
        // Sex × age total and household sizes add up to the same legal population.
        let sex_age = read_csv(&out.join("population_by_sex_age.csv"));
        let total = sex_age.last().unwrap();
        assert_eq!(total[0], "total");
        assert_eq!(total.last().unwrap().parse::<u64>().unwrap(), national);
        let women: u64 = truth
            .by_sex_age
            .iter()
            .filter(|((s, _), _)| *s == 2)
            .map(|(_, n)| n)
            .sum();
        let women_col = sex_age[0].iter().position(|h| h.starts_with("2 ")).unwrap();
        assert_eq!(total[women_col].parse::<u64>().unwrap(), women);
        let sizes = read_csv(&out.join("households_by_size.csv"));
        let (mut households, mut persons) = (0, 0);
        for r in &sizes[1..] {
            let (size, n): (u64, u64) = (r[0].parse().unwrap(), r[1].parse().unwrap());
            households += n;
            persons += size * n;
        }
        assert_eq!((households, persons), (truth.households, national));
        let html = std::fs::read_to_string(out.join("index.html")).unwrap();
        assert!(html.contains("<svg") && !html.contains("<script"));
        assert!(html.contains(&national.to_string()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirmations_reviews_and_paradata_are_exported_per_case() {
    for backend in support::backends::both("export extras").await {
        let (mut cases, _) = area(2, 5);
        let first = cases[0].case_id;
        cases[0].case["confirmations"] = serde_json::json!([
            {"row": "households.1/persons.2", "check": "mother_older", "note": "=birth certificate seen"}
        ]);
        let event = |seq: u64, at: &str, screen: &str, gps: Option<GpsPoint>| {
            census_core::wire::EventRecord {
                seq,
                at: at.into(),
                kind: "answer".into(),
                row_path: String::new(),
                item_id: "d_type".into(),
                old: serde_json::Value::Null,
                new: serde_json::json!("2"),
                screen: Some(screen.into()),
                gps,
                last_at: None,
            }
        };
        let start = GpsPoint {
            lat: 34.01,
            lon: -6.82,
            accuracy_m: Some(4.0),
        };
        cases[0].events = vec![
            event(1, "2024-09-02T10:00:00Z", "dwelling", Some(start)),
            event(2, "2024-09-02T10:02:00Z", "dwelling", None),
            event(3, "2024-09-02T10:05:00Z", "persons", None),
            // A pause of an hour, then one more minute.
            event(4, "2024-09-02T11:05:00Z", "persons", None),
            event(5, "2024-09-02T11:06:00Z", "persons", None),
        ];
        load_area(&backend, cases).await;
        backend
            .store
            .add_review(
                first,
                census_core::wire::Decision::SentBack,
                "age of person 2?",
            )
            .await
            .unwrap();
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let o = cli(
            &backend.database,
            &[
                "export",
                "--format",
                "csv",
                "--lang",
                "en",
                "--out",
                out.to_str().unwrap(),
            ],
        )
        .await;
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let id = first.to_string();
        let conf = read_csv(&out.join("confirmations.csv"));
        assert_eq!(conf.len(), 2, "{conf:?}");
        assert_eq!(conf[1][0], id);
        assert_eq!(conf[1][3], "mother_older");
        assert!(!conf[1][4].is_empty(), "the check's message");
        assert_eq!(conf[1][5], "'=birth certificate seen");
        let reviews = read_csv(&out.join("reviews.csv"));
        assert_eq!(reviews.len(), 2, "{reviews:?}");
        assert_eq!(reviews[1][0], id);
        assert_eq!(reviews[1][2], "1");
        assert_eq!(reviews[1][4], census_server::store::COMMAND_LINE_REVIEWER);
        assert_eq!(reviews[1][7], "age of person 2?");
        let para = read_csv(&out.join("paradata.csv"));
        assert_eq!(para.len(), 1 + 6);
        let row = para.iter().find(|r| r[0] == id).unwrap();
        assert_eq!(row[3], "2024-09-02T10:00:00+00:00");
        assert_eq!(row[4], "2024-09-02T11:06:00+00:00");
        assert_eq!(
            row[5], "6.0",
            "2 + 3 + 1 minutes, the hour's pause left out"
        );
        assert_eq!((row[6].as_str(), row[7].as_str()), ("1", "5"));
        assert_eq!((row[8].as_str(), row[10].as_str()), ("34.01", "4"));
        let sections = read_csv(&out.join("paradata_sections.csv"));
        let secs: BTreeMap<&str, &str> = sections[1..]
            .iter()
            .filter(|r| r[0] == id)
            .map(|r| (r[2].as_str(), r[3].as_str()))
            .collect();
        assert_eq!(
            secs,
            BTreeMap::from([("dwelling", "120"), ("persons", "240")])
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn since_exports_only_the_cases_received_after_the_cursor() {
    for backend in support::backends::both("export --since").await {
        let (cases, truth) = area(10, 9);
        let changed = cases[3].clone();
        load_area(&backend, cases).await;
        let root = tempfile::tempdir().unwrap();
        let full = root.path().join("full");
        let o = cli(
            &backend.database,
            &["export", "--format", "csv", "--out", full.to_str().unwrap()],
        )
        .await;
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let cursor = std::fs::read_to_string(full.join("cursor.txt")).unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(cursor.trim()).is_ok(),
            "{cursor}"
        );
        assert!(String::from_utf8_lossy(&o.stdout).contains(cursor.trim()));
        assert_eq!(
            read_csv(&full.join("persons.csv")).len() as u64,
            1 + truth.persons
        );

        // One case changes after this instant: the export since then holds it alone.
        let since = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
        let mut next = changed.clone();
        next.revision = 2;
        next.status = "in_progress".into();
        load_area(&backend, vec![next]).await;
        let part = root.path().join("part");
        let o = cli(
            &backend.database,
            &[
                "export",
                "--format",
                "csv",
                "--since",
                &since,
                "--out",
                part.to_str().unwrap(),
            ],
        )
        .await;
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let dwellings = read_csv(&part.join("dwellings.csv"));
        assert_eq!(dwellings.len(), 2, "{dwellings:?}");
        let rev = dwellings[0].iter().position(|h| h == "revision").unwrap();
        let status = dwellings[0].iter().position(|h| h == "status").unwrap();
        assert_eq!(dwellings[1][0], changed.case_id.to_string());
        assert_eq!(
            (dwellings[1][rev].as_str(), dwellings[1][status].as_str()),
            ("2", "in_progress")
        );
        let persons = read_csv(&part.join("persons.csv"));
        let in_case = changed.case["root"]["rosters"]["households"][0]["rosters"]["persons"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(persons.len(), 1 + in_case);

        let bad = root.path().join("bad");
        let o = cli(
            &backend.database,
            &[
                "export",
                "--format",
                "csv",
                "--since",
                "yesterday",
                "--out",
                bad.to_str().unwrap(),
            ],
        )
        .await;
        assert!(!o.status.success());
        assert!(String::from_utf8_lossy(&o.stderr).contains("yesterday"));
        assert!(!bad.exists());
    }
}
