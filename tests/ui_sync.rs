//! The enumerator's app synchronising with the real census server on loopback, driven
//! through its real UI (egui_kittest): enrol with a code issued by the office, record a
//! dwelling, "Sync now", see nothing waiting; the office stores the case; a supervisor
//! sends it back and the comment shows at the top of the case.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod sync_support;
mod ui_support;

use std::time::{Duration, Instant};

use census::app::AppConfig;
use census_core::wire::Decision;
use sync_support::server::TestServer;
use ui_support::{App, Q, frames_until, label, start_syncing, unlock};

const DISTRICT: &str = "07-041-0012";

/// Whether the sync is idle (enrolled, nothing running).
fn settled(app: &App<'_>) -> bool {
    app.state()
        .sync_status()
        .is_some_and(|s| s.enrolled && !s.is_busy() && s.last_success.is_some())
}

#[test]
fn enrol_with_the_office_sync_now_and_see_a_case_sent_back() {
    let office_dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(office_dir.path(), &[DISTRICT]);
    let dir = tempfile::tempdir().unwrap();
    let mut config = AppConfig::demo(dir.path().to_path_buf());
    config.server_url = Some(server.url());
    let mut h = start_syncing(config);
    unlock(&mut h);

    // Not enrolled with the office yet: the home screen asks for the code.
    frames_until(&mut h, "the enrolment form", |h| {
        h.has("Code d'enrôlement du bureau")
    });
    assert!(h.has_contains("Questionnaires en attente d'envoi : 0"));

    // A dwelling is recorded: one case waits.
    let q = Q::load();
    h.click("Ouvrir 07-041-0012");
    h.click("Logement 1.2");
    h.type_in(&label(&q, "d_address"), "Derb Sidi Bouzid n° 3, 1er étage");
    h.click_first("Enregistrer et quitter");
    h.click("Retour");
    assert!(h.has("Mes districts"));
    frames_until(&mut h, "one case waiting", |h| {
        h.has("Questionnaires en attente d'envoi : 1")
    });

    // Enrol with a code issued by the office (the first sync follows on its own).
    let code = server.issue_code(census::demo::DEMO_ENUMERATOR_ID, &[DISTRICT]);
    h.type_in("Code d'enrôlement du bureau", &code);
    h.click_button("Enrôler auprès du bureau");
    frames_until(&mut h, "the enrolment and first sync", settled);
    assert!(!h.has("Code d'enrôlement du bureau"), "enrolled");
    // The demo tablet's database key is now sealed to the office's recovery key, no longer
    // to the demo key: the office's offline key recovers it.
    let key_path = dir.path().join(census::keys::KEY_FILE_NAME);
    let mut key_file = census::keys::KeyFile::load(&key_path).unwrap();
    assert_ne!(
        key_file.recovery_public_key_hex(),
        census::demo::office_public_key().unwrap().to_hex()
    );
    let same_pin = census::keys::Pin::new("280514".into()).unwrap();
    key_file
        .recover_with_office_key(&server.recovery_secret(), &same_pin)
        .unwrap();

    // "Sync now", then nothing waits, and the office holds the case.
    h.click_button("Synchroniser maintenant");
    frames_until(&mut h, "nothing waiting", |h| {
        settled(h) && h.has("Questionnaires en attente d'envoi : 0")
    });
    assert!(h.has_contains("Dernière synchronisation réussie"));
    let stored = server.stored_cases();
    assert_eq!(stored.len(), 1, "the office stored the case: {stored:?}");
    assert_eq!(server.case_count_without_duplicates(), 1);

    // The supervisor sends it back; the next sync reopens it with the comment on top.
    let comment = "Le nombre de pièces manque";
    server.review(stored[0].0, Decision::SentBack, comment);
    frames_until(&mut h, "the sync button", |h| {
        settled(h) && h.has_button("Synchroniser maintenant")
    });
    h.click_button("Synchroniser maintenant");
    // The decision arrives with that sync (the reopened case is then sent again): look at
    // the case until the comment shows.
    let start = Instant::now();
    loop {
        frames_until(&mut h, "the sync after the review", settled);
        h.click("Ouvrir 07-041-0012");
        h.click("Logement 1.2");
        if h.has_contains(comment) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the supervisor's comment is not shown in the case"
        );
        h.click_first("Enregistrer et quitter");
        h.click("Retour");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(h.has_contains(&format!("Renvoyé par votre contrôleur : {comment}")));

    // Outside the case, it stands out: on its district row with the comment, and on home.
    h.click_first("Enregistrer et quitter");
    assert!(h.has_contains(&format!("Renvoyé par votre contrôleur : {comment}")));
    h.click("Renvoyé");
    assert!(h.has("Logement 1.2"), "the sent-back filter shows it");
    assert!(!h.has("Logement 1.1"), "and only the cases sent back");
    h.click("Retour");
    assert!(h.has("Renvoyés par le contrôleur, à corriger : 1"));
}

#[test]
fn without_a_server_sync_is_not_configured() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = start_syncing(AppConfig::demo(dir.path().to_path_buf()));
    unlock(&mut h);
    assert!(h.has_contains("L'envoi au bureau n'est pas configuré"));
    assert!(!h.has_button("Synchroniser maintenant"));
    assert!(h.state().sync_status().is_none());
}

#[test]
fn a_refused_code_is_explained_in_the_enumerators_language() {
    let office_dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(office_dir.path(), &[DISTRICT]);
    let dir = tempfile::tempdir().unwrap();
    let mut config = AppConfig::demo(dir.path().to_path_buf());
    config.server_url = Some(server.url());
    let mut h = start_syncing(config);
    unlock(&mut h);
    frames_until(&mut h, "the enrolment form", |h| {
        h.has("Code d'enrôlement du bureau")
    });
    h.type_in("Code d'enrôlement du bureau", "NOT-A-CODE");
    h.click_button("Enrôler auprès du bureau");
    frames_until(&mut h, "the refusal", |h| {
        h.has_contains("Le bureau n'a pas accepté ce code d'enrôlement")
    });
    assert!(h.has("Code d'enrôlement du bureau"), "the form stays");
}

#[test]
fn diagnostics_reach_the_office_and_a_failure_is_said_in_the_enumerators_language() {
    let office_dir = tempfile::tempdir().unwrap();
    let mut server = TestServer::start(office_dir.path(), &[DISTRICT]);
    let dir = tempfile::tempdir().unwrap();
    let mut config = AppConfig::demo(dir.path().to_path_buf());
    config.server_url = Some(server.url());
    let mut h = start_syncing(config);
    unlock(&mut h);
    frames_until(&mut h, "the enrolment form", |h| {
        h.has("Code d'enrôlement du bureau")
    });
    assert!(
        !h.has_button("Envoyer le diagnostic"),
        "offered once enrolled only"
    );
    let code = server.issue_code(census::demo::DEMO_ENUMERATOR_ID, &[DISTRICT]);
    h.type_in("Code d'enrôlement du bureau", &code);
    h.click_button("Enrôler auprès du bureau");
    frames_until(&mut h, "the enrolment and first sync", settled);

    // The office is gone: the failure is explained, in French, then in Arabic.
    server.stop();
    h.click_button("Envoyer le diagnostic");
    frames_until(&mut h, "the failure", |h| {
        h.has_contains("Le diagnostic n'a pas pu être envoyé : Pas de connexion avec le bureau")
    });
    h.click("العربية");
    assert!(
        h.has_contains("تعذر إرسال التشخيص: لا اتصال بالمكتب"),
        "the failure in Arabic"
    );
    assert!(server.diagnostics().is_empty());

    // The office is back: sent, and the office keeps the log's end.
    server.restart();
    h.click_button("إرسال التشخيص");
    frames_until(&mut h, "the diagnostics sent", |h| {
        h.has("أُرسل التشخيص إلى المكتب.")
    });
    // (What it holds is checked in `ui_logs`, alone in its process: the log follows the
    // latest app started, and the tests here start several at once.)
    assert_eq!(server.diagnostics().len(), 1);
}

/// Fills a data directory for the home screenshot (also an ordinary test): enrolled with a server
/// that is then gone, one case sent, one waiting.
/// `CENSUS_SCREENSHOT_DIR=/tmp/shots cargo test --test ui_sync prepare_sync_screenshot_data`, then
/// `cargo run -- --data-dir /tmp/shots --demo --server http://127.0.0.1:9`.
#[test]
fn prepare_sync_screenshot_data() {
    // Without the variable it runs as an ordinary test in a temporary directory.
    let scratch = tempfile::tempdir().unwrap();
    let dir = std::env::var("CENSUS_SCREENSHOT_DIR")
        .unwrap_or_else(|_| scratch.path().display().to_string());
    let office_dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(office_dir.path(), &[DISTRICT]);
    let mut config = AppConfig::demo(std::path::PathBuf::from(&dir));
    config.server_url = Some(server.url());
    let mut h = start_syncing(config);
    unlock(&mut h);
    let q = Q::load();
    h.click("Ouvrir 07-041-0012");
    h.click("Logement 1.2");
    h.type_in(&label(&q, "d_address"), "Derb Sidi Bouzid n° 3, 1er étage");
    h.click_first("Enregistrer et quitter");
    h.click("Retour");
    frames_until(&mut h, "the enrolment form", |h| {
        h.has("Code d'enrôlement du bureau")
    });
    let code = server.issue_code(census::demo::DEMO_ENUMERATOR_ID, &[DISTRICT]);
    h.type_in("Code d'enrôlement du bureau", &code);
    h.click_button("Enrôler auprès du bureau");
    frames_until(&mut h, "the first sync", |h| {
        settled(h) && h.has("Questionnaires en attente d'envoi : 0")
    });
    h.click("Ouvrir 07-041-0012");
    h.click("Logement 1.1");
    h.type_in(
        &label(&q, "d_address"),
        "Derb Sidi Bouzid n° 3, rez-de-chaussée",
    );
    h.click_first("Enregistrer et quitter");
    drop(h);
    // The test office's frame renamed the district: bring back the demo's name and counts.
    let dir = std::path::Path::new(&dir);
    let keyfile = census::keys::KeyFile::load(&dir.join(census::keys::KEY_FILE_NAME)).unwrap();
    let mut keyfile = keyfile;
    let key = keyfile
        .unlock(&census::keys::Pin::new("280514".to_owned()).unwrap())
        .unwrap();
    let mut store = census::store::Store::open(dir, &key).unwrap();
    store
        .import_assignment(&census::demo::demo_assignment().unwrap())
        .unwrap();
}
