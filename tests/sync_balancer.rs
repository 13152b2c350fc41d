//! The real tablet (its encrypted store and its `census-sync` thread) against the office as
//! deployed at scale: three office instances, separate processes on one PostgreSQL
//! database, behind a real HAProxy. Twenty-four tablets keep interviewing and syncing while
//! one instance is killed (SIGKILL) and restarted, then another: every case ends stored
//! exactly once, every outbox drains with no manual step, and a reviewer signed in on the
//! review page before the faults is still signed in after them. What the tablets retried
//! and what the balancer counted are printed.
//!
//! The instances are this test executable run again as `lb_instance_process` (the
//! `census-server` library's `AppState::shared` and `serve`, as `census-server serve` runs
//! them), so that each can be killed as a process. Needs `CENSUS_TEST_DATABASE_URL` and the
//! `haproxy` package (skipped without them; under `CI=true` either missing fails).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../server/tests/haproxy/mod.rs"]
mod haproxy;
mod sync_support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use census::sync::{SyncActivity, SyncClient, SyncHandle};
use census_server::store::postgres::PgStore;
use census_server::store::{NewCode, NewReviewer, Role, Storage};
use sync_support::server::district;
use sync_support::{add_case, config, copy_key, open_new, queued};

const TABLETS: usize = 24;
const ROUNDS: u32 = 8;
const CASES_PER_ROUND: u32 = 2;
const REVIEWER: &str = "controller-token-of-the-balancer-test";

/// Not a test of its own: the office instance process the balancer test starts (does
/// nothing unless started so).
#[test]
fn lb_instance_process() {
    let (Ok(listen), Ok(database), Ok(key)) = (
        std::env::var("LB_INSTANCE_LISTEN"),
        std::env::var("LB_INSTANCE_DATABASE"),
        std::env::var("LB_INSTANCE_OFFICE_KEY"),
    ) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let store = census_server::store::open(&database).await.unwrap();
        let (office, _) = census_server::keyfile::load_or_create(Path::new(&key)).unwrap();
        let mut config = census_server::http::ServerConfig {
            rate_burst: 10_000,
            rate_per_second: 10_000.0,
            ..Default::default()
        };
        // Behind the balancer: clients are counted by the address it forwards.
        config.clients.client_ip_header = Some("x-forwarded-for".into());
        let state = census_server::http::AppState::shared(store, office, config)
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind(&listen).await.unwrap();
        println!("instance listening on {listen}");
        census_server::http::serve(listener, state, std::future::pending())
            .await
            .unwrap();
    });
}

/// An office instance process; killed (SIGKILL) when dropped.
struct Instance(Child);

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_instance(listen: &str, database: &str, key: &Path) -> Instance {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "lb_instance_process",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("LB_INSTANCE_LISTEN", listen)
        .env("LB_INSTANCE_DATABASE", database)
        .env("LB_INSTANCE_OFFICE_KEY", key)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if line.contains("instance listening") {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(60))
        .expect("the instance says it listens");
    Instance(child)
}

/// One HTTP/1.1 exchange on a new connection: status, `Set-Cookie` values, body.
fn http(url: &str, request: &str) -> (u16, Vec<String>, String) {
    let addr = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let cookies = head
        .lines()
        .filter_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("set-cookie")
                .then(|| value.trim().split(';').next().unwrap_or("").to_owned())
        })
        .collect();
    (status, cookies, body.to_owned())
}

fn get_review(url: &str, cookie: Option<&str>) -> (u16, Vec<String>, String) {
    let cookie = cookie.map_or(String::new(), |c| format!("Cookie: {c}\r\n"));
    http(
        url,
        &format!("GET /review HTTP/1.1\r\nHost: census\r\n{cookie}Connection: close\r\n\r\n"),
    )
}

/// Signs the reviewer in on the page through the balancer (the form and the sign-in reach
/// different instances): the session cookie (`name=value`).
fn sign_in(url: &str) -> String {
    let (_, cookies, html) = get_review(url, None);
    let login = cookies
        .iter()
        .find(|c| c.starts_with("census_login="))
        .unwrap()
        .clone();
    let start = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = &html[start..start + html[start..].find('"').unwrap()];
    let body = format!("token={REVIEWER}&csrf={csrf}");
    let (status, cookies, _) = http(
        url,
        &format!(
            "POST /review/login HTTP/1.1\r\nHost: census\r\nCookie: {login}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!((300..400).contains(&status), "sign-in answered {status}");
    cookies
        .into_iter()
        .find(|c| c.starts_with("census_session="))
        .unwrap()
}

/// Whether the session works on every instance (as many requests as instances).
fn signed_in(url: &str, session: &str) -> bool {
    (0..3).all(|_| get_review(url, Some(session)).2.contains("Sign out"))
}

fn postgres_url() -> Option<String> {
    match std::env::var("CENSUS_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but CENSUS_TEST_DATABASE_URL is unset: run .ci/start-postgres")
        }
        _ => {
            eprintln!("\n*** SKIPPED: the balancer test (set CENSUS_TEST_DATABASE_URL) ***\n");
            None
        }
    }
}

#[test]
fn tablets_sync_through_haproxy_while_office_instances_are_killed() {
    let Some(url) = postgres_url() else { return };
    if !haproxy::available() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let schema = format!("lb_{}", uuid::Uuid::new_v4().simple());
    let admin: Arc<dyn Storage> = Arc::new(
        runtime
            .block_on(PgStore::connect_in_schema(&url, &schema))
            .unwrap(),
    );
    let sep = if url.contains('?') { '&' } else { '?' };
    let database = format!("{url}{sep}options=-c%20search_path%3D{schema}");
    let districts: Vec<String> = (0..TABLETS).map(|t| format!("DR-{t:02}")).collect();
    let frame: Vec<_> = districts.iter().map(|d| district(d)).collect();
    runtime.block_on(admin.import_districts(&frame)).unwrap();
    // The office's recovery key: a tablet cannot enrol without one.
    let recovery = census_core::wire::OfficeSecret::generate()
        .unwrap()
        .public_key();
    runtime
        .block_on(admin.set_recovery_key(&census_server::store::RecoveryKey::new(recovery)))
        .unwrap();
    runtime
        .block_on(admin.add_reviewer(&NewReviewer {
            token_hash: census_server::secrets::token_hash(REVIEWER),
            name: "Amina".into(),
            role: Role::Office,
            scope_level: census_core::coverage::Level::National,
            scope_id: "national".into(),
        }))
        .unwrap();

    // The office key every instance shares, then three instances and the balancer.
    let key = dir.path().join("office.key");
    census_server::keyfile::load_or_create(&key).unwrap();
    let ports: Vec<String> = (0..3)
        .map(|_| format!("127.0.0.1:{}", haproxy::free_port()))
        .collect();
    let mut instances: Vec<Instance> = ports
        .iter()
        .map(|p| start_instance(p, &database, &key))
        .collect();
    let lb = haproxy::start(&ports);
    let deadline = Instant::now() + Duration::from_secs(30);
    while http(
        &lb.url,
        "GET /health HTTP/1.1\r\nHost: c\r\nConnection: close\r\n\r\n",
    )
    .0 != 200
    {
        assert!(Instant::now() < deadline, "the balancer never answered");
        std::thread::sleep(Duration::from_millis(50));
    }
    let session = sign_in(&lb.url);
    assert!(signed_in(&lb.url, &session));

    // The tablets: enrolled through the balancer, each with its own sync thread.
    let mut tablets = Vec::new();
    for (t, district_id) in districts.iter().enumerate() {
        let tablet_dir = dir.path().join(format!("tablet-{t:02}"));
        let (db_key, mut store) = open_new(&tablet_dir);
        let enumerator = format!("E-{t:02}");
        let code = census_server::secrets::generate_code().unwrap();
        runtime
            .block_on(admin.add_enrolment_code(&NewCode {
                code_hash: census_server::secrets::code_hash(&code),
                enumerator_id: enumerator.clone(),
                districts: vec![district_id.clone()],
            }))
            .unwrap();
        let client = SyncClient::new(config(&lb.url)).unwrap();
        client.enrol(&mut store, &code, &enumerator).unwrap();
        let handle =
            SyncHandle::start(config(&lb.url), tablet_dir, copy_key(&db_key), None).unwrap();
        tablets.push((store, handle, district_id.clone()));
    }

    // Interviews go on; the faults happen in the middle of them.
    let mut retries: BTreeMap<String, u32> = BTreeMap::new();
    let mut retrying = [false; TABLETS];
    let mut watch = |tablets: &mut Vec<(census::store::Store, SyncHandle, String)>,
                     retries: &mut BTreeMap<String, u32>| {
        for (i, (_, handle, _)) in tablets.iter_mut().enumerate() {
            // A problem stays in the status until an attempt succeeds: each one seen is a
            // sync the tablet had to retry on its own.
            let status = handle.poll().clone();
            let now = status.problem.is_some()
                || matches!(status.activity, SyncActivity::WaitingToRetry { .. });
            if now && !retrying[i] {
                let why = status
                    .problem
                    .map_or("waiting to retry".into(), |p| format!("{p:?}"));
                *retries.entry(why).or_default() += 1;
            }
            retrying[i] = now;
        }
    };
    let mut faults = Vec::new();
    for round in 0..ROUNDS {
        for (store, _, district_id) in tablets.iter_mut() {
            for k in 0..CASES_PER_ROUND {
                add_case(store, district_id, round * CASES_PER_ROUND + k + 1);
            }
        }
        // The faults strike while the tablets are sending this round's cases.
        let pause = Instant::now();
        let mut struck = false;
        while pause.elapsed() < Duration::from_millis(600) {
            watch(&mut tablets, &mut retries);
            let sending = tablets
                .iter()
                .filter(|(_, h, _)| matches!(h.status().activity, SyncActivity::Sending { .. }))
                .count();
            if !struck && (sending > 0 || pause.elapsed() >= Duration::from_millis(500)) {
                struck = true;
                match round {
                    1 | 4 => {
                        let victim = usize::from(round == 4);
                        instances[victim].0.kill().unwrap(); // SIGKILL
                        instances[victim].0.wait().unwrap();
                        faults.push(format!(
                            "instance {} killed in round {} ({sending} tablets sending)",
                            victim + 1,
                            round + 1
                        ));
                        assert!(
                            signed_in(&lb.url, &session),
                            "the reviewer stays signed in with an instance down"
                        );
                    }
                    2 | 5 => {
                        let victim = usize::from(round == 5);
                        instances[victim] = start_instance(&ports[victim], &database, &key);
                        faults.push(format!(
                            "instance {} restarted in round {}",
                            victim + 1,
                            round + 1
                        ));
                    }
                    _ => {}
                }
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    // Every outbox drains on its own.
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        watch(&mut tablets, &mut retries);
        let drained = tablets
            .iter()
            .all(|(store, handle, _)| handle.status().pending == 0 && queued(store).is_empty());
        if drained {
            break;
        }
        assert!(Instant::now() < deadline, "an outbox never drained");
        std::thread::sleep(Duration::from_millis(20));
    }
    for (_, handle, _) in &tablets {
        assert_eq!(handle.status().rejected, 0, "no case refused");
    }

    let total = TABLETS as u64 * u64::from(ROUNDS * CASES_PER_ROUND);
    let counts = runtime.block_on(admin.counts()).unwrap();
    assert_eq!(counts.cases, total, "every case stored");
    let mut stored = BTreeSet::new();
    let mut after = None;
    loop {
        let page = runtime.block_on(admin.cases_page(after, 500)).unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.case_id);
        for case in &page {
            assert!(stored.insert(case.case_id), "case {} twice", case.case_id);
        }
    }
    assert_eq!(stored.len() as u64, total, "each exactly once");
    assert!(
        signed_in(&lb.url, &session),
        "the reviewer is still signed in after both restarts"
    );

    println!(
        "\nbalancer test: {TABLETS} real tablets, {total} cases, {} batches, 3 instances behind HAProxy",
        counts.batches
    );
    for fault in &faults {
        println!("  {fault}");
    }
    println!(
        "  syncs the tablets retried on their own (problems seen in their status): {}",
        retries.values().sum::<u32>()
    );
    for (why, n) in &retries {
        println!("    {n:>5}  {why}");
    }
    lb.print_counters();
    for (_, handle, _) in tablets {
        handle.shutdown();
    }
}
