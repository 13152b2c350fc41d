//! Going on where the enumerator was: after each command the place shown (a district, or a
//! case's row and section) is remembered in the encrypted store when it changed; the unlock
//! reopens it. A restart mid-interview (a flat battery, an update, the app killed in the
//! background) costs the enumerator the PIN, not the way back to the household.

use census_core::engine::RowPath;

use crate::app::state::{AppState, Screen};
use crate::command::Command;
use crate::store::{CasePlace, ResumePlace};
use crate::ui::screens::drafts::Drafts;

/// The place shown now, if it is one to go back to.
fn place_shown(state: &AppState) -> Option<ResumePlace> {
    match (&state.screen, &state.case) {
        (Screen::District(code), _) => Some(ResumePlace {
            district_id: code.clone(),
            case: None,
        }),
        (Screen::Questionnaire, Some(open)) => Some(ResumePlace {
            district_id: open.meta.district_id.clone(),
            case: Some(CasePlace {
                building_no: open.meta.building_no,
                dwelling_no: open.meta.dwelling_no,
                row: open.row.clone(),
                section: open.section,
            }),
        }),
        _ => None,
    }
}

/// Remembers the place shown when it changed (one small write, not one per keystroke).
/// Screens without a place (home, coverage, review) forget it: the next start opens home.
pub fn remember(state: &mut AppState) {
    if state.store.is_none() || matches!(state.screen, Screen::Unlock | Screen::Enrol) {
        return;
    }
    let place = place_shown(state);
    if state.remembered_place == place {
        return;
    }
    let Some(store) = state.store.as_mut() else {
        return;
    };
    match store.set_resume_place(place.as_ref()) {
        Ok(()) => state.remembered_place = place,
        // Not worth a banner: the next start opens the home screen instead.
        Err(e) => crate::logs::store_error("resume_place", &e),
    }
}

/// After the unlock: reopens the place remembered (the district, then the case, its row and
/// section). A place that is gone (a district no longer assigned, a row deleted) opens as
/// far as it still exists.
pub fn resume(state: &mut AppState, drafts: &mut Drafts) {
    let Some(store) = state.store.as_ref() else {
        return;
    };
    let place = match store.resume_place() {
        Ok(place) => place,
        Err(e) => {
            crate::logs::store_error("resume_place", &e);
            None
        }
    };
    state.remembered_place = place.clone();
    let Some(place) = place else {
        return;
    };
    let assigned = store
        .districts()
        .is_ok_and(|all| all.iter().any(|d| d.district_id == place.district_id));
    if !assigned {
        return;
    }
    state.screen = Screen::District(place.district_id);
    let Some(at) = place.case else {
        return;
    };
    super::case::open_case(state, at.building_no, at.dwelling_no);
    let Some(open) = state.case.as_ref() else {
        return;
    };
    if row_exists(&open.case, &at.row) && at.row != open.row {
        super::case::apply(state, drafts, Command::OpenRow(at.row));
    }
    let sections = state.case.as_ref().map_or(0, |open| {
        let q = open.case.questionnaire();
        q.level_of(&open.row)
            .map_or(0, |level| q.level_sections(level).len())
    });
    if at.section > 0 && at.section < sections {
        super::case::apply(state, drafts, Command::OpenSection(at.section));
    }
}

/// Whether `row` is a row of the case (the root, or a row of each roster on its way).
fn row_exists(case: &census_core::engine::Case, row: &RowPath) -> bool {
    let mut parent = RowPath::root();
    for (roster, id) in row.segments() {
        let child = parent.child(roster, *id);
        if !case.rows(&parent, roster).contains(&child) {
            return false;
        }
        parent = child;
    }
    true
}
