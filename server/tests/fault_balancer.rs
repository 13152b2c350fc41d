//! The office as deployed at scale: three `census-server serve` processes on one PostgreSQL
//! database behind a real HAProxy. Twenty-four simulated tablets, each keeping an outbox and
//! retrying a batch (same batch id, same bytes) until the office acknowledges it, sync
//! through the balancer while one instance is killed (SIGKILL) and restarted mid-run, then
//! another. Every case ends stored exactly once, every outbox drains with no manual step, and
//! a reviewer signed in before the faults stays signed in. What was retried is counted and
//! printed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod binary;
mod haproxy;
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use census_core::wire::{
    BatchReply, CaseOutcome, CaseRecord, DeviceKey, EnrolReply, EnrolRequest, b64_encode,
    decode_key32,
};
use census_server::secrets;
use census_server::store::{self, NewCode};
use support::page::{FORM, controller, cookie_pair, csrf_of, form, no_redirect, set_cookie};
use support::{Device, census_case, district, envelope, payload};

const TABLETS: usize = 24;
const BATCHES_PER_TABLET: u32 = 8;
const CASES_PER_BATCH: u32 = 2;
const REVIEWER: &str = "controller-token-of-the-fault-test";

/// What the tablets had to retry, by what they saw.
#[derive(Default)]
struct Retries(Mutex<BTreeMap<String, u32>>);

impl Retries {
    fn note(&self, what: String) {
        *self.0.lock().unwrap().entry(what).or_default() += 1;
    }
    fn total(&self) -> u32 {
        self.0.lock().unwrap().values().sum()
    }
}

async fn enrol(
    http: &reqwest::Client,
    url: &str,
    code: String,
    id: &str,
    enumerator: &str,
) -> Device {
    let key = DeviceKey::generate().unwrap();
    let req = EnrolRequest {
        code,
        device_id: id.into(),
        device_public_key: b64_encode(&key.public_key()),
        enumerator_id: enumerator.into(),
    };
    let resp = http
        .post(format!("{url}/v1/enrol"))
        .json(&req)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "enrolment of {id}");
    let reply: EnrolReply = resp.json().await.unwrap();
    Device {
        id: id.into(),
        key,
        token: reply.device_token,
        office_public: decode_key32(&reply.office_public_key).unwrap(),
        enumerator: enumerator.into(),
    }
}

/// A tablet's sync loop: sends its outbox a batch at a time, each batch (one id, one body)
/// again and again until the office acknowledges it, then drops the cases acknowledged.
async fn tablet(
    url: String,
    device: Device,
    mut outbox: Vec<CaseRecord>,
    acked: Arc<AtomicUsize>,
    retries: Arc<Retries>,
    faults_over: Arc<AtomicBool>,
) -> Vec<CaseRecord> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    while !outbox.is_empty() {
        let take = outbox.len().min(CASES_PER_BATCH as usize);
        // The last batch waits for the faults to be over: they always strike mid-run.
        while take == outbox.len() && !faults_over.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let body = envelope(&device, &payload(&device, outbox[..take].to_vec()));
        let mut attempts = 0;
        let reply = loop {
            attempts += 1;
            assert!(attempts < 300, "{}: a batch never acknowledged", device.id);
            let sent = http
                .post(format!("{url}/v1/batches"))
                .bearer_auth(&device.token)
                .header("content-type", "application/octet-stream")
                .body(body.clone())
                .send()
                .await;
            match sent {
                Ok(r) if r.status() == 200 => match r.json::<BatchReply>().await {
                    Ok(reply) => break reply,
                    Err(_) => retries.note("reply cut off".into()),
                },
                Ok(r) => retries.note(format!("HTTP {}", r.status().as_u16())),
                Err(e) if e.is_timeout() => retries.note("timeout".into()),
                Err(e) => {
                    let mut cause: &dyn std::error::Error = &e;
                    while let Some(next) = cause.source() {
                        cause = next;
                    }
                    retries.note(format!("transport: {cause}"));
                }
            }
            tokio::time::sleep(Duration::from_millis(50 + 25 * attempts.min(8))).await;
        };
        for result in reply.results {
            match result.outcome {
                CaseOutcome::Stored | CaseOutcome::AlreadyHad => {
                    outbox.retain(|c| c.case_id != result.case_id);
                    acked.fetch_add(1, Ordering::SeqCst);
                }
                other => panic!("{}: case {} refused: {other:?}", device.id, result.case_id),
            }
        }
        tokio::time::sleep(Duration::from_millis(120)).await;
    }
    outbox
}

/// Signs a reviewer in on the page through the balancer (the form and the sign-in may
/// reach different instances): the session cookie.
async fn sign_in(url: &str) -> String {
    let http = no_redirect();
    let r = http.get(format!("{url}/review")).send().await.unwrap();
    let login = cookie_pair(&set_cookie(&r, "census_login").unwrap());
    let csrf = csrf_of(&r.text().await.unwrap());
    let r = http
        .post(format!("{url}/review/login"))
        .header("cookie", login)
        .header("content-type", FORM)
        .body(form(&[("token", REVIEWER), ("csrf", &csrf)]))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "sign-in: {}", r.status());
    cookie_pair(&set_cookie(&r, "census_session").unwrap())
}

/// Whether the session works on every instance: as many requests as instances, round robin.
async fn still_signed_in(url: &str, session: &str) -> bool {
    let http = no_redirect();
    for _ in 0..3 {
        let r = http
            .get(format!("{url}/review"))
            .header("cookie", session)
            .send()
            .await
            .unwrap();
        let html = r.text().await.unwrap();
        if !html.contains("Sign out") {
            return false;
        }
    }
    true
}

async fn wait_for(acked: &AtomicUsize, at_least: usize) {
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    while acked.load(Ordering::SeqCst) < at_least {
        assert!(
            std::time::Instant::now() < deadline,
            "the tablets stopped making progress"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tablets_sync_through_haproxy_while_instances_are_killed() {
    let Some(url) = support::postgres_url("the fault test behind HAProxy") else {
        return;
    };
    if !haproxy::available() {
        return;
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let database = binary::postgres_url_in_fresh_schema(&url, "lb").await;
    let admin = store::open(&database).await.unwrap();
    admin.import_districts(&[district("D-1")]).await.unwrap();
    controller(admin.as_ref(), "Amina", REVIEWER).await;
    support::set_recovery_key(admin.as_ref()).await;

    // Three instances on fixed ports (each restarts in place), one data directory (the
    // office key they share).
    let data = tempfile::tempdir().unwrap();
    let ports: Vec<String> = (0..3)
        .map(|_| format!("127.0.0.1:{}", haproxy::free_port()))
        .collect();
    let start = |addr: &str| {
        let extra = ["--client-ip-header", "x-forwarded-for"];
        binary::start_on(addr, "true", data.path(), Some(&database), &extra)
    };
    let mut instances: Vec<binary::Server> = ports.iter().map(|p| start(p)).collect();
    let lb = haproxy::start(&ports);
    let http = reqwest::Client::new();
    for _ in 0..200 {
        let up = http.get(format!("{}/health", lb.url)).send().await;
        if up.is_ok_and(|r| r.status() == 200) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let session = sign_in(&lb.url).await;
    assert!(still_signed_in(&lb.url, &session).await);

    let mut tablets = Vec::new();
    let mut sent = BTreeSet::new();
    let mut events = 0u64;
    for t in 0..TABLETS {
        let code = secrets::generate_code().unwrap();
        admin
            .add_enrolment_code(&NewCode {
                code_hash: secrets::code_hash(&code),
                enumerator_id: format!("E-{t}"),
                districts: vec!["D-1".into()],
            })
            .await
            .unwrap();
        let device = enrol(
            &http,
            &lb.url,
            code,
            &format!("tab-{t:02}"),
            &format!("E-{t}"),
        )
        .await;
        let per_tablet = BATCHES_PER_TABLET * CASES_PER_BATCH;
        let outbox: Vec<CaseRecord> = (0..per_tablet)
            .map(|i| {
                census_case(
                    "D-1",
                    t as u32 * per_tablet + i + 1,
                    1 + (i as usize % 4),
                    1,
                )
            })
            .collect();
        for c in &outbox {
            sent.insert(c.case_id);
            events += c.events.len() as u64;
        }
        tablets.push((device, outbox));
    }
    let total = sent.len();

    let acked = Arc::new(AtomicUsize::new(0));
    let retries = Arc::new(Retries::default());
    let faults_over = Arc::new(AtomicBool::new(false));
    let runs: Vec<_> = tablets
        .into_iter()
        .map(|(device, outbox)| {
            tokio::spawn(tablet(
                lb.url.clone(),
                device,
                outbox,
                Arc::clone(&acked),
                Arc::clone(&retries),
                Arc::clone(&faults_over),
            ))
        })
        .collect();

    // The faults, mid-run: instance 1 killed and restarted, then instance 2.
    let mut faults = Vec::new();
    for (victim, kill_at, restart_at) in [
        (0, total / 5, total * 2 / 5),
        (1, total / 2, total * 7 / 10),
    ] {
        wait_for(&acked, kill_at).await;
        instances[victim].child.kill().unwrap(); // SIGKILL
        instances[victim].child.wait().unwrap();
        let killed_at = acked.load(Ordering::SeqCst);
        assert!(
            still_signed_in(&lb.url, &session).await,
            "the reviewer stays signed in with an instance down"
        );
        wait_for(&acked, restart_at).await;
        let restarted = tokio::task::block_in_place(|| start(&ports[victim]));
        instances[victim] = restarted;
        let restarted_at = acked.load(Ordering::SeqCst);
        faults.push((victim + 1, killed_at, restarted_at));
    }

    faults_over.store(true, Ordering::SeqCst);
    let mut left = 0;
    for run in runs {
        left += run.await.unwrap().len();
    }
    assert_eq!(left, 0, "every outbox drains");

    let counts = admin.counts().await.unwrap();
    let mut stored = BTreeSet::new();
    let mut after = None;
    loop {
        let page = admin.cases_page(after, 500).await.unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.case_id);
        for c in &page {
            assert!(stored.insert(c.case_id), "case {} listed twice", c.case_id);
        }
    }
    assert_eq!(stored, sent, "every case sent is stored, and nothing else");
    assert_eq!(counts.cases, total as u64);
    assert_eq!(counts.events, events, "every event stored exactly once");
    assert_eq!(
        counts.batches,
        u64::from(BATCHES_PER_TABLET) * TABLETS as u64
    );
    assert!(
        still_signed_in(&lb.url, &session).await,
        "the reviewer is still signed in after both restarts"
    );
    for (instance, killed_at, _) in &faults {
        assert!(*killed_at < total, "instance {instance} was killed mid-run");
    }

    println!(
        "\nfault test: {TABLETS} tablets, {total} cases, {} batches through HAProxy, 3 instances",
        counts.batches
    );
    for (instance, killed_at, restarted_at) in &faults {
        println!(
            "  instance {instance}: SIGKILL after {killed_at}/{total} cases acknowledged, restarted after {restarted_at}"
        );
    }
    println!("  retried by the tablets: {} requests", retries.total());
    for (what, n) in retries.0.lock().unwrap().iter() {
        println!("    {n:>5}  {what}");
    }
    lb.print_counters();
}
