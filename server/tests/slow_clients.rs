//! The real `census-server serve`, started as stock Linux starts a service (soft limit of
//! 1,024 open files), keeps answering `/health` while 1,000 slow clients trickle request
//! heads and 50 clients push unauthenticated 32 MiB uploads, and its memory stays bounded.
//! Prints the server's peak RSS (VmRSS from /proc), the slowest `/health` and what the
//! attackers saw. Bounds are generous on purpose: this checks survival, not speed.
//! On SQLite and PostgreSQL. Linux only (reads /proc). Needs a hard open-files limit of at
//! least ~1,600 (the test raises its own soft limit; the server raises its own to hold its
//! connection cap).
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod binary;
mod raw_http;
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SLOW_CLIENTS: usize = 1000;
const UPLOADERS: usize = 50;
const UPLOAD_BYTES: usize = 32 * 1024 * 1024;
/// How long the attack lasts: longer than the default 10 s head timeout, so slow clients
/// are seen being cut off and coming back.
const WINDOW: Duration = Duration::from_secs(16);
/// Generous bounds (survival, not speed).
const HEALTH_DEADLINE: Duration = Duration::from_secs(5);
const RSS_BOUND_KIB: u64 = 512 * 1024;

/// The test's own open-files limit must hold all its clients.
fn raise_own_fd_limit() {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let want = (SLOW_CLIENTS + UPLOADERS + 512) as u64;
    let limit = getrlimit(Resource::Nofile);
    if limit.current.is_some_and(|c| c < want) {
        let raised = limit.maximum.map_or(want, |m| m.min(want));
        setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(raised),
                maximum: limit.maximum,
            },
        )
        .expect("raise this test's open-files limit (ulimit -n 2048)");
    }
}

#[derive(Default)]
struct Seen {
    slow_cut_off: AtomicU64,
    slow_refused_connect: AtomicU64,
    uploads_401: AtomicU64,
    uploads_429: AtomicU64,
    uploads_other: AtomicU64,
    /// Closed by the server without a reply read (it refused to read; a client blasting on
    /// may see the reset before it reads the reply).
    uploads_cut_off: AtomicU64,
    /// No reply and no close within `PATIENCE`.
    uploads_unanswered: AtomicU64,
    /// No connection.
    uploads_not_connected: AtomicU64,
    uploads_answered_early: AtomicU64,
    most_sent_before_answer: AtomicU64,
}

/// One slow client: sends a request head one byte a second; when the server cuts it off,
/// comes back, until `stop`.
async fn slow_client(addr: String, stop: Arc<AtomicBool>, seen: Arc<Seen>) {
    let head = b"POST /v1/batches HTTP/1.1\r\nHost: census\r\nX-Padding: ".repeat(4);
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut stream) = TcpStream::connect(&addr).await else {
            seen.slow_refused_connect.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        };
        let mut buf = [0u8; 256];
        let mut sent = 0;
        loop {
            tokio::select! {
                r = stream.read(&mut buf) => {
                    // Any reply, end or error: the server gave up on this head.
                    let _ = r;
                    seen.slow_cut_off.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                () = tokio::time::sleep(Duration::from_secs(1)) => {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let byte = &head[sent % head.len()..sent % head.len() + 1];
                    if stream.write_all(byte).await.is_err() {
                        seen.slow_cut_off.fetch_add(1, Ordering::Relaxed);
                        break;
                    }
                    sent += 1;
                }
            }
        }
    }
}

/// One uploader: a 32 MiB batch with an unknown token, pushed as fast as the server takes
/// it, while the reply is read; a few rounds.
async fn uploader(addr: String, stop: Arc<AtomicBool>, seen: Arc<Seen>) {
    for _ in 0..6 {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let Ok(stream) = TcpStream::connect(&addr).await else {
            seen.uploads_not_connected.fetch_add(1, Ordering::Relaxed);
            continue;
        };
        let (mut read, mut write) = stream.into_split();
        let sent = Arc::new(AtomicU64::new(0));
        let pushing = tokio::spawn({
            let sent = Arc::clone(&sent);
            async move {
                let head = format!(
                    "POST /v1/batches HTTP/1.1\r\nHost: census\r\nAuthorization: Bearer \
                     not-a-device\r\nContent-Type: application/octet-stream\r\n\
                     Content-Length: {UPLOAD_BYTES}\r\n\r\n"
                );
                if write.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![0x5au8; 64 * 1024];
                for _ in 0..UPLOAD_BYTES / chunk.len() {
                    if write.write_all(&chunk).await.is_err() {
                        return;
                    }
                    sent.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                }
            }
        });
        let mut reply = Vec::new();
        let got = tokio::time::timeout(raw_http::PATIENCE, async {
            let mut buf = [0u8; 4096];
            while !reply.windows(4).any(|w| w == b"\r\n\r\n") {
                match read.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => reply.extend_from_slice(&buf[..n]),
                }
            }
        })
        .await;
        let sent_then = sent.load(Ordering::Relaxed);
        pushing.abort();
        let status = raw_http::status_of(&reply);
        let counter = match (got.is_ok(), status) {
            (true, 401) => &seen.uploads_401,
            (true, 429) => &seen.uploads_429,
            (true, _) if reply.is_empty() => &seen.uploads_cut_off,
            (true, _) => &seen.uploads_other,
            (false, _) => &seen.uploads_unanswered,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        if !reply.is_empty() && (sent_then as usize) < UPLOAD_BYTES {
            seen.uploads_answered_early.fetch_add(1, Ordering::Relaxed);
        }
        seen.most_sent_before_answer
            .fetch_max(sent_then, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// One attack at a time: two at once would halve what each server gets of the machine.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn health_holds_under_attack(database: Option<&str>, name: &str) {
    let _turn = ONE_AT_A_TIME.lock().await;
    raise_own_fd_limit();
    let dir = tempfile::tempdir().unwrap();
    // As stock Linux starts a service: a soft limit of 1,024 open files.
    let server = binary::start("ulimit -Sn 1024", &dir.path().join("data"), database, &[]);
    let addr = server.addr.clone();
    eprintln!("[{name}] server open files: {}", server.open_files_limit());
    assert_eq!(
        raw_http::health(&addr, Duration::from_secs(30)).await,
        Some(200),
        "the server answers before the attack"
    );
    let idle_rss = server.rss_kib();

    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Seen::default());
    let mut attackers = Vec::new();
    for _ in 0..SLOW_CLIENTS {
        attackers.push(tokio::spawn(slow_client(
            addr.clone(),
            Arc::clone(&stop),
            Arc::clone(&seen),
        )));
    }
    for _ in 0..UPLOADERS {
        attackers.push(tokio::spawn(uploader(
            addr.clone(),
            Arc::clone(&stop),
            Arc::clone(&seen),
        )));
    }

    let started = Instant::now();
    let (mut polls, mut failures, mut slowest, mut peak_rss) = (0, Vec::new(), Duration::ZERO, 0);
    while started.elapsed() < WINDOW {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let asked = Instant::now();
        let answer = raw_http::health(&addr, HEALTH_DEADLINE).await;
        let took = asked.elapsed();
        polls += 1;
        slowest = slowest.max(took);
        if answer != Some(200) {
            failures.push(format!(
                "at {:.1} s: {answer:?} after {took:?}",
                started.elapsed().as_secs_f64()
            ));
        }
        peak_rss = peak_rss.max(server.rss_kib());
    }
    stop.store(true, Ordering::Relaxed);
    let give_up = Instant::now() + Duration::from_secs(40);
    for mut a in attackers {
        let left = give_up.saturating_duration_since(Instant::now());
        if tokio::time::timeout(left, &mut a).await.is_err() {
            a.abort();
        }
    }
    peak_rss = peak_rss.max(server.rss_kib());
    let after = raw_http::health(&addr, Duration::from_secs(30)).await;

    let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
    eprintln!(
        "[{name}] /health: {polls} polls, {} failed, slowest {slowest:?}\n\
         [{name}] server VmRSS: idle {} MiB, peak {} MiB (bound {} MiB)\n\
         [{name}] slow clients: {SLOW_CLIENTS}, cut off by the server {} times, \
         connections refused {}\n\
         [{name}] uploads: 401 {}, 429 {}, other {}, cut off without a reply {}, \
         unanswered {}, not connected {}, answered before the whole body {}, most bytes sent \
         before the answer {}",
        failures.len(),
        idle_rss / 1024,
        peak_rss / 1024,
        RSS_BOUND_KIB / 1024,
        n(&seen.slow_cut_off),
        n(&seen.slow_refused_connect),
        n(&seen.uploads_401),
        n(&seen.uploads_429),
        n(&seen.uploads_other),
        n(&seen.uploads_cut_off),
        n(&seen.uploads_unanswered),
        n(&seen.uploads_not_connected),
        n(&seen.uploads_answered_early),
        n(&seen.most_sent_before_answer),
    );
    assert!(
        failures.is_empty(),
        "/health failed during the attack: {failures:?}"
    );
    assert_eq!(after, Some(200), "/health after the attack");
    assert!(
        peak_rss < RSS_BOUND_KIB,
        "server RSS {peak_rss} KiB over the bound"
    );
    assert!(
        n(&seen.slow_cut_off) > 0,
        "slow request heads are cut off by the server"
    );
    let answered = n(&seen.uploads_401) + n(&seen.uploads_429);
    assert!(n(&seen.uploads_401) > 0, "unknown tokens are answered 401");
    assert_eq!(
        n(&seen.uploads_other) + n(&seen.uploads_unanswered) + n(&seen.uploads_not_connected),
        0,
        "every upload refused (401, 429 or closed unread), none left hanging"
    );
    assert_eq!(
        n(&seen.uploads_answered_early),
        answered,
        "each refused before its body was sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_server_survives_slow_clients_and_large_uploads() {
    health_holds_under_attack(None, "sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_server_survives_slow_clients_and_large_uploads() {
    let Some(url) = support::postgres_url("slow clients") else {
        return;
    };
    let url = binary::postgres_url_in_fresh_schema(&url, "slow_clients").await;
    health_holds_under_attack(Some(&url), "postgres").await;
}
