//! The server's command line refuses a questionnaire file whose coverage block names an item
//! that does not exist, before it serves anything, with the loader's words.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

#[test]
fn a_questionnaire_file_with_a_wrong_coverage_block_stops_the_server_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc: serde_json::Value =
        serde_json::from_str(include_str!("../../schemas/rgph2024.json")).unwrap();
    doc["coverage"]["name"] = serde_json::json!("p_nom");
    let file = dir.path().join("census.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_census-server"))
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["serve", "--listen", "127.0.0.1:0", "--questionnaire-file"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot be used"), "{stderr}");
    assert!(stderr.contains("/coverage/name"), "{stderr}");
    assert!(stderr.contains("p_nom"), "{stderr}");
}
