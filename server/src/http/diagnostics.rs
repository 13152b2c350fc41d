//! `POST /v1/diagnostics`: the end of a tablet's own log, sent by the enumerator for the
//! office's support staff. Device-authenticated (before the body is read), at most
//! [`MAX_DIAGNOSTICS_BYTES`], kept as one file per sending under
//! `DIAGNOSTICS_DIR/<device>/<time>.log` (0600 in 0700 directories). The device's folder
//! name is made of its id's safe characters and a hash of the whole id: nothing a tablet
//! sends reaches a path unescaped. The tablet's log holds no answers, names or secrets (see
//! the app's `logs` module); the office still treats the files as private.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use serde::Serialize;

use super::auth::AuthedDevice;
use super::{ApiError, AppState};
use crate::logsafe;

/// Largest diagnostics body (bytes): the tablet sends the last 64 KiB of its log.
pub const MAX_DIAGNOSTICS_BYTES: usize = 64 * 1024;

/// Longest part of a device id kept in its folder's name.
const MAX_NAME_CHARS: usize = 48;

/// The reply: what was kept.
#[derive(Debug, Serialize)]
pub struct DiagnosticsReply {
    /// Bytes stored.
    pub bytes: usize,
}

/// Stores the body as the device's diagnostics of now.
pub async fn diagnostics(
    State(app): State<Arc<AppState>>,
    AuthedDevice(device): AuthedDevice,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<DiagnosticsReply>), ApiError> {
    let body = body.map_err(|rejection| {
        let status = rejection.status();
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "too_large"
        } else {
            "bad_body"
        };
        ApiError::new(status, code, rejection.body_text())
    })?;
    if body.len() > MAX_DIAGNOSTICS_BYTES {
        return Err(too_large());
    }
    let Some(root) = app.config.diagnostics_dir.clone() else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "diagnostics_off",
            "this office does not keep diagnostics",
        ));
    };
    let folder = root.join(device_folder(&device.device_id));
    let bytes = body.len();
    let stored = tokio::task::spawn_blocking(move || store(&folder, &body)).await;
    match stored {
        Ok(Ok(())) => {
            tracing::info!(device = %logsafe::text(&device.device_id), bytes, "diagnostics stored");
            Ok((StatusCode::CREATED, Json(DiagnosticsReply { bytes })))
        }
        Ok(Err(e)) => {
            tracing::error!(device = %logsafe::text(&device.device_id), error = %e, "diagnostics not stored");
            Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "storage",
                "the diagnostics could not be stored",
            ))
        }
        Err(_) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "storage",
            "the diagnostics could not be stored",
        )),
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!("diagnostics are at most {MAX_DIAGNOSTICS_BYTES} bytes"),
    )
}

/// The folder name of a device: its id's ASCII letters, digits, `-` and `_` (others become
/// `_`, at most [`MAX_NAME_CHARS`]), then `-` and the first 16 hex digits of the id's
/// SHA-256, so that two ids never share a folder by sanitising alike.
pub fn device_folder(device_id: &str) -> String {
    let readable: String = device_id
        .chars()
        .take(MAX_NAME_CHARS)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let digest = ring::digest::digest(&ring::digest::SHA256, device_id.as_bytes());
    let hash: String = digest.as_ref()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{readable}-{hash}")
}

/// Writes `body` to a new file `<time>.log` in `folder` (created 0700), mode 0600.
fn store(folder: &Path, body: &[u8]) -> Result<(), String> {
    crate::private_files::create_private_dir(folder)?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ").to_string();
    for attempt in 0..100u32 {
        let name = if attempt == 0 {
            format!("{stamp}.log")
        } else {
            format!("{stamp}-{attempt}.log")
        };
        let path: PathBuf = folder.join(name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&path) {
            Ok(mut file) => {
                return file
                    .write_all(body)
                    .and_then(|()| file.sync_all())
                    .map_err(|e| format!("cannot write {}: {e}", path.display()));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("cannot create {}: {e}", path.display())),
        }
    }
    Err("too many diagnostics in the same microsecond".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_folder_is_a_safe_name_and_unique_per_id() {
        for id in ["../../etc", "a/b", "a\\b", "..", "", "a b\n", "tablet-07_x"] {
            let name = device_folder(id);
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "{id:?} → {name}"
            );
            assert!(!name.starts_with('.') && name.len() <= MAX_NAME_CHARS + 17);
        }
        assert_ne!(device_folder("a/b"), device_folder("a_b"));
        assert!(device_folder("tablet-07_x").starts_with("tablet-07_x-"));
    }
}
