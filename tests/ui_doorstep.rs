//! The doorstep flow on a small tablet screen: each page of the questionnaire opens where the
//! enumerator starts reading it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod ui_support;

use egui_kittest::kittest::Queryable;
use ui_support::doorstep::{head_of_household, new_person, occupied_dwelling};
use ui_support::{Q, choice, label, start_sized, unlock};

const WIDTH: f32 = 1024.0;
const HEIGHT: f32 = 600.0;

/// The vertical extent of the heading (not the navigation button) with this text.
fn heading_span(app: &ui_support::App<'_>, text: &str) -> (f32, f32) {
    let node = app
        .h
        .get_all_by(|n| {
            // A label's text is its accessible value.
            n.role() == egui::accesskit::Role::Label && n.value().is_some_and(|v| v == text)
        })
        .next()
        .unwrap_or_else(|| panic!("no heading {text:?}"));
    let rect = node.rect();
    (rect.min.y, rect.max.y)
}

#[test]
fn each_section_opens_at_its_top_even_after_scrolling_the_one_before() {
    let dir = tempfile::tempdir().unwrap();
    let q = Q::load();
    let mut h = start_sized(dir.path(), WIDTH, HEIGHT);
    unlock(&mut h);
    h.click("Ouvrir 07-041-0012");
    h.click("Logement 1.1");
    h.click("État d'occupation");
    h.click(&choice(&q, "d_occupancy", "1"));

    // A person's identity section: long enough to scroll at 1024 × 600.
    h.click_contains("Ménages du logement (");
    h.click("Ajouter : Ménage");
    h.type_in(&label(&q, "hh_respondent_name"), "Ahmed Benali");
    h.click_contains("Membres du ménage (");
    h.click("Ajouter : Personne");
    h.type_in(&label(&q, "p_name"), "Ahmed Benali");
    let identity = "Identité";
    let (top, _) = heading_span(&h, identity);
    assert!((0.0..HEIGHT).contains(&top), "identity opens in view");
    h.type_in(&label(&q, "p_age"), "40");

    // Down to the last question of the section: its heading leaves the screen.
    h.h.get_by_label(&label(&q, "p_age")).scroll_to_me();
    h.h.run();
    h.h.get_by_label(&choice(&q, "p_sex", "2")).scroll_down();
    h.h.run();
    let (scrolled_top, _) = heading_span(&h, identity);
    assert!(
        scrolled_top < top - 100.0,
        "the section scrolled down (heading from {top} to {scrolled_top})"
    );

    // The next section starts at its heading, not part-way down.
    h.click_button("Suivant");
    let (next_top, next_bottom) = heading_span(&h, "État matrimonial, nationalité et mère");
    assert!(
        next_top >= top - 1.0 && next_bottom < HEIGHT / 2.0,
        "the next section opens at its top: heading at {next_top}..{next_bottom}, first page heading was at {top}"
    );
    let marital = h.h.get_by_label(&choice(&q, "p_marital", "1")).rect();
    assert!(
        marital.max.y <= HEIGHT,
        "its first question is in view (at {}..{})",
        marital.min.y,
        marital.max.y
    );
}

#[test]
fn the_language_chosen_is_the_language_of_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = start_sized(dir.path(), WIDTH, HEIGHT);
    assert!(h.has_button("Déverrouiller"), "French on the first start");
    h.click("العربية");
    assert!(h.has_button("فتح"));
    drop(h);

    let mut h = start_sized(dir.path(), WIDTH, HEIGHT);
    assert!(
        h.has_button("فتح"),
        "the unlock screen speaks Arabic after a restart"
    );
    h.type_in("الرمز السري", "280514");
    h.click_button("فتح");
    assert!(!h.has_button("فتح"), "unlocked in Arabic");
    h.click("Français");
    drop(h);
    let h = start_sized(dir.path(), WIDTH, HEIGHT);
    assert!(h.has_button("Déverrouiller"), "and back to French");
}

#[test]
fn the_enrolment_form_reaches_its_button_on_a_short_screen() {
    let dir = tempfile::tempdir().unwrap();
    let config = census::app::AppConfig::new(dir.path().to_path_buf());
    let mut h = ui_support::start_sized_with(config, WIDTH, 480.0);
    let button =
        h.h.get_by_role_and_label(egui::accesskit::Role::Button, "Enrôler");
    button.scroll_to_me();
    h.h.run();
    let rect =
        h.h.get_by_role_and_label(egui::accesskit::Role::Button, "Enrôler")
            .rect();
    assert!(
        rect.max.y <= 480.0,
        "the enrol button can be brought into view (at {}..{})",
        rect.min.y,
        rect.max.y
    );
}

#[test]
fn roster_checks_wait_until_the_enumerator_leaves_the_household() {
    let dir = tempfile::tempdir().unwrap();
    let q = Q::load();
    let mut h = occupied_dwelling(dir.path(), &q);
    let one_household = q.check_message("households_present");
    let one_head = q.check_message("one_head");

    // Filling the rosters: no red "at least one household" or "one head" on empty lists.
    h.click_contains("Ménages du logement (");
    assert!(!h.has_contains(&one_household), "not on the empty list");
    h.click("Ajouter : Ménage");
    h.click_contains("Membres du ménage (");
    assert!(!h.has_contains(&one_head), "not before anyone is listed");
    h.click("Ajouter : Personne");
    h.type_in(&label(&q, "p_name"), "Omar Amrani");
    h.back_to_household();
    assert!(
        !h.has_contains(&one_head),
        "not while the household is still being listed"
    );

    // Up to the dwelling and back: the household was left, its roster check now shows.
    h.click_button("Logement");
    h.click_contains("Ménages du logement (1)");
    h.click_contains("1. ");
    h.click_contains("Membres du ménage (1)");
    assert!(
        h.has_contains(&one_head),
        "shown once the household was left"
    );

    // Row checks about a person's own answers are shown at once.
    h.click("Ajouter : Personne");
    h.type_in(&label(&q, "p_name"), "Khadija Amrani");
    h.click(&choice(&q, "p_relationship", "02"));
    h.type_in(&label(&q, "p_age"), "13");
    let spouse_age = q.check_message("spouse_age");
    assert!(
        h.has_contains(&spouse_age),
        "a person's own check shows at once"
    );
}

#[test]
fn the_summary_lists_every_check_even_on_a_row_not_left() {
    let dir = tempfile::tempdir().unwrap();
    let q = Q::load();
    let mut h = occupied_dwelling(dir.path(), &q);
    h.click_contains("Récapitulatif (");
    assert!(h.has_contains(&q.check_message("households_present")));
    // Once asked for, the summary's checks stay shown on the rows too.
    h.click_contains("Ménages du logement (");
    assert!(h.has_contains(&q.check_message("households_present")));
}

#[test]
fn the_end_of_a_person_leads_to_the_next_one_or_back_to_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let q = Q::load();
    let mut h = new_person(dir.path(), &q);
    head_of_household(&mut h, &q, "Omar Amrani", "40");
    // Identity, status, migration: the long form's sections are skipped (not asked here).
    h.click_button("Suivant");
    h.click_button("Suivant");
    assert!(
        !h.has_button("Suivant"),
        "migration is this person's last section"
    );
    h.click_button("Ajouter : Personne");
    h.type_in(&label(&q, "p_name"), "Khadija Amrani");
    assert!(
        h.has_button_contains("Khadija Amrani"),
        "the new person is open"
    );

    // Back on the first person, its end names the next one.
    h.back_to_household();
    assert!(
        h.has("Chef de ménage · Masculin · 40"),
        "the list tells persons apart: relationship, sex, age"
    );
    h.click_contains("1. Omar Amrani");
    h.click_button("Suivant");
    h.click_button("Suivant");
    h.click_button("Suivant : Khadija Amrani");
    assert_eq!(
        h.field_value(&label(&q, "p_name")).as_deref(),
        Some("Khadija Amrani")
    );

    // And the last person's end leads back to the household's list in one tap.
    h.click_button("Suivant");
    h.click_button("Suivant");
    h.click_contains("Retour à la liste : Ménage 1");
    assert!(h.has_button_contains("1. Omar Amrani"));
    assert!(h.has_button_contains("2. Khadija Amrani"));
}

#[test]
fn enter_in_a_field_moves_the_keyboard_to_the_next_question() {
    let dir = tempfile::tempdir().unwrap();
    let q = Q::load();
    let mut h = occupied_dwelling(dir.path(), &q);
    h.click_contains("Ménages du logement (");
    h.click("Ajouter : Ménage");
    h.type_in(&label(&q, "hh_respondent_name"), "Ahmed Benali");
    let phone = label(&q, "hh_phone");
    assert!(!h.h.get_by_label(&phone).is_focused());
    h.h.key_press(egui::Key::Enter);
    h.h.run();
    assert!(
        h.h.get_by_label(&phone).is_focused(),
        "the next question's field has the keyboard"
    );
    h.h.get_by_label(&phone).type_text("0612345678");
    h.h.run();
    assert_eq!(h.field_value(&phone).as_deref(), Some("0612345678"));
}

#[test]
fn a_section_moves_on_by_itself_only_once_its_questions_are_answered() {
    let dir = tempfile::tempdir().unwrap();
    let q = Q::load();
    let mut h = occupied_dwelling(dir.path(), &q);
    let walls = choice(&q, "d_wall_material", "1");
    let roof = choice(&q, "d_roof_material", "1");
    let rooms = label(&q, "d_rooms");
    assert!(h.has(&walls), "occupancy answered opened the next section");

    // The roof answered before the walls: the walls are still asked, the section stays.
    h.click(&roof);
    assert!(h.has(&walls), "a required question left keeps the section");
    h.click(&walls);
    assert!(
        h.h.get_by_label(&rooms).is_focused(),
        "the next section opened with the keyboard on its first field"
    );

    // Enter on an empty required field, or on a text that is not a number, keeps the
    // keyboard there.
    h.enter();
    assert!(h.h.get_by_label(&rooms).is_focused(), "empty: still asked");
    h.type_focused(&rooms, "trois");
    h.enter();
    assert!(
        h.h.get_by_label(&rooms).is_focused(),
        "unreadable: still asked"
    );
    h.replace_in(&rooms, "3");
    h.enter();
    assert!(!h.has(&rooms), "answered: the next section opened");
    assert!(h.has(&choice(&q, "d_water_source", "1")));
}

#[test]
fn a_date_of_birth_fills_the_age_until_the_enumerator_changes_it() {
    let dir = tempfile::tempdir().unwrap();
    let q = Q::load();
    let mut h = new_person(dir.path(), &q);
    h.type_focused(&label(&q, "p_name"), "Omar Amrani");
    h.enter();
    h.click(&choice(&q, "p_relationship", "01"));
    h.click(&choice(&q, "p_sex", "1"));
    let birth = label(&q, "p_birth_date");
    let age = label(&q, "p_age");

    // As printed on the identity card; the census reference date is 1 September 2024.
    h.type_focused(&birth, "15/03/1972");
    assert_eq!(h.field_value(&age).as_deref(), Some("52"), "age filled");
    // A corrected date of birth carries a filled age along.
    h.replace_in(&birth, "15/10/1972");
    assert_eq!(h.field_value(&age).as_deref(), Some("51"), "age follows");

    // An age the enumerator typed stays theirs; the disagreement is a soft check.
    h.replace_in(&age, "50");
    h.replace_in(&birth, "15/10/1970");
    assert_eq!(h.field_value(&age).as_deref(), Some("50"), "typed age kept");
    let soft = q.check_message("age_dob_agree");
    assert!(h.has_contains(&soft), "soft check {soft:?} shown");
}

#[test]
fn a_date_of_birth_known_only_by_its_year_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let q = Q::load();
    let mut h = new_person(dir.path(), &q);
    h.type_focused(&label(&q, "p_name"), "Fatima Amrani");
    h.enter();
    h.click(&choice(&q, "p_relationship", "01"));
    h.click(&choice(&q, "p_sex", "2"));
    let birth = label(&q, "p_birth_date");
    let year = label(&q, "p_birth_year");
    let age = label(&q, "p_age");

    // Only the year is known: one tap says the date is unknown, the year is asked next and
    // gives the age at the reference date (1 September 2024).
    h.click("Date inconnue");
    h.type_focused(&year, "1972");
    assert_eq!(
        h.field_value(&age).as_deref(),
        Some("52"),
        "age from the year"
    );

    // The full date found later replaces the year (no longer asked) and the age follows.
    h.replace_in(&birth, "15/10/1972");
    assert!(!h.has(&year), "the year is asked only without a date");
    assert_eq!(h.field_value(&age).as_deref(), Some("51"));
    // (Neither known: Enter twice, and the age is typed — the doorstep flow's persons.)

    // The Tamazight texts are a draft (`translation_status`): the questionnaire says so.
    h.click("ⵜⴰⵎⴰⵣⵉⵖⵜ");
    assert!(h.has_contains("ⴰⵙⵓⵖⵍ ⴰⵎⵣⵡⴰⵔⵓ ⵏ ⵉⵙⵇⵙⵉⵜⵏ"));
    h.click("Français");
    assert!(!h.has_contains("Traduction provisoire"));
}
