//! What the coverage report reads (the frame, the listing, one fact row per household) and
//! what it says (counts per area, omissions, duplicates, suspicious interviews).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::facts::Population;
use crate::value::GpsPoint;

/// The `format` tag of a coverage report document.
pub const REPORT_FORMAT: &str = "census-coverage";
/// The report format version this build writes and the newest it reads.
pub const REPORT_FORMAT_VERSION: u32 = 1;

/// A level of the field and administrative hierarchy, from the smallest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Census district (DR): one enumerator.
    District,
    /// Control sector: one controller, 3–4 districts.
    ControlSector,
    /// Supervision zone: one supervisor.
    SupervisionZone,
    /// Commune.
    Commune,
    /// Province.
    Province,
    /// Region.
    Region,
    /// The whole country.
    National,
}

impl Level {
    /// Every level, from the smallest.
    pub const ALL: [Level; 7] = [
        Level::District,
        Level::ControlSector,
        Level::SupervisionZone,
        Level::Commune,
        Level::Province,
        Level::Region,
        Level::National,
    ];

    /// The stable text form (`district`, `control_sector`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::District => "district",
            Level::ControlSector => "control_sector",
            Level::SupervisionZone => "supervision_zone",
            Level::Commune => "commune",
            Level::Province => "province",
            Level::Region => "region",
            Level::National => "national",
        }
    }

    /// Parses the text form.
    pub fn parse(text: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == text)
    }
}

/// Where a census district sits above itself: its control sector, supervision zone,
/// commune, province and region (each an id). The one shape of this fact: the frame, the
/// assignment a tablet downloads and the tablet's store all carry it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Hierarchy {
    /// Control sector id.
    pub control_sector: String,
    /// Supervision zone id.
    pub supervision_zone: String,
    /// Commune.
    pub commune: String,
    /// Province.
    pub province: String,
    /// Region.
    pub region: String,
}

/// An axis-aligned box around a district, in decimal degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BoundingBox {
    /// Southern edge.
    pub lat_min: f64,
    /// Northern edge.
    pub lat_max: f64,
    /// Western edge.
    pub lon_min: f64,
    /// Eastern edge.
    pub lon_max: f64,
}

impl BoundingBox {
    /// A box from its four edges as a database returns them: `None` unless all are known.
    pub fn from_edges(
        lat_min: Option<f64>,
        lat_max: Option<f64>,
        lon_min: Option<f64>,
        lon_max: Option<f64>,
    ) -> Option<BoundingBox> {
        Some(BoundingBox {
            lat_min: lat_min?,
            lat_max: lat_max?,
            lon_min: lon_min?,
            lon_max: lon_max?,
        })
    }
}

/// A census district of the frame with its place in the hierarchy and expected counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameDistrict {
    /// District id.
    pub district_id: String,
    /// Control sector id.
    pub control_sector: String,
    /// Supervision zone id.
    pub supervision_zone: String,
    /// Commune.
    pub commune: String,
    /// Province.
    pub province: String,
    /// Region.
    pub region: String,
    /// Expected buildings (cartography).
    pub expected_buildings: u32,
    /// Expected dwellings.
    pub expected_dwellings: u32,
    /// Expected households.
    pub expected_households: u32,
    /// The district's extent, when cartography has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbox: Option<BoundingBox>,
    /// The district's boundary, when cartography drew it (then it decides what is outside,
    /// and `bbox` is its box).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary: Option<super::geo::Boundary>,
}

impl FrameDistrict {
    /// A district of the frame placed in `hierarchy`, with its expected counts
    /// `(buildings, dwellings, households)` and no cartography.
    pub fn placed(district_id: &str, hierarchy: &Hierarchy, expected: (u32, u32, u32)) -> Self {
        FrameDistrict {
            district_id: district_id.to_owned(),
            control_sector: hierarchy.control_sector.clone(),
            supervision_zone: hierarchy.supervision_zone.clone(),
            commune: hierarchy.commune.clone(),
            province: hierarchy.province.clone(),
            region: hierarchy.region.clone(),
            expected_buildings: expected.0,
            expected_dwellings: expected.1,
            expected_households: expected.2,
            bbox: None,
            boundary: None,
        }
    }

    /// The areas above this district.
    pub fn hierarchy(&self) -> Hierarchy {
        Hierarchy {
            control_sector: self.control_sector.clone(),
            supervision_zone: self.supervision_zone.clone(),
            commune: self.commune.clone(),
            province: self.province.clone(),
            region: self.region.clone(),
        }
    }

    /// The id of the area containing this district at `level`.
    pub fn area_id(&self, level: Level) -> &str {
        match level {
            Level::District => &self.district_id,
            Level::ControlSector => &self.control_sector,
            Level::SupervisionZone => &self.supervision_zone,
            Level::Commune => &self.commune,
            Level::Province => &self.province,
            Level::Region => &self.region,
            Level::National => "national",
        }
    }
}

/// A building of the cartographic frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameBuildingRef {
    /// District.
    pub district_id: String,
    /// Building number within the district.
    pub building_number: u32,
}

/// A building as listed by the enumerator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListedBuilding {
    /// District.
    pub district_id: String,
    /// Building number within the district.
    pub building_number: u32,
    /// Location, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gps: Option<GpsPoint>,
}

/// A dwelling as listed by the enumerator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListedDwelling {
    /// District.
    pub district_id: String,
    /// Building number.
    pub building_number: u32,
    /// Dwelling number within the building.
    pub dwelling_number: u32,
    /// `occupied`, `vacant`, `secondary` or `unknown`.
    pub occupancy: String,
}

/// Case statuses as the tablet writes them.
pub mod status {
    /// Not opened yet.
    pub const NOT_STARTED: &str = "not_started";
    /// At least one answer saved.
    pub const IN_PROGRESS: &str = "in_progress";
    /// Interview finished.
    pub const COMPLETE: &str = "complete";
    /// The household refused.
    pub const REFUSED: &str = "refused";
    /// Nobody at home: a revisit is due.
    pub const ABSENT: &str = "absent";
    /// The dwelling is vacant.
    pub const VACANT: &str = "vacant";
}

/// What coverage needs to know of one household case, extracted from its data and its
/// paradata (see [`super::facts`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HouseholdFacts {
    /// Case id.
    pub case_id: Uuid,
    /// District.
    pub district_id: String,
    /// Building number.
    pub building_number: u32,
    /// Dwelling number.
    pub dwelling_number: u32,
    /// Household number within the dwelling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub household_number: Option<u32>,
    /// Case status (see [`status`]).
    pub status: String,
    /// Enumerator whose device sent the case.
    pub enumerator_id: String,
    /// Persons listed in the household roster.
    pub persons: u32,
    /// The head's name, normalised for comparison ([`super::names::name_key`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_key: Option<String>,
    /// Where the interview took place, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gps: Option<GpsPoint>,
    /// Day the interview was last worked on (`YYYY-MM-DD`, UTC), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_day: Option<String>,
    /// Seconds of active interviewing (gaps between answers over 10 minutes not counted).
    pub active_seconds: u64,
    /// Whom the case counts: a private household (the default) or the residents of
    /// collective living quarters, counted apart (its questionnaire's `population`).
    #[serde(default, skip_serializing_if = "Population::is_household")]
    pub population: Population,
}

/// Thresholds of the report. Defaults suit a 30-day census.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageRules {
    /// First day of enumeration (`YYYY-MM-DD`).
    pub census_start: String,
    /// Days of enumeration.
    pub census_days: u32,
    /// The day the report is for (`YYYY-MM-DD`).
    pub today: String,
    /// A district is behind schedule when its finished share is below this fraction of the
    /// share of the period elapsed.
    pub schedule_margin: f64,
    /// A complete interview shorter than `min_seconds_base + min_seconds_per_person ×
    /// persons` is suspicious.
    pub min_seconds_base: u64,
    /// See `min_seconds_base`.
    pub min_seconds_per_person: u64,
    /// Two households with the same head and size closer than this (metres) are suspected
    /// duplicates.
    pub duplicate_radius_m: f64,
    /// An interview further than this (metres) outside its district's box is suspicious.
    pub outside_margin_m: f64,
}

impl CoverageRules {
    /// The default thresholds for a census starting on `census_start`, reported on `today`.
    pub fn new(census_start: &str, today: &str) -> CoverageRules {
        CoverageRules {
            census_start: census_start.to_owned(),
            census_days: 30,
            today: today.to_owned(),
            schedule_margin: 0.8,
            min_seconds_base: 240,
            min_seconds_per_person: 60,
            duplicate_radius_m: 150.0,
            outside_margin_m: 250.0,
        }
    }

    /// The shortest plausible complete interview of a household of `persons`.
    pub fn min_seconds(&self, persons: u32) -> u64 {
        self.min_seconds_base + self.min_seconds_per_person * u64::from(persons)
    }
}

/// Counts of one area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Counts {
    /// Expected buildings (frame).
    pub expected_buildings: u64,
    /// Expected dwellings (frame).
    pub expected_dwellings: u64,
    /// Expected households (frame).
    pub expected_households: u64,
    /// Buildings listed.
    pub listed_buildings: u64,
    /// Dwellings listed.
    pub listed_dwellings: u64,
    /// Of which occupied.
    pub occupied_dwellings: u64,
    /// Household cases received (any status).
    pub households: u64,
    /// Complete.
    pub complete: u64,
    /// In progress.
    pub in_progress: u64,
    /// Not started.
    pub not_started: u64,
    /// Refused.
    pub refused: u64,
    /// Absent, revisit due.
    pub absent: u64,
    /// Vacant.
    pub vacant: u64,
    /// Persons counted in complete and in-progress households.
    pub persons: u64,
    /// Collective living quarters enumerated (cases of a collective questionnaire, any
    /// status): not households, counted apart.
    #[serde(default)]
    pub establishments: u64,
    /// The population counted apart: persons in complete and in-progress cases of
    /// collective living quarters (not in `persons`).
    #[serde(default)]
    pub persons_apart: u64,
}

impl Counts {
    /// Adds `other` into `self`.
    pub fn add(&mut self, other: &Counts) {
        self.expected_buildings += other.expected_buildings;
        self.expected_dwellings += other.expected_dwellings;
        self.expected_households += other.expected_households;
        self.listed_buildings += other.listed_buildings;
        self.listed_dwellings += other.listed_dwellings;
        self.occupied_dwellings += other.occupied_dwellings;
        self.households += other.households;
        self.complete += other.complete;
        self.in_progress += other.in_progress;
        self.not_started += other.not_started;
        self.refused += other.refused;
        self.absent += other.absent;
        self.vacant += other.vacant;
        self.persons += other.persons;
        self.establishments += other.establishments;
        self.persons_apart += other.persons_apart;
    }

    /// Counts `n` cases of collective living quarters of `status` with `persons` in all:
    /// apart from households, persons only when complete or in progress.
    pub fn add_apart(&mut self, case_status: &str, n: u64, persons: u64) {
        self.establishments += n;
        if matches!(case_status, status::COMPLETE | status::IN_PROGRESS) {
            self.persons_apart += persons;
        }
    }

    /// Counts one household case of `status` with `persons`.
    pub fn add_case(&mut self, case_status: &str, persons: u64) {
        self.add_cases(case_status, 1, persons);
    }

    /// Counts `n` household cases of `status` with `persons` in all.
    pub fn add_cases(&mut self, case_status: &str, n: u64, persons: u64) {
        self.households += n;
        match case_status {
            status::COMPLETE => self.complete += n,
            status::IN_PROGRESS => self.in_progress += n,
            status::REFUSED => self.refused += n,
            status::ABSENT => self.absent += n,
            status::VACANT => self.vacant += n,
            _ => self.not_started += n,
        }
        if matches!(case_status, status::COMPLETE | status::IN_PROGRESS) {
            self.persons += persons;
        }
    }

    /// Households finished (complete, refused or vacant) as a share of those expected.
    pub fn finished_share(&self) -> f64 {
        if self.expected_households == 0 {
            return 1.0;
        }
        (self.complete + self.refused + self.vacant) as f64 / self.expected_households as f64
    }
}

/// Coverage of one area of the hierarchy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaCoverage {
    /// Level.
    pub level: Level,
    /// Area id at that level.
    pub id: String,
    /// Districts in the area.
    pub districts: u32,
    /// Counts.
    pub counts: Counts,
    /// Districts of the area behind schedule.
    pub districts_behind: u32,
}

/// Why something may have been left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OmissionKind {
    /// A dwelling listed as occupied has no household case.
    OccupiedDwellingWithoutHousehold,
    /// A building of the frame was neither listed nor holds a case.
    FrameBuildingNotVisited,
    /// The district's finished share lags the calendar.
    DistrictBehindSchedule,
}

/// A suspected omission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Omission {
    /// What.
    pub kind: OmissionKind,
    /// District.
    pub district_id: String,
    /// Building, when the omission is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building_number: Option<u32>,
    /// Dwelling, when the omission is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dwelling_number: Option<u32>,
    /// For a district behind schedule: finished share and the share of time elapsed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<(f64, f64)>,
}

/// Why cases may be one household counted more than once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateKind {
    /// Several cases carry the same district, building, dwelling and household number.
    SameHouseholdNumber,
    /// Households of one dwelling with the same head's name and size.
    SameDwellingSameHead,
    /// The same head's name and size in different dwellings a short distance apart
    /// (neighbouring districts included).
    SameHeadNearby,
}

/// A group of suspected duplicate cases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateGroup {
    /// Why.
    pub kind: DuplicateKind,
    /// The cases, sorted.
    pub case_ids: Vec<Uuid>,
    /// Their districts, sorted, without repeats.
    pub district_ids: Vec<String>,
}

/// Why an interview looks wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuspicionKind {
    /// Complete, but shorter than plausible for its size.
    TooShort,
    /// Recorded outside its district's extent.
    OutsideDistrict,
}

/// A suspicious interview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuspiciousInterview {
    /// Why.
    pub kind: SuspicionKind,
    /// The case.
    pub case_id: Uuid,
    /// District.
    pub district_id: String,
    /// Enumerator.
    pub enumerator_id: String,
    /// Active seconds (too short) or metres outside (outside the district).
    pub measure: f64,
}

/// Households finished on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayProgress {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Households completed that day.
    pub completed: u64,
    /// Persons in them.
    pub persons: u64,
}

/// One enumerator's day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnumeratorDay {
    /// Enumerator.
    pub enumerator_id: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Households completed.
    pub completed: u64,
    /// Mean active minutes per completed household.
    pub mean_minutes: f64,
}

/// The coverage report of a scope (the districts a user may see).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageReport {
    /// [`REPORT_FORMAT`].
    pub format: String,
    /// [`REPORT_FORMAT_VERSION`].
    pub format_version: u32,
    /// The thresholds used.
    pub rules: CoverageRules,
    /// Totals of the scope.
    pub totals: Counts,
    /// Every area touching the scope, by level then id; districts first.
    pub areas: Vec<AreaCoverage>,
    /// Suspected omissions, by district.
    pub omissions: Vec<Omission>,
    /// Suspected duplicates.
    pub duplicates: Vec<DuplicateGroup>,
    /// Suspicious interviews.
    pub suspicious: Vec<SuspiciousInterview>,
    /// Progress day by day.
    pub daily: Vec<DayProgress>,
    /// Households per enumerator per day.
    pub enumerators: Vec<EnumeratorDay>,
}

impl CoverageReport {
    /// The areas of one level.
    pub fn level(&self, level: Level) -> impl Iterator<Item = &AreaCoverage> {
        self.areas.iter().filter(move |a| a.level == level)
    }

    /// One area.
    pub fn area(&self, level: Level, id: &str) -> Option<&AreaCoverage> {
        self.areas.iter().find(|a| a.level == level && a.id == id)
    }
}
