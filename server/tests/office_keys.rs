//! The office's keys by duty, on SQLite and PostgreSQL, through the real binary where the
//! command line is what is tested: `set-recovery-key` stores the recovery key's public half
//! (a malformed one refused in words) and enrolment is refused with 503 `no_recovery_key`
//! until it is set (the code is not used up); the enrolment reply and every assignment
//! carry the batch and recovery keys with their ids, a new recovery key replacing the old
//! one; and after `rotate-batch-key` a batch sealed to the old key is still stored while
//! the next download announces the new one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod binary;
mod support;

use std::process::Output;

use census_core::wire::*;
use census_server::http::{AppState, ServerConfig};
use serde_json::Value;
use support::backends::{self, cli};
use support::*;

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn enrol_request(
    server: &TestServer,
    code: &str,
    device: &str,
    key: &DeviceKey,
    enumerator: &str,
) -> (u16, Value) {
    let r = server
        .http
        .post(format!("{}/v1/enrol", server.url))
        .json(&EnrolRequest {
            code: code.into(),
            device_id: device.into(),
            device_public_key: b64_encode(&key.public_key()),
            enumerator_id: enumerator.into(),
        })
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn assignment(server: &TestServer, token: &str) -> Assignment {
    let (status, body) = backends::get(server, "/v1/assignment", token).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrolment_waits_for_the_recovery_key_then_every_download_carries_both_keys() {
    for backend in backends::both("the office's recovery key").await {
        backend
            .store
            .import_districts(&[district("DR-1")])
            .await
            .unwrap();
        let office = OfficeSecret::generate().unwrap();
        let batch_key = PublishedKey::new(&office.public_key());
        let state = AppState::new(backend.store.clone(), office, ServerConfig::default());
        let server = support::start_without_recovery_key(state).await;
        let code = server.issue_code("E-1", &["DR-1"]).await;
        let key = DeviceKey::generate().unwrap();

        // No recovery key: refused in words, and the code still works afterwards.
        let (status, body) = enrol_request(&server, &code, "tab-1", &key, "E-1").await;
        assert_eq!(status, 503, "{body}");
        assert_eq!(body["error"], "no_recovery_key");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains("census-server set-recovery-key"),
            "{message}"
        );

        // A malformed key is refused by the command line, and nothing is set.
        for bad in ["not-a-key", "AAAA", &b64_encode(&[0u8; 32])] {
            let out = cli(&backend.database, &["set-recovery-key", bad]).await;
            assert!(!out.status.success(), "{bad}: {}", stdout(&out));
            assert!(
                stderr(&out).contains("recovery public key"),
                "{}",
                stderr(&out)
            );
        }
        assert_eq!(backend.store.recovery_key().await.unwrap(), None);

        // The office sets it (base64 text), and the command prints its key id.
        let recovery = OfficeSecret::generate().unwrap().public_key();
        let recovery_id = key_id(&recovery);
        let out = cli(
            &backend.database,
            &["set-recovery-key", &b64_encode(&recovery)],
        )
        .await;
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains(&recovery_id), "{}", stdout(&out));

        let (status, body) = enrol_request(&server, &code, "tab-1", &key, "E-1").await;
        assert_eq!(status, 200, "{body}");
        let reply: EnrolReply = serde_json::from_value(body).unwrap();
        let keys = reply.office_keys.clone().expect("the reply names the keys");
        assert_eq!(keys.batch, batch_key);
        assert_eq!(keys.batch.public_key, reply.office_public_key);
        let expected_recovery = PublishedKey::new(&recovery);
        assert_eq!(keys.recovery.as_ref(), Some(&expected_recovery));
        assert_eq!(reply.assignment.office_keys.as_ref(), Some(&keys));
        let downloaded = assignment(&server, &reply.device_token).await;
        assert_eq!(downloaded.office_keys.as_ref(), Some(&keys));

        // Rotation: a new recovery key (from a file) becomes the one announced.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("recovery.pub");
        let newer = OfficeSecret::generate().unwrap().public_key();
        std::fs::write(&file, format!("{}\n", b64_encode(&newer))).unwrap();
        let out = cli(
            &backend.database,
            &["set-recovery-key", file.to_str().unwrap()],
        )
        .await;
        assert!(out.status.success(), "{}", stderr(&out));
        let said = stdout(&out);
        assert!(said.contains(&key_id(&newer)), "{said}");
        assert!(
            said.contains(&recovery_id),
            "names the key it replaces: {said}"
        );
        let downloaded = assignment(&server, &reply.device_token).await;
        let keys = downloaded.office_keys.unwrap();
        assert_eq!(keys.recovery, Some(PublishedKey::new(&newer)));
        assert_eq!(keys.batch, batch_key);
    }
}

/// Runs the binary on `data` and `database` to completion.
fn run(data: &std::path::Path, database: &str, args: &[&str]) -> Output {
    binary::command("true", data, Some(database), args)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_sealed_to_the_rotated_key_is_still_stored() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    for backend in backends::both("batch key rotation").await {
        backend
            .store
            .import_districts(&[district("DR-1")])
            .await
            .unwrap();
        set_recovery_key(backend.store.as_ref()).await;
        let data = tempfile::tempdir().unwrap();
        let database = backend.database.clone();
        // Rotating before any key exists is refused in words.
        let out = run(data.path(), &database, &["rotate-batch-key"]);
        assert!(!out.status.success());
        assert!(stderr(&out).contains("no batch key"), "{}", stderr(&out));

        let first = binary::start("true", data.path(), Some(&database), &[]);
        let http = reqwest::Client::new();
        let url = format!("http://{}", first.addr);
        let code = census_server::secrets::generate_code().unwrap();
        backend
            .store
            .add_enrolment_code(&census_server::store::NewCode {
                code_hash: census_server::secrets::code_hash(&code),
                enumerator_id: "E-1".into(),
                districts: vec!["DR-1".into()],
            })
            .await
            .unwrap();
        let key = DeviceKey::generate().unwrap();
        let reply: EnrolReply = http
            .post(format!("{url}/v1/enrol"))
            .json(&EnrolRequest {
                code,
                device_id: "tab-1".into(),
                device_public_key: b64_encode(&key.public_key()),
                enumerator_id: String::new(),
            })
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let device = Device {
            id: "tab-1".into(),
            key,
            token: reply.device_token.clone(),
            office_public: decode_key32(&reply.office_public_key).unwrap(),
            enumerator: "E-1".into(),
        };
        let old_id = reply.office_keys.unwrap().batch.key_id;
        assert_eq!(old_id, key_id(&device.office_public));
        // Sealed to the key of the day, sent only after the rotation.
        let old_case = census_case("DR-1", 1, 3, 1);
        let sealed_before = envelope(&device, &payload(&device, vec![old_case.clone()]));
        drop(first);

        let out = run(data.path(), &database, &["rotate-batch-key"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let said = stdout(&out);
        assert!(said.contains(&old_id), "{said}");
        let retired = data
            .path()
            .join("retired-keys")
            .join(format!("{old_id}.key"));
        assert!(retired.is_file(), "{said}");

        let second = binary::start("true", data.path(), Some(&database), &[]);
        let url = format!("http://{}", second.addr);
        let downloaded: Assignment = http
            .get(format!("{url}/v1/assignment"))
            .bearer_auth(&device.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let new_key = downloaded.office_keys.unwrap().batch;
        assert_ne!(
            new_key.key_id, old_id,
            "the next download announces the new key"
        );
        let token = device.token.clone();
        let post = |body: Vec<u8>| {
            http.post(format!("{url}/v1/batches"))
                .bearer_auth(&token)
                .header("content-type", "application/octet-stream")
                .body(body)
                .send()
        };
        let reply: BatchReply = post(sealed_before).await.unwrap().json().await.unwrap();
        assert_eq!(reply.results[0].outcome, CaseOutcome::Stored, "{reply:?}");
        // A batch sealed to the new key is stored too; one sealed to a key the office never
        // had is refused whole.
        let rotated = Device {
            office_public: decode_key32(&new_key.public_key).unwrap(),
            ..device
        };
        let new_case = census_case("DR-1", 2, 2, 1);
        let body = envelope(&rotated, &payload(&rotated, vec![new_case]));
        let reply: BatchReply = post(body).await.unwrap().json().await.unwrap();
        assert_eq!(reply.results[0].outcome, CaseOutcome::Stored, "{reply:?}");
        let stranger = Device {
            office_public: OfficeSecret::generate().unwrap().public_key(),
            ..rotated
        };
        let body = envelope(
            &stranger,
            &payload(&stranger, vec![census_case("DR-1", 3, 2, 1)]),
        );
        let refused = post(body).await.unwrap();
        assert_eq!(refused.status(), 400);
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["error"], "cannot_decrypt");
        let stored = backend.store.cases_page(None, 10).await.unwrap();
        assert_eq!(stored.len(), 2);
        assert!(stored.iter().any(|c| c.case_id == old_case.case_id));
    }
}
