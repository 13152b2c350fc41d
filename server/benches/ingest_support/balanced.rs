//! Ingest through a real HAProxy in front of real `census-server serve` processes on one
//! PostgreSQL database, against the same binary reached directly: what the balancer costs,
//! and what a second instance gives on this machine.

use std::sync::Arc;
use std::time::Duration;

use census_core::wire::{DeviceKey, EnrolReply, EnrolRequest, b64_encode, decode_key32};
use census_server::secrets;
use census_server::store::{NewCode, Storage};

use crate::replay::Replay;
use crate::support::{Device, district, envelope, payload};
use crate::{binary, haproxy, sizes};

/// How the tablets reach the office in one run.
#[derive(Clone, Copy)]
enum Route {
    /// One instance, its own port.
    Direct,
    /// `instances` instances behind HAProxy (round robin, `/health` checks).
    Balanced { instances: usize },
}

impl Route {
    fn name(self) -> String {
        match self {
            Route::Direct => "1 instance, direct".into(),
            Route::Balanced { instances } => format!("{instances} instance(s) behind HAProxy"),
        }
    }
}

/// Households/s over HTTP for each route, 50 devices sending `total` app households in
/// batches of 100, each run into its own fresh schema (dropped once measured). Skipped, with
/// a line saying why, without PostgreSQL or HAProxy.
pub async fn run(total: usize, replay: &Replay) {
    let Ok(url) = std::env::var("CENSUS_TEST_DATABASE_URL") else {
        println!("| balancer | skipped: CENSUS_TEST_DATABASE_URL unset |");
        return;
    };
    if !haproxy::available() {
        println!("| balancer | skipped: haproxy not installed |");
        return;
    }
    let mut first = None;
    for route in [
        Route::Direct,
        Route::Balanced { instances: 1 },
        Route::Balanced { instances: 2 },
    ] {
        let (rate, sent) = once(&url, route, total, replay).await;
        let base = *first.get_or_insert(rate);
        println!(
            "| PostgreSQL, {}, 50 devices, {sent} app households | {rate:.0} households/s ({:.2} of direct) |",
            route.name(),
            rate / base
        );
    }
}

/// One measured run of `route`: households/s and how many were sent.
async fn once(url: &str, route: Route, total: usize, replay: &Replay) -> (f64, usize) {
    let (database, schema) = binary::postgres_fresh_schema(url, "lbbench").await;
    let admin: Arc<dyn Storage> = census_server::store::open(&database).await.unwrap();
    crate::support::set_recovery_key(admin.as_ref()).await;

    let data = tempfile::tempdir().unwrap();
    let questionnaire = concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/rgph2024.json");
    let extra = [
        "--questionnaire-file",
        questionnaire,
        "--client-ip-header",
        "x-forwarded-for",
        "--rate-burst",
        "1000000",
        "--rate-per-second",
        "1000000",
        "--enrol-burst-per-ip",
        "100000",
        "--enrol-per-minute-per-ip",
        "100000",
    ];
    let instances = match route {
        Route::Direct => 1,
        Route::Balanced { instances } => instances,
    };
    let servers: Vec<binary::Server> = (0..instances)
        .map(|_| {
            let addr = format!("127.0.0.1:{}", haproxy::free_port());
            binary::start_on(&addr, "true", data.path(), Some(&database), &extra)
        })
        .collect();
    let addrs: Vec<String> = servers.iter().map(|s| s.addr.clone()).collect();
    let balancer = match route {
        Route::Direct => None,
        Route::Balanced { .. } => Some(haproxy::start(&addrs)),
    };
    let base = match &balancer {
        Some(lb) => lb.url.clone(),
        None => format!("http://{}", addrs[0]),
    };
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    wait_healthy(&http, &base).await;

    let plan = crate::Plan {
        prefix: "LB",
        devices: 50,
        batches: (total / 5_000).max(1),
        size: 100,
    };
    let frame: Vec<_> = (0..plan.devices)
        .flat_map(|i| plan.districts(i))
        .map(|d| district(&d))
        .collect();
    admin.import_districts(&frame).await.unwrap();
    let mut work = Vec::new();
    for i in 0..plan.devices {
        let device = enrol(&http, &base, admin.as_ref(), i, plan.districts(i)).await;
        let envelopes: Vec<Vec<u8>> = plan
            .batches_of(crate::Households::App(replay), i)
            .into_iter()
            .map(|cases| envelope(&device, &payload(&device, cases)))
            .collect();
        work.push((device.token.clone(), envelopes));
    }

    let sent = plan.devices * plan.batches * plan.size;
    let rate = crate::send_all(&http, &base, work, sent).await;
    drop(balancer);
    drop(servers);
    drop(admin);
    sizes::drop_postgres_schema(url, &schema).await;
    (rate, sent)
}

/// Waits until `base/health` answers 200 (the balancer marks instances up after a check).
async fn wait_healthy(http: &reqwest::Client, base: &str) {
    for _ in 0..400 {
        let up = http.get(format!("{base}/health")).send().await;
        if up.is_ok_and(|r| r.status() == 200) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{base}/health never answered 200");
}

/// Enrols tablet `i` for district `d` over HTTP with a code written by the office.
async fn enrol(
    http: &reqwest::Client,
    base: &str,
    admin: &dyn Storage,
    i: usize,
    districts: Vec<String>,
) -> Device {
    let code = secrets::generate_code().unwrap();
    let enumerator = format!("E-{i}");
    admin
        .add_enrolment_code(&NewCode {
            code_hash: secrets::code_hash(&code),
            enumerator_id: enumerator.clone(),
            districts,
        })
        .await
        .unwrap();
    let key = DeviceKey::generate().unwrap();
    let id = format!("lb-tab-{i}");
    let req = EnrolRequest {
        code,
        device_id: id.clone(),
        device_public_key: b64_encode(&key.public_key()),
        enumerator_id: enumerator.clone(),
    };
    let reply: EnrolReply = http
        .post(format!("{base}/v1/enrol"))
        .json(&req)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    Device {
        id,
        key,
        token: reply.device_token,
        office_public: decode_key32(&reply.office_public_key).unwrap(),
        enumerator,
    }
}
