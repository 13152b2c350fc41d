//! District commands: adding buildings and dwellings, recording visits without interview.

use std::sync::Arc;

use census_core::GpsPoint;
use census_core::coverage::Population;
use census_core::load::Questionnaire;
use chrono::NaiveTime;

use crate::app::state::{AppState, Screen};
use crate::command::{NewOccupancy, VisitOutcome};
use crate::i18n::Tr;
use crate::questionnaires::NewCaseProblem;
use crate::store::{
    Building, BuildingState, CaseStatus, Dwelling, EventContext, NewCase, Occupancy, Store,
};
use crate::ui::screens::drafts::{DistrictDialog, Drafts};

fn district_code(state: &AppState) -> Option<String> {
    match &state.screen {
        Screen::District(code) => Some(code.clone()),
        _ => None,
    }
}

/// Adds a building typed by hand (address, GPS point).
pub fn add_building(
    state: &mut AppState,
    drafts: &mut Drafts,
    address: &str,
    lat: &str,
    lon: &str,
) {
    let tr = Tr {
        strings: &state.strings,
        lang: state.lang,
    };
    let Some(code) = district_code(state) else {
        return;
    };
    if address.is_empty() {
        drafts.form_error = Some(tr.t("address_missing").to_owned());
        return;
    }
    let gps = match parse_gps(lat, lon) {
        // Nothing typed: the device's position, when it has a fresh one.
        Ok(None) => crate::platform::location::current().map(|fix| fix.gps()),
        Ok(gps) => gps,
        Err(()) => {
            drafts.form_error = Some(tr.t("bad_gps").to_owned());
            return;
        }
    };
    let Some(store) = state.store.as_mut() else {
        return;
    };
    let result = store.buildings(&code).and_then(|existing| {
        let building_no = existing.iter().map(|b| b.building_no).max().unwrap_or(0) + 1;
        store.add_building(
            &code,
            &Building {
                building_no,
                address: address.to_owned(),
                gps,
                state: BuildingState::Listed,
                dwellings: Vec::new(),
            },
        )
    });
    match result {
        Ok(()) => {
            drafts.dialog = DistrictDialog::None;
            drafts.form_error = None;
            drafts.clear_prefix("building.");
        }
        Err(e) => {
            crate::logs::store_error("district", &e);
            drafts.form_error = Some(tr.f("store_failed", &[("detail", &e.message(&tr))]));
        }
    }
}

fn parse_gps(lat: &str, lon: &str) -> Result<Option<GpsPoint>, ()> {
    if lat.is_empty() && lon.is_empty() {
        return Ok(None);
    }
    let lat: f64 = lat.replace(',', ".").parse().map_err(|_| ())?;
    let lon: f64 = lon.replace(',', ".").parse().map_err(|_| ())?;
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(());
    }
    Ok(Some(GpsPoint {
        lat,
        lon,
        accuracy_m: None,
    }))
}

/// Adds a dwelling to a building.
pub fn add_dwelling(
    state: &mut AppState,
    drafts: &mut Drafts,
    building_no: u32,
    description: &str,
    occupancy: NewOccupancy,
) {
    let tr = Tr {
        strings: &state.strings,
        lang: state.lang,
    };
    let Some(code) = district_code(state) else {
        return;
    };
    let Some(store) = state.store.as_mut() else {
        return;
    };
    let result = store.buildings(&code).and_then(|buildings| {
        let dwelling_no = buildings
            .iter()
            .find(|b| b.building_no == building_no)
            .and_then(|b| b.dwellings.iter().map(|d| d.dwelling_no).max())
            .unwrap_or(0)
            + 1;
        let occupancy = match occupancy {
            NewOccupancy::Occupied => Occupancy::Occupied,
            NewOccupancy::Vacant => Occupancy::Vacant,
            NewOccupancy::Secondary => Occupancy::Secondary,
            NewOccupancy::Collective => Occupancy::Collective,
        };
        store.add_dwelling(
            &code,
            building_no,
            &Dwelling {
                dwelling_no,
                occupancy,
                description: description.to_owned(),
            },
        )
    });
    match result {
        Ok(()) => {
            drafts.dialog = DistrictDialog::None;
            drafts.form_error = None;
            drafts.clear_prefix("dwelling.");
        }
        Err(e) => {
            crate::logs::store_error("district", &e);
            drafts.form_error = Some(tr.f("store_failed", &[("detail", &e.message(&tr))]));
        }
    }
}

/// Confirms a building (with a corrected address) or marks it demolished.
pub fn set_building_state(
    state: &mut AppState,
    drafts: &mut Drafts,
    building_no: u32,
    new_state: BuildingState,
    address: Option<&str>,
) {
    let tr = Tr {
        strings: &state.strings,
        lang: state.lang,
    };
    let Some(code) = district_code(state) else {
        return;
    };
    let address = address.map(str::trim);
    if address == Some("") {
        drafts.form_error = Some(tr.t("address_missing").to_owned());
        return;
    }
    let Some(store) = state.store.as_mut() else {
        return;
    };
    match store.set_building_state(&code, building_no, new_state, address) {
        Ok(()) => {
            drafts.dialog = DistrictDialog::None;
            drafts.form_error = None;
            drafts.clear_prefix("building.");
        }
        Err(e) => {
            crate::logs::store_error("district", &e);
            drafts.form_error = Some(tr.f("store_failed", &[("detail", &e.message(&tr))]));
        }
    }
}

/// Records a refusal or an absence (with its revisit appointment) on the dwelling's case,
/// creating the case when the dwelling has none yet.
#[allow(clippy::too_many_arguments)]
pub fn record_visit(
    state: &mut AppState,
    drafts: &mut Drafts,
    building_no: u32,
    dwelling_no: u32,
    outcome: VisitOutcome,
    date: &str,
    time: &str,
    note: &str,
) {
    let tr = Tr {
        strings: &state.strings,
        lang: state.lang,
    };
    let revisit = if date.is_empty() {
        None
    } else {
        let Some(day) = census_core::typed_input::read_date(date) else {
            drafts.form_error = Some(tr.t("bad_date").to_owned());
            return;
        };
        let at = if time.is_empty() {
            NaiveTime::from_hms_opt(9, 0, 0)
        } else {
            NaiveTime::parse_from_str(&census_core::typed_input::ascii_digits(time), "%H:%M").ok()
        };
        let Some(at) = at else {
            drafts.form_error = Some(tr.t("bad_time").to_owned());
            return;
        };
        Some(day.and_time(at))
    };
    let (status, revisit) = match outcome {
        VisitOutcome::Refused => (CaseStatus::Refused, None),
        VisitOutcome::Absent => (CaseStatus::Absent, revisit),
    };
    let Some(code) = district_code(state) else {
        return;
    };
    let (qid, qversion) = match dwelling_questionnaire(state, &code, building_no, dwelling_no) {
        Ok(q) => (q.id().to_owned(), q.version().to_owned()),
        Err(message) => {
            drafts.form_error = Some(message);
            return;
        }
    };
    let Some(store) = state.store.as_mut() else {
        return;
    };
    let ctx = EventContext {
        screen: format!("district/{code}/visit {note}").trim().to_owned(),
        gps: crate::platform::location::current().map(|fix| fix.gps()),
    };
    let result = find_or_create_case(
        store,
        &code,
        building_no,
        dwelling_no,
        &qid,
        &qversion,
        &ctx,
    )
    .and_then(|case_id| store.set_status(case_id, status, revisit, &ctx));
    match result {
        Ok(_) => {
            drafts.dialog = DistrictDialog::None;
            drafts.form_error = None;
            drafts.clear_prefix("visit.");
        }
        Err(e) => {
            crate::logs::store_error("district", &e);
            drafts.form_error = Some(tr.f("store_failed", &[("detail", &e.message(&tr))]));
        }
    }
}

/// The questionnaire a dwelling's case opens with: the one its case was started with, else
/// the one the district's new cases of its population take (collective for a collective
/// living quarter). `Err` holds the enumerator's message.
pub fn dwelling_questionnaire(
    state: &AppState,
    district: &str,
    building_no: u32,
    dwelling_no: u32,
) -> Result<Arc<Questionnaire>, String> {
    let tr = Tr {
        strings: &state.strings,
        lang: state.lang,
    };
    let store_failed =
        |e: &dyn std::fmt::Display| tr.f("store_failed", &[("detail", &e.to_string())]);
    let Some(store) = state.store.as_ref() else {
        return Err(tr.t("store_closed").to_owned());
    };
    let cases = store.list_cases(district).map_err(|e| store_failed(&e))?;
    if let Some(meta) = cases
        .iter()
        .find(|m| m.building_no == building_no && m.dwelling_no == dwelling_no)
    {
        return state
            .questionnaires
            .get(&meta.questionnaire_id, &meta.questionnaire_version)
            .map_err(|problem| problem.message(&tr));
    }
    let collective = store
        .buildings(district)
        .map_err(|e| store_failed(&e))?
        .iter()
        .filter(|b| b.building_no == building_no)
        .flat_map(|b| &b.dwellings)
        .any(|d| d.dwelling_no == dwelling_no && d.occupancy == Occupancy::Collective);
    let population = if collective {
        Population::Collective
    } else {
        Population::Household
    };
    state
        .questionnaires
        .for_new_case(store, district, population)
        .map_err(|problem| match problem {
            NewCaseProblem::Questionnaire(p) => p.message(&tr),
            NewCaseProblem::Store(e) => store_failed(&e),
        })
}

/// The case of a dwelling, created (short form unless sampled) when it has none.
pub fn find_or_create_case(
    store: &mut Store,
    district: &str,
    building_no: u32,
    dwelling_no: u32,
    questionnaire_id: &str,
    questionnaire_version: &str,
    ctx: &EventContext,
) -> Result<crate::store::CaseId, crate::store::StoreError> {
    let cases = store.list_cases(district)?;
    if let Some(meta) = cases
        .iter()
        .find(|m| m.building_no == building_no && m.dwelling_no == dwelling_no)
    {
        return Ok(meta.case_id);
    }
    let sequence = u32::try_from(cases.len())
        .unwrap_or(u32::MAX)
        .saturating_add(1);
    let long_form = store
        .districts()?
        .iter()
        .find(|d| d.district_id == district)
        .and_then(|d| d.sampling.select(sequence).ok())
        .is_some_and(|s| s.selected);
    store.create_case(
        &NewCase {
            questionnaire_id: questionnaire_id.to_owned(),
            questionnaire_version: questionnaire_version.to_owned(),
            district_id: district.to_owned(),
            building_no,
            dwelling_no,
            household_no: 1,
            long_form,
        },
        ctx,
    )
}
