//! The enumerator's app driven through its real UI (egui_kittest, no GPU) on a real
//! encrypted store in a temporary directory: unlock, district, dwelling, a 3-person
//! household to completion, constraint message, soft check, Arabic, restart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod ui_support;

use ui_support::doorstep::at_dwelling;

use ui_support::{Q, choice, doorstep, label, start, start_with, unlock};

#[test]
fn wrong_pin_is_refused_then_the_right_one_opens_home() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = start(dir.path());
    assert!(
        h.has("PIN de démonstration : 280514"),
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
fn the_enrolment_form_says_what_is_missing_before_asking_the_office() {
    let dir = tempfile::tempdir().unwrap();
    let config = census::app::AppConfig::new(dir.path().to_path_buf());
    let mut h = start_with(config.clone());
    assert!(h.has("Enrôler cette tablette"));
    h.type_in("Code PIN", "246813");
    h.type_in("Code PIN (confirmation)", "246813");
    h.click_button("Enrôler");
    assert!(h.has_contains("Indiquez l'adresse du serveur du bureau"));
    h.type_in("Serveur du bureau", "https://census.example.org");
    h.click_button("Enrôler");
    assert!(h.has_contains("Saisissez le code d'enrôlement"));
    h.type_in("Code d'enrôlement", "{\"server_url\": 5}");
    h.click_button("Enrôler");
    assert!(h.has_contains("n'est pas un code d'enrôlement du bureau"));
    h.replace_in("Code d'enrôlement", "K7DQ-2M4P");
    h.replace_in("Code PIN", "123456");
    h.replace_in("Code PIN (confirmation)", "123456");
    h.type_in("Code PIN (confirmation)", "123456");
    h.click_button("Enrôler");
    assert!(h.has_contains("Ce PIN est trop facile à deviner"));
    h.replace_in("Code PIN", "2468");
    h.replace_in("Code PIN (confirmation)", "2468");
    h.click_button("Enrôler");
    assert!(h.has("Le PIN doit comporter au moins 6 chiffres."));
    h.replace_in("Code PIN", "246813");
    h.replace_in("Code PIN (confirmation)", "246814");
    h.click_button("Enrôler");
    assert!(h.has("Les deux codes diffèrent : saisissez deux fois le même PIN."));
    assert!(
        !dir.path().join(census::keys::KEY_FILE_NAME).exists(),
        "nothing is created before the office answers"
    );
}

#[test]
fn repeated_wrong_pins_show_the_waiting_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = start(dir.path());
    for _ in 0..4 {
        h.type_in("Code PIN", "0000");
        h.click_button("Déverrouiller");
    }
    assert!(
        h.has_contains("Trop d'essais : attendez"),
        "the delay before the next attempt is shown"
    );
    // The right PIN is not even tried while the delay runs.
    h.type_in("Code PIN", "280514");
    h.click_button("Déverrouiller");
    assert!(!h.has("Mes districts"));
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
    h.type_in("Date de revisite (JJ/MM/AAAA)", "05/09/2024");
    h.type_in("Heure de revisite (HH:MM)", "18:30");
    h.click_button("Enregistrer");
    assert!(h.has_contains("Revisite le 2024-09-05 18:30"));
    h.click("Retour");
    assert!(h.has("Revisites prévues aujourd'hui : 1"));
}

#[test]
fn a_collective_living_quarter_is_listed_and_opens_the_collective_questionnaire() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = start(dir.path());
    unlock(&mut h);
    h.click("Ouvrir 07-041-0012");
    h.click("Ajouter un logement (1)");
    h.type_in("Adresse", "Internat du collège Ibn Battouta");
    h.click("Logement collectif");
    h.click("Créer");
    assert!(
        h.has_contains("Logement collectif"),
        "the listing says what it is"
    );
    h.click("Logement 1.3");
    assert!(h.has_contains("Nom de l'établissement"));
    h.click_first("Enregistrer et quitter");
    // An ordinary dwelling still opens the household questionnaire.
    h.click("Logement 1.1");
    assert!(!h.has_contains("Nom de l'établissement"));
    h.click_first("Enregistrer et quitter");
    let store = ui_support::open_demo_store(dir.path());
    let kinds: Vec<(u32, String)> = store
        .list_cases("07-041-0012")
        .unwrap()
        .into_iter()
        .map(|c| (c.dwelling_no, c.questionnaire_id))
        .collect();
    assert!(
        kinds.contains(&(3, "collective2024".to_owned())),
        "{kinds:?}"
    );
    assert!(kinds.contains(&(1, "rgph2024".to_owned())), "{kinds:?}");
}

#[test]
fn enumerate_a_household_to_completion_and_find_it_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let q = Q::load();
    let mut h = at_dwelling(dir.path(), "Logement 1.1");

    let (taps, typed, scrolls) = (h.taps, h.typed, h.scrolls);
    fill_dwelling_and_household(&mut h, &q);
    // The doorstep's cost, for the record (not a target asserted here): run with
    // `--nocapture` to read it.
    println!(
        "dwelling + 3-person household at 1280x800: {} taps, {} fields typed, {} taps on a \
         widget off screen (a scroll first)",
        h.taps - taps,
        h.typed - typed,
        h.scrolls - scrolls
    );

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

    // A new app on the same data directory opens on the district it was left on, and finds
    // the case exactly as it was left.
    let mut h = start(dir.path());
    unlock(&mut h);
    h.click_button("Retour");
    assert!(h.has("Ménages recensés : 1 sur 19"));
    h.click("Ouvrir 07-041-0012");
    h.click("Logement 1.1");
    let after = h.state().case_snapshot().expect("a case is open");
    assert_eq!(before, after);
    let address = h.field_value(&label(&q, "d_address"));
    assert_eq!(
        address.as_deref(),
        Some("Derb Sidi Bouzid n° 3, Aït Ourir, rez-de-chaussée")
    );
    h.click_contains("Ménages du logement (1)");
    h.click("1. Ahmed Benali");
    h.click_contains("Membres du ménage (3)");
    assert!(h.has_button_contains("Ahmed Benali"));
    assert!(h.has_button_contains("Youssef Benali"));
}

/// Answers the dwelling, its household and the household's three persons (one soft check
/// confirmed, one out-of-range age corrected) the way an enumerator at the door would: a
/// typed field gets the keyboard in turn and Enter moves on, a choice moves on, a section
/// answered opens the next one, and a new row starts at its first question.
fn fill_dwelling_and_household(h: &mut ui_support::App<'_>, q: &Q) {
    doorstep::dwelling(h, q, ", rez-de-chaussée");
    doorstep::household(h, q, "Ahmed Benali", "3");

    // Three persons; the first with an out-of-range age, corrected.
    doorstep::person_identity(h, q, "Ahmed Benali", "01", "1", "150");
    let message = q.constraint_message("p_age");
    assert!(
        h.has(&message),
        "constraint message {message:?} shown inline"
    );
    h.replace_in(&label(q, "p_age"), "45");
    assert!(!h.has(&message));
    h.enter();
    doorstep::person_rest(h, q, "2", "0", "1");

    // The end of a person offers the next one in one tap.
    h.click("Ajouter : Personne");
    doorstep::person_identity(h, q, "Fatima Zahra Benali", "02", "2", "41");
    h.enter();
    doorstep::person_rest(h, q, "2", "0", "1");

    // A son only 11 years younger than the head: a soft check, confirmed with a note, holds
    // the enumerator on the section until it is.
    h.click("Ajouter : Personne");
    doorstep::person_identity(h, q, "Youssef Benali", "03", "1", "34");
    h.enter();
    let soft = q.check_message("child_of_head_age");
    assert!(h.has_contains(&soft), "soft check {soft:?} shown");
    h.type_in(
        "Pourquoi est-ce correct ?",
        "Fils du premier mariage, âge vérifié sur la CNIE",
    );
    h.click_button("Confirmer");
    assert!(h.has_contains("Confirmé : Fils du premier mariage"));
    h.click_button("Suivant");
    doorstep::person_rest(h, q, "1", "0", "1");
}

/// Fills a data directory for the README screenshots (also an ordinary test):
/// `CENSUS_SCREENSHOT_DIR=/tmp/shots cargo test --test ui_enumerator prepare_screenshot_data`.
#[test]
fn prepare_screenshot_data() {
    // Without the variable it runs as an ordinary test in a temporary directory.
    let scratch = tempfile::tempdir().unwrap();
    let dir = std::env::var("CENSUS_SCREENSHOT_DIR")
        .unwrap_or_else(|_| scratch.path().display().to_string());
    let q = Q::load();
    let mut h = start(std::path::Path::new(&dir));
    unlock(&mut h);
    h.click("Ouvrir 07-041-0012");
    h.click("Logement 1.1");
    fill_dwelling_and_household(&mut h, &q);
}

#[test]
fn each_answer_is_stored_the_moment_it_is_typed_and_idle_means_idle() {
    let dir = tempfile::tempdir().unwrap();
    let q = Q::load();
    let mut first = at_dwelling(dir.path(), "Logement 1.2");
    first.type_in(&label(&q, "d_address"), "Derb Sidi Bouzid n° 3, 1er étage");
    first.click("Suivant");
    first.click(&choice(&q, "d_type", "2"));

    // Nothing changes on screen: no frame asks for another one.
    first.h.step();
    let repaint = first.h.output().viewport_output[&egui::ViewportId::ROOT].repaint_delay;
    assert!(
        repaint > std::time::Duration::from_secs(60),
        "idle frame asked a repaint in {repaint:?}"
    );

    // A second app opened on the same data directory, while the first still shows the case
    // (as after a crash), finds every answer already stored.
    // It reopens the case by itself: the place shown is remembered with the answers.
    let mut second = start(dir.path());
    unlock(&mut second);
    assert_eq!(
        first.state().case_snapshot(),
        second.state().case_snapshot()
    );
    assert!(
        second
            .state()
            .case_snapshot()
            .unwrap()
            .to_string()
            .contains("1er étage")
    );
}

#[test]
fn a_person_removed_stays_removed_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let q = Q::load();
    let mut h = at_dwelling(dir.path(), "Logement 2.1");
    // Households are asked only in an occupied dwelling.
    assert!(!h.has("Ajouter : Ménage"));
    h.click("État d'occupation");
    h.click(&choice(&q, "d_occupancy", "1"));
    h.click_contains("Ménages du logement (");
    h.click("Ajouter : Ménage");
    h.click_contains("Membres du ménage (");
    for name in ["Khadija Amrani", "Omar Amrani"] {
        h.click("Ajouter : Personne");
        h.type_in(&label(&q, "p_name"), name);
        h.back_to_household();
    }
    h.click("Supprimer: Khadija Amrani");
    assert!(
        h.has_contains("Supprimer Khadija Amrani"),
        "removal asks first"
    );
    h.click_button("Confirmer");
    assert!(!h.has_button_contains("Khadija Amrani"));
    assert!(h.has_button_contains("1. Omar Amrani"));
    drop(h);

    // The app reopens the household where it was left.
    let mut h = start(dir.path());
    unlock(&mut h);
    h.click_contains("Membres du ménage (1)");
    assert!(h.has_button_contains("1. Omar Amrani"));
    assert!(!h.has_button_contains("Khadija"));
}
