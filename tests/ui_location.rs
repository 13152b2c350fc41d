//! Location from the device at the door, driven through the real UI: with a fresh fix from
//! the platform (Android's location service reports into `platform::location::DEVICE`), the
//! dwelling's GPS question offers "use this position"; one tap answers it, with its
//! accuracy, and moves on as a choice does. Its own process: the device feed is global.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod ui_support;

use census::platform::location::{DEVICE, LocationFix};
use ui_support::doorstep::at_dwelling;
use ui_support::{Q, choice, label};

#[test]
fn one_tap_on_the_device_position_answers_the_gps_question_and_moves_on() {
    let dir = tempfile::tempdir().unwrap();
    let q = Q::load();
    let mut h = at_dwelling(dir.path(), "Logement 1.1");
    h.type_in(&label(&q, "d_address"), ", rez-de-chaussée");

    // A fix arrives from the device while the enumerator is at the door.
    let now = chrono::Utc::now().timestamp_millis();
    DEVICE.report(LocationFix::new(31.5204, -7.7671, Some(8.4), now).unwrap());
    h.h.run();
    let (taps, typed) = (h.taps, h.typed);
    h.click("Utiliser cette position (±8 m)");
    assert_eq!(
        (h.taps - taps, h.typed - typed),
        (1, 0),
        "one tap, nothing typed"
    );

    let case = h.state().case_snapshot().unwrap();
    let gps = &case["root"]["answers"]["d_gps"];
    assert_eq!(gps["lat"], 31.5204, "{gps}");
    assert_eq!(gps["lon"], -7.7671, "{gps}");
    assert_eq!(gps["accuracy_m"], 8.4, "{gps}");

    // Moved on: the address and the position answered, the next section opened by itself
    // (on the desktop, without a device fix, this is a "Suivant" tap).
    assert!(!h.has(&label(&q, "d_address")), "the first section is left");
    h.click(&choice(&q, "d_type", "3"));
    let case = h.state().case_snapshot().unwrap();
    assert_eq!(case["root"]["answers"]["d_type"], "3");
}
