//! The in-memory report on generated areas: finds every planted problem, flags nothing where
//! none was planted, and rolls counts up consistently.

use super::synthetic::{Area, CENSUS_START, REPORT_DAY, Spec};
use super::*;

fn spec(plant: bool) -> Spec {
    Spec {
        seed: 7,
        districts: 12,
        buildings: 12,
        dwellings: 2,
        plant,
    }
}

fn report_of(area: &Area) -> CoverageReport {
    area.report(CoverageRules::new(CENSUS_START, REPORT_DAY))
}

#[test]
fn a_clean_area_raises_nothing() {
    let area = Area::generate(spec(false));
    let report = report_of(&area);
    assert!(report.omissions.is_empty(), "{:?}", report.omissions);
    assert!(report.duplicates.is_empty(), "{:?}", report.duplicates);
    assert!(report.suspicious.is_empty(), "{:?}", report.suspicious);
    assert_eq!(report.totals.households, area.households.len() as u64);
}

#[test]
fn every_planted_problem_is_found_and_nothing_else() {
    let area = Area::generate(spec(true));
    let report = report_of(&area);
    let planted = &area.planted;

    let found = |kind: OmissionKind| -> Vec<&Omission> {
        report.omissions.iter().filter(|o| o.kind == kind).collect()
    };
    let omitted: Vec<(String, u32, u32)> = found(OmissionKind::OccupiedDwellingWithoutHousehold)
        .iter()
        .map(|o| {
            (
                o.district_id.clone(),
                o.building_number.unwrap_or(0),
                o.dwelling_number.unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(omitted, planted.omitted_dwellings);
    let unvisited: Vec<(String, u32)> = found(OmissionKind::FrameBuildingNotVisited)
        .iter()
        .map(|o| (o.district_id.clone(), o.building_number.unwrap_or(0)))
        .collect();
    assert_eq!(unvisited, planted.unvisited_buildings);
    let behind: Vec<String> = found(OmissionKind::DistrictBehindSchedule)
        .iter()
        .map(|o| o.district_id.clone())
        .collect();
    assert_eq!(behind, planted.behind);

    let duplicates: Vec<(DuplicateKind, Vec<uuid::Uuid>)> = report
        .duplicates
        .iter()
        .map(|g| (g.kind, g.case_ids.clone()))
        .collect();
    assert_eq!(duplicates, planted.duplicates);
    let nearby = report
        .duplicates
        .iter()
        .find(|g| g.kind == DuplicateKind::SameHeadNearby);
    assert_eq!(
        nearby.map(|g| g.district_ids.clone()),
        Some(vec!["D00006".to_owned(), "D00007".to_owned()])
    );

    let of = |kind: SuspicionKind| -> Vec<uuid::Uuid> {
        report
            .suspicious
            .iter()
            .filter(|s| s.kind == kind)
            .map(|s| s.case_id)
            .collect()
    };
    assert_eq!(of(SuspicionKind::TooShort), planted.too_short);
    assert_eq!(of(SuspicionKind::OutsideDistrict), planted.outside);
}

#[test]
fn counts_roll_up_the_hierarchy() {
    let area = Area::generate(spec(true));
    let report = report_of(&area);
    let districts: Vec<&AreaCoverage> = report.level(Level::District).collect();
    assert_eq!(districts.len(), 12);
    for level in Level::ALL {
        let mut sum = Counts::default();
        for a in report.level(level) {
            sum.add(&a.counts);
        }
        assert_eq!(sum, report.totals, "{level:?}");
    }
    let national = report.area(Level::National, "national");
    assert_eq!(national.map(|a| a.districts), Some(12));
    assert_eq!(report.level(Level::ControlSector).count(), 3);
    let persons: u64 = area
        .facts()
        .iter()
        .filter(|f| matches!(f.status.as_str(), status::COMPLETE | status::IN_PROGRESS))
        .map(|f| u64::from(f.persons))
        .sum();
    assert_eq!(report.totals.persons, persons);
    let completed: u64 = report.daily.iter().map(|d| d.completed).sum();
    assert_eq!(completed, report.totals.complete);
    let by_enumerator: u64 = report.enumerators.iter().map(|e| e.completed).sum();
    assert_eq!(by_enumerator, report.totals.complete);
    assert_eq!(
        report.totals.listed_dwellings,
        area.listed_dwellings.len() as u64
    );
}

#[test]
fn a_scope_sees_only_its_districts() {
    let area = Area::generate(spec(true));
    let facts = area.facts();
    let scope: Vec<FrameDistrict> = area.districts[..4].to_vec();
    let report = compute(
        CoverageInput {
            districts: &scope,
            frame_buildings: &area.frame_buildings,
            listed_buildings: &area.listed_buildings,
            listed_dwellings: &area.listed_dwellings,
            households: &facts,
        },
        CoverageRules::new(CENSUS_START, REPORT_DAY),
    );
    assert_eq!(report.level(Level::District).count(), 4);
    assert!(
        report
            .omissions
            .iter()
            .all(|o| o.district_id.as_str() < "D00004")
    );
    assert!(
        report
            .duplicates
            .iter()
            .all(|g| g.district_ids.iter().all(|d| d.as_str() < "D00004"))
    );
}

#[test]
fn publications_are_csv_of_the_report() {
    let area = Area::generate(spec(false));
    let report = report_of(&area);
    let population = publish::population_csv(&report);
    let mut lines = population.lines();
    assert_eq!(
        lines.next(),
        Some("level,area_id,districts,households,persons,establishments,persons_apart")
    );
    let national = lines.next().unwrap_or_default();
    let t = &report.totals;
    assert_eq!(
        national,
        format!(
            "national,national,12,{},{},0,0",
            t.complete + t.in_progress,
            t.persons
        )
    );
    let frame = publish::sampling_frame_csv(&report, &Default::default(), &Default::default());
    assert_eq!(frame.lines().count(), 13);
    assert_eq!(publish::csv_field("a,\"b\""), "\"a,\"\"b\"\"\"");
}

#[test]
fn the_report_round_trips_through_json() {
    let area = Area::generate(spec(true));
    let report = report_of(&area);
    let text = serde_json::to_string(&report).unwrap_or_default();
    let back: CoverageReport = serde_json::from_str(&text).unwrap();
    assert_eq!(back, report);
}

#[test]
fn nobody_is_behind_on_the_first_day_and_an_idle_district_is_after_a_week() {
    let idle = Counts {
        expected_households: 200,
        ..Counts::default()
    };
    let on = |today: &str| {
        let rules = CoverageRules::new("2024-09-01", today);
        assemble::behind_schedule(&idle, assemble::elapsed_share(&rules), &rules)
    };
    assert!(!on("2024-08-30"), "before the start");
    assert!(!on("2024-09-01"), "first day");
    assert!(on("2024-09-08"), "a week without a finished household");
    let done = Counts {
        complete: 60,
        ..idle
    };
    let rules = CoverageRules::new("2024-09-01", "2024-09-08");
    assert!(!assemble::behind_schedule(
        &done,
        assemble::elapsed_share(&rules),
        &rules
    ));
}

#[test]
fn an_interview_in_the_neighbours_corner_is_outside_an_l_shaped_district_only() {
    let mut area = Area::generate(spec(false));
    let district = area.districts[0].clone();
    let (ring, corner) = area.l_shaped(0).unwrap();
    let l = geo::Boundary::new(vec![ring]).unwrap();
    let h = area
        .households
        .iter_mut()
        .find(|h| h.district_id == district.district_id)
        .unwrap();
    h.gps = corner;
    let moved = h.case_id;
    let outside = |area: &Area| -> Vec<uuid::Uuid> {
        report_of(area)
            .suspicious
            .iter()
            .filter(|s| s.kind == SuspicionKind::OutsideDistrict)
            .map(|s| s.case_id)
            .collect()
    };
    assert!(outside(&area).is_empty(), "inside the box");
    area.districts[0].boundary = Some(l);
    assert_eq!(outside(&area), vec![moved], "outside the boundary");
}

#[test]
fn residents_of_collective_quarters_are_counted_apart() {
    let area = Area::generate(spec(false));
    let mut facts = area.facts();
    let before = compute(
        CoverageInput {
            districts: &area.districts,
            frame_buildings: &area.frame_buildings,
            listed_buildings: &area.listed_buildings,
            listed_dwellings: &area.listed_dwellings,
            households: &facts,
        },
        CoverageRules::new(CENSUS_START, REPORT_DAY),
    );
    // A boarding school of 120 residents, complete, and a hotel in progress with 7 guests,
    // in the first district; a refused establishment counts no persons.
    let district = area.districts[0].district_id.clone();
    let establishment = |n: u32, status: &str, persons: u32| HouseholdFacts {
        case_id: uuid::Uuid::from_u128(0xC0_0000 + u128::from(n)),
        district_id: district.clone(),
        building_number: 900 + n,
        dwelling_number: 1,
        household_number: None,
        status: status.into(),
        enumerator_id: "E-collective".into(),
        persons,
        head_key: None,
        gps: None,
        last_day: None,
        active_seconds: 3600,
        population: Population::Collective,
    };
    facts.push(establishment(1, status::COMPLETE, 120));
    facts.push(establishment(2, status::IN_PROGRESS, 7));
    facts.push(establishment(3, status::REFUSED, 40));
    let after = compute(
        CoverageInput {
            districts: &area.districts,
            frame_buildings: &area.frame_buildings,
            listed_buildings: &area.listed_buildings,
            listed_dwellings: &area.listed_dwellings,
            households: &facts,
        },
        CoverageRules::new(CENSUS_START, REPORT_DAY),
    );
    let (b, a) = (&before.totals, &after.totals);
    assert_eq!(a.persons, b.persons, "households' population unchanged");
    assert_eq!(a.households, b.households);
    assert_eq!(a.refused, b.refused);
    assert_eq!(a.establishments, 3);
    assert_eq!(a.persons_apart, 127);
    // Not timed like a household interview: 120 residents in an hour is no suspicion.
    assert_eq!(after.suspicious, before.suspicious);
    let first = after
        .level(Level::District)
        .find(|d| d.id == district)
        .map(|d| d.counts);
    assert_eq!(first.map(|c| c.persons_apart), Some(127));
    let national = publish::population_csv(&after);
    let line = national.lines().nth(1).unwrap_or_default();
    assert!(line.ends_with(&format!(",{},3,127", b.persons)), "{line}");
}
