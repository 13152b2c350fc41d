//! The server's command line refuses a questionnaire file whose coverage block names an item
//! that does not exist, or that has no coverage block at all, before it serves anything,
//! with the reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

/// Runs `serve` with the census questionnaire edited by `edit`; returns its stderr once it
/// has stopped (it must stop).
fn serve_with(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut doc: serde_json::Value =
        serde_json::from_str(include_str!("../../schemas/rgph2024.json")).unwrap();
    edit(&mut doc);
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
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_questionnaire_file_with_a_wrong_coverage_block_stops_the_server_with_the_reason() {
    let stderr = serve_with(|doc| doc["coverage"]["name"] = serde_json::json!("p_nom"));
    assert!(stderr.contains("cannot be used"), "{stderr}");
    assert!(stderr.contains("/coverage/name"), "{stderr}");
    assert!(stderr.contains("p_nom"), "{stderr}");
}

#[test]
fn a_questionnaire_file_without_a_coverage_block_stops_the_server_with_the_reason() {
    let stderr = serve_with(|doc| {
        doc.as_object_mut().unwrap().remove("coverage");
    });
    assert!(
        stderr.contains(
            "cannot serve: questionnaire rgph2024 1.0.0 has no \"coverage\" block: coverage \
             cannot tell which roster holds its persons"
        ),
        "{stderr}"
    );
}
