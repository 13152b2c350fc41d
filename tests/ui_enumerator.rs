//! The enumerator's app driven through its real UI (egui_kittest, no GPU) on a real
//! encrypted store in a temporary directory: unlock, district, dwelling, a 3-person
//! household to completion, constraint message, soft check, Arabic, restart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod ui_support;

use ui_support::{Q, choice, label, start, unlock};

#[test]
fn wrong_pin_is_refused_then_the_right_one_opens_home() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = start(dir.path());
    assert!(
        h.has("PIN de démonstration : 1234"),
        "the demo PIN is shown"
    );
    h.type_in("Code PIN", "9999");
    h.click_button("Déverrouiller");
    assert!(h.has("PIN incorrect. Vérifiez-le et réessayez."));
    assert!(!h.has("Mes districts"));
    unlock(&mut h);
    assert!(h.has("Mes districts"));
    assert!(h.has("Constructions listées : 12 sur 12"));
}

#[test]
fn add_a_dwelling_and_record_an_absence() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = start(dir.path());
    unlock(&mut h);
    h.click("Ouvrir 07-041-0012");
    assert!(h.has_button("Logement 1.1"));
    assert!(!h.has_button("Logement 1.3"));
    h.click("Ajouter un logement (1)");
    h.type_in("Adresse", "2e étage, porte gauche");
    h.click("Créer");
    assert!(h.has_button("Logement 1.3"), "the new dwelling is listed");
    h.click("Absent: Logement 1.2");
    h.type_in("Date de revisite (AAAA-MM-JJ)", "2024-09-05");
    h.type_in("Heure de revisite (HH:MM)", "18:30");
    h.click("Créer");
    assert!(h.has_contains("Revisite le 2024-09-05 18:30"));
    h.click("Retour");
    assert!(h.has("Revisites prévues aujourd'hui : 1"));
}

#[test]
fn enumerate_a_household_to_completion_and_find_it_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let q = Q::load();
    let mut h = start(dir.path());
    unlock(&mut h);
    h.click("Ouvrir 07-041-0012");
    h.click("Logement 1.1");

    fill_dwelling_and_household(&mut h, &q);

    // The summary: nothing blocks, complete.
    h.click_contains("Récapitulatif (");
    assert!(
        h.has("Rien n'empêche de terminer."),
        "nothing blocks completion"
    );
    h.click_button("Terminer");
    assert!(h.has("Questionnaire terminé."));

    // Arabic and back.
    h.click("العربية");
    assert!(h.has("ما يمنع الإكمال"));
    assert!(h.has("اكتملت الاستمارة."));
    h.click("Français");
    assert!(h.has("Questionnaire terminé."));

    let before = h.state().case_snapshot().expect("a case is open");
    h.click_first("Enregistrer et quitter");
    assert!(h.has_contains("Terminé"));
    drop(h);

    // A new app on the same data directory finds the case exactly as it was left.
    let mut h = start(dir.path());
    unlock(&mut h);
    assert!(h.has("Ménages recensés : 1 sur 19"));
    h.click("Ouvrir 07-041-0012");
    h.click("Logement 1.1");
    let after = h.state().case_snapshot().expect("a case is open");
    assert_eq!(before, after);
    let address = h.field_value(&label(&q, "d_address"));
    assert_eq!(
        address.as_deref(),
        Some("Derb Sidi Bouzid n° 3, rez-de-chaussée")
    );
    h.click_contains("Ménages du logement (1)");
    h.click("1. Ahmed Benali");
    h.click_contains("Membres du ménage (3)");
    assert!(h.has_button_contains("Ahmed Benali"));
    assert!(h.has_button_contains("Youssef Benali"));
}

/// Answers the dwelling, adds a household and its three persons (one soft check confirmed,
/// one out-of-range age corrected).
fn fill_dwelling_and_household(h: &mut ui_support::App<'_>, q: &Q) {
    // The dwelling.
    h.type_in(
        &label(q, "d_address"),
        "Derb Sidi Bouzid n° 3, rez-de-chaussée",
    );
    h.click("Suivant");
    h.click(&choice(q, "d_type", "3"));
    h.click("Suivant");
    h.click(&choice(q, "d_occupancy", "1"));
    h.click("Suivant");
    h.click(&choice(q, "d_wall_material", "1"));
    h.click(&choice(q, "d_roof_material", "1"));
    h.click("Suivant");
    h.type_in(&label(q, "d_rooms"), "3");
    h.click("Suivant");
    for (question, code) in [
        ("d_water_source", "1"),
        ("d_electricity", "1"),
        ("d_toilet", "1"),
        ("d_cooking_energy", "1"),
    ] {
        h.click(&choice(q, question, code));
    }
    h.click("Suivant");
    h.click(&choice(q, "d_tenure", "1"));
    h.click("Suivant");

    // The household.
    h.click("Ajouter : Ménage");
    h.type_in(&label(q, "hh_respondent_name"), "Ahmed Benali");
    h.click("Suivant");
    h.type_in(&label(q, "hh_size_declared"), "3");
    h.click("Suivant");
    h.click(&choice(q, "hh_any_deaths", "no"));
    h.click("Suivant");

    // Three persons; the first with an out-of-range age, corrected.
    h.click("Ajouter : Personne");
    h.type_in(&label(q, "p_name"), "Ahmed Benali");
    h.click(&choice(q, "p_relationship", "01"));
    h.click(&choice(q, "p_sex", "1"));
    h.type_in(&label(q, "p_age"), "150");
    let message = q.constraint_message("p_age");
    assert!(
        h.has(&message),
        "constraint message {message:?} shown inline"
    );
    h.replace_in(&label(q, "p_age"), "45");
    assert!(!h.has(&message));
    person_rest(h, q, "2", "0", "1");

    h.back_to_household();
    h.click("Ajouter : Personne");
    h.type_in(&label(q, "p_name"), "Fatima Zahra Benali");
    h.click(&choice(q, "p_relationship", "02"));
    h.click(&choice(q, "p_sex", "2"));
    h.type_in(&label(q, "p_age"), "41");
    person_rest(h, q, "2", "0", "1");

    // A son only 11 years younger than the head: a soft check, confirmed with a note.
    h.back_to_household();
    h.click("Ajouter : Personne");
    h.type_in(&label(q, "p_name"), "Youssef Benali");
    h.click(&choice(q, "p_relationship", "03"));
    h.click(&choice(q, "p_sex", "1"));
    h.type_in(&label(q, "p_age"), "34");
    let soft = q.check_message("child_of_head_age");
    assert!(h.has_contains(&soft), "soft check {soft:?} shown");
    h.type_in(
        "Pourquoi est-ce correct ?",
        "Fils du premier mariage, âge vérifié sur la CNIE",
    );
    h.click_button("Confirmer");
    assert!(h.has_contains("Confirmé : Fils du premier mariage"));
    person_rest(h, q, "1", "0", "1");
}

/// Fills a data directory for the README screenshots (run on demand):
/// `CENSUS_SCREENSHOT_DIR=/tmp/shots cargo test --test ui_enumerator -- --ignored`.
#[test]
#[ignore]
fn prepare_screenshot_data() {
    let Ok(dir) = std::env::var("CENSUS_SCREENSHOT_DIR") else {
        return;
    };
    let q = Q::load();
    let mut h = start(std::path::Path::new(&dir));
    unlock(&mut h);
    h.click("Ouvrir 07-041-0012");
    h.click("Logement 1.1");
    fill_dwelling_and_household(&mut h, &q);
}

/// The status and migration sections of a person (short form).
fn person_rest(h: &mut ui_support::App<'_>, q: &Q, marital: &str, mother: &str, birthplace: &str) {
    h.click("Suivant");
    h.click(&choice(q, "p_marital", marital));
    h.click(&choice(q, "p_nationality", "1"));
    h.type_in(&label(q, "p_mother_line"), mother);
    h.click("Suivant");
    h.click(&choice(q, "p_birthplace", birthplace));
    h.click(&choice(q, "p_residence_5y", "1"));
    h.click(&choice(q, "p_lived_abroad", "no"));
}
