//! The office's keys by duty (design principle 9): the batch key the server opens batches
//! with (`DATA_DIR/office.key`, rotated by `census-server rotate-batch-key`, older ones kept
//! in `DATA_DIR/retired-keys/` so batches sealed to them stay readable), and the public half
//! of the recovery key (`census-server set-recovery-key`; its private half stays offline,
//! made by `census-recover keygen`).

use std::path::{Path, PathBuf};

use census_core::wire::{OfficeSecret, SignedBatch, WireError, key_id};

use crate::incoming::{IncomingBatch, open_incoming};

/// The current batch key's file in the data directory.
pub const CURRENT_KEY_FILE: &str = "office.key";

/// The folder of retired batch keys in the data directory (`KEY_ID.key`, mode 0600).
pub const RETIRED_DIR: &str = "retired-keys";

/// The batch keys the server opens batches with: the current one (announced to tablets)
/// and the retired ones.
pub struct BatchKeys {
    /// The key tablets seal to now.
    pub current: OfficeSecret,
    /// Keys rotated out, still opening what was sealed to them.
    pub retired: Vec<OfficeSecret>,
}

impl std::fmt::Debug for BatchKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchKeys")
            .field("current", &key_id(&self.current.public_key()))
            .field(
                "retired",
                &self
                    .retired
                    .iter()
                    .map(|k| key_id(&k.public_key()))
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// The retired keys' folder of `data_dir`.
pub fn retired_dir(data_dir: &Path) -> PathBuf {
    data_dir.join(RETIRED_DIR)
}

/// The retired keys of `data_dir` (none when the folder is missing), by file name.
pub fn load_retired(data_dir: &Path) -> Result<Vec<OfficeSecret>, String> {
    let dir = retired_dir(data_dir);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", dir.display())),
    };
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .path();
        if path.extension().is_some_and(|x| x == "key") {
            paths.push(path);
        }
    }
    paths.sort();
    paths.iter().map(|p| crate::keyfile::load(p)).collect()
}

/// The batch keys of `data_dir`: the current one (created when missing: whether it was)
/// and the retired ones.
pub fn load_batch_keys(data_dir: &Path) -> Result<(BatchKeys, bool), String> {
    let (current, created) = crate::keyfile::load_or_create(&data_dir.join(CURRENT_KEY_FILE))?;
    let retired = load_retired(data_dir)?;
    Ok((BatchKeys { current, retired }, created))
}

/// A rotation done: the key ids of the retired key and of the new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotated {
    /// The key retired (its file in [`RETIRED_DIR`]).
    pub retired_id: String,
    /// The new current key.
    pub new_id: String,
}

/// Moves the current batch key of `data_dir` to the retired keys and makes a new one
/// current. The retired copy is written (and synced) before the current file is replaced,
/// so no key is lost if this stops half-way; running servers take the new key at their
/// next start.
pub fn rotate(data_dir: &Path) -> Result<Rotated, String> {
    let current_path = data_dir.join(CURRENT_KEY_FILE);
    if !current_path.exists() {
        return Err(format!(
            "no batch key at {}: start the server once with this --data-dir (it creates the \
             key), then rotate",
            current_path.display()
        ));
    }
    let old = crate::keyfile::load(&current_path)?;
    let retired_id = key_id(&old.public_key());
    let dir = retired_dir(data_dir);
    crate::private_files::create_private_dir(&dir)?;
    let retired_path = dir.join(format!("{retired_id}.key"));
    if !retired_path.exists() {
        crate::keyfile::write_new(&retired_path, &old)?;
    }
    let new = OfficeSecret::generate().map_err(|e| e.to_string())?;
    let new_id = key_id(&new.public_key());
    let staged = data_dir.join(format!("{CURRENT_KEY_FILE}.new"));
    let _ = std::fs::remove_file(&staged);
    crate::keyfile::write_new(&staged, &new)?;
    std::fs::rename(&staged, &current_path).map_err(|e| {
        format!(
            "cannot replace {} by the new key: {e}",
            current_path.display()
        )
    })?;
    if let Ok(dir) = std::fs::File::open(data_dir) {
        let _ = dir.sync_all();
    }
    Ok(Rotated { retired_id, new_id })
}

/// Opens `batch` with the current key, else with the retired key it was sealed to (the
/// AEAD tag tells which: another key cannot open it).
pub fn open_with_any(
    batch: &SignedBatch,
    device_public_key: &[u8],
    current: &OfficeSecret,
    retired: &[OfficeSecret],
    inflated_limit: usize,
) -> Result<IncomingBatch, WireError> {
    let mut result = open_incoming(batch, device_public_key, current, inflated_limit);
    for key in retired {
        match result {
            Err(WireError::CannotDecrypt) => {
                result = open_incoming(batch, device_public_key, key, inflated_limit);
            }
            _ => break,
        }
    }
    result
}

/// The prefix of the public key files `census-recover generate-office-key` writes.
const PUBLIC_FILE_PREFIX: &str = "census-office-public-key-v1:";

/// A recovery public key given on the command line: base64 text, or a file holding it (or
/// a public key file of `census-recover generate-office-key`). A malformed key, or one no
/// tablet could seal to, is refused in words.
pub fn parse_recovery_key(arg: &str) -> Result<[u8; 32], String> {
    let path = Path::new(arg);
    let (text, from) = if path.is_file() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        (text, format!("{}: ", path.display()))
    } else {
        (arg.to_owned(), String::new())
    };
    let text = text.trim();
    let key = match text.strip_prefix(PUBLIC_FILE_PREFIX) {
        Some(hex) => hex_key(hex.trim()),
        None => census_core::wire::decode_key32(text).map_err(|e| e.to_string()),
    }
    .map_err(|e| {
        format!(
            "{from}not a recovery public key ({e}): give the base64 public key that \
             `census-recover keygen` printed, or a file holding it"
        )
    })?;
    // A key no tablet can seal to (a low-order point) is refused now, not at enrolment.
    census_core::wire::seal_to_office(&key, b"check", b"").map_err(|e| {
        format!("{from}this recovery public key cannot be used ({e}): make one with census-recover keygen")
    })?;
    Ok(key)
}

fn hex_key(hex: &str) -> Result<[u8; 32], String> {
    let digit = |c: u8| (c as char).to_digit(16);
    let bytes = hex.as_bytes();
    if bytes.len() != 64 {
        return Err(format!("{} hex digits, not 64", bytes.len()));
    }
    let mut key = [0u8; 32];
    for (i, pair) in bytes.chunks(2).enumerate() {
        match (digit(pair[0]), digit(pair[1])) {
            (Some(h), Some(l)) => key[i] = (h * 16 + l) as u8,
            _ => return Err("not hexadecimal".into()),
        }
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use census_core::wire::b64_encode;

    #[test]
    fn recovery_keys_are_read_from_base64_or_files_and_bad_ones_refused() {
        let key = OfficeSecret::generate().unwrap().public_key();
        assert_eq!(parse_recovery_key(&b64_encode(&key)).unwrap(), key);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("recovery.pub");
        std::fs::write(&file, format!("{}\n", b64_encode(&key))).unwrap();
        assert_eq!(parse_recovery_key(file.to_str().unwrap()).unwrap(), key);
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        std::fs::write(&file, format!("{PUBLIC_FILE_PREFIX}{hex}\n")).unwrap();
        assert_eq!(parse_recovery_key(file.to_str().unwrap()).unwrap(), key);
        for bad in ["not a key", "AAAA", &b64_encode(&[0u8; 32])] {
            let e = parse_recovery_key(bad).unwrap_err();
            assert!(e.contains("recovery public key"), "{e}");
        }
    }

    #[test]
    fn rotation_keeps_the_old_key_private_and_loads_both() {
        let dir = tempfile::tempdir().unwrap();
        assert!(rotate(dir.path()).is_err());
        let (before, created) = load_batch_keys(dir.path()).unwrap();
        assert!(created && before.retired.is_empty());
        let rotated = rotate(dir.path()).unwrap();
        assert_eq!(rotated.retired_id, key_id(&before.current.public_key()));
        let (after, created) = load_batch_keys(dir.path()).unwrap();
        assert!(!created);
        assert_eq!(rotated.new_id, key_id(&after.current.public_key()));
        assert_eq!(after.retired.len(), 1);
        assert_eq!(after.retired[0].public_key(), before.current.public_key());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let retired = retired_dir(dir.path()).join(format!("{}.key", rotated.retired_id));
            for path in [retired, dir.path().join(CURRENT_KEY_FILE)] {
                let mode = std::fs::metadata(&path).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "{}", path.display());
            }
        }
    }
}
