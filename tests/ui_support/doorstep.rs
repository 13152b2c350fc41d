//! The doorstep flow as an enumerator plays it: a typed field gets the keyboard in turn and
//! Enter moves on, a choice moves on, an answered section opens the next one, and a new
//! row (household, person) starts at its first question.

use super::{App, Q, choice, label};

/// The listing's address of the demo district's building 1, which pre-fills its dwellings'.
pub const LISTED_ADDRESS: &str = "Derb Sidi Bouzid n° 3, Aït Ourir";

/// The dwelling's questions from its address (the listing's, completed with `addition`) to
/// its tenure; the last answer opens the dwelling's first household.
pub fn dwelling(h: &mut App<'_>, q: &Q, addition: &str) {
    assert_eq!(
        h.field_value(&label(q, "d_address")).as_deref(),
        Some(LISTED_ADDRESS),
        "the listing's address pre-fills the dwelling's"
    );
    h.type_in(&label(q, "d_address"), addition);
    // No position typed on the desktop (a tablet's "use position" is one tap too).
    h.click("Suivant");
    h.click(&choice(q, "d_type", "3"));
    h.click(&choice(q, "d_occupancy", "1"));
    h.click(&choice(q, "d_wall_material", "1"));
    h.click(&choice(q, "d_roof_material", "1"));
    h.type_focused(&label(q, "d_rooms"), "3");
    h.enter();
    for (question, code) in [
        ("d_water_source", "1"),
        ("d_electricity", "1"),
        ("d_toilet", "1"),
        ("d_cooking_energy", "1"),
    ] {
        h.click(&choice(q, question, code));
    }
    h.click(&choice(q, "d_tenure", "1"));
}

/// The household's questions (no telephone, no death); the last answer opens its first
/// person.
pub fn household(h: &mut App<'_>, q: &Q, respondent: &str, size: &str) {
    h.type_focused(&label(q, "hh_respondent_name"), respondent);
    h.enter();
    h.enter(); // no telephone
    h.type_focused(&label(q, "hh_size_declared"), size);
    h.enter();
    h.click(&choice(q, "hh_any_deaths", "no"));
}

/// A new person's identity section up to the age typed (no date of birth); Enter after
/// the age is the caller's (an age refused or a check raised keeps the person there).
pub fn person_identity(
    h: &mut App<'_>,
    q: &Q,
    name: &str,
    relationship: &str,
    sex: &str,
    age: &str,
) {
    h.type_focused(&label(q, "p_name"), name);
    h.enter();
    h.click(&choice(q, "p_relationship", relationship));
    h.click(&choice(q, "p_sex", sex));
    h.enter(); // date of birth unknown
    h.enter(); // year of birth unknown
    h.type_focused(&label(q, "p_age"), age);
}

/// The status and migration sections of a person (short form), from marital status on.
pub fn person_rest(h: &mut App<'_>, q: &Q, marital: &str, mother: &str, birthplace: &str) {
    h.click(&choice(q, "p_marital", marital));
    h.click(&choice(q, "p_nationality", "1"));
    h.type_focused(&label(q, "p_mother_line"), mother);
    h.enter();
    h.click(&choice(q, "p_birthplace", birthplace));
    h.click(&choice(q, "p_residence_5y", "1"));
    h.click(&choice(q, "p_lived_abroad", "no"));
}

/// The app started on `dir`, unlocked, at the demo district's dwelling `dwelling` (as its
/// button says: `"Logement 1.1"`).
pub fn at_dwelling(dir: &std::path::Path, dwelling: &str) -> App<'static> {
    let mut h = super::start(dir);
    super::unlock(&mut h);
    h.click("Ouvrir 07-041-0012");
    h.click(dwelling);
    h
}

/// The app unlocked at the demo district's dwelling 2.1, recorded as occupied.
pub fn occupied_dwelling(dir: &std::path::Path, q: &Q) -> App<'static> {
    let mut h = at_dwelling(dir, "Logement 2.1");
    h.click("État d'occupation");
    h.click(&choice(q, "d_occupancy", "1"));
    h
}

/// The app at a new first person of a new household of the demo's occupied dwelling 2.1.
pub fn new_person(dir: &std::path::Path, q: &Q) -> App<'static> {
    let mut h = occupied_dwelling(dir, q);
    h.click_contains("Ménages du logement (");
    h.click("Ajouter : Ménage");
    h.click_contains("Membres du ménage (");
    h.click("Ajouter : Personne");
    h
}

/// A new person's identity typed tap by tap (no Enter): a man, head of household, with his
/// age and no date of birth.
pub fn head_of_household(h: &mut App<'_>, q: &Q, name: &str, age: &str) {
    h.type_in(&label(q, "p_name"), name);
    h.click(&choice(q, "p_relationship", "01"));
    h.click(&choice(q, "p_sex", "1"));
    h.type_in(&label(q, "p_age"), age);
}
