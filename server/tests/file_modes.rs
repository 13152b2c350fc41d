//! Files at rest hold personal data: the real binary, started with a permissive umask (022)
//! on a fresh data directory, creates the directory 0700 and the database (with its `-wal`
//! and `-shm`), the office key and the export output 0600. On SQLite and PostgreSQL.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod binary;
mod raw_http;
mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

fn mode(path: &Path) -> u32 {
    let meta = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    meta.permissions().mode() & 0o777
}

fn assert_mode(path: &Path, expected: u32) {
    assert_eq!(
        mode(path),
        expected,
        "{} is {:o}, not {expected:o}",
        path.display(),
        mode(path)
    );
}

async fn data_files_are_private(database: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("census/data");
    let server = binary::start("umask 022", &data, database, &[]);
    assert_eq!(
        raw_http::health(&server.addr, Duration::from_secs(30)).await,
        Some(200)
    );
    assert_mode(&data, 0o700);
    assert_mode(&dir.path().join("census"), 0o700);
    assert_mode(&data.join("office.key"), 0o600);
    if database.is_none() {
        // While the server runs, SQLite's write-ahead log and shared-memory index exist.
        for name in ["census.db", "census.db-wal", "census.db-shm"] {
            assert_mode(&data.join(name), 0o600);
        }
    } else {
        assert!(!data.join("census.db").exists());
    }
    drop(server);

    let out = dir.path().join("export");
    let run = binary::command(
        "umask 022",
        &data,
        database,
        &["export", "--out", out.to_str().unwrap()],
    )
    .output()
    .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_mode(&out, 0o700);
    let mut files = 0;
    for entry in std::fs::read_dir(&out).unwrap() {
        assert_mode(&entry.unwrap().path(), 0o600);
        files += 1;
    }
    assert!(files > 0, "the export wrote files");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_data_files_are_private() {
    data_files_are_private(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_data_files_are_private() {
    let Some(url) = support::postgres_url("file modes") else {
        return;
    };
    let url = binary::postgres_url_in_fresh_schema(&url, "file_modes").await;
    data_files_are_private(Some(&url)).await;
}
