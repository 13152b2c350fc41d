//! `export --format parquet` on SQLite and PostgreSQL, through the real binary, read by
//! DuckDB (its Python package, a reader nobody here wrote): the same counts as the generated
//! area's truth and as the CSV export of the same data, rows in the CSV's order, typed
//! columns, labels in each file's metadata, text stored verbatim (not neutralised as in the
//! CSV), and `--since`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use support::backends::cli;
use support::products::*;

/// What DuckDB reads from an export folder, with `reader` (`read_csv_auto` or
/// `read_parquet`) and `ext` (`csv` or `parquet`).
const QUERY: &str = r#"
import duckdb, json, sys
d, ext = sys.argv[1], sys.argv[2]
con = duckdb.connect()
def t(stem):
    if ext == "csv":
        return f"read_csv_auto('{d}/{stem}.csv', header=true)"
    return f"read_parquet('{d}/{stem}.parquet')"
p = t("persons")
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
out["order"] = {
    s: [list(map(str, r)) for r in con.execute(f"SELECT * FROM {t(s)}").fetchall()]
    for s in ["dwellings", "households", "persons", "deaths"]
}
out["keys"] = [list(map(str, r)) for r in con.execute(
    f"SELECT case_id, households_line, persons_line, p_name FROM {p}").fetchall()]
out["types"] = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {p}").fetchall()}
out["dwelling_types"] = {
    r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {t('dwellings')}").fetchall()
}
out["birth"] = [str(r[0]) for r in con.execute(
    f"SELECT p_birth_date FROM {p} WHERE p_birth_date IS NOT NULL").fetchall()]
out["women"] = con.execute(f"SELECT count(*) FROM {p} WHERE p_sex = 2").fetchone()[0]
if ext == "parquet":
    out["meta"] = {
        r[0].decode(): r[1].decode()
        for r in con.execute(
            f"SELECT key, value FROM parquet_kv_metadata('{d}/persons.parquet')"
        ).fetchall()
    }
print(json.dumps(out, default=str))
"#;

fn duckdb(python: &Path, dir: &Path, ext: &str) -> serde_json::Value {
    let o = std::process::Command::new(python)
        .args(["-c", QUERY])
        .arg(dir)
        .arg(ext)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "duckdb: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

fn by_sex_age(got: &serde_json::Value) -> BTreeMap<(u8, i64), u64> {
    got["by_sex_age"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let sex = r[0].as_u64().unwrap() as u8;
            let group = r[1].as_f64().unwrap() as i64;
            ((sex, group), r[2].as_u64().unwrap())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duckdb_reads_the_parquet_export_as_the_csv_one_typed_and_labelled() {
    let python = duckdb_python();
    for backend in support::backends::both("export parquet to DuckDB").await {
        let (mut cases, truth) = area(25, 7);
        // A text answer a spreadsheet would run, and a date.
        let first = &mut cases[0].case["root"]["rosters"]["households"][0]["rosters"]["persons"][0]
            ["answers"];
        first["p_name"] = "=1+2".into();
        first["p_birth_date"] = "1990-05-17".into();
        let formula_case = cases[0].case_id.to_string();
        load_area(&backend, cases).await;
        let root = tempfile::tempdir().unwrap();
        let export = |format: &'static str| {
            let out = root.path().join(format);
            let database = backend.database.clone();
            async move {
                let o = cli(
                    &database,
                    &["export", "--format", format, "--out", out.to_str().unwrap()],
                )
                .await;
                assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
                out
            }
        };
        let csv = export("csv").await;
        let pq = export("parquet").await;
        for f in [
            "dwellings.parquet",
            "households.parquet",
            "persons.parquet",
            "deaths.parquet",
            "data_dictionary.csv",
            "value_labels.csv",
            "confirmations.csv",
            "paradata.csv",
            "cursor.txt",
        ] {
            assert!(pq.join(f).is_file(), "{f} missing");
        }
        for f in ["persons.csv", "load.do", "export-problems.csv"] {
            assert!(!pq.join(f).exists(), "{f} written");
        }
        let dict = read_csv(&pq.join("data_dictionary.csv"));
        assert!(dict[1..].iter().all(|r| r[0].ends_with(".parquet")));

        let Some(python) = &python else { continue };
        let from_csv = duckdb(python, &csv, "csv");
        let got = duckdb(python, &pq, "parquet");
        assert_eq!(by_sex_age(&got), truth.by_sex_age);
        assert_eq!(by_sex_age(&got), by_sex_age(&from_csv));
        let mothers = &got["mothers"];
        assert_eq!(mothers[0].as_u64(), Some(truth.mothers_joined));
        assert_eq!(
            mothers[1].as_f64().map(|v| v as i64),
            Some(truth.age_gap_sum)
        );
        assert_eq!(mothers[2].as_u64(), Some(truth.mothers_joined));
        assert_eq!(got["mothers"], from_csv["mothers"]);
        assert!(truth.mothers_joined > 20, "the area has mothers");
        assert_eq!(
            got["spoken"][0].as_f64().map(|v| v as u64),
            truth.spoken.get("01").copied()
        );
        assert_eq!(got["women"], from_csv["women"]);

        // Same rows in the same order as the CSV; only the formula differs (neutralised
        // there, verbatim here).
        for stem in ["dwellings", "households", "persons", "deaths"] {
            let (a, b) = (&got["order"][stem], &from_csv["order"][stem]);
            assert_eq!(
                a.as_array().map(Vec::len),
                b.as_array().map(Vec::len),
                "{stem}"
            );
        }
        assert_eq!(
            got["order"]["persons"].as_array().map(Vec::len),
            Some(truth.persons as usize)
        );
        let keys = |v: &serde_json::Value| -> Vec<Vec<String>> {
            v["keys"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    r.as_array().unwrap()[..3]
                        .iter()
                        .map(|c| c.as_str().unwrap().to_owned())
                        .collect()
                })
                .collect()
        };
        assert_eq!(keys(&got), keys(&from_csv));
        let name_of = |v: &serde_json::Value| {
            v["keys"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r[0] == formula_case.as_str() && r[2] == "1")
                .map(|r| r[3].as_str().unwrap().to_owned())
        };
        assert_eq!(name_of(&got).as_deref(), Some("=1+2"));
        assert_eq!(name_of(&from_csv).as_deref(), Some("'=1+2"));

        // Typed columns.
        let types = &got["types"];
        for (c, t) in [
            ("p_age", "BIGINT"),
            ("p_sex", "BIGINT"),
            ("persons_line", "BIGINT"),
            ("households_line", "BIGINT"),
            ("p_mother_line", "BIGINT"),
            ("long_form", "BIGINT"),
            ("p_spoken_languages_01", "BIGINT"),
            ("p_name", "VARCHAR"),
            ("case_id", "VARCHAR"),
            ("p_spoken_languages", "VARCHAR"),
            ("p_birth_date", "DATE"),
        ] {
            assert_eq!(types[c].as_str(), Some(t), "{c}");
        }
        for (c, t) in [("d_gps_lat", "DOUBLE"), ("d_gps_accuracy", "DOUBLE")] {
            assert_eq!(got["dwelling_types"][c].as_str(), Some(t), "{c}");
        }
        assert_eq!(got["birth"], serde_json::json!(["1990-05-17"]));

        // Labels in the file's metadata, in the export's language.
        let meta = &got["meta"];
        assert_eq!(meta["census.questionnaire_id"], "rgph2024");
        assert_eq!(meta["census.lang"], "fr");
        assert_eq!(meta["census.table"], "persons");
        let dict: serde_json::Value =
            serde_json::from_str(meta["census.dictionary"].as_str().unwrap()).unwrap();
        let sex = &dict["p_sex"];
        assert_eq!(sex["type"], "code");
        assert_eq!(sex["item"], "p_sex");
        assert!(!sex["label"].as_str().unwrap().is_empty());
        let women = sex["values"]["2"].as_str().unwrap();
        assert!(women.to_lowercase().contains("f"), "{women}");
        assert_eq!(dict["p_age"]["type"], "integer");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parquet_since_exports_only_the_cases_received_after_the_cursor() {
    let python = duckdb_python();
    for backend in support::backends::both("export parquet --since").await {
        let (cases, truth) = area(10, 9);
        let changed = cases[3].clone();
        load_area(&backend, cases).await;
        let root = tempfile::tempdir().unwrap();
        let full = root.path().join("full");
        let o = cli(
            &backend.database,
            &[
                "export",
                "--format",
                "parquet",
                "--out",
                full.to_str().unwrap(),
            ],
        )
        .await;
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let cursor = std::fs::read_to_string(full.join("cursor.txt")).unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(cursor.trim()).is_ok());

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
                "parquet",
                "--since",
                &since,
                "--out",
                part.to_str().unwrap(),
            ],
        )
        .await;
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(part.join("persons.parquet").is_file());

        let Some(python) = &python else { continue };
        let count = |dir: &Path, sql: &str| -> serde_json::Value {
            let script = format!(
                "import duckdb, json, sys\nd = sys.argv[1]\n\
                 print(json.dumps(duckdb.connect().execute(f\"{sql}\").fetchall(), default=str))"
            );
            let o = std::process::Command::new(python)
                .args(["-c", &script])
                .arg(dir)
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            serde_json::from_slice(&o.stdout).unwrap()
        };
        let persons = "SELECT count(*) FROM read_parquet('{d}/persons.parquet')";
        assert_eq!(count(&full, persons), serde_json::json!([[truth.persons]]));
        let dwellings = count(
            &part,
            "SELECT case_id, revision, status FROM read_parquet('{d}/dwellings.parquet')",
        );
        assert_eq!(
            dwellings,
            serde_json::json!([[changed.case_id.to_string(), 2, "in_progress"]])
        );
        let in_case = changed.case["root"]["rosters"]["households"][0]["rosters"]["persons"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(count(&part, persons), serde_json::json!([[in_case]]));
    }
}
