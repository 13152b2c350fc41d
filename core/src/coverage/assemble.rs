//! Turns what was gathered per district (by a database's aggregates, or by [`super::compute`]
//! in memory) into the report: rolls counts up the hierarchy, checks the schedule, and runs
//! the duplicate and suspicion detectors on the candidate cases.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::detect::{find_duplicates, find_suspicious};
use super::types::{
    AreaCoverage, Counts, CoverageReport, CoverageRules, DayProgress, EnumeratorDay, FrameDistrict,
    HouseholdFacts, Level, Omission, OmissionKind, REPORT_FORMAT, REPORT_FORMAT_VERSION,
};

/// Households completed by one enumerator on one day, with their active time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumeratorDayTotal {
    /// Enumerator.
    pub enumerator_id: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Households completed.
    pub completed: u64,
    /// Their active seconds in all.
    pub active_seconds: u64,
}

/// What a report is made from.
#[derive(Debug, Clone, Default)]
pub struct Gathered {
    /// The districts of the scope.
    pub districts: Vec<FrameDistrict>,
    /// Per district id: listing and case counts (the expected counts are taken from the
    /// frame here).
    pub counts: BTreeMap<String, Counts>,
    /// Dwellings listed as occupied with no household case: (district, building, dwelling).
    pub occupied_without_household: Vec<(String, u32, u32)>,
    /// Frame buildings neither listed nor holding a case: (district, building).
    pub unvisited_buildings: Vec<(String, u32)>,
    /// Cases that may be duplicates or suspicious (any superset will do).
    pub candidates: Vec<HouseholdFacts>,
    /// Completed households per day.
    pub daily: Vec<DayProgress>,
    /// Completed households per enumerator per day.
    pub enumerator_days: Vec<EnumeratorDayTotal>,
}

/// The share of the enumeration period elapsed before `rules.today` — whole days already
/// worked, so nobody is behind on the first day (0 up to the first day or when a date does
/// not parse, 1 after the end).
pub fn elapsed_share(rules: &CoverageRules) -> f64 {
    let parse = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let (Some(start), Some(today)) = (parse(&rules.census_start), parse(&rules.today)) else {
        return 0.0;
    };
    if rules.census_days == 0 {
        return 0.0;
    }
    let days = (today - start).num_days();
    (days as f64 / f64::from(rules.census_days)).clamp(0.0, 1.0)
}

/// Whether a district with `counts` is behind schedule.
pub fn behind_schedule(counts: &Counts, elapsed: f64, rules: &CoverageRules) -> bool {
    counts.expected_households > 0
        && elapsed > 0.0
        && counts.finished_share() < elapsed * rules.schedule_margin
}

/// The report.
pub fn assemble(gathered: Gathered, rules: CoverageRules) -> CoverageReport {
    let Gathered {
        mut districts,
        counts,
        occupied_without_household,
        unvisited_buildings,
        candidates,
        mut daily,
        enumerator_days,
    } = gathered;
    districts.sort_by(|a, b| a.district_id.cmp(&b.district_id));
    districts.dedup_by(|a, b| a.district_id == b.district_id);
    let elapsed = elapsed_share(&rules);

    let mut areas: BTreeMap<(Level, String), AreaCoverage> = BTreeMap::new();
    let mut totals = Counts::default();
    let mut omissions = Vec::new();
    for district in &districts {
        let mut c = counts
            .get(&district.district_id)
            .copied()
            .unwrap_or_default();
        c.expected_buildings = u64::from(district.expected_buildings);
        c.expected_dwellings = u64::from(district.expected_dwellings);
        c.expected_households = u64::from(district.expected_households);
        let behind = behind_schedule(&c, elapsed, &rules);
        if behind {
            omissions.push(Omission {
                kind: OmissionKind::DistrictBehindSchedule,
                district_id: district.district_id.clone(),
                building_number: None,
                dwelling_number: None,
                progress: Some((round3(c.finished_share()), round3(elapsed))),
            });
        }
        totals.add(&c);
        for level in Level::ALL {
            let id = district.area_id(level).to_owned();
            let area = areas
                .entry((level, id.clone()))
                .or_insert_with(|| AreaCoverage {
                    level,
                    id,
                    districts: 0,
                    counts: Counts::default(),
                    districts_behind: 0,
                });
            area.districts += 1;
            area.counts.add(&c);
            area.districts_behind += u32::from(behind);
        }
    }

    let in_scope: BTreeMap<&str, &FrameDistrict> = districts
        .iter()
        .map(|d| (d.district_id.as_str(), d))
        .collect();
    let candidates: Vec<HouseholdFacts> = candidates
        .into_iter()
        .filter(|f| in_scope.contains_key(f.district_id.as_str()))
        .collect();
    for (district_id, building, dwelling) in occupied_without_household {
        if in_scope.contains_key(district_id.as_str()) {
            omissions.push(Omission {
                kind: OmissionKind::OccupiedDwellingWithoutHousehold,
                district_id,
                building_number: Some(building),
                dwelling_number: Some(dwelling),
                progress: None,
            });
        }
    }
    for (district_id, building) in unvisited_buildings {
        if in_scope.contains_key(district_id.as_str()) {
            omissions.push(Omission {
                kind: OmissionKind::FrameBuildingNotVisited,
                district_id,
                building_number: Some(building),
                dwelling_number: None,
                progress: None,
            });
        }
    }
    omissions.sort_by(|a, b| {
        (&a.district_id, a.kind, a.building_number, a.dwelling_number).cmp(&(
            &b.district_id,
            b.kind,
            b.building_number,
            b.dwelling_number,
        ))
    });

    daily.sort_by(|a, b| a.day.cmp(&b.day));
    let mut enumerators: Vec<EnumeratorDay> = enumerator_days
        .into_iter()
        .filter(|e| e.completed > 0)
        .map(|e| EnumeratorDay {
            mean_minutes: (e.active_seconds as f64 / e.completed as f64 / 6.0).round() / 10.0,
            enumerator_id: e.enumerator_id,
            day: e.day,
            completed: e.completed,
        })
        .collect();
    enumerators.sort_by(|a, b| (&a.enumerator_id, &a.day).cmp(&(&b.enumerator_id, &b.day)));

    let duplicates = find_duplicates(&candidates, &rules);
    let suspicious = find_suspicious(&candidates, &in_scope, &rules);
    CoverageReport {
        format: REPORT_FORMAT.to_owned(),
        format_version: REPORT_FORMAT_VERSION,
        rules,
        totals,
        areas: areas.into_values().collect(),
        omissions,
        duplicates,
        suspicious,
        daily,
        enumerators,
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
