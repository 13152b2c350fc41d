//! The office's deployment commands: `set-recovery-key`, `rotate-batch-key`, `publish`, and
//! the provisioning payload `issue-code --server-url` prints. Each returns the words to
//! print, or why it refused.

use std::path::Path;

use census_core::wire::{b64_encode, key_id};

use crate::office_keys;
use crate::store::{PublishOutcome, RecoveryKey, Storage};

/// `census-server set-recovery-key PUBLIC`: makes the recovery key's public half (base64
/// text or a file holding it) the office's current one.
pub async fn set_recovery_key(store: &dyn Storage, public: &str) -> Result<String, String> {
    let key = office_keys::parse_recovery_key(public)?;
    let record = RecoveryKey::new(key);
    let before = store.recovery_key().await.map_err(|e| e.to_string())?;
    let new = store
        .set_recovery_key(&record)
        .await
        .map_err(|e| e.to_string())?;
    let id = &record.key_id;
    Ok(match before {
        Some(old) if old.key_id == *id => {
            format!("recovery key {id} is already the current one: nothing changed")
        }
        Some(old) => format!(
            "recovery key {id} is now current (replacing {}); tablets receive it with their \
             next assignment{}",
            old.key_id,
            if new { "" } else { " (it had been set before)" }
        ),
        None => {
            format!("recovery key {id} set: tablets may now enrol (the private half stays offline)")
        }
    })
}

/// `census-server rotate-batch-key`: retires the current batch key of `data_dir` and makes
/// a new one.
pub fn rotate_batch_key(data_dir: &Path) -> Result<String, String> {
    let done = office_keys::rotate(data_dir)?;
    Ok(format!(
        "batch key {} retired to {} (batches sealed to it stay readable); new batch key {} \
         in {}: restart the server (every instance, with this key file) to announce it in \
         the next downloads",
        done.retired_id,
        office_keys::retired_dir(data_dir).display(),
        done.new_id,
        data_dir.join(office_keys::CURRENT_KEY_FILE).display()
    ))
}

/// `census-server publish FILE`: checks the questionnaire file and stores its exact bytes
/// under its id@version, once.
pub async fn publish(store: &dyn Storage, file: &Path) -> Result<String, String> {
    let p = crate::published::prepare(file)?;
    let at = format!("{}@{}", p.id, p.version);
    match store
        .publish_questionnaire(&p)
        .await
        .map_err(|e| e.to_string())?
    {
        PublishOutcome::Published => Ok(format!(
            "published {at}: {} questionnaire, {} bytes, sha256 {}",
            p.population.as_str(),
            p.body.len(),
            p.sha256
        )),
        PublishOutcome::AlreadyPublished => Ok(format!(
            "{at} is already published with these exact bytes (sha256 {}): nothing changed",
            p.sha256
        )),
        PublishOutcome::Changed { published_sha256 } => Err(format!(
            "{at} is already published with other content (sha256 {published_sha256}, this \
             file {}): a published version cannot be changed: publish a new version",
            p.sha256
        )),
    }
}

/// The ids of the office's keys a tablet will pin: the batch key in `data_dir` and the
/// current recovery key. Refused, in words, while either is missing.
pub async fn key_ids(store: &dyn Storage, data_dir: &Path) -> Result<(String, String), String> {
    let path = data_dir.join(office_keys::CURRENT_KEY_FILE);
    if !path.exists() {
        return Err(format!(
            "no batch key at {}: give the --data-dir the server runs with",
            path.display()
        ));
    }
    let batch = crate::keyfile::load(&path)?;
    let recovery = store
        .recovery_key()
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no recovery key is set: run census-server set-recovery-key first (tablets cannot enrol without it)")?;
    Ok((key_id(&batch.public_key()), recovery.key_id))
}

/// The one-line provisioning payload of an enrolment code (JSON), for a QR code or a file.
pub fn provisioning_payload(server_url: &str, code: &str, ids: &(String, String)) -> String {
    serde_json::json!({
        "server_url": server_url,
        "enrolment_code": code,
        "office_key_ids": {"batch": ids.0, "recovery": ids.1},
    })
    .to_string()
}

/// The lines `serve` prints about its keys at start.
pub fn key_lines(keys: &office_keys::BatchKeys) -> Vec<String> {
    let public = keys.current.public_key();
    let mut lines = vec![format!(
        "office public key: {} (batch key id {})",
        b64_encode(&public),
        key_id(&public)
    )];
    for k in &keys.retired {
        lines.push(format!(
            "retired batch key {} still opens batches sealed to it",
            key_id(&k.public_key())
        ));
    }
    lines
}
