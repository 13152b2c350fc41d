//! One storage contract, run against SQLite and PostgreSQL. PostgreSQL comes from
//! `CENSUS_TEST_DATABASE_URL` (see `.ci/start-postgres`); when it is unset the PostgreSQL
//! run is skipped with a loud message, unless `CI=true`, where it fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;

use census_core::wire::{CaseOutcome, Decision};
use census_server::secrets;
use census_server::store::postgres::PgStore;
use census_server::store::{DeviceRecord, NewCode, NewDevice, Storage, StoreError};
use support::*;
use uuid::Uuid;

fn device_record(id: &str, districts: &[&str]) -> DeviceRecord {
    DeviceRecord {
        device_id: id.into(),
        enumerator_id: "E-1".into(),
        public_key: vec![1; 32],
        districts: districts.iter().map(|d| d.to_string()).collect(),
    }
}

fn fake_device(id: &str) -> Device {
    Device {
        id: id.into(),
        key: census_core::wire::DeviceKey::generate().unwrap(),
        token: String::new(),
        office_public: [9; 32],
        enumerator: "E-1".into(),
    }
}

async fn enrolment(store: &dyn Storage) {
    let code = "ABCD-EFGH-JKMN-PQRS";
    store
        .add_enrolment_code(&NewCode {
            code_hash: secrets::code_hash(code),
            enumerator_id: "E-1".into(),
            districts: vec!["DR-1".into()],
        })
        .await
        .unwrap();
    let attempt = |code: &str, enumerator: &str, token: &str| NewDevice {
        code_hash: secrets::code_hash(code),
        device_id: "tab-1".into(),
        enumerator_id: enumerator.into(),
        public_key: [7; 32],
        token_hash: secrets::token_hash(token),
    };
    assert_eq!(
        store.enrol(&attempt("NOPE", "E-1", "t1")).await,
        Err(StoreError::CodeUnknown)
    );
    assert_eq!(
        store.enrol(&attempt(code, "E-2", "t1")).await,
        Err(StoreError::EnumeratorMismatch)
    );
    let dev = store.enrol(&attempt(code, "E-1", "t1")).await.unwrap();
    assert_eq!(dev.districts, vec!["DR-1".to_string()]);
    assert_eq!(
        store.enrol(&attempt(code, "E-1", "t2")).await,
        Err(StoreError::CodeUsed)
    );
    let found = store
        .device_by_token(&secrets::token_hash("t1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.public_key, vec![7; 32]);
    assert!(
        store
            .device_by_token(&secrets::token_hash("t2"))
            .await
            .unwrap()
            .is_none()
    );
    // Re-enrolment with a new code replaces the token.
    let code2 = "ZZZZ-YYYY-XXXX-WWWW";
    store
        .add_enrolment_code(&NewCode {
            code_hash: secrets::code_hash(code2),
            enumerator_id: "E-1".into(),
            districts: vec!["DR-1".into(), "DR-2".into()],
        })
        .await
        .unwrap();
    store.enrol(&attempt(code2, "E-1", "t3")).await.unwrap();
    assert!(
        store
            .device_by_token(&secrets::token_hash("t1"))
            .await
            .unwrap()
            .is_none()
    );
    let again = store
        .device_by_token(&secrets::token_hash("t3"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.districts.len(), 2);
}

async fn districts(store: &dyn Storage) {
    let mut d1 = district("DR-1");
    store
        .import_districts(&[d1.clone(), district("DR-2")])
        .await
        .unwrap();
    let start = d1.sampling.random_start;
    d1.sampling.random_start = (start + 1) % 1000;
    d1.expected_households = 999;
    store.import_districts(&[d1]).await.unwrap();
    let got = store
        .districts(&["DR-2".into(), "DR-1".into(), "DR-404".into()])
        .await
        .unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].district_id, "DR-1");
    assert_eq!(got[0].expected_households, 999);
    assert_eq!(
        got[0].sampling.random_start, start,
        "random start must be kept"
    );
    assert_eq!(got[1].region, "Rabat-Salé-Kénitra");
}

fn kinds(i: &census_server::store::Ingested) -> Vec<&str> {
    i.reply
        .results
        .iter()
        .map(|r| match r.outcome {
            CaseOutcome::Stored => "stored",
            CaseOutcome::AlreadyHad => "already_had",
            CaseOutcome::Rejected { .. } => "rejected",
            CaseOutcome::NeedsEvents { .. } => "needs_events",
        })
        .collect()
}

async fn ingest(store: &dyn Storage) {
    let a = device_record("tab-a", &["DR-1"]);
    let b = device_record("tab-b", &["DR-2"]);
    let dev_a = fake_device("tab-a");
    let dev_b = fake_device("tab-b");
    let c1 = household_case("DR-1", 1, 4, 2);
    let c2 = household_case("DR-1", 2, 5, 1);
    let out = household_case("DR-2", 3, 3, 1);
    let p1 = payload(&dev_a, vec![c1.clone(), c2.clone(), out.clone()]);
    let first = store
        .ingest(&a, &p1, &[], &support::census_items())
        .await
        .unwrap();
    assert!(!first.replayed);
    assert_eq!(kinds(&first), ["stored", "stored", "rejected"]);
    let counts = store.counts().await.unwrap();
    assert_eq!(counts.cases, 2);
    assert_eq!(counts.events, (c1.events.len() + c2.events.len()) as u64);
    assert_eq!(counts.batches, 1);

    // The same batch again: the stored reply, nothing written.
    let replay = store
        .ingest(&a, &p1, &[], &support::census_items())
        .await
        .unwrap();
    assert!(replay.replayed);
    assert_eq!(replay.reply, first.reply);
    assert_eq!(store.counts().await.unwrap(), counts);

    // Same revision, older revision in new batches: acknowledged, no duplicate.
    let mut older = c1.clone();
    older.revision = 1;
    let p2 = payload(&dev_a, vec![c1.clone(), older]);
    assert_eq!(
        kinds(
            &store
                .ingest(&a, &p2, &[], &support::census_items())
                .await
                .unwrap()
        ),
        ["already_had", "already_had"]
    );
    let counts2 = store.counts().await.unwrap();
    assert_eq!(
        (counts2.cases, counts2.events),
        (counts.cases, counts.events)
    );

    // A newer revision replaces the stored one; events are added once.
    let mut newer = c1.clone();
    newer.revision = 3;
    newer.status = "refused".into();
    let mut extra = newer.events[0].clone();
    extra.seq = 1000;
    newer.events.push(extra);
    let p3 = payload(&dev_a, vec![newer]);
    assert_eq!(
        kinds(
            &store
                .ingest(&a, &p3, &[], &support::census_items())
                .await
                .unwrap()
        ),
        ["stored"]
    );
    let counts3 = store.counts().await.unwrap();
    assert_eq!(counts3.cases, counts.cases);
    assert_eq!(counts3.events, counts.events + 1);
    let page = store.cases_page(None, 100).await.unwrap();
    let stored = page.iter().find(|c| c.case_id == c1.case_id).unwrap();
    assert_eq!((stored.revision, stored.status.as_str()), (3, "refused"));
    assert_eq!(stored.case, c1.case);
    assert_eq!(stored.household_number, Some(1));

    // A device sends only the events the office has not acknowledged: a revision with the
    // events after the stored last one joins up and is stored; one whose events start
    // further on is not stored and the office says from where it needs them.
    let mut diet = c1.clone();
    diet.revision = 6;
    let mut next = c1.events[0].clone();
    next.seq = 1001;
    diet.events = vec![next];
    let mut gap = diet.clone();
    gap.revision = 7;
    gap.events[0].seq = 1003;
    let mut lost = household_case("DR-1", 9, 2, 1);
    lost.events.retain(|e| e.seq > 4);
    let pd = payload(&dev_a, vec![diet, gap, lost]);
    let got = store
        .ingest(&a, &pd, &[], &support::census_items())
        .await
        .unwrap();
    assert_eq!(kinds(&got), ["stored", "needs_events", "needs_events"]);
    assert_eq!(
        got.reply.results[1].outcome,
        CaseOutcome::NeedsEvents { after: 1001 }
    );
    assert_eq!(
        got.reply.results[2].outcome,
        CaseOutcome::NeedsEvents { after: 0 }
    );
    let counts3 = store.counts().await.unwrap();
    assert_eq!(counts3.events, counts.events + 2, "only seq 1001 was added");
    assert_eq!(
        counts3.cases, counts.cases,
        "the case with no start is not stored"
    );
    let page = store.cases_page(None, 100).await.unwrap();
    let stored = page.iter().find(|c| c.case_id == c1.case_id).unwrap();
    assert_eq!(stored.revision, 6);

    // One batch naming a case twice, the newer second: both stored, in order; the first
    // brings no new event, the second one.
    let mut r4 = c2.clone();
    r4.revision = 4;
    let mut r5 = c2.clone();
    r5.revision = 5;
    let mut extra = r5.events[0].clone();
    extra.seq = 2000;
    r5.events.push(extra);
    let p5 = payload(&dev_a, vec![r4, r5]);
    assert_eq!(
        kinds(
            &store
                .ingest(&a, &p5, &[], &support::census_items())
                .await
                .unwrap()
        ),
        ["stored", "stored"]
    );
    assert_eq!(store.counts().await.unwrap().events, counts3.events + 1);

    // Device b (DR-2) cannot overwrite a's case by claiming its id in DR-2.
    let mut hijack = c2.clone();
    hijack.district_id = "DR-2".into();
    hijack.revision = 99;
    let pb = payload(&dev_b, vec![hijack]);
    let got = store
        .ingest(&b, &pb, &[], &support::census_items())
        .await
        .unwrap();
    assert_eq!(kinds(&got), ["rejected"]);
    // b's batch id cannot be reused by a.
    assert_eq!(
        store.ingest(&a, &pb, &[], &support::census_items()).await,
        Err(StoreError::BatchIdTaken)
    );

    // Questionnaire filter.
    let accepted = vec![("rgph2024".to_string(), "2.0.0".to_string())];
    let p4 = payload(&dev_a, vec![household_case("DR-1", 4, 2, 1)]);
    assert_eq!(
        kinds(
            &store
                .ingest(&a, &p4, &accepted, &support::census_items())
                .await
                .unwrap()
        ),
        ["rejected"]
    );

    // Paging is complete and ordered.
    let all = store.cases_page(None, 1).await.unwrap();
    let rest = store.cases_page(Some(all[0].case_id), 10).await.unwrap();
    assert_eq!(
        all.len() + rest.len(),
        store.counts().await.unwrap().cases as usize
    );
    assert!(rest.iter().all(|c| c.case_id > all[0].case_id));
}

async fn reviews(store: &dyn Storage) {
    let a = device_record("tab-r", &["DR-1"]);
    let dev = fake_device("tab-r");
    let c = household_case("DR-1", 7, 3, 1);
    store
        .ingest(
            &a,
            &payload(&dev, vec![c.clone()]),
            &[],
            &support::census_items(),
        )
        .await
        .unwrap();
    let unknown = Uuid::new_v4();
    assert_eq!(
        store.add_review(unknown, Decision::Approved, "").await,
        Err(StoreError::NoSuchCase(unknown))
    );
    let c1 = store
        .add_review(c.case_id, Decision::SentBack, "age of person 2?")
        .await
        .unwrap();
    let c2 = store
        .add_review(c.case_id, Decision::Approved, "")
        .await
        .unwrap();
    assert!(c2 > c1);
    let mine = store.reviews_since(&["DR-1".into()], 0, 100).await.unwrap();
    let mine: Vec<_> = mine
        .into_iter()
        .filter(|r| r.case_id == c.case_id)
        .collect();
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[0].decision, Decision::SentBack);
    assert_eq!(mine[0].comment, "age of person 2?");
    assert_eq!(mine[0].revision, 1);
    let after = store
        .reviews_since(&["DR-1".into()], c1, 100)
        .await
        .unwrap();
    assert!(after.iter().all(|r| r.cursor > c1));
    assert!(
        store
            .reviews_since(&["DR-2".into()], 0, 100)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn concurrent_same_batch(store: Arc<dyn Storage>) {
    let a = device_record("tab-c", &["DR-1"]);
    let dev = fake_device("tab-c");
    let cases = (0..20)
        .map(|i| household_case("DR-1", 100 + i, 4, 1))
        .collect();
    let p = payload(&dev, cases);
    let before = store.counts().await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (store, a, p) = (Arc::clone(&store), a.clone(), p.clone());
        tasks.push(tokio::spawn(async move {
            store
                .ingest(&a, &p, &[], &support::census_items())
                .await
                .unwrap()
        }));
    }
    let mut fresh = 0;
    let mut replies = Vec::new();
    for t in tasks {
        let i = t.await.unwrap();
        fresh += usize::from(!i.replayed);
        replies.push(i.reply);
    }
    assert_eq!(fresh, 1, "exactly one submission is processed");
    assert!(replies.windows(2).all(|w| w[0] == w[1]));
    let after = store.counts().await.unwrap();
    assert_eq!(after.cases, before.cases + 20);
    assert_eq!(after.batches, before.batches + 1);
}

async fn contract(store: Arc<dyn Storage>) {
    enrolment(store.as_ref()).await;
    districts(store.as_ref()).await;
    ingest(store.as_ref()).await;
    reviews(store.as_ref()).await;
    concurrent_same_batch(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_store_keeps_the_contract() {
    let (store, _dir) = sqlite_store().await;
    assert_eq!(store.kind(), "sqlite");
    contract(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_store_keeps_the_contract() {
    let Some(url) = postgres_url("storage contract") else {
        return;
    };
    let schema = format!("contract_{}", Uuid::new_v4().simple());
    let store: Arc<dyn Storage> =
        Arc::new(PgStore::connect_in_schema(&url, &schema).await.unwrap());
    assert_eq!(store.kind(), "postgres");
    contract(store).await;
}
