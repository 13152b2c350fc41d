//! A real HAProxy (the Debian package) in front of `census-server` instances on loopback:
//! the test writes its configuration to a temporary directory, starts it in the foreground
//! and stops it when dropped. Under `CI=true` a missing `haproxy` fails the test.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running HAProxy; stopped when dropped.
pub struct Balancer {
    child: Child,
    /// `http://127.0.0.1:port`, the one address the tablets know.
    pub url: String,
    stats: std::path::PathBuf,
    /// Its log: one line per request, `METHOD PATH STATUS TERMINATION SERVER`.
    log: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `haproxy` can run here; `false` (with a message) skips the test, and under
/// `CI=true` its absence fails instead.
pub fn available() -> bool {
    let found = Command::new("haproxy")
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but haproxy is not installed: .ci/run installs the Debian package");
        }
        eprintln!("\n*** SKIPPED: HAProxy (install the Debian package haproxy) ***\n");
    }
    found
}

/// A loopback port free now (for an instance to be restarted on, or the balancer).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The configuration: round robin over `backends` (`127.0.0.1:port`), each checked with
/// `GET /health` every 200 ms (down after 2 failures, up after 1 success); a connection
/// refused is retried on another instance; request bodies are never replayed by the
/// balancer (the tablets retry, with the same batch id).
pub fn config(listen_port: u16, backends: &[String], stats: &std::path::Path) -> String {
    let stats = stats.display();
    let mut cfg = format!(
        "global
    maxconn 2000
    stats socket {stats} mode 600 level user
    log stdout format raw local0 info

defaults
    mode http
    log global
    log-format \"%HM %HP %ST %tsc %s\"
    option http-keep-alive
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-request 30s
    retries 3
    option redispatch 1

frontend census
    bind 127.0.0.1:{listen_port}
    option forwardfor
    default_backend instances

backend instances
    balance roundrobin
    option httpchk
    http-check send meth GET uri /health
    http-check expect status 200
    default-server inter 200ms fastinter 100ms downinter 200ms fall 2 rise 1
"
    );
    for (i, addr) in backends.iter().enumerate() {
        cfg.push_str(&format!("    server s{} {addr} check\n", i + 1));
    }
    cfg
}

/// Starts HAProxy on a free loopback port in front of `backends` and waits until it
/// answers `/health`.
pub fn start(backends: &[String]) -> Balancer {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let path = dir.path().join("haproxy.cfg");
    let stats = dir.path().join("stats.sock");
    std::fs::write(&path, config(port, backends, &stats)).unwrap();
    let check = Command::new("haproxy")
        .arg("-c")
        .arg("-f")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "haproxy refuses the configuration: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let mut child = Command::new("haproxy")
        .arg("-db")
        .arg("-f")
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            sink.lock().unwrap().push(line);
        }
    });
    let balancer = Balancer {
        log,
        child,
        url: format!("http://127.0.0.1:{port}"),
        stats,
        _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let up = std::net::TcpStream::connect(("127.0.0.1", port));
        if up.is_ok() || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    balancer
}

impl Balancer {
    /// What the balancer counted per instance (`show stat`): connection errors, response
    /// errors, connection retries, redispatches to another instance, 5xx answers, checks
    /// failed and times marked down.
    pub fn counters(&self) -> Vec<(String, BTreeMap<&'static str, u64>)> {
        use std::io::{Read, Write};
        let Ok(mut sock) = std::os::unix::net::UnixStream::connect(&self.stats) else {
            return Vec::new();
        };
        let _ = sock.write_all(b"show stat\n");
        let mut text = String::new();
        let _ = sock.read_to_string(&mut text);
        let mut lines = text.lines();
        let header: Vec<&str> = lines
            .next()
            .unwrap_or("")
            .trim_start_matches("# ")
            .split(',')
            .collect();
        let wanted = [
            "econ", "eresp", "wretr", "wredis", "hrsp_5xx", "chkfail", "chkdown",
        ];
        lines
            .filter_map(|line| {
                let cols: Vec<&str> = line.split(',').collect();
                let name = format!("{}/{}", cols.first()?, cols.get(1)?);
                let counts = wanted
                    .iter()
                    .filter_map(|w| {
                        let i = header.iter().position(|h| h == w)?;
                        Some((*w, cols.get(i)?.parse().unwrap_or(0)))
                    })
                    .collect();
                Some((name, counts))
            })
            .collect()
    }

    /// The requests the balancer did not answer with a success, by method, path, status
    /// and termination state (`SH`: the instance went away while answering; `SC`: it
    /// refused the connection; see HAProxy's "session state at disconnection"), with the
    /// number of requests in all.
    pub fn failed_requests(&self) -> (usize, BTreeMap<String, u32>) {
        let log = self.log.lock().unwrap();
        let mut failed = BTreeMap::new();
        for line in log.iter() {
            let f: Vec<&str> = line.split_whitespace().collect();
            let [method, path, status, term, ..] = f[..] else {
                continue;
            };
            // Not requests: instances marked up or down, and the start-up probe's empty
            // connection.
            let probe = method == "<BADREQ>" && term.starts_with("CR");
            if method == "Server" || probe || path == "/health" {
                continue;
            }
            if status.starts_with('2') || status.starts_with('3') {
                continue;
            }
            *failed
                .entry(format!("{method} {path} -> {status} ({term})"))
                .or_default() += 1;
        }
        (log.len(), failed)
    }

    /// Prints [`Balancer::counters`] and [`Balancer::failed_requests`].
    pub fn print_counters(&self) {
        println!(
            "  HAProxy counters (econ: connection errors, eresp: response errors, wretr: retries, wredis: redispatched, chkdown: marked down)"
        );
        for (name, counts) in self.counters() {
            let row: Vec<String> = counts.iter().map(|(k, v)| format!("{k}={v}")).collect();
            println!("    {name:<22} {}", row.join(" "));
        }
        let (all, failed) = self.failed_requests();
        println!(
            "  requests HAProxy logged: {all}; answered without success: {} (a connection HAProxy \
             closed because its instance died is not logged: the tablets count those)",
            failed.values().sum::<u32>()
        );
        for (what, n) in failed {
            println!("    {n:>5}  {what}");
        }
    }
}
