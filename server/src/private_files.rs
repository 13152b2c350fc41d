//! Files at rest hold personal data and the office's key: the server creates its data
//! directories 0700 and its files 0600 (the SQLite database and its `-wal`/`-shm`, the office
//! key, export output). On other systems than Unix these are no-ops.

use std::path::Path;

/// Makes every file and directory this process creates from now on private to its user
/// (umask 077), whatever mode the code creating it asks for. Called once at start.
pub fn restrict_umask() {
    #[cfg(unix)]
    {
        let _ = rustix::process::umask(rustix::fs::Mode::from_bits_truncate(0o077));
    }
}

/// Creates `dir` (and missing parents) with mode 0700; an existing directory is kept as it
/// is, with a warning when others may read it.
pub fn create_private_dir(dir: &Path) -> Result<(), String> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(dir)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(
                dir = %dir.display(),
                mode = format!("{:o}", meta.permissions().mode() & 0o777),
                "others may open this data directory: chmod 700 it"
            );
        }
    }
    Ok(())
}

/// Before SQLite opens `path`: creates the database file with mode 0600 if it is missing
/// (SQLite would create it 0644, and gives its `-wal` and `-shm` files the database's mode),
/// and narrows an existing database, `-wal` or `-shm` file that others may read to 0600.
/// Paths that are no plain files (`:memory:`, `file:` URIs) are left to SQLite.
pub fn prepare_sqlite_file(path: &str) -> Result<(), String> {
    if path.is_empty() || path.starts_with(':') || path.starts_with("file:") {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .map_err(|e| format!("cannot create the database file {path}: {e}"))?;
    #[cfg(unix)]
    for file in [
        path.to_owned(),
        format!("{path}-wal"),
        format!("{path}-shm"),
    ] {
        narrow_to_owner(Path::new(&file));
    }
    Ok(())
}

/// Sets an existing file that others may open to 0600 (logged); a failure is logged only.
#[cfg(unix)]
fn narrow_to_owner(file: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(file) else {
        return;
    };
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 == 0 {
        return;
    }
    match std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600)) {
        Ok(()) => tracing::warn!(
            file = %file.display(),
            was = format!("{mode:o}"),
            "data file was open to others: now 0600"
        ),
        Err(e) => tracing::warn!(
            file = %file.display(),
            was = format!("{mode:o}"),
            error = %e,
            "data file is open to others and cannot be narrowed: chmod 600 it"
        ),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0)
    }

    #[test]
    fn database_files_are_created_or_narrowed_to_0600() {
        let Ok(dir) = tempfile::tempdir() else {
            return;
        };
        let data = dir.path().join("a/b");
        assert!(create_private_dir(&data).is_ok());
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        let db = data.join("census.db");
        let db_text = db.to_string_lossy().into_owned();
        assert!(prepare_sqlite_file(&db_text).is_ok());
        assert_eq!(mode(&db), 0o600);
        let wal = data.join("census.db-wal");
        assert!(std::fs::write(&wal, b"").is_ok());
        assert!(std::fs::set_permissions(&wal, std::fs::Permissions::from_mode(0o644)).is_ok());
        assert!(std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).is_ok());
        assert!(prepare_sqlite_file(&db_text).is_ok());
        assert_eq!(mode(&db), 0o600);
        assert_eq!(mode(&wal), 0o600);
    }
}
