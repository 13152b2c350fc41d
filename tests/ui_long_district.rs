//! A district of 400 dwellings: the list draws only the buildings in view, yet every one of
//! them is reached, by search and by scrolling to the end; its dwellings open.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod ui_support;

use census::app::state::Screen;
use census::command::{Command, NewOccupancy};
use egui_kittest::kittest::Queryable;
use ui_support::{start, unlock};

const DISTRICT: &str = "07-041-0012";

#[test]
fn a_400_dwelling_district_draws_what_is_in_view_and_reaches_every_building() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = start(dir.path());
    unlock(&mut h);
    h.click(&format!("Ouvrir {DISTRICT}"));
    let demo = census::demo::demo_assignment().unwrap();
    let district = demo
        .districts
        .iter()
        .find(|d| d.district_id == DISTRICT)
        .unwrap();
    let mut listed: usize = district.buildings.iter().map(|b| b.dwellings.len()).sum();
    let mut last = district
        .buildings
        .iter()
        .map(|b| b.building_no)
        .max()
        .unwrap();
    while listed < 400 {
        last += 1;
        let app = h.h.state_mut();
        app.apply(Command::AddBuilding {
            address: format!("{last} avenue des Essais"),
            lat: "33.5731".into(),
            lon: "-7.5898".into(),
        });
        for d in 0..3 {
            app.apply(Command::AddDwelling {
                building_no: last,
                description: format!("porte {d}"),
                occupancy: NewOccupancy::Occupied,
            });
        }
        listed += 3;
        assert!(app.error().is_none(), "{:?}", app.error());
    }
    h.h.run();
    let last_dwelling = format!("Logement {last}.1");
    assert!(h.has_button("Logement 1.1"));
    assert!(
        !h.has_button(&last_dwelling),
        "the last building, far below, is not drawn"
    );
    let drawn =
        h.h.get_all_by(|n| n.label().is_some_and(|l| l.starts_with("Logement ")))
            .count();
    assert!(drawn < 60, "{drawn} dwelling buttons drawn of {listed}");

    // Search finds it.
    h.type_in("Rechercher", &format!("{last} avenue"));
    assert!(h.has_button(&last_dwelling), "found by its address");
    h.replace_in("Rechercher", "");
    assert!(!h.has_button(&last_dwelling));

    // Scrolling down reaches it (each step scrolls the list by 100 px).
    let mut steps = 0;
    while !h.has_button(&last_dwelling) {
        steps += 1;
        assert!(steps < 2_000, "the end of the list was never reached");
        h.h.get_all_by(|n| n.label().is_some_and(|l| l.starts_with("Logement ")))
            .last()
            .unwrap()
            .scroll_down();
        h.h.run();
    }
    assert!(!h.has_button("Logement 1.1"), "the top has scrolled away");
    h.click_button(&last_dwelling);
    assert!(h.state().error().is_none(), "{:?}", h.state().error());
    assert!(
        !matches!(h.state().screen(), Screen::District(_)),
        "the dwelling's questionnaire opens"
    );
}
