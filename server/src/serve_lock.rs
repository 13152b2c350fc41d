//! SQLite is served by one process: `serve` holds an exclusive lock on a file next to the
//! database for its whole life, and a second `serve` of the same database is refused with
//! words saying why (several instances need PostgreSQL). The admin commands take no lock:
//! they may run while the server serves.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::PathBuf;

/// The lock file of the SQLite database named by `database` (as `--database` takes it).
pub fn lock_path(database: &str) -> PathBuf {
    let path = database.strip_prefix("sqlite:").unwrap_or(database);
    let path = path.strip_prefix("//").unwrap_or(path);
    PathBuf::from(format!("{path}.serve-lock"))
}

/// Takes the serving lock of the SQLite database `database`; keep the file as long as the
/// server serves (the lock ends with the process, however it ends).
pub fn lock_sqlite(database: &str) -> Result<File, String> {
    let path = lock_path(database);
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    let file = options
        .open(&path)
        .map_err(|e| format!("cannot open the lock file {}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(format!(
            "another census-server is already serving the SQLite database {database} (it holds \
             {}). SQLite is served by one process only: stop the other one, or run several \
             instances on PostgreSQL (--database postgres://…)",
            path.display()
        )),
        Err(TryLockError::Error(e)) => Err(format!("cannot lock {}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_of_one_database_is_refused_until_the_first_ends() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("census.db").to_string_lossy().into_owned();
        let first = lock_sqlite(&db).unwrap();
        let refused = lock_sqlite(&format!("sqlite:{db}")).unwrap_err();
        assert!(refused.contains("already serving"), "{refused}");
        assert!(refused.contains("PostgreSQL"), "{refused}");
        drop(first);
        assert!(lock_sqlite(&db).is_ok());
    }
}
