//! The whole report in memory, from the frame, the listing and every household's facts: what
//! a tablet computes for its own area, and the reference the server's SQL is tested against.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::assemble::{EnumeratorDayTotal, Gathered, assemble};
use super::facts::Population;
use super::types::{
    Counts, CoverageReport, CoverageRules, DayProgress, FrameBuildingRef, FrameDistrict,
    HouseholdFacts, ListedBuilding, ListedDwelling, status,
};

/// Everything a report is computed from.
#[derive(Debug, Clone, Copy)]
pub struct CoverageInput<'a> {
    /// The districts of the scope.
    pub districts: &'a [FrameDistrict],
    /// Buildings of the cartographic frame.
    pub frame_buildings: &'a [FrameBuildingRef],
    /// Buildings listed.
    pub listed_buildings: &'a [ListedBuilding],
    /// Dwellings listed.
    pub listed_dwellings: &'a [ListedDwelling],
    /// One row per household case.
    pub households: &'a [HouseholdFacts],
}

/// Gathers per-district counts and candidates in memory.
pub fn gather(input: CoverageInput<'_>) -> Gathered {
    let scope: HashSet<&str> = input
        .districts
        .iter()
        .map(|d| d.district_id.as_str())
        .collect();
    let mut counts: BTreeMap<String, Counts> = BTreeMap::new();
    let listed: BTreeSet<(&str, u32)> = input
        .listed_buildings
        .iter()
        .filter(|b| scope.contains(b.district_id.as_str()))
        .map(|b| (b.district_id.as_str(), b.building_number))
        .collect();
    for (district, _) in &listed {
        counts
            .entry((*district).to_owned())
            .or_default()
            .listed_buildings += 1;
    }
    let mut dwellings: BTreeMap<(&str, u32, u32), &str> = BTreeMap::new();
    for d in input.listed_dwellings {
        if scope.contains(d.district_id.as_str()) {
            dwellings.insert(
                (&d.district_id, d.building_number, d.dwelling_number),
                &d.occupancy,
            );
        }
    }
    for ((district, _, _), occupancy) in &dwellings {
        let c = counts.entry((*district).to_owned()).or_default();
        c.listed_dwellings += 1;
        c.occupied_dwellings += u64::from(*occupancy == "occupied");
    }
    let households: Vec<&HouseholdFacts> = input
        .households
        .iter()
        .filter(|h| scope.contains(h.district_id.as_str()))
        .collect();
    let mut with_case: HashSet<(&str, u32, u32)> = HashSet::new();
    let mut buildings_with_case: HashSet<(&str, u32)> = HashSet::new();
    let mut daily: BTreeMap<&str, DayProgress> = BTreeMap::new();
    let mut enumerator_days: BTreeMap<(&str, &str), EnumeratorDayTotal> = BTreeMap::new();
    for h in &households {
        let c = counts.entry(h.district_id.clone()).or_default();
        match h.population {
            Population::Household => c.add_case(&h.status, u64::from(h.persons)),
            Population::Collective => c.add_apart(&h.status, 1, u64::from(h.persons)),
        }
        with_case.insert((&h.district_id, h.building_number, h.dwelling_number));
        buildings_with_case.insert((&h.district_id, h.building_number));
        if h.status == status::COMPLETE
            && let Some(day) = h.last_day.as_deref()
        {
            let d = daily.entry(day).or_insert_with(|| DayProgress {
                day: day.to_owned(),
                completed: 0,
                persons: 0,
            });
            d.completed += 1;
            d.persons += u64::from(h.persons);
            let e = enumerator_days
                .entry((&h.enumerator_id, day))
                .or_insert_with(|| EnumeratorDayTotal {
                    enumerator_id: h.enumerator_id.clone(),
                    day: day.to_owned(),
                    completed: 0,
                    active_seconds: 0,
                });
            e.completed += 1;
            e.active_seconds += h.active_seconds;
        }
    }
    let occupied_without_household = dwellings
        .iter()
        .filter(|(key, occupancy)| **occupancy == "occupied" && !with_case.contains(*key))
        .map(|((d, b, w), _)| ((*d).to_owned(), *b, *w))
        .collect();
    let unvisited_buildings = input
        .frame_buildings
        .iter()
        .filter(|f| scope.contains(f.district_id.as_str()))
        .map(|f| (f.district_id.as_str(), f.building_number))
        .filter(|key| !listed.contains(key) && !buildings_with_case.contains(key))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|(d, b)| (d.to_owned(), b))
        .collect();
    Gathered {
        districts: input.districts.to_vec(),
        counts,
        occupied_without_household,
        unvisited_buildings,
        candidates: households.into_iter().cloned().collect(),
        daily: daily.into_values().collect(),
        enumerator_days: enumerator_days.into_values().collect(),
    }
}

/// The coverage report of `input` under `rules`.
pub fn compute(input: CoverageInput<'_>, rules: CoverageRules) -> CoverageReport {
    assemble(gather(input), rules)
}
