//! The office key file: 32 secret bytes, created with mode 0600 when missing.

use std::io::Write;
use std::path::Path;

use census_core::wire::OfficeSecret;

/// Loads the office key from `path`, or generates and saves a new one. Returns the key and
/// whether it was created now.
pub fn load_or_create(path: &Path) -> Result<(OfficeSecret, bool), String> {
    if path.exists() {
        return Ok((load(path)?, false));
    }
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        crate::private_files::create_private_dir(dir)?;
    }
    let key = OfficeSecret::generate().map_err(|e| e.to_string())?;
    write_new(path, &key)?;
    Ok((key, true))
}

/// Reads the key file at `path`.
pub fn load(path: &Path) -> Result<OfficeSecret, String> {
    let bytes = zeroize::Zeroizing::new(
        std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?,
    );
    OfficeSecret::from_secret_bytes(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes `key` to a new file at `path` (mode 0600, synced; never over an existing file).
pub fn write_new(path: &Path, key: &OfficeSecret) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(&key.to_secret_bytes_dangerous()[..])
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_created_private_then_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/office.key");
        let (k1, created) = load_or_create(&path).unwrap();
        assert!(created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (k2, created) = load_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(k1.public_key(), k2.public_key());
    }
}
