//! Shared helpers for the store integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use census::keys::DatabaseKey;
use census::store::{
    Assignment, Building, CaseId, District, Dwelling, EventContext, NewCase, Occupancy, Store,
};
use census_core::GpsPoint;
use census_core::sampling::SamplingPlan;

/// A typical event context.
pub fn ctx(screen: &str) -> EventContext {
    EventContext {
        screen: screen.to_string(),
        gps: Some(GpsPoint {
            lat: 33.5731,
            lon: -7.5898,
            accuracy_m: Some(8.0),
        }),
    }
}

/// A household case in district `district`.
pub fn new_case(district: &str, building_no: u32, household_no: u32) -> NewCase {
    NewCase {
        questionnaire_id: "rgph-short".into(),
        questionnaire_version: "2024.1".into(),
        district_id: district.into(),
        building_no,
        dwelling_no: 1,
        household_no,
        long_form: household_no.is_multiple_of(5),
    }
}

/// An assignment with one district of two buildings.
pub fn assignment(district: &str, address: &str) -> Assignment {
    Assignment {
        districts: vec![District {
            district_id: district.into(),
            name: format!("District {district}"),
            expected_buildings: 40,
            expected_dwellings: 60,
            expected_households: 250,
            sampling: SamplingPlan {
                rate_per_mille: 200,
                random_start: 417,
                take_all: false,
            },
            hierarchy: None,
            buildings: vec![
                Building {
                    state: census::store::BuildingState::Listed,
                    building_no: 1,
                    address: address.into(),
                    gps: Some(GpsPoint {
                        lat: 33.1,
                        lon: -7.2,
                        accuracy_m: Some(5.0),
                    }),
                    dwellings: vec![Dwelling {
                        dwelling_no: 1,
                        occupancy: Occupancy::Occupied,
                        description: "ground floor".into(),
                    }],
                },
                Building {
                    state: census::store::BuildingState::Listed,
                    building_no: 2,
                    address: "2 rue des Orangers".into(),
                    gps: None,
                    dwellings: Vec::new(),
                },
            ],
        }],
    }
}

/// A fresh random key and an open encrypted store in `dir`.
pub fn open_new(dir: &Path) -> (DatabaseKey, Store) {
    let key = DatabaseKey::generate().unwrap();
    let store = Store::open(dir, &key).unwrap();
    (key, store)
}

/// A store with one case and `n` answers at the root.
pub fn store_with_answers(dir: &Path, n: usize) -> (DatabaseKey, CaseId) {
    let (key, mut store) = open_new(dir);
    let case = store
        .create_case(&new_case("D1", 1, 1), &ctx("start"))
        .unwrap();
    for i in 0..n {
        store
            .save_answer(
                case,
                "",
                &format!("q{i}"),
                &serde_json::json!(format!("value number {i} padded {}", "x".repeat(40))),
                &ctx("q"),
            )
            .unwrap();
    }
    store.checkpoint().unwrap();
    (key, case)
}

/// The data directory's files (name, bytes).
pub fn read_all_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            out.push((
                entry.file_name().to_string_lossy().into_owned(),
                std::fs::read(entry.path()).unwrap(),
            ));
        }
    }
    out
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A small deterministic pseudo-random generator (xorshift64*).
pub struct Rng(pub u64);

impl Rng {
    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
