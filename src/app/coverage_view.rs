//! Builds the coverage screen's data from the tablet's own encrypted store, with the same
//! computation the office uses ([`census_core::coverage::compute`]): the districts of the
//! assignment are the frame, the buildings and dwellings listed on the tablet the listing, and
//! each household case gives its facts (persons and head's name from the case rebuilt by the
//! engine, interview time from the paradata event log).

use std::collections::HashMap;

use census_core::GpsPoint;
use census_core::coverage::{
    self, BoundingBox, Counts, CoverageInput, CoverageReport, CoverageRules, DuplicateKind,
    FrameDistrict, Hierarchy, HouseholdFacts, Level, ListedBuilding, ListedDwelling, OmissionKind,
    Paradata, SuspicionKind,
};
use chrono::NaiveDate;
use uuid::Uuid;

use crate::i18n::Tr;
use crate::questionnaires::Questionnaires;
use crate::store::{CaseMeta, District, Store, StoreError, StoredListing};
use crate::ui::screens::coverage_map::{DotStatus, MapDot};
use crate::ui::screens::view::{
    CoverageDistrict, CoverageProblem, CoverageRow, CoverageView, ProblemKind,
};

/// What coverage reads from the store, before computing.
#[derive(Debug, Clone, Default)]
pub struct CoverageData {
    /// The assigned districts as frame districts (the store has no hierarchy above the
    /// district: every level is the district's own id).
    pub districts: Vec<FrameDistrict>,
    /// Buildings listed.
    pub buildings: Vec<ListedBuilding>,
    /// Dwellings listed.
    pub dwellings: Vec<ListedDwelling>,
    /// One fact row per household case.
    pub households: Vec<HouseholdFacts>,
    /// Cases whose answers could not be read back: `(case, why)`.
    pub unreadable: Vec<(CaseMeta, String)>,
    /// The earliest day something was listed or a case created, `YYYY-MM-DD`.
    pub first_day: Option<String>,
}

/// The district's extent from the GPS points of its listed buildings (cartography's buildings
/// included), when any has one.
fn bbox_of(listing: &StoredListing, district_id: &str) -> Option<BoundingBox> {
    let mut bbox: Option<BoundingBox> = None;
    for gps in listing
        .buildings
        .iter()
        .filter(|b| b.district_id == district_id)
        .filter_map(|b| b.gps)
    {
        let b = bbox.get_or_insert(BoundingBox {
            lat_min: gps.lat,
            lat_max: gps.lat,
            lon_min: gps.lon,
            lon_max: gps.lon,
        });
        b.lat_min = b.lat_min.min(gps.lat);
        b.lat_max = b.lat_max.max(gps.lat);
        b.lon_min = b.lon_min.min(gps.lon);
        b.lon_max = b.lon_max.max(gps.lon);
    }
    bbox
}

/// A district of the tablet in the frame's shape, placed in the hierarchy its assignment
/// gave. A district stored before the store kept the hierarchy stands alone at every level
/// (its own id) until the next assignment download.
fn frame_district(d: &District, listing: &StoredListing) -> FrameDistrict {
    let alone = Hierarchy {
        control_sector: d.district_id.clone(),
        supervision_zone: d.district_id.clone(),
        commune: d.district_id.clone(),
        province: d.district_id.clone(),
        region: d.district_id.clone(),
    };
    let expected = (
        d.expected_buildings,
        d.expected_dwellings,
        d.expected_households,
    );
    let mut frame = FrameDistrict::placed(
        &d.district_id,
        d.hierarchy.as_ref().unwrap_or(&alone),
        expected,
    );
    frame.bbox = bbox_of(listing, &d.district_id);
    frame
}

/// One household case's facts: persons and head from the case rebuilt by the engine (read
/// from the typed case, as the office reads the same figures from its document), the
/// interview time and place from the event log.
fn household_facts(
    store: &Store,
    questionnaires: &Questionnaires,
    today: NaiveDate,
    meta: &CaseMeta,
    enumerator_id: &str,
) -> Result<(HouseholdFacts, Option<String>), StoreError> {
    let stored = store.load_case(meta.case_id)?;
    let events = store.events(meta.case_id)?;
    let mut paradata = Paradata::default();
    paradata.extend(events.iter().map(|e| (e.at, e.gps)));
    let ((content, population), problem): ((coverage::CaseContent, _), _) =
        match questionnaires.get(&meta.questionnaire_id, &meta.questionnaire_version) {
            Ok(q) => match (q.coverage_items(), stored.restore(q.clone(), today)) {
                (Ok(items), Ok(case)) => (
                    (coverage::case_content_of(&case, items), items.population),
                    None,
                ),
                (Err(refusal), _) => (Default::default(), Some(refusal.to_string())),
                (_, Err(why)) => (Default::default(), Some(why.to_string())),
            },
            Err(problem) => (Default::default(), Some(problem.to_string())),
        };
    let facts = HouseholdFacts {
        case_id: meta.case_id.0,
        district_id: meta.district_id.clone(),
        building_number: meta.building_no,
        dwelling_number: meta.dwelling_no,
        household_number: Some(meta.household_no),
        status: meta.status.as_str().to_owned(),
        enumerator_id: enumerator_id.to_owned(),
        persons: content.persons,
        head_key: content.head_key,
        gps: content.gps.or(paradata.gps),
        last_day: paradata.last_day(),
        active_seconds: paradata.active_seconds,
        population,
    };
    Ok((facts, problem))
}

/// Reads everything coverage needs from the store.
pub fn coverage_data(
    store: &Store,
    questionnaires: &Questionnaires,
    today: NaiveDate,
    enumerator_id: &str,
) -> Result<CoverageData, StoreError> {
    let listing = store.listing()?;
    let districts = store.districts()?;
    let mut data = CoverageData {
        districts: districts
            .iter()
            .map(|d| frame_district(d, &listing))
            .collect(),
        buildings: listing
            .buildings
            .iter()
            .map(|b| ListedBuilding {
                district_id: b.district_id.clone(),
                building_number: b.building_no,
                gps: b.gps,
            })
            .collect(),
        dwellings: listing
            .dwellings
            .iter()
            .map(|d| ListedDwelling {
                district_id: d.district_id.clone(),
                building_number: d.building_no,
                dwelling_number: d.dwelling_no,
                occupancy: d.occupancy.as_str().to_owned(),
            })
            .collect(),
        first_day: listing
            .oldest_listed_at()
            .map(|t| t.chars().take(10).collect()),
        ..CoverageData::default()
    };
    for district in &districts {
        for meta in store.list_cases(&district.district_id)? {
            let created = meta.created_at.format("%Y-%m-%d").to_string();
            if data.first_day.as_ref().is_none_or(|f| created < *f) {
                data.first_day = Some(created);
            }
            let (facts, problem) =
                household_facts(store, questionnaires, today, &meta, enumerator_id)?;
            if let Some(why) = problem {
                data.unreadable.push((meta, why));
            }
            data.households.push(facts);
        }
    }
    Ok(data)
}

/// The rules for `today`: the census started on the first day something was listed or a
/// case created (never after today).
pub fn rules(data: &CoverageData, today: NaiveDate) -> CoverageRules {
    let today_text = today.format("%Y-%m-%d").to_string();
    let start = data
        .first_day
        .clone()
        .filter(|d| *d < today_text)
        .unwrap_or_else(|| today_text.clone());
    CoverageRules::new(&start, &today_text)
}

/// The report of the tablet's own data.
pub fn report(data: &CoverageData, rules: CoverageRules) -> CoverageReport {
    coverage::compute(
        CoverageInput {
            districts: &data.districts,
            frame_buildings: &[],
            listed_buildings: &data.buildings,
            listed_dwellings: &data.dwellings,
            households: &data.households,
        },
        rules,
    )
}

/// One table line of counts.
pub fn row(code: String, c: &Counts) -> CoverageRow {
    CoverageRow {
        code,
        expected_households: c.expected_households,
        dwellings_listed: c.listed_dwellings,
        occupied_dwellings: c.occupied_dwellings,
        complete: c.complete,
        in_progress: c.in_progress,
        refused: c.refused,
        absent: c.absent,
        persons: c.persons,
    }
}

/// `text` with its first letter in capitals (a line may begin with a place's words).
pub(crate) fn capitalised(text: String) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if first.is_lowercase() => first.to_uppercase().chain(chars).collect(),
        _ => text,
    }
}

fn percent(share: f64) -> String {
    format!("{:.0}", (share * 100.0).round())
}

/// Where a household is, in words: "building 3, dwelling 2, household 1" (with the district
/// when it is not the one shown).
fn household_ref(tr: &Tr, facts: &HouseholdFacts, shown_district: &str) -> String {
    let n = |v: u32| v.to_string();
    let household = facts.household_number.map_or_else(String::new, n);
    let place = tr.f(
        "cov_household_ref",
        &[
            ("building", &n(facts.building_number)),
            ("dwelling", &n(facts.dwelling_number)),
            ("household", &household),
        ],
    );
    if facts.district_id == shown_district {
        place
    } else {
        let code = tr.ltr(&facts.district_id);
        tr.f("cov_in_district", &[("code", &code), ("place", &place)])
    }
}

/// The coverage screen's data from the store.
pub fn coverage_view(
    store: &Store,
    questionnaires: &Questionnaires,
    today: NaiveDate,
    enumerator_id: &str,
    tr: &Tr,
) -> Result<CoverageView, StoreError> {
    let data = coverage_data(store, questionnaires, today, enumerator_id)?;
    let rules = rules(&data, today);
    let report = report(&data, rules);
    let districts = store
        .districts()?
        .into_iter()
        .map(|d| (d.district_id, d.name))
        .collect();
    let mut view = view_of(districts, &data, &report, tr);
    view.map = map_dots(&data);
    Ok(view)
}

/// The map of the tablet's own data: each household case at its own position, or else at
/// its building's; each listed dwelling without a case at its building's, as not enumerated
/// when occupied, vacant otherwise.
pub fn map_dots(data: &CoverageData) -> Vec<MapDot> {
    let building_gps: HashMap<(&str, u32), GpsPoint> = data
        .buildings
        .iter()
        .filter_map(|b| Some(((b.district_id.as_str(), b.building_number), b.gps?)))
        .collect();
    let at_building =
        |district: &str, building: u32| building_gps.get(&(district, building)).copied();
    let mut dots = Vec::new();
    let mut with_case = std::collections::HashSet::new();
    for h in &data.households {
        with_case.insert((h.district_id.as_str(), h.building_number, h.dwelling_number));
        let gps = h
            .gps
            .or_else(|| at_building(&h.district_id, h.building_number));
        if let Some(g) = gps {
            dots.push(MapDot {
                lat: g.lat,
                lon: g.lon,
                status: DotStatus::parse(&h.status),
            });
        }
    }
    for w in &data.dwellings {
        let key = (w.district_id.as_str(), w.building_number, w.dwelling_number);
        if with_case.contains(&key) {
            continue;
        }
        if let Some(g) = at_building(&w.district_id, w.building_number) {
            let status = if w.occupancy == "occupied" {
                DotStatus::NotEnumerated
            } else {
                DotStatus::Vacant
            };
            dots.push(MapDot {
                lat: g.lat,
                lon: g.lon,
                status,
            });
        }
    }
    dots
}

/// A case the tablet knows nothing of (a reviewer's area): "case 1a2b3c4d".
fn unknown_case(tr: &Tr, case_id: Uuid) -> String {
    let id = case_id.simple().to_string();
    let short: String = id.chars().take(8).collect();
    tr.f("cov_unknown_case", &[("id", &tr.ltr(&short))])
}

/// The screen's words for a computed report, for the districts `(code, name)` given.
pub fn view_of(
    districts: Vec<(String, String)>,
    data: &CoverageData,
    report: &CoverageReport,
    tr: &Tr,
) -> CoverageView {
    let facts: HashMap<Uuid, &HouseholdFacts> =
        data.households.iter().map(|h| (h.case_id, h)).collect();
    let n = |v: u32| v.to_string();
    let rows: Vec<CoverageRow> = districts
        .iter()
        .map(|(code, _)| {
            let counts = report
                .area(Level::District, code)
                .map(|a| a.counts)
                .unwrap_or_default();
            row(code.clone(), &counts)
        })
        .collect();
    let total = (rows.len() > 1).then(|| row(tr.t("cov_total").to_owned(), &report.totals));
    let mut view_districts = Vec::new();
    for (district_code, district_name) in districts {
        let code = district_code.as_str();
        let mut problems = Vec::new();
        for o in report.omissions.iter().filter(|o| o.district_id == code) {
            let building = o.building_number.map_or_else(String::new, n);
            let dwelling = o.dwelling_number.map_or_else(String::new, n);
            let text = match o.kind {
                OmissionKind::OccupiedDwellingWithoutHousehold => tr.f(
                    "cov_occupied_no_case",
                    &[("building", &building), ("dwelling", &dwelling)],
                ),
                OmissionKind::FrameBuildingNotVisited => {
                    tr.f("cov_building_not_visited", &[("building", &building)])
                }
                OmissionKind::DistrictBehindSchedule => {
                    let (finished, elapsed) = o.progress.unwrap_or_default();
                    tr.f(
                        "cov_behind",
                        &[
                            ("finished", &percent(finished)),
                            ("elapsed", &percent(elapsed)),
                        ],
                    )
                }
            };
            problems.push(CoverageProblem {
                kind: ProblemKind::Omission,
                text,
            });
        }
        for group in report
            .duplicates
            .iter()
            .filter(|g| g.district_ids.first().map(String::as_str) == Some(code))
        {
            let mut found: Vec<&HouseholdFacts> = group
                .case_ids
                .iter()
                .filter_map(|id| facts.get(id).copied())
                .collect();
            found.sort_by_key(|f| {
                (
                    f.district_id.clone(),
                    f.building_number,
                    f.dwelling_number,
                    f.household_number,
                )
            });
            let mut members: Vec<String> =
                found.iter().map(|f| household_ref(tr, f, code)).collect();
            members.extend(
                group
                    .case_ids
                    .iter()
                    .filter(|id| !facts.contains_key(id))
                    .map(|id| unknown_case(tr, *id)),
            );
            let key = match group.kind {
                DuplicateKind::SameHouseholdNumber => "cov_same_number",
                DuplicateKind::SameDwellingSameHead => "cov_same_head",
                DuplicateKind::SameHeadNearby => "cov_same_head_nearby",
            };
            problems.push(CoverageProblem {
                kind: ProblemKind::Duplicate,
                text: tr.f(key, &[("cases", &members.join(" ; "))]),
            });
        }
        for s in report.suspicious.iter().filter(|s| s.district_id == code) {
            let found = facts.get(&s.case_id);
            let place = found.map_or_else(
                || unknown_case(tr, s.case_id),
                |f| household_ref(tr, f, code),
            );
            let persons = found.map_or_else(|| "?".to_owned(), |f| n(f.persons));
            let text = match s.kind {
                SuspicionKind::TooShort => tr.f(
                    "cov_too_short",
                    &[
                        ("place", &place),
                        ("minutes", &format!("{:.0}", (s.measure / 60.0).floor())),
                        ("persons", &persons),
                    ],
                ),
                SuspicionKind::OutsideDistrict => tr.f(
                    "cov_outside",
                    &[("place", &place), ("metres", &format!("{:.0}", s.measure))],
                ),
            };
            problems.push(CoverageProblem {
                kind: ProblemKind::Suspicious,
                text: capitalised(text),
            });
        }
        view_districts.push(CoverageDistrict {
            code: district_code.clone(),
            name: district_name,
            problems,
            on_tablet: true,
        });
    }
    let unreadable = data
        .unreadable
        .iter()
        .map(|(meta, why)| {
            let place = tr.f(
                "cov_household_ref",
                &[
                    ("building", &n(meta.building_no)),
                    ("dwelling", &n(meta.dwelling_no)),
                    ("household", &n(meta.household_no)),
                ],
            );
            let code = tr.ltr(&meta.district_id);
            let place = tr.f("cov_in_district", &[("code", &code), ("place", &place)]);
            capitalised(tr.f("cov_unreadable", &[("place", &place), ("detail", why)]))
        })
        .collect();
    CoverageView {
        today: report.rules.today.clone(),
        rows,
        total,
        districts: view_districts,
        unreadable,
        ..CoverageView::default()
    }
}
