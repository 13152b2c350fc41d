//! Files that hold personal data or keys: created readable by the app's user alone (0600)
//! inside a directory only that user may enter (0700). On systems without Unix permissions
//! the files are created normally (Android's app-private storage is already per-app).

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::Path;

/// Creates `dir` (and its parents) if needed and restricts `dir` itself to its owner (0700).
/// An existing directory with wider permissions is narrowed where the storage allows it.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        // Narrowing an existing directory is best effort: on read-only storage it fails, and
        // the store then reports the storage itself.
        let _ = restrict(dir, 0o700);
        return Ok(());
    }
    fs::create_dir_all(dir)?;
    restrict(dir, 0o700)
}

/// Creates (or truncates) a file readable and writable by its owner alone (0600).
pub fn create_private_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    // `mode` is filtered by the umask and ignored for a file that already existed.
    restrict(path, 0o600)?;
    Ok(file)
}

/// Makes sure `path` exists as a file (empty if new) readable by its owner alone (0600),
/// without changing what it holds. Used before SQLite opens a database, which it would
/// otherwise create with the umask's permissions (SQLite gives its `-wal` and `-shm` files
/// the database file's permissions).
pub fn ensure_private_file(path: &Path) -> io::Result<()> {
    if path.exists() {
        // Best effort, as for directories: read-only storage is reported by SQLite.
        let _ = restrict(path, 0o600);
        return Ok(());
    }
    let mut options = OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    drop(options.open(path)?);
    restrict(path, 0o600)
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let current = fs::metadata(path)?.permissions().mode() & 0o777;
    if current != mode {
        fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}
