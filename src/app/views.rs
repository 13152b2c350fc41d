//! Builds the home and district screens' data from the store.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::i18n::Tr;
use crate::store::{BuildingState, CaseMeta, CaseStatus, Occupancy, Store, StoreError};
use crate::ui::screens::view::{
    BuildingRow, BuildingRowState, DistrictCard, DistrictView, DwellingRow, DwellingStatus,
    HomeView,
};

/// The home screen's data.
pub fn home_view(store: &Store, today: NaiveDate) -> Result<HomeView, StoreError> {
    let mut districts = Vec::new();
    for district in store.districts()? {
        let progress = store.district_progress(&district.district_id, today)?;
        let mut households_done = 0u32;
        for meta in store.list_cases(&district.district_id)? {
            if meta.status == CaseStatus::Complete {
                households_done += households_in_case(store, &meta)?;
            }
        }
        districts.push(DistrictCard {
            code: district.district_id.clone(),
            name: district.name.clone(),
            buildings_listed: progress.buildings_listed,
            buildings_expected: progress.expected_buildings,
            dwellings_listed: progress.dwellings_listed,
            dwellings_expected: progress.expected_dwellings,
            households_done,
            households_expected: progress.expected_households,
            revisits_today: u32::try_from(progress.revisits_due.len()).unwrap_or(u32::MAX),
            sent_back: u32::try_from(store.sent_back_cases(&district.district_id)?.len())
                .unwrap_or(u32::MAX),
        });
    }
    let outbox = u32::try_from(store.outbox_pending()?.len()).unwrap_or(u32::MAX);
    Ok(HomeView {
        districts,
        outbox,
        last_sync: None,
        sync: Default::default(),
    })
}

/// Households of a dwelling case: its rows one level below the dwelling.
fn households_in_case(store: &Store, meta: &CaseMeta) -> Result<u32, StoreError> {
    let stored = store.load_case(meta.case_id)?;
    let n = stored
        .rows
        .iter()
        .filter(|(path, _)| !path.is_empty() && !path.contains('/'))
        .count();
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// The district screen's data.
pub fn district_view(store: &Store, code: &str, tr: &Tr) -> Result<DistrictView, StoreError> {
    let name = store
        .districts()?
        .into_iter()
        .find(|d| d.district_id == code)
        .map(|d| d.name)
        .unwrap_or_default();
    let cases: HashMap<(u32, u32), CaseMeta> = store
        .list_cases(code)?
        .into_iter()
        .map(|m| ((m.building_no, m.dwelling_no), m))
        .collect();
    let sent_back = store.sent_back_cases(code)?;
    let buildings = store
        .buildings(code)?
        .into_iter()
        .map(|b| BuildingRow {
            number: b.building_no,
            address: b.address.clone(),
            gps: b.gps.map(|g| format!("{:.5}, {:.5}", g.lat, g.lon)),
            state: match b.state {
                BuildingState::Listed => BuildingRowState::Listed,
                BuildingState::ToConfirm => BuildingRowState::ToConfirm,
                BuildingState::Demolished => BuildingRowState::Demolished,
            },
            dwellings: b
                .dwellings
                .iter()
                .map(|d| {
                    let meta = cases.get(&(b.building_no, d.dwelling_no));
                    let office_comment = sent_back.get(&(b.building_no, d.dwelling_no)).cloned();
                    let status = match meta.map(|m| m.status) {
                        Some(CaseStatus::InProgress) if office_comment.is_some() => {
                            DwellingStatus::SentBack
                        }
                        Some(CaseStatus::InProgress) => DwellingStatus::InProgress,
                        Some(CaseStatus::Complete) => DwellingStatus::Complete,
                        Some(CaseStatus::Refused) => DwellingStatus::Refused,
                        Some(CaseStatus::Absent) => DwellingStatus::Absent,
                        Some(CaseStatus::Vacant) => DwellingStatus::Vacant,
                        Some(CaseStatus::NotStarted) | None => match d.occupancy {
                            Occupancy::Vacant => DwellingStatus::Vacant,
                            _ => DwellingStatus::NotStarted,
                        },
                    };
                    let occupancy_key = match d.occupancy {
                        Occupancy::Occupied => "occ_occupied",
                        Occupancy::Vacant => "occ_vacant",
                        Occupancy::Secondary => "occ_secondary",
                        Occupancy::Unknown => "occ_other",
                        Occupancy::Collective => "occ_collective",
                    };
                    DwellingRow {
                        building_no: b.building_no,
                        dwelling_no: d.dwelling_no,
                        description: d.description.clone(),
                        occupancy: tr.t(occupancy_key).to_owned(),
                        status,
                        revisit: meta.and_then(|m| m.revisit_at).map(|at| {
                            let date = at.format("%Y-%m-%d").to_string();
                            let time = at.format("%H:%M").to_string();
                            let (date, time) = (tr.ltr(&date), tr.ltr(&time));
                            tr.f("revisit_on", &[("date", &date), ("time", &time)])
                        }),
                        office_comment,
                    }
                })
                .collect(),
        })
        .collect();
    Ok(DistrictView {
        code: code.to_owned(),
        name,
        buildings,
    })
}
