//! `POST /v1/diagnostics` on the real server over loopback: an enrolled tablet's log is kept
//! in its own folder (0600 files, 0700 folders); without a device token, with a body over
//! 64 KiB, or on an office that keeps no diagnostics, nothing is stored.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::{Path, PathBuf};

use census_server::http::ServerConfig;
use census_server::http::diagnostics::{MAX_DIAGNOSTICS_BYTES, device_folder};

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

async fn post(
    server: &support::TestServer,
    token: Option<&str>,
    body: Vec<u8>,
) -> (u16, serde_json::Value) {
    let mut request = server
        .http
        .post(format!("{}/v1/diagnostics", server.url))
        .header("content-type", "text/plain; charset=utf-8")
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_tablets_log_is_kept_in_its_own_private_folder() {
    let (store, _db) = support::sqlite_store().await;
    let data = tempfile::tempdir().unwrap();
    let root = data.path().join("diagnostics");
    let config = ServerConfig {
        diagnostics_dir: Some(root.clone()),
        ..ServerConfig::default()
    };
    let server = support::start(store, config).await;
    server
        .state
        .store
        .import_districts(&[support::district("07-041-0012")])
        .await
        .unwrap();
    let device = server.enrol("tablet-07", "AR-7", &["07-041-0012"]).await;

    let log =
        "2026-12-05T12:00:00Z INFO app started version=0.1.0\nsync failed problem=sync_offline\n";
    let (status, reply) = post(&server, Some(&device.token), log.as_bytes().to_vec()).await;
    assert_eq!(status, 201, "{reply}");
    assert_eq!(reply["bytes"], log.len());
    let kept = files(&root);
    assert_eq!(kept.len(), 1, "{kept:?}");
    let folder = root.join(device_folder("tablet-07"));
    assert_eq!(kept[0].parent().unwrap(), folder);
    assert!(kept[0].extension().is_some_and(|e| e == "log"));
    assert_eq!(std::fs::read_to_string(&kept[0]).unwrap(), log);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&kept[0]), 0o600);
        assert_eq!(mode(&folder), 0o700);
    }

    // A second sending is a second file beside the first.
    let (status, _) = post(&server, Some(&device.token), b"again\n".to_vec()).await;
    assert_eq!(status, 201);
    assert_eq!(files(&root).len(), 2);

    // No token, or a wrong one: refused before anything is stored.
    let (status, _) = post(&server, None, b"forged\n".to_vec()).await;
    assert_eq!(status, 401);
    let (status, _) = post(&server, Some("not-a-token"), b"forged\n".to_vec()).await;
    assert_eq!(status, 401);
    // Over 64 KiB: refused whole.
    let oversized = vec![b'x'; MAX_DIAGNOSTICS_BYTES + 1];
    let (status, reply) = post(&server, Some(&device.token), oversized).await;
    assert_eq!(status, 413, "{reply}");
    // Exactly 64 KiB is accepted.
    let full = vec![b'y'; MAX_DIAGNOSTICS_BYTES];
    let (status, _) = post(&server, Some(&device.token), full).await;
    assert_eq!(status, 201);
    let kept = files(&root);
    assert_eq!(kept.len(), 3, "{kept:?}");
    for file in &kept {
        let text = std::fs::read(file).unwrap();
        assert!(!text.windows(6).any(|w| w == b"forged"), "{file:?}");
        assert!(text.len() <= MAX_DIAGNOSTICS_BYTES);
    }
}

#[tokio::test]
async fn an_office_without_a_diagnostics_folder_refuses_them() {
    let (store, _db) = support::sqlite_store().await;
    let server = support::start(store, ServerConfig::default()).await;
    server
        .state
        .store
        .import_districts(&[support::district("07-041-0012")])
        .await
        .unwrap();
    let device = server.enrol("tablet-08", "AR-8", &["07-041-0012"]).await;
    let (status, reply) = post(&server, Some(&device.token), b"log\n".to_vec()).await;
    assert_eq!(status, 503, "{reply}");
    assert_eq!(reply["error"], "diagnostics_off", "{reply}");
}
