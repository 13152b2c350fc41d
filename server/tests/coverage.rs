//! Coverage on a generated set of districts with planted omissions, duplicates and
//! suspicious interviews, ingested through the real storage (SQLite and PostgreSQL): the
//! report finds each planted problem, flags nothing where none was planted, and equals the
//! in-memory reference. Then the API over HTTP: scopes, roles, decisions, the review page.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;

use census_core::coverage::synthetic::{Area, CENSUS_START, REPORT_DAY};
use census_core::coverage::{CoverageReport, Level, OmissionKind};
use census_core::wire::{BatchPayload, Listing, QuestionnaireRef, WIRE_VERSION};
use census_server::http::ServerConfig;
use census_server::secrets;
use census_server::store::postgres::PgStore;
use census_server::store::{NewReviewer, Role, Scope, Storage};
use support::area::{device_for, load, reference, report_of, spec};
use support::*;
use uuid::Uuid;

async fn planted_problems_are_found(store: Arc<dyn Storage>) {
    let area = Area::generate(spec(true));
    load(&*store, &area).await;
    let report = report_of(&*store, &Scope::All).await;
    let planted = &area.planted;
    let omitted: Vec<(String, u32, u32)> = report
        .omissions
        .iter()
        .filter(|o| o.kind == OmissionKind::OccupiedDwellingWithoutHousehold)
        .map(|o| {
            let b = o.building_number.unwrap();
            (o.district_id.clone(), b, o.dwelling_number.unwrap())
        })
        .collect();
    assert_eq!(omitted, planted.omitted_dwellings);
    let duplicates: Vec<_> = report
        .duplicates
        .iter()
        .map(|g| (g.kind, g.case_ids.clone()))
        .collect();
    assert_eq!(duplicates, planted.duplicates);
    assert_eq!(report.suspicious.len(), 2, "{:?}", report.suspicious);
    // The whole report equals the in-memory reference computed from the same data.
    assert_eq!(report, reference(&area));

    // A scope sees only its districts.
    let scope = Scope::Districts(
        store
            .area_districts(Level::ControlSector, "CS0001")
            .await
            .unwrap(),
    );
    let part = report_of(&*store, &scope).await;
    assert_eq!(part.level(Level::District).count(), 4);
    assert!(
        part.omissions
            .iter()
            .all(|o| scope.contains(&o.district_id))
    );
    assert!(
        part.duplicates
            .iter()
            .all(|g| g.district_ids.iter().all(|d| scope.contains(d)))
    );

    // Re-sending everything changes nothing: never counted twice.
    load(&*store, &area).await;
    assert_eq!(report_of(&*store, &Scope::All).await, report);
}

async fn clean_area_raises_nothing(store: Arc<dyn Storage>) {
    let area = Area::generate(spec(false));
    load(&*store, &area).await;
    let report = report_of(&*store, &Scope::All).await;
    assert!(report.omissions.is_empty(), "{:?}", report.omissions);
    assert!(report.duplicates.is_empty(), "{:?}", report.duplicates);
    assert!(report.suspicious.is_empty(), "{:?}", report.suspicious);
    assert_eq!(report.totals.households, area.households.len() as u64);
    assert_eq!(report, reference(&area));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_finds_every_planted_problem() {
    let (store, _dir) = sqlite_store().await;
    planted_problems_are_found(store).await;
    let (store, _dir) = sqlite_store().await;
    clean_area_raises_nothing(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_finds_every_planted_problem() {
    let Some(url) = postgres_url("coverage") else {
        return;
    };
    for (name, plant) in [("planted", true), ("clean", false)] {
        let schema = format!("coverage_{name}_{}", Uuid::new_v4().simple());
        let store: Arc<dyn Storage> =
            Arc::new(PgStore::connect_in_schema(&url, &schema).await.unwrap());
        if plant {
            planted_problems_are_found(store).await;
        } else {
            clean_area_raises_nothing(store).await;
        }
    }
}

/// Sends new revisions of some households, edited as `edit` says, as their devices would.
async fn revise(store: &dyn Storage, area: &mut Area, edit: impl Fn(usize, &mut Area)) {
    for i in 0..3 {
        edit(i, area);
    }
    let changed: Vec<_> = (0..3).map(|i| area.households[i * 7].clone()).collect();
    for h in changed {
        let device = device_for(&h.district_id);
        let payload = BatchPayload {
            wire_version: WIRE_VERSION,
            batch_id: Uuid::new_v4(),
            device_id: device.device_id.clone(),
            enumerator_id: device.enumerator_id.clone(),
            created_at: "2024-09-16T18:00:00Z".into(),
            questionnaires: vec![QuestionnaireRef {
                id: "rgph2024".into(),
                version: "1.0.0".into(),
            }],
            cases: vec![Area::case_record(&h)],
            listing: Listing::default(),
        };
        let done = store
            .ingest(&device, &payload, &[], &support::census_items())
            .await
            .unwrap();
        assert!(matches!(
            done.reply.results[0].outcome,
            census_core::wire::CaseOutcome::Stored
        ));
    }
}

/// The summaries follow revisions that move a household between statuses, rename its head
/// and resize it, and stay equal to a rebuild from scratch.
async fn summaries_follow_revisions(store: Arc<dyn Storage>) {
    let mut area = Area::generate(spec(true));
    load(&*store, &area).await;
    let before = report_of(&*store, &Scope::All).await;
    let twin = area.households[40].clone();
    revise(&*store, &mut area, |i, a| {
        let h = &mut a.households[i * 7];
        h.events += 1;
        match i {
            0 => h.status = "refused",
            1 => {
                // Becomes a duplicate of another district's household: same head, size, place.
                h.head_name = twin.head_name.clone();
                h.persons = twin.persons;
                h.gps = twin.gps;
            }
            _ => h.persons += 2,
        }
    })
    .await;
    let after = report_of(&*store, &Scope::All).await;
    assert_ne!(after, before, "the revisions must show in the report");
    assert_eq!(after.duplicates.len(), before.duplicates.len() + 1);
    assert_eq!(after, reference(&area));
    store.rebuild_summaries().await.unwrap();
    assert_eq!(report_of(&*store, &Scope::All).await, after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn summaries_follow_revisions_on_both_stores() {
    let (store, _dir) = sqlite_store().await;
    summaries_follow_revisions(store).await;
    let Some(url) = postgres_url("summaries") else {
        return;
    };
    let schema = format!("summaries_{}", Uuid::new_v4().simple());
    let store: Arc<dyn Storage> =
        Arc::new(PgStore::connect_in_schema(&url, &schema).await.unwrap());
    summaries_follow_revisions(store).await;
}

/// A database written before the summaries existed (and before numbered migrations) gets
/// them built when it is opened.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_from_before_the_summaries_is_migrated_at_open() {
    let (store, dir) = sqlite_store().await;
    let area = Area::generate(spec(true));
    load(&*store, &area).await;
    drop(store);
    let path = dir.path().join("census.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP TABLE tally_cases; DROP TABLE tally_listing; DROP TABLE tally_days;
         DROP TABLE omitted_dwellings; DROP TABLE unvisited_buildings;
         DROP TABLE repeated_numbers; DROP TABLE head_counts; DROP TABLE server_meta;
         DROP TABLE schema_migrations;
         DROP INDEX case_facts_outside; DROP INDEX case_facts_short;
         ALTER TABLE case_facts DROP COLUMN outside_m;
         ALTER TABLE district_extents DROP COLUMN boundary;",
    )
    .unwrap();
    drop(conn);
    let store = census_server::store::open(path.to_str().unwrap())
        .await
        .unwrap();
    assert_eq!(report_of(&*store, &Scope::All).await, reference(&area));
}

async fn reviewer(store: &dyn Storage, token: &str, role: Role, level: Level, id: &str) {
    store
        .add_reviewer(&NewReviewer {
            token_hash: secrets::token_hash(token),
            name: format!("{} {id}", role.as_str()),
            role,
            scope_level: level,
            scope_id: id.into(),
        })
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_enforces_scopes_and_roles() {
    let (store, _dir) = sqlite_store().await;
    let area = Area::generate(spec(true));
    load(&*store, &area).await;
    reviewer(
        &*store,
        "controller-token",
        Role::Controller,
        Level::ControlSector,
        "CS0000",
    )
    .await;
    reviewer(
        &*store,
        "office-token",
        Role::Office,
        Level::National,
        "national",
    )
    .await;
    let server = start(
        store.clone(),
        ServerConfig {
            census_start: Some(CENSUS_START.into()),
            ..ServerConfig::default()
        },
    )
    .await;
    let get = |path: &str, token: &str| {
        server
            .http
            .get(format!("{}{path}", server.url))
            .bearer_auth(token)
            .send()
    };

    // The controller's report covers its four districts only.
    let r = get(
        &format!("/v1/coverage?today={REPORT_DAY}"),
        "controller-token",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let report: CoverageReport = r.json().await.unwrap();
    let districts: Vec<String> = report
        .level(Level::District)
        .map(|a| a.id.clone())
        .collect();
    assert_eq!(districts, ["D00000", "D00001", "D00002", "D00003"]);
    // Narrowing to an area outside the scope shows nothing of it.
    let r = get("/v1/coverage?level=district&id=D00009", "controller-token")
        .await
        .unwrap();
    let report: CoverageReport = r.json().await.unwrap();
    assert_eq!(report.level(Level::District).count(), 0);
    assert_eq!(get("/v1/coverage", "nobody").await.unwrap().status(), 401);

    // The queue holds completed cases of the scope; a decision is recorded once.
    let r = get("/v1/review/queue", "controller-token").await.unwrap();
    let queue: Vec<census_server::store::QueueEntry> = r.json().await.unwrap();
    assert!(!queue.is_empty());
    assert!(queue.iter().all(|e| e.district_id.as_str() <= "D00003"));
    let case = queue[0].case_id;
    let post = |case: Uuid, token: &str, body: serde_json::Value| {
        server
            .http
            .post(format!("{}/v1/review/cases/{case}", server.url))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let r = post(
        case,
        "controller-token",
        serde_json::json!({"decision": "sent_back"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 400, "sending back needs a comment");
    // A decision on a revision older than the office's is refused: the case changed since.
    let stale = queue[0].revision - 1;
    let r = post(
        case,
        "controller-token",
        serde_json::json!({"decision": "approved", "revision": stale}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("case_changed"));
    let r = post(
        case,
        "controller-token",
        serde_json::json!({"decision": "sent_back", "comment": "ages of persons 2 and 3",
                           "revision": queue[0].revision}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let decisions = store
        .reviews_since(&[queue[0].district_id.clone()], 0, 10)
        .await
        .unwrap();
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].comment, "ages of persons 2 and 3");
    let r = get("/v1/review/queue", "controller-token").await.unwrap();
    let after: Vec<census_server::store::QueueEntry> = r.json().await.unwrap();
    assert!(after.iter().all(|e| e.case_id != case));
    let r = get(&format!("/v1/cases/{case}/history"), "controller-token")
        .await
        .unwrap();
    let history: census_server::store::CaseHistory = r.json().await.unwrap();
    assert_eq!(history.decisions.len(), 1);
    assert!(!history.revisions.is_empty());

    // A case outside the controller's sector is not found; an unknown token is refused.
    let outside = area
        .households
        .iter()
        .find(|h| h.district_id == "D00009")
        .unwrap()
        .case_id;
    let r = post(
        outside,
        "controller-token",
        serde_json::json!({"decision": "approved"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        get(&format!("/v1/cases/{outside}/history"), "controller-token")
            .await
            .unwrap()
            .status(),
        404
    );

    // Publications are for the office.
    let r = get("/v1/office/population.csv", "controller-token")
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = get("/v1/office/population.csv", "office-token")
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with(
        "level,area_id,districts,households,persons,establishments,persons_apart\nnational,national,12,"
    ));
    let r = get("/v1/office/sampling-frame.csv", "office-token")
        .await
        .unwrap();
    let frame = r.text().await.unwrap();
    assert_eq!(frame.lines().count(), 13);
    assert!(
        frame
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("D00000,CS0000,SZ000,C000,P00,R00,")
    );
    let r = get("/v1/coverage/districts.csv", "office-token")
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap().lines().count(), 13);

    // The review page: sign in, see the report. The session cookie is signed by the server
    // and does not hold the token; the token itself, or an altered cookie, is not a session.
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // Sign-in posts the page's own form: its token and pre-session cookie (login CSRF).
    let (login_cookie, login_csrf) = support::page::login_form(&server).await;
    let r = no_redirect
        .post(format!("{}/review/login", server.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", login_cookie)
        .body(format!("token=controller-token&csrf={login_csrf}"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    let set_cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    let session = set_cookie.split(';').next().unwrap().to_owned();
    assert!(session.starts_with("census_session="), "{set_cookie}");
    assert!(!set_cookie.contains("controller-token"), "{set_cookie}");
    let page_with = |cookie: String| {
        let http = server.http.clone();
        let url = format!("{}/review?today={REPORT_DAY}", server.url);
        async move {
            let r = http.get(url).header("cookie", cookie).send().await.unwrap();
            r.text().await.unwrap()
        }
    };
    assert!(
        page_with("census_session=controller-token".into())
            .await
            .contains("Sign in")
    );
    let flipped = if session.ends_with('0') { '1' } else { '0' };
    let altered = format!("{}{flipped}", &session[..session.len() - 1]);
    assert!(page_with(altered).await.contains("Sign in"));
    let page = page_with(session).await;
    assert!(page.contains("Suspected omissions (4)"), "{page}");
    assert!(page.contains("Occupied dwelling without a household"));
    assert!(page.contains("<svg"));
    let r = server
        .http
        .get(format!("{}/review", server.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(r.contains("Sign in"));
}
