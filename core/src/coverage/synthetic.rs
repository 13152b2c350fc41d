//! Generated census areas for tests and benchmarks: districts tiled on a grid, buildings,
//! dwellings and households with real `census-case` documents and event logs, and — when
//! asked — planted omissions, duplicates and suspicious interviews, with the list of what was
//! planted so a test can check that the report finds each one and nothing else.

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::json;
use uuid::Uuid;

use super::facts::{ItemMap, Paradata, Population, case_content, event_times};
use super::types::{
    BoundingBox, DuplicateKind, FrameBuildingRef, FrameDistrict, HouseholdFacts, ListedBuilding,
    ListedDwelling, status,
};
use crate::value::GpsPoint;
use crate::wire::{CaseRecord, EventRecord};

/// Size of a generated area.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// Seed of the generator (same seed, same area).
    pub seed: u64,
    /// Districts.
    pub districts: u32,
    /// Buildings per district.
    pub buildings: u32,
    /// Dwellings per building.
    pub dwellings: u32,
    /// Plant omissions, duplicates and suspicious interviews.
    pub plant: bool,
}

/// First day of enumeration of generated areas.
pub const CENSUS_START: &str = "2024-09-01";
/// The report day to use with generated areas (day 15 of 30).
pub const REPORT_DAY: &str = "2024-09-15";
/// Side of a district's square, in degrees (about 1.1 km).
const SIDE: f64 = 0.01;

/// One generated household, compact (its case record is built on demand).
#[derive(Debug, Clone)]
pub struct Household {
    /// Case id.
    pub case_id: Uuid,
    /// District.
    pub district_id: String,
    /// Building.
    pub building_number: u32,
    /// Dwelling.
    pub dwelling_number: u32,
    /// Household number.
    pub household_number: u32,
    /// Status.
    pub status: &'static str,
    /// Head's name as typed.
    pub head_name: String,
    /// Persons.
    pub persons: u32,
    /// Where.
    pub gps: GpsPoint,
    /// First answer.
    pub start: DateTime<Utc>,
    /// Answers typed.
    pub events: u32,
    /// Seconds between answers.
    pub spacing_s: i64,
}

/// What was planted, as the report must find it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Planted {
    /// Occupied dwellings left without a case.
    pub omitted_dwellings: Vec<(String, u32, u32)>,
    /// Frame buildings never listed.
    pub unvisited_buildings: Vec<(String, u32)>,
    /// Districts behind schedule.
    pub behind: Vec<String>,
    /// Duplicate groups (sorted case ids).
    pub duplicates: Vec<(DuplicateKind, Vec<Uuid>)>,
    /// Interviews too short.
    pub too_short: Vec<Uuid>,
    /// Interviews outside their district.
    pub outside: Vec<Uuid>,
}

/// A generated area.
#[derive(Debug, Clone, Default)]
pub struct Area {
    /// The frame's districts.
    pub districts: Vec<FrameDistrict>,
    /// The frame's buildings.
    pub frame_buildings: Vec<FrameBuildingRef>,
    /// Buildings listed.
    pub listed_buildings: Vec<ListedBuilding>,
    /// Dwellings listed.
    pub listed_dwellings: Vec<ListedDwelling>,
    /// Households.
    pub households: Vec<Household>,
    /// What was planted.
    pub planted: Planted,
}

/// splitmix64: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn uuid(&mut self) -> Uuid {
        uuid::Builder::from_random_bytes(
            ((u128::from(self.next()) << 64) | u128::from(self.next())).to_le_bytes(),
        )
        .into_uuid()
    }
}

const FIRST: [&str; 12] = [
    "Mohamed", "Fatima", "Ahmed", "Khadija", "Youssef", "Aicha", "Hassan", "Naima", "Omar",
    "Zineb", "Brahim", "Malika",
];
const LAST: [&str; 10] = [
    "Alaoui", "Bennani", "Idrissi", "Amrani", "Tazi", "Berrada", "Chraibi", "Ouali", "Lahlou",
    "Fassi",
];

/// A name no other generated household shares: first and last name plus a family name
/// spelled from the household's index.
fn unique_name(index: u64) -> String {
    let mut tag = String::new();
    let mut n = index;
    loop {
        tag.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
        if n == 0 {
            break;
        }
    }
    let first = FIRST[(index % 12) as usize];
    let last = LAST[((index / 12) % 10) as usize];
    format!("{first} {last} Ait{tag}")
}

fn district_box(i: u32) -> BoundingBox {
    let (row, col) = (f64::from(i % 50), f64::from(i / 50));
    BoundingBox {
        lat_min: 31.0 + row * SIDE,
        lat_max: 31.0 + (row + 1.0) * SIDE,
        lon_min: -8.0 + col * SIDE,
        lon_max: -8.0 + (col + 1.0) * SIDE,
    }
}

fn point(lat: f64, lon: f64) -> GpsPoint {
    GpsPoint {
        lat,
        lon,
        accuracy_m: Some(6.0),
    }
}

impl Area {
    /// Generates an area.
    pub fn generate(spec: Spec) -> Area {
        let mut rng = Rng(spec.seed);
        let mut area = Area::default();
        let start = Utc
            .with_ymd_and_hms(2024, 9, 1, 8, 0, 0)
            .single()
            .unwrap_or_default();
        let mut index: u64 = 0;
        for d in 0..spec.districts {
            let district_id = format!("D{d:05}");
            let bbox = district_box(d);
            let mut occupied = 0;
            let slow = spec.plant && d == 2;
            for b in 1..=spec.buildings {
                let (r, c) = ((b - 1) / 20, (b - 1) % 20);
                let gps = point(
                    bbox.lat_min + SIDE * (0.05 + 0.9 * f64::from(r % 20) / 20.0),
                    bbox.lon_min + SIDE * (0.05 + 0.9 * f64::from(c) / 20.0),
                );
                area.frame_buildings.push(FrameBuildingRef {
                    district_id: district_id.clone(),
                    building_number: b,
                });
                area.listed_buildings.push(ListedBuilding {
                    district_id: district_id.clone(),
                    building_number: b,
                    gps: Some(gps),
                });
                for w in 1..=spec.dwellings {
                    let vacant = rng.below(20) == 0;
                    area.listed_dwellings.push(ListedDwelling {
                        district_id: district_id.clone(),
                        building_number: b,
                        dwelling_number: w,
                        occupancy: if vacant { "vacant" } else { "occupied" }.to_owned(),
                    });
                    if vacant {
                        continue;
                    }
                    occupied += 1;
                    let roll = rng.below(100);
                    let case_status = if slow {
                        if roll < 15 {
                            status::COMPLETE
                        } else {
                            status::IN_PROGRESS
                        }
                    } else {
                        match roll {
                            0..=86 => status::COMPLETE,
                            87..=89 => status::REFUSED,
                            90..=94 => status::ABSENT,
                            _ => status::IN_PROGRESS,
                        }
                    };
                    let persons = 1 + rng.below(8) as u32;
                    let day = rng.below(15) as i64;
                    area.households.push(Household {
                        case_id: rng.uuid(),
                        district_id: district_id.clone(),
                        building_number: b,
                        dwelling_number: w,
                        household_number: 1,
                        status: case_status,
                        head_name: unique_name(index),
                        persons,
                        gps,
                        start: start + Duration::days(day) + Duration::minutes(index as i64 % 480),
                        events: 10 + 5 * persons,
                        spacing_s: 30,
                    });
                    index += 1;
                }
            }
            area.districts.push(FrameDistrict {
                district_id,
                control_sector: format!("CS{:04}", d / 4),
                supervision_zone: format!("SZ{:03}", d / 12),
                commune: format!("C{:03}", d / 24),
                province: format!("P{:02}", d / 96),
                region: format!("R{:02}", d / 400),
                expected_buildings: spec.buildings,
                expected_dwellings: spec.buildings * spec.dwellings,
                expected_households: occupied,
                bbox: Some(bbox),
                boundary: None,
            });
            if slow {
                area.planted.behind.push(format!("D{d:05}"));
            }
        }
        if spec.plant {
            area.plant(&mut rng);
        }
        area
    }

    fn plant(&mut self, rng: &mut Rng) {
        let complete = |h: &&Household| h.status == status::COMPLETE;
        // Omissions: the case of an occupied dwelling removed, in two districts.
        for district in ["D00000", "D00003"] {
            if let Some(i) = self
                .households
                .iter()
                .position(|h| h.district_id == district && h.status == status::COMPLETE)
            {
                let h = self.households.remove(i);
                self.planted.omitted_dwellings.push((
                    h.district_id,
                    h.building_number,
                    h.dwelling_number,
                ));
            }
        }
        // A frame building never listed.
        if let Some(d) = self.districts.get_mut(1) {
            let number = d.expected_buildings + 1;
            d.expected_buildings = number;
            self.frame_buildings.push(FrameBuildingRef {
                district_id: d.district_id.clone(),
                building_number: number,
            });
            self.planted
                .unvisited_buildings
                .push((d.district_id.clone(), number));
        }
        let pick = |district: &str, nth: usize| -> Option<Household> {
            self.households
                .iter()
                .filter(|h| h.district_id == district)
                .filter(complete)
                .nth(nth)
                .cloned()
        };
        let (Some(same_number), Some(same_dwelling), Some(short), Some(outside)) = (
            pick("D00001", 3),
            pick("D00001", 5),
            pick("D00004", 2),
            pick("D00005", 2),
        ) else {
            return;
        };
        let mut added = Vec::new();
        // The same household entered twice under one number.
        let copy = Household {
            case_id: rng.uuid(),
            start: same_number.start + Duration::hours(3),
            ..same_number.clone()
        };
        self.planted.duplicates.push((
            DuplicateKind::SameHouseholdNumber,
            sorted(vec![same_number.case_id, copy.case_id]),
        ));
        added.push(copy);
        // Entered again as a second household of the same dwelling.
        let copy = Household {
            case_id: rng.uuid(),
            household_number: 2,
            start: same_dwelling.start + Duration::days(1),
            ..same_dwelling.clone()
        };
        self.planted.duplicates.push((
            DuplicateKind::SameDwellingSameHead,
            sorted(vec![same_dwelling.case_id, copy.case_id]),
        ));
        added.push(copy);
        // Across the boundary of two neighbouring districts, 44 m apart.
        let (a, b) = (district_box(6), district_box(7));
        let edge = a.lat_max;
        let lon = a.lon_min + SIDE / 2.0;
        let original = Household {
            case_id: rng.uuid(),
            district_id: "D00006".into(),
            building_number: 901,
            dwelling_number: 1,
            household_number: 1,
            status: status::COMPLETE,
            head_name: "Rachid El Mansouri".into(),
            persons: 6,
            gps: point(edge - 0.0002, lon),
            start: same_dwelling.start,
            events: 40,
            spacing_s: 30,
        };
        let copy = Household {
            case_id: rng.uuid(),
            district_id: "D00007".into(),
            building_number: 902,
            head_name: "EL MANSOURI Rachid".into(),
            gps: point(b.lat_min + 0.0002, lon),
            start: original.start + Duration::days(2),
            ..original.clone()
        };
        for h in [&original, &copy] {
            self.listed_buildings.push(ListedBuilding {
                district_id: h.district_id.clone(),
                building_number: h.building_number,
                gps: Some(h.gps),
            });
            self.listed_dwellings.push(ListedDwelling {
                district_id: h.district_id.clone(),
                building_number: h.building_number,
                dwelling_number: 1,
                occupancy: "occupied".into(),
            });
        }
        self.planted.duplicates.push((
            DuplicateKind::SameHeadNearby,
            sorted(vec![original.case_id, copy.case_id]),
        ));
        added.push(original);
        added.push(copy);
        // Too short: three answers ten seconds apart.
        if let Some(h) = self
            .households
            .iter_mut()
            .find(|h| h.case_id == short.case_id)
        {
            h.events = 3;
            h.spacing_s = 10;
            self.planted.too_short.push(h.case_id);
        }
        // Recorded two kilometres south of its district.
        if let Some(h) = self
            .households
            .iter_mut()
            .find(|h| h.case_id == outside.case_id)
        {
            h.gps = point(district_box(5).lat_min - 0.018, h.gps.lon);
            self.planted.outside.push(h.case_id);
        }
        self.households.extend(added);
        self.planted.duplicates.sort();
        self.planted.too_short.sort();
        self.planted.outside.sort();
        self.planted.omitted_dwellings.sort();
    }

    /// The household's case record as a tablet sends it: a `census-case` document with the
    /// persons roster and the event log of the interview.
    pub fn case_record(h: &Household) -> CaseRecord {
        let persons: Vec<serde_json::Value> = (1..=h.persons)
            .map(|p| {
                let (name, relationship) = if p == 1 {
                    (h.head_name.clone(), "01")
                } else {
                    (format!("Person {p}"), "03")
                };
                json!({"row_id": p + 1, "inputs": {}, "rosters": {},
                       "answers": {"p_name": name, "p_relationship": relationship,
                                   "p_sex": if p % 2 == 0 { "2" } else { "1" },
                                   "p_age": 5 * p + 3}})
            })
            .collect();
        let gps = json!({"lat": h.gps.lat, "lon": h.gps.lon, "accuracy_m": 6.0});
        let case = json!({
            "format": "census-case", "format_version": 1,
            "questionnaire": {"id": "rgph2024", "version": "1.0.0"},
            "root": {"inputs": {}, "answers": {"d_gps": gps},
                     "rosters": {"households": [{"row_id": 1, "inputs": {},
                        "answers": {"hh_size_declared": h.persons},
                        "rosters": {"persons": persons}}]}},
            "confirmations": [], "next_row_id": h.persons + 2});
        let events: Vec<EventRecord> = (0..h.events)
            .map(|e| EventRecord {
                seq: u64::from(e) + 1,
                at: (h.start + Duration::seconds(h.spacing_s * i64::from(e))).to_rfc3339(),
                kind: "answer".into(),
                row_path: "households.1".into(),
                item_id: "p_name".into(),
                old: serde_json::Value::Null,
                new: json!(e),
                screen: None,
                gps: (e == 0).then_some(h.gps),
                last_at: None,
            })
            .collect();
        let updated_at = events
            .last()
            .map_or_else(|| h.start.to_rfc3339(), |e| e.at.clone());
        CaseRecord {
            case_id: h.case_id,
            questionnaire_id: "rgph2024".into(),
            questionnaire_version: "1.0.0".into(),
            district_id: h.district_id.clone(),
            building_number: h.building_number,
            dwelling_number: h.dwelling_number,
            household_number: Some(h.household_number),
            status: h.status.into(),
            revision: u64::from(h.events),
            long_form: None,
            case,
            events,
            updated_at,
        }
    }

    /// The facts of every household, extracted from its case record the way the office does.
    pub fn facts(&self) -> Vec<HouseholdFacts> {
        self.households
            .iter()
            .map(|h| facts_of(&Area::case_record(h), &format!("E-{}", h.district_id)))
            .collect()
    }

    /// The whole report computed in memory from the area itself: the reference a store's
    /// report must equal.
    pub fn report(&self, rules: super::CoverageRules) -> super::CoverageReport {
        let facts = self.facts();
        super::compute(
            super::CoverageInput {
                districts: &self.districts,
                frame_buildings: &self.frame_buildings,
                listed_buildings: &self.listed_buildings,
                listed_dwellings: &self.listed_dwellings,
                households: &facts,
            },
            rules,
        )
    }

    /// District `index` without the north-east quarter of its box (left to a neighbour), and
    /// a point well inside that quarter: inside the box, about 0.45 of a half-side outside
    /// the boundary. Boundaries are `[longitude, latitude]` rings, as GeoJSON writes them.
    pub fn l_shaped(&self, index: usize) -> Option<(Vec<[f64; 2]>, GpsPoint)> {
        let b = self.districts.get(index)?.bbox?;
        let (lat_mid, lon_mid) = ((b.lat_min + b.lat_max) / 2.0, (b.lon_min + b.lon_max) / 2.0);
        let ring = vec![
            [b.lon_min, b.lat_min],
            [b.lon_max, b.lat_min],
            [b.lon_max, lat_mid],
            [lon_mid, lat_mid],
            [lon_mid, b.lat_max],
            [b.lon_min, b.lat_max],
            [b.lon_min, b.lat_min],
        ];
        let corner = GpsPoint {
            lat: b.lat_max - (b.lat_max - lat_mid) * 0.1,
            lon: b.lon_max - (b.lon_max - lon_mid) * 0.1,
            accuracy_m: None,
        };
        Some((ring, corner))
    }
}

/// The coverage block of `schemas/rgph2024.json`, the shape of the generated cases (a test
/// helper: coverage code itself reads a questionnaire's declared block).
pub fn census_items() -> ItemMap {
    ItemMap {
        population: Population::Household,
        households: Some("households".into()),
        persons: "persons".into(),
        relationship: Some("p_relationship".into()),
        head_code: Some("01".into()),
        name: "p_name".into(),
        dwelling_gps: "d_gps".into(),
    }
}

/// The facts of a case record sent by `enumerator_id`.
pub fn facts_of(record: &CaseRecord, enumerator_id: &str) -> HouseholdFacts {
    let content = case_content(&record.case, &census_items());
    let mut paradata = Paradata::default();
    let events = serde_json::to_value(&record.events).unwrap_or_default();
    paradata.extend(event_times(&events));
    HouseholdFacts {
        case_id: record.case_id,
        district_id: record.district_id.clone(),
        building_number: record.building_number,
        dwelling_number: record.dwelling_number,
        household_number: record.household_number,
        status: record.status.clone(),
        enumerator_id: enumerator_id.to_owned(),
        persons: content.persons,
        head_key: content.head_key,
        gps: content.gps.or(paradata.gps),
        last_day: paradata.last_day(),
        active_seconds: paradata.active_seconds,
        population: Population::Household,
    }
}

fn sorted(mut ids: Vec<Uuid>) -> Vec<Uuid> {
    ids.sort_unstable();
    ids
}
