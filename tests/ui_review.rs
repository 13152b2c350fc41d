//! Review on a controller's tablet, driven through the real UI (egui_kittest) on a real
//! encrypted store, against the real census server on loopback: the controller signs in with
//! the reviewer code the office issued, the tablet syncs the area, the queue shows the cases
//! an enumerator's tablet completed; one is sent back with a comment — the enumerator's
//! tablet reopens it and shows the comment — and one is approved and leaves the queue.
//! Also: a send-back without a comment is refused on screen, an unknown code is explained,
//! a decision made offline is kept (across a restart, with the area's report) and sent at the
//! next sync, and the code is nowhere in plaintext in the data directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod store_support;
mod sync_support;
mod ui_support;

use std::path::Path;
use std::time::{Duration, Instant};

use census::app::AppConfig;
use census::store::{CaseStatus, Store};
use census::sync::{SyncClient, SyncConfig};
use census_core::coverage::Level;
use census_server::store::Role;
use sync_support::server::TestServer;
use ui_support::{
    App, census_questionnaire, frames_until, open_demo_store, start_syncing, test_ctx,
    two_person_household, unlock,
};
use uuid::Uuid;

const DISTRICT: &str = "07-041-0012";
const FIRST: &str = "District 07-041-0012, construction 1, logement 1, ménage 1";
const SECOND: &str = "District 07-041-0012, construction 1, logement 2, ménage 1";
const CODE_FIELD: &str = "Code de réviseur du bureau";
const COMMENT_FIELD: &str = "Commentaire pour l'agent recenseur";

/// The app in demo mode on `dir`, syncing with `server`.
fn tablet(dir: &Path, server: &TestServer) -> App<'static> {
    let mut config = AppConfig::demo(dir.to_path_buf());
    config.server_url = Some(server.url());
    start_syncing(config)
}

/// A completed household of two persons in building 1, dwelling `dwelling_no`.
fn completed_household(store: &mut Store, dwelling_no: u32, head: &str) -> Uuid {
    let case = two_person_household(store, DISTRICT, (1, dwelling_no, 1), head);
    store
        .set_status(case, CaseStatus::Complete, None, &test_ctx())
        .unwrap();
    case.0
}

fn enumerator_sends_two_cases(dir: &Path, server: &TestServer) -> [Uuid; 2] {
    let mut h = ui_support::start(dir);
    unlock(&mut h);
    drop(h);
    let mut store = open_demo_store(dir);
    let first = completed_household(&mut store, 1, "Ahmed Benali");
    let second = completed_household(&mut store, 2, "Omar Tazi");
    let client =
        SyncClient::new(SyncConfig::new(server.url(), vec![census_questionnaire()])).unwrap();
    let code = server.issue_code(census::demo::DEMO_ENUMERATOR_ID, &[DISTRICT]);
    client
        .enrol(&mut store, &code, census::demo::DEMO_ENUMERATOR_ID)
        .unwrap();
    let report = client.sync_once(&mut store, &mut |_, _| {}).unwrap();
    assert_eq!(report.sent, 2, "{report:?}");
    [first, second]
}

/// The controller of the test frame's control sector (`CS-1`).
fn controller(server: &TestServer) -> String {
    server.add_reviewer(Role::Controller, Level::ControlSector, "CS-1")
}

/// Signs in on the coverage screen, typing the code as a person might (`k7qmx 3pard` for
/// `K7QMX-3PARD`).
fn sign_in(h: &mut App<'_>, token: &str) {
    h.click_button("Couverture");
    assert!(h.has("Contrôleur ou superviseur"));
    type_code(h, token);
}

/// Types the code into the reviewer card and signs in.
fn type_code(h: &mut App<'_>, token: &str) {
    h.type_in(CODE_FIELD, &token.to_lowercase().replace('-', " "));
    h.click_button("Se connecter comme réviseur");
}

fn queue_shows(h: &App<'_>, n: usize) -> bool {
    h.has_button(&format!("Questionnaires à réviser ({n})"))
}

#[test]
fn a_controller_sends_a_case_back_and_approves_another() {
    let office = tempfile::tempdir().unwrap();
    let server = TestServer::start(office.path(), &[DISTRICT]);
    let enumerator_dir = tempfile::tempdir().unwrap();
    let [first, second] = enumerator_sends_two_cases(enumerator_dir.path(), &server);

    // The controller's tablet (its own data directory, not enrolled as a device).
    let controller_dir = tempfile::tempdir().unwrap();
    let token = controller(&server);
    let mut h = tablet(controller_dir.path(), &server);
    unlock(&mut h);
    sign_in(&mut h, &token);
    frames_until(&mut h, "the area's queue", |h| queue_shows(h, 2));
    assert!(!h.has(CODE_FIELD), "signed in: the code field is gone");
    // The coverage screen now shows the office's report of the area, with its roll-ups.
    assert!(h.has("Couverture de ma zone"));
    assert!(h.has_contains("Telle que calculée par le bureau pour votre zone, reçue le"));
    assert!(h.has("Secteur de contrôle CS-1"));
    assert!(h.has("Zone de supervision ZS-1"));
    // The office's map of the area: the listing the enumerator's tablet sent.
    assert!(h.has("Carte des logements"));
    assert!(h.has_contains("Logement occupé sans ménage : "));

    // The code is kept encrypted: nowhere in the data directory's files.
    for (file, bytes) in store_support::read_all_files(controller_dir.path()) {
        for form in [token.clone(), token.replace('-', "")] {
            assert!(
                !store_support::contains(&bytes, form.as_bytes()),
                "the reviewer code is readable in {file}"
            );
        }
    }

    h.click_button("Questionnaires à réviser (2)");
    assert!(h.has("Questionnaires à réviser"));
    assert!(h.has(FIRST) && h.has(SECOND), "the two completed cases");
    assert!(h.has_contains("Agent recenseur"));
    assert!(h.has_contains("2 personnes"));

    // Send back without a comment: the button waits and says why.
    h.click_button(&format!("Renvoyer…: {SECOND}"));
    assert!(h.has(COMMENT_FIELD));
    assert!(h.has_contains("un questionnaire n'est renvoyé qu'avec un commentaire"));
    h.click_button("Renvoyer à l'agent recenseur");
    assert!(
        !h.has_contains("Renvoyé — en attente d'envoi"),
        "nothing was decided without a comment"
    );
    assert!(server.decisions(second).is_empty());

    // With a comment.
    let comment = "Le lien de parenté de la personne 2 manque";
    h.type_in(COMMENT_FIELD, comment);
    assert!(!h.has_contains("un questionnaire n'est renvoyé qu'avec un commentaire"));
    h.click_button("Renvoyer à l'agent recenseur");
    // And approve the other.
    frames_until(&mut h, "the approve button", |h| {
        h.has_button(&format!("Approuver: {FIRST}"))
    });
    h.click_button(&format!("Approuver: {FIRST}"));
    frames_until(&mut h, "the queue to empty", |h| {
        h.has("Aucun questionnaire terminé n'attend de décision.")
            && !h.has_contains("en attente d'envoi")
    });
    assert_eq!(
        server.decisions(second),
        vec![("sent_back".to_owned(), comment.to_owned())]
    );
    assert_eq!(
        server.decisions(first),
        vec![("approved".to_owned(), String::new())]
    );
    drop(h);

    // The enumerator's tablet syncs: the case sent back reopens with the comment on top.
    let mut e = tablet(enumerator_dir.path(), &server);
    unlock(&mut e);
    let start = Instant::now();
    loop {
        frames_until(&mut e, "the enumerator's sync", |e| {
            e.state()
                .sync_status()
                .is_some_and(|s| !s.is_busy() && s.last_success.is_some())
        });
        let store = open_demo_store(enumerator_dir.path());
        let reopened = store
            .case_meta(census::store::CaseId(second))
            .unwrap()
            .status
            == CaseStatus::InProgress;
        if reopened {
            assert_eq!(
                store
                    .case_meta(census::store::CaseId(first))
                    .unwrap()
                    .status,
                CaseStatus::Complete,
                "the approved case stays complete"
            );
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "the case sent back was not reopened"
        );
        e.click_button("Synchroniser maintenant");
        std::thread::sleep(Duration::from_millis(50));
    }
    frames_until(&mut e, "the sync to settle", |e| {
        e.state().sync_status().is_some_and(|s| !s.is_busy())
    });
    e.click("Ouvrir 07-041-0012");
    // A sync status arriving in the same frame rebuilds the screen: wait for the listing.
    frames_until(&mut e, "the district's listing", |e| e.has("Logement 1.2"));
    e.click("Logement 1.2");
    assert!(e.has_contains(&format!("Renvoyé par votre contrôleur : {comment}")));
}

#[test]
fn an_unknown_reviewer_code_is_explained_and_can_be_typed_again() {
    let office = tempfile::tempdir().unwrap();
    let server = TestServer::start(office.path(), &[DISTRICT]);
    let dir = tempfile::tempdir().unwrap();
    let mut h = tablet(dir.path(), &server);
    unlock(&mut h);
    sign_in(&mut h, "not-a-reviewer-code");
    frames_until(&mut h, "the refusal", |h| {
        h.has_contains("Le bureau ne connaît pas ce code de réviseur : vérifiez-le")
    });
    assert!(h.has(CODE_FIELD), "the code can be typed again");
    assert!(!h.has("Couverture de ma zone"), "no area was received");

    // The right code replaces it.
    let token = controller(&server);
    h.type_in(CODE_FIELD, &token);
    h.click_button("Se connecter comme réviseur");
    frames_until(&mut h, "the area", |h| {
        h.has_contains("Zone reçue du bureau le")
            && !h.has_contains("Le bureau ne connaît pas ce code de réviseur")
    });
    assert!(queue_shows(&h, 0));
    assert!(h.has("Couverture de ma zone"));

    // Signing out forgets the code and the area.
    h.click_button("Se déconnecter");
    assert!(h.has(CODE_FIELD));
    assert!(h.has("Couverture de mes districts"));
    let store = open_demo_store(dir.path());
    assert!(store.reviewer_token().unwrap().is_none());
}

#[test]
fn a_decision_made_offline_is_kept_across_a_restart_and_sent_at_the_next_sync() {
    let office = tempfile::tempdir().unwrap();
    let mut server = TestServer::start(office.path(), &[DISTRICT]);
    let enumerator_dir = tempfile::tempdir().unwrap();
    let [first, _] = enumerator_sends_two_cases(enumerator_dir.path(), &server);
    let dir = tempfile::tempdir().unwrap();
    let token = controller(&server);
    let mut h = tablet(dir.path(), &server);
    unlock(&mut h);
    sign_in(&mut h, &token);
    frames_until(&mut h, "the area's queue", |h| queue_shows(h, 2));
    h.click_button("Questionnaires à réviser (2)");

    // The office goes away; the controller approves a case: kept, waiting to send.
    server.stop();
    h.click_button(&format!("Approuver: {FIRST}"));
    assert!(h.has("Approuvé — en attente d'envoi"));
    frames_until(&mut h, "the offline message", |h| {
        h.has_contains("Pas de connexion avec le bureau : vos décisions sont gardées")
    });
    assert!(h.has("Approuvé — en attente d'envoi"));
    assert!(h.has("Décisions en attente d'envoi : 1"));
    drop(h);

    // Restart (still offline): the enumerator's PIN closed the reviewer's session; their
    // code opens it again, offline, with the decision and the area's report still there.
    let mut h = tablet(dir.path(), &server);
    unlock(&mut h);
    h.click_button("Couverture");
    assert!(h.has_contains("Session de réviseur fermée"));
    assert!(
        !h.has("Couverture de ma zone"),
        "nothing shown before the code"
    );
    type_code(&mut h, &token);
    assert!(h.has("Couverture de ma zone"));
    assert!(h.has("Secteur de contrôle CS-1"));
    frames_until(&mut h, "the stored queue", |h| {
        h.has_button("Questionnaires à réviser (2)")
    });
    h.click_button("Questionnaires à réviser (2)");
    frames_until(&mut h, "the decision kept", |h| {
        h.has("Approuvé — en attente d'envoi")
    });
    assert!(server.addr().port() > 0);

    // The office is back: the next sync sends it and the case leaves the queue.
    server.restart();
    frames_until(&mut h, "the sync button", |h| {
        h.has_button("Synchroniser maintenant")
            && h.state().sync_status().is_some_and(|s| !s.is_busy())
    });
    h.click_button("Synchroniser maintenant");
    frames_until(&mut h, "the decision sent", |h| {
        !h.has(FIRST) && h.has(SECOND) && !h.has_contains("en attente d'envoi")
    });
    assert_eq!(
        server.decisions(first),
        vec![("approved".to_owned(), String::new())]
    );
}

/// Fills a data directory for the review screenshot (also an ordinary test): a controller's
/// tablet signed in, its area received from an office that is then gone.
/// `CENSUS_SCREENSHOT_DIR=/tmp/review-shots cargo test --test ui_review
/// prepare_review_screenshot_data`, then `cargo run -- --data-dir /tmp/review-shots --demo
/// --server http://127.0.0.1:9` (PIN 280514, then **Révision**).
#[test]
fn prepare_review_screenshot_data() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = std::env::var("CENSUS_SCREENSHOT_DIR")
        .unwrap_or_else(|_| scratch.path().display().to_string());
    let dir = Path::new(&dir);
    let office = tempfile::tempdir().unwrap();
    let mut server = TestServer::start(office.path(), &[DISTRICT]);
    let enumerator_dir = tempfile::tempdir().unwrap();
    enumerator_sends_two_cases(enumerator_dir.path(), &server);
    let token = controller(&server);
    let mut h = tablet(dir, &server);
    unlock(&mut h);
    sign_in(&mut h, &token);
    frames_until(&mut h, "the area's queue", |h| queue_shows(h, 2));
    h.click_button("Questionnaires à réviser (2)");
    // Decided while the office is out of reach: it waits on the tablet.
    server.stop();
    h.click_button(&format!("Approuver: {SECOND}"));
    assert!(h.has("Approuvé — en attente d'envoi"));
}

#[test]
fn a_decision_the_office_refuses_is_shown_with_its_words_and_can_be_dismissed() {
    let office = tempfile::tempdir().unwrap();
    let server = TestServer::start(office.path(), &[DISTRICT]);
    let dir = tempfile::tempdir().unwrap();
    let token = controller(&server);
    let mut h = tablet(dir.path(), &server);
    unlock(&mut h);
    sign_in(&mut h, &token);
    frames_until(&mut h, "the area", |h| {
        h.has_contains("Zone reçue du bureau le")
    });
    drop(h);
    // A decision on a case the office does not hold in this area (e.g. moved meanwhile).
    let unknown = Uuid::new_v4();
    open_demo_store(dir.path())
        .queue_review_decision(unknown, 1, census_core::wire::Decision::Approved, "")
        .unwrap();

    let mut h = tablet(dir.path(), &server);
    unlock(&mut h);
    h.click_button("Couverture");
    type_code(&mut h, &token);
    frames_until(&mut h, "the office's answer", |h| {
        h.state()
            .sync_status()
            .is_some_and(|s| s.review_refused == 1 && !s.is_busy())
    });
    h.click_button("Questionnaires à réviser (0)");
    frames_until(&mut h, "the refusal", |h| {
        h.has("Décisions refusées par le bureau (1)")
    });
    let short: String = unknown.simple().to_string().chars().take(8).collect();
    let line = format!(
        "Questionnaire {short} : le bureau a refusé la décision (no such case in your area)."
    );
    assert!(h.has(&line), "the office's words");
    h.click_button(&format!("Compris: Questionnaire {short}"));
    assert!(!h.has_contains("Décisions refusées par le bureau"));
    assert!(
        open_demo_store(dir.path())
            .queued_review_decisions()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_decision_waits_for_the_reviewer_who_made_it() {
    let office = tempfile::tempdir().unwrap();
    let server = TestServer::start(office.path(), &[DISTRICT]);
    let enumerator_dir = tempfile::tempdir().unwrap();
    let [first, _] = enumerator_sends_two_cases(enumerator_dir.path(), &server);
    let (mine, other) = (controller(&server), controller(&server));
    let dir = tempfile::tempdir().unwrap();
    let mut h = tablet(dir.path(), &server);
    unlock(&mut h);
    sign_in(&mut h, &mine);
    frames_until(&mut h, "the area's queue", |h| queue_shows(h, 2));
    drop(h);

    // Decided under my code, then another controller signs in on this tablet.
    let mut store = open_demo_store(dir.path());
    let queue: Vec<census_core::wire::QueueEntry> = serde_json::from_str(
        &store
            .review_download(census::store::ReviewDownload::Queue)
            .unwrap()
            .unwrap()
            .body,
    )
    .unwrap();
    let revision = queue.iter().find(|e| e.case_id == first).unwrap().revision;
    store
        .queue_review_decision(first, revision, census_core::wire::Decision::Approved, "")
        .unwrap();
    drop(store);
    let mut h = tablet(dir.path(), &server);
    unlock(&mut h);
    h.click_button("Couverture");
    type_code(&mut h, &other);
    frames_until(&mut h, "the other controller's area", |h| {
        h.has_contains("Zone reçue du bureau le")
    });
    assert!(
        server.decisions(first).is_empty(),
        "never sent under another reviewer's code"
    );

    // Back under my code: it goes.
    h.click_button("Se déconnecter");
    type_code(&mut h, &mine);
    frames_until(&mut h, "the decision to reach the office", |_| {
        !server.decisions(first).is_empty()
    });
    assert_eq!(
        server.decisions(first),
        vec![("approved".to_owned(), String::new())]
    );
}

#[test]
fn a_reviewer_session_closes_when_idle_and_when_the_enumerator_unlocks() {
    let office = tempfile::tempdir().unwrap();
    let server = TestServer::start(office.path(), &[DISTRICT]);
    let enumerator_dir = tempfile::tempdir().unwrap();
    enumerator_sends_two_cases(enumerator_dir.path(), &server);
    let token = controller(&server);
    let dir = tempfile::tempdir().unwrap();
    let mut config = AppConfig::demo(dir.path().to_path_buf());
    config.server_url = Some(server.url());
    config.reviewer_idle = Duration::from_secs(2);
    let mut h = start_syncing(config);
    unlock(&mut h);
    sign_in(&mut h, &token);
    frames_until(&mut h, "the area's queue", |h| queue_shows(h, 2));

    // Nobody touches the tablet: the session closes by itself, the area is hidden.
    std::thread::sleep(Duration::from_millis(2100));
    frames_until(&mut h, "the session to close", |h| {
        h.has_contains("Session de réviseur fermée")
    });
    assert!(h.has(CODE_FIELD));
    assert!(!h.has("Couverture de ma zone"));
    assert!(!h.has_button_contains("Questionnaires à réviser"));
    let store = open_demo_store(dir.path());
    assert!(
        store.reviewer_token().unwrap().is_none(),
        "the code is not kept"
    );
    drop(store);

    // The code opens it again at once, with the area kept.
    type_code(&mut h, &token);
    assert!(h.has("Couverture de ma zone"));
    assert!(queue_shows(&h, 2));

    // The enumerator locks and unlocks with their PIN: the reviewer must type the code again.
    h.click_button("Verrouiller");
    unlock(&mut h);
    h.click_button("Couverture");
    assert!(h.has_contains("Session de réviseur fermée"));
    assert!(!h.has_button_contains("Questionnaires à réviser"));
}
