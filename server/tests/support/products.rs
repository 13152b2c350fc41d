//! The generated area of the export tests: household cases of the bundled questionnaire
//! built through the engine, with the truth counted on the generator's side; loading it
//! into a store; DuckDB's Python and a CSV reader.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use census_core::engine::{Case, RowPath};
use census_core::sampling::SamplingPlan;
use census_core::value::{GpsPoint, Value};
use census_core::wire::CaseRecord;
use census_server::store::{DeviceRecord, District};
use chrono::NaiveDate;
use uuid::Uuid;

use super::backends::Backend;
use super::census::questionnaire;
use super::{Device, district, payload};

/// One generated person, as the generator decided it (the independent truth).
#[derive(Debug, Clone)]
pub struct Person {
    pub sex: u8,
    pub age: i64,
    pub mother_line: i64,
}

/// What the generator made, counted on its own side.
#[derive(Default)]
pub struct Truth {
    /// (sex, 5-year group start) → persons.
    pub by_sex_age: BTreeMap<(u8, i64), u64>,
    /// Children with a mother line, and the sum of (mother's age − child's age).
    pub mothers_joined: u64,
    pub age_gap_sum: i64,
    pub persons: u64,
    pub households: u64,
    /// Persons answering each spoken-language code.
    pub spoken: BTreeMap<String, u64>,
}

pub struct Rng(pub u64);

impl Rng {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

pub const DISTRICTS: [(&str, &str, &str, &str); 3] = [
    ("DR-A1", "Agdal", "Rabat", "Rabat-Salé-Kénitra"),
    ("DR-A2", "Salé", "Salé", "Rabat-Salé-Kénitra"),
    ("DR-B1", "Anfa", "Casablanca", "Casablanca-Settat"),
];

pub fn frame_district(d: &(&str, &str, &str, &str)) -> District {
    District {
        district_id: d.0.into(),
        commune: d.1.into(),
        province: d.2.into(),
        region: d.3.into(),
        ..district(d.0)
    }
}

/// A household case of the bundled questionnaire built through the engine.
pub fn household(district: &str, dwelling: u32, people: &[Person], spoken: bool) -> CaseRecord {
    let q = questionnaire();
    let mut case = Case::new(q, NaiveDate::from_ymd_opt(2024, 9, 2).unwrap());
    let root = RowPath::root();
    let building = dwelling / 3 + 1;
    let text = |s: &str| Value::Text(s.into());
    case.set_input(&root, "district_id", text(district))
        .unwrap();
    case.set_input(&root, "building_number", Value::Integer(building.into()))
        .unwrap();
    case.set_input(&root, "dwelling_number", Value::Integer(dwelling.into()))
        .unwrap();
    case.set_answer(&root, "d_type", text("2")).unwrap();
    case.set_answer(&root, "d_occupancy", text("1")).unwrap();
    let gps = GpsPoint {
        lat: 34.0 + f64::from(dwelling) / 1000.0,
        lon: -6.8,
        accuracy_m: Some(5.0),
    };
    case.set_answer(&root, "d_gps", Value::Gps(gps)).unwrap();
    let (hh, _) = case.add_row(&root, "households").unwrap();
    case.set_input(&hh, "household_number", Value::Integer(1))
        .unwrap();
    case.set_input(&hh, "long_form", Value::Bool(spoken))
        .unwrap();
    case.set_answer(&hh, "hh_size_declared", Value::Integer(people.len() as i64))
        .unwrap();
    for (i, p) in people.iter().enumerate() {
        let (row, _) = case.add_row(&hh, "persons").unwrap();
        let rel = if i == 0 { "01" } else { "03" };
        case.set_answer(&row, "p_name", text(&format!("P{i} D{dwelling}")))
            .unwrap();
        case.set_answer(&row, "p_relationship", text(rel)).unwrap();
        case.set_answer(&row, "p_sex", text(&p.sex.to_string()))
            .unwrap();
        case.set_answer(&row, "p_age", Value::Integer(p.age))
            .unwrap();
        case.set_answer(&row, "p_mother_line", Value::Integer(p.mother_line))
            .unwrap();
        if spoken && p.age >= 3 {
            let codes = if i % 2 == 0 {
                vec!["01", "03"]
            } else {
                vec!["01"]
            };
            case.set_answer(
                &row,
                "p_spoken_languages",
                Value::Multi(codes.into_iter().map(str::to_owned).collect()),
            )
            .unwrap();
        }
    }
    CaseRecord {
        case_id: Uuid::new_v4(),
        questionnaire_id: "rgph2024".into(),
        questionnaire_version: "1.0.0".into(),
        district_id: district.into(),
        building_number: building,
        dwelling_number: dwelling,
        household_number: Some(1),
        status: "complete".into(),
        revision: 1,
        long_form: Some(
            SamplingPlan::systematic(200, 777)
                .unwrap()
                .select(dwelling)
                .unwrap(),
        ),
        case: case.to_json(),
        events: Vec::new(),
        updated_at: "2024-09-02T10:30:00Z".into(),
    }
}

/// A generated area: households of 1 to 7 persons, a head, a spouse of the other sex, and
/// children whose mother (head or spouse, whichever is a woman) is named by line number.
pub fn area(per_district: u32, seed: u64) -> (Vec<CaseRecord>, Truth) {
    let mut rng = Rng(seed);
    let mut truth = Truth::default();
    let mut cases = Vec::new();
    for d in &DISTRICTS {
        for dwelling in 1..=per_district {
            let size = 1 + rng.below(7) as usize;
            let head_sex = 1 + rng.below(2) as u8;
            let head_age = 25 + rng.below(40) as i64;
            let mut people = vec![Person {
                sex: head_sex,
                age: head_age,
                mother_line: 0,
            }];
            if size >= 2 {
                people.push(Person {
                    sex: 3 - head_sex,
                    age: (head_age - 5 + rng.below(10) as i64).max(18),
                    mother_line: 0,
                });
            }
            let mother = people.iter().position(|p| p.sex == 2).map(|i| i + 1);
            for _ in 2..size {
                let mother_line = match mother {
                    Some(m) if rng.below(5) > 0 => m as i64,
                    _ => 0,
                };
                let limit = mother.map_or(20, |m| people[m - 1].age - 15).clamp(1, 20);
                people.push(Person {
                    sex: 1 + rng.below(2) as u8,
                    age: rng.below(limit as u64) as i64,
                    mother_line,
                });
            }
            let spoken = dwelling % 2 == 0;
            for (i, p) in people.iter().enumerate() {
                *truth.by_sex_age.entry((p.sex, p.age / 5 * 5)).or_default() += 1;
                if p.mother_line > 0 {
                    truth.mothers_joined += 1;
                    truth.age_gap_sum += people[p.mother_line as usize - 1].age - p.age;
                }
                if spoken && p.age >= 3 {
                    *truth.spoken.entry("01".into()).or_default() += 1;
                    if i % 2 == 0 {
                        *truth.spoken.entry("03".into()).or_default() += 1;
                    }
                }
            }
            truth.persons += people.len() as u64;
            truth.households += 1;
            cases.push(household(d.0, dwelling, &people, spoken));
        }
    }
    (cases, truth)
}

pub async fn load_area(backend: &Backend, cases: Vec<CaseRecord>) {
    let districts: Vec<District> = DISTRICTS.iter().map(frame_district).collect();
    backend.store.import_districts(&districts).await.unwrap();
    let device = DeviceRecord {
        device_id: "tab-1".into(),
        enumerator_id: "E-1".into(),
        public_key: vec![0; 32],
        districts: DISTRICTS.iter().map(|d| d.0.to_owned()).collect(),
    };
    let fake = Device {
        id: "tab-1".into(),
        key: census_core::wire::DeviceKey::generate().unwrap(),
        token: String::new(),
        office_public: [1; 32],
        enumerator: "E-1".into(),
    };
    for chunk in cases.chunks(50) {
        backend
            .store
            .ingest(
                &device,
                &payload(&fake, chunk.to_vec()),
                &[],
                &super::census_items(),
            )
            .await
            .unwrap();
    }
}

/// The Python with DuckDB: `CENSUS_DUCKDB_PYTHON`, else a `python3` that imports it. `None`
/// (with a message) skips; under `CI=true` a missing DuckDB fails.
pub fn duckdb_python() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("CENSUS_DUCKDB_PYTHON")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    candidates.push(PathBuf::from("python3"));
    for python in candidates {
        let ok = std::process::Command::new(&python)
            .args(["-c", "import duckdb"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(python);
        }
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but DuckDB's Python package is missing: .ci/run installs it");
    }
    eprintln!("\n*** SKIPPED: DuckDB reading (set CENSUS_DUCKDB_PYTHON) ***\n");
    None
}

pub fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect()
}
