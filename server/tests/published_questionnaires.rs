//! Publishing questionnaires with the real binary, on SQLite and PostgreSQL: a bad file is
//! refused with the loader's report and nothing is stored; publishing the same bytes again
//! changes nothing, other bytes under a published id@version are refused; the download
//! gives the exact bytes the assignment's sha256 names, the assignment naming the newest
//! of each population; and a running server accepts the cases of a questionnaire published
//! after it started, reading their coverage facts with that file's `coverage` block.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use census_core::coverage::{CoverageRules, Population};
use census_core::wire::*;
use census_server::http::ServerConfig;
use census_server::store::Scope;
use serde_json::Value;
use support::backends::{self, cli};
use support::*;

const BUNDLED: &str = include_str!("../../schemas/rgph2024.json");

fn said(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The bundled questionnaire with `change` applied, written as `name` in `dir`.
fn variant(dir: &Path, name: &str, change: impl FnOnce(&mut Value)) -> PathBuf {
    let mut doc: Value = serde_json::from_str(BUNDLED).unwrap();
    change(&mut doc);
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    path
}

async fn publish(database: &str, file: &Path) -> Output {
    cli(database, &["publish", file.to_str().unwrap()]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_file_is_refused_with_the_loaders_report_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let wrong_item = variant(dir.path(), "wrong.json", |d| {
        d["coverage"]["name"] = "p_nom".into();
    });
    let no_coverage = variant(dir.path(), "bare.json", |d| {
        d.as_object_mut().unwrap().remove("coverage");
    });
    let not_json = dir.path().join("broken.json");
    std::fs::write(&not_json, "{\"id\": ").unwrap();
    for backend in backends::both("publishing a bad file").await {
        let out = publish(&backend.database, &wrong_item).await;
        let (stdout, stderr) = said(&out);
        assert!(!out.status.success(), "{stdout}");
        assert!(stderr.contains("wrong.json cannot be used"), "{stderr}");
        assert!(stderr.contains("/coverage/name"), "{stderr}");
        assert!(stderr.contains("p_nom"), "{stderr}");

        let out = publish(&backend.database, &no_coverage).await;
        let (_, stderr) = said(&out);
        assert!(!out.status.success());
        assert!(stderr.contains("no \"coverage\" block"), "{stderr}");

        let out = publish(&backend.database, &not_json).await;
        let (_, stderr) = said(&out);
        assert!(!out.status.success());
        assert!(
            stderr.contains("not a valid questionnaire file"),
            "{stderr}"
        );

        let stored = backend.store.published_questionnaires().await.unwrap();
        assert!(stored.is_empty(), "{stored:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_version_is_stored_once_and_never_changes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rgph2024.json");
    std::fs::write(&file, BUNDLED).unwrap();
    let retitled = variant(dir.path(), "retitled.json", |d| {
        d["title"]["fr"] = "Recensement (corrigé)".into();
    });
    let sha = census_server::published::sha256_hex(BUNDLED.as_bytes());
    for backend in backends::both("publishing twice").await {
        let out = publish(&backend.database, &file).await;
        let (stdout, stderr) = said(&out);
        assert!(out.status.success(), "{stderr}");
        assert!(stdout.contains("published rgph2024@1.0.0"), "{stdout}");
        assert!(stdout.contains("household"), "{stdout}");
        assert!(stdout.contains(&sha), "{stdout}");

        let out = publish(&backend.database, &file).await;
        let (stdout, stderr) = said(&out);
        assert!(out.status.success(), "{stderr}");
        assert!(stdout.contains("already published"), "{stdout}");
        assert!(stdout.contains("nothing changed"), "{stdout}");

        let out = publish(&backend.database, &retitled).await;
        let (stdout, stderr) = said(&out);
        assert!(!out.status.success(), "{stdout}");
        assert!(
            stderr.contains("a published version cannot be changed: publish a new version"),
            "{stderr}"
        );

        let stored = backend.store.published_questionnaires().await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].sha256, sha);
        let body = backend
            .store
            .published_body("rgph2024", "1.0.0")
            .await
            .unwrap();
        assert_eq!(body.as_deref(), Some(BUNDLED.as_bytes()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_give_the_exact_bytes_and_assignments_the_newest_of_each_population() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("rgph2024.json");
    std::fs::write(&first, BUNDLED).unwrap();
    let newer = variant(dir.path(), "rgph2024-1.1.json", |d| {
        d["version"] = "1.1.0".into();
    });
    // Collective quarters: stored as `publish` stores it, through the store (this branch's
    // loader does not read `coverage.population` yet: census-core is generalising it).
    let collective = variant(dir.path(), "collective.json", |d| {
        d["id"] = "rgph2024_cq".into();
        d["coverage"]["population"] = "collective".into();
    });
    let collective_bytes = std::fs::read(&collective).unwrap();
    let collective_publication = census_server::store::NewPublication {
        id: "rgph2024_cq".into(),
        version: "1.0.0".into(),
        population: Population::Collective,
        sha256: census_server::published::sha256_hex(&collective_bytes),
        body: collective_bytes,
    };
    for backend in backends::both("downloading published questionnaires").await {
        backend
            .store
            .import_districts(&[district("DR-1"), district("DR-2")])
            .await
            .unwrap();
        let server = start(backend.store.clone(), ServerConfig::default()).await;
        let device = server.enrol("tab-1", "E-1", &["DR-1", "DR-2"]).await;
        let districts = |a: &Assignment| -> Vec<Vec<PublishedQuestionnaire>> {
            a.districts
                .iter()
                .map(|d| d.questionnaires.clone())
                .collect()
        };
        let fetch = |path: &'static str| backends::get(&server, path, &device.token);
        let (_, body) = fetch("/v1/assignment").await;
        let a: Assignment = serde_json::from_str(&body).unwrap();
        assert_eq!(
            districts(&a),
            vec![Vec::new(), Vec::new()],
            "none published"
        );
        let (status, body) = fetch("/v1/questionnaires/rgph2024/1.0.0").await;
        assert_eq!(status, 404, "{body}");
        assert!(body.contains("unknown_questionnaire"), "{body}");

        let out = publish(&backend.database, &first).await;
        assert!(out.status.success(), "{}", said(&out).1);
        backend
            .store
            .publish_questionnaire(&collective_publication)
            .await
            .unwrap();
        let out = publish(&backend.database, &newer).await;
        assert!(out.status.success(), "{}", said(&out).1);
        let (_, body) = fetch("/v1/assignment").await;
        let a: Assignment = serde_json::from_str(&body).unwrap();
        for named in districts(&a) {
            let names: Vec<_> = named
                .iter()
                .map(|q| (q.id.as_str(), q.version.as_str(), q.population))
                .collect();
            assert_eq!(
                names,
                [
                    ("rgph2024", "1.1.0", Population::Household),
                    ("rgph2024_cq", "1.0.0", Population::Collective)
                ]
            );
        }
        for named in &a.districts[0].questionnaires {
            let path = format!("/v1/questionnaires/{}/{}", named.id, named.version);
            let response = server
                .http
                .get(format!("{}{path}", server.url))
                .bearer_auth(&device.token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            assert_eq!(response.headers()["content-type"], "application/json");
            let bytes = response.bytes().await.unwrap();
            let on_disk = if named.id == "rgph2024_cq" {
                &collective
            } else {
                &newer
            };
            assert_eq!(bytes.as_ref(), std::fs::read(on_disk).unwrap().as_slice());
            assert_eq!(census_server::published::sha256_hex(&bytes), named.sha256);
        }
        // The list names those given to `serve` and those published.
        let (_, body) = fetch("/v1/questionnaires").await;
        let list: QuestionnaireList = serde_json::from_str(&body).unwrap();
        let names: Vec<_> = list
            .questionnaires
            .iter()
            .map(|q| format!("{}@{}", q.id, q.version))
            .collect();
        assert_eq!(
            names,
            ["rgph2024@1.0.0", "rgph2024@1.1.0", "rgph2024_cq@1.0.0"]
        );
        // No token, no file.
        let anonymous = server
            .http
            .get(format!("{}/v1/questionnaires/rgph2024/1.0.0", server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 401);
    }
}

/// `case` as a case of the published variant `1.1.0` whose person name item is
/// `p_fullname`, its head named `head`.
fn as_renamed_version(mut case: CaseRecord, head: &str) -> CaseRecord {
    case.questionnaire_version = "1.1.0".into();
    let text = serde_json::to_string(&case.case)
        .unwrap()
        .replace("\"p_name\"", "\"p_fullname\"");
    case.case = serde_json::from_str(&text).unwrap();
    case.case["questionnaire"]["version"] = "1.1.0".into();
    let first = &mut case.case["root"]["rosters"]["households"][0]["rosters"]["persons"][0];
    first["answers"]["p_fullname"] = head.into();
    for e in &mut case.events {
        if e.item_id == "p_name" {
            e.item_id = "p_fullname".into();
        }
    }
    case
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_questionnaire_published_after_the_start_is_accepted_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    // The name item renamed: coverage finds heads only through this file's coverage block.
    let renamed = dir.path().join("rgph2024-1.1.json");
    let text = BUNDLED
        .replace("p_name", "p_fullname")
        .replace("\"version\": \"1.0.0\"", "\"version\": \"1.1.0\"");
    std::fs::write(&renamed, text).unwrap();
    for backend in backends::both("ingest of a published questionnaire").await {
        backend
            .store
            .import_districts(&[district("DR-1")])
            .await
            .unwrap();
        let server = start(backend.store.clone(), ServerConfig::default()).await;
        let device = server.enrol("tab-1", "E-1", &["DR-1"]).await;
        let cases = vec![
            as_renamed_version(census_case("DR-1", 1, 3, 1), "Fatima Zahra Alaoui"),
            as_renamed_version(census_case("DR-1", 2, 3, 1), "Fatima Zahra Alaoui"),
        ];
        let send = |cases: Vec<CaseRecord>| {
            let body = envelope(&device, &payload(&device, cases));
            server.post_batch(&device.token, body)
        };
        let (status, reply) = send(cases.clone()).await;
        assert_eq!(status, 200, "{reply}");
        let reason = reply["results"][0]["outcome"]["reason"].as_str().unwrap();
        assert!(reason.contains("not accepted by the office"), "{reason}");

        let out = publish(&backend.database, &renamed).await;
        assert!(out.status.success(), "{}", said(&out).1);
        let (status, reply) = send(cases.clone()).await;
        assert_eq!(status, 200, "{reply}");
        let reply: BatchReply = serde_json::from_value(reply).unwrap();
        assert!(
            reply
                .results
                .iter()
                .all(|r| r.outcome == CaseOutcome::Stored),
            "{reply:?}"
        );
        let rules = CoverageRules::new("2024-09-01", "2024-09-02");
        let gathered = backend
            .store
            .gather_coverage(&Scope::All, &rules)
            .await
            .unwrap();
        assert_eq!(gathered.counts["DR-1"].households, 2);
        let heads: Vec<_> = gathered
            .candidates
            .iter()
            .filter(|f| cases.iter().any(|c| c.case_id == f.case_id))
            .map(|f| (f.persons, f.head_key.is_some()))
            .collect();
        assert_eq!(heads, [(3, true), (3, true)], "{:?}", gathered.candidates);
    }
}
