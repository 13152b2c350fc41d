//! The tablet's log, read after a real session driven through the UI (egui_kittest) with
//! the real server on loopback: a wrong PIN, the office's enrolment code typed in the sync
//! panel, a household whose address, names and comment are marker strings, a sync, then
//! "Send diagnostics". The log files (and what the office received) name the screens,
//! the commands' kinds and the sync's outcomes, and hold none of the markers, the PINs or
//! the code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod sync_support;
mod ui_support;

use census::app::AppConfig;
use census::logs::{LOG_DIR, LOG_FILE, ROTATED_FILE};
use sync_support::server::TestServer;
use ui_support::{App, Q, doorstep, frames_until, start_syncing, unlock};

const DISTRICT: &str = "07-041-0012";
const WRONG_PIN: &str = "918273";
const DEMO_PIN: &str = "280514";
const ADDRESS: &str = ", QXADDRESSMARKER";
const RESPONDENT: &str = "Zoubida QXRESPONDENTMARKER";
const HEAD: &str = "Ahmed QXHEADMARKER";
const SON: &str = "Youssef QXSONMARKER";
const COMMENT: &str = "Fils QXCOMMENTMARKER du premier mariage";

/// Whether the sync is idle (enrolled, nothing running, one success).
fn settled(app: &App<'_>) -> bool {
    app.state()
        .sync_status()
        .is_some_and(|s| s.enrolled && !s.is_busy() && s.last_success.is_some())
}

/// The whole log of `dir`: the rotated file, then the current one.
fn read_log(dir: &std::path::Path) -> String {
    let logs = dir.join(LOG_DIR);
    let old = std::fs::read_to_string(logs.join(ROTATED_FILE)).unwrap_or_default();
    old + &std::fs::read_to_string(logs.join(LOG_FILE)).unwrap()
}

/// The dwelling and a household of two persons whose son's age raises a soft check,
/// confirmed with a comment; every text typed is a marker.
fn play_household(h: &mut App<'_>, q: &Q) {
    doorstep::dwelling(h, q, ADDRESS);
    doorstep::household(h, q, RESPONDENT, "2");
    doorstep::person_identity(h, q, HEAD, "01", "1", "45");
    h.enter();
    doorstep::person_rest(h, q, "2", "0", "1");
    h.click("Ajouter : Personne");
    doorstep::person_identity(h, q, SON, "03", "1", "34");
    h.type_in("Pourquoi est-ce correct ?", COMMENT);
    h.click_button("Confirmer");
    assert!(h.has_contains("Confirmé : Fils QXCOMMENTMARKER"));
    h.click_first("Enregistrer et quitter");
}

#[test]
fn the_log_tells_what_happened_and_nothing_typed() {
    let office_dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(office_dir.path(), &[DISTRICT]);
    let dir = tempfile::tempdir().unwrap();
    let mut config = AppConfig::demo(dir.path().to_path_buf());
    config.server_url = Some(server.url());
    let mut h = start_syncing(config);

    // A wrong PIN, then the right one.
    h.type_in("Code PIN", WRONG_PIN);
    h.click_button("Déverrouiller");
    assert!(h.has("PIN incorrect. Vérifiez-le et réessayez."));
    unlock(&mut h);

    // The office's code typed in the sync panel.
    frames_until(&mut h, "the enrolment form", |h| {
        h.has("Code d'enrôlement du bureau")
    });
    let code = server.issue_code(census::demo::DEMO_ENUMERATOR_ID, &[DISTRICT]);
    h.type_in("Code d'enrôlement du bureau", &code);
    h.click_button("Enrôler auprès du bureau");
    frames_until(&mut h, "the enrolment and first sync", settled);

    // A household of marker strings, sent to the office.
    let q = Q::load();
    h.click(&format!("Ouvrir {DISTRICT}"));
    h.click("Logement 1.2");
    play_household(&mut h, &q);
    h.click("Retour");
    assert!(h.has("Mes districts"));
    h.click_button("Synchroniser maintenant");
    frames_until(&mut h, "the case sent", |h| {
        settled(h) && h.has("Questionnaires en attente d'envoi : 0")
    });

    // Diagnostics to the office.
    h.click_button("Envoyer le diagnostic");
    frames_until(&mut h, "the diagnostics sent", |h| {
        h.has("Diagnostic envoyé au bureau.")
    });

    let log = read_log(dir.path());
    let received = server.diagnostics();
    assert_eq!(received.len(), 1, "the office kept one diagnostics file");
    for (what, text) in [
        ("the tablet's log", &log),
        ("the office's copy", &received[0]),
    ] {
        for secret in [
            "QXADDRESSMARKER",
            "QXRESPONDENTMARKER",
            "QXHEADMARKER",
            "QXSONMARKER",
            "QXCOMMENTMARKER",
            "Zoubida",
            "Youssef",
            WRONG_PIN,
            DEMO_PIN,
            code.as_str(),
        ] {
            assert!(!text.contains(secret), "{what} holds {secret:?}:\n{text}");
        }
        for expected in [
            "app started",
            "screen=\"home\"",
            "screen=\"district\"",
            "screen=\"questionnaire\"",
            "kind=\"unlock\"",
            "action=\"unlock\"",
            "kind=\"enrol_with_office\"",
            "kind=\"set_answer\"",
            "kind=\"confirm_check\"",
            "kind=\"sync_now\"",
            "sync attempt",
            "sync succeeded sent=1",
        ] {
            assert!(
                text.contains(expected),
                "{what} lacks {expected:?}:\n{text}"
            );
        }
    }
    // The wrong PIN left a refusal; the tablet's own log also says the diagnostics left.
    assert!(log.contains("refused action=\"unlock\""), "{log}");
    frames_until(&mut h, "the last line", |_| {
        read_log(dir.path()).contains("diagnostics sent bytes=")
    });
}
