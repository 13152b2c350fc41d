//! What a tablet learns from its office, on SQLite and PostgreSQL: the assignment carries
//! cartography's buildings of its districts (from `import-buildings`), a tablet may enrol
//! with the code alone (an empty enumerator id; another id is still refused), and
//! `issue-code --server-url` prints a provisioning payload whose code enrols and whose key
//! ids are those the enrolment reply carries.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod binary;
mod support;

use std::process::Output;

use census_core::value::GpsPoint;
use census_core::wire::*;
use census_server::http::{AppState, ServerConfig};
use serde_json::Value;
use support::backends;
use support::*;

fn said(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn enrol_as(
    server: &TestServer,
    code: &str,
    device: &str,
    enumerator: &str,
) -> (u16, Value, DeviceKey) {
    let key = DeviceKey::generate().unwrap();
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
    (r.status().as_u16(), r.json().await.unwrap(), key)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_assignment_carries_cartographys_buildings() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("buildings.csv");
    std::fs::write(
        &csv,
        "district_id,building_number,lat,lon,description\n\
         DR-1,1,34.0201,-6.8301,12 rue des Orangers\n\
         DR-1,2,,,behind the mosque\n\
         DR-2,7,34.03,-6.84,\n\
         DR-3,1,34.05,-6.85,not this tablet's\n",
    )
    .unwrap();
    for backend in backends::both("buildings in the assignment").await {
        backend
            .store
            .import_districts(&[district("DR-1"), district("DR-2"), district("DR-3")])
            .await
            .unwrap();
        let out = backends::cli(
            &backend.database,
            &["import-buildings", csv.to_str().unwrap()],
        )
        .await;
        assert!(out.status.success(), "{}", said(&out).1);
        let server = start(backend.store.clone(), ServerConfig::default()).await;
        let code = server.issue_code("E-1", &["DR-1", "DR-2"]).await;
        let (status, body, _) = enrol_as(&server, &code, "tab-1", "E-1").await;
        assert_eq!(status, 200, "{body}");
        let reply: EnrolReply = serde_json::from_value(body).unwrap();
        let (_, text) = backends::get(&server, "/v1/assignment", &reply.device_token).await;
        let downloaded: Assignment = serde_json::from_str(&text).unwrap();
        for assignment in [&reply.assignment, &downloaded] {
            let by_district: Vec<(&str, &[FrameBuilding])> = assignment
                .districts
                .iter()
                .map(|d| (d.district_id.as_str(), d.buildings.as_slice()))
                .collect();
            let at = |lat, lon| {
                Some(GpsPoint {
                    lat,
                    lon,
                    accuracy_m: None,
                })
            };
            let expected_dr1 = [
                FrameBuilding {
                    building_number: 1,
                    gps: at(34.0201, -6.8301),
                    description: "12 rue des Orangers".into(),
                },
                FrameBuilding {
                    building_number: 2,
                    gps: None,
                    description: "behind the mosque".into(),
                },
            ];
            let expected_dr2 = [FrameBuilding {
                building_number: 7,
                gps: at(34.03, -6.84),
                description: String::new(),
            }];
            assert_eq!(
                by_district,
                [("DR-1", &expected_dr1[..]), ("DR-2", &expected_dr2[..])]
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tablet_enrols_with_the_code_alone() {
    for backend in backends::both("enrolment with the code alone").await {
        backend
            .store
            .import_districts(&[district("DR-1")])
            .await
            .unwrap();
        let server = start(backend.store.clone(), ServerConfig::default()).await;
        // Another enumerator's id is still refused, and the code is not used up by it.
        let code = server.issue_code("E-7", &["DR-1"]).await;
        let (status, body, _) = enrol_as(&server, &code, "tab-1", "E-8").await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"], "enumerator_mismatch");

        let (status, body, key) = enrol_as(&server, &code, "tab-1", "").await;
        assert_eq!(status, 200, "{body}");
        let reply: EnrolReply = serde_json::from_value(body).unwrap();
        assert_eq!(reply.assignment.enumerator_id, "E-7");
        let device = Device {
            id: "tab-1".into(),
            key,
            token: reply.device_token,
            office_public: decode_key32(&reply.office_public_key).unwrap(),
            enumerator: "E-7".into(),
        };
        let (_, text) = backends::get(&server, "/v1/assignment", &device.token).await;
        let downloaded: Assignment = serde_json::from_str(&text).unwrap();
        assert_eq!(downloaded.enumerator_id, "E-7");
        // The device works as the code's enumerator: its cases are stored.
        let body = envelope(
            &device,
            &payload(&device, vec![census_case("DR-1", 1, 2, 1)]),
        );
        let (status, reply) = server.post_batch(&device.token, body).await;
        assert_eq!(status, 200, "{reply}");
        assert_eq!(reply["results"][0]["outcome"]["kind"], "stored", "{reply}");
        // A used code stays used, whatever id comes with it.
        let (status, body, _) = enrol_as(&server, &code, "tab-2", "").await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(body["error"], "code_used");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_code_prints_a_provisioning_payload_with_the_office_key_ids() {
    for backend in backends::both("the provisioning payload").await {
        backend
            .store
            .import_districts(&[district("DR-1")])
            .await
            .unwrap();
        let data = tempfile::tempdir().unwrap();
        let issue = |extra: &[&str]| {
            let mut args = vec!["issue-code", "--enumerator", "E-1", "--districts", "DR-1"];
            args.extend_from_slice(extra);
            binary::command("true", data.path(), Some(&backend.database), &args)
                .env("RUST_LOG", "off")
                .output()
                .unwrap()
        };
        let url = ["--server-url", "https://census.example"];
        // Without the office's keys, the payload cannot name them: refused in words.
        let out = issue(&url);
        assert!(!out.status.success());
        assert!(said(&out).1.contains("no batch key"), "{}", said(&out).1);
        let (office, _) =
            census_server::keyfile::load_or_create(&data.path().join("office.key")).unwrap();
        let out = issue(&url);
        assert!(!out.status.success());
        assert!(
            said(&out).1.contains("census-server set-recovery-key"),
            "{}",
            said(&out).1
        );
        let recovery = set_recovery_key(backend.store.as_ref()).await;

        // Without --server-url: the code alone, as before.
        let out = issue(&[]);
        let (stdout, stderr) = said(&out);
        assert!(out.status.success(), "{stderr}");
        assert_eq!(stdout.lines().count(), 1, "{stdout}");

        let out = issue(&url);
        let (stdout, stderr) = said(&out);
        assert!(out.status.success(), "{stderr}");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 2, "{stdout}");
        let payload: Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(payload["server_url"], "https://census.example");
        assert_eq!(payload["enrolment_code"], lines[0]);
        assert_eq!(
            payload["office_key_ids"],
            serde_json::json!({"batch": key_id(&office.public_key()), "recovery": key_id(&recovery)})
        );

        // The payload's code enrols, and the reply carries the keys it named.
        let state = AppState::new(backend.store.clone(), office, ServerConfig::default());
        let server = start_without_recovery_key(state).await;
        let code = payload["enrolment_code"].as_str().unwrap();
        let (status, body, _) = enrol_as(&server, code, "tab-1", "").await;
        assert_eq!(status, 200, "{body}");
        let reply: EnrolReply = serde_json::from_value(body).unwrap();
        let keys = reply.office_keys.unwrap();
        assert_eq!(payload["office_key_ids"]["batch"], keys.batch.key_id);
        assert_eq!(
            payload["office_key_ids"]["recovery"],
            keys.recovery.unwrap().key_id
        );
    }
}
