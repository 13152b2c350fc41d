//! The real `census-server` binary as a child process, started through `sh` so a test can
//! set what a service manager would (open-files limit, umask).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `census-server serve`; killed when dropped.
pub struct Server {
    /// The child process.
    pub child: Child,
    /// `127.0.0.1:port` it listens on.
    pub addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// VmRSS of the server process, KiB (Linux).
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()));
        status
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    /// The server's open-files limits as `soft / hard` (Linux).
    pub fn open_files_limit(&self) -> String {
        std::fs::read_to_string(format!("/proc/{}/limits", self.child.id()))
            .unwrap_or_default()
            .lines()
            .find(|l| l.starts_with("Max open files"))
            .unwrap_or("")
            .split_whitespace()
            .skip(3)
            .take(2)
            .collect::<Vec<_>>()
            .join(" / ")
    }
}

/// `census-server --data-dir DIR [--database URL] ARGS…` under `sh -c "SETUP && exec …"`.
pub fn command(setup: &str, data_dir: &Path, database: Option<&str>, args: &[&str]) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("{setup} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_census-server"))
        .arg("--data-dir")
        .arg(data_dir);
    if let Some(url) = database {
        cmd.arg("--database").arg(url);
    }
    cmd.args(args).stdin(Stdio::null());
    cmd
}

/// Starts `serve --listen 127.0.0.1:0 EXTRA…` and waits for the address it listens on.
/// The server's log is drained for its whole life (a full pipe would stall it); lines about
/// limits and refusals are echoed to the test's log.
pub fn start(setup: &str, data_dir: &Path, database: Option<&str>, extra: &[&str]) -> Server {
    start_on("127.0.0.1:0", setup, data_dir, database, extra)
}

/// As [`start`], listening on `listen` (a fixed port, to restart an instance in place).
pub fn start_on(
    listen: &str,
    setup: &str,
    data_dir: &Path,
    database: Option<&str>,
    extra: &[&str],
) -> Server {
    let mut args = vec!["serve", "--listen", listen];
    args.extend_from_slice(extra);
    let mut child = command(setup, data_dir, database, &args)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if [
                "connection limits",
                "descriptor",
                "listening",
                "refused",
                "data file",
            ]
            .iter()
            .any(|w| line.contains(w))
            {
                eprintln!("server: {line}");
            }
            if let Some(rest) = line.split("listen=").nth(1) {
                let addr = rest.split_whitespace().next().unwrap_or("").to_owned();
                let _ = tx.send(addr);
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the server says where it listens");
    Server { child, addr }
}

/// `url` with its connections working in a fresh schema (created here), so the binary's
/// tables stay apart from other tests'.
pub async fn postgres_url_in_fresh_schema(url: &str, prefix: &str) -> String {
    postgres_fresh_schema(url, prefix).await.0
}

/// As [`postgres_url_in_fresh_schema`], with the schema's name (to measure or drop it).
pub async fn postgres_fresh_schema(url: &str, prefix: &str) -> (String, String) {
    let schema = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    census_server::store::postgres::PgStore::connect_in_schema(url, &schema)
        .await
        .unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    (
        format!("{url}{sep}options=-c%20search_path%3D{schema}"),
        schema,
    )
}
