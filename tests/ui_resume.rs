//! Going on where the enumerator was, driven through the real UI on a real encrypted store:
//! the app stopped mid-interview (a flat battery, an update) reopens, after the PIN, the same
//! case at the same person and section; stopped on a district, the district; stopped at
//! home, home.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod ui_support;

use census::app::state::Screen;
use ui_support::doorstep::{head_of_household, new_person};
use ui_support::{Q, choice, start, unlock};

#[test]
fn a_restart_mid_interview_reopens_the_same_person_and_section() {
    let dir = tempfile::tempdir().unwrap();
    let q = Q::load();
    let mut h = new_person(dir.path(), &q);
    head_of_household(&mut h, &q, "Omar Amrani", "40");
    h.click_button("Suivant");
    let row = h.state().current_row().unwrap();
    assert!(row.to_string().contains("persons"), "{row}");
    let marital = choice(&q, "p_marital", "1");
    assert!(h.has(&marital), "the person's second section");
    drop(h);

    // The battery dies; the app starts again.
    let mut h = start(dir.path());
    unlock(&mut h);
    assert_eq!(h.state().screen(), &Screen::Questionnaire);
    assert_eq!(h.state().current_row(), Some(row));
    assert!(h.has(&marital), "the same section");
    assert!(h.has_button_contains("Omar Amrani"));

    // Left for the district, then home: each is where the next start opens.
    h.click_first("Enregistrer et quitter");
    assert!(matches!(h.state().screen(), Screen::District(_)));
    drop(h);
    let mut h = start(dir.path());
    unlock(&mut h);
    assert!(matches!(h.state().screen(), Screen::District(code) if code == "07-041-0012"));
    h.click_button("Retour");
    drop(h);
    let mut h = start(dir.path());
    unlock(&mut h);
    assert_eq!(h.state().screen(), &Screen::Home);
}
